//! `caducee directory ...`: import the national directory, search it offline
//! or online, look up a mailbox.

use caducee::i18n::{tr, tr1};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use caducee::directory::fhir::{FhirClient, FhirSearch};
use caducee::directory::{Directory, DirectoryQuery, Entry, ImportKind, MailboxKind};

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx, Failure};

#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Import the Extraction_Correspondance_MSSante file (plain or zipped), replacing the
    /// directory; or a PS_LibreAcces file, enriching its professionals with RPPS data.
    Import(ImportArgs),
    /// Rows, extraction date and age of the offline directory.
    Info(JsonFlag),
    /// Search the directory (offline, or online with --online).
    Search(Box<SearchArgs>),
    /// Show the directory entry of one mailbox address.
    Lookup(LookupArgs),
    /// Save the base URL of the online directory's FHIR API (no URL: back to the default).
    SetApiBase { url: Option<String> },
}

#[derive(Args)]
pub struct ImportArgs {
    /// The extraction file or its zip, or a PS_LibreAcces file (told apart by their header).
    file: PathBuf,
    #[command(flatten)]
    out: JsonFlag,
}

#[derive(Args)]
pub struct SearchArgs {
    /// Free text: any mix of name, first name, profession, city... ("jean lef", "cardio lyon").
    query: Vec<String>,
    /// Surname (or organisation name).
    #[arg(long)]
    name: Option<String>,
    /// First name.
    #[arg(long)]
    given: Option<String>,
    #[arg(long)]
    profession: Option<String>,
    #[arg(long)]
    specialty: Option<String>,
    #[arg(long)]
    organisation: Option<String>,
    #[arg(long)]
    city: Option<String>,
    /// Postcode or its beginning.
    #[arg(long)]
    postcode: Option<String>,
    /// Department code (69, 2A, 974).
    #[arg(long)]
    department: Option<String>,
    /// Mailbox type.
    #[arg(long = "type", value_parser = ["PER", "ORG", "APP", "CAB", "per", "org", "app", "cab"])]
    kind: Option<String>,
    /// Your department: entries there rank first.
    #[arg(long, env = "CADUCEE_DEPARTMENT")]
    my_department: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Ask the online Annuaire Santé (FHIR API; key from the keyring or CADUCEE_ESANTE_API_KEY).
    #[arg(long)]
    online: bool,
    /// Base URL of the FHIR API (default: the saved setting, else the national gateway).
    #[arg(long, env = "CADUCEE_ESANTE_BASE_URL")]
    api_base: Option<String>,
    #[command(flatten)]
    out: JsonFlag,
}

#[derive(Args)]
pub struct LookupArgs {
    address: String,
    /// Ask the online Annuaire Santé.
    #[arg(long)]
    online: bool,
    /// Base URL of the FHIR API (default: the saved setting, else the national gateway).
    #[arg(long, env = "CADUCEE_ESANTE_BASE_URL")]
    api_base: Option<String>,
    #[command(flatten)]
    out: JsonFlag,
}

