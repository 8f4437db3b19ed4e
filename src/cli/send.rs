//! `caducee send` and `caducee outbox`: compose and queue, then submit.

use caducee::i18n::{tr1, tr2, tr3};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use caducee::account::{self, Account, AuthMethod};
use caducee::imap::auth::PASSWORD_ENV;
use caducee::secrets::Secret;
use caducee::send::{self, Attachment, Draft, FlushReport, OutboxState, SendOptions, outbox};
use caducee::store::Store;

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx, Failure};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("body_source").required(true).args(["body", "body_file"])))]
pub struct SendArgs {
    /// The sending account (address, name or id); optional with one account.
    #[arg(long)]
    account: Option<String>,
    #[arg(long, required = true, num_args = 1..)]
    to: Vec<String>,
    #[arg(long, num_args = 1..)]
    cc: Vec<String>,
    #[arg(long, num_args = 1..)]
    bcc: Vec<String>,
    #[arg(long)]
    subject: String,
    /// The text of the message.
    #[arg(long)]
    body: Option<String>,
    /// A file holding the text of the message (UTF-8).
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// An HTML version of the text (sent as an alternative).
    #[arg(long)]
    html_file: Option<PathBuf>,
    /// A file to attach (repeat for several).
    #[arg(long)]
    attach: Vec<PathBuf>,
    /// Answer (or forward) this message (.eml): sets In-Reply-To and References.
    #[arg(long)]
    reply_to_file: Option<PathBuf>,
    /// Send for this professional (the account must hold their delegation).
    #[arg(long)]
    on_behalf_of: Option<String>,
    /// Ask for delivery status notifications.
    #[arg(long)]
    dsn: bool,
    /// Ask for a read receipt.
    #[arg(long)]
    mdn: bool,
    /// Only put the message in the outbox (send later with `outbox flush`).
    #[arg(long)]
    queue_only: bool,
    #[command(flatten)]
    json: JsonFlag,
}

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// List the outbox.
    List(JsonFlag),
    /// Submit every due message.
    Flush {
        #[arg(long)]
        account: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// An in-doubt message did arrive (checked with a recipient): mark it sent.
    Confirm { id: i64 },
    /// An in-doubt message did not arrive (checked with a recipient): send it again.
    Release { id: i64 },
    /// Show, or set, the product reference sent in the X-MSS-NIL header.
    ProductReference { value: Option<String> },
    /// Read delivery reports and read receipts and link them to sent messages:
    /// from .eml files, or without files from the mail synced into the store.
    Reports {
        #[arg(long)]
        account: Option<String>,
        files: Vec<PathBuf>,
        #[command(flatten)]
        json: JsonFlag,
    },
}

fn read(path: &PathBuf) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure {
        message: tr2("cli-cannot-read", "path", &path.display(), "reason", &e),
        code: 2,
    })
}

