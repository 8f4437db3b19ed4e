//! Fixtures for the document tests: CDA documents written for these tests after
//! the structure of the ANS CI-SIS examples, XDM packages, hostile archives and
//! messages carrying them.
#![allow(dead_code)]

use std::io::{Cursor, Write};

use base64::Engine;
use caducee::store::{Flag, FolderRole, Store};

/// A NIR (13 characters) with its key, computed here from the rule `97 - n mod 97`.
pub fn ins_of(nir13: &str) -> String {
    let n: u64 = nir13
        .replace("2A", "19")
        .replace("2B", "18")
        .parse()
        .unwrap();
    format!("{nir13}{:02}", 97 - n % 97)
}

pub fn patient_ins() -> String {
    ins_of("2620769123456")
}

/// A small but well-formed PDF.
pub fn tiny_pdf(label: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n\
% {label}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

fn header(ins_root: &str, ins: &str, code: &str, code_name: &str, title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="2.16.840.1.113883.2.8.2.1"/>
  <templateId root="1.2.250.1.213.1.1.1.1"/>
  <id root="1.2.250.1.999.7.1.{code}"/>
  <code code="{code}" codeSystem="2.16.840.1.113883.6.1" displayName="{code_name}"/>
  <title>{title}</title>
  <effectiveTime value="20261120143000+0100"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <setId root="1.2.250.1.999.7.2.{code}"/>
  <versionNumber value="1"/>
  <recordTarget>
    <patientRole>
      <id root="1.2.250.1.999.3.1" extension="IPP-000742"/>
      <id root="{ins_root}" extension="{ins}"/>
      <addr><city>Lyon</city></addr>
      <patient>
        <name>
          <given>Jeanne</given>
          <given>Marie</given>
          <family qualifier="BR">DURAND</family>
          <family qualifier="SP">LEROY</family>
        </name>
        <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
        <birthTime value="19620714"/>
      </patient>
    </patientRole>
  </recordTarget>
  <author>
    <time value="20261120143000+0100"/>
    <assignedAuthor>
      <id root="1.2.250.1.71.4.2.1" extension="810001234567"/>
      <assignedPerson>
        <name><prefix>Dr</prefix><given>Françoise</given><family>LÉVY</family></name>
      </assignedPerson>
      <representedOrganization><name>Laboratoire des Brotteaux</name></representedOrganization>
    </assignedAuthor>
  </author>
  <custodian>
    <assignedCustodian>
      <representedCustodianOrganization>
        <id root="1.2.250.1.71.4.2.2" extension="169000001"/>
        <name>Laboratoire des Brotteaux</name>
      </representedCustodianOrganization>
    </assignedCustodian>
  </custodian>
"#
    )
}

/// A level-3 lab report: sections with a paragraph, a list and a table.
pub fn cda_level3(ins: &str) -> Vec<u8> {
    let mut s = header(
        "1.2.250.1.213.1.4.8",
        ins,
        "11502-2",
        "CR d'examens biologiques",
        "Compte rendu d'examens biologiques",
    );
    s.push_str(
        r#"  <component>
    <structuredBody>
      <component>
        <section>
          <code code="18719-5" codeSystem="2.16.840.1.113883.6.1" displayName="Chimie"/>
          <title>Biochimie sanguine</title>
          <text>
            <paragraph>Prélèvement du 20/11/2026 à 08:10, à jeun.</paragraph>
            <table border="1">
              <thead><tr><th>Analyse</th><th>Résultat</th><th>Unité</th><th>Référence</th></tr></thead>
              <tbody>
                <tr><td>Glycémie</td><td>1,32</td><td>g/L</td><td>0,70 - 1,10</td></tr>
                <tr><td>Créatinine</td><td><content styleCode="Bold">8,1</content></td><td>mg/L</td><td>5,7 - 11,1</td></tr>
              </tbody>
            </table>
          </text>
          <component>
            <section>
              <title>Commentaire du biologiste</title>
              <text>
                <list>
                  <item>Glycémie &gt; normale : contrôle à prévoir.</item>
                  <item>Fonction rénale conservée.</item>
                </list>
              </text>
            </section>
          </component>
        </section>
      </component>
    </structuredBody>
  </component>
</ClinicalDocument>
"#,
    );
    s.into_bytes()
}

