//! Reading, refusing and building IHE XDM packages and their CDA documents.

mod support;

use caducee::documents::{
    self, CdaBody, Code, DocumentError, IdentityState, PackAuthor, PackInput, PatientIdentity, Sex,
    XdmLimits, read_xdm,
};
use support::documents::*;

fn two_document_package() -> (Vec<u8>, Vec<u8>) {
    let ins = patient_ins();
    let pdf = tiny_pdf("échographie");
    let zip = xdm_package(
        &ins,
        &[
            (
                "DOC0001.XML",
                cda_level1(&ins, &pdf),
                "18748-4",
                "Échographie abdominale",
            ),
            (
                "DOC0002.XML",
                cda_level3(&ins),
                "11502-2",
                "Compte rendu d'examens biologiques",
            ),
        ],
    );
    (zip, pdf)
}

#[test]
fn reads_a_package_with_a_level1_and_a_level3_document() {
    let (zip, pdf) = two_document_package();
    let p = read_xdm(&zip, &XdmLimits::default()).unwrap();
    assert_eq!(p.subsets.len(), 1);
    assert_eq!(p.subsets[0].name, "SUBSET01");
    assert_eq!(p.readme.as_deref(), Some("Support IHE XDM de test"));
    assert!(p.index_htm.unwrap().contains("Documents"));
    let ss = &p.subsets[0].metadata.submission_set;
    assert_eq!(ss.submission_time, "20261120133500");
    assert_eq!(ss.patient_id.as_ref().unwrap().id, patient_ins());
    assert_eq!(p.documents.len(), 2);

    // Metadata of the first entry.
    let e = &p.documents[0].entry;
    assert_eq!(e.uri, "DOC0001.XML");
    assert_eq!(e.title, "Échographie abdominale");
    assert_eq!(e.type_code.as_ref().unwrap().code, "18748-4");
    assert_eq!(e.class_code.as_ref().unwrap().display, "Compte rendu");
    assert_eq!(e.confidentiality[0].code, "N");
    assert_eq!(e.creation_time, "20261120133000");
    let pid = e.patient_id.as_ref().unwrap();
    assert_eq!(
        (pid.id.as_str(), pid.authority.as_str()),
        (patient_ins().as_str(), "1.2.250.1.213.1.4.8")
    );
    assert_eq!(pid.ins().unwrap().as_str(), patient_ins());
    assert_eq!(e.authors[0].person_name(), "Dr Françoise LÉVY");
    assert!(e.authors[0].institutions[0].starts_with("Laboratoire des Brotteaux"));
    assert_eq!(e.source_patient_info[1], "PID-7|19620714");

    // Level 1: the PDF comes back byte for byte.
    let cda1 = p.documents[0].cda.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(cda1.embedded(), Some(("application/pdf", pdf.as_slice())));
    assert_eq!(cda1.code.as_ref().unwrap().code, "18748-4");
    assert_eq!(cda1.title, "Échographie abdominale");

    // Header of the level-3 document.
    let cda3 = p.documents[1].cda.as_ref().unwrap().as_ref().unwrap();
    let pat = &cda3.patient;
    assert_eq!(pat.given, ["Jeanne", "Marie"]);
    assert_eq!(pat.family, "DURAND");
    assert_eq!(pat.used_family.as_deref(), Some("LEROY"));
    assert_eq!(pat.birth_date.as_deref(), Some("19620714"));
    assert_eq!(pat.sex.as_deref(), Some("F"));
    assert_eq!(pat.ids.len(), 2);
    assert_eq!(pat.ins().unwrap().as_str(), patient_ins());
    assert_eq!(pat.identity_state(), IdentityState::Qualified);
    let author = cda3.author.as_ref().unwrap();
    assert_eq!(author.display_name(), "Dr Françoise LÉVY");
    assert_eq!(author.ids[0].extension, "810001234567");
    assert_eq!(author.organization, "Laboratoire des Brotteaux");
    assert_eq!(
        cda3.custodian.as_ref().unwrap().ids[0].extension,
        "169000001"
    );
    assert_eq!(cda3.effective_time.as_deref(), Some("20261120143000+0100"));

    // Body of the level-3 document, as text.
    let CdaBody::Structured { sections } = &cda3.body else {
        panic!("level 3 expected, got {:?}", cda3.body);
    };
    assert_eq!(sections.len(), 2);
    assert_eq!(sections[0].title, "Biochimie sanguine");
    assert_eq!(sections[0].code.as_ref().unwrap().code, "18719-5");
    let lines: Vec<&str> = sections[0].text.lines().collect();
    assert_eq!(
        lines,
        [
            "Prélèvement du 20/11/2026 à 08:10, à jeun.",
            "Analyse | Résultat | Unité | Référence",
            "Glycémie | 1,32 | g/L | 0,70 - 1,10",
            "Créatinine | 8,1 | mg/L | 5,7 - 11,1",
        ]
    );
    assert_eq!(
        (sections[1].depth, sections[1].title.as_str()),
        (2, "Commentaire du biologiste")
    );
    assert_eq!(
        sections[1].text,
        "- Glycémie > normale : contrôle à prévoir.\n- Fonction rénale conservée."
    );
    let text = cda3.render_text();
    assert!(text.contains("## Commentaire du biologiste"), "{text}");
    assert!(
        text.contains("Patient : LEROY Jeanne Marie, né(e) le 14/07/1962"),
        "{text}"
    );
    assert!(text.contains("(identité qualifiée)"), "{text}");
}

