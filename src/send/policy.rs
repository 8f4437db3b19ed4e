//! The rules every outgoing message passes, whatever the interface: the
//! whitelist of trusted domains for each recipient, and the audit journal for
//! what was refused, sent, failed or reported.

use crate::account::Account;
use crate::store::Store;

use super::SendError;

/// Check every address against the whitelist. Returns the normalised
/// addresses (same order), or every refusal with its reason.
pub fn check_recipients(store: &Store, addresses: &[String]) -> Result<Vec<String>, SendError> {
    let whitelist = load_whitelist(store)?;
    let mut allowed = Vec::with_capacity(addresses.len());
    let mut refused = Vec::new();
    for raw in addresses {
        match whitelist.check(raw) {
            Ok(address) => allowed.push(address),
            Err(reason) => refused.push(format!("{raw}: {reason}")),
        }
    }
    if refused.is_empty() {
        Ok(allowed)
    } else {
        Err(SendError::Refused(refused))
    }
}

// WIRE: trust — until `trust::Whitelist` is merged, no domain is trusted.
struct Whitelist;

fn load_whitelist(_store: &Store) -> Result<Whitelist, SendError> {
    Ok(Whitelist)
}

impl Whitelist {
    fn check(&self, _raw: &str) -> Result<String, String> {
        Err("the whitelist of trusted domains is not available".into())
    }
}

/// An event for the audit journal.
pub struct Event<'a> {
    pub account: &'a Account,
    pub on_behalf_of: Option<&'a str>,
    pub action: &'static str,
    pub subject: &'a str,
    pub details: serde_json::Value,
}

/// Write `event` to the audit journal. A journal failure is logged, never
/// hidden: it does not undo what already happened on the server.
pub fn journal(store: &Store, event: Event<'_>) {
    // WIRE: trust (audit) — until `audit::record` is merged, events go to the log.
    let _ = store;
    tracing::info!(
        actor = %event.account.address,
        on_behalf_of = event.on_behalf_of.unwrap_or(""),
        action = event.action,
        subject = event.subject,
        "audit"
    );
    let _ = event.details;
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
            action: "refused",
            subject: "outgoing message",
            details: serde_json::json!({ "reasons": reasons }),
        },
    );
}
