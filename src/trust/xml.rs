//! Streaming reader of the official whitelist XML (`listeblanchemssante.xml`).
//!
//! Shape: `ListeBlancheMSSante/DateDeGeneration`, then
//! `ListeDomaines/Domaine{Nom, Description, DNCertificatOperateur,
//! ResponsableContact, SupportContact, DateMAJ}` in the namespace
//! [`NAMESPACE`]. A domain appears once per operator certificate.

use std::collections::HashSet;
use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::TrustError;
use super::address::normalise_domain;
use crate::i18n::tr1;

/// The namespace every element of the list must be in.
pub const NAMESPACE: &str = "https://listeblanche.mssante.fr/schema";

/// One `Domaine` entry, its name normalised (lower case, punycode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub domain: String,
    pub operator_dn: String,
    pub description: String,
    pub responsible_contact: String,
    pub support_contact: String,
    pub updated_at: String,
}

/// An entry left out of the list, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Position of the `Domaine` element (1 = first).
    pub entry: usize,
    pub name: String,
    pub reason: String,
}

/// A whole list, read and checked.
#[derive(Debug, Clone)]
pub struct ParsedList {
    pub generated_at: OffsetDateTime,
    pub entries: Vec<ListEntry>,
    /// Entries whose `Nom` is not a domain name (left out, reported).
    pub skipped: Vec<Skipped>,
    /// Entries repeating a (domain, operator certificate) pair already read.
    pub duplicates: usize,
}

impl ParsedList {
    /// Distinct domains in the list.
    pub fn distinct_domains(&self) -> usize {
        self.entries
            .iter()
            .map(|e| e.domain.as_str())
            .collect::<HashSet<_>>()
            .len()
    }
}

#[derive(Default)]
struct Fields {
    nom: Option<String>,
    description: String,
    operator_dn: String,
    responsible: String,
    support: String,
    updated: String,
}

/// Which text we are inside.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    None,
    Date,
    Nom,
    Description,
    Dn,
    Responsible,
    Support,
    Updated,
}

