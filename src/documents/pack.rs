//! Building an IHE XDM package from CDA documents and PDF files for one patient.
//!
//! A PDF is wrapped into a level-1 CDA (`nonXMLBody`, base64) with the header the
//! ANS CI-SIS asks for (realm FR, patient by INS, author, custodian). The package
//! holds `INDEX.HTM`, `README.TXT` and `IHE_XDM/SUBSET01/` with `METADATA.XML` and
//! the documents `DOC0001.XML`, `DOC0002.XML`...

use std::io::{Cursor, Write};

use base64::Engine;
use sha1::{Digest, Sha1};
use zip::write::SimpleFileOptions;

use super::cda::{self, CdaDocument};
use super::ins::{Ins, OID_INS_NIR};
use super::metadata as md;
use super::xml::escape;
use super::{Code, DocumentError, Result};
use crate::i18n::{tr, tr1, tr3};

/// OID of the RPPS-based national identifier of professionals.
pub const OID_PS_NATIONAL_ID: &str = "1.2.250.1.71.4.2.1";
/// OID of organisation identifiers (FINESS / SIRET based).
pub const OID_ORG_ID: &str = "1.2.250.1.71.4.2.2";
/// LOINC.
pub const OID_LOINC: &str = "2.16.840.1.113883.6.1";
const OID_CONFIDENTIALITY: &str = "2.16.840.1.113883.5.25";
const OID_GENDER: &str = "2.16.840.1.113883.5.1";
const PRODUCT: &str = concat!("Caducée ", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

impl Sex {
    /// `M`, `F`, `U` (also `H`omme).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "M" | "H" => Ok(Sex::Male),
            "F" => Ok(Sex::Female),
            "U" | "I" => Ok(Sex::Unknown),
            _ => Err(DocumentError::Pack(tr1(
                "documents-reason-sex",
                "value",
                &s,
            ))),
        }
    }
    fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Unknown => "U",
        }
    }
}

/// The patient the package is about.
#[derive(Debug, Clone)]
pub struct PatientIdentity {
    pub ins: String,
    pub given: Vec<String>,
    /// Birth name.
    pub family: String,
    /// `YYYYMMDD`, `YYYY-MM-DD` or `DD/MM/YYYY`.
    pub birth_date: String,
    pub sex: Sex,
}

/// Who wrote the documents (defaults from the CDA when present).
#[derive(Debug, Clone, Default)]
pub struct PackAuthor {
    /// National identifier (`8` + RPPS).
    pub national_id: String,
    pub prefix: String,
    pub given: String,
    pub family: String,
    pub organization: String,
    pub organization_id: String,
}

/// A document to put in the package.
#[derive(Debug, Clone)]
pub enum PackInput {
    Cda {
        name: String,
        bytes: Vec<u8>,
    },
    Pdf {
        name: String,
        bytes: Vec<u8>,
        /// LOINC document type.
        code: Code,
        title: String,
    },
}

/// Normalise a birth date to `YYYYMMDD`.
pub fn normalize_date(s: &str) -> Result<String> {
    let s = s.trim();
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let out = if s.contains('/') && digits.len() == 8 {
        format!("{}{}{}", &digits[4..8], &digits[2..4], &digits[..2])
    } else {
        digits
    };
    let ok = out.len() == 8
        && out[4..6].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
        && out[6..8].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d));
    if ok {
        Ok(out)
    } else {
        Err(DocumentError::Pack(tr1(
            "documents-reason-birth-date",
            "value",
            &s,
        )))
    }
}

/// A fresh unique id as an OID under `2.25` (UUID-derived).
pub fn new_oid() -> String {
    format!("2.25.{}", rand::random::<u128>())
}

fn now_ts() -> String {
    let f = time::macros::format_description!("[year][month][day][hour][minute][second]");
    time::OffsetDateTime::now_utc()
        .format(&f)
        .unwrap_or_else(|_| "19700101000000".into())
}

