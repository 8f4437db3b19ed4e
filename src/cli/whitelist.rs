//! `caducee whitelist import|info|check`: the MSSanté whitelist of trusted domains.

use caducee::i18n::{tr1, tr2};
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde::Serialize;

use caducee::trust::{self, ImportOptions, ImportReport, Verdict, Whitelist};

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx};

#[derive(Subcommand)]
pub enum WhitelistCommand {
    /// Replace the list in use by a file or an HTTPS URL (the official one by default).
    Import(ImportArgs),
    /// The list in use: domains, generation date, age, source.
    Info(JsonFlag),
    /// Check recipients; exit 0 only if all are allowed. `-` reads them from stdin, one a line.
    Check(CheckArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// A whitelist XML file, or an https:// URL.
    #[arg(default_value = trust::OFFICIAL_URL)]
    source: String,
    /// Accept a list that shrank by more than half, or older than the one in use.
    #[arg(long)]
    force: bool,
    /// An extra CA certificate file (PEM) to trust for the download, besides IGC-Santé.
    #[arg(long, value_name = "PEM")]
    extra_ca: Option<PathBuf>,
    #[command(flatten)]
    out: JsonFlag,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Addresses as typed (`x@dom`, `Name <x@dom>`), or `-` for stdin.
    #[arg(required = true, num_args = 1..)]
    addresses: Vec<String>,
    #[command(flatten)]
    out: JsonFlag,
}

pub fn run(ctx: &Ctx, command: WhitelistCommand) -> CmdResult {
    match command {
        WhitelistCommand::Import(args) => import(ctx, args),
        WhitelistCommand::Info(json) => info(ctx, json),
        WhitelistCommand::Check(args) => check(ctx, args),
    }
}

fn import(ctx: &Ctx, args: ImportArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let options = ImportOptions {
        force: args.force,
        extra_ca: args.extra_ca,
    };
    let is_url = args.source.contains("://");
    let report = if is_url {
        trust::refresh(&store, &args.source, &options)
    } else {
        trust::import_file(&store, std::path::Path::new(&args.source), &options)
    }
    .map_err(|e| super::Failure {
        message: tr1("cli-whitelist-kept", "reason", &e),
        code: 1,
    })?;
    if args.out.json {
        output::print_json(&report)?;
    } else {
        print_import(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_import(report: &ImportReport) {
    let i = &report.info;
    println!(
        "imported {} domains ({} entries) generated {} from {}",
        i.domains,
        i.entries,
        output::date(i.generated_at),
        i.source
    );
    if let Some(prev) = report.previous_domains {
        println!("previous list: {prev} domains");
    }
    if report.duplicates > 0 {
        println!("{} repeated entries counted once", report.duplicates);
    }
    for s in &report.skipped {
        println!("left out entry {} “{}”: {}", s.entry, s.name, s.reason);
    }
}

#[derive(Serialize)]
struct InfoOut<'a> {
    #[serde(flatten)]
    info: &'a trust::ListInfo,
    age_days: i64,
    stale: bool,
    recent_imports: Vec<trust::ImportAttempt>,
}

fn info(ctx: &Ctx, json: JsonFlag) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let list = Whitelist::load(&store)?;
    let attempts = trust::store::attempts(&store, 5)?;
    let out = InfoOut {
        info: list.info(),
        age_days: list.age().whole_days(),
        stale: list.is_stale(),
        recent_imports: attempts,
    };
    if json.json {
        output::print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let i = out.info;
    println!("domains:     {} distinct", i.domains);
    println!(
        "entries:     {} (one per domain and operator certificate)",
        i.entries
    );
    if i.skipped > 0 {
        println!(
            "left out:    {} entries that are not domain names",
            i.skipped
        );
    }
    println!("generated:   {} UTC", output::date(i.generated_at));
    println!(
        "age:         {} days{}",
        out.age_days,
        if out.stale {
            " (out of date: run `caducee whitelist import`)"
        } else {
            ""
        }
    );
    println!("source:      {}", i.source);
    println!("imported:    {} UTC", output::date(i.imported_at));
    println!("sha-256:     {}", i.sha256);
    if let Some(last) = out.recent_imports.first()
        && last.outcome != "imported"
    {
        println!(
            "last import: refused {} UTC from {}: {}",
            output::date(last.at),
            last.source,
            last.reason
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct CheckOut {
    input: String,
    #[serde(flatten)]
    verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason_text: Option<String>,
}

fn check(ctx: &Ctx, args: CheckArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let list = Whitelist::load(&store)?;
    if list.is_stale() {
        eprintln!(
            "caducee: {}",
            tr2(
                "cli-whitelist-stale",
                "days",
                &list.age().whole_days(),
                "generated",
                &output::date(list.info().generated_at)
            )
        );
    }
    let mut inputs = Vec::new();
    for a in args.addresses {
        if a == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let line = line.strip_suffix('\r').unwrap_or(&line);
                if !line.trim().is_empty() {
                    inputs.push(line.to_owned());
                }
            }
        } else {
            inputs.push(a);
        }
    }
    let mut all_allowed = !inputs.is_empty();
    let mut results = Vec::with_capacity(inputs.len());
    for input in inputs {
        let verdict = list.check(&input);
        all_allowed &= verdict.is_allowed();
        results.push((input, verdict));
    }
    if args.out.json {
        let out: Vec<CheckOut> = results
            .into_iter()
            .map(|(input, verdict)| CheckOut {
                reason_text: match &verdict {
                    Verdict::Refused { reason } => Some(reason.to_string()),
                    Verdict::Allowed { .. } => None,
                },
                input,
                verdict,
            })
            .collect();
        output::print_json(&out)?;
    } else {
        let stdout = std::io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        for (input, verdict) in &results {
            match verdict {
                Verdict::Allowed { address, .. } => writeln!(w, "allowed  {address}")?,
                Verdict::Refused { reason } => writeln!(w, "refused  {}: {reason}", shown(input))?,
            }
        }
        w.flush()?;
    }
    Ok(if all_allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The input on one line: line breaks, controls and invisible characters made
/// visible (`\r`, `\u{200b}`), everything else as typed.
fn shown(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '"' | '\'' | '\\' => c.to_string(),
            c => c.escape_debug().to_string(),
        })
        .collect()
}
