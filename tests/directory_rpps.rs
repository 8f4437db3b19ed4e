//! PS_LibreAcces (RPPS register) enrichment: told apart from the extraction by
//! `directory import`, both layouts (52 columns, and 56 read by header names),
//! the tolerances of the extraction, the practice shown on lookups and
//! searches, and the swap of the enrichment file.

use std::io::{BufReader, Cursor};
use std::process::Command;

use caducee::directory::{Directory, DirectoryQuery, ImportKind};

const HEADER: &str = "Type de BAL|Adresse BAL|Type Identifiant PP|Identifiant PP|Identification nationale PP|Type identifiant structure|Identification Structure|Service de rattachement|Civilité d'exercice|Nom d'exercice|Prénom d'exercice|Catégorie profession|Libellé de catégorie profession|Code Profession|Libellé Profession|Code savoir-faire|Libellé savoir-faire|Dématérialisation|Raison Sociale structure BAL|Enseigne commerciale structure BAL|L2COMPLEMENTLOCALISATION|L3COMPLEMENTDISTRIBUTION|L4NUMEROVOIE|L4COMPLEMENTNUMEROVOIE|NL4TYPEVOIE|L4LIBELLEVOIE|L5LIEUDITMENTION|L6LIGNEACHEMINEMENT|Code postal|Département|Pays";

/// The real 52-column header (reference/directory/ps_libreacces_header.txt).
const PS_HEADER: &str = "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens|";

/// A person of the extraction, at a hospital (FINESS 1 + 310000001) or not.
fn mailbox(addr: &str, rpps: &str, family: &str, hospital: bool) -> String {
    let (st_type, st_id, name) = if hospital {
        ("1", "1310000001", "CHU DE TOULOUSE")
    } else {
        ("", "", "CABINET")
    };
    format!(
        "PER|{addr}|8|{rpps}|8{rpps}|{st_type}|{st_id}||DR|{family}|ANNE|C|Civil|10|Médecin|SM04|Cardiologie et maladies vasculaires|true|{name}||||12||R|DES LILAS||31000 TOULOUSE|31000|31|France"
    )
}

/// A PS_LibreAcces row in the 52-column layout, with its trailing separator.
fn activity(rpps: &str, finess: &str, mode: &str, phone: &str, skill: (&str, &str)) -> String {
    let mut f = vec![""; 52];
    f[0] = "8";
    f[1] = rpps;
    let national = format!("8{rpps}");
    f[2] = &national;
    f[7] = "ROY";
    f[8] = "ANNE";
    f[9] = "10";
    f[10] = "Médecin";
    f[11] = "C";
    f[12] = "Civil";
    f[14] = skill.0;
    f[16] = skill.1;
    f[18] = mode;
    f[21] = finess;
    f[24] = if finess.is_empty() {
        "CABINET ROY"
    } else {
        "CHU DE TOULOUSE"
    };
    f[35] = "31000";
    f[37] = "TOULOUSE";
    f[40] = phone;
    f[43] = "secretariat@example.fr";
    f[49] = if finess.is_empty() {
        "Cabinet individuel"
    } else {
        "Etablissement public de santé"
    };
    format!("{}|", f.join("|"))
}

fn extraction() -> Vec<u8> {
    format!(
        "{HEADER}\n{}\n{}\n{}\n",
        mailbox(
            "anne.roy@chu-toulouse.mssante.fr",
            "10000000011",
            "ROY",
            true
        ),
        mailbox("anne.roy@medecin.mssante.fr", "10000000011", "ROY", false),
        mailbox(
            "paul.vidal@medecin.mssante.fr",
            "10000000022",
            "VIDAL",
            false
        ),
    )
    .into_bytes()
}