/// Wrap a PDF into a level-1 CDA document.
pub fn wrap_pdf(
    pdf: &[u8],
    patient: &PatientIdentity,
    ins: &Ins,
    author: &PackAuthor,
    code: &Code,
    title: &str,
) -> Result<Vec<u8>> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(DocumentError::Pack(tr("documents-reason-not-pdf")));
    }
    let birth = normalize_date(&patient.birth_date)?;
    let now = format!("{}+0000", now_ts());
    let e = escape;
    let given: String = patient
        .given
        .iter()
        .map(|g| format!("<given>{}</given>", e(g)))
        .collect();
    let author_id = if author.national_id.is_empty() {
        "<id nullFlavor=\"UNK\"/>".to_owned()
    } else {
        format!(
            "<id root=\"{OID_PS_NATIONAL_ID}\" extension=\"{}\"/>",
            e(&author.national_id)
        )
    };
    let org_id = if author.organization_id.is_empty() {
        "<id nullFlavor=\"UNK\"/>".to_owned()
    } else {
        format!(
            "<id root=\"{OID_ORG_ID}\" extension=\"{}\"/>",
            e(&author.organization_id)
        )
    };
    let org_name = if author.organization.is_empty() {
        "Non renseigné"
    } else {
        &author.organization
    };
    let b64 = base64::engine::general_purpose::STANDARD.encode(pdf);
    let mut wrapped = String::with_capacity(b64.len() + b64.len() / 76 + 4096);
    for chunk in b64.as_bytes().chunks(76) {
        wrapped.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        wrapped.push('\n');
    }
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="2.16.840.1.113883.2.8.2.1"/>
  <templateId root="1.2.250.1.213.1.1.1.1"/>
  <id root="{doc_id}"/>
  <code code="{code}" codeSystem="{code_system}" displayName="{code_display}"/>
  <title>{title}</title>
  <effectiveTime value="{now}"/>
  <confidentialityCode code="N" codeSystem="{OID_CONFIDENTIALITY}" displayName="Normal"/>
  <languageCode code="fr-FR"/>
  <setId root="{set_id}"/>
  <versionNumber value="1"/>
  <recordTarget>
    <patientRole>
      <id root="{OID_INS_NIR}" extension="{ins}"/>
      <patient>
        <name>{given}<family qualifier="BR">{family}</family></name>
        <administrativeGenderCode code="{sex}" codeSystem="{OID_GENDER}"/>
        <birthTime value="{birth}"/>
      </patient>
    </patientRole>
  </recordTarget>
  <author>
    <time value="{now}"/>
    <assignedAuthor>
      {author_id}
      <assignedPerson>
        <name><prefix>{prefix}</prefix><given>{a_given}</given><family>{a_family}</family></name>
      </assignedPerson>
      <representedOrganization>{org_id}<name>{org_name}</name></representedOrganization>
    </assignedAuthor>
  </author>
  <custodian>
    <assignedCustodian>
      <representedCustodianOrganization>{org_id}<name>{org_name}</name></representedCustodianOrganization>
    </assignedCustodian>
  </custodian>
  <component>
    <nonXMLBody>
      <text mediaType="application/pdf" representation="B64">
{wrapped}</text>
    </nonXMLBody>
  </component>
</ClinicalDocument>
"#,
        doc_id = new_oid(),
        set_id = new_oid(),
        code = e(&code.code),
        code_system = e(if code.system.is_empty() {
            OID_LOINC
        } else {
            &code.system
        }),
        code_display = e(&code.display),
        title = e(title),
        ins = ins.as_str(),
        family = e(&patient.family),
        sex = patient.sex.code(),
        prefix = e(&author.prefix),
        a_given = e(&author.given),
        a_family = e(&author.family),
        org_name = e(org_name),
    );
    Ok(xml.into_bytes())
}

struct Prepared {
    file: String,
    bytes: Vec<u8>,
    cda: CdaDocument,
    level1: bool,
}

