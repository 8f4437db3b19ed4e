//! Composing an outgoing message: addresses, delegation, threading, body,
//! attachments (RFC 2231 file names) and the MSSanté headers.

use std::borrow::Cow;
use std::path::Path;

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::{BodyPart, MimePart};
use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::store::Store;

use super::{SendError, headers, policy};

/// Per-message options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendOptions {
    /// Ask for delivery status notifications (when the server offers DSN).
    #[serde(default)]
    pub dsn: bool,
    /// Ask for a read receipt (Disposition-Notification-To).
    #[serde(default)]
    pub mdn: bool,
}

/// A file to attach.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub filename: String,
    /// MIME type; guessed from the file name when absent.
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

impl Attachment {
    /// Read a file from disk.
    pub fn from_path(path: &Path) -> Result<Self, SendError> {
        let data = std::fs::read(path).map_err(|e| SendError::Attachment {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "attachment".into());
        Ok(Self {
            filename,
            content_type: None,
            data,
        })
    }

    fn mime_type(&self) -> String {
        self.content_type.clone().unwrap_or_else(|| {
            mime_guess::from_path(&self.filename)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        })
    }
}

/// What the user wrote.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Message-ID (without angle brackets) of the message answered or forwarded.
    pub in_reply_to: Option<String>,
    /// The thread's Message-IDs, oldest first (without angle brackets).
    pub references: Vec<String>,
    /// The professional this account sends for (a secretary's delegation).
    pub on_behalf_of: Option<String>,
    pub options: SendOptions,
}

impl Draft {
    /// Set In-Reply-To and References to answer (or forward) `original` (raw RFC 5322).
    pub fn thread_after(&mut self, original: &[u8]) {
        let Some(msg) = mail_parser::MessageParser::default().parse(original) else {
            return;
        };
        let mut refs: Vec<String> = match msg.references() {
            mail_parser::HeaderValue::Text(t) => vec![t.to_string()],
            mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
            _ => Vec::new(),
        };
        if let Some(id) = msg.message_id() {
            refs.push(id.to_owned());
            self.in_reply_to = Some(id.to_owned());
        }
        self.references = refs;
    }
}

/// Options kept with a queued message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOptions {
    #[serde(flatten)]
    pub send: SendOptions,
    #[serde(default)]
    pub on_behalf_of: Option<String>,
    #[serde(default)]
    pub subject: String,
}

/// A message ready for the outbox.
#[derive(Debug, Clone)]
pub struct Composed {
    pub raw: Vec<u8>,
    /// Without angle brackets.
    pub message_id: String,
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub options: StoredOptions,
}

/// Human size, e.g. "10.0 MB".
pub fn human_size(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / MB)
    } else {
        format!("{:.1} kB", bytes as f64 / 1024.0)
    }
}

fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("localhost", |(_, d)| d)
}

/// A new Message-ID for a message from `from`.
pub fn new_message_id(from: &str) -> String {
    let bytes: [u8; 16] = rand::random();
    format!("{}@{}", hex::encode(bytes), domain_of(from))
}

/// Build the message: checks (size, delegation, whitelist) first, then MIME.
pub fn compose(store: &Store, account: &Account, draft: &Draft) -> Result<Composed, SendError> {
    let total: u64 = draft.attachments.iter().map(|a| a.data.len() as u64).sum();
    if total > account.settings.attachment_limit {
        return Err(SendError::TooLarge {
            total: human_size(total),
            limit: human_size(account.settings.attachment_limit),
        });
    }
    let on_behalf_of = match &draft.on_behalf_of {
        Some(pro) => {
            let pro = pro.trim();
            if !account
                .settings
                .delegations
                .iter()
                .any(|d| d.trim().eq_ignore_ascii_case(pro))
            {
                return Err(SendError::NotDelegated(pro.to_owned()));
            }
            Some(pro.to_owned())
        }
        None => None,
    };
    let all: Vec<String> = draft
        .to
        .iter()
        .chain(&draft.cc)
        .chain(&draft.bcc)
        .map(|a| a.trim().to_owned())
        .collect();
    if all.is_empty() {
        return Err(SendError::NoRecipient);
    }
    let checked = policy::check_recipients(store, &all)?;
    let (to, rest) = checked.split_at(draft.to.len());
    let (cc, _bcc) = rest.split_at(draft.cc.len());
    let mut envelope_to: Vec<String> = Vec::new();
    for a in &checked {
        if !envelope_to.iter().any(|e| e.eq_ignore_ascii_case(a)) {
            envelope_to.push(a.clone());
        }
    }

    let author = on_behalf_of
        .clone()
        .unwrap_or_else(|| account.address.clone());
    let message_id = new_message_id(&author);
    let mut builder = MessageBuilder::new()
        .from(Address::new_address(None::<&str>, author.clone()))
        .message_id(message_id.clone())
        .subject(draft.subject.clone());
    if on_behalf_of.is_some() {
        builder = builder.sender(Address::new_address(None::<&str>, account.address.clone()));
    }
    if !to.is_empty() {
        builder = builder.to(address_list(to));
    }
    if !cc.is_empty() {
        builder = builder.cc(address_list(cc));
    }
    if let Some(parent) = &draft.in_reply_to {
        builder = builder.in_reply_to(MessageId::new(parent.clone()));
    }
    if !draft.references.is_empty() {
        builder = builder.references(MessageId::new_list(draft.references.iter().cloned()));
    }
    if draft.options.mdn {
        builder = builder.header(
            "Disposition-Notification-To",
            Address::new_address(None::<&str>, author.clone()),
        );
    }
    for (name, value) in headers::mss_headers(store, &draft.attachments)? {
        builder = builder.header(name, Raw::new(value));
    }
    builder = builder.body(body(draft));
    let raw = builder
        .write_to_vec()
        .map_err(|e| SendError::Build(e.to_string()))?;
    Ok(Composed {
        raw,
        message_id,
        envelope_from: account.address.clone(),
        envelope_to,
        options: StoredOptions {
            send: draft.options,
            on_behalf_of,
            subject: draft.subject.clone(),
        },
    })
}

