//! The rules every outgoing message passes, whatever the interface: the
//! whitelist of trusted domains for each recipient, and the audit journal for
//! what was refused, sent, failed or reported.

use crate::account::Account;
use crate::audit::{self, Action};
use crate::i18n::tr1;
use crate::store::Store;
use crate::trust::Whitelist;

use super::SendError;

/// Check every address against the whitelist (loaded from the store each
/// time, so a refreshed list applies at once). Returns the normalised
/// addresses (same order), or every refusal with its reason.
pub fn check_recipients(store: &Store, addresses: &[String]) -> Result<Vec<String>, SendError> {
    let whitelist = Whitelist::load(store).map_err(|e| {
        SendError::Refused(vec![tr1("send-reason-whitelist-unreadable", "reason", &e)])
    })?;
    let check = whitelist.check_envelope(addresses.iter().map(String::as_str));
    if check.refused.is_empty() {
        Ok(check.allowed)
    } else {
        Err(SendError::Refused(
            check
                .refused
                .iter()
                .map(|(raw, reason)| format!("{raw}: {reason}"))
                .collect(),
        ))
    }
}

/// An event for the audit journal.
pub struct Event<'a> {
    pub account: &'a Account,
    pub on_behalf_of: Option<&'a str>,
    pub action: Action,
    pub subject: &'a str,
    pub details: serde_json::Value,
}

/// Write `event` to the audit journal. A journal failure is logged, never
/// hidden, and does not undo what already happened on the server.
pub fn journal(store: &Store, event: Event<'_>) {
    let entry = audit::Entry {
        actor: event.account.address.clone(),
        on_behalf_of: event.on_behalf_of.map(str::to_owned),
        action: event.action,
        subject: event.subject.to_owned(),
        details: event.details,
    };
    if let Err(e) = audit::record(store, entry) {
        tracing::error!(error = %e, action = %event.action, "audit journal not written");
    }
}

/// Journal a refusal by the whitelist.
pub fn journal_refusal(
    store: &Store,
    account: &Account,
    on_behalf_of: Option<&str>,
    reasons: &[String],
) {
    journal(
        store,
        Event {
            account,
            on_behalf_of,
            action: Action::Refused,
            subject: "outgoing message",
            details: serde_json::json!({ "reasons": reasons }),
        },
    );
}