#[test]
fn mss_headers_list_codes_and_ins_state() {
    let (zip, _) = two_document_package();
    let h = documents::mss_headers(&zip).unwrap();
    assert_eq!(h.codecda, ["18748-4", "11502-2"]);
    assert!(h.ins_qualified);
    assert_eq!(h.codecda_header(), "18748-4,11502-2");
    assert_eq!(h.ins_header(), "O");

    let ins = patient_ins();
    let unqualified = xdm_package(
        &ins,
        &[
            ("A.XML", cda_level3(&ins), "11502-2", "A"),
            ("B.XML", cda_without_ins(), "11502-2", "B"),
        ],
    );
    let h = documents::mss_headers(&unqualified).unwrap();
    assert_eq!(h.codecda, ["11502-2"]);
    assert_eq!(h.ins_header(), "N");

    let bad_key = ins_of("2620769123456").replace(&patient_ins()[13..], "00");
    let invalid = xdm_package(&ins, &[("A.XML", cda_level3(&bad_key), "11502-2", "A")]);
    let p = read_xdm(&invalid, &XdmLimits::default()).unwrap();
    let cda = p.documents[0].cda.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(cda.patient.identity_state(), IdentityState::Invalid);
    assert!(!documents::mss_headers(&invalid).unwrap().ins_qualified);
}

fn refused(zip: &[u8]) -> DocumentError {
    refused_with(zip, &XdmLimits::default())
}

fn refused_with(zip: &[u8], limits: &XdmLimits) -> DocumentError {
    match read_xdm(zip, limits) {
        Ok(p) => panic!(
            "accepted a hostile package with {} documents",
            p.documents.len()
        ),
        Err(e) => e,
    }
}

#[test]
fn refuses_path_traversal_and_absolute_names() {
    let ins = patient_ins();
    let md = metadata(&ins, &[("DOC0001.XML", "11502-2", "A")]);
    let cda = cda_level3(&ins);
    for evil in [
        "IHE_XDM/SUBSET01/../../../home/user/.bashrc",
        "/etc/cron.d/evil",
        "..\\..\\Windows\\evil.bat",
        "C:/Users/evil.bat",
    ] {
        let zip = zip_of(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", &md),
            ("IHE_XDM/SUBSET01/DOC0001.XML", &cda),
            (evil, b"echo owned"),
        ]);
        let err = refused(&zip);
        assert!(matches!(err, DocumentError::UnsafePath(_)), "{evil}: {err}");
        assert!(err.to_string().contains("unsafe file name"), "{err}");
    }
    // A document URI in the metadata that climbs out of the subset.
    let md = metadata(&ins, &[("../../x.xml", "11502-2", "A")]);
    let zip = zip_of(&[("IHE_XDM/SUBSET01/METADATA.XML", &md)]);
    assert!(matches!(refused(&zip), DocumentError::UnsafePath(_)));
}

