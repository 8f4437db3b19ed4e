//! The card PIN on the command line: `CADUCEE_CARD_PIN` (headless use), else
//! typed on the terminal without echo. Never stored, never logged.

use std::io::IsTerminal;
use std::sync::Arc;

use caducee::auth::lock::LockError;
use caducee::auth::pin::{self, PinSource, env_pin};
use caducee::auth::{AuthError, CARD_PIN_ENV};

struct TerminalPin;

impl PinSource for TerminalPin {
    fn pin(&self, token: &str) -> Result<String, AuthError> {
        if let Some(pin) = env_pin() {
            return Ok(pin);
        }
        if !std::io::stdin().is_terminal() {
            return Err(AuthError::NoPin { env: CARD_PIN_ENV });
        }
        let pin = rpassword::prompt_password(format!("PIN of the card “{token}”: "))
            .map_err(|_| AuthError::PinCancelled)?;
        Ok(pin.trim().to_owned())
    }
}

/// Ask for the card PIN on the terminal in this process.
pub fn install() {
    pin::set_source(Arc::new(TerminalPin));
}

/// The PIN for the card in `reader`, asked by the session lock whenever the
/// card is in and the session locked: `CADUCEE_CARD_PIN` (not tried again once
/// refused, so a wrong one cannot lock the card), else typed on the terminal.
/// `None` stops asking.
pub fn for_lock(reader: &str, refused: Option<&LockError>) -> Option<String> {
    if let Some(e) = refused {
        eprintln!("{e}");
    }
    if let Some(pin) = env_pin() {
        return refused.is_none().then_some(pin);
    }
    if !std::io::stdin().is_terminal() {
        eprintln!("{}", AuthError::NoPin { env: CARD_PIN_ENV });
        return None;
    }
    rpassword::prompt_password(format!("PIN of the card in “{reader}”: "))
        .ok()
        .map(|p| p.trim().to_owned())
}
