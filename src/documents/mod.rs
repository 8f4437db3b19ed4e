//! Health documents carried by MSSanté messages: IHE XDM packages (`IHE_XDM.ZIP`),
//! CDA R2 documents, PDF reports and HPRIM lab results.
//!
//! - [`xdm`]: read an XDM zip safely (no traversal, no zip bomb, no encrypted entry).
//! - [`metadata`]: the XDS metadata (`METADATA.XML`) of a package, read and written.
//! - [`cda`]: the CDA header and body, read with a streaming parser; nothing is fetched
//!   or executed, DOCTYPE declarations are refused.
//! - [`hprim`]: HPRIM lab results (rows of test, value, unit, range, flag).
//! - [`ins`]: the patient's INS (NIR key check) and the patient mail address.
//! - [`pack`]: build an XDM package from CDA and PDF files.
//! - [`received`]: the documents of a stored message.
//! - [`handoff`]: drop received documents into the practice software's folder, once.

pub mod cda;
pub mod handoff;
pub mod hprim;
pub mod ins;
pub mod metadata;
pub mod pack;
pub mod received;
pub mod xdm;
mod xml;

pub use cda::{CdaBody, CdaDocument, IdentityState};
pub use handoff::{HandoffDone, HandoffRule, run_handoff};
pub use hprim::{HprimReport, HprimRow};
pub use ins::{Ins, patient_address};
pub use pack::{PackAuthor, PackInput, PatientIdentity, Sex, pack};
pub use received::{DocumentKind, ReceivedDocument, message_documents};
pub use xdm::{XdmLimits, XdmPackage, read_xdm};

use std::path::PathBuf;

use crate::i18n::{tr, tr1, tr2, tr3};

/// Errors of the documents module, worded for the person reading or sending.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("{}", tr1("documents-zip-malformed", "reason", .0))]
    ZipMalformed(String),
    #[error("{}", tr2("documents-zip-too-many-entries", "count", .count, "max", .max))]
    ZipTooManyEntries { count: usize, max: usize },
    #[error("{}", tr1("documents-zip-too-large", "max", .max))]
    ZipTooLarge { max: u64 },
    #[error("{}", tr3("documents-zip-ratio", "name", .name, "ratio", .ratio, "max", .max))]
    ZipRatio { name: String, ratio: u64, max: u64 },
    #[error("{}", tr1("documents-unsafe-path", "name", .0))]
    UnsafePath(String),
    #[error("{}", tr1("documents-encrypted", "name", .0))]
    Encrypted(String),
    #[error("{}", tr1("documents-symlink", "name", .0))]
    Symlink(String),
    #[error("{}", tr2("documents-zip-entry", "name", .0, "reason", .1))]
    ZipEntry(String, String),
    #[error("{}", tr("documents-not-xdm"))]
    NotXdm,
    #[error("{}", tr2("documents-xml", "file", .file, "reason", .reason))]
    Xml { file: String, reason: String },
    #[error("{}", tr1("documents-xml-doctype", "file", .file))]
    XmlDoctype { file: String },
    #[error("{}", tr2("documents-xml-too-deep", "file", .file, "max", .max))]
    XmlTooDeep { file: String, max: usize },
    #[error("{}", tr1("documents-not-cda", "file", .0))]
    NotCda(String),
    #[error("{}", tr2("documents-embedded", "file", .file, "reason", .reason))]
    Embedded { file: String, reason: String },
    #[error("{}", tr1("documents-missing-document", "name", .0))]
    MissingDocument(String),
    #[error("{}", tr2("documents-ins", "value", .value, "reason", .reason))]
    Ins { value: String, reason: String },
    #[error("{}", tr1("documents-pack", "reason", .0))]
    Pack(String),
    #[error("{}", tr2("documents-io", "path", &.path.display(), "reason", .source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("{}", tr1("documents-no-body", "id", .0))]
    NoBody(i64),
    #[error("{}", tr1("documents-message", "reason", .0))]
    Message(String),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error("{}", tr1("documents-rule", "reason", .0))]
    Rule(String),
}

impl From<rusqlite::Error> for DocumentError {
    fn from(e: rusqlite::Error) -> Self {
        DocumentError::Store(crate::store::StoreError::Sql(e))
    }
}

pub type Result<T, E = DocumentError> = std::result::Result<T, E>;

/// What the send pipeline puts in the MSSanté headers of a message carrying an
/// XDM package: `X-MSS-CODECDA` and `X-MSS-INS: O|N`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MssHeaders {
    /// The CDA `code` values of the documents, in package order, without duplicates.
    pub codecda: Vec<String>,
    /// Every document names the patient by a valid INS (an identity qualified
    /// through INSi: the INS is only carried for qualified identities).
    pub ins_qualified: bool,
}

impl MssHeaders {
    /// The value of `X-MSS-CODECDA`.
    pub fn codecda_header(&self) -> String {
        self.codecda.join(",")
    }

    /// The value of `X-MSS-INS`.
    pub fn ins_header(&self) -> &'static str {
        if self.ins_qualified { "O" } else { "N" }
    }
}

/// Read an `IHE_XDM.ZIP` and compute its MSSanté headers.
///
/// A document whose CDA cannot be read contributes the XDS `typeCode` of its
/// metadata entry, and makes the INS unqualified.
pub fn mss_headers(zip_bytes: &[u8]) -> Result<MssHeaders> {
    let package = read_xdm(zip_bytes, &XdmLimits::default())?;
    let mut codecda: Vec<String> = Vec::new();
    let mut ins_qualified = !package.documents.is_empty();
    for doc in &package.documents {
        let code = match &doc.cda {
            Some(Ok(cda)) => {
                if cda.patient.identity_state() != IdentityState::Qualified {
                    ins_qualified = false;
                }
                cda.code.as_ref().map(|c| c.code.clone())
            }
            _ => {
                ins_qualified = false;
                doc.entry.type_code.as_ref().map(|c| c.code.clone())
            }
        };
        if let Some(code) = code.filter(|c| !c.is_empty())
            && !codecda.contains(&code)
        {
            codecda.push(code);
        }
    }
    Ok(MssHeaders {
        codecda,
        ins_qualified,
    })
}

/// A coded value: `code`, its code system (OID) and display name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Code {
    pub code: String,
    pub system: String,
    pub display: String,
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.display.is_empty() {
            f.write_str(&self.code)
        } else {
            write!(f, "{} ({})", self.display, self.code)
        }
    }
}
