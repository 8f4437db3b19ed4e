//! A message being written, as the composer hands it over: sent through the
//! core pipeline (queue, then flush), or kept as a draft (a MIME message in the
//! Drafts folder, and on the server through the sync module's change queue).
//!
//! Nothing here draws: this is run in background tasks and tested directly.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::mime::{BodyPart, MimePart};
use mail_parser::{MessageParser, MimeHeaders};

use caducee::account::{Account, AuthMethod};
use caducee::imap::auth::PASSWORD_ENV;
use caducee::secrets::Secret;
use caducee::send::{self, Draft, OutboxState, SendOptions, outbox};
use caducee::store::{Flag, FolderRole, Store};

use super::jobs::StoreHandle;

/// Header marking the DSN/MDN choices and the identity of a saved draft.
const OPTIONS_HEADER: &str = "X-Caducee-Draft";
/// The Drafts folder of the local (demo) mailbox, and of an account without one.
pub const DRAFTS: &str = "Drafts";

/// A file attached in the composer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    /// Bytes read back from a saved draft.
    Bytes(Arc<Vec<u8>>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub name: String,
    pub size: u64,
    pub source: Source,
}

/// Everything the user wrote, with the identity and options chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    /// The sending account (`None`: no account is set up).
    pub account_id: Option<i64>,
    /// Sending for this professional (a delegation of the account).
    pub on_behalf_of: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub attachments: Vec<Attached>,
    pub options: SendOptions,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// The saved draft this message comes from (replaced on save, removed on send).
    pub draft_id: Option<i64>,
}

/// How a send went, once the message is in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOutcome {
    pub outbox_id: i64,
    pub message_id: String,
    pub state: OutboxState,
    /// Why it is not sent (yet), in the server's or the network's words.
    pub reason: Option<String>,
}

impl Outgoing {
    fn attachment_data(&self) -> Result<Vec<send::Attachment>, String> {
        self.attachments
            .iter()
            .map(|a| match &a.source {
                Source::File(path) => send::Attachment::from_path(path).map_err(|e| e.to_string()),
                Source::Bytes(data) => Ok(send::Attachment {
                    filename: a.name.clone(),
                    content_type: None,
                    data: data.as_ref().clone(),
                }),
            })
            .collect()
    }

    fn draft(&self) -> Result<Draft, String> {
        Ok(Draft {
            to: self.to.clone(),
            cc: self.cc.clone(),
            bcc: self.bcc.clone(),
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: None,
            attachments: self.attachment_data()?,
            in_reply_to: self.in_reply_to.clone(),
            references: self.references.clone(),
            on_behalf_of: self.on_behalf_of.clone(),
            options: self.options,
        })
    }

    /// The draft as a MIME message (Bcc kept: it is never sent as such).
    pub fn to_mime(&self, from: Option<&str>) -> Result<Vec<u8>, String> {
        let list = |v: &[String]| {
            Address::new_list(
                v.iter()
                    .map(|a| Address::new_address(None::<&str>, a.clone()))
                    .collect(),
            )
        };
        let mut b = MessageBuilder::new().subject(self.subject.clone());
        if let Some(from) = self.on_behalf_of.as_deref().or(from) {
            b = b
                .from(Address::new_address(None::<&str>, from.to_owned()))
                .message_id(send::compose::new_message_id(from));
        }
        if !self.to.is_empty() {
            b = b.to(list(&self.to));
        }
        if !self.cc.is_empty() {
            b = b.cc(list(&self.cc));
        }
        if !self.bcc.is_empty() {
            b = b.bcc(list(&self.bcc));
        }
        if let Some(parent) = &self.in_reply_to {
            b = b.in_reply_to(MessageId::new(parent.clone()));
        }
        if !self.references.is_empty() {
            b = b.references(MessageId::new_list(self.references.iter().cloned()));
        }
        let mut opts = Vec::new();
        if self.options.dsn {
            opts.push("dsn");
        }
        if self.options.mdn {
            opts.push("mdn");
        }
        if self.on_behalf_of.is_some() {
            opts.push("on-behalf");
        }
        b = b.header(
            OPTIONS_HEADER,
            Text::new(format!("v=1; {}", opts.join(" "))),
        );
        let text = MimePart::new(
            "text/plain",
            BodyPart::Text(Cow::Owned(
                self.text.replace("\r\n", "\n").replace('\n', "\r\n"),
            )),
        );
        let data = self.attachment_data()?;
        let body = if data.is_empty() {
            text
        } else {
            let mut parts = vec![text];
            for a in &data {
                let mime = mime_guess::from_path(&a.filename)
                    .first_or_octet_stream()
                    .essence_str()
                    .to_owned();
                parts.push(
                    MimePart::new(mime, BodyPart::Binary(Cow::Owned(a.data.clone()))).header(
                        "Content-Disposition",
                        Raw::new(send::compose::disposition(&a.filename)),
                    ),
                );
            }
            MimePart::new("multipart/mixed", parts)
        };
        b.body(body)
            .write_to_vec()
            .map_err(|e| format!("cannot build the draft: {e}"))
    }

