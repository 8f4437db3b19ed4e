//! `caducee audit export|verify|list`: the hash-chained audit journal.

use caducee::i18n::{tr1, tr2};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use caducee::audit::{self, AuditError};

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx, Failure};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Write the whole journal as JSON Lines (to stdout, or --out FILE).
    Export(ExportArgs),
    /// Check the chain; exit 1 and say where it breaks if an entry was edited, removed or reordered.
    Verify(JsonFlag),
    /// The latest entries, newest first.
    List(ListArgs),
}

#[derive(Args)]
pub struct ExportArgs {
    /// Write to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(long, default_value_t = 50)]
    limit: usize,
    #[command(flatten)]
    out: JsonFlag,
}

pub fn run(ctx: &Ctx, command: AuditCommand) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    match command {
        AuditCommand::Export(args) => {
            let n = match &args.out {
                Some(path) => {
                    let file = std::fs::File::create(path).map_err(|e| Failure {
                        message: tr2("cli-cannot-create", "path", &path.display(), "reason", &e),
                        code: 2,
                    })?;
                    audit::export(&store, BufWriter::new(file))?
                }
                None => audit::export(&store, BufWriter::new(std::io::stdout().lock()))?,
            };
            if let Some(path) = &args.out {
                eprintln!("{n} entries written to {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify(json) => match audit::verify(&store) {
            Ok(v) => {
                if json.json {
                    output::print_json(&serde_json::json!({"intact": true, "verified": v}))?;
                } else {
                    println!(
                        "the audit journal is intact: {} entries, last hash {}",
                        v.entries, v.last_hash
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(AuditError::Broken(b)) => {
                if json.json {
                    output::print_json(&serde_json::json!({
                        "intact": false,
                        "break": b,
                        "message": b.to_string(),
                    }))?;
                }
                Err(Failure {
                    message: tr1("audit-broken", "reason", &b),
                    code: 1,
                })
            }
            Err(e) => Err(e.into()),
        },
        AuditCommand::List(args) => {
            let records = audit::list(&store, args.limit)?;
            if args.out.json {
                output::print_json(&records)?;
            } else {
                let stdout = std::io::stdout();
                let mut w = BufWriter::new(stdout.lock());
                for r in &records {
                    let who = match &r.on_behalf_of {
                        Some(p) => format!("{} for {p}", r.actor),
                        None => r.actor.clone(),
                    };
                    writeln!(
                        w,
                        "{:>6}  {}  {:<10}  {}  {}",
                        r.id,
                        output::date(r.at),
                        r.action,
                        output::clip(&who, 40),
                        output::clip(&r.subject, 60)
                    )?;
                }
                w.flush()?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