/// Build `IHE_XDM.ZIP` for `patient` from `inputs`.
pub fn pack(
    patient: &PatientIdentity,
    author: &PackAuthor,
    inputs: &[PackInput],
) -> Result<Vec<u8>> {
    if inputs.is_empty() {
        return Err(DocumentError::Pack(tr("documents-reason-nothing-to-pack")));
    }
    let ins = Ins::parse(&patient.ins)?;
    let birth = normalize_date(&patient.birth_date)?;
    if patient.family.trim().is_empty() || patient.given.iter().all(|g| g.trim().is_empty()) {
        return Err(DocumentError::Pack(tr("documents-reason-patient-name")));
    }
    let mut docs = Vec::new();
    for (n, input) in inputs.iter().enumerate() {
        let file = format!("DOC{:04}.XML", n + 1);
        let (bytes, source) = match input {
            PackInput::Cda { name, bytes } => (bytes.clone(), name.as_str()),
            PackInput::Pdf {
                name,
                bytes,
                code,
                title,
            } => (
                wrap_pdf(bytes, patient, &ins, author, code, title)?,
                name.as_str(),
            ),
        };
        let cda = cda::parse_cda(&bytes, source)?;
        if let Some(id) = cda.patient.ins_id()
            && Ins::parse(&id.extension).ok().as_ref() != Some(&ins)
        {
            return Err(DocumentError::Pack(tr3(
                "documents-reason-other-patient",
                "file",
                &source,
                "found",
                &id.extension,
                "ins",
                &ins,
            )));
        }
        if cda.code.as_ref().is_none_or(|c| c.code.is_empty()) {
            return Err(DocumentError::Pack(tr1(
                "documents-reason-no-code",
                "file",
                &source,
            )));
        }
        let level1 = matches!(cda.body, cda::CdaBody::NonXml { .. });
        docs.push(Prepared {
            file,
            bytes,
            cda,
            level1,
        });
    }
    let metadata = metadata_xml(patient, &ins, &birth, author, &docs);
    let index = index_htm(patient, &docs);
    let readme = readme_txt();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut add = |name: &str, data: &[u8]| -> Result<()> {
        zip.start_file(name, options)
            .map_err(|e| DocumentError::Pack(e.to_string()))?;
        zip.write_all(data)
            .map_err(|e| DocumentError::Pack(e.to_string()))
    };
    add("INDEX.HTM", index.as_bytes())?;
    add("README.TXT", readme.as_bytes())?;
    add("IHE_XDM/SUBSET01/METADATA.XML", metadata.as_bytes())?;
    for d in &docs {
        add(&format!("IHE_XDM/SUBSET01/{}", d.file), &d.bytes)?;
    }
    let cursor = zip
        .finish()
        .map_err(|e| DocumentError::Pack(e.to_string()))?;
    Ok(cursor.into_inner())
}

fn slot(name: &str, values: &[&str]) -> String {
    let values: String = values
        .iter()
        .map(|v| format!("<rim:Value>{}</rim:Value>", escape(v)))
        .collect();
    format!(
        "<rim:Slot name=\"{}\"><rim:ValueList>{values}</rim:ValueList></rim:Slot>\n",
        escape(name)
    )
}

fn classification(scheme: &str, object: &str, code: &Code, extra: &str) -> String {
    format!(
        "<rim:Classification id=\"urn:uuid:{id}\" classificationScheme=\"{scheme}\" classifiedObject=\"{object}\" nodeRepresentation=\"{node}\">\n{cs}{extra}<rim:Name><rim:LocalizedString value=\"{display}\"/></rim:Name></rim:Classification>\n",
        id = uuid_like(),
        node = escape(&code.code),
        cs = slot("codingScheme", &[&code.system]),
        display = escape(&code.display),
    )
}

fn author_classification(scheme: &str, object: &str, person: &str, institution: &str) -> String {
    let mut slots = slot("authorPerson", &[person]);
    if !institution.is_empty() {
        slots.push_str(&slot("authorInstitution", &[institution]));
    }
    format!(
        "<rim:Classification id=\"urn:uuid:{}\" classificationScheme=\"{scheme}\" classifiedObject=\"{object}\" nodeRepresentation=\"\">\n{slots}</rim:Classification>\n",
        uuid_like()
    )
}

