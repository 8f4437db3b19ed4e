//! Signing a token account in, and its session: Pro Santé Connect (browser
//! sign-in, then renewal from the keyring's refresh token) and the
//! one-time-code login. The sessions started here are registered, so the IMAP
//! and SMTP logins of the account find their token.

use std::sync::Arc;

use crate::account::{Account, AuthMethod};
use crate::i18n::tr1;

use super::oidc::{self, OidcError, PendingLogin, Psc, PscIdentity};
use super::otp::{self, Challenge, Channel, OtpClient, OtpError};
use super::session::{self, KeyringVault, SessionError, TokenSession, Tokens, Vault};

/// How Pro Santé Connect sessions are named in messages.
pub const PSC_KIND: &str = "Pro Santé Connect";

#[derive(Debug, thiserror::Error)]
pub enum TokenLoginError {
    #[error("{}", tr1("auth-token-login-not-token-account", "account", .0))]
    NotTokenAccount(String),
    #[error(transparent)]
    Oidc(#[from] OidcError),
    #[error(transparent)]
    Otp(#[from] OtpError),
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// Whether the account signs in with a token.
pub fn is_token_account(account: &Account) -> bool {
    matches!(
        account.settings.auth,
        AuthMethod::ProSanteConnect { .. } | AuthMethod::Otp { .. }
    )
}

/// The Pro Santé Connect provider of a PSC account (discovery over the
/// network), with its client id and the client secret from the keyring.
pub fn psc_for(account: &Account) -> Result<Psc, TokenLoginError> {
    let AuthMethod::ProSanteConnect {
        provider,
        client_id,
        ..
    } = &account.settings.auth
    else {
        return Err(TokenLoginError::NotTokenAccount(account.address.clone()));
    };
    let client_id = client_id.as_deref().ok_or(OidcError::NoClientId)?;
    Ok(Psc::discover(
        provider,
        client_id,
        oidc::client_secret(&account.address),
    )?)
}

/// Start the browser sign-in of a PSC account: the URL to open, and what
/// [`psc_finish`] needs.
pub fn psc_begin(account: &Account) -> Result<(Psc, PendingLogin), TokenLoginError> {
    let psc = psc_for(account)?;
    let pending = psc.begin()?;
    Ok((psc, pending))
}

/// Wait for the browser, check the ID token, start and register the session
/// (the refresh token goes to `vault`; renewal runs on the current tokio
/// runtime, else on a thread of its own).
pub fn psc_finish(
    account: &Account,
    psc: Psc,
    pending: PendingLogin,
    vault: Arc<dyn Vault>,
) -> Result<(PscIdentity, TokenSession), TokenLoginError> {
    let login = psc.finish(pending, oidc::LOGIN_TIMEOUT)?;
    let session = TokenSession::start(
        &account.address,
        PSC_KIND,
        login.tokens,
        Some(psc.refresher()),
        Some(vault),
    )?;
    session::register(&session);
    Ok((login.identity, session))
}

/// The session of a token account, ready for its connections: the one this
/// process already has, else (Pro Santé Connect) one resumed from the refresh
/// token in `vault`. A one-time-code account without a live session must
/// sign in again ([`otp_login`]). `None` for other accounts.
pub async fn resume_with(
    account: &Account,
    vault: Arc<dyn Vault>,
) -> Result<Option<TokenSession>, TokenLoginError> {
    if !is_token_account(account) {
        return Ok(None);
    }
    if let Some(s) = session::current(&account.address)
        && s.access_token().is_ok()
    {
        return Ok(Some(s));
    }
    match &account.settings.auth {
        AuthMethod::ProSanteConnect { .. } => {
            if vault.load().ok().flatten().is_none() {
                return Err(SessionError::NotLoggedIn {
                    account: account.address.clone(),
                    kind: PSC_KIND,
                }
                .into());
            }
            let acc = account.clone();
            let psc = tokio::task::spawn_blocking(move || psc_for(&acc))
                .await
                .map_err(|e| OidcError::Unreachable(e.to_string()))??;
            let s =
                TokenSession::resume(&account.address, PSC_KIND, psc.refresher(), vault).await?;
            session::register(&s);
            Ok(Some(s))
        }
        _ => Err(SessionError::NotLoggedIn {
            account: account.address.clone(),
            kind: otp::KIND,
        }
        .into()),
    }
}

/// [`resume_with`] the OS keyring.
pub async fn resume(account: &Account) -> Result<Option<TokenSession>, TokenLoginError> {
    resume_with(account, KeyringVault::shared(&account.address)).await
}

/// The one-time-code login of an OTP account: step 1 with the password,
/// `code` is asked for once the code is on its way (given the masked
/// destination, and the refusal of the code typed before, if any), step 2,
/// then the session (no renewal) is registered.
pub fn otp_login(
    account: &Account,
    client: &mut OtpClient,
    password: &str,
    channel: Channel,
    code: &mut dyn FnMut(&Challenge, Option<&OtpError>) -> Option<String>,
) -> Result<TokenSession, TokenLoginError> {
    let AuthMethod::Otp { identifier } = &account.settings.auth else {
        return Err(TokenLoginError::NotTokenAccount(account.address.clone()));
    };
    let challenge = client.challenge(identifier, password, channel)?;
    let mut refused: Option<OtpError> = None;
    let tokens: Tokens = loop {
        let Some(typed) = code(&challenge, refused.as_ref()) else {
            return Err(refused.unwrap_or(OtpError::Cancelled).into());
        };
        // The client's own pace between tries.
        std::thread::sleep(client.ready_in());
        match client.verify(&challenge, &typed) {
            Ok(t) => break t,
            // Another try with the same code on its way, as long as the
            // server allows it.
            Err(e @ OtpError::WrongCode { tries_left }) if tries_left > 0 => {
                tracing::info!(tries_left, "wrong one-time code");
                refused = Some(e);
            }
            Err(e) => return Err(e.into()),
        }
    };
    otp_session(account, tokens)
}

/// Start and register the session (no renewal) of the tokens a one-time
/// code was traded for.
pub fn otp_session(account: &Account, tokens: Tokens) -> Result<TokenSession, TokenLoginError> {
    let s = TokenSession::start(&account.address, otp::KIND, tokens, None, None)?;
    session::register(&s);
    Ok(s)
}

/// Sign out: end the session, revoke the refresh token at the provider when
/// it can be reached (RFC 7009; a failure there is reported but does not keep
/// the token) and drop it from `vault`.
pub fn logout_with(account: &Account, vault: Arc<dyn Vault>) -> Result<Logout, TokenLoginError> {
    session::forget(&account.address);
    let keyring = |e: crate::secrets::SecretError| SessionError::Keyring {
        account: account.address.clone(),
        reason: e.to_string(),
    };
    let mut outcome = Logout::NothingToRevoke;
    if matches!(account.settings.auth, AuthMethod::ProSanteConnect { .. })
        && let Some(token) = vault.load().map_err(keyring)?
    {
        outcome = match psc_for(account).and_then(|p| Ok(p.revoke(&token)?)) {
            Ok(true) => Logout::Revoked,
            Ok(false) => Logout::NoRevocationEndpoint,
            Err(e) => Logout::RevocationFailed(e.to_string()),
        };
    }
    vault.delete().map_err(keyring)?;
    Ok(outcome)
}

/// [`logout_with`] the OS keyring.
pub fn logout(account: &Account) -> Result<Logout, TokenLoginError> {
    logout_with(account, KeyringVault::shared(&account.address))
}

/// What signing out did at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logout {
    /// The refresh token was revoked.
    Revoked,
    /// The provider offers no revocation: the token was only forgotten here.
    NoRevocationEndpoint,
    /// The provider could not be told (the token was forgotten here).
    RevocationFailed(String),
    /// No refresh token was kept.
    NothingToRevoke,
}