fn address_list(addresses: &[String]) -> Address<'static> {
    Address::new_list(
        addresses
            .iter()
            .map(|a| Address::new_address(None::<&str>, a.clone()))
            .collect(),
    )
}

/// Text with CRLF line ends, as SMTP and RFC 5322 want them.
fn crlf(text: &str) -> Cow<'static, str> {
    Cow::Owned(text.replace("\r\n", "\n").replace('\n', "\r\n"))
}

fn body(draft: &Draft) -> MimePart<'_> {
    let text = MimePart::new("text/plain", BodyPart::Text(crlf(&draft.text)));
    let content = match &draft.html {
        Some(html) => MimePart::new(
            "multipart/alternative",
            vec![text, MimePart::new("text/html", BodyPart::Text(crlf(html)))],
        ),
        None => text,
    };
    if draft.attachments.is_empty() {
        return content;
    }
    let mut parts = vec![content];
    for a in &draft.attachments {
        parts.push(
            MimePart::new(a.mime_type(), BodyPart::Binary(Cow::Borrowed(&a.data)))
                .header("Content-Disposition", Raw::new(disposition(&a.filename))),
        );
    }
    MimePart::new("multipart/mixed", parts)
}

/// `attachment; filename=...` with the name encoded per RFC 2231 when it is
/// not plain ASCII (or too long for one line), split into continuations.
pub fn disposition(filename: &str) -> String {
    let plain = filename
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"\"\\;".contains(&b) || b == b' ');
    if plain && filename.len() <= 60 {
        return format!("attachment; filename=\"{filename}\"");
    }
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    // Continuations of at most 60 characters, never splitting a %XX escape.
    let mut pieces = Vec::new();
    let mut rest = encoded.as_str();
    while !rest.is_empty() {
        let mut cut = rest.len().min(60);
        if let Some(pct) = rest[..cut].rfind('%')
            && pct + 3 > cut
        {
            cut = pct;
        }
        pieces.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    let mut out = String::from("attachment");
    if pieces.len() == 1 {
        out.push_str(&format!(";\r\n filename*=utf-8''{}", pieces[0]));
    } else {
        for (i, p) in pieces.iter().enumerate() {
            let charset = if i == 0 { "utf-8''" } else { "" };
            out.push_str(&format!(";\r\n filename*{i}*={charset}{p}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_stay_plain_and_others_use_rfc2231() {
        assert_eq!(
            disposition("compte-rendu.pdf"),
            "attachment; filename=\"compte-rendu.pdf\""
        );
        assert_eq!(
            disposition("écho cœur.pdf"),
            "attachment;\r\n filename*=utf-8''%C3%A9cho%20c%C5%93ur.pdf"
        );
        let long = format!("{}é.pdf", "a".repeat(70));
        let d = disposition(&long);
        assert!(d.contains("filename*0*=utf-8''aaaa"), "{d}");
        assert!(d.contains("filename*1*="), "{d}");
        // Reassembled, the continuations give back the name.
        let joined: String = d
            .split("\r\n")
            .skip(1)
            .map(|l| {
                l.split_once('=')
                    .map_or("", |(_, v)| v)
                    .trim_end_matches(';')
            })
            .collect::<String>()
            .replace("utf-8''", "");
        let bytes: Vec<u8> = {
            let mut out = Vec::new();
            let b = joined.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' {
                    out.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    out.push(b[i]);
                    i += 1;
                }
            }
            out
        };
        assert_eq!(String::from_utf8(bytes).unwrap(), long);
    }

    #[test]
    fn sizes_read_like_a_person_writes_them() {
        assert_eq!(human_size(10 * 1024 * 1024), "10.0 MB");
        assert_eq!(human_size(1536), "1.5 kB");
    }
}
