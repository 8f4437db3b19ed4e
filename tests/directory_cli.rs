//! `caducee directory import | info | search | lookup` through the real binary.

use std::process::Command;

const HEADER: &str = "Type de BAL|Adresse BAL|Type Identifiant PP|Identifiant PP|Identification nationale PP|Type identifiant structure|Identification Structure|Service de rattachement|Civilité d'exercice|Nom d'exercice|Prénom d'exercice|Catégorie profession|Libellé de catégorie profession|Code Profession|Libellé Profession|Code savoir-faire|Libellé savoir-faire|Dématérialisation|Raison Sociale structure BAL|Enseigne commerciale structure BAL|L2COMPLEMENTLOCALISATION|L3COMPLEMENTDISTRIBUTION|L4NUMEROVOIE|L4COMPLEMENTNUMEROVOIE|NL4TYPEVOIE|L4LIBELLEVOIE|L5LIEUDITMENTION|L6LIGNEACHEMINEMENT|Code postal|Département|Pays";

fn caducee(data: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_caducee"))
        .env("CADUCEE_LANG", "en")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("CADUCEE_ESANTE_API_KEY")
        .env_remove("CADUCEE_DEPARTMENT")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn import_info_search_lookup() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp
        .path()
        .join("Extraction_Correspondance_MSSante_202611010000.txt");
    let rows = [
        "PER|jean.lefevre@medecin.mssante.fr|8|10000000001|810000000001||||DR|LEFÈVRE|JEAN|C|Civil|10|Médecin|SM54|Médecine générale|true|CABINET||||12||R|DES LILAS||42000 SAINT-ÉTIENNE|42000|42|France",
        "ORG|accueil@ch-lyon.mssante.fr||||1|100000000|Accueil||||||||||false|CH LYON||||2||AV|DE LA RÉPUBLIQUE||69003 LYON|69003|69|France",
        "PER|broken",
    ];
    std::fs::write(&file, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    let data = tmp.path().join("data");

    let (ok, out, err) = caducee(&data, &["directory", "import", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("2 mailboxes imported"), "{out}");
    assert!(out.contains("line 4"), "{out}");

    let (ok, out, _) = caducee(&data, &["directory", "info", "--json"]);
    assert!(ok);
    let info: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(info["mailboxes"], 2);
    assert!(info["age_days"].as_i64().unwrap() >= 0);

    let (ok, out, _) = caducee(
        &data,
        &[
            "directory",
            "search",
            "lefevre",
            "--city",
            "st etienne",
            "--json",
        ],
    );
    assert!(ok);
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(found[0]["address"], "jean.lefevre@medecin.mssante.fr");
    assert_eq!(found[0]["paper_free"], true);

    let (ok, out, _) = caducee(&data, &["directory", "search", "--type", "ORG"]);
    assert!(ok);
    assert!(
        out.contains("accueil@ch-lyon.mssante.fr") && !out.contains("lefevre"),
        "{out}"
    );

    let (ok, out, _) = caducee(
        &data,
        &["directory", "lookup", "Jean.Lefevre@medecin.mssante.fr"],
    );
    assert!(ok);
    assert!(
        out.contains("Dématérialisation") && out.contains("10000000001"),
        "{out}"
    );

    let (ok, _, err) = caducee(&data, &["directory", "lookup", "nobody@x.mssante.fr"]);
    assert!(!ok);
    assert!(err.contains("not in the directory"), "{err}");

    // The API base URL is a saved setting.
    let (ok, out, _e) = caducee(
        &data,
        &["directory", "set-api-base", "http://127.0.0.1:9/fhir/v2"],
    );
    assert!(
        ok && out.contains("http://127.0.0.1:9/fhir/v2"),
        "{out} {_e}"
    );
    let (_, out, _) = caducee(&data, &["directory", "info"]);
    assert!(
        out.contains("online API:  http://127.0.0.1:9/fhir/v2"),
        "{out}"
    );
    let (_, out, _) = caducee(&data, &["directory", "set-api-base"]);
    assert!(
        out.contains("https://gateway.api.esante.gouv.fr/fhir/v2"),
        "{out}"
    );

    // Online without a key: a message saying where the key goes.
    let (ok, _, err) = caducee(
        &data,
        &[
            "directory",
            "search",
            "lefevre",
            "--online",
            "--api-base",
            "http://127.0.0.1:9",
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("API key") || err.contains("cannot reach"),
        "{err}"
    );
}