pub fn run(ctx: &Ctx, command: DirectoryCommand) -> CmdResult {
    match command {
        DirectoryCommand::Import(args) => import(ctx, args),
        DirectoryCommand::Info(flag) => info(ctx, flag),
        DirectoryCommand::Search(args) => search(ctx, *args),
        DirectoryCommand::Lookup(args) => lookup(ctx, args),
        DirectoryCommand::SetApiBase { url } => {
            let dir = Directory::open(&ctx.data_dir)?;
            dir.set_fhir_base_url(url.as_deref())?;
            println!("FHIR API: {}", dir.fhir_base_url()?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The FHIR client: `--api-base` or its variable, else the saved setting.
fn online_client(ctx: &Ctx, api_base: Option<String>) -> Result<FhirClient, Failure> {
    let base = match api_base {
        Some(b) => b,
        None => Directory::open(&ctx.data_dir)?.fhir_base_url()?,
    };
    Ok(FhirClient::from_environment(Some(&base))?)
}

fn import(ctx: &Ctx, args: ImportArgs) -> CmdResult {
    let mut dir = Directory::open(&ctx.data_dir)?;
    let report = dir.import_file(&args.file)?;
    if args.out.json {
        output::print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    if report.kind == ImportKind::PsLibreAcces {
        println!(
            "{} activities of {} professionals imported from {} (PS_LibreAcces) in {:.1} s",
            report.activities, report.professionals, report.source, report.seconds
        );
        println!(
            "enriched:    {} mailboxes of the directory",
            report.enriched
        );
    } else {
        println!(
            "{} mailboxes imported from {} in {:.1} s",
            report.mailboxes, report.source, report.seconds
        );
        println!(
            "changes:     {} added, {} removed, {} modified",
            report.added, report.removed, report.modified
        );
    }
    if let Some(d) = report.extraction_date {
        println!("extracted:   {}", output::date(d));
    }
    if report.problem_count > 0 {
        println!(
            "problems:    {} ({} rows set aside, {} duplicate addresses)",
            report.problem_count, report.rejected, report.duplicates
        );
        for p in report.problems.iter().take(20) {
            println!("  line {}: {}", p.line, p.reason);
        }
        if report.problem_count > 20 {
            println!("  … (all of them with --json)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn info(ctx: &Ctx, flag: JsonFlag) -> CmdResult {
    let dir = Directory::open(&ctx.data_dir)?;
    let info = dir.info()?;
    let now = caducee::store::now();
    let age_days = info.extraction_date.map(|d| (now - d).max(0) / 86_400);
    if flag.json {
        let mut v = serde_json::to_value(&info)?;
        v["age_days"] = serde_json::to_value(age_days)?;
        output::print_json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("path:        {}", info.path.display());
    println!("size:        {}", output::size(info.size_bytes as i64));
    println!("online API:  {}", dir.fhir_base_url()?);
    println!(
        "mailboxes:   {} ({} persons, {} organisations)",
        info.mailboxes, info.persons, info.organisations
    );
    match (info.extraction_date, age_days) {
        (Some(d), Some(age)) => println!("extracted:   {} ({age} days ago)", output::date(d)),
        _ => println!("extracted:   unknown"),
    }
    if let Some(at) = info.imported_at {
        println!("imported:    {}", output::date(at));
    }
    if let Some(at) = info.rpps_imported_at {
        println!(
            "RPPS data:   {} activities, from {} ({}), {} mailboxes enriched",
            info.rpps_activities,
            info.rpps_source.as_deref().unwrap_or("?"),
            output::date(at),
            info.enriched
        );
    }
    if info.mailboxes == 0 {
        println!("The directory is empty: run `caducee directory import FILE`.");
    }
    Ok(ExitCode::SUCCESS)
}

fn search(ctx: &Ctx, args: SearchArgs) -> CmdResult {
    let text = args.query.join(" ");
    let text = (!text.trim().is_empty()).then_some(text);
    let entries = if args.online {
        let what = if let Some(t) = text.as_deref().filter(|t| t.contains('@')) {
            FhirSearch::Mailbox(t.trim().to_owned())
        } else if let Some(t) = text
            .as_deref()
            .filter(|t| t.trim().chars().all(|c| c.is_ascii_digit()))
        {
            FhirSearch::Identifier(t.trim().to_owned())
        } else {
            let family = args.name.clone().or(text.clone()).ok_or_else(|| Failure {
                message: tr("cli-online-search-needs"),
                code: 2,
            })?;
            FhirSearch::Name {
                family,
                given: args.given.clone(),
            }
        };
        online_client(ctx, args.api_base.clone())?.search(&what, args.limit)?
    } else {
        let dir = Directory::open(&ctx.data_dir)?;
        let q = DirectoryQuery {
            text,
            name: args.name,
            given: args.given,
            profession: args.profession,
            specialty: args.specialty,
            organisation: args.organisation,
            city: args.city,
            postcode: args.postcode,
            department: args.department,
            kind: args.kind.as_deref().and_then(MailboxKind::parse),
            user_department: args.my_department,
        };
        dir.search(&q, args.limit)?
    };
    print_entries(&entries, args.out.json)
}

fn lookup(ctx: &Ctx, args: LookupArgs) -> CmdResult {
    let entry = if args.online {
        online_client(ctx, args.api_base.clone())?
            .search(&FhirSearch::Mailbox(args.address.clone()), 1)?
            .into_iter()
            .next()
    } else {
        Directory::open(&ctx.data_dir)?.lookup(&args.address)?
    };
    let Some(entry) = entry else {
        return Err(Failure {
            message: tr1("cli-not-in-directory", "address", &args.address),
            code: 1,
        });
    };
    if args.out.json {
        output::print_json(&entry)?;
        return Ok(ExitCode::SUCCESS);
    }
    let line = |label: &str, value: &str| {
        if !value.is_empty() {
            println!("{label:<13}{value}");
        }
    };
    line("address:", &entry.address);
    line("type:", entry.kind.code());
    line("name:", &entry.display_name);
    line("profession:", &entry.profession);
    line("specialty:", &entry.specialty);
    line("organisation:", &entry.organisation);
    line("service:", &entry.service);
    line("street:", &entry.street);
    line("city:", format!("{} {}", entry.postcode, entry.city).trim());
    line("rpps:", entry.rpps.as_deref().unwrap_or(""));
    if let Some(p) = &entry.practice {
        line("practice:", &p.site);
        line("mode:", &p.exercise_mode);
        line("sector:", &p.sector);
        line(
            "phone:",
            &[p.phone.as_str(), p.phone2.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
        );
        line("fax:", &p.fax);
        line("e-mail:", &p.email);
        for s in &p.skills {
            line("skill:", s);
        }
    }
    line(
        "paper-free:",
        if entry.paper_free {
            "yes (Dématérialisation)"
        } else {
            "no"
        },
    );
    Ok(ExitCode::SUCCESS)
}

fn print_entries(entries: &[Entry], json: bool) -> CmdResult {
    if json {
        output::print_json(entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!("No mailbox found.");
        return Ok(ExitCode::from(1));
    }
    for e in entries {
        let what = [e.profession.as_str(), e.specialty.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "{} {:<38} {:<30} {:<28} {} {}{}",
            e.kind,
            output::clip(&e.address, 38),
            output::clip(&e.display_name, 30),
            output::clip(&what, 28),
            e.postcode,
            e.city,
            if e.paper_free {
                "  [dématérialisation]"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