pub fn send(ctx: &Ctx, args: SendArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let account = account::get(&store, args.account.as_deref())?;
    let text = match (&args.body, &args.body_file) {
        (Some(t), _) => t.clone(),
        (None, Some(f)) => String::from_utf8(read(f)?).map_err(|_| Failure {
            message: tr1("cli-not-utf8", "path", &f.display()),
            code: 2,
        })?,
        (None, None) => String::new(),
    };
    let html = match &args.html_file {
        Some(f) => Some(String::from_utf8_lossy(&read(f)?).into_owned()),
        None => None,
    };
    let attachments = args
        .attach
        .iter()
        .map(|p| Attachment::from_path(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut draft = Draft {
        to: args.to,
        cc: args.cc,
        bcc: args.bcc,
        subject: args.subject,
        text,
        html,
        attachments,
        on_behalf_of: args.on_behalf_of,
        options: SendOptions {
            dsn: args.dsn,
            mdn: args.mdn,
        },
        ..Draft::default()
    };
    if let Some(f) = &args.reply_to_file {
        draft.thread_after(&read(f)?);
    }
    let (id, message_id) = send::queue(&store, &account, &draft)?;
    if args.queue_only {
        if args.json.json {
            output::print_json(&serde_json::json!({ "id": id, "message_id": message_id }))?;
        } else {
            println!("queued as {id} <{message_id}>");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Err(f) = flush_account(&store, &account) {
        // The message is safe in the outbox: say so with the reason.
        return Err(Failure {
            message: tr3(
                "cli-queued-not-sent",
                "id",
                &id,
                "message_id",
                &message_id,
                "reason",
                &f.message,
            ),
            code: 3,
        });
    }
    let entry = outbox::get(&store, id)?;
    if args.json.json {
        output::print_json(&entry)?;
    } else {
        describe(&entry);
    }
    Ok(match entry.state {
        OutboxState::Sent => ExitCode::SUCCESS,
        OutboxState::Failed => ExitCode::from(1),
        _ => ExitCode::from(3),
    })
}

fn describe(e: &outbox::OutboxEntry) {
    let what = match e.state {
        OutboxState::Sent => "sent".to_owned(),
        OutboxState::Queued if e.attempts > 0 => format!(
            "will be tried again at {} ({})",
            output::date(e.next_attempt_at),
            e.last_error.as_deref().unwrap_or("")
        ),
        OutboxState::Queued => "queued".to_owned(),
        OutboxState::Failed => format!(
            "FAILED: {}",
            e.last_error.as_deref().unwrap_or("unknown reason")
        ),
        OutboxState::InDoubt => format!(
            "IN DOUBT: {}",
            e.last_error.as_deref().unwrap_or("interrupted")
        ),
        OutboxState::Sending => "sending".to_owned(),
    };
    println!("{} <{}>: {what}", e.id, e.message_id);
}

fn password(account: &Account) -> Result<String, Failure> {
    Ok(Secret {
        what: "password",
        account: &account.address,
        env: PASSWORD_ENV,
    }
    .get()?)
}

fn flush_account(store: &Store, account: &Account) -> Result<FlushReport, Failure> {
    // Certificate accounts (CPS card, application certificate) need no password.
    let password = match account.settings.auth {
        AuthMethod::Cps { .. } | AuthMethod::Certificate { .. } => {
            super::account::print_card_login(account, true)?;
            String::new()
        }
        AuthMethod::ProSanteConnect { .. } | AuthMethod::Otp { .. } => String::new(),
        _ => password(account)?,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    super::token_login::start_session(&runtime, account)?;
    Ok(runtime.block_on(send::flush(store, account, &password))?)
}

pub fn outbox(ctx: &Ctx, command: OutboxCommand) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    match command {
        OutboxCommand::List(json) => {
            let entries = outbox::list(&store, None)?;
            if json.json {
                output::print_json(&entries)?;
            } else if entries.is_empty() {
                println!("the outbox is empty");
            } else {
                for e in &entries {
                    println!(
                        "{:>5}  {}  {:<9} {}  → {}",
                        e.id,
                        output::date(e.created_at),
                        e.state.as_str(),
                        output::clip(&e.options.subject, 40),
                        e.envelope_to.join(", ")
                    );
                    if let Some(err) = &e.last_error
                        && e.state != OutboxState::Sent
                    {
                        println!("       {err}");
                    }
                }
            }
        }
        OutboxCommand::Flush { account, json } => {
            // Without --account, every account's outbox.
            let accounts = match account {
                Some(key) => vec![account::get(&store, Some(&key))?],
                None => account::list(&store)?,
            };
            let mut report = FlushReport::default();
            for account in &accounts {
                let r = flush_account(&store, account)?;
                report.sent.extend(r.sent);
                report.found_delivered.extend(r.found_delivered);
                report.retry_later.extend(r.retry_later);
                report.failed.extend(r.failed);
                report.in_doubt.extend(r.in_doubt);
                report.copied_to_sent.extend(r.copied_to_sent);
            }
            if json.json {
                output::print_json(&report)?;
            } else {
                println!(
                    "{} sent, {} to retry, {} failed, {} in doubt",
                    report.sent.len() + report.found_delivered.len(),
                    report.retry_later.len(),
                    report.failed.len(),
                    report.in_doubt.len()
                );
                for (id, why) in report.failed.iter().chain(&report.retry_later) {
                    println!("  {id}: {why}");
                }
            }
        }
        OutboxCommand::ProductReference { value } => {
            if let Some(v) = value {
                store.set_setting(send::headers::NIL_SETTING, v.trim())?;
            }
            println!("{}", send::headers::product_reference(&store)?);
        }
        OutboxCommand::Confirm { id } => describe(&outbox::confirm_delivered(&store, id)?),
        OutboxCommand::Release { id } => describe(&outbox::release(&store, id)?),
        OutboxCommand::Reports {
            account,
            files,
            json,
        } => {
            let account = account::get(&store, account.as_deref())?;
            let mut found = Vec::new();
            if files.is_empty() {
                found = send::reports::scan_store(&store, &account)?;
            }
            for f in &files {
                if let Some(r) = send::reports::ingest(&store, &account, &read(f)?)? {
                    found.push(r);
                }
            }
            if json.json {
                output::print_json(&found)?;
            } else {
                for r in &found {
                    for s in &r.recipients {
                        println!(
                            "<{}> {}: {}{}",
                            r.original_message_id,
                            s.recipient,
                            s.status,
                            r.outbox_id
                                .map(|id| format!(" (outbox {id})"))
                                .unwrap_or_default()
                        );
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
