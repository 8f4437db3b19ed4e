//! The national operator's fallback login for professionals without their
//! card: (1) national identifier, password and a channel (SMS or e-mail) -> a
//! one-time code is sent; (2) the code -> a session token, which then logs in
//! to IMAP and SMTP with SASL XOAUTH2 like a Pro Santé Connect token (same
//! [`super::session::TokenSession`], without renewal: when it expires, sign in
//! again).
//!
//! ASSUMED WIRE FORMAT: the operator's real interface is not published in the
//! references this project has. This module speaks a plain JSON-over-HTTPS
//! design, to be checked against the operator's documentation:
//!
//! - `POST {base}/otp/challenge` `{"identifier", "password", "channel": "SMS"|"MAIL"}`
//!   -> 200 `{"transaction_id", "masked_destination", "expires_in"}`
//! - `POST {base}/otp/verify` `{"transaction_id", "code"}`
//!   -> 200 `{"session_token", "expires_in"}`
//! - errors: `{"error": CODE, "tries_left"?}` with 401 `invalid_credentials`
//!   or `invalid_code`, 410 `code_expired`, 423 `account_locked`, 429
//!   `too_many_attempts` (with `Retry-After`).
//!
//! Retries are rate-limited here too: after each refusal the client waits
//! longer (1 s, 2 s, 4 s... up to a minute) before it asks the server again.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::oidc::http::Http;
use super::session::Tokens;
use crate::i18n::{tr, tr1, tr2};

/// Environment variable naming the operator's service (its base URL).
pub const SERVICE_ENV: &str = "CADUCEE_OTP_URL";
/// Environment variables for scripts (headless): password and code.
pub const PASSWORD_ENV: &str = "CADUCEE_OTP_PASSWORD";
pub const CODE_ENV: &str = "CADUCEE_OTP_CODE";

/// The longest pause between two tries.
const MAX_PAUSE: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum OtpError {
    #[error("{}", tr1("auth-otp-bad-identifier", "id", .0))]
    BadIdentifier(String),
    #[error("{}", tr1("auth-otp-no-service", "env", &SERVICE_ENV))]
    NoService,
    #[error("{}", tr2("auth-otp-bad-service", "url", .0, "reason", .1))]
    BadService(String, String),
    #[error("{}", tr1("auth-otp-unreachable", "reason", .0))]
    Unreachable(String),
    #[error("{}", tr("auth-otp-wrong-credentials"))]
    WrongCredentials,
    #[error("{}", tr1("auth-otp-wrong-code", "tries", .tries_left))]
    WrongCode { tries_left: u32 },
    #[error("{}", tr("auth-otp-code-expired"))]
    CodeExpired,
    #[error("{}", tr("auth-otp-locked"))]
    Locked,
    #[error("{}", tr1("auth-otp-too-many-attempts", "seconds", .0))]
    TooManyAttempts(u64),
    #[error("{}", tr1("auth-otp-slow-down", "seconds", .0))]
    SlowDown(u64),
    #[error("{}", tr("auth-otp-cancelled"))]
    Cancelled,
    #[error("{}", tr1("auth-otp-protocol", "reason", .0))]
    Protocol(String),
}

/// Where the code is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Channel {
    Sms,
    Mail,
}

impl std::str::FromStr for Channel {
    type Err = OtpError;
    fn from_str(s: &str) -> Result<Self, OtpError> {
        match s.to_ascii_lowercase().as_str() {
            "sms" => Ok(Self::Sms),
            "mail" | "email" | "e-mail" => Ok(Self::Mail),
            _ => Err(OtpError::Protocol(format!(
                "unknown channel {s}: say sms or mail"
            ))),
        }
    }
}

/// Check a national identifier: `8` + 11-digit RPPS, or `0` + 9-character ADELI.
pub fn check_identifier(id: &str) -> Result<&str, OtpError> {
    let id = id.trim();
    let ok = match id.as_bytes() {
        [b'8', rest @ ..] => rest.len() == 11 && rest.iter().all(u8::is_ascii_digit),
        [b'0', rest @ ..] => rest.len() == 9 && rest.iter().all(u8::is_ascii_alphanumeric),
        _ => false,
    };
    if ok {
        Ok(id)
    } else {
        Err(OtpError::BadIdentifier(id.to_owned()))
    }
}

/// A code on its way: what step 1 returned.
#[derive(Debug, Clone, Deserialize)]
pub struct Challenge {
    pub transaction_id: String,
    /// Where the code went, masked (`06******12`, `c****@exemple.fr`).
    pub masked_destination: String,
    /// Seconds the code stays valid.
    pub expires_in: u64,
}

#[derive(Serialize)]
struct ChallengeRequest<'a> {
    identifier: &'a str,
    password: &'a str,
    channel: Channel,
}

#[derive(Serialize)]
struct VerifyRequest<'a> {
    transaction_id: &'a str,
    code: &'a str,
}

#[derive(Deserialize)]
struct SessionAnswer {
    session_token: String,
    expires_in: u64,
}

#[derive(Deserialize, Default)]
struct ErrorAnswer {
    #[serde(default)]
    error: String,
    #[serde(default)]
    tries_left: Option<u32>,
}

