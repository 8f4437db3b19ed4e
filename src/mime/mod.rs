//! Reading messages: from raw RFC 5322 bytes to what the store indexes and the
//! faces show. Parsing is done by `mail-parser`; this module decides what to keep.

use crate::i18n::tr;
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};

mod skim;

/// Subject prefix used by MSSanté XDM messages, hidden in the UI.
pub const XDM_SUBJECT_PREFIX: &str = "XDM/1.0/DDM+";
const PREVIEW_CHARS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum MimeError {
    #[error("{}", tr("mime-no-headers"))]
    NoHeaders,
    #[error("{}", tr("mime-parser-failed"))]
    ParserFailed,
}

/// One mailbox: display name and address.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mailbox {
    pub name: String,
    pub address: String,
}

impl std::fmt::Display for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.name.is_empty(), self.address.is_empty()) {
            (true, _) => f.write_str(&self.address),
            (false, true) => f.write_str(&self.name),
            (false, false) => write!(f, "{} <{}>", self.name, self.address),
        }
    }
}

/// Join mailboxes for display: `A <a@x>, b@y`.
pub fn display_list(list: &[Mailbox]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An attachment as described by the message (the bytes stay in the raw message).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttachmentInfo {
    pub part_index: u32,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub content_id: Option<String>,
}

/// What the store keeps of a parsed message.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ParsedMessage {
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub from: Vec<Mailbox>,
    pub sender: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    /// Unix seconds from the Date header, when it parses.
    pub date: Option<i64>,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<AttachmentInfo>,
}

impl ParsedMessage {
    /// The key grouping a conversation: the root of References, else the
    /// message replied to, else the message itself.
    pub fn thread_key(&self) -> Option<&str> {
        self.references
            .first()
            .or(self.in_reply_to.as_ref())
            .or(self.message_id.as_ref())
            .map(String::as_str)
    }

    /// The first characters of the text, on one line.
    pub fn preview(&self) -> String {
        let mut out = String::new();
        let unquoted = self
            .text
            .lines()
            .filter(|l| !l.trim_start().starts_with('>'));
        for word in unquoted.flat_map(str::split_whitespace) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
            if out.chars().count() >= PREVIEW_CHARS {
                break;
            }
        }
        out.chars().take(PREVIEW_CHARS).collect()
    }

    /// The subject as shown to a user (the XDM routing prefix hidden).
    pub fn display_subject(&self) -> &str {
        display_subject(&self.subject)
    }
}

/// Hide the `XDM/1.0/DDM+` prefix of MSSanté document messages.
pub fn display_subject(subject: &str) -> &str {
    subject
        .strip_prefix(XDM_SUBJECT_PREFIX)
        .map(str::trim_start)
        .unwrap_or(subject)
}

/// Parse a raw message. Lenient: only a message with no header at all is refused.
pub fn parse(raw: &[u8]) -> Result<ParsedMessage, MimeError> {
    match skim::skim(raw) {
        Some(skimmed) => parse_with_sizes(&skimmed.raw, &skimmed.sizes),
        None => parse_with_sizes(raw, &[]),
    }
}

/// Parse `raw` in full; `sizes` gives the size of attachments whose body was
/// cut out, by the offset of their headers.
fn parse_with_sizes(raw: &[u8], sizes: &[(u32, u64)]) -> Result<ParsedMessage, MimeError> {
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(MimeError::NoHeaders)?;
    if msg.headers().is_empty() {
        return Err(MimeError::NoHeaders);
    }
    let text = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let html = if msg.html_body_count() > 0 && msg.html_part(0).is_some_and(|p| p.is_text_html()) {
        msg.body_html(0).map(|h| h.into_owned())
    } else {
        None
    };
    let attachments = msg
        .attachments()
        .enumerate()
        .map(|(i, part)| AttachmentInfo {
            part_index: i as u32,
            filename: part
                .attachment_name()
                .map(str::to_owned)
                .unwrap_or_else(|| format!("piece-jointe-{}", i + 1)),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            size: sizes
                .iter()
                .find(|(at, _)| *at == part.offset_header)
                .map_or(part.len() as u64, |(_, size)| *size),
            content_id: part.content_id().map(str::to_owned),
        })
        .collect();
    Ok(ParsedMessage {
        message_id: msg.message_id().map(str::to_owned),
        in_reply_to: first_id(msg.in_reply_to()),
        references: id_list(msg.references()),
        subject: msg.subject().unwrap_or_default().to_owned(),
        from: mailboxes(msg.from()),
        sender: mailboxes(msg.sender()).into_iter().next(),
        to: mailboxes(msg.to()),
        cc: mailboxes(msg.cc()),
        bcc: mailboxes(msg.bcc()),
        reply_to: mailboxes(msg.reply_to()),
        date: msg.date().map(|d| d.to_timestamp()),
        text,
        html,
        attachments,
    })
}

fn mailboxes(addr: Option<&Address<'_>>) -> Vec<Mailbox> {
    addr.map(|a| {
        a.iter()
            .map(|m| Mailbox {
                name: m.name().unwrap_or_default().trim().to_owned(),
                address: m.address().unwrap_or_default().trim().to_owned(),
            })
            .collect()
    })
    .unwrap_or_default()
}

fn id_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn first_id(value: &HeaderValue<'_>) -> Option<String> {
    id_list(value).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"Message-ID: <a1@chu-lyon.mssante.fr>\r\n\
From: =?utf-8?q?Dr_Fran=C3=A7oise_L=C3=A9vy?= <francoise.levy@chu-lyon.mssante.fr>\r\n\
To: Dr Martin <paul.martin@medecin.mssante.fr>\r\n\
Subject: =?utf-8?q?Compte_rendu_=C3=A9chographie?=\r\n\
References: <root@x> <a0@x>\r\n\
In-Reply-To: <a0@x>\r\n\
Date: Mon, 2 Nov 2026 10:00:00 +0100\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Bonjour,\r\n> ancien texte\r\nInsuffisance r\xc3\xa9nale chronique stable.\r\n";

    #[test]
    fn parses_envelope_and_text() {
        let m = parse(SAMPLE).unwrap();
        assert_eq!(m.message_id.as_deref(), Some("a1@chu-lyon.mssante.fr"));
        assert_eq!(m.from[0].name, "Dr Françoise Lévy");
        assert_eq!(m.subject, "Compte rendu échographie");
        assert_eq!(m.thread_key(), Some("root@x"));
        assert_eq!(m.in_reply_to.as_deref(), Some("a0@x"));
        assert_eq!(m.date, Some(1_793_610_000));
        assert!(m.text.contains("rénale"));
        assert_eq!(
            m.preview(),
            "Bonjour, Insuffisance rénale chronique stable."
        );
    }

    #[test]
    fn hides_xdm_prefix() {
        assert_eq!(display_subject("XDM/1.0/DDM+ CR biologie"), "CR biologie");
        assert_eq!(display_subject("Bonjour"), "Bonjour");
    }

    #[test]
    fn refuses_bytes_without_headers() {
        assert!(parse(b"").is_err());
    }
}