fn external_id(scheme: &str, object: &str, value: &str, name: &str) -> String {
    format!(
        "<rim:ExternalIdentifier id=\"urn:uuid:{}\" registryObject=\"{object}\" identificationScheme=\"{scheme}\" value=\"{}\"><rim:Name><rim:LocalizedString value=\"{name}\"/></rim:Name></rim:ExternalIdentifier>\n",
        uuid_like(),
        escape(value)
    )
}

/// A random UUID string (version 4 layout).
fn uuid_like() -> String {
    let b: [u8; 16] = rand::random();
    let h = hex::encode(b);
    format!(
        "{}-{}-4{}-{:x}{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        (b[8] & 0x3) | 0x8,
        &h[17..20],
        &h[20..32]
    )
}

fn metadata_xml(
    patient: &PatientIdentity,
    ins: &Ins,
    birth: &str,
    author: &PackAuthor,
    docs: &[Prepared],
) -> String {
    let pid = format!("{}^^^&{OID_INS_NIR}&ISO^NH", ins.as_str());
    let now = now_ts();
    let pid5 = format!("PID-5|{}^{}^^^^^L", patient.family, patient.given.join(" "));
    let pid7 = format!("PID-7|{birth}");
    let pid8 = format!("PID-8|{}", patient.sex.code());
    let mut body = String::new();
    let ss_id = "urn:uuid:".to_owned() + &uuid_like();
    let mut ss_person = String::new();
    let mut ss_institution = String::new();
    let mut ss_content = Code::default();
    for (n, d) in docs.iter().enumerate() {
        let entry_id = format!("Document{:02}", n + 1);
        let a = d.cda.author.clone().unwrap_or_default();
        let national_id = a
            .ids
            .iter()
            .find(|i| i.root == OID_PS_NATIONAL_ID)
            .map(|i| i.extension.clone())
            .unwrap_or(author.national_id.clone());
        let person = format!(
            "{national_id}^{}^{}^^^{}^^^&{OID_PS_NATIONAL_ID}&ISO^D^^^IDNPS",
            if a.family.is_empty() {
                &author.family
            } else {
                &a.family
            },
            if a.given.is_empty() {
                &author.given
            } else {
                &a.given
            },
            if a.prefix.is_empty() {
                &author.prefix
            } else {
                &a.prefix
            },
        );
        let org = if a.organization.is_empty() {
            author.organization.clone()
        } else {
            a.organization.clone()
        };
        let institution = if org.is_empty() {
            String::new()
        } else {
            format!(
                "{org}^^^^^&{OID_ORG_ID}&ISO^IDNST^^^{}",
                author.organization_id
            )
        };
        if n == 0 {
            ss_person = person.clone();
            ss_institution = institution.clone();
        }
        let code = d.cda.code.clone().unwrap_or_default();
        let code = Code {
            system: if code.system.is_empty() {
                OID_LOINC.into()
            } else {
                code.system
            },
            display: if code.display.is_empty() {
                d.cda.title.clone()
            } else {
                code.display
            },
            ..code
        };
        if n == 0 {
            ss_content = code.clone();
        }
        let confidentiality = d.cda.confidentiality.clone().unwrap_or(Code {
            code: "N".into(),
            system: OID_CONFIDENTIALITY.into(),
            display: "Normal".into(),
        });
        let format = if d.level1 {
            Code {
                code: "urn:ihe:iti:xds-sd:pdf:2008".into(),
                system: "1.3.6.1.4.1.19376.1.2.3".into(),
                display: "Document à corps non structuré en Pdf/A-1".into(),
            }
        } else {
            Code {
                code: "urn:ihe:iti:xds:2017:mimeTypeSufficient".into(),
                system: "1.3.6.1.4.1.19376.1.2.3".into(),
                display: "Format de document CDA structuré".into(),
            }
        };
        let class = Code {
            code: "10".into(),
            system: "1.2.250.1.213.1.1.4.1".into(),
            display: "Compte rendu".into(),
        };
        let creation = d
            .cda
            .effective_time
            .as_deref()
            .map(to_utc_ts)
            .unwrap_or(now.clone());
        let hash = hex::encode(Sha1::digest(&d.bytes));
        let unique = d
            .cda
            .id
            .as_ref()
            .map(|i| {
                if i.extension.is_empty() {
                    i.root.clone()
                } else {
                    format!("{}^{}", i.root, i.extension)
                }
            })
            .unwrap_or_else(new_oid);
        body.push_str(&format!(
            "<rim:ExtrinsicObject id=\"{entry_id}\" mimeType=\"text/xml\" objectType=\"{}\" status=\"urn:oasis:names:tc:ebxml-regrep:StatusType:Approved\">\n",
            md::OBJECT_TYPE_DOCUMENT
        ));
        body.push_str(&slot("creationTime", &[&creation]));
        body.push_str(&slot("hash", &[&hash]));
        body.push_str(&slot("languageCode", &["fr-FR"]));
        body.push_str(&slot("size", &[&d.bytes.len().to_string()]));
        body.push_str(&slot("sourcePatientId", &[&pid]));
        body.push_str(&slot("sourcePatientInfo", &[&pid5, &pid7, &pid8]));
        body.push_str(&slot("URI", &[&d.file]));
        body.push_str(&format!(
            "<rim:Name><rim:LocalizedString value=\"{}\"/></rim:Name>\n",
            escape(&d.cda.title)
        ));
        body.push_str(&author_classification(
            md::SCHEME_DOC_AUTHOR,
            &entry_id,
            &person,
            &institution,
        ));
        body.push_str(&classification(
            md::SCHEME_CLASS_CODE,
            &entry_id,
            &class,
            "",
        ));
        body.push_str(&classification(
            md::SCHEME_CONFIDENTIALITY,
            &entry_id,
            &confidentiality,
            "",
        ));
        body.push_str(&classification(
            md::SCHEME_FORMAT_CODE,
            &entry_id,
            &format,
            "",
        ));
        body.push_str(&classification(
            md::SCHEME_FACILITY_TYPE,
            &entry_id,
            &Code {
                code: "SA07".into(),
                system: "1.2.250.1.71.4.2.4".into(),
                display: "Cabinet individuel".into(),
            },
            "",
        ));
        body.push_str(&classification(
            md::SCHEME_PRACTICE_SETTING,
            &entry_id,
            &Code {
                code: "AMBULATOIRE".into(),
                system: "1.2.250.1.213.1.1.4.9".into(),
                display: "Ambulatoire".into(),
            },
            "",
        ));
        body.push_str(&classification(md::SCHEME_TYPE_CODE, &entry_id, &code, ""));
        body.push_str(&external_id(
            md::ID_DOC_PATIENT,
            &entry_id,
            &pid,
            "XDSDocumentEntry.patientId",
        ));
        body.push_str(&external_id(
            md::ID_DOC_UNIQUE,
            &entry_id,
            &unique,
            "XDSDocumentEntry.uniqueId",
        ));
        body.push_str("</rim:ExtrinsicObject>\n");
    }
    let mut ss = format!(
        "<rim:RegistryPackage id=\"{ss_id}\">\n{}<rim:Name><rim:LocalizedString value=\"Envoi de documents\"/></rim:Name>\n",
        slot("submissionTime", &[&now])
    );
    ss.push_str(&author_classification(
        md::SCHEME_SS_AUTHOR,
        &ss_id,
        &ss_person,
        &ss_institution,
    ));
    // Our choice: the submission set's content type is the first document's type.
    ss.push_str(&classification(
        md::SCHEME_SS_CONTENT_TYPE,
        &ss_id,
        &ss_content,
        "",
    ));
    ss.push_str(&external_id(
        md::ID_SS_UNIQUE,
        &ss_id,
        &new_oid(),
        "XDSSubmissionSet.uniqueId",
    ));
    ss.push_str(&external_id(
        md::ID_SS_SOURCE,
        &ss_id,
        "1.2.250.1.999.1",
        "XDSSubmissionSet.sourceId",
    ));
    ss.push_str(&external_id(
        md::ID_SS_PATIENT,
        &ss_id,
        &pid,
        "XDSSubmissionSet.patientId",
    ));
    ss.push_str("</rim:RegistryPackage>\n");
    ss.push_str(&format!(
        "<rim:Classification id=\"urn:uuid:{}\" classifiedObject=\"{ss_id}\" classificationNode=\"{}\"/>\n",
        uuid_like(),
        md::NODE_SUBMISSION_SET
    ));
    for n in 0..docs.len() {
        ss.push_str(&format!(
            "<rim:Association id=\"urn:uuid:{}\" associationType=\"urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember\" sourceObject=\"{ss_id}\" targetObject=\"Document{:02}\">{}</rim:Association>\n",
            uuid_like(),
            n + 1,
            slot("SubmissionSetStatus", &["Original"])
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<lcm:SubmitObjectsRequest xmlns:lcm=\"urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0\" xmlns:rim=\"urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0\" xmlns:rs=\"urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0\">\n<rim:RegistryObjectList>\n{body}{ss}</rim:RegistryObjectList>\n</lcm:SubmitObjectsRequest>\n"
    )
}

/// A CDA time `YYYYMMDDHHMMSS+ZZZZ` as an XDS UTC time (offset applied).
fn to_utc_ts(t: &str) -> String {
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let rest = &t[digits.len()..];
    let fmt = time::macros::format_description!("[year][month][day][hour][minute][second]");
    if digits.len() >= 12
        && let Ok(dt) = time::PrimitiveDateTime::parse(
            &format!("{:0<14}", &digits[..digits.len().min(14)]),
            &fmt,
        )
    {
        let sign = if rest.starts_with('-') { -1 } else { 1 };
        let off: i64 = rest
            .get(1..5)
            .and_then(|o| {
                Some(o[..2].parse::<i64>().ok()? * 3600 + o[2..].parse::<i64>().ok()? * 60)
            })
            .unwrap_or(0);
        let utc = dt - time::Duration::seconds(sign * off);
        return utc.format(&fmt).unwrap_or(digits);
    }
    digits
}

fn index_htm(patient: &PatientIdentity, docs: &[Prepared]) -> String {
    let rows: String = docs
        .iter()
        .map(|d| {
            format!(
                "<li><a href=\"IHE_XDM/SUBSET01/{f}\">{t}</a> ({c})</li>\n",
                f = d.file,
                t = escape(&d.cda.title),
                c = escape(
                    &d.cda
                        .code
                        .as_ref()
                        .map(|c| c.code.clone())
                        .unwrap_or_default()
                )
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Documents de santé</title></head>\n<body>\n<h1>Documents de santé</h1>\n<p>Patient : {} {}</p>\n<ul>\n{rows}</ul>\n<p>Le fichier README.TXT décrit ce support. Les métadonnées sont dans IHE_XDM/SUBSET01/METADATA.XML.</p>\n</body></html>\n",
        escape(&patient.family),
        escape(&patient.given.join(" "))
    )
}

fn readme_txt() -> String {
    format!(
        "Support d'échange de documents de santé au format IHE XDM.\r\n\
         Produit par : {PRODUCT} (messagerie sécurisée MSSanté).\r\n\
         Contenu : INDEX.HTM (sommaire), IHE_XDM/SUBSET01/METADATA.XML (métadonnées XDS),\r\n\
         IHE_XDM/SUBSET01/DOCnnnn.XML (documents CDA R2).\r\n\
         Date de création : {} (UTC).\r\n",
        now_ts()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_normalise_and_convert_to_utc() {
        assert_eq!(normalize_date("1962-07-14").unwrap(), "19620714");
        assert_eq!(normalize_date("14/07/1962").unwrap(), "19620714");
        assert!(normalize_date("1962-13-01").is_err());
        assert_eq!(to_utc_ts("20261102103000+0100"), "20261102093000");
        assert_eq!(to_utc_ts("20261102"), "20261102");
    }

    #[test]
    fn uuids_have_the_v4_layout() {
        let u = uuid_like();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