    /// Read a saved draft back.
    pub fn from_mime(raw: &[u8]) -> Result<Outgoing, String> {
        let msg = MessageParser::default()
            .parse(raw)
            .ok_or_else(|| "the draft cannot be read".to_owned())?;
        let addresses = |a: Option<&mail_parser::Address<'_>>| -> Vec<String> {
            a.map(|a| {
                a.iter()
                    .filter_map(|x| x.address().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
        };
        let opts = msg
            .header_raw(OPTIONS_HEADER)
            .map(|h| h.trim().to_owned())
            .unwrap_or_default();
        let has = |w: &str| opts.split([' ', ';']).any(|x| x == w);
        let from = addresses(msg.from()).into_iter().next();
        let mut attachments = Vec::new();
        for part in msg.attachments() {
            let name = part
                .attachment_name()
                .map(str::to_owned)
                .unwrap_or_else(|| "piece-jointe".into());
            let data = part.contents().to_vec();
            attachments.push(Attached {
                name,
                size: data.len() as u64,
                source: Source::Bytes(Arc::new(data)),
            });
        }
        let references = match msg.references() {
            mail_parser::HeaderValue::Text(t) => vec![t.to_string()],
            mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
            _ => Vec::new(),
        };
        Ok(Outgoing {
            account_id: None,
            on_behalf_of: if has("on-behalf") { from } else { None },
            to: addresses(msg.to()),
            cc: addresses(msg.cc()),
            bcc: addresses(msg.bcc()),
            subject: msg.subject().unwrap_or_default().to_owned(),
            text: msg
                .body_text(0)
                .map(|t| t.replace("\r\n", "\n"))
                .unwrap_or_default(),
            attachments,
            options: SendOptions {
                dsn: has("dsn"),
                mdn: has("mdn"),
            },
            in_reply_to: msg.in_reply_to().as_text().map(str::to_owned),
            references,
            draft_id: None,
        })
    }
}

/// The account's password, from the environment or the OS keyring.
fn password(account: &Account) -> Result<String, String> {
    Secret {
        what: "password",
        account: &account.address,
        env: PASSWORD_ENV,
    }
    .get()
    .map_err(|e| e.to_string())
}

fn uses_certificate(account: &Account) -> bool {
    matches!(
        account.settings.auth,
        AuthMethod::Cps { .. } | AuthMethod::Certificate { .. }
    )
}

/// What ran when a card session opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resumed {
    pub new_messages: u64,
    pub sent: usize,
    /// What failed, account by account (the rest ran).
    pub errors: Vec<String>,
}

/// The card is in and the PIN given: sync each card account once (unless
/// the live sync does) and send what waits in its outbox, on a second
/// connection to the store.
pub fn resume(store: &StoreHandle, accounts: &[Account], sync: bool) -> Result<Resumed, String> {
    let second = store.reopen()?;
    let rt = runtime()?;
    let mut out = Resumed::default();
    for a in accounts {
        if !sync {
            match rt.block_on(send::flush(&second, a, "")) {
                Ok(r) => out.sent += r.sent.len(),
                Err(e) => out.errors.push(format!("{}: {e}", a.address)),
            }
            continue;
        }
        let synced = rt.block_on(caducee::sync::sync_account(
            &second,
            a,
            &caducee::sync::SyncOptions::default(),
            &mut |_| {},
        ));
        match synced {
            Ok(r) => out.new_messages += r.new_messages,
            Err(e) => out.errors.push(format!("{}: {e}", a.address)),
        }
        match rt.block_on(send::flush(&second, a, "")) {
            Ok(r) => out.sent += r.sent.len(),
            Err(e) => out.errors.push(format!("{}: {e}", a.address)),
        }
    }
    Ok(out)
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))
}

