//! `caducee account add` and `account list --json`; plaintext is refused.

use std::process::Command;

fn caducee(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_caducee"));
    c.env("CADUCEE_LANG", "en");
    c.env("CADUCEE_DATA_DIR", data)
        .env("CADUCEE_STORE_KEY", "ab".repeat(32));
    c
}

#[test]
fn add_and_list_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let add = |security: &str| {
        caducee(dir.path())
            .args([
                "account",
                "add",
                "--name",
                "Cabinet",
                "--address",
                "claire@medecin.mssante.fr",
            ])
            .args(["--imap-host", "imap.mssante.fr", "--imap-port", "993"])
            .args([
                "--imap-security",
                security,
                "--smtp-host",
                "smtp.mssante.fr",
            ])
            .args([
                "--smtp-port",
                "587",
                "--smtp-security",
                "starttls",
                "--auth",
                "cps",
            ])
            .output()
            .unwrap()
    };
    let out = add("plain");
    assert!(!out.status.success(), "plain IMAP must be refused");
    let out = add("tls");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = add("tls");
    assert!(!out.status.success(), "duplicate address");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let out = caducee(dir.path())
        .args(["account", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["address"], "claire@medecin.mssante.fr");
    assert_eq!(list[0]["settings"]["imap"]["security"], "tls");
    assert_eq!(list[0]["settings"]["auth"]["method"], "cps");
}
