//! The card PIN on the command line: `CADUCEE_CARD_PIN` (headless use), else
//! typed on the terminal without echo. Never stored, never logged.

use std::io::IsTerminal;
use std::sync::Arc;

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
