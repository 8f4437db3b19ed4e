//! Hand-off of received documents to the practice software: each document (CDA,
//! PDF, HPRIM) of each received message is dropped into a chosen folder with a
//! JSON sidecar, exactly once.
//!
//! Exactly once, even across a crash: a document is first claimed in
//! `document_handoffs` (state `writing`, with its final file names), then the
//! document and then its sidecar are each written to a temporary file in the
//! target folder, flushed to disk and renamed into place (the folder is flushed
//! too), and only then is the claim marked `done`. After a crash the same claim
//! is resumed under the same names, so a rename only ever replaces our own
//! earlier copy; leftover temporary files are removed at the next run. The
//! sidecar is written last: practice software should take a document when its
//! sidecar appears.
//!
//! Rules are per account, in the settings (`documents.handoff.<account>`, or
//! `documents.handoff.*` for every account without a rule of its own); local
//! folders belong to the account `local`.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, params};

use super::cda::IdentityState;
use super::received::{self, ReceivedDocument};
use super::{DocumentError, Result};
use crate::i18n::{tr1, tr2};
use crate::store::{Store, now};

/// The account name of local folders (imports).
pub const LOCAL_ACCOUNT: &str = "local";
/// The rule applying to every account without its own.
pub const ANY_ACCOUNT: &str = "*";
const TEMP_SUFFIX: &str = ".caducee-tmp";

/// Where an account's documents go.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HandoffRule {
    pub dir: PathBuf,
}

fn rule_key(account: &str) -> String {
    format!("documents.handoff.{account}")
}

/// Save the rule of `account` (an address, `local`, or `*`).
pub fn set_rule(store: &Store, account: &str, rule: &HandoffRule) -> Result<()> {
    if !rule.dir.is_absolute() {
        return Err(DocumentError::Rule(tr1(
            "documents-reason-rule-not-absolute",
            "dir",
            &rule.dir.display(),
        )));
    }
    let json = serde_json::to_string(rule).map_err(|e| DocumentError::Rule(e.to_string()))?;
    store.set_setting(&rule_key(account), &json)?;
    Ok(())
}

/// The rule applying to `account` (its own, else the `*` rule).
pub fn rule_for(store: &Store, account: &str) -> Result<Option<HandoffRule>> {
    for key in [rule_key(account), rule_key(ANY_ACCOUNT)] {
        if let Some(json) = store.setting(&key)? {
            let rule = serde_json::from_str(&json).map_err(|e| {
                DocumentError::Rule(tr2(
                    "documents-reason-rule-unreadable",
                    "key",
                    &key,
                    "reason",
                    &e,
                ))
            })?;
            return Ok(Some(rule));
        }
    }
    Ok(None)
}

