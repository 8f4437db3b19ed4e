//! A guarded streaming XML reader over quick-xml: local names only, DOCTYPE
//! refused (so no DTD, no external entity is ever read or fetched), only the
//! five predefined entities and character references resolved, nesting bounded.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::DocumentError;
use crate::i18n::{tr, tr1, tr2};

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 256;

/// One step of the document, simplified.
#[derive(Debug)]
pub enum Step {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End {
        name: String,
    },
    Text(String),
    Eof,
}

pub struct SafeReader<'a> {
    reader: Reader<&'a [u8]>,
    file: String,
    depth: usize,
    pending_end: Option<String>,
    saw_root: bool,
}

impl<'a> SafeReader<'a> {
    pub fn new(bytes: &'a [u8], file: &str) -> Self {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = Reader::from_reader(bytes);
        let config = reader.config_mut();
        config.expand_empty_elements = false;
        config.check_end_names = true;
        config.trim_text(false);
        Self {
            reader,
            file: file.to_owned(),
            depth: 0,
            pending_end: None,
            saw_root: false,
        }
    }

    fn err(&self, reason: impl std::fmt::Display) -> DocumentError {
        DocumentError::Xml {
            file: self.file.clone(),
            reason: tr2(
                "documents-reason-xml-position",
                "reason",
                &reason,
                "position",
                &self.reader.buffer_position(),
            ),
        }
    }

    /// The next step; `Eof` once the document is over.
    pub fn next_step(&mut self) -> Result<Step, DocumentError> {
        if let Some(name) = self.pending_end.take() {
            self.depth = self.depth.saturating_sub(1);
            return Ok(Step::End { name });
        }
        loop {
            let event = self.reader.read_event().map_err(|e| self.err(e))?;
            match event {
                Event::DocType(_) => {
                    return Err(DocumentError::XmlDoctype {
                        file: self.file.clone(),
                    });
                }
                Event::Start(start) => {
                    let step = self.start(&start)?;
                    return Ok(step);
                }
                Event::Empty(start) => {
                    let step = self.start(&start)?;
                    if let Step::Start { name, .. } = &step {
                        self.pending_end = Some(name.clone());
                    }
                    return Ok(step);
                }
                Event::End(end) => {
                    self.depth = self.depth.saturating_sub(1);
                    let name = String::from_utf8_lossy(end.local_name().as_ref()).into_owned();
                    return Ok(Step::End { name });
                }
                Event::Text(t) => {
                    if self.depth == 0 {
                        continue;
                    }
                    let s = t.decode().map_err(|e| self.err(e))?;
                    return Ok(Step::Text(s.into_owned()));
                }
                Event::CData(c) => {
                    if self.depth == 0 {
                        continue;
                    }
                    let s = c.decode().map_err(|e| self.err(e))?;
                    return Ok(Step::Text(s.into_owned()));
                }
                Event::GeneralRef(r) => {
                    if let Some(ch) = r.resolve_char_ref().map_err(|e| self.err(e))? {
                        return Ok(Step::Text(ch.to_string()));
                    }
                    let name = r.decode().map_err(|e| self.err(e))?;
                    let text = match name.as_ref() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "apos" => "'",
                        "quot" => "\"",
                        other => {
                            return Err(self.err(tr1(
                                "documents-reason-xml-entity",
                                "name",
                                &other,
                            )));
                        }
                    };
                    return Ok(Step::Text(text.to_owned()));
                }
                Event::Eof => {
                    if self.depth != 0 {
                        return Err(self.err(tr("documents-reason-xml-unclosed")));
                    }
                    if !self.saw_root {
                        return Err(self.err(tr("documents-reason-xml-no-root")));
                    }
                    return Ok(Step::Eof);
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
            }
        }
    }

    fn start(&mut self, start: &BytesStart<'_>) -> Result<Step, DocumentError> {
        if self.depth == 0 && self.saw_root {
            return Err(self.err(tr("documents-reason-xml-several-roots")));
        }
        self.saw_root = true;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(DocumentError::XmlTooDeep {
                file: self.file.clone(),
                max: MAX_DEPTH,
            });
        }
        let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| self.err(e))?;
            let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
            let value = attr.unescape_value().map_err(|e| self.err(e))?.into_owned();
            attrs.push((key, value));
        }
        Ok(Step::Start { name, attrs })
    }
}

/// The value of attribute `name`.
pub fn attr<'v>(attrs: &'v [(String, String)], name: &str) -> Option<&'v str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Escape text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(xml: &str) -> Result<Vec<String>, DocumentError> {
        let mut r = SafeReader::new(xml.as_bytes(), "t.xml");
        let mut out = Vec::new();
        loop {
            match r.next_step()? {
                Step::Start { name, .. } => out.push(format!("<{name}")),
                Step::End { name } => out.push(format!("/{name}")),
                Step::Text(t) => out.push(t),
                Step::Eof => return Ok(out),
            }
        }
    }

    #[test]
    fn reads_elements_text_and_predefined_entities() {
        let s = steps("<?xml version='1.0'?><a:r xmlns:a='x'><b/>t &amp; &#233;</a:r>").unwrap();
        assert_eq!(s, ["<r", "<b", "/b", "t ", "&", " ", "é", "/r"]);
    }

    #[test]
    fn refuses_doctype_and_unknown_entities() {
        let xxe =
            "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><r>&x;</r>";
        assert!(matches!(steps(xxe), Err(DocumentError::XmlDoctype { .. })));
        let err = steps("<r>&x;</r>").unwrap_err().to_string();
        assert!(err.contains("undefined entity"), "{err}");
    }

    #[test]
    fn refuses_truncated_and_deep_documents() {
        assert!(steps("<r><a>").is_err());
        assert!(steps("").is_err());
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(matches!(
            steps(&deep),
            Err(DocumentError::XmlTooDeep { .. })
        ));
    }
}
