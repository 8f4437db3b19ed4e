//! XDS metadata of an XDM package (`METADATA.XML`, an ebRIM `SubmitObjectsRequest`):
//! the submission set and its document entries, read with a streaming parser.

use super::xml::{SafeReader, Step, attr};
use super::{Code, DocumentError};

// Classification schemes (IHE ITI TF-3, 4.2.5).
pub const SCHEME_CLASS_CODE: &str = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a";
pub const SCHEME_TYPE_CODE: &str = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983";
pub const SCHEME_FORMAT_CODE: &str = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d";
pub const SCHEME_CONFIDENTIALITY: &str = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f";
pub const SCHEME_FACILITY_TYPE: &str = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1";
pub const SCHEME_PRACTICE_SETTING: &str = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead";
pub const SCHEME_DOC_AUTHOR: &str = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d";
pub const SCHEME_SS_AUTHOR: &str = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d";
pub const SCHEME_SS_CONTENT_TYPE: &str = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500";
pub const NODE_SUBMISSION_SET: &str = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd";
pub const OBJECT_TYPE_DOCUMENT: &str = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1";
// External identifiers.
pub const ID_DOC_PATIENT: &str = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427";
pub const ID_DOC_UNIQUE: &str = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab";
pub const ID_SS_PATIENT: &str = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446";
pub const ID_SS_UNIQUE: &str = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8";
pub const ID_SS_SOURCE: &str = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832";

/// An author as XDS carries it (HL7 v2 XCN / XON strings, kept as written).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct XdsAuthor {
    pub person: String,
    pub institutions: Vec<String>,
    pub roles: Vec<String>,
    pub specialties: Vec<String>,
}

impl XdsAuthor {
    /// `Given Family` from an XCN `id^Family^Given^^^Prefix`.
    pub fn person_name(&self) -> String {
        let parts: Vec<&str> = self.person.split('^').collect();
        let get = |i: usize| parts.get(i).copied().unwrap_or("");
        [get(5), get(2), get(1)]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// An XDS patient identifier `id^^^&OID&ISO`, split.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CxId {
    pub id: String,
    pub authority: String,
}

impl CxId {
    pub fn parse(cx: &str) -> Self {
        let mut parts = cx.split('^');
        let id = parts.next().unwrap_or("").to_owned();
        let authority = parts
            .nth(2)
            .and_then(|a| a.split('&').nth(1))
            .unwrap_or("")
            .to_owned();
        Self { id, authority }
    }

    /// The checked INS, when the assigning authority is an INS OID and the key is right.
    pub fn ins(&self) -> Option<super::ins::Ins> {
        super::ins::is_ins_oid(&self.authority)
            .then(|| super::ins::Ins::parse(&self.id).ok())
            .flatten()
    }
}

/// One document entry (`ExtrinsicObject`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DocumentEntry {
    pub entry_id: String,
    pub mime_type: String,
    pub unique_id: String,
    /// The file name of the document inside the subset folder.
    pub uri: String,
    pub title: String,
    pub patient_id: Option<CxId>,
    pub source_patient_id: Option<CxId>,
    /// PID-5, PID-7, PID-8... lines as written.
    pub source_patient_info: Vec<String>,
    pub authors: Vec<XdsAuthor>,
    pub class_code: Option<Code>,
    pub type_code: Option<Code>,
    pub format_code: Option<Code>,
    pub confidentiality: Vec<Code>,
    pub facility_type: Option<Code>,
    pub practice_setting: Option<Code>,
    pub creation_time: String,
    pub hash: String,
    pub size: Option<u64>,
    pub language: String,
}

/// The submission set (`RegistryPackage`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SubmissionSet {
    pub entry_id: String,
    pub unique_id: String,
    pub source_id: String,
    pub submission_time: String,
    pub title: String,
    pub patient_id: Option<CxId>,
    pub authors: Vec<XdsAuthor>,
    pub content_type: Option<Code>,
}

/// What METADATA.XML says.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Metadata {
    pub submission_set: SubmissionSet,
    pub entries: Vec<DocumentEntry>,
}

#[derive(Clone, Copy, PartialEq)]
enum Owner {
    None,
    Entry(usize),
    Package,
}

#[derive(Default)]
struct Classification {
    scheme: String,
    node: String,
    coding_scheme: String,
    display: String,
    slots: Vec<(String, Vec<String>)>,
}

