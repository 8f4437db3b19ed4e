//! The `whitelist` and `audit` commands, run as the real binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use caducee::audit::{self, Action, Entry};
use caducee::store::{STORE_FILE, Store, StoreKey};

struct Env {
    dir: tempfile::TempDir,
    key: StoreKey,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().unwrap(),
            key: StoreKey::random(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_caducee"));
        c.env("CADUCEE_LANG", "en");
        c.args(args)
            .env("CADUCEE_DATA_DIR", self.dir.path())
            .env("CADUCEE_STORE_KEY", self.key.to_hex())
            .env_remove("CADUCEE_LOG");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn run_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn store(&self) -> Store {
        Store::open(&self.dir.path().join(STORE_FILE), &self.key).unwrap()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_says_allowed_or_refused_and_exits_accordingly() {
    let env = Env::new();
    let ok = env.run(&["whitelist", "check", "Dr X <x@mssante.apicrypt.org>"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert_eq!(stdout(&ok), "allowed  x@mssante.apicrypt.org\n");
    assert!(
        stderr(&ok).contains("days old"),
        "the list's age is reported"
    );

    let mixed = env.run(&[
        "whitelist",
        "check",
        "x@mssante.apicrypt.org",
        "x@evil-mssante.fr",
        "x@mssante.apicrypt.org\r\nBcc: y@gmail.com",
    ]);
    assert_eq!(mixed.status.code(), Some(1));
    let lines: Vec<String> = stdout(&mixed).lines().map(str::to_owned).collect();
    assert_eq!(
        lines.len(),
        3,
        "one line per address even with CR/LF: {lines:?}"
    );
    assert!(lines[0].starts_with("allowed"));
    assert!(lines[1].starts_with("refused  x@evil-mssante.fr: the domain evil-mssante.fr is not"));
    assert!(lines[2].contains("\\r\\n") && lines[2].contains("line break"));
}

#[test]
fn check_reads_stdin_and_speaks_json() {
    let env = Env::new();
    let input = "a@mssante.apicrypt.org\n\n\"b@mssante.apicrypt.org\" <b@gmail.com>\r\nC <c@MSSANTE.APICRYPT.ORG>\n";
    let out = env.run_stdin(&["whitelist", "check", "-", "--json"], input);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["verdict"], "allowed");
    assert_eq!(items[0]["domain"], "mssante.apicrypt.org");
    assert_eq!(items[1]["verdict"], "refused");
    assert_eq!(
        items[1]["reason"]["code"],
        "display-name-looks-like-address"
    );
    assert!(
        items[1]["reason_text"]
            .as_str()
            .unwrap()
            .contains("mislead")
    );
    assert_eq!(items[2]["address"], "c@mssante.apicrypt.org");

    let all_ok = env.run_stdin(&["whitelist", "check", "-"], "a@mssante.apicrypt.org\n");
    assert_eq!(all_ok.status.code(), Some(0));
}

#[test]
fn import_and_info() {
    let env = Env::new();
    let info = env.run(&["whitelist", "info", "--json"]);
    assert_eq!(info.status.code(), Some(0), "{}", stderr(&info));
    let v: serde_json::Value = serde_json::from_str(&stdout(&info)).unwrap();
    assert!(
        v["source"]
            .as_str()
            .unwrap()
            .starts_with("built-in snapshot")
    );
    assert!(v["domains"].as_u64().unwrap() > 4000);
    assert_eq!(v["stale"], true);

    let bad = env.dir.path().join("bad.xml");
    std::fs::write(&bad, "<ListeBlancheMSSante/>").unwrap();
    let refused = env.run(&["whitelist", "import", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("namespace"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("was kept"));

    let text = env.run(&["whitelist", "info"]);
    let text = stdout(&text);
    assert!(text.contains("last import: refused"), "{text}");
    assert!(text.contains("age:"));

    let good = env.dir.path().join("good.xml");
    std::fs::write(
        &good,
        format!(
            "<ListeBlancheMSSante xmlns=\"{}\"><DateDeGeneration>2030-01-01T00:00:00Z</DateDeGeneration>\
             <ListeDomaines><Domaine><Nom>seul.mssante.fr</Nom></Domaine></ListeDomaines></ListeBlancheMSSante>",
            caducee::trust::NAMESPACE
        ),
    )
    .unwrap();
    let shrunk = env.run(&["whitelist", "import", good.to_str().unwrap()]);
    assert_eq!(shrunk.status.code(), Some(1));
    assert!(stderr(&shrunk).contains("less than half"));
    let forced = env.run(&["whitelist", "import", "--force", good.to_str().unwrap()]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(stdout(&forced).contains("imported 1 domains"));
    let check = env.run(&[
        "whitelist",
        "check",
        "x@seul.mssante.fr",
        "x@mssante.apicrypt.org",
    ]);
    assert_eq!(check.status.code(), Some(1));
}

#[test]
fn audit_commands() {
    let env = Env::new();
    {
        let store = env.store();
        for (i, action) in [Action::Sent, Action::Refused, Action::Read]
            .into_iter()
            .enumerate()
        {
            audit::record(
                &store,
                Entry {
                    actor: "dr.x@mssante.apicrypt.org".into(),
                    on_behalf_of: None,
                    action,
                    subject: format!("<m{i}@x>"),
                    details: serde_json::json!({"i": i}),
                },
            )
            .unwrap();
        }
    }
    let ok = env.run(&["audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("intact: 3 entries"));

    let list = env.run(&["audit", "list", "--limit", "2", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["action"], "read");
    let text = stdout(&env.run(&["audit", "list"]));
    assert_eq!(text.lines().count(), 3);
    assert!(text.lines().next().unwrap().contains("read"));

    let file = env.dir.path().join("journal.jsonl");
    let export = env.run(&["audit", "export", "--out", file.to_str().unwrap()]);
    assert_eq!(export.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 3);
    let to_stdout = env.run(&["audit", "export"]);
    assert_eq!(stdout(&to_stdout).lines().count(), 3);

    {
        let store = env.store();
        store
            .conn()
            .execute_batch(
                "DROP TRIGGER audit_log_no_update;
                 UPDATE audit_log SET subject = '<other@x>' WHERE id = 2;",
            )
            .unwrap();
    }
    let bad = env.run(&["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("entry 2 was edited"),
        "{}",
        stderr(&bad)
    );
    let bad_json = env.run(&["audit", "verify", "--json"]);
    assert_eq!(bad_json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&bad_json)).unwrap();
    assert_eq!(v["intact"], false);
    assert_eq!(v["break"]["problem"], "edited");
    assert_eq!(v["break"]["id"], 2);
}
