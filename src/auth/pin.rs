//! Where the card PIN comes from. The PIN is never stored and never logged:
//! it is asked for each card login (the face decides how), or given in
//! `CADUCEE_CARD_PIN` for headless use.

use std::sync::{Arc, RwLock};

use super::AuthError;

/// Environment variable holding the card PIN in headless mode.
pub const CARD_PIN_ENV: &str = "CADUCEE_CARD_PIN";

/// Asks for the PIN of a card.
pub trait PinSource: Send + Sync {
    /// The PIN for the card labelled `token`.
    fn pin(&self, token: &str) -> Result<String, AuthError>;
}

/// The PIN from [`CARD_PIN_ENV`] only.
pub struct EnvPin;

impl PinSource for EnvPin {
    fn pin(&self, _token: &str) -> Result<String, AuthError> {
        env_pin().ok_or(AuthError::NoPin { env: CARD_PIN_ENV })
    }
}

/// The PIN in [`CARD_PIN_ENV`], if set and not empty.
pub fn env_pin() -> Option<String> {
    std::env::var(CARD_PIN_ENV).ok().filter(|p| !p.is_empty())
}

fn slot() -> &'static RwLock<Arc<dyn PinSource>> {
    static SOURCE: std::sync::OnceLock<RwLock<Arc<dyn PinSource>>> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| RwLock::new(Arc::new(EnvPin)))
}

/// Set how the PIN is asked for in this process (the CLI asks on the
/// terminal, the GUI in a dialog). The default reads [`CARD_PIN_ENV`].
pub fn set_source(source: Arc<dyn PinSource>) {
    if let Ok(mut s) = slot().write() {
        *s = source;
    }
}

/// The PIN source of this process.
pub fn source() -> Arc<dyn PinSource> {
    match slot().read() {
        Ok(s) => s.clone(),
        Err(_) => Arc::new(EnvPin),
    }
}
