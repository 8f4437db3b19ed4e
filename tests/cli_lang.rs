//! The command line's errors are in the user's language: `CADUCEE_LANG`,
//! else the system locale, French by default.

use std::process::Command;

/// `caducee store info` over a data directory that cannot be created (under
/// a plain file), with the given environment; its error output.
fn error_with(env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_caducee"));
    c.env_remove("CADUCEE_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env("CADUCEE_STORE_KEY", "00".repeat(32))
        .args(["--data-dir"])
        .arg(file.join("data"))
        .args(["store", "info"]);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn errors_follow_the_chosen_language() {
    let fr = error_with(&[("CADUCEE_LANG", "fr")]);
    assert!(
        fr.contains("impossible de créer le dossier de données"),
        "{fr}"
    );
    let en = error_with(&[("CADUCEE_LANG", "en"), ("LANG", "fr_FR.UTF-8")]);
    assert!(en.contains("cannot create the data directory"), "{en}");
}

#[test]
fn errors_follow_the_system_locale_french_by_default() {
    let en = error_with(&[("LANG", "en_GB.UTF-8")]);
    assert!(en.contains("cannot create the data directory"), "{en}");
    let fr = error_with(&[("LANG", "fr_FR.UTF-8")]);
    assert!(fr.contains("impossible de créer"), "{fr}");
    let default = error_with(&[]);
    assert!(default.contains("impossible de créer"), "{default}");
}

#[test]
fn a_wrong_store_key_is_told_in_french() {
    let dir = tempfile::tempdir().unwrap();
    let run = |key: &str, lang: &str| {
        Command::new(env!("CARGO_BIN_EXE_caducee"))
            .env("CADUCEE_LANG", lang)
            .env("CADUCEE_STORE_KEY", key)
            .arg("--data-dir")
            .arg(dir.path())
            .args(["store", "info"])
            .output()
            .unwrap()
    };
    assert!(run(&"11".repeat(32), "fr").status.success());
    let out = run(&"22".repeat(32), "fr");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("ne peut pas être ouvert avec cette clé")
            && stderr.contains("Rien n’a été modifié"),
        "{stderr}"
    );
    let out = run(&"22".repeat(32), "en");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot be opened with this key"),
        "{stderr}"
    );
}
