//! `caducee card status|watch`: the PC/SC readers and the CPS card in them.
//! Exit codes: 0 a usable CPS card is in a reader (`status`), 1 no reader, no
//! card, or a card that cannot be used (unknown, blocked), 2 error (no PC/SC
//! service).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use caducee::auth::card::{self, CardInfo, CardKind, Status, Usability};
use caducee::auth::pcsc::{self as pcsc_access, PcscError, ReaderEvent, Watcher};
use caducee::auth::{Identity, token};

use super::output::{self, JsonFlag};
use super::{CmdResult, Ctx, Failure};

#[derive(Subcommand)]
pub enum CardCommand {
    /// The PC/SC service, the readers, the card in each (ATR, CPS3/CPS4, blocked or not), and the card holder.
    Status(StatusArgs),
    /// Print reader and card events as they happen (insert, remove, reader plugged or unplugged), until interrupted.
    Watch(JsonFlag),
}

#[derive(Args)]
pub struct StatusArgs {
    #[command(flatten)]
    out: JsonFlag,
    /// The card's PKCS#11 module, to read the holder's certificate (default: the
    /// Cryptolib CPS, then OpenSC).
    #[arg(long, value_name = "PATH")]
    pkcs11_module: Option<PathBuf>,
}

pub fn run(_ctx: &Ctx, command: CardCommand) -> CmdResult {
    match command {
        CardCommand::Status(args) => status(args.out.json, args.pkcs11_module.as_deref()),
        CardCommand::Watch(flag) => watch(flag.json),
    }
}

fn no_service(json: bool, e: &PcscError) -> CmdResult {
    if json {
        output::print_json(&serde_json::json!({
            "service": false,
            "error": e.to_string(),
            "readers": [],
        }))?;
        return Ok(ExitCode::from(2));
    }
    Err(Failure {
        message: e.to_string(),
        code: 2,
    })
}

fn status(json: bool, module: Option<&Path>) -> CmdResult {
    let status = match card::status() {
        Ok(s) => s,
        Err(e @ PcscError::NoService) => return no_service(json, &e),
        Err(e) => return Err(e.into()),
    };
    let usable = status.readers.iter().any(|r| {
        r.card
            .as_ref()
            .is_some_and(|c| c.kind != CardKind::Unknown && !c.usability.is_blocked())
    });
    // The holder is read from the authentication certificate, which needs no PIN.
    let holder = usable.then(|| holder(module));
    if json {
        let mut value = serde_json::to_value(&status)?;
        match &holder {
            Some(Ok(identity)) => value["holder"] = serde_json::to_value(identity)?,
            Some(Err(reason)) => value["holder_error"] = reason.clone().into(),
            None => {}
        }
        output::print_json(&value)?;
    } else {
        print_status(&status);
        match &holder {
            Some(Ok(identity)) => println!("Holder: {}", identity.summary()),
            Some(Err(reason)) => println!("Holder: cannot be read: {reason}"),
            None => {}
        }
    }
    Ok(if usable {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Who the card's authentication certificate names, read through the PKCS#11 module.
fn holder(module: Option<&Path>) -> Result<Identity, String> {
    let certificate = token::authentication_certificate(module).map_err(|e| e.to_string())?;
    Identity::from_der(&certificate.der).map_err(|e| e.to_string())
}

fn describe(c: &CardInfo) -> String {
    let mut s = c.usability.describe().to_owned();
    if let Some(n) = c.pin_tries_left.filter(|n| *n > 0) {
        s.push_str(&format!(", {n} PIN tries left"));
    }
    s
}

fn print_status(status: &Status) {
    println!("PC/SC service: running");
    if status.readers.is_empty() {
        println!("No card reader is connected: plug in the card reader.");
        return;
    }
    for r in &status.readers {
        match &r.card {
            None => println!("Reader \"{}\": no card", r.reader),
            Some(c) => {
                let what = if c.usability == Usability::Mute {
                    "a card that does not answer"
                } else {
                    c.kind.label()
                };
                println!("Reader \"{}\": {what}", r.reader);
                println!("  ATR:   {}", card::atr_hex(&c.atr));
                println!("  state: {}", describe(c));
            }
        }
    }
}

fn watch(json: bool) -> CmdResult {
    let (watcher, mut events) = match Watcher::start() {
        Ok(w) => w,
        Err(e @ PcscError::NoService) => return no_service(json, &e),
        Err(e) => return Err(e.into()),
    };
    // A second connection to look at inserted cards.
    let ctx = pcsc_access::establish()?;
    while let Some(event) = events.blocking_recv() {
        let info = match &event {
            ReaderEvent::CardInserted { reader, .. } => card::identify(&ctx, reader).ok(),
            _ => None,
        };
        if json {
            let mut value = serde_json::to_value(&event)?;
            if let Some(info) = &info {
                value["card"] = serde_json::to_value(info)?;
            }
            println!("{}", serde_json::to_string(&value)?);
            continue;
        }
        let now = output::date(time::OffsetDateTime::now_utc().unix_timestamp());
        let line = match &event {
            ReaderEvent::ReaderAdded { reader } => format!("reader connected: \"{reader}\""),
            ReaderEvent::ReaderRemoved { reader } => format!("reader disconnected: \"{reader}\""),
            ReaderEvent::CardInserted { reader, atr } => match &info {
                Some(c) => format!(
                    "card inserted in \"{reader}\": {} ({}), ATR {}",
                    c.kind.label(),
                    describe(c),
                    card::atr_hex(atr)
                ),
                None => format!("card inserted in \"{reader}\", ATR {}", card::atr_hex(atr)),
            },
            ReaderEvent::CardRemoved { reader } => format!("card removed from \"{reader}\""),
            ReaderEvent::CardMute { reader } => {
                format!("card in \"{reader}\" does not answer: take it out and insert it again")
            }
            ReaderEvent::ServiceStopped => "the PC/SC service stopped".to_owned(),
        };
        println!("{now}  {line}");
    }
    watcher.stop();
    Ok(ExitCode::from(2))
}