/// Parse METADATA.XML.
pub fn parse_metadata(bytes: &[u8], file: &str) -> Result<Metadata, DocumentError> {
    let mut reader = SafeReader::new(bytes, file);
    let mut md = Metadata::default();
    let mut owner = Owner::None;
    let mut class: Option<Classification> = None;
    let mut slot: Option<(String, Vec<String>)> = None;
    let mut in_value = false;
    let mut stack: Vec<String> = Vec::new();
    loop {
        match reader.next_step()? {
            Step::Start { name, attrs } => {
                match name.as_str() {
                    "ExtrinsicObject" => {
                        md.entries.push(DocumentEntry {
                            entry_id: attr(&attrs, "id").unwrap_or_default().to_owned(),
                            mime_type: attr(&attrs, "mimeType").unwrap_or_default().to_owned(),
                            ..DocumentEntry::default()
                        });
                        owner = Owner::Entry(md.entries.len() - 1);
                    }
                    "RegistryPackage" => {
                        md.submission_set.entry_id =
                            attr(&attrs, "id").unwrap_or_default().to_owned();
                        owner = Owner::Package;
                    }
                    "Classification" if owner != Owner::None => {
                        class = Some(Classification {
                            scheme: attr(&attrs, "classificationScheme")
                                .unwrap_or_default()
                                .to_owned(),
                            node: attr(&attrs, "nodeRepresentation")
                                .unwrap_or_default()
                                .to_owned(),
                            ..Classification::default()
                        });
                    }
                    "Slot" => {
                        slot = Some((attr(&attrs, "name").unwrap_or_default().to_owned(), vec![]));
                    }
                    "Value" => {
                        in_value = true;
                        if let Some((_, values)) = &mut slot {
                            values.push(String::new());
                        }
                    }
                    "LocalizedString" => {
                        let value = attr(&attrs, "value").unwrap_or_default().to_owned();
                        let parent = stack.last().map(String::as_str).unwrap_or("");
                        let grand = stack
                            .len()
                            .checked_sub(2)
                            .map(|i| stack[i].as_str())
                            .unwrap_or("");
                        if parent == "Name" {
                            if grand == "Classification" {
                                if let Some(c) = &mut class {
                                    c.display = value;
                                }
                            } else if grand == "ExternalIdentifier" {
                            } else {
                                match owner {
                                    Owner::Entry(i) => md.entries[i].title = value,
                                    Owner::Package => md.submission_set.title = value,
                                    Owner::None => {}
                                }
                            }
                        }
                    }
                    "ExternalIdentifier" => {
                        let scheme = attr(&attrs, "identificationScheme").unwrap_or_default();
                        let value = attr(&attrs, "value").unwrap_or_default().to_owned();
                        match (owner, scheme) {
                            (Owner::Entry(i), ID_DOC_PATIENT) => {
                                md.entries[i].patient_id = Some(CxId::parse(&value));
                            }
                            (Owner::Entry(i), ID_DOC_UNIQUE) => md.entries[i].unique_id = value,
                            (Owner::Package, ID_SS_PATIENT) => {
                                md.submission_set.patient_id = Some(CxId::parse(&value));
                            }
                            (Owner::Package, ID_SS_UNIQUE) => md.submission_set.unique_id = value,
                            (Owner::Package, ID_SS_SOURCE) => md.submission_set.source_id = value,
                            _ => {}
                        }
                    }
                    _ => {}
                }
                stack.push(name);
            }
            Step::End { name } => {
                stack.pop();
                match name.as_str() {
                    "ExtrinsicObject" | "RegistryPackage" => owner = Owner::None,
                    "Value" => in_value = false,
                    "Slot" => {
                        if let Some((name, values)) = slot.take() {
                            let values: Vec<String> =
                                values.into_iter().map(|v| v.trim().to_owned()).collect();
                            if let Some(c) = &mut class {
                                if name == "codingScheme" {
                                    c.coding_scheme = values.first().cloned().unwrap_or_default();
                                } else {
                                    c.slots.push((name, values));
                                }
                            } else {
                                apply_slot(&mut md, owner, &name, values);
                            }
                        }
                    }
                    "Classification" => {
                        if let Some(c) = class.take() {
                            apply_classification(&mut md, owner, c);
                        }
                    }
                    _ => {}
                }
            }
            Step::Text(t) => {
                if in_value
                    && let Some((_, values)) = &mut slot
                    && let Some(v) = values.last_mut()
                {
                    v.push_str(&t);
                }
            }
            Step::Eof => break,
        }
    }
    Ok(md)
}

fn first(values: &[String]) -> String {
    values.first().cloned().unwrap_or_default()
}

fn apply_slot(md: &mut Metadata, owner: Owner, name: &str, values: Vec<String>) {
    match owner {
        Owner::Entry(i) => {
            let e = &mut md.entries[i];
            match name {
                "URI" => e.uri = values.concat(),
                "creationTime" => e.creation_time = first(&values),
                "hash" => e.hash = first(&values),
                "size" => e.size = first(&values).parse().ok(),
                "languageCode" => e.language = first(&values),
                "sourcePatientId" => e.source_patient_id = Some(CxId::parse(&first(&values))),
                "sourcePatientInfo" => e.source_patient_info = values,
                _ => {}
            }
        }
        Owner::Package => {
            if name == "submissionTime" {
                md.submission_set.submission_time = first(&values);
            }
        }
        Owner::None => {}
    }
}

fn apply_classification(md: &mut Metadata, owner: Owner, c: Classification) {
    let code = Code {
        code: c.node.clone(),
        system: c.coding_scheme.clone(),
        display: c.display.clone(),
    };
    let author = || {
        let mut a = XdsAuthor::default();
        for (name, values) in &c.slots {
            match name.as_str() {
                "authorPerson" => a.person = first(values),
                "authorInstitution" => a.institutions = values.clone(),
                "authorRole" => a.roles = values.clone(),
                "authorSpecialty" => a.specialties = values.clone(),
                _ => {}
            }
        }
        a
    };
    match owner {
        Owner::Entry(i) => {
            let e = &mut md.entries[i];
            match c.scheme.as_str() {
                SCHEME_CLASS_CODE => e.class_code = Some(code),
                SCHEME_TYPE_CODE => e.type_code = Some(code),
                SCHEME_FORMAT_CODE => e.format_code = Some(code),
                SCHEME_CONFIDENTIALITY => e.confidentiality.push(code),
                SCHEME_FACILITY_TYPE => e.facility_type = Some(code),
                SCHEME_PRACTICE_SETTING => e.practice_setting = Some(code),
                SCHEME_DOC_AUTHOR => e.authors.push(author()),
                _ => {}
            }
        }
        Owner::Package => match c.scheme.as_str() {
            SCHEME_SS_AUTHOR => md.submission_set.authors.push(author()),
            SCHEME_SS_CONTENT_TYPE => md.submission_set.content_type = Some(code),
            _ => {}
        },
        Owner::None => {}
    }
}
