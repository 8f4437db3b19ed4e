//! CDA R2 documents read with a streaming parser: the header (patient, author,
//! custodian, document code and title, date) and the body for reading, either
//! level 1 (`nonXMLBody`: an embedded PDF or text, decoded) or level 3
//! (`structuredBody`: sections rendered as readable text). Nothing in the
//! document is executed, fetched or expanded.

use base64::Engine;

use super::ins::{self, Ins};
use super::xml::{SafeReader, Step, attr};
use super::{Code, DocumentError};

/// An instance identifier: `root` (an OID) and `extension`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ii {
    pub root: String,
    pub extension: String,
}

/// How sure the patient identity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityState {
    /// An INS with a valid key is present: the identity was qualified (the INS is
    /// only carried for qualified identities).
    Qualified,
    /// An INS is present but its key is wrong: do not trust it.
    Invalid,
    /// No INS: a local identity only.
    Unqualified,
}

/// The patient of the document (`recordTarget/patientRole`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Patient {
    pub ids: Vec<Ii>,
    pub given: Vec<String>,
    /// Birth name (`family qualifier="BR"`, or the only family name).
    pub family: String,
    /// Name in use (`family qualifier="SP"`), when it differs.
    pub used_family: Option<String>,
    /// `YYYYMMDD`.
    pub birth_date: Option<String>,
    /// `M`, `F` or `U`.
    pub sex: Option<String>,
}

impl Patient {
    /// The patient's INS identifier, when one is present.
    pub fn ins_id(&self) -> Option<&Ii> {
        self.ids.iter().find(|id| ins::is_ins_oid(&id.root))
    }

    /// The checked INS, when present and valid.
    pub fn ins(&self) -> Option<Ins> {
        self.ins_id().and_then(|id| Ins::parse(&id.extension).ok())
    }

    pub fn identity_state(&self) -> IdentityState {
        match self.ins_id() {
            None => IdentityState::Unqualified,
            Some(id) if Ins::parse(&id.extension).is_ok() => IdentityState::Qualified,
            Some(_) => IdentityState::Invalid,
        }
    }

    /// `FAMILY Given Given`.
    pub fn display_name(&self) -> String {
        let mut out = self.used_family.clone().unwrap_or(self.family.clone());
        for g in &self.given {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(g);
        }
        out
    }
}

/// A person with identifiers, and the organisation they act for.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    pub ids: Vec<Ii>,
    pub prefix: String,
    pub given: String,
    pub family: String,
    pub organization: String,
}

impl Person {
    pub fn display_name(&self) -> String {
        [&self.prefix, &self.given, &self.family]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The organisation keeping the document (`custodian`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Organization {
    pub ids: Vec<Ii>,
    pub name: String,
}

/// One section of a structured body, as readable text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Section {
    /// 1 for a top-level section.
    pub depth: usize,
    pub code: Option<Code>,
    pub title: String,
    pub text: String,
}

/// The body of a CDA document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "level", rename_all = "kebab-case")]
pub enum CdaBody {
    /// Level 1: an embedded file (PDF, plain text...).
    NonXml {
        media_type: String,
        #[serde(skip)]
        data: Vec<u8>,
        size: usize,
    },
    /// Level 3 (or 2): sections.
    Structured { sections: Vec<Section> },
    /// No body was found.
    Empty,
}

/// A CDA document: its header and body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CdaDocument {
    pub id: Option<Ii>,
    pub code: Option<Code>,
    pub title: String,
    /// `YYYYMMDDHHMMSS+ZZZZ` as written.
    pub effective_time: Option<String>,
    pub confidentiality: Option<Code>,
    pub patient: Patient,
    pub author: Option<Person>,
    pub custodian: Option<Organization>,
    pub body: CdaBody,
}

impl CdaDocument {
    /// The embedded file of a level-1 document.
    pub fn embedded(&self) -> Option<(&str, &[u8])> {
        match &self.body {
            CdaBody::NonXml {
                media_type, data, ..
            } => Some((media_type.as_str(), data.as_slice())),
            _ => None,
        }
    }