/// Whether any hand-off rule is set.
pub fn has_rules(store: &Store) -> Result<bool> {
    let n: i64 = store.conn().query_row(
        "SELECT count(*) FROM settings WHERE key LIKE 'documents.handoff.%'",
        [],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// One hand-off done in this run: what the caller records in the audit journal.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HandoffDone {
    pub message_id: i64,
    pub rfc_message_id: Option<String>,
    pub account: String,
    pub document_key: String,
    pub path: PathBuf,
    pub sidecar: PathBuf,
}

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct HandoffReport {
    pub done: Vec<HandoffDone>,
    pub messages_scanned: usize,
    /// Documents that could not be read, per message.
    pub problems: Vec<String>,
}

/// The sidecar describing a handed-off document.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sidecar {
    pub document: String,
    pub kind: received::DocumentKind,
    pub source: String,
    pub sha256: String,
    pub document_code: Option<super::Code>,
    pub title: String,
    /// Media type of the file embedded in a level-1 CDA (`application/pdf`...).
    pub embedded_media_type: Option<String>,
    pub patient: SidecarPatient,
    pub sender: String,
    /// RFC 3339, UTC.
    pub date: String,
    pub message_id: Option<String>,
    pub store_message_id: i64,
    pub account: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SidecarPatient {
    pub family: String,
    pub given: Vec<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub ins: Option<String>,
    pub ins_oid: Option<String>,
    /// `qualified`, `invalid` or `unqualified`.
    pub ins_state: String,
}

struct MessageInfo {
    id: i64,
    account: String,
    rfc_id: Option<String>,
    sender: String,
    date: i64,
}

/// Hand off the documents of every received message whose account has a rule
/// (only `account` when given). Returns the hand-offs done, for the audit journal.
pub fn run_handoff(store: &Store, account: Option<&str>) -> Result<HandoffReport> {
    let mut report = HandoffReport::default();
    // Claims must survive a power loss too, not only a crash: flush every commit.
    store.conn().pragma_update(None, "synchronous", "FULL")?;
    let result = hand_off_pending(store, account, &mut report);
    store.conn().pragma_update(None, "synchronous", "NORMAL")?;
    result?;
    journal_handoffs(store)?;
    Ok(report)
}

/// Record in the audit journal every finished hand-off it does not hold yet.
/// Running after the hand-offs (and again at the next run, after a crash) makes
/// each hand-off appear in the journal exactly once.
fn journal_handoffs(store: &Store) -> Result<usize> {
    let mut stmt = store.conn().prepare(
        "SELECT h.message_id || '#' || h.document_key, h.account, h.target_dir, h.file_name,
                h.sidecar_name, m.rfc_message_id
         FROM document_handoffs h JOIN messages m ON m.id = h.message_id
         WHERE h.state = 'done'
           AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'handed-off'
                           AND a.subject = h.message_id || '#' || h.document_key)
         ORDER BY h.id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    let count = rows.len();
    for (subject, account, dir, file, sidecar, rfc_id) in rows {
        crate::audit::record(
            store,
            crate::audit::Entry {
                actor: account,
                on_behalf_of: None,
                action: crate::audit::Action::HandedOff,
                subject,
                details: serde_json::json!({
                    "folder": dir,
                    "file": file,
                    "sidecar": sidecar,
                    "message_id": rfc_id,
                }),
            },
        )?;
    }
    Ok(count)
}

fn hand_off_pending(
    store: &Store,
    account: Option<&str>,
    report: &mut HandoffReport,
) -> Result<()> {
    let pending = pending_messages(store, account)?;
    let mut cleaned: Vec<PathBuf> = Vec::new();
    for info in pending {
        let Some(rule) = rule_for(store, &info.account)? else {
            continue;
        };
        if !cleaned.contains(&rule.dir) {
            prepare_dir(&rule.dir)?;
            cleaned.push(rule.dir.clone());
        }
        let Some(raw) = store.raw_message(info.id)? else {
            continue;
        };
        report.messages_scanned += 1;
        let found = match received::message_documents(&raw) {
            Ok(f) => f,
            Err(e) => {
                report.problems.push(format!("message {}: {e}", info.id));
                received::MessageDocuments::default()
            }
        };
        for p in &found.problems {
            report.problems.push(format!("message {}: {p}", info.id));
        }
        for (n, doc) in found.documents.iter().enumerate() {
            if let Some(done) = hand_off_one(store, &rule, &info, n, doc)? {
                report.done.push(done);
            }
        }
        store.conn().execute(
            "INSERT INTO document_scans (message_id, documents, scanned_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(message_id) DO NOTHING",
            params![info.id, found.documents.len() as i64, now()],
        )?;
    }
    Ok(())
}

fn pending_messages(store: &Store, account: Option<&str>) -> Result<Vec<MessageInfo>> {
    let mut stmt = store.conn().prepare(
        "SELECT m.id, coalesce(a.address, ?1), m.rfc_message_id, m.from_addr, m.date
         FROM messages m
         JOIN folders f ON f.id = m.folder_id
         LEFT JOIN accounts a ON a.id = f.account_id
         WHERE m.blob_hash IS NOT NULL
           AND coalesce(f.special_use, '') NOT IN ('sent', 'drafts')
           AND NOT EXISTS (SELECT 1 FROM document_scans s WHERE s.message_id = m.id)
           AND (?2 IS NULL OR coalesce(a.address, ?1) = ?2)
         ORDER BY m.id",
    )?;
    let rows = stmt.query_map(params![LOCAL_ACCOUNT, account], |r| {
        Ok(MessageInfo {
            id: r.get(0)?,
            account: r.get(1)?,
            rfc_id: r.get(2)?,
            sender: r.get(3)?,
            date: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Create the folder and remove our temporary files left by an interrupted run.
fn prepare_dir(dir: &Path) -> Result<()> {
    let io = |source| DocumentError::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(TEMP_SUFFIX) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|source| DocumentError::Io { path, source })?;
        }
    }
    Ok(())
}

fn hand_off_one(
    store: &Store,
    rule: &HandoffRule,
    info: &MessageInfo,
    n: usize,
    doc: &ReceivedDocument,
) -> Result<Option<HandoffDone>> {
    let claim: Option<(String, String, String, String)> = store
        .conn()
        .query_row(
            "SELECT state, target_dir, file_name, sidecar_name FROM document_handoffs
             WHERE message_id = ?1 AND document_key = ?2",
            params![info.id, doc.key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (dir, file_name, sidecar_name) = match claim {
        Some((state, _, _, _)) if state == "done" => return Ok(None),
        // Resume an interrupted hand-off under the names it claimed.
        Some((_, dir, file, sidecar)) => (PathBuf::from(dir), file, sidecar),
        None => {
            let file = free_name(
                &rule.dir,
                &format!("{}-{:02}-{}", info.id, n + 1, doc.file_name),
            );
            let sidecar = format!("{file}.json");
            store.conn().execute(
                "INSERT INTO document_handoffs (message_id, document_key, account, target_dir,
                    file_name, sidecar_name, state, started_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'writing', ?7)",
                params![
                    info.id,
                    doc.key,
                    info.account,
                    rule.dir.to_string_lossy(),
                    file,
                    sidecar,
                    now()
                ],
            )?;
            (rule.dir.clone(), file, sidecar)
        }
    };
    let path = dir.join(&file_name);
    let sidecar_path = dir.join(&sidecar_name);
    write_atomic(&dir, &file_name, &doc.bytes)?;
    let sidecar = sidecar_for(info, doc, &file_name);
    let json = serde_json::to_vec_pretty(&sidecar).map_err(|e| DocumentError::Io {
        path: sidecar_path.clone(),
        source: std::io::Error::other(e),
    })?;
    write_atomic(&dir, &sidecar_name, &json)?;
    store.conn().execute(
        "UPDATE document_handoffs SET state = 'done', done_at = ?3
         WHERE message_id = ?1 AND document_key = ?2",
        params![info.id, doc.key, now()],
    )?;
    tracing::info!(message = info.id, document = %doc.key, "document handed off");
    Ok(Some(HandoffDone {
        message_id: info.id,
        rfc_message_id: info.rfc_id.clone(),
        account: info.account.clone(),
        document_key: doc.key.clone(),
        path,
        sidecar: sidecar_path,
    }))
}

/// `name`, or `stem-2.ext`, `stem-3.ext`... when a file of that name (or its
/// sidecar) is already in the folder.
fn free_name(dir: &Path, name: &str) -> String {
    let taken = |n: &str| dir.join(n).exists() || dir.join(format!("{n}.json")).exists();
    if !taken(name) {
        return name.to_owned();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|i| format!("{stem}-{i}{ext}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| name.to_owned())
}

/// Write `data` as `dir/name`: temporary file in the same folder, flushed,
/// renamed into place, folder flushed.
pub fn write_atomic(dir: &Path, name: &str, data: &[u8]) -> Result<()> {
    let tmp = dir.join(format!(".{name}{TEMP_SUFFIX}"));
    let target = dir.join(name);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DocumentError::Io { path, source }
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(io(&tmp))?;
    f.write_all(data).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    drop(f);
    std::fs::rename(&tmp, &target).map_err(io(&target))?;
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))?;
    Ok(())
}

fn sidecar_for(info: &MessageInfo, doc: &ReceivedDocument, file_name: &str) -> Sidecar {
    use sha2::{Digest, Sha256};
    let mut patient = SidecarPatient {
        ins_state: "unqualified".into(),
        ..SidecarPatient::default()
    };
    let mut code = None;
    let mut title = String::new();
    let mut embedded_media_type = None;
    if let Some(cda) = &doc.cda {
        let p = &cda.patient;
        patient.family = p.family.clone();
        patient.given = p.given.clone();
        patient.birth_date = p.birth_date.clone();
        patient.sex = p.sex.clone();
        if let Some(id) = p.ins_id() {
            patient.ins = Some(id.extension.clone());
            patient.ins_oid = Some(id.root.clone());
        }
        patient.ins_state = match p.identity_state() {
            IdentityState::Qualified => "qualified",
            IdentityState::Invalid => "invalid",
            IdentityState::Unqualified => "unqualified",
        }
        .into();
        code = cda.code.clone();
        title = cda.title.clone();
        embedded_media_type = cda.embedded().map(|(m, _)| m.to_owned());
    } else if let Some(entry) = &doc.entry {
        code = entry.type_code.clone();
        title = entry.title.clone();
    } else if let Some(h) = &doc.hprim {
        patient.family = h.patient_family.clone();
        if !h.patient_given.is_empty() {
            patient.given = vec![h.patient_given.clone()];
        }
        if !h.birth_date.is_empty() {
            patient.birth_date = Some(h.birth_date.clone());
        }
        title = "Résultats de biologie (HPRIM)".into();
    }
    let date = time::OffsetDateTime::from_unix_timestamp(info.date)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    Sidecar {
        document: file_name.to_owned(),
        kind: doc.kind,
        source: doc.source.clone(),
        sha256: hex::encode(Sha256::digest(&doc.bytes)),
        document_code: code,
        title,
        embedded_media_type,
        patient,
        sender: info.sender.clone(),
        date,
        message_id: info.rfc_id.clone(),
        store_message_id: info.id,
        account: info.account.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_names_skip_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(free_name(dir.path(), "1-01-CR.pdf"), "1-01-CR.pdf");
        std::fs::write(dir.path().join("1-01-CR.pdf"), b"x").unwrap();
        assert_eq!(free_name(dir.path(), "1-01-CR.pdf"), "1-01-CR-2.pdf");
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(dir.path(), "a.xml", b"<a/>").unwrap();
        write_atomic(dir.path(), "a.xml", b"<b/>").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["a.xml"]);
        assert_eq!(std::fs::read(dir.path().join("a.xml")).unwrap(), b"<b/>");
    }
}
