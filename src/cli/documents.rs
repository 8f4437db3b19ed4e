//! `caducee documents`: show, extract and pack health documents (IHE XDM, CDA,
//! PDF, HPRIM), and hand them off to the practice software.

use caducee::i18n::{tr, tr1};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use caducee::documents::{
    self, Code, DocumentKind, PackAuthor, PackInput, PatientIdentity, Sex, cda, handoff,
    received::{self, ReceivedDocument},
};
use caducee::mime::display_subject;
use caducee::store::Store;

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx, Failure};

#[derive(Subcommand)]
pub enum DocumentsCommand {
    /// Show the health documents of a message: patients, documents, codes.
    Show(ShowArgs),
    /// Write the documents of a message into a folder (embedded PDFs too).
    Extract(ExtractArgs),
    /// Build an IHE_XDM.ZIP for one patient from CDA and PDF files.
    Pack(Box<PackArgs>),
    /// Drop received documents, with a JSON sidecar, into the practice software's folder.
    Handoff(HandoffArgs),
}

#[derive(Args)]
pub struct ShowArgs {
    /// Message id (from `list` or `search`).
    id: i64,
    /// Print each document's readable text too.
    #[arg(long)]
    text: bool,
    #[command(flatten)]
    out: JsonFlag,
}

#[derive(Args)]
pub struct ExtractArgs {
    /// Message id.
    id: i64,
    /// Destination folder (created if missing).
    #[arg(long)]
    to: PathBuf,
}

#[derive(Args)]
pub struct PackArgs {
    /// The patient's INS (15 digits; 2A/2B for Corsica).
    #[arg(long)]
    patient_ins: String,
    /// Given name(s) (repeat for several).
    #[arg(long, required = true)]
    patient_given: Vec<String>,
    /// Birth name.
    #[arg(long)]
    patient_family: String,
    /// YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY.
    #[arg(long)]
    birth_date: String,
    /// M, F or U.
    #[arg(long)]
    sex: String,
    /// CDA R2 documents.
    #[arg(long, num_args = 1..)]
    cda: Vec<PathBuf>,
    /// PDF files, each wrapped into a level-1 CDA.
    #[arg(long, num_args = 1..)]
    pdf: Vec<PathBuf>,
    /// LOINC type of the PDF documents.
    #[arg(long, default_value = "11488-4")]
    pdf_code: String,
    /// Display name of that type.
    #[arg(long, default_value = "Compte rendu de consultation")]
    pdf_code_name: String,
    /// Title of the PDF documents (default: the file name).
    #[arg(long)]
    pdf_title: Option<String>,
    /// Author's national identifier (8 + RPPS).
    #[arg(long, default_value = "")]
    author_id: String,
    #[arg(long, default_value = "")]
    author_prefix: String,
    #[arg(long, default_value = "")]
    author_given: String,
    #[arg(long, default_value = "")]
    author_family: String,
    #[arg(long, default_value = "")]
    organization: String,
    #[arg(long, default_value = "")]
    organization_id: String,
    /// Where to write the package.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    json: JsonFlag,
}

#[derive(Args)]
pub struct HandoffArgs {
    /// Account address (`local` for imported folders); default: every account with a rule.
    #[arg(long)]
    account: Option<String>,
    /// Folder of the practice software; saved as the rule of --account (or of every account).
    #[arg(long)]
    to: Option<PathBuf>,
    #[command(flatten)]
    out: JsonFlag,
}

pub fn run(ctx: &Ctx, command: DocumentsCommand) -> CmdResult {
    match command {
        DocumentsCommand::Show(a) => show(ctx, a),
        DocumentsCommand::Extract(a) => extract(ctx, a),
        DocumentsCommand::Pack(a) => pack(*a),
        DocumentsCommand::Handoff(a) => handoff_cmd(ctx, a),
    }
}

fn load(store: &Store, id: i64) -> Result<received::MessageDocuments, Failure> {
    let raw = store
        .raw_message(id)?
        .ok_or(documents::DocumentError::NoBody(id))?;
    Ok(received::message_documents(&raw)?)
}

#[derive(serde::Serialize)]
struct ShowJson<'a> {
    message_id: i64,
    subject: &'a str,
    documents: Vec<DocJson<'a>>,
    problems: &'a [String],
}

#[derive(serde::Serialize)]
struct DocJson<'a> {
    #[serde(flatten)]
    doc: &'a ReceivedDocument,
    ins_state: Option<cda::IdentityState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