    /// The document as text for reading: header lines, then the body (a
    /// level-1 PDF is announced, not rendered; level-1 text is shown).
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let title = if self.title.is_empty() {
            "(document sans titre)"
        } else {
            &self.title
        };
        out.push_str(title);
        out.push('\n');
        out.push_str(&"=".repeat(title.chars().count().min(80)));
        out.push('\n');
        if let Some(code) = &self.code {
            out.push_str(&format!("Type : {code}\n"));
        }
        out.push_str(&format!("Patient : {}", self.patient.display_name()));
        if let Some(b) = &self.patient.birth_date {
            out.push_str(&format!(", né(e) le {}", display_date(b)));
        }
        if let Some(s) = &self.patient.sex {
            out.push_str(&format!(", sexe {s}"));
        }
        out.push('\n');
        match self.patient.identity_state() {
            IdentityState::Qualified => {
                if let Some(i) = self.patient.ins() {
                    out.push_str(&format!("INS : {i} (identité qualifiée)\n"));
                }
            }
            IdentityState::Invalid => out.push_str("INS : clé invalide, identité à vérifier\n"),
            IdentityState::Unqualified => out.push_str("INS : absent (identité non qualifiée)\n"),
        }
        if let Some(a) = &self.author {
            out.push_str(&format!("Auteur : {}", a.display_name()));
            if !a.organization.is_empty() {
                out.push_str(&format!(" ({})", a.organization));
            }
            out.push('\n');
        }
        if let Some(c) = &self.custodian {
            out.push_str(&format!("Conservé par : {}\n", c.name));
        }
        if let Some(t) = &self.effective_time {
            out.push_str(&format!("Date : {}\n", display_date(t)));
        }
        out.push('\n');
        match &self.body {
            CdaBody::NonXml {
                media_type, data, ..
            } => {
                if media_type.starts_with("text/") {
                    out.push_str(&String::from_utf8_lossy(data));
                    out.push('\n');
                } else {
                    out.push_str(&format!(
                        "[document joint {media_type}, {} octets]\n",
                        data.len()
                    ));
                }
            }
            CdaBody::Structured { sections } => {
                for s in sections {
                    if !s.title.is_empty() {
                        out.push_str(&"#".repeat(s.depth.clamp(1, 6)));
                        out.push(' ');
                        out.push_str(&s.title);
                        out.push('\n');
                    }
                    if !s.text.is_empty() {
                        out.push_str(&s.text);
                        out.push('\n');
                    }
                    out.push('\n');
                }
            }
            CdaBody::Empty => out.push_str("[aucun contenu]\n"),
        }
        out
    }
}

/// `20261102` → `02/11/2026`; `202611021030+0100` → `02/11/2026 10:30`.
pub fn display_date(ts: &str) -> String {
    let d: String = ts.chars().take_while(|c| c.is_ascii_digit()).collect();
    if d.len() >= 12 {
        format!(
            "{}/{}/{} {}:{}",
            &d[6..8],
            &d[4..6],
            &d[..4],
            &d[8..10],
            &d[10..12]
        )
    } else if d.len() >= 8 {
        format!("{}/{}/{}", &d[6..8], &d[4..6], &d[..4])
    } else {
        ts.to_owned()
    }
}

/// Whether bytes look like a CDA document (an XML root named ClinicalDocument).
pub fn looks_like_cda(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
        && text.contains("ClinicalDocument")
}

/// Parse a CDA R2 document. `file` names it in error messages.
pub fn parse_cda(bytes: &[u8], file: &str) -> Result<CdaDocument, DocumentError> {
    let mut p = Parser::default();
    let mut reader = SafeReader::new(bytes, file);
    loop {
        match reader.next_step()? {
            Step::Start { name, attrs } => {
                if p.stack.is_empty() && name != "ClinicalDocument" {
                    return Err(DocumentError::NotCda(file.to_owned()));
                }
                p.stack.push(name);
                p.start(&attrs);
            }
            Step::End { .. } => {
                p.end();
                p.stack.pop();
            }
            Step::Text(t) => p.text(&t),
            Step::Eof => break,
        }
    }
    p.finish(file)
}