/// Read a whole list from `input`, checking it as it streams.
pub fn parse<R: BufRead>(input: R) -> Result<ParsedList, TrustError> {
    let mut reader = NsReader::from_reader(input);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut saw_root = false;
    let mut date_text: Option<String> = None;
    let mut current: Option<Fields> = None;
    let mut entry_no = 0usize;
    let mut slot = Slot::None;
    let mut text = String::new();
    let mut seen = HashSet::new();
    let mut list = ParsedList {
        generated_at: OffsetDateTime::UNIX_EPOCH,
        entries: Vec::new(),
        skipped: Vec::new(),
        duplicates: 0,
    };
    loop {
        let position = reader.buffer_position();
        let (ns, event) =
            reader
                .read_resolved_event_into(&mut buf)
                .map_err(|e| TrustError::Xml {
                    position,
                    message: e.to_string(),
                })?;
        match event {
            Event::Start(start) => {
                let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                check_namespace(&ns, &local)?;
                depth += 1;
                if depth == 1 {
                    if local != "ListeBlancheMSSante" {
                        return Err(TrustError::WrongRoot(local));
                    }
                    saw_root = true;
                }
                match (depth, local.as_str()) {
                    (2, "DateDeGeneration") => slot = Slot::Date,
                    (3, "Domaine") => {
                        entry_no += 1;
                        current = Some(Fields::default());
                    }
                    (4, name) if current.is_some() => {
                        slot = match name {
                            "Nom" => Slot::Nom,
                            "Description" => Slot::Description,
                            "DNCertificatOperateur" => Slot::Dn,
                            "ResponsableContact" => Slot::Responsible,
                            "SupportContact" => Slot::Support,
                            "DateMAJ" => Slot::Updated,
                            _ => Slot::None,
                        }
                    }
                    _ => {}
                }
                text.clear();
            }
            Event::Empty(start) => {
                let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                check_namespace(&ns, &local)?;
                if depth == 0 {
                    return Err(TrustError::WrongRoot(local));
                }
                if depth == 3 && local == "Nom" && current.is_some() {
                    return Err(TrustError::EmptyName { entry: entry_no });
                }
                if depth == 2 && local == "Domaine" {
                    return Err(TrustError::EmptyName {
                        entry: entry_no + 1,
                    });
                }
            }
            Event::Text(t) if slot != Slot::None => {
                text.push_str(&t.xml10_content().map_err(|e| TrustError::Xml {
                    position,
                    message: e.to_string(),
                })?);
            }
            Event::CData(t) if slot != Slot::None => {
                text.push_str(&t.decode().map_err(|e| TrustError::Xml {
                    position,
                    message: e.to_string(),
                })?);
            }
            Event::GeneralRef(r) if slot != Slot::None => {
                let xml_err = |message: String| TrustError::Xml { position, message };
                if let Some(c) = r.resolve_char_ref().map_err(|e| xml_err(e.to_string()))? {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(|e| xml_err(e.to_string()))?;
                    let value =
                        quick_xml::escape::resolve_predefined_entity(&name).ok_or_else(|| {
                            xml_err(tr1("trust-reason-unknown-entity", "name", &name))
                        })?;
                    text.push_str(value);
                }
            }
            Event::End(_) => {
                let value = text.trim().to_owned();
                match slot {
                    Slot::Date => date_text = Some(value),
                    Slot::None => {}
                    _ => {
                        if let Some(f) = current.as_mut() {
                            match slot {
                                Slot::Nom => f.nom = Some(value),
                                Slot::Description => f.description = value,
                                Slot::Dn => f.operator_dn = value,
                                Slot::Responsible => f.responsible = value,
                                Slot::Support => f.support = value,
                                Slot::Updated => f.updated = value,
                                Slot::None | Slot::Date => {}
                            }
                        }
                    }
                }
                slot = Slot::None;
                text.clear();
                if depth == 3
                    && let Some(fields) = current.take()
                {
                    add_entry(&mut list, &mut seen, entry_no, fields)?;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err(TrustError::NoRoot);
    }
    // The published list is known to end right after `</ListeDomaines>`, without
    // closing its root: accepted, since the list itself is complete. Ending inside
    // the list is a truncated file.
    if depth > 1 {
        return Err(TrustError::Truncated);
    }
    let date_text = date_text
        .filter(|d| !d.is_empty())
        .ok_or(TrustError::NoGenerationDate)?;
    list.generated_at = OffsetDateTime::parse(&date_text, &Rfc3339)
        .map_err(|_| TrustError::BadGenerationDate(date_text))?;
    if list.entries.is_empty() {
        return Err(TrustError::NoDomains);
    }
    Ok(list)
}

fn check_namespace(ns: &ResolveResult<'_>, local: &str) -> Result<(), TrustError> {
    match ns {
        ResolveResult::Bound(n) if n.as_ref() == NAMESPACE.as_bytes() => Ok(()),
        ResolveResult::Bound(n) => Err(TrustError::WrongNamespace {
            element: local.to_owned(),
            found: String::from_utf8_lossy(n.as_ref()).into_owned(),
        }),
        _ => Err(TrustError::WrongNamespace {
            element: local.to_owned(),
            found: String::new(),
        }),
    }
}

fn add_entry(
    list: &mut ParsedList,
    seen: &mut HashSet<(String, String)>,
    entry: usize,
    fields: Fields,
) -> Result<(), TrustError> {
    let name = fields
        .nom
        .filter(|n| !n.is_empty())
        .ok_or(TrustError::EmptyName { entry })?;
    let domain = match normalise_domain(&name) {
        Ok(d) if !name.contains('@') => d,
        Ok(_) | Err(_) => {
            tracing::info!(entry, name = %name, "whitelist entry is not a domain name; left out");
            list.skipped.push(Skipped {
                entry,
                name,
                reason: "not a domain name".into(),
            });
            return Ok(());
        }
    };
    if !seen.insert((domain.clone(), fields.operator_dn.clone())) {
        list.duplicates += 1;
        return Ok(());
    }
    list.entries.push(ListEntry {
        domain,
        operator_dn: fields.operator_dn,
        description: fields.description,
        responsible_contact: fields.responsible,
        support_contact: fields.support,
        updated_at: fields.updated,
    });
    Ok(())
}

/// Read only the generation date at the top of a list (cheap; stops early).
pub fn generation_date<R: BufRead>(input: R) -> Option<OffsetDateTime> {
    let mut reader = NsReader::from_reader(input);
    let mut buf = Vec::new();
    let mut in_date = false;
    for _ in 0..64 {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(s) if s.local_name().as_ref() == b"DateDeGeneration" => in_date = true,
            Event::Text(t) if in_date => {
                let text = t.xml10_content().ok()?;
                return OffsetDateTime::parse(text.trim(), &Rfc3339).ok();
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ListeBlancheMSSante xmlns="{NAMESPACE}">{body}</ListeBlancheMSSante>"#
        )
    }

    fn domaine(nom: &str, dn: &str) -> String {
        format!(
            "<Domaine><Nom>{nom}</Nom><Description>D &amp; co</Description><DNCertificatOperateur>{dn}</DNCertificatOperateur><ResponsableContact>r</ResponsableContact><SupportContact>s</SupportContact><DateMAJ>2025-01-01T00:00:00Z</DateMAJ></Domaine>"
        )
    }

    #[test]
    fn reads_entries_and_normalises_names() {
        let xml = doc(&format!(
            "<DateDeGeneration>2025-03-13T14:54:10Z</DateDeGeneration><ListeDomaines>{}{}{}{}</ListeDomaines>",
            domaine("UC-CMP.mssante.fr", "CN=a"),
            domaine("uc-cmp.mssante.fr", "CN=b"),
            domaine("uc-cmp.mssante.fr", "CN=b"),
            domaine("sessad@ase.mssante.fr", "CN=a"),
        ));
        let list = parse(xml.as_bytes()).unwrap();
        assert_eq!(list.generated_at.year(), 2025);
        assert_eq!(list.entries.len(), 2);
        assert_eq!(list.distinct_domains(), 1);
        assert_eq!(list.entries[0].domain, "uc-cmp.mssante.fr");
        assert_eq!(list.entries[0].description, "D & co");
        assert_eq!(list.duplicates, 1);
        assert_eq!(list.skipped.len(), 1);
        assert_eq!(list.skipped[0].entry, 4);
    }

    #[test]
    fn header_date_alone() {
        let xml = doc("<DateDeGeneration>2024-02-01T10:00:00Z</DateDeGeneration>");
        let date = generation_date(xml.as_bytes()).unwrap();
        assert_eq!(date.month(), time::Month::February);
    }
}