/// A client of the operator's service.
pub struct OtpClient {
    base: String,
    http: Http,
    /// No request before this instant (after a refusal or a 429).
    not_before: Option<Instant>,
    pause: Duration,
}

impl OtpClient {
    /// A client of the service at `base` (https; http only on loopback).
    pub fn new(base: &str) -> Result<OtpClient, OtpError> {
        let url = openidconnect::url::Url::parse(base)
            .map_err(|e| OtpError::BadService(base.to_owned(), e.to_string()))?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        let allow_http = match url.scheme() {
            "https" => false,
            "http" if loopback => true,
            _ => {
                return Err(OtpError::BadService(
                    base.to_owned(),
                    "HTTPS is required".into(),
                ));
            }
        };
        Ok(OtpClient {
            base: base.trim_end_matches('/').to_owned(),
            http: Http::new(allow_http),
            not_before: None,
            pause: Duration::from_secs(1),
        })
    }

    /// The client of the service named by [`SERVICE_ENV`].
    pub fn from_environment() -> Result<OtpClient, OtpError> {
        match std::env::var(SERVICE_ENV) {
            Ok(url) if !url.trim().is_empty() => Self::new(url.trim()),
            _ => Err(OtpError::NoService),
        }
    }

    /// Set the first pause after a refusal (tests shorten it).
    pub fn with_pause(mut self, pause: Duration) -> Self {
        self.pause = pause;
        self
    }

    /// How long until the next request may be sent (zero: now).
    pub fn ready_in(&self) -> Duration {
        self.not_before
            .map(|t| t.saturating_duration_since(Instant::now()))
            .unwrap_or_default()
    }

    /// Step 1: ask for a code.
    pub fn challenge(
        &mut self,
        identifier: &str,
        password: &str,
        channel: Channel,
    ) -> Result<Challenge, OtpError> {
        let identifier = check_identifier(identifier)?;
        let body = ChallengeRequest {
            identifier,
            password,
            channel,
        };
        let bytes = self.post("otp/challenge", &body)?;
        serde_json::from_slice(&bytes).map_err(|e| OtpError::Protocol(e.to_string()))
    }

    /// Step 2: trade the code for a session token.
    pub fn verify(&mut self, challenge: &Challenge, code: &str) -> Result<Tokens, OtpError> {
        let body = VerifyRequest {
            transaction_id: &challenge.transaction_id,
            code: code.trim(),
        };
        let bytes = self.post("otp/verify", &body)?;
        let answer: SessionAnswer =
            serde_json::from_slice(&bytes).map_err(|e| OtpError::Protocol(e.to_string()))?;
        Ok(Tokens {
            access: answer.session_token,
            expires_in: Duration::from_secs(answer.expires_in),
            refresh: None,
        })
    }

    fn post(&mut self, path: &str, body: &impl Serialize) -> Result<Vec<u8>, OtpError> {
        if let Some(t) = self.not_before {
            let now = Instant::now();
            if now < t {
                return Err(OtpError::SlowDown((t - now).as_secs().max(1)));
            }
        }
        let url = format!("{}/{path}", self.base);
        let mut response = self
            .http
            .agent()
            .post(&url)
            .send_json(body)
            .map_err(|e| OtpError::Unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let bytes = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_vec()
            .map_err(|e| OtpError::Unreachable(e.to_string()))?;
        if (200..300).contains(&status) {
            self.not_before = None;
            self.pause = self.pause.min(Duration::from_secs(1));
            return Ok(bytes);
        }
        let err: ErrorAnswer = serde_json::from_slice(&bytes).unwrap_or_default();
        // Every refusal slows the next try down, on top of what the server asks.
        let wait = retry_after
            .map(Duration::from_secs)
            .unwrap_or(self.pause)
            .max(self.pause);
        self.not_before = Some(Instant::now() + wait);
        self.pause = (self.pause * 2).min(MAX_PAUSE);
        Err(match (status, err.error.as_str()) {
            (429, _) | (_, "too_many_attempts") => {
                OtpError::TooManyAttempts(retry_after.unwrap_or(wait.as_secs()))
            }
            (423, _) | (_, "account_locked") => OtpError::Locked,
            (410, _) | (_, "code_expired") => OtpError::CodeExpired,
            (_, "invalid_code") => OtpError::WrongCode {
                tries_left: err.tries_left.unwrap_or(0),
            },
            (401, _) | (_, "invalid_credentials") => OtpError::WrongCredentials,
            (status, error) => OtpError::Protocol(format!("HTTP {status} {error}")),
        })
    }
}

/// What the XOAUTH2 logins of an account say the session is.
pub const KIND: &str = "one-time code";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked_locally() {
        assert!(check_identifier("810002813839").is_ok());
        assert!(check_identifier("0751234567").is_ok());
        assert!(check_identifier("0").is_err());
        assert!(check_identifier("10002813839").is_err());
        assert!(check_identifier("81000281383x").is_err());
        let e = check_identifier("12345").unwrap_err().to_string();
        assert!(e.contains("RPPS") && e.contains("ADELI"), "{e}");
    }

    #[test]
    fn services_must_be_https_off_loopback() {
        assert!(OtpClient::new("http://127.0.0.1:9/otp").is_ok());
        assert!(OtpClient::new("http://otp.example.fr").is_err());
        assert!(OtpClient::new("https://otp.example.fr").is_ok());
    }
}
