//! Mail commands: import, folders, list, show, search, export.

use caducee::i18n::{tr1, tr2};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use caducee::import::{self, Source};
use caducee::mime::display_subject;
use caducee::store::{MessageRow, SearchQuery};

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx, Failure};

#[derive(Args)]
pub struct ImportArgs {
    /// A .eml file, a folder of .eml files, an mbox file or a Maildir folder.
    path: PathBuf,
    /// Local folder to import into (default: the file or folder name).
    #[arg(long)]
    folder: Option<String>,
    #[command(flatten)]
    out: JsonFlag,
}

/// Which page of a listing, and in which format.
#[derive(Args)]
pub struct Page {
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long, default_value_t = 0)]
    offset: u32,
    #[command(flatten)]
    out: JsonFlag,
}

#[derive(Args)]
pub struct ListArgs {
    /// Folder name (default: all folders).
    #[arg(long)]
    folder: Option<String>,
    /// The account whose folder is meant, when several have one of that name.
    #[arg(long, requires = "folder")]
    account: Option<String>,
    #[command(flatten)]
    page: Page,
}

#[derive(Args)]
pub struct ShowArgs {
    /// Message id (from `list` or `search`).
    id: i64,
    /// Print the raw message as received.
    #[arg(long)]
    raw: bool,
    #[command(flatten)]
    out: JsonFlag,
}

#[derive(Args)]
pub struct SearchArgs {
    /// Words, "phrases", prefix*, and filters from:, to:, folder:, after:, before:, has:attachment, is:unread.
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
    #[command(flatten)]
    page: Page,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Message id to export.
    #[arg(required_unless_present = "folder", conflicts_with = "folder")]
    id: Option<i64>,
    /// Export a whole folder.
    #[arg(long)]
    folder: Option<String>,
    /// Destination folder (created if missing).
    #[arg(long)]
    to: PathBuf,
}

pub fn welcome(ctx: &Ctx) -> CmdResult {
    use clap::CommandFactory;
    let mut cmd = super::Cli::command();
    cmd.print_help()?;
    println!();
    let store = match ctx.open_store() {
        Ok((store, _)) if store.info()?.messages > 0 => store,
        _ => {
            println!("\nDemo mailbox (fictional messages; run with --demo to use it):\n");
            caducee::demo::open(&ctx.data_dir)?
        }
    };
    for f in store.folders()? {
        println!(
            "{:<24} {:>6} messages, {:>4} unread",
            f.name, f.total, f.unread
        );
    }
    println!();
    print_rows(&store.list_messages(None, 10, 0)?);
    Ok(ExitCode::SUCCESS)
}