fn ps_file(rows: &[String]) -> Vec<u8> {
    let mut out = format!("\u{feff}{PS_HEADER}\r\n");
    for r in rows {
        out.push_str(r);
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn rows() -> Vec<String> {
    vec![
        // Anne Roy: a private practice first, then the hospital of her mailbox.
        activity(
            "10000000011",
            "",
            "Libéral",
            "0561000001",
            ("Spécialité ordinale", "Cardiologie et maladies vasculaires"),
        ),
        activity(
            "10000000011",
            "310000001",
            "Salarié",
            "0561000002",
            ("Capacité", "Médecine du sport"),
        ),
        // A professional with no mailbox.
        activity("10000000099", "", "Libéral", "0561000009", ("", "")),
        // Broken: cut, and an extra field in a name.
        "8|10000000033|810000000033|DR|Docteur".to_owned(),
        activity("10000000044", "", "Libéral", "0561000004", ("", "")).replacen("ROY", "ROY|X", 1),
        // Stray quotes.
        activity("10000000022", "", "\"Libéral\"", "\"0561000022\"", ("", "")),
    ]
}

#[test]
fn ps_libreacces_is_recognised_and_enriches_professionals() {
    let tmp = tempfile::tempdir().unwrap();
    let ext = tmp
        .path()
        .join("Extraction_Correspondance_MSSante_202611230455.txt");
    std::fs::write(&ext, extraction()).unwrap();
    // A name that says nothing: the header tells.
    let ps = tmp.path().join("export.txt");
    std::fs::write(&ps, ps_file(&rows())).unwrap();
    let mut d = Directory::open(&tmp.path().join("data")).unwrap();
    let r = d.import_file(&ext).unwrap();
    assert_eq!((r.kind, r.mailboxes), (ImportKind::Extraction, 3));

    let r = d.import_file(&ps).unwrap();
    assert_eq!(r.kind, ImportKind::PsLibreAcces);
    assert_eq!(r.activities, 4, "{:?}", r.problems);
    assert_eq!(r.professionals, 3);
    assert_eq!(r.rejected, 2);
    let lines: Vec<u64> = r.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![5, 6], "{:?}", r.problems);
    assert!(
        r.problems[0].reason.contains("5 fields, 52 expected"),
        "{:?}",
        r.problems
    );
    // The hospital mailbox, the private one and Paul Vidal's.
    assert_eq!(r.enriched, 3);
    assert_eq!(d.len().unwrap(), 3, "the mailboxes are untouched");

    // At the hospital: the hospital's activity; elsewhere: the first one.
    let hospital = d
        .lookup("anne.roy@chu-toulouse.mssante.fr")
        .unwrap()
        .unwrap();
    let p = hospital.practice.unwrap();
    assert_eq!(
        (p.exercise_mode.as_str(), p.phone.as_str()),
        ("Salarié", "0561000002")
    );
    assert_eq!(p.site, "CHU DE TOULOUSE");
    assert_eq!(p.sector, "Etablissement public de santé");
    assert_eq!(p.activities, 2);
    assert_eq!(
        p.skills,
        vec![
            "Cardiologie et maladies vasculaires (Spécialité ordinale)".to_owned(),
            "Médecine du sport (Capacité)".to_owned()
        ]
    );
    let private = d.lookup("anne.roy@medecin.mssante.fr").unwrap().unwrap();
    assert_eq!(private.practice.unwrap().phone, "0561000001");
    let vidal = d.lookup("paul.vidal@medecin.mssante.fr").unwrap().unwrap();
    let p = vidal.practice.unwrap();
    assert_eq!(
        (p.exercise_mode.as_str(), p.phone.as_str()),
        ("Libéral", "0561000022")
    );

    // Searches carry it too.
    let found = d.search(&DirectoryQuery::text("roy"), 5).unwrap();
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|e| e.practice.is_some()));

    // A handle opened before a new PS import follows it; the old file goes.
    let other = Directory::open(&tmp.path().join("data")).unwrap();
    let again = vec![activity(
        "10000000022",
        "",
        "Salarié",
        "0561999999",
        ("", ""),
    )];
    let r = d
        .import_ps_reader(BufReader::new(Cursor::new(ps_file(&again))), "again")
        .unwrap();
    assert_eq!((r.activities, r.enriched), (1, 1));
    let p = other
        .lookup("paul.vidal@medecin.mssante.fr")
        .unwrap()
        .unwrap()
        .practice
        .unwrap();
    assert_eq!(p.phone, "0561999999");
    assert!(
        other
            .lookup("anne.roy@medecin.mssante.fr")
            .unwrap()
            .unwrap()
            .practice
            .is_none()
    );
    let rpps_files = std::fs::read_dir(tmp.path().join("data"))
        .unwrap()
        .filter(|f| {
            f.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("-rpps-")
        })
        .count();
    assert_eq!(rpps_files, 1);

    // A new extraction keeps the enrichment.
    d.import_file(&ext).unwrap();
    assert!(
        d.lookup("paul.vidal@medecin.mssante.fr")
            .unwrap()
            .unwrap()
            .practice
            .is_some()
    );
}