/// A level-1 report: an embedded PDF.
pub fn cda_level1(ins: &str, pdf: &[u8]) -> Vec<u8> {
    let mut s = header(
        "1.2.250.1.213.1.4.8",
        ins,
        "18748-4",
        "CR d'imagerie médicale",
        "Échographie abdominale",
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(pdf);
    s.push_str(&format!(
        "  <component>\n    <nonXMLBody>\n      <text mediaType=\"application/pdf\" representation=\"B64\">{b64}</text>\n    </nonXMLBody>\n  </component>\n</ClinicalDocument>\n"
    ));
    s.into_bytes()
}

/// A CDA whose patient has only a local identifier (identity not qualified).
pub fn cda_without_ins() -> Vec<u8> {
    String::from_utf8(cda_level3(&patient_ins()))
        .unwrap()
        .replace(
            &format!(
                "<id root=\"1.2.250.1.213.1.4.8\" extension=\"{}\"/>",
                patient_ins()
            ),
            "",
        )
        .into_bytes()
}

/// METADATA.XML naming `docs` (uri, LOINC code, title), written by hand.
pub fn metadata(ins: &str, docs: &[(&str, &str, &str)]) -> Vec<u8> {
    let pid = format!("{ins}^^^&amp;1.2.250.1.213.1.4.8&amp;ISO^NH");
    let mut body = String::new();
    for (i, (uri, code, title)) in docs.iter().enumerate() {
        body.push_str(&format!(
            r#"<rim:ExtrinsicObject id="Doc{i}" mimeType="text/xml" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">
  <rim:Slot name="creationTime"><rim:ValueList><rim:Value>20261120133000</rim:Value></rim:ValueList></rim:Slot>
  <rim:Slot name="sourcePatientInfo"><rim:ValueList><rim:Value>PID-5|DURAND^Jeanne^^^^^L</rim:Value><rim:Value>PID-7|19620714</rim:Value><rim:Value>PID-8|F</rim:Value></rim:ValueList></rim:Slot>
  <rim:Slot name="URI"><rim:ValueList><rim:Value>{uri}</rim:Value></rim:ValueList></rim:Slot>
  <rim:Name><rim:LocalizedString value="{title}"/></rim:Name>
  <rim:Classification classificationScheme="urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d" classifiedObject="Doc{i}" nodeRepresentation="">
    <rim:Slot name="authorPerson"><rim:ValueList><rim:Value>810001234567^LÉVY^Françoise^^^Dr^^^&amp;1.2.250.1.71.4.2.1&amp;ISO^D^^^IDNPS</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="authorInstitution"><rim:ValueList><rim:Value>Laboratoire des Brotteaux^^^^^&amp;1.2.250.1.71.4.2.2&amp;ISO^IDNST^^^169000001</rim:Value></rim:ValueList></rim:Slot>
  </rim:Classification>
  <rim:Classification classificationScheme="urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a" classifiedObject="Doc{i}" nodeRepresentation="10">
    <rim:Slot name="codingScheme"><rim:ValueList><rim:Value>1.2.250.1.213.1.1.4.1</rim:Value></rim:ValueList></rim:Slot>
    <rim:Name><rim:LocalizedString value="Compte rendu"/></rim:Name>
  </rim:Classification>
  <rim:Classification classificationScheme="urn:uuid:f0306f51-975f-434e-a61c-c59651d33983" classifiedObject="Doc{i}" nodeRepresentation="{code}">
    <rim:Slot name="codingScheme"><rim:ValueList><rim:Value>2.16.840.1.113883.6.1</rim:Value></rim:ValueList></rim:Slot>
    <rim:Name><rim:LocalizedString value="{title}"/></rim:Name>
  </rim:Classification>
  <rim:Classification classificationScheme="urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f" classifiedObject="Doc{i}" nodeRepresentation="N">
    <rim:Slot name="codingScheme"><rim:ValueList><rim:Value>2.16.840.1.113883.5.25</rim:Value></rim:ValueList></rim:Slot>
    <rim:Name><rim:LocalizedString value="Normal"/></rim:Name>
  </rim:Classification>
  <rim:ExternalIdentifier identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="{pid}" registryObject="Doc{i}"><rim:Name><rim:LocalizedString value="XDSDocumentEntry.patientId"/></rim:Name></rim:ExternalIdentifier>
  <rim:ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" value="1.2.250.1.999.7.1.{code}" registryObject="Doc{i}"><rim:Name><rim:LocalizedString value="XDSDocumentEntry.uniqueId"/></rim:Name></rim:ExternalIdentifier>
</rim:ExtrinsicObject>
"#
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">
<rim:RegistryObjectList>
{body}<rim:RegistryPackage id="SubSet">
  <rim:Slot name="submissionTime"><rim:ValueList><rim:Value>20261120133500</rim:Value></rim:ValueList></rim:Slot>
  <rim:Name><rim:LocalizedString value="Résultats"/></rim:Name>
  <rim:ExternalIdentifier identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446" value="{pid}" registryObject="SubSet"/>
  <rim:ExternalIdentifier identificationScheme="urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8" value="1.2.250.1.999.7.9" registryObject="SubSet"/>
</rim:RegistryPackage>
</rim:RegistryObjectList>
</lcm:SubmitObjectsRequest>
"#
    )
    .into_bytes()
}

/// A zip of `files`, deflated.
pub fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// An XDM package of `docs` (file name in the subset, bytes, LOINC code, title).
pub fn xdm_package(ins: &str, docs: &[(&str, Vec<u8>, &str, &str)]) -> Vec<u8> {
    let md = metadata(
        ins,
        &docs
            .iter()
            .map(|(n, _, c, t)| (*n, *c, *t))
            .collect::<Vec<_>>(),
    );
    let paths: Vec<String> = docs
        .iter()
        .map(|(n, ..)| format!("IHE_XDM/SUBSET01/{n}"))
        .collect();
    let mut files: Vec<(&str, &[u8])> = vec![
        ("INDEX.HTM", b"<html><body>Documents</body></html>"),
        ("README.TXT", b"Support IHE XDM de test"),
        ("IHE_XDM/SUBSET01/METADATA.XML", &md),
    ];
    for (p, (_, bytes, ..)) in paths.iter().zip(docs) {
        files.push((p, bytes));
    }
    zip_of(&files)
}

/// A message carrying `zip` as IHE_XDM.ZIP.
pub fn message_with_zip(n: usize, zip: &[u8]) -> Vec<u8> {
    mail_builder::MessageBuilder::new()
        .from(("Laboratoire des Brotteaux", "labo@brotteaux.mssante.fr"))
        .to(("Dr Paul Martin", "paul.martin@medecin.mssante.fr"))
        .subject(format!("XDM/1.0/DDM+ Résultats {n}"))
        .message_id(format!("res-{n}@brotteaux.mssante.fr"))
        .date(1_795_000_000i64 + n as i64)
        .text_body("Veuillez trouver les résultats ci-joints.")
        .attachment("application/zip", "IHE_XDM.ZIP", zip.to_vec())
        .write_to_vec()
        .unwrap()
}

/// Store a raw message in the local INBOX; returns its id.
pub fn insert(store: &Store, raw: &[u8]) -> i64 {
    let folder = store
        .ensure_folder(None, "INBOX", Some(FolderRole::Inbox))
        .unwrap();
    store
        .insert_raw(folder, raw, Flag::default(), None)
        .unwrap()
}
