//! Delivery status notifications (RFC 3464, `multipart/report;
//! report-type=delivery-status`) and read receipts (RFC 8098,
//! `report-type=disposition-notification`): parsed, linked to the outbox
//! message they report on (ENVID / Original-Message-ID / the returned
//! headers' Message-ID), stored and journaled (delivered, failed, read,
//! deleted).

use mail_parser::{Address, MessageParser, MimeHeaders};
use rusqlite::params;
use serde::Serialize;

use crate::account::Account;
use crate::audit::Action;
use crate::store::{Store, now};

use super::policy::{self, Event};
use super::{SendError, outbox};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    Dsn,
    Mdn,
}

/// What one report says about one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientStatus {
    pub recipient: String,
    /// DSN: delivered, failed, delayed, relayed, expanded.
    /// MDN: displayed, deleted, dispatched, processed.
    pub status: String,
    /// Status code and diagnostic (DSN), or the disposition line (MDN).
    pub detail: Option<String>,
}

/// A parsed report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    pub kind: ReportKind,
    /// The Message-ID (without brackets) of the message reported on.
    pub original_message_id: String,
    pub recipients: Vec<RecipientStatus>,
    /// The outbox message, when it is ours.
    pub outbox_id: Option<i64>,
}

/// The To and Cc addresses written in a message's headers.
pub fn header_recipients(raw: &[u8]) -> Vec<String> {
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for addr in [msg.to(), msg.cc()].into_iter().flatten() {
        collect(addr, &mut out);
    }
    out
}

fn collect(addr: &Address<'_>, out: &mut Vec<String>) {
    for a in addr.iter() {
        if let Some(email) = &a.address {
            out.push(email.to_string());
        }
    }
}