#[test]
fn refuses_zip_bombs() {
    let ins = patient_ins();
    let md = metadata(&ins, &[("DOC0001.XML", "11502-2", "A")]);
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let bomb = zip_of(&[
        ("IHE_XDM/SUBSET01/METADATA.XML", &md),
        ("IHE_XDM/SUBSET01/DOC0001.XML", &zeros),
    ]);
    assert!(
        bomb.len() < 100 * 1024,
        "the bomb compresses well: {}",
        bomb.len()
    );
    let err = refused(&bomb);
    assert!(matches!(err, DocumentError::ZipRatio { .. }), "{err}");
    assert!(err.to_string().contains("zip bomb"), "{err}");

    // Total size, whatever the ratio.
    let limits = XdmLimits {
        max_total_bytes: 1024 * 1024,
        ..XdmLimits::default()
    };
    let err = refused_with(&bomb, &limits);
    assert!(matches!(err, DocumentError::ZipTooLarge { .. }), "{err}");

    // Entry count.
    let names: Vec<String> = (0..50).map(|i| format!("IHE_XDM/SUBSET01/F{i}")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let many = zip_of(&files);
    let limits = XdmLimits {
        max_entries: 20,
        ..XdmLimits::default()
    };
    let err = refused_with(&many, &limits);
    assert!(
        matches!(err, DocumentError::ZipTooManyEntries { count: 50, max: 20 }),
        "{err}"
    );
}

#[test]
fn refuses_truncated_and_non_xdm_archives() {
    let (zip, _) = two_document_package();
    for cut in [zip.len() / 2, zip.len() - 30, 10] {
        let err = refused(&zip[..cut]);
        assert!(
            matches!(
                err,
                DocumentError::ZipMalformed(_) | DocumentError::ZipEntry(..)
            ),
            "cut at {cut}: {err}"
        );
        assert!(
            err.to_string().contains("zip") || err.to_string().contains("damaged"),
            "{err}"
        );
    }
    let plain = zip_of(&[("photo.txt", b"hello")]);
    assert!(matches!(refused(&plain), DocumentError::NotXdm));
    assert!(matches!(
        refused(b"not a zip at all"),
        DocumentError::ZipMalformed(_)
    ));
}

#[test]
fn refuses_encrypted_entries() {
    let ins = patient_ins();
    let md = metadata(&ins, &[("DOC0001.XML", "11502-2", "A")]);
    let mut zip = zip_of(&[
        ("IHE_XDM/SUBSET01/METADATA.XML", &md),
        ("IHE_XDM/SUBSET01/DOC0001.XML", &cda_level3(&ins)),
    ]);
    // Set the "encrypted" bit of every entry, in local and central headers.
    let mut i = 0;
    while i + 4 <= zip.len() {
        match &zip[i..i + 4] {
            b"PK\x03\x04" => zip[i + 6] |= 1,
            b"PK\x01\x02" => zip[i + 8] |= 1,
            _ => {}
        }
        i += 1;
    }
    let err = refused(&zip);
    assert!(matches!(err, DocumentError::Encrypted(_)), "{err}");
    assert!(err.to_string().contains("encrypted"), "{err}");
}

#[test]
fn refuses_external_entities_in_metadata_and_cda() {
    let ins = patient_ins();
    let xxe = |xml: &[u8]| -> Vec<u8> {
        let s = String::from_utf8(xml.to_vec()).unwrap();
        s.replacen(
            "?>",
            "?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\"><!ENTITY remote SYSTEM \"http://127.0.0.1:9/x\">]>",
            1,
        )
        .replace("<title>", "<title>&xxe;&remote;")
        .into_bytes()
    };
    let md = metadata(&ins, &[("DOC0001.XML", "11502-2", "A")]);
    let zip = zip_of(&[
        ("IHE_XDM/SUBSET01/METADATA.XML", &xxe(&md)),
        ("IHE_XDM/SUBSET01/DOC0001.XML", &cda_level3(&ins)),
    ]);
    let err = refused(&zip);
    assert!(matches!(err, DocumentError::XmlDoctype { .. }), "{err}");
    assert!(
        err.to_string().contains("METADATA.XML declares a DOCTYPE"),
        "{err}"
    );

    let zip = zip_of(&[
        ("IHE_XDM/SUBSET01/METADATA.XML", &md),
        ("IHE_XDM/SUBSET01/DOC0001.XML", &xxe(&cda_level3(&ins))),
    ]);
    let err = refused(&zip);
    assert!(
        err.to_string().contains("DOC0001.XML declares a DOCTYPE"),
        "{err}"
    );

    // An entity used without any declaration is not expanded either.
    let undeclared = String::from_utf8(cda_level3(&ins))
        .unwrap()
        .replace("<title>", "<title>&xxe;");
    let err = documents::cda::parse_cda(undeclared.as_bytes(), "x.xml").unwrap_err();
    assert!(err.to_string().contains("undefined entity"), "{err}");
}

fn patient() -> PatientIdentity {
    PatientIdentity {
        ins: patient_ins(),
        given: vec!["Jeanne".into(), "Marie".into()],
        family: "DURAND".into(),
        birth_date: "1962-07-14".into(),
        sex: Sex::Female,
    }
}

fn author() -> PackAuthor {
    PackAuthor {
        national_id: "810009876543".into(),
        prefix: "Dr".into(),
        given: "Paul".into(),
        family: "MARTIN".into(),
        organization: "Cabinet du Dr Martin".into(),
        organization_id: "1690000099".into(),
    }
}

#[test]
fn packs_cda_and_pdf_and_reads_them_back() {
    let ins = patient_ins();
    let pdf = tiny_pdf("ordonnance");
    let cda = cda_level3(&ins);
    let zip = documents::pack(
        &patient(),
        &author(),
        &[
            PackInput::Cda {
                name: "bio.xml".into(),
                bytes: cda.clone(),
            },
            PackInput::Pdf {
                name: "courrier.pdf".into(),
                bytes: pdf.clone(),
                code: Code {
                    code: "11488-4".into(),
                    system: String::new(),
                    display: "Compte rendu de consultation".into(),
                },
                title: "Courrier de sortie".into(),
            },
        ],
    )
    .unwrap();
    let p = read_xdm(&zip, &XdmLimits::default()).unwrap();
    assert!(p.readme.as_ref().unwrap().contains("IHE XDM"));
    assert!(
        p.index_htm
            .as_ref()
            .unwrap()
            .contains("IHE_XDM/SUBSET01/DOC0002.XML")
    );
    assert_eq!(p.documents.len(), 2);
    assert_eq!(p.documents[0].bytes, cda, "a CDA is packed as given");
    let e1 = &p.documents[1].entry;
    assert_eq!(e1.uri, "DOC0002.XML");
    assert_eq!(e1.type_code.as_ref().unwrap().code, "11488-4");
    assert_eq!(
        e1.format_code.as_ref().unwrap().code,
        "urn:ihe:iti:xds-sd:pdf:2008"
    );
    assert_eq!(e1.patient_id.as_ref().unwrap().id, ins);
    assert_eq!(e1.size, Some(p.documents[1].bytes.len() as u64));
    use sha1::Digest;
    assert_eq!(
        e1.hash,
        hex::encode(sha1::Sha1::digest(&p.documents[1].bytes))
    );
    assert_eq!(e1.authors[0].person_name(), "Dr Paul MARTIN");
    // The XDS creation time is the CDA time in UTC.
    assert_eq!(p.documents[0].entry.creation_time, "20261120133000");
    let wrapped = p.documents[1].cda.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(
        wrapped.embedded(),
        Some(("application/pdf", pdf.as_slice()))
    );
    assert_eq!(wrapped.title, "Courrier de sortie");
    assert_eq!(wrapped.patient.ins().unwrap().as_str(), ins);
    assert_eq!(wrapped.patient.given, ["Jeanne", "Marie"]);
    assert_eq!(wrapped.patient.birth_date.as_deref(), Some("19620714"));
    assert_eq!(
        wrapped.author.as_ref().unwrap().display_name(),
        "Dr Paul MARTIN"
    );
    assert_eq!(
        wrapped.custodian.as_ref().unwrap().name,
        "Cabinet du Dr Martin"
    );
    let h = documents::mss_headers(&zip).unwrap();
    assert_eq!(h.codecda, ["11502-2", "11488-4"]);
    assert!(h.ins_qualified);
    assert_eq!(
        documents::patient_address(&ins).unwrap(),
        format!("{ins}@patient.mssante.fr")
    );
}

#[test]
fn packing_refuses_a_cda_of_another_patient_and_bad_identities() {
    let other = ins_of("1840169123457");
    let err = documents::pack(
        &patient(),
        &author(),
        &[PackInput::Cda {
            name: "autre.xml".into(),
            bytes: cda_level3(&other),
        }],
    )
    .unwrap_err();
    assert!(err.to_string().contains("names another patient"), "{err}");

    let mut bad = patient();
    bad.ins = "262076912345600".into();
    let err = documents::pack(
        &bad,
        &author(),
        &[PackInput::Cda {
            name: "a.xml".into(),
            bytes: cda_without_ins(),
        }],
    )
    .unwrap_err();
    assert!(matches!(err, DocumentError::Ins { .. }), "{err}");

    let err = documents::pack(
        &patient(),
        &author(),
        &[PackInput::Pdf {
            name: "x.pdf".into(),
            bytes: b"not a pdf".to_vec(),
            code: Code::default(),
            title: "x".into(),
        }],
    )
    .unwrap_err();
    assert!(err.to_string().contains("%PDF-"), "{err}");
}