pub fn import(ctx: &Ctx, args: ImportArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let source = Source::detect(&args.path)?;
    let folder = args.folder.unwrap_or_else(|| {
        args.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Import".into())
    });
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::no_length();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} messages {msg} [{elapsed_precise}] {per_sec}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let report = import::import(&store, &source, &folder, &mut |p| {
        if let Some(bar) = &bar {
            if let Some(total) = p.total {
                bar.set_length(total);
            }
            bar.set_position(p.done);
            bar.set_message(output::size(p.bytes as i64));
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.out.json {
        output::print_json(&report)?;
    } else {
        println!(
            "Imported {} messages ({}) into “{}”.",
            report.imported,
            output::size(report.bytes as i64),
            report.folder
        );
        for m in &report.malformed {
            println!(
                "  kept raw (could not be read): message {} from {}: {}",
                m.message_id, m.origin, m.reason
            );
        }
        for u in &report.unreadable {
            println!("  NOT imported (unreadable): {u}");
        }
    }
    Ok(if report.unreadable.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn folders(ctx: &Ctx, out: JsonFlag) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let folders = store.folders()?;
    if out.json {
        output::print_json(&folders)?;
    } else {
        for f in folders {
            println!(
                "{:<24} {:>6} messages, {:>4} unread",
                f.name, f.total, f.unread
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(ctx: &Ctx, args: ListArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let folder = match (&args.account, args.folder.as_deref()) {
        (Some(key), Some(name)) => {
            let acc = caducee::account::get(&store, Some(key))?;
            Some(
                store
                    .folder_id(Some(acc.id), name)?
                    .ok_or_else(|| Failure {
                        message: tr2("cli-no-folder", "address", &acc.address, "name", &name),
                        code: 2,
                    })?,
            )
        }
        _ => args
            .folder
            .as_deref()
            .map(|name| store.find_folder(name))
            .transpose()?,
    };
    let rows = store.list_messages(folder, args.page.limit, args.page.offset)?;
    print_list(&rows, args.page.out)
}

pub fn search(ctx: &Ctx, args: SearchArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let query = SearchQuery::parse(&args.query.join(" "))?;
    let rows = store.search(&query, args.page.limit, args.page.offset)?;
    print_list(&rows, args.page.out)?;
    Ok(if rows.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_list(rows: &[MessageRow], out: JsonFlag) -> CmdResult {
    if out.json {
        output::print_json(rows)?;
    } else {
        print_rows(rows);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_rows(rows: &[MessageRow]) {
    for r in rows {
        let from = if r.from_name.is_empty() {
            &r.from_addr
        } else {
            &r.from_name
        };
        println!(
            "{:>7} {} {}{} {:<24} {}",
            r.id,
            output::date(r.date),
            if r.flags.seen { ' ' } else { '*' },
            if r.has_attachments { '@' } else { ' ' },
            output::clip(from, 24),
            output::clip(display_subject(&r.subject), 60)
        );
    }
}

pub fn show(ctx: &Ctx, args: ShowArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    if args.raw {
        let raw = store.raw_message(args.id)?.ok_or_else(|| Failure {
            message: tr1("cli-body-not-yet", "id", &args.id),
            code: 1,
        })?;
        std::io::stdout().write_all(&raw)?;
        return Ok(ExitCode::SUCCESS);
    }
    let m = store.message(args.id)?;
    if args.out.json {
        output::print_json(&m)?;
        return Ok(ExitCode::SUCCESS);
    }
    let from = if m.row.from_name.is_empty() {
        m.row.from_addr.clone()
    } else {
        format!("{} <{}>", m.row.from_name, m.row.from_addr)
    };
    println!("From:    {from}");
    if !m.sender.is_empty() && m.sender != m.row.from_addr {
        println!("Sender:  {}", m.sender);
    }
    println!("To:      {}", m.to);
    if !m.cc.is_empty() {
        println!("Cc:      {}", m.cc);
    }
    println!("Date:    {}", output::date(m.row.date));
    println!("Subject: {}", display_subject(&m.row.subject));
    println!("Folder:  {}", m.folder);
    for a in &m.attachments {
        println!(
            "Attachment: {} ({}, {})",
            a.filename,
            a.content_type,
            output::size(a.size as i64)
        );
    }
    if let Some(err) = &m.parse_error {
        println!("(This message could not be read: {err}. Shown raw.)");
    }
    println!();
    println!("{}", m.text);
    Ok(ExitCode::SUCCESS)
}

pub fn export(ctx: &Ctx, args: ExportArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let ids = match (args.id, &args.folder) {
        (Some(id), _) => vec![id],
        (None, Some(folder)) => store.message_ids_in(store.find_folder(folder)?)?,
        (None, None) => Vec::new(),
    };
    std::fs::create_dir_all(&args.to)?;
    let mut written = 0;
    let mut missing = Vec::new();
    for id in ids {
        match store.raw_message(id)? {
            Some(raw) => {
                let path = args.to.join(format!("{id}.eml"));
                std::fs::write(&path, raw)?;
                written += 1;
            }
            None => missing.push(id),
        }
    }
    println!("Exported {written} messages to {}.", args.to.display());
    if !missing.is_empty() {
        println!("Not exported (body not downloaded yet): {missing:?}");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
