//! The health documents of a received message: the documents of its XDM
//! packages, and CDA, PDF or HPRIM attachments (or an HPRIM body).

use mail_parser::{MessageParser, MimeHeaders};

use super::cda::{self, CdaDocument};
use super::hprim::{self, HprimReport};
use super::metadata::DocumentEntry;
use super::xdm::{self, XdmLimits};
use super::{DocumentError, Result};
use crate::i18n::tr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    Cda,
    Pdf,
    Hprim,
}

/// One document found in a message.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReceivedDocument {
    /// Stable key within the message (`a<part>` for an attachment, then the path
    /// inside an XDM package; `body` for an HPRIM message body).
    pub key: String,
    /// A file name for it (safe: no separator).
    pub file_name: String,
    pub kind: DocumentKind,
    /// Where it was found, for people.
    pub source: String,
    pub size: usize,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub cda: Option<CdaDocument>,
    pub cda_error: Option<String>,
    /// The XDS entry, for a document of an XDM package.
    pub entry: Option<DocumentEntry>,
    pub hprim: Option<HprimReport>,
}

/// Everything found, and what could not be read.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct MessageDocuments {
    pub documents: Vec<ReceivedDocument>,
    /// Attachments refused or unreadable, with the reason.
    pub problems: Vec<String>,
}

/// Keep a file name to its last component, without control or path characters.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if cleaned.is_empty() {
        "document".to_owned()
    } else {
        cleaned.chars().take(120).collect()
    }
}

fn cda_document(
    key: String,
    file_name: String,
    source: String,
    bytes: Vec<u8>,
) -> ReceivedDocument {
    let (cda, cda_error) = match cda::parse_cda(&bytes, &source) {
        Ok(c) => (Some(c), None),
        Err(e) => (None, Some(e.to_string())),
    };
    ReceivedDocument {
        key,
        file_name,
        kind: DocumentKind::Cda,
        source,
        size: bytes.len(),
        bytes,
        cda,
        cda_error,
        entry: None,
        hprim: None,
    }
}

/// Text as UTF-8, else as ISO-8859-1 (HPRIM files often are).
fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// The documents of a raw message.
pub fn message_documents(raw: &[u8]) -> Result<MessageDocuments> {
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| DocumentError::Message(tr("documents-reason-no-header")))?;
    let mut out = MessageDocuments::default();
    for (i, part) in msg.attachments().enumerate() {
        let name = part
            .attachment_name()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("piece-jointe-{}", i + 1));
        let bytes = part.contents();
        let key = format!("a{i}");
        let lower = name.to_ascii_lowercase();
        let is_zip_type = part
            .content_type()
            .and_then(|ct| ct.subtype())
            .is_some_and(|s| {
                s.eq_ignore_ascii_case("zip") || s.eq_ignore_ascii_case("x-zip-compressed")
            });
        if xdm::looks_like_zip(bytes) || lower.ends_with(".zip") || is_zip_type {
            match xdm::read_xdm(bytes, &XdmLimits::default()) {
                Ok(package) => {
                    for doc in package.documents {
                        let file_name = safe_file_name(&doc.path);
                        let source = format!("{name}: {}", doc.path);
                        let pdf = doc.bytes.starts_with(b"%PDF-");
                        let (cda, cda_error) = match doc.cda {
                            Some(Ok(c)) => (Some(c), None),
                            Some(Err(e)) => (None, Some(e)),
                            None => (None, None),
                        };
                        out.documents.push(ReceivedDocument {
                            key: format!("{key}/{}", doc.path),
                            file_name,
                            kind: if pdf {
                                DocumentKind::Pdf
                            } else {
                                DocumentKind::Cda
                            },
                            source,
                            size: doc.bytes.len(),
                            bytes: doc.bytes,
                            cda,
                            cda_error,
                            entry: Some(doc.entry),
                            hprim: None,
                        });
                    }
                }
                Err(e) => out.problems.push(format!("{name}: {e}")),
            }
        } else if bytes.starts_with(b"%PDF-") {
            out.documents.push(ReceivedDocument {
                key,
                file_name: safe_file_name(&name),
                kind: DocumentKind::Pdf,
                source: name,
                size: bytes.len(),
                bytes: bytes.to_vec(),
                cda: None,
                cda_error: None,
                entry: None,
                hprim: None,
            });
        } else if cda::looks_like_cda(bytes) {
            out.documents.push(cda_document(
                key,
                safe_file_name(&name),
                name,
                bytes.to_vec(),
            ));
        } else if let Some(report) = hprim::parse_hprim(&decode_text(bytes)) {
            out.documents.push(ReceivedDocument {
                key,
                file_name: safe_file_name(&name),
                kind: DocumentKind::Hprim,
                source: name,
                size: bytes.len(),
                bytes: bytes.to_vec(),
                cda: None,
                cda_error: None,
                entry: None,
                hprim: Some(report),
            });
        }
    }
    if let Some(body) = msg.body_text(0)
        && let Some(report) = hprim::parse_hprim(&body)
    {
        out.documents.push(ReceivedDocument {
            key: "body".into(),
            file_name: "resultats.hpr".into(),
            kind: DocumentKind::Hprim,
            source: "corps du message".into(),
            size: body.len(),
            bytes: body.as_bytes().to_vec(),
            cda: None,
            cda_error: None,
            entry: None,
            hprim: Some(report),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_path() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\x\\CR.pdf"), "CR.pdf");
        assert_eq!(safe_file_name(".."), "document");
        assert_eq!(safe_file_name("a:b?.xml"), "a_b_.xml");
    }
}