/// Fields of one block of a report ("Name: value", continuation lines folded).
fn fields(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    out
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `rfc822; user@example` -> `user@example`.
fn typed_address(value: &str) -> String {
    value
        .split_once(';')
        .map_or(value, |(_, a)| a)
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

fn bare_id(value: &str) -> String {
    value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

/// xtext decoding (RFC 3461 §4).
fn unxtext(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'+'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parse a DSN or an MDN. `None` when `raw` is not a report.
pub fn parse(raw: &[u8]) -> Option<DeliveryReport> {
    let msg = MessageParser::default().parse(raw)?;
    let ct = msg.content_type()?;
    if !ct.ctype().eq_ignore_ascii_case("multipart")
        || !ct.subtype()?.eq_ignore_ascii_case("report")
    {
        return None;
    }
    let report_type = ct.attribute("report-type")?.to_ascii_lowercase();
    let kind = match report_type.as_str() {
        "delivery-status" => ReportKind::Dsn,
        "disposition-notification" => ReportKind::Mdn,
        _ => return None,
    };
    let mut status_text = None;
    let mut returned_id = None;
    for part in msg.parts.iter() {
        let Some(pct) = part.content_type() else {
            continue;
        };
        let sub = pct.subtype().unwrap_or("").to_ascii_lowercase();
        let main = pct.ctype().to_ascii_lowercase();
        match (main.as_str(), sub.as_str()) {
            ("message", "delivery-status" | "global-delivery-status")
            | ("message", "disposition-notification" | "global-disposition-notification") => {
                status_text = Some(String::from_utf8_lossy(part.contents()).into_owned());
            }
            ("text", "rfc822-headers") | ("message", "rfc822-headers") => {
                let headers = String::from_utf8_lossy(part.contents()).into_owned();
                returned_id = field(&fields(&headers), "message-id").map(bare_id);
            }
            ("message", "rfc822") => {
                if let mail_parser::PartType::Message(inner) = &part.body {
                    returned_id = inner.message_id().map(str::to_owned);
                }
            }
            _ => {}
        }
    }
    let status_text = status_text?.replace("\r\n", "\n");
    let mut blocks = status_text.split("\n\n").filter(|b| !b.trim().is_empty());
    let first = fields(blocks.next()?);
    let mut recipients = Vec::new();
    let original = match kind {
        ReportKind::Dsn => {
            for block in blocks {
                let f = fields(block);
                let Some(rcpt) = field(&f, "final-recipient").or(field(&f, "original-recipient"))
                else {
                    continue;
                };
                let detail = [field(&f, "status"), field(&f, "diagnostic-code")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                recipients.push(RecipientStatus {
                    recipient: typed_address(rcpt),
                    status: field(&f, "action")
                        .unwrap_or("unknown")
                        .to_ascii_lowercase(),
                    detail: (!detail.is_empty()).then_some(detail),
                });
            }
            field(&first, "original-envelope-id")
                .map(unxtext)
                .map(|s| bare_id(&s))
                .or(returned_id)?
        }
        ReportKind::Mdn => {
            let disposition = field(&first, "disposition").unwrap_or("");
            // "manual-action/MDN-sent-manually; displayed"
            let status = disposition
                .rsplit_once(';')
                .map_or(disposition, |(_, s)| s)
                .split('/')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let rcpt = field(&first, "final-recipient")
                .or(field(&first, "original-recipient"))
                .map(typed_address)
                .unwrap_or_default();
            recipients.push(RecipientStatus {
                recipient: rcpt,
                status,
                detail: Some(disposition.to_owned()),
            });
            field(&first, "original-message-id")
                .map(bare_id)
                .or(returned_id)?
        }
    };
    Some(DeliveryReport {
        kind,
        original_message_id: original,
        recipients,
        outbox_id: None,
    })
}

/// The audit action for a recipient status, if any.
fn action_for(kind: ReportKind, status: &str) -> Option<Action> {
    match (kind, status) {
        (ReportKind::Dsn, "delivered" | "relayed" | "expanded") => Some(Action::Delivered),
        (ReportKind::Dsn, "failed") => Some(Action::Failed),
        (ReportKind::Mdn, "displayed") => Some(Action::Read),
        (ReportKind::Mdn, "deleted") => Some(Action::Deleted),
        _ => None,
    }
}

/// Parse `raw`; if it is a report, link it to the outbox message, store it
/// and journal it. Returns `None` when `raw` is not a report. A report seen
/// twice is stored and journaled once.
pub fn ingest(
    store: &Store,
    account: &Account,
    raw: &[u8],
) -> Result<Option<DeliveryReport>, SendError> {
    let Some(mut report) = parse(raw) else {
        return Ok(None);
    };
    report.outbox_id = outbox::find_by_message_id(store, &report.original_message_id)?;
    let on_behalf_of = match report.outbox_id {
        Some(id) => outbox::get(store, id)?.options.on_behalf_of,
        None => None,
    };
    let kind = match report.kind {
        ReportKind::Dsn => "dsn",
        ReportKind::Mdn => "mdn",
    };
    for r in &report.recipients {
        let inserted = store.conn().execute(
            "INSERT OR IGNORE INTO delivery_reports
                 (outbox_id, original_message_id, kind, recipient, status, detail, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                report.outbox_id,
                report.original_message_id,
                kind,
                r.recipient,
                r.status,
                r.detail,
                now()
            ],
        )?;
        if inserted == 0 {
            continue;
        }
        if let Some(action) = action_for(report.kind, &r.status) {
            policy::journal(
                store,
                Event {
                    account,
                    on_behalf_of: on_behalf_of.as_deref(),
                    action,
                    subject: &report.original_message_id,
                    details: serde_json::json!({
                        "recipient": r.recipient,
                        "report": kind,
                        "detail": r.detail,
                    }),
                },
            );
        }
    }
    Ok(Some(report))
}

/// Look through the account's mail in the local store (as synced) for
/// reports received since its oldest outbox message, and ingest them.
/// Reports already seen are not journaled again.
pub fn scan_store(store: &Store, account: &Account) -> Result<Vec<DeliveryReport>, SendError> {
    let ids: Vec<i64> = {
        let mut stmt = store.conn().prepare(
            "SELECT m.id FROM messages m JOIN folders f ON f.id = m.folder_id
             WHERE f.account_id = ?1 AND m.blob_hash IS NOT NULL
               AND m.received_at >= (SELECT COALESCE(MIN(created_at), 0) - 86400
                                     FROM outbox WHERE account_id = ?1)
             ORDER BY m.id",
        )?;
        stmt.query_map([account.id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut found = Vec::new();
    for id in ids {
        let Some(raw) = store.raw_message(id)? else {
            continue;
        };
        if !looks_like_report(&raw) {
            continue;
        }
        if let Some(report) = ingest(store, account, &raw)? {
            found.push(report);
        }
    }
    Ok(found)
}

/// A cheap look at the header block before parsing.
fn looks_like_report(raw: &[u8]) -> bool {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len());
    String::from_utf8_lossy(&raw[..end])
        .to_ascii_lowercase()
        .contains("multipart/report")
}

/// The reports received for an outbox message.
pub fn for_message(store: &Store, outbox_id: i64) -> Result<Vec<RecipientStatus>, SendError> {
    let mut stmt = store.conn().prepare(
        "SELECT recipient, status, detail FROM delivery_reports WHERE outbox_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([outbox_id], |r| {
            Ok(RecipientStatus {
                recipient: r.get(0)?,
                status: r.get(1)?,
                detail: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MDN: &str = "From: <bob@a.mssante.fr>\r\nTo: <claire@b.mssante.fr>\r\n\
Subject: Lu\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=disposition-notification; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nLu.\r\n\
--b\r\nContent-Type: message/disposition-notification\r\n\r\n\
Reporting-UA: a.mssante.fr; X\r\nFinal-Recipient: rfc822;bob@a.mssante.fr\r\n\
Original-Message-ID: <42@b.mssante.fr>\r\n\
Disposition: manual-action/MDN-sent-manually;\r\n displayed\r\n\r\n--b--\r\n";

    #[test]
    fn a_read_receipt_names_the_original_and_the_reader() {
        let r = parse(MDN.as_bytes()).unwrap();
        assert_eq!(r.kind, ReportKind::Mdn);
        assert_eq!(r.original_message_id, "42@b.mssante.fr");
        assert_eq!(r.recipients.len(), 1);
        assert_eq!(r.recipients[0].recipient, "bob@a.mssante.fr");
        assert_eq!(r.recipients[0].status, "displayed");
    }

    #[test]
    fn ordinary_mail_is_not_a_report() {
        assert!(parse(b"From: <a@b.fr>\r\nSubject: x\r\n\r\nhello\r\n").is_none());
        let mixed = MDN.replace("multipart/report", "multipart/mixed");
        assert!(parse(mixed.as_bytes()).is_none());
    }

    #[test]
    fn envelope_ids_are_decoded_from_xtext() {
        assert_eq!(unxtext("a+2Bb+3Dc@x"), "a+b=c@x");
        assert_eq!(unxtext("plain+"), "plain+");
    }
}
