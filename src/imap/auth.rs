//! How a session proves who the user is: LOGIN or SASL PLAIN with a password,
//! SASL EXTERNAL after a TLS client certificate, SASL XOAUTH2 with a token.

use crate::account::{Account, AuthMethod};
use crate::auth::session;
use crate::secrets::Secret;

use super::ImapError;

/// Environment variable holding the password in headless mode.
pub const PASSWORD_ENV: &str = "CADUCEE_PASSWORD";

/// What is sent to log in.
#[derive(Clone)]
pub enum Credentials {
    /// LOGIN, or SASL PLAIN when the server offers it.
    Password { username: String, password: String },
    /// SASL EXTERNAL: the TLS client certificate (set in the account's
    /// `TlsSettings::client_auth`) is the proof; `authzid` is usually empty.
    External { authzid: Option<String> },
    /// SASL XOAUTH2 with a bearer token (Pro Santé Connect, one-time-code
    /// login), taken from the account's token session at each login.
    XOAuth2 { username: String, token: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Password { username, .. } => write!(f, "Password({username})"),
            Self::External { authzid } => write!(f, "External({authzid:?})"),
            Self::XOAuth2 { username, .. } => write!(f, "XOAuth2({username})"),
        }
    }
}

impl Credentials {
    /// The user named in log lines and errors.
    pub fn user(&self) -> &str {
        match self {
            Self::Password { username, .. } | Self::XOAuth2 { username, .. } => username,
            Self::External { authzid } => authzid.as_deref().unwrap_or("(certificate)"),
        }
    }

    /// The credentials of an account: secrets from the environment (headless)
    /// or the OS keyring.
    pub fn for_account(account: &Account) -> Result<Self, ImapError> {
        match &account.settings.auth {
            AuthMethod::Password { username } => {
                let password = Secret {
                    what: "password",
                    account: &account.address,
                    env: PASSWORD_ENV,
                }
                .get()?;
                Ok(Self::Password {
                    username: username.clone(),
                    password,
                })
            }
            AuthMethod::Cps { .. } | AuthMethod::Certificate { .. } => {
                Ok(Self::External { authzid: None })
            }
            AuthMethod::ProSanteConnect { username, .. } => Ok(Self::XOAuth2 {
                username: username.clone(),
                token: session::token_for(&account.address, session_kind(account))?,
            }),
            AuthMethod::Otp { .. } => Ok(Self::XOAuth2 {
                username: account.address.clone(),
                token: session::token_for(&account.address, session_kind(account))?,
            }),
        }
    }
}

/// How a token account's session is named in messages.
pub fn session_kind(account: &Account) -> &'static str {
    match account.settings.auth {
        AuthMethod::Otp { .. } => crate::auth::otp::KIND,
        _ => "Pro Santé Connect",
    }
}

/// SASL PLAIN: one response, `authzid NUL authcid NUL password`.
pub struct Plain<'a> {
    pub username: &'a str,
    pub password: &'a str,
}

impl async_imap::Authenticator for Plain<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        let mut r = Vec::with_capacity(self.username.len() + self.password.len() + 2);
        r.push(0);
        r.extend_from_slice(self.username.as_bytes());
        r.push(0);
        r.extend_from_slice(self.password.as_bytes());
        r
    }
}

/// SASL EXTERNAL: the identity comes from the TLS client certificate.
pub struct External<'a> {
    pub authzid: Option<&'a str>,
}

impl async_imap::Authenticator for External<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        self.authzid.unwrap_or("").as_bytes().to_vec()
    }
}

/// SASL XOAUTH2 (Google/Microsoft style, used with Pro Santé Connect tokens).
pub struct XOAuth2<'a> {
    pub username: &'a str,
    pub token: &'a str,
    answered: bool,
}

impl<'a> XOAuth2<'a> {
    pub fn new(username: &'a str, token: &'a str) -> Self {
        Self {
            username,
            token,
            answered: false,
        }
    }
}

impl async_imap::Authenticator for XOAuth2<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        // A second challenge carries the error as JSON: answer it with an empty
        // line so the server ends the exchange with its tagged NO.
        if self.answered {
            return Vec::new();
        }
        self.answered = true;
        format!(
            "user={}\x01auth=Bearer {}\x01\x01",
            self.username, self.token
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_imap::Authenticator;

    #[test]
    fn sasl_responses() {
        let mut p = Plain {
            username: "claire",
            password: "pw",
        };
        assert_eq!(p.process(b""), b"\0claire\0pw");
        let mut x = XOAuth2::new("claire", "tok");
        assert_eq!(x.process(b""), b"user=claire\x01auth=Bearer tok\x01\x01");
        assert_eq!(x.process(b"{\"status\":\"401\"}"), b"");
        assert_eq!(External { authzid: None }.process(b""), b"");
    }
}