fn show(ctx: &Ctx, args: ShowArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let msg = store.message(args.id)?;
    let found = load(&store, args.id)?;
    if args.out.json {
        let docs = found
            .documents
            .iter()
            .map(|d| DocJson {
                doc: d,
                ins_state: d.cda.as_ref().map(|c| c.patient.identity_state()),
                text: args.text.then(|| readable(d)),
            })
            .collect();
        output::print_json(&ShowJson {
            message_id: args.id,
            subject: display_subject(&msg.row.subject),
            documents: docs,
            problems: &found.problems,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Message {} — {}",
        args.id,
        display_subject(&msg.row.subject)
    );
    if found.documents.is_empty() {
        println!("No health document in this message.");
    }
    for (n, d) in found.documents.iter().enumerate() {
        println!();
        print_document(n + 1, d);
        if args.text {
            println!();
            for line in readable(d).lines() {
                println!("    {line}");
            }
        }
    }
    for p in &found.problems {
        eprintln!("{}", tr1("cli-refused", "reason", &p));
    }
    Ok(if found.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn kind_label(d: &ReceivedDocument) -> &'static str {
    match (d.kind, d.cda.as_ref().map(|c| &c.body)) {
        (DocumentKind::Cda, Some(cda::CdaBody::NonXml { .. })) => "CDA level 1",
        (DocumentKind::Cda, Some(cda::CdaBody::Structured { .. })) => "CDA level 3",
        (DocumentKind::Cda, _) => "CDA",
        (DocumentKind::Pdf, _) => "PDF",
        (DocumentKind::Hprim, _) => "HPRIM",
    }
}

fn print_document(n: usize, d: &ReceivedDocument) {
    let title = d
        .cda
        .as_ref()
        .map(|c| c.title.clone())
        .or_else(|| d.entry.as_ref().map(|e| e.title.clone()))
        .unwrap_or_else(|| d.file_name.clone());
    println!("{n}. {title} [{}]", kind_label(d));
    println!("   source:  {} ({})", d.source, output::size(d.size as i64));
    if let Some(c) = &d.cda {
        if let Some(code) = &c.code {
            println!("   code:    {} ({})", code.code, code_system_name(code));
        }
        let p = &c.patient;
        let mut line = format!("   patient: {}", p.display_name());
        if let Some(b) = &p.birth_date {
            line.push_str(&format!(", born {}", cda::display_date(b)));
        }
        if let Some(s) = &p.sex {
            line.push_str(&format!(", {s}"));
        }
        println!("{line}");
        let ins = p.ins_id().map(|i| i.extension.as_str()).unwrap_or("-");
        let state = match p.identity_state() {
            cda::IdentityState::Qualified => "qualified",
            cda::IdentityState::Invalid => "INVALID KEY",
            cda::IdentityState::Unqualified => "no INS: unqualified identity",
        };
        println!("   INS:     {ins} ({state})");
        if let Some(a) = &c.author {
            println!("   author:  {} {}", a.display_name(), a.organization);
        }
        if let Some(t) = &c.effective_time {
            println!("   date:    {}", cda::display_date(t));
        }
    } else if let Some(e) = &d.cda_error {
        println!("   unreadable CDA: {e}");
    }
    if let Some(h) = &d.hprim {
        println!(
            "   patient: {} {} {}",
            h.patient_family, h.patient_given, h.birth_date
        );
        for r in &h.rows {
            println!(
                "   {:<28} {:>10} {:<10} {:<14} {}",
                output::clip(&r.test, 28),
                r.value,
                r.unit,
                r.reference_range,
                if r.abnormal {
                    r.abnormal_flag.as_str()
                } else {
                    ""
                }
            );
        }
    }
}

fn code_system_name(c: &Code) -> &str {
    match c.system.as_str() {
        documents::pack::OID_LOINC => "LOINC",
        "" => "no system",
        other => other,
    }
}

fn readable(d: &ReceivedDocument) -> String {
    if let Some(c) = &d.cda {
        return c.render_text();
    }
    if let Some(h) = &d.hprim {
        let mut out = h.text.clone();
        for r in &h.rows {
            out.push_str(&format!(
                "\n{} : {} {} ({}) {}",
                r.test, r.value, r.unit, r.reference_range, r.abnormal_flag
            ));
        }
        return out;
    }
    format!("[{} file, {} bytes]", kind_label(d), d.size)
}

fn extract(ctx: &Ctx, args: ExtractArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    let found = load(&store, args.id)?;
    std::fs::create_dir_all(&args.to).map_err(|e| io_failure(&args.to, e))?;
    let mut written = 0;
    for (n, d) in found.documents.iter().enumerate() {
        let name = format!("{:02}-{}", n + 1, d.file_name);
        write(&args.to.join(&name), &d.bytes)?;
        println!("{}", args.to.join(&name).display());
        written += 1;
        if let Some(c) = &d.cda
            && let Some((media, data)) = c.embedded()
        {
            let ext = match media {
                "application/pdf" => "pdf",
                m if m.starts_with("text/") => "txt",
                _ => "bin",
            };
            let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
            let embedded = args.to.join(format!("{stem}.{ext}"));
            write(&embedded, data)?;
            println!("{}", embedded.display());
        }
    }
    for p in &found.problems {
        eprintln!("{}", tr1("cli-refused", "reason", &p));
    }
    if written == 0 {
        eprintln!("{}", tr1("cli-no-health-document", "id", &args.id));
    }
    Ok(if found.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn io_failure(path: &Path, e: std::io::Error) -> Failure {
    Failure {
        message: format!("{}: {e}", path.display()),
        code: 2,
    }
}

fn write(path: &Path, data: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, data).map_err(|e| io_failure(path, e))
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| io_failure(path, e))
}

#[derive(serde::Serialize)]
struct PackJson {
    out: PathBuf,
    size: usize,
    x_mss_codecda: String,
    x_mss_ins: &'static str,
    patient_address: String,
}

fn pack(args: PackArgs) -> CmdResult {
    let patient = PatientIdentity {
        ins: args.patient_ins,
        given: args.patient_given,
        family: args.patient_family,
        birth_date: args.birth_date,
        sex: Sex::parse(&args.sex)?,
    };
    let author = PackAuthor {
        national_id: args.author_id,
        prefix: args.author_prefix,
        given: args.author_given,
        family: args.author_family,
        organization: args.organization,
        organization_id: args.organization_id,
    };
    let mut inputs = Vec::new();
    for path in &args.cda {
        inputs.push(PackInput::Cda {
            name: path.display().to_string(),
            bytes: read(path)?,
        });
    }
    for path in &args.pdf {
        let title = args.pdf_title.clone().unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        inputs.push(PackInput::Pdf {
            name: path.display().to_string(),
            bytes: read(path)?,
            code: Code {
                code: args.pdf_code.clone(),
                system: documents::pack::OID_LOINC.into(),
                display: args.pdf_code_name.clone(),
            },
            title,
        });
    }
    let zip = documents::pack(&patient, &author, &inputs)?;
    let headers = documents::mss_headers(&zip)?;
    write(&args.out, &zip)?;
    let info = PackJson {
        out: args.out,
        size: zip.len(),
        x_mss_codecda: headers.codecda_header(),
        x_mss_ins: headers.ins_header(),
        patient_address: documents::patient_address(&patient.ins)?,
    };
    if args.json.json {
        output::print_json(&info)?;
    } else {
        println!(
            "{} ({})",
            info.out.display(),
            output::size(info.size as i64)
        );
        println!("X-MSS-CODECDA: {}", info.x_mss_codecda);
        println!("X-MSS-INS: {}", info.x_mss_ins);
        println!("patient address: {}", info.patient_address);
    }
    Ok(ExitCode::SUCCESS)
}

fn handoff_cmd(ctx: &Ctx, args: HandoffArgs) -> CmdResult {
    let (store, _) = ctx.open_store()?;
    if let Some(dir) = &args.to {
        let dir = std::path::absolute(dir).map_err(|e| io_failure(dir, e))?;
        let account = args.account.as_deref().unwrap_or(handoff::ANY_ACCOUNT);
        handoff::set_rule(&store, account, &handoff::HandoffRule { dir })?;
    } else if !handoff::has_rules(&store)? {
        return Err(Failure {
            message: tr("cli-no-handoff-folder"),
            code: 2,
        });
    }
    let report = documents::run_handoff(&store, args.account.as_deref())?;
    if args.out.json {
        output::print_json(&report)?;
    } else {
        for d in &report.done {
            println!("{}", d.path.display());
        }
        println!(
            "{} document(s) handed off from {} message(s)",
            report.done.len(),
            report.messages_scanned
        );
        for p in &report.problems {
            eprintln!("{}", tr1("cli-refused", "reason", &p));
        }
    }
    Ok(ExitCode::SUCCESS)
}