/// Send: compose, check and queue (the library checks the whitelist and the
/// delegation), then submit. Once queued the message is safe in the outbox,
/// whatever happens next. `Err` only when nothing was queued.
///
/// The submission runs on a second connection to the store, so the window's
/// own store work is not held up by the network.
pub fn send(
    store: &StoreHandle,
    account: &Account,
    out: &Outgoing,
    password_given: Option<&str>,
) -> Result<SendOutcome, String> {
    let draft = out.draft()?;
    let (id, message_id) = store.with(|s| {
        let queued = send::queue(s, account, &draft).map_err(|e| e.to_string())?;
        if let Some(draft_id) = out.draft_id {
            remove_draft(s, Some(account), draft_id);
        }
        Ok(queued)
    })?;
    let not_sent = |reason: String| SendOutcome {
        outbox_id: id,
        message_id: message_id.clone(),
        state: OutboxState::Queued,
        reason: Some(reason),
    };
    let password = match password_given {
        Some(p) => p.to_owned(),
        // A certificate login (CPS card, application certificate) has none.
        None if uses_certificate(account) => String::new(),
        None => match password(account) {
            Ok(p) => p,
            Err(e) => return Ok(not_sent(e)),
        },
    };
    let second = match store.reopen() {
        Ok(s) => s,
        Err(e) => return Ok(not_sent(e)),
    };
    let flushed = runtime().and_then(|rt| {
        rt.block_on(send::flush(&second, account, &password))
            .map_err(|e| e.to_string())
    });
    if let Err(e) = flushed {
        return Ok(not_sent(e));
    }
    let entry = outbox::get(&second, id).map_err(|e| e.to_string())?;
    Ok(SendOutcome {
        outbox_id: id,
        message_id,
        reason: entry
            .last_error
            .filter(|_| entry.state != OutboxState::Sent),
        state: entry.state,
    })
}

/// The name of an account's Drafts folder (by its special use), if synced.
fn drafts_folder(store: &Store, account: &Account) -> String {
    store
        .folders()
        .ok()
        .and_then(|fs| {
            fs.into_iter()
                .find(|f| f.account_id == Some(account.id) && f.role == Some(FolderRole::Drafts))
        })
        .map(|f| f.name)
        .unwrap_or_else(|| DRAFTS.to_owned())
}

/// Remove an earlier version of a draft. One still waiting to go up to the
/// server is taken out of the change queue first, so it never reaches it.
fn remove_draft(store: &Store, account: Option<&Account>, id: i64) {
    let result = match account {
        Some(a) => forget_upload(store, a, id)
            .and_then(|()| caducee::sync::delete_message(store, a, id).map_err(|e| e.to_string())),
        None => store.delete_message(id).map_err(|e| e.to_string()),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "the previous draft could not be removed");
    }
}

fn forget_upload(store: &Store, account: &Account, id: i64) -> Result<(), String> {
    use caducee::sync::state;
    let pending = state::pending(store.conn(), account.id).map_err(|e| e.to_string())?;
    for p in pending {
        if p.kind == state::PendingKind::Append && p.message_id == Some(id) {
            state::done_pending(store.conn(), p.id).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Where a saved draft went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftSaved {
    /// The draft's id in the store.
    pub id: i64,
    /// Whether the server has it already (else it goes up at the next sync).
    pub uploaded: bool,
}

/// Save a draft: in the store's Drafts folder and, with an account, on the
/// server through the sync module's offline change queue. The previous version
/// of the same draft is removed (here and there).
pub fn save_draft(
    store: &StoreHandle,
    account: Option<&Account>,
    out: &Outgoing,
) -> Result<DraftSaved, String> {
    let flags = Flag {
        draft: true,
        seen: true,
        ..Flag::default()
    };
    let raw = out.to_mime(account.map(|a| a.address.as_str()))?;
    let Some(account) = account else {
        return store.with(|s| {
            let folder = s
                .ensure_folder(None, DRAFTS, Some(FolderRole::Drafts))
                .map_err(|e| e.to_string())?;
            let id = s
                .insert_raw(folder, &raw, flags, Some(caducee::store::now()))
                .map_err(|e| e.to_string())?;
            if let Some(old) = out.draft_id {
                remove_draft(s, None, old);
            }
            Ok(DraftSaved {
                id,
                uploaded: false,
            })
        });
    };
    // The upload talks to the server: on a connection of its own. The earlier
    // version goes first, so that one replay of the change queue removes it
    // from the server and puts the new one there.
    let second = store.reopen()?;
    let folder = drafts_folder(&second, account);
    let mut old_id = None;
    if let Some(old) = out.draft_id {
        old_id = second.message(old).ok().and_then(|m| m.message_id);
        remove_draft(&second, Some(account), old);
    }
    let rt = runtime()?;
    let outcome = rt
        .block_on(caducee::sync::append(
            &second, account, &folder, &raw, flags,
        ))
        .map_err(|e| e.to_string())?;
    // An earlier version already uploaded, but not yet seen by a sync, is
    // found by its Message-ID and removed from the server too.
    if outcome.uploaded
        && let Some(mid) = old_id
        && let Err(e) = rt.block_on(caducee::sync::remove_appended(account, &folder, &mid))
    {
        tracing::warn!(error = %e, "the previous draft stays on the server");
    }
    Ok(DraftSaved {
        id: outcome.message_id,
        uploaded: outcome.uploaded,
    })
}

/// Load a saved draft for the composer.
pub fn load_draft(store: &Store, id: i64) -> Result<Outgoing, String> {
    let raw = store
        .raw_message(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the draft's content is not downloaded yet".to_owned())?;
    let mut out = Outgoing::from_mime(&raw)?;
    out.draft_id = Some(id);
    Ok(out)
}