/// Narrative rendering state for one section text.
#[derive(Default)]
struct Narrative {
    out: String,
    list_depth: usize,
    row: Option<Vec<String>>,
    cell: Option<String>,
}

impl Narrative {
    fn newline(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }
    fn push(&mut self, t: &str) {
        if let Some(cell) = &mut self.cell {
            cell.push_str(t);
        } else {
            // Collapse the indentation whitespace of pretty-printed XML.
            let collapsed = collapse(t);
            if collapsed.trim().is_empty() && (self.out.is_empty() || self.out.ends_with('\n')) {
                return;
            }
            if self.out.ends_with('\n') {
                self.out.push_str(collapsed.trim_start());
            } else {
                self.out.push_str(&collapsed);
            }
        }
    }
}

fn collapse(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

#[derive(Default)]
struct Parser {
    stack: Vec<String>,
    id: Option<Ii>,
    code: Option<Code>,
    title: String,
    effective_time: Option<String>,
    confidentiality: Option<Code>,
    patient: Patient,
    family_qualifier: Option<String>,
    author: Option<Person>,
    authors_seen: usize,
    custodian: Option<Organization>,
    body_media: Option<String>,
    body_repr: Option<String>,
    body_text: String,
    structured: bool,
    sections: Vec<Section>,
    /// Indices into `sections` of the open sections.
    open_sections: Vec<usize>,
    narrative: Option<Narrative>,
}

impl Parser {
    fn path_is(&self, path: &[&str]) -> bool {
        self.stack.len() == path.len() && self.stack.iter().zip(path).all(|(a, b)| a == b)
    }
    fn under(&self, prefix: &[&str]) -> bool {
        self.stack.len() >= prefix.len() && self.stack.iter().zip(prefix).all(|(a, b)| a == b)
    }
    fn last(&self) -> &str {
        self.stack.last().map(String::as_str).unwrap_or("")
    }
    fn parent(&self) -> &str {
        let n = self.stack.len();
        if n >= 2 { &self.stack[n - 2] } else { "" }
    }

    fn start(&mut self, attrs: &[(String, String)]) {
        const DOC: &str = "ClinicalDocument";
        let ii = || Ii {
            root: attr(attrs, "root").unwrap_or_default().to_owned(),
            extension: attr(attrs, "extension").unwrap_or_default().to_owned(),
        };
        let code = || Code {
            code: attr(attrs, "code").unwrap_or_default().to_owned(),
            system: attr(attrs, "codeSystem").unwrap_or_default().to_owned(),
            display: attr(attrs, "displayName").unwrap_or_default().to_owned(),
        };
        // Narrative inside a section's text.
        if let Some(n) = &mut self.narrative {
            match self.stack.last().map(String::as_str).unwrap_or("") {
                "paragraph" | "caption" => n.newline(),
                "br" => {
                    while n.out.ends_with(' ') {
                        n.out.pop();
                    }
                    n.out.push('\n');
                }
                "list" => {
                    n.newline();
                    n.list_depth += 1;
                }
                "item" => {
                    n.newline();
                    n.out.push_str(&"  ".repeat(n.list_depth.saturating_sub(1)));
                    n.out.push_str("- ");
                }
                "table" => n.newline(),
                "tr" => n.row = Some(Vec::new()),
                "td" | "th" => n.cell = Some(String::new()),
                _ => {}
            }
            return;
        }
        let p = self;
        if p.path_is(&[DOC, "id"]) {
            p.id = Some(ii());
        } else if p.path_is(&[DOC, "code"]) {
            p.code = Some(code());
        } else if p.path_is(&[DOC, "effectiveTime"]) {
            p.effective_time = attr(attrs, "value").map(str::to_owned);
        } else if p.path_is(&[DOC, "confidentialityCode"]) {
            p.confidentiality = Some(code());
        } else if p.path_is(&[DOC, "recordTarget", "patientRole", "id"]) {
            p.patient.ids.push(ii());
        } else if p.under(&[DOC, "recordTarget", "patientRole", "patient"]) {
            match p.last() {
                "family" if p.parent() == "name" => {
                    p.family_qualifier = Some(attr(attrs, "qualifier").unwrap_or("").to_owned());
                }
                "administrativeGenderCode" if p.parent() == "patient" => {
                    p.patient.sex = attr(attrs, "code").map(str::to_owned);
                }
                "birthTime" if p.parent() == "patient" => {
                    p.patient.birth_date = attr(attrs, "value").map(str::to_owned);
                }
                "given" if p.parent() == "name" && p.stack.len() == 6 => {
                    p.patient.given.push(String::new());
                }
                _ => {}
            }
        } else if p.path_is(&[DOC, "author"]) {
            p.authors_seen += 1;
        } else if p.path_is(&[DOC, "author", "assignedAuthor"]) && p.authors_seen == 1 {
            p.author = Some(Person::default());
        } else if p.path_is(&[DOC, "author", "assignedAuthor", "id"]) && p.authors_seen == 1 {
            if let Some(a) = &mut p.author {
                a.ids.push(ii());
            }
        } else if p.path_is(&[
            DOC,
            "custodian",
            "assignedCustodian",
            "representedCustodianOrganization",
        ]) {
            p.custodian = Some(Organization::default());
        } else if p.path_is(&[
            DOC,
            "custodian",
            "assignedCustodian",
            "representedCustodianOrganization",
            "id",
        ]) {
            if let Some(c) = &mut p.custodian {
                c.ids.push(ii());
            }
        } else if p.path_is(&[DOC, "component", "nonXMLBody", "text"]) {
            p.body_media = Some(attr(attrs, "mediaType").unwrap_or("text/plain").to_owned());
            p.body_repr = Some(attr(attrs, "representation").unwrap_or("TXT").to_owned());
        } else if p.path_is(&[DOC, "component", "structuredBody"]) {
            p.structured = true;
        } else if p.under(&[DOC, "component", "structuredBody"]) {
            match p.last() {
                "section" => {
                    p.sections.push(Section {
                        depth: p.open_sections.len() + 1,
                        ..Section::default()
                    });
                    p.open_sections.push(p.sections.len() - 1);
                }
                "code" if p.parent() == "section" => {
                    if let Some(&i) = p.open_sections.last() {
                        p.sections[i].code = Some(code());
                    }
                }
                "text" if p.parent() == "section" => p.narrative = Some(Narrative::default()),
                _ => {}
            }
        }
    }

    fn end(&mut self) {
        let last = self.last().to_owned();
        if self.narrative.is_some() && last == "text" && self.parent() == "section" {
            let text = self.narrative.take().map(|n| n.out).unwrap_or_default();
            if let Some(&i) = self.open_sections.last() {
                let s = &mut self.sections[i];
                if !s.text.is_empty() {
                    s.text.push('\n');
                }
                s.text.push_str(text.trim_end());
            }
            return;
        }
        if let Some(n) = &mut self.narrative {
            match last.as_str() {
                "paragraph" | "caption" => n.newline(),
                "list" => {
                    n.newline();
                    n.list_depth = n.list_depth.saturating_sub(1);
                }
                "td" | "th" => {
                    if let (Some(cell), Some(row)) = (n.cell.take(), &mut n.row) {
                        row.push(collapse(&cell).trim().to_owned());
                    }
                }
                "tr" => {
                    if let Some(row) = n.row.take() {
                        n.newline();
                        n.out.push_str(&row.join(" | "));
                        n.out.push('\n');
                    }
                }
                _ => {}
            }
            return;
        }
        if last == "section" && self.under(&["ClinicalDocument", "component", "structuredBody"]) {
            self.open_sections.pop();
        }
    }

    fn text(&mut self, t: &str) {
        if let Some(n) = &mut self.narrative {
            n.push(t);
            return;
        }
        const DOC: &str = "ClinicalDocument";
        if self.path_is(&[DOC, "title"]) {
            self.title.push_str(t);
        } else if self.path_is(&[DOC, "component", "nonXMLBody", "text"]) {
            self.body_text.push_str(t);
        } else if self.under(&[DOC, "recordTarget", "patientRole", "patient", "name"])
            && self.stack.len() == 6
        {
            match self.last() {
                "given" => {
                    if let Some(g) = self.patient.given.last_mut() {
                        g.push_str(t);
                    }
                }
                "family" => match self.family_qualifier.as_deref() {
                    Some("SP") => self
                        .patient
                        .used_family
                        .get_or_insert_with(String::new)
                        .push_str(t),
                    _ => self.patient.family.push_str(t),
                },
                _ => {}
            }
        } else if self.under(&[DOC, "author", "assignedAuthor"]) && self.authors_seen == 1 {
            let n = self.stack.len();
            let Some(a) = &mut self.author else { return };
            let path: Vec<&str> = self.stack[3..n].iter().map(String::as_str).collect();
            match path.as_slice() {
                ["assignedPerson", "name", "prefix"] => a.prefix.push_str(t),
                ["assignedPerson", "name", "given"] => a.given.push_str(t),
                ["assignedPerson", "name", "family"] => a.family.push_str(t),
                ["representedOrganization", "name"] => a.organization.push_str(t),
                _ => {}
            }
        } else if self.path_is(&[
            DOC,
            "custodian",
            "assignedCustodian",
            "representedCustodianOrganization",
            "name",
        ]) {
            if let Some(c) = &mut self.custodian {
                c.name.push_str(t);
            }
        } else if self.under(&[DOC, "component", "structuredBody"])
            && self.last() == "title"
            && self.parent() == "section"
            && let Some(&i) = self.open_sections.last()
        {
            self.sections[i].title.push_str(t);
        }
    }

    fn finish(self, file: &str) -> Result<CdaDocument, DocumentError> {
        let trim = |s: String| collapse(&s).trim().to_owned();
        let mut patient = self.patient;
        patient.family = trim(patient.family);
        patient.used_family = patient.used_family.map(trim).filter(|s| !s.is_empty());
        patient.given = patient
            .given
            .into_iter()
            .map(trim)
            .filter(|s| !s.is_empty())
            .collect();
        let author = self.author.map(|a| Person {
            prefix: trim(a.prefix),
            given: trim(a.given),
            family: trim(a.family),
            organization: trim(a.organization),
            ids: a.ids,
        });
        let custodian = self.custodian.map(|c| Organization {
            name: trim(c.name),
            ids: c.ids,
        });
        let body = if let Some(media_type) = self.body_media {
            let data = if self.body_repr.as_deref() == Some("B64") {
                let compact: Vec<u8> = self
                    .body_text
                    .bytes()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(&compact)
                    .map_err(|e| DocumentError::Embedded {
                        file: file.to_owned(),
                        reason: e.to_string(),
                    })?
            } else {
                self.body_text.into_bytes()
            };
            CdaBody::NonXml {
                media_type,
                size: data.len(),
                data,
            }
        } else if self.structured {
            CdaBody::Structured {
                sections: self
                    .sections
                    .into_iter()
                    .map(|s| Section {
                        title: trim(s.title),
                        ..s
                    })
                    .collect(),
            }
        } else {
            CdaBody::Empty
        };
        Ok(CdaDocument {
            id: self.id,
            code: self.code,
            title: trim(self.title),
            effective_time: self.effective_time,
            confidentiality: self.confidentiality,
            patient,
            author,
            custodian,
            body,
        })
    }
}
