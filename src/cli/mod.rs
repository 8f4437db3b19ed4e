//! The command-line face of Caducée: a real interface for scripts, practice
//! software and tests. Every listing has `--json`.

mod account;
mod account_setup;
mod audit;
mod card;
mod directory;
mod documents;
mod mail;
mod output;
mod pin;
mod send;
mod store_cmd;
mod sync;
mod token_login;
mod whitelist;

use caducee::i18n::tr1;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use caducee::paths::{self, DATA_DIR_ENV};
use caducee::store::{KeySource, Store};

#[derive(Parser)]
#[command(
    name = "caducee",
    version,
    about = "Caducée — secure MSSanté mail for health professionals"
)]
pub struct Cli {
    /// Data directory (default: the platform's data directory).
    #[arg(long, global = true, env = DATA_DIR_ENV)]
    data_dir: Option<PathBuf>,
    /// Use the demo mailbox (fictional messages, no server).
    #[arg(long, global = true)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Import a .eml file, a folder of .eml files, an mbox file or a Maildir.
    Import(mail::ImportArgs),
    /// List folders with their message and unread counts.
    Folders(output::JsonFlag),
    /// List messages, newest first.
    List(mail::ListArgs),
    /// Show one message.
    Show(mail::ShowArgs),
    /// Search messages (words, "phrases", prefix*, from:, to:, folder:, after:, before:, has:attachment, is:unread).
    Search(mail::SearchArgs),
    /// Export messages as .eml files.
    Export(mail::ExportArgs),
    /// Health documents: IHE XDM packages, CDA, PDF, HPRIM.
    Documents {
        #[command(subcommand)]
        command: documents::DocumentsCommand,
    },
    /// The national directory of MSSanté mailboxes (Annuaire Santé).
    Directory {
        #[command(subcommand)]
        command: directory::DirectoryCommand,
    },
    /// The local store.
    Store {
        #[command(subcommand)]
        command: store_cmd::StoreCommand,
    },
    /// The MSSanté whitelist of trusted domains: import, info, check recipients.
    Whitelist {
        #[command(subcommand)]
        command: whitelist::WhitelistCommand,
    },
    /// The audit journal: export, verify, list.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Compose a message and send it (the whitelist applies).
    Send(Box<send::SendArgs>),
    /// Messages waiting to be sent, sent, failed or in doubt.
    Outbox {
        #[command(subcommand)]
        command: send::OutboxCommand,
    },
    /// Mail accounts.
    Account {
        #[command(subcommand)]
        command: account::AccountCommand,
    },
    /// Sync an account with its IMAP server.
    Sync(sync::SyncArgs),
    /// The CPS card: readers, card status, card events.
    Card {
        #[command(subcommand)]
        command: card::CardCommand,
    },
}

/// What every command needs: where the data is, and how to open it.
pub struct Ctx {
    pub data_dir: PathBuf,
    pub demo: bool,
}

/// A failure to show the user: the message, and the exit code.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure {
            message: e.to_string(),
            code: 2,
        }
    }
}

pub type CmdResult = Result<ExitCode, Failure>;

impl Ctx {
    /// Open the store: the demo store with `--demo`, else the user's store.
    pub fn open_store(&self) -> Result<(Store, KeySource), Failure> {
        if self.demo {
            return Ok((caducee::demo::open(&self.data_dir)?, KeySource::Demo));
        }
        Ok(Store::open_in(&self.data_dir)?)
    }
}

pub fn run() -> ExitCode {
    output::init_local_offset();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CADUCEE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    caducee::i18n::set(caducee::i18n::Lang::from_env());
    let cli = Cli::parse();
    pin::install();
    let data_dir = match cli.data_dir.map(Ok).unwrap_or_else(paths::default_data_dir) {
        Ok(dir) => dir,
        Err(e) => return fail(&e.to_string(), 2),
    };
    let ctx = Ctx {
        data_dir,
        demo: cli.demo,
    };
    let result = match cli.command {
        None => match crate::app::run(crate::app::Config::new(ctx.data_dir.clone(), ctx.demo)) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            // No display (a server, a terminal session): the text summary instead.
            Err(e) => {
                eprintln!("caducee: {}", tr1("cli-no-window", "reason", &e));
                mail::welcome(&ctx)
            }
        },
        Some(Command::Import(args)) => mail::import(&ctx, args),
        Some(Command::Folders(json)) => mail::folders(&ctx, json),
        Some(Command::List(args)) => mail::list(&ctx, args),
        Some(Command::Show(args)) => mail::show(&ctx, args),
        Some(Command::Search(args)) => mail::search(&ctx, args),
        Some(Command::Export(args)) => mail::export(&ctx, args),
        Some(Command::Documents { command }) => documents::run(&ctx, command),
        Some(Command::Directory { command }) => directory::run(&ctx, command),
        Some(Command::Store { command }) => store_cmd::run(&ctx, command),
        Some(Command::Whitelist { command }) => whitelist::run(&ctx, command),
        Some(Command::Audit { command }) => audit::run(&ctx, command),
        Some(Command::Send(args)) => send::send(&ctx, *args),
        Some(Command::Outbox { command }) => send::outbox(&ctx, command),
        Some(Command::Account { command }) => account::run(&ctx, command),
        Some(Command::Sync(args)) => sync::run(&ctx, args),
        Some(Command::Card { command }) => card::run(&ctx, command),
    };
    match result {
        Ok(code) => code,
        Err(f) => fail(&f.message, f.code),
    }
}

fn fail(message: &str, code: u8) -> ExitCode {
    eprintln!("caducee: {message}");
    ExitCode::from(code)
}
