//! `caducee sync`: bring the store up to date with the server, once or
//! continuously, with a progress bar on a terminal.

use caducee::i18n::tr;
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use std::sync::Arc;

use caducee::account;
use caducee::auth::TokenLogin;
use caducee::auth::lock::CardSession;
use caducee::sync::{self, Phase, Progress, SyncOptions, SyncReport};

use super::output;
use super::{CmdResult, Ctx};

#[derive(Args)]
pub struct SyncArgs {
    /// The account (address, name or id); default: the only one.
    #[arg(long)]
    account: Option<String>,
    /// Sync once and exit (the default).
    #[arg(long, conflicts_with = "watch")]
    once: bool,
    /// Keep running: IDLE on INBOX and sync on news, reconnecting as needed.
    #[arg(long)]
    watch: bool,
    /// List messages only; leave bodies for later.
    #[arg(long)]
    headers_only: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Shows progress on stderr when it is a terminal.
struct Bar {
    bar: Option<ProgressBar>,
    key: (String, Option<Phase>),
}

impl Bar {
    fn new() -> Self {
        Self {
            bar: None,
            key: (String::new(), None),
        }
    }

    fn update(&mut self, p: &Progress) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let key = (p.folder.clone(), Some(p.phase));
        if self.key != key {
            if let Some(b) = self.bar.take() {
                b.finish_and_clear();
            }
            self.key = key;
            if p.phase == Phase::Done {
                return;
            }
            let b = ProgressBar::new(p.total);
            b.set_style(
                ProgressStyle::with_template(
                    "{msg:28} [{bar:30}] {pos}/{len} {binary_bytes} {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            let phase = match p.phase {
                Phase::Changes => "changes",
                Phase::Folders => "folders",
                Phase::Headers => "headers",
                Phase::Flags => "flags",
                Phase::Bodies => "bodies",
                Phase::Done => "",
            };
            b.set_message(format!("{phase} {}", p.folder));
            self.bar = Some(b);
        }
        if let Some(b) = &self.bar {
            b.set_length(p.total);
            b.set_position(p.done);
        }
    }
}

fn print_report(r: &SyncReport, json: bool) -> Result<(), super::Failure> {
    if json {
        output::print_json(r)?;
    } else {
        println!(
            "{} folders, {} new messages, {} flag changes, {} removed, {} bodies ({}), {} offline changes sent",
            r.folders,
            r.new_messages,
            r.flag_updates,
            r.expunged,
            r.bodies,
            output::size(r.bytes as i64),
            r.replayed
        );
    }
    Ok(())
}

pub fn run(ctx: &Ctx, args: SyncArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let acc = account::get(&store, args.account.as_deref())?;
    let opts = SyncOptions {
        bodies: !args.headers_only,
        ..SyncOptions::default()
    };
    // A watching card account runs in a card session: the PIN is asked when
    // the card is in, and taking it out closes the IMAP session.
    let card = args.watch && matches!(acc.settings.auth, account::AuthMethod::Cps { .. });
    if !card {
        super::account::print_card_login(&acc, args.json)?;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    super::token_login::start_session(&rt, &acc)?;
    let mut bar = Bar::new();
    let mut progress = |p: &Progress| bar.update(p);
    if args.watch {
        let json = args.json;
        let mut on_sync = |r: &SyncReport| {
            let _ = print_report(r, json);
        };
        if card {
            let session = CardSession::start(Arc::new(TokenLogin::new(acc.clone())))?;
            let asker = session.lock().clone();
            std::thread::spawn(move || asker.ask_pin(super::pin::for_lock));
            eprintln!("{}", tr("cli-insert-card"));
            let mut lock = session.lock().watch();
            rt.block_on(async {
                tokio::select! {
                    r = sync::watch_with_card(&store, &acc, &opts, &mut lock, &mut progress, &mut on_sync) => r.map_err(super::Failure::from),
                    _ = tokio::signal::ctrl_c() => Ok(()),
                }
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        rt.block_on(async {
            tokio::select! {
                r = sync::watch(&store, &acc, &opts, &mut progress, &mut on_sync) => r.map_err(super::Failure::from),
                _ = tokio::signal::ctrl_c() => Ok(()),
            }
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let _ = args.once;
    let report = rt.block_on(sync::sync_account(&store, &acc, &opts, &mut progress))?;
    if let Some(b) = bar.bar.take() {
        b.finish_and_clear();
    }
    print_report(&report, args.json)?;
    Ok(ExitCode::SUCCESS)
}
