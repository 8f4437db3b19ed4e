//! The CLI as scripts use it: import, folders, list, search, show, export, store info.

use std::process::{Command, Output};

const KEY: &str = "4242424242424242424242424242424242424242424242424242424242424242";

fn caducee(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caducee"))
        .env("CADUCEE_LANG", "en")
        .args(args)
        .env("CADUCEE_DATA_DIR", data)
        .env("CADUCEE_STORE_KEY", KEY)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn import_list_search_show_export() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mbox = dir.path().join("Archives.mbox");
    std::fs::write(
        &mbox,
        "From a Mon Nov  2 10:00:00 2026\nMessage-ID: <c1@x>\nFrom: Dr Lévy <levy@chu.mssante.fr>\nTo: moi@medecin.mssante.fr\nSubject: Bilan rénal\nDate: Mon, 2 Nov 2026 10:00:00 +0100\nContent-Type: text/plain; charset=utf-8\n\nCréatinine stable.\n\
From b Mon Nov  2 11:00:00 2026\nMessage-ID: <c2@x>\nFrom: Pharmacie <pharma@officine.mssante.fr>\nTo: moi@medecin.mssante.fr\nSubject: Ordonnance\nDate: Mon, 2 Nov 2026 11:00:00 +0100\n\nQuestion sur la posologie.\n",
    )
    .unwrap();

    let out = caducee(&data, &["import", mbox.to_str().unwrap(), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["imported"], 2);
    assert_eq!(report["folder"], "Archives");

    let folders: serde_json::Value =
        serde_json::from_slice(&caducee(&data, &["folders", "--json"]).stdout).unwrap();
    assert_eq!(folders[0]["name"], "Archives");
    assert_eq!(folders[0]["total"], 2);

    let list: serde_json::Value =
        serde_json::from_slice(&caducee(&data, &["list", "--folder", "Archives", "--json"]).stdout)
            .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["subject"], "Ordonnance", "newest first");

    let found = caducee(&data, &["search", "creatinine", "--json"]);
    assert!(found.status.success());
    let hits: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 1);
    let id = hits[0]["id"].as_i64().unwrap().to_string();

    let none = caducee(&data, &["search", "inexistant"]);
    assert_eq!(none.status.code(), Some(1), "no result exits 1");

    let shown = stdout(&caducee(&data, &["show", &id]));
    assert!(
        shown.contains("From:    Dr Lévy <levy@chu.mssante.fr>"),
        "{shown}"
    );
    assert!(shown.contains("Créatinine stable."));

    let raw = caducee(&data, &["show", &id, "--raw"]).stdout;
    assert!(raw.starts_with(b"Message-ID: <c1@x>"));

    let out_dir = dir.path().join("export");
    let exported = caducee(
        &data,
        &[
            "export",
            "--folder",
            "Archives",
            "--to",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(exported.status.success());
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 2);
    assert_eq!(
        std::fs::read(out_dir.join(format!("{id}.eml"))).unwrap(),
        raw
    );

    let info: serde_json::Value =
        serde_json::from_slice(&caducee(&data, &["store", "info", "--json"]).stdout).unwrap();
    assert_eq!(info["messages"], 2);
    assert_eq!(info["encrypted"], true);
    assert_eq!(info["key_source"], "environment");
}

#[test]
fn errors_are_explained_with_an_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = caducee(&data, &["import", "/nonexistent/mail.mbox"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no such file or folder"), "{err}");

    let out = caducee(&data, &["search", "after:yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a date"));

    let out = caducee(&data, &["show", "999"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no message with id 999"));

    let out = Command::new(env!("CARGO_BIN_EXE_caducee"))
        .env("CADUCEE_LANG", "en")
        .args(["store", "info"])
        .env("CADUCEE_DATA_DIR", &data)
        .env("CADUCEE_STORE_KEY", "abc")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("64 hexadecimal digits"));
}

#[test]
fn demo_mailbox_works_without_any_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_caducee"))
        .env("CADUCEE_LANG", "en")
        .args(["--demo", "folders", "--json"])
        .env("CADUCEE_DATA_DIR", dir.path())
        .env_remove("CADUCEE_STORE_KEY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let folders: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total: i64 = folders
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["total"].as_i64().unwrap())
        .sum();
    assert_eq!(total as usize, caducee::demo::messages().len());
}