#[test]
fn the_56_column_layout_is_read_by_header_names() {
    // Four more columns, here put first, shift every other one: the names
    // still find them.
    let header = format!("A|B|C|D|{PS_HEADER}");
    let row = format!(
        "a|b|c|d|{}",
        activity(
            "10000000022",
            "",
            "Libéral",
            "0561000022",
            ("Capacité", "Gérontologie")
        )
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut d = Directory::open(tmp.path()).unwrap();
    d.import_reader(BufReader::new(Cursor::new(extraction())), "e", None)
        .unwrap();
    let text = format!("{header}\n{row}\n{}\n", "x|".repeat(20));
    let r = d
        .import_ps_reader(
            BufReader::new(Cursor::new(text.into_bytes())),
            "PS_LibreAcces_56",
        )
        .unwrap();
    assert_eq!((r.activities, r.rejected), (1, 1), "{:?}", r.problems);
    assert!(
        r.problems[0].reason.contains("56 expected"),
        "{:?}",
        r.problems
    );
    let p = d
        .lookup("paul.vidal@medecin.mssante.fr")
        .unwrap()
        .unwrap()
        .practice
        .unwrap();
    assert_eq!(p.phone, "0561000022");
    assert_eq!(p.skills, vec!["Gérontologie (Capacité)".to_owned()]);
}

#[test]
fn the_cli_imports_both_files_and_shows_the_practice() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let ext = tmp.path().join("Extraction_Correspondance_MSSante.txt");
    std::fs::write(&ext, extraction()).unwrap();
    // A zip of a PS_LibreAcces file with no header at all: the column count tells.
    let zip_path = tmp.path().join("PS_LibreAcces.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        z.start_file(
            "PS_LibreAcces_Personne_activite.txt",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(&mut z, rows()[..2].join("\n").as_bytes()).unwrap();
        z.finish().unwrap();
    }
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_caducee"))
            .env("CADUCEE_LANG", "en")
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = run(&["directory", "import", ext.to_str().unwrap()]);
    assert!(out.contains("3 mailboxes imported"), "{out}");
    let out = run(&["directory", "import", zip_path.to_str().unwrap()]);
    assert!(out.contains("2 activities of 1 professionals"), "{out}");
    assert!(out.contains("enriched:    2 mailboxes"), "{out}");
    let out = run(&["directory", "lookup", "anne.roy@chu-toulouse.mssante.fr"]);
    assert!(out.contains("phone:       0561000002"), "{out}");
    assert!(out.contains("mode:        Salarié"), "{out}");
    assert!(
        out.contains("skill:       Médecine du sport (Capacité)"),
        "{out}"
    );
    let out = run(&[
        "directory",
        "lookup",
        "anne.roy@medecin.mssante.fr",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["practice"]["phone"], "0561000001");
    assert_eq!(v["practice"]["exercise_mode"], "Libéral");
    let out = run(&["directory", "info", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rpps_activities"], 2);
    assert_eq!(v["enriched"], 2);
}
