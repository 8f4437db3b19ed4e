//! The demo mailbox: a dozen fictional French medical messages embedded in the
//! binary, so the client shows something real on a fresh machine with no server.
//!
//! The demo store lives in its own directory and is encrypted with a public key
//! (it holds fictional data only); it never holds a real account.

use std::path::{Path, PathBuf};

use crate::store::{Flag, FolderRole, STORE_FILE, Store, StoreError, StoreKey};

include!(concat!(env!("OUT_DIR"), "/demo_messages.rs"));

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Path(#[from] crate::paths::PathError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where the demo store of a data directory lives.
pub fn demo_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("demo")
}

/// The embedded messages: (folder, raw bytes).
pub fn messages() -> &'static [(&'static str, &'static [u8])] {
    DEMO_MESSAGES
}

/// Open the demo store, seeding it on first use.
pub fn open(data_dir: &Path) -> Result<Store, DemoError> {
    let dir = demo_dir(data_dir);
    crate::paths::ensure_private_dir(&dir)?;
    let store = Store::open(&dir.join(STORE_FILE), &StoreKey::demo())?;
    if store.info()?.messages == 0 {
        seed(&store)?;
    }
    Ok(store)
}

/// Fill an empty store with the demo mailbox.
pub fn seed(store: &Store) -> Result<usize, StoreError> {
    let tx = store.conn().unchecked_transaction()?;
    let mut count = 0;
    for (folder, raw) in DEMO_MESSAGES {
        let role = match *folder {
            "INBOX" => Some(FolderRole::Inbox),
            "Sent" => Some(FolderRole::Sent),
            "Drafts" => Some(FolderRole::Drafts),
            _ => None,
        };
        let folder_id = store.ensure_folder(None, folder, role)?;
        // Older demo messages read, the newest ones unread.
        let seen = role != Some(FolderRole::Inbox) || count % 3 == 2;
        let flags = Flag {
            seen,
            ..Flag::default()
        };
        store.insert_raw(folder_id, raw, flags, None)?;
        count += 1;
    }
    tx.commit()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime;
    use mail_parser::MimeHeaders;
    use std::io::Read;

    /// 2026-10-01T00:00Z and 2026-12-01T00:00Z: the demo mailbox covers October and November 2026.
    const FIRST_DAY: i64 = 1_790_812_800;
    const AFTER_LAST_DAY: i64 = 1_796_083_200;

    fn parsed() -> Vec<(&'static str, &'static [u8], mime::ParsedMessage)> {
        messages()
            .iter()
            .map(|(folder, raw)| (*folder, *raw, mime::parse(raw).unwrap()))
            .collect()
    }

    fn by_subject(
        all: &[(&str, &[u8], mime::ParsedMessage)],
        folder: &str,
        part: &str,
    ) -> mime::ParsedMessage {
        all.iter()
            .find(|(f, _, m)| *f == folder && m.subject.contains(part))
            .map(|(_, _, m)| m.clone())
            .unwrap_or_else(|| panic!("no demo message about {part:?}"))
    }

    #[test]
    fn every_message_is_well_formed() {
        let all = parsed();
        assert!(all.len() >= 12, "only {} demo messages", all.len());
        for (folder, raw, m) in &all {
            assert!(["INBOX", "Sent", "Drafts"].contains(folder), "{folder}");
            let bare_lf = raw.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r')
                || raw.first() == Some(&b'\n');
            assert!(!bare_lf, "{}: bare LF", m.subject);
            assert!(m.message_id.is_some(), "{}: no Message-ID", m.subject);
            let date = m.date.unwrap_or_default();
            assert!(
                (FIRST_DAY..AFTER_LAST_DAY).contains(&date),
                "{}: date {date}",
                m.subject
            );
            assert!(!m.from.is_empty() && !m.subject.is_empty());
            assert!(!m.text.trim().is_empty(), "{}: empty text", m.subject);
        }
        for folder in ["INBOX", "Sent", "Drafts"] {
            assert!(
                all.iter().any(|(f, _, _)| *f == folder),
                "{folder} is empty"
            );
        }
    }

    #[test]
    fn replies_point_to_messages_of_the_mailbox() {
        let all = parsed();
        let ids: Vec<&str> = all
            .iter()
            .filter_map(|(_, _, m)| m.message_id.as_deref())
            .collect();
        let replies: Vec<_> = all
            .iter()
            .filter_map(|(_, _, m)| m.in_reply_to.as_deref())
            .collect();
        assert!(replies.len() >= 3);
        for id in replies {
            assert!(ids.contains(&id), "reply to unknown message {id}");
        }
    }

    #[test]
    fn encoded_words_and_charsets_are_decoded() {
        let all = parsed();
        let m = by_subject(&all, "INBOX", "télé-expertise");
        assert_eq!(m.from[0].name, "Dr Frédérique Lévêque");
        assert!(m.subject.ends_with("Mme Éléonore MÉNARD"));
        assert!(m.text.contains("consœur"));
        let sent = by_subject(&all, "Sent", "avis cardiologique");
        let sender = sent.sender.unwrap();
        assert!(sender.name.starts_with("Sophie Bernard"));
        assert_ne!(sender.address, sent.from[0].address);
        let html = by_subject(&all, "INBOX", "pluriprofessionnelle");
        assert!(html.html.unwrap_or_default().contains("<table"));
    }

    #[test]
    fn xdm_message_carries_a_readable_xdm_zip() {
        let raw = messages()
            .iter()
            .map(|(_, raw)| *raw)
            .find(|raw| {
                mime::parse(raw).is_ok_and(|m| m.subject.starts_with(mime::XDM_SUBJECT_PREFIX))
            })
            .unwrap();
        let msg = mail_parser::MessageParser::default().parse(raw).unwrap();
        assert_eq!(
            msg.header_raw("X-MSS-CODECDA").map(str::trim),
            Some("11502-2")
        );
        assert_eq!(msg.header_raw("X-MSS-INS").map(str::trim), Some("O"));
        let zip_part = msg
            .attachments()
            .find(|a| a.attachment_name() == Some("IHE_XDM.ZIP"))
            .unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_part.contents())).unwrap();
        for name in ["INDEX.HTM", "README.TXT", "IHE_XDM/SUBSET01/METADATA.XML"] {
            assert!(zip.by_name(name).is_ok(), "{name} missing");
        }
        let mut cda = String::new();
        zip.by_name("IHE_XDM/SUBSET01/DOC0001.XML")
            .unwrap()
            .read_to_string(&mut cda)
            .unwrap();
        assert!(cda.contains("code=\"11502-2\""));
    }

    #[test]
    fn reports_and_attachments_are_listed() {
        let all = parsed();
        let crh = by_subject(&all, "INBOX", "CRH ");
        let pdf = &crh.attachments[0];
        assert_eq!(pdf.content_type, "application/pdf");
        assert!(pdf.filename.ends_with(".pdf"));
        let dsn = by_subject(&all, "INBOX", "Undelivered");
        assert!(
            dsn.attachments
                .iter()
                .any(|a| a.content_type == "message/delivery-status")
        );
        let mdn = by_subject(&all, "INBOX", "Accusé de lecture");
        assert!(
            mdn.attachments
                .iter()
                .any(|a| a.content_type == "message/disposition-notification")
        );
    }

    #[test]
    fn seeding_fills_the_three_folders() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path()).unwrap();
        assert_eq!(store.info().unwrap().messages as usize, messages().len());
        let reopened = open(dir.path()).unwrap();
        assert_eq!(
            reopened.info().unwrap().messages as usize,
            messages().len(),
            "seeded twice"
        );
        drop(store);
    }
}
