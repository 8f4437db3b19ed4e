//! The PIN login of a card account as the session lock sees it: unlocking logs
//! in to the card's token (PKCS#11) with the PIN typed, the same login every
//! IMAP and SMTP connection of the account then uses; locking forgets it, so
//! the next connection after reinsertion logs in again.

use crate::account::Account;

use super::lock::{CardLogin, LoginError};
use super::pin::PinSource;
use super::{AuthError, sessions};

/// [`CardLogin`] for one card account, on its token.
pub struct TokenLogin {
    account: Account,
}

impl TokenLogin {
    pub fn new(account: Account) -> TokenLogin {
        TokenLogin { account }
    }
}

/// The PIN just typed, for one login.
struct Typed<'a>(&'a str);

impl PinSource for Typed<'_> {
    fn pin(&self, _token: &str) -> Result<String, AuthError> {
        Ok(self.0.to_owned())
    }
}

impl CardLogin for TokenLogin {
    fn unlock(&self, pin: &str) -> Result<(), LoginError> {
        sessions::forget(&self.account.address);
        sessions::card_login_with(&self.account, &Typed(pin))?;
        Ok(())
    }

    fn locked(&self) {
        sessions::forget(&self.account.address);
    }

    fn signed_out(&self) {
        sessions::sign_out(&self.account.address);
    }
}
