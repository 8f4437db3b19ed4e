//! Pro Santé Connect (e-CPS): OpenID Connect authorization code flow with PKCE
//! (S256) in the system browser and a loopback redirect (RFC 8252), the ID
//! token checked (signature against the provider's JWKS, issuer, audience,
//! nonce, expiry), and the national identifier read from its `SubjectNameID`
//! claim. The tokens then feed a [`super::session::TokenSession`].

pub mod http;
pub mod redirect;

use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType, CoreTokenResponse,
};
use openidconnect::{
    AdditionalClaims, AuthUrl, AuthenticationContextClass, AuthorizationCode, ClientId,
    ClientSecret, CsrfToken, IdToken, IdTokenClaims, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, ProviderMetadata, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use self::http::Http;
use self::redirect::Redirect;
use super::session::{RefreshError, Tokens};
use crate::i18n::{tr, tr1, tr2};

/// The production issuer (its discovery document lists the endpoints).
pub const PRODUCTION_ISSUER: &str = "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet";
/// The production authorization endpoint (the e-CPS wallet).
pub const PRODUCTION_AUTHORIZE: &str = "https://wallet.esw.esante.gouv.fr/auth";
/// The production token endpoint.
pub const PRODUCTION_TOKEN: &str =
    "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/protocol/openid-connect/token";
/// The sandbox issuer (“bac à sable”).
pub const SANDBOX_ISSUER: &str = "https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet";
/// The scopes Pro Santé Connect expects, besides `openid`.
pub const SCOPE: &str = "scope_all";
/// The authentication level asked for.
pub const ACR: &str = "eidas1";
/// How long the browser login may take.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// Environment variable holding the client secret in headless mode.
pub const CLIENT_SECRET_ENV: &str = "CADUCEE_PSC_CLIENT_SECRET";
/// The keyring entry of the client secret.
pub const CLIENT_SECRET: &str = "psc-client-secret";

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("{}", tr("auth-oidc-no-client-id"))]
    NoClientId,
    #[error("{}", tr2("auth-oidc-bad-url", "url", .0, "reason", .1))]
    BadUrl(String, String),
    #[error("{}", tr1("auth-oidc-not-https", "issuer", .0))]
    NotHttps(String),
    #[error("{}", tr1("auth-oidc-unreachable", "reason", .0))]
    Unreachable(String),
    #[error("{}", tr1("auth-oidc-discovery", "reason", .0))]
    Discovery(String),
    #[error("{}", tr1("auth-oidc-browser", "reason", .0))]
    Browser(String),
    #[error("{}", tr1("auth-oidc-redirect", "reason", .0))]
    Redirect(String),
    #[error("{}", tr("auth-oidc-state-mismatch"))]
    StateMismatch,
    #[error("{}", tr2("auth-oidc-denied", "error", .error, "description", .description))]
    Denied { error: String, description: String },
    #[error("{}", tr1("auth-oidc-login-timeout", "seconds", .0))]
    LoginTimeout(u64),
    #[error("{}", tr("auth-oidc-cancelled"))]
    Cancelled,
    #[error("{}", tr1("auth-oidc-token", "reason", .0))]
    Token(String),
    #[error("{}", tr("auth-oidc-no-id-token"))]
    NoIdToken,
    #[error("{}", tr1("auth-oidc-id-token", "reason", .0))]
    IdToken(String),
    #[error("{}", tr("auth-oidc-no-subject-name-id"))]
    NoSubjectNameId,
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
}

/// Which Pro Santé Connect an account signs in with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PscProvider {
    #[default]
    Production,
    Sandbox,
    /// Another issuer (a test provider); `http` only on loopback.
    Issuer(String),
}

impl PscProvider {
    pub fn issuer(&self) -> &str {
        match self {
            Self::Production => PRODUCTION_ISSUER,
            Self::Sandbox => SANDBOX_ISSUER,
            Self::Issuer(url) => url,
        }
    }
}

impl std::str::FromStr for PscProvider {
    type Err = OidcError;
    fn from_str(s: &str) -> Result<Self, OidcError> {
        match s {
            "production" | "prod" => Ok(Self::Production),
            "sandbox" | "bas" => Ok(Self::Sandbox),
            url if url.starts_with("https://") || url.starts_with("http://") => {
                check_issuer(url)?;
                Ok(Self::Issuer(url.trim_end_matches('/').to_owned()))
            }
            other => Err(OidcError::BadUrl(
                other.to_owned(),
                "say production, sandbox or an issuer URL".into(),
            )),
        }
    }
}

/// Whether `url` is plain http on a loopback address (allowed for tests), or
/// else https. Returns whether plain http is allowed.
fn check_issuer(url: &str) -> Result<bool, OidcError> {
    let parsed = openidconnect::url::Url::parse(url)
        .map_err(|e| OidcError::BadUrl(url.to_owned(), e.to_string()))?;
    match parsed.scheme() {
        "https" => Ok(false),
        "http" => {
            let loopback = match parsed.host() {
                Some(openidconnect::url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(openidconnect::url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(openidconnect::url::Host::Domain(d)) => d == "localhost",
                None => false,
            };
            if loopback {
                Ok(true)
            } else {
                Err(OidcError::NotHttps(url.to_owned()))
            }
        }
        _ => Err(OidcError::NotHttps(url.to_owned())),
    }
}

/// The claims Pro Santé Connect adds to the ID token.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PscClaims {
    /// The national identifier (`8` + RPPS, or `0` + ADELI...).
    #[serde(
        rename = "SubjectNameID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub subject_name_id: Option<String>,
}

impl AdditionalClaims for PscClaims {}

/// An ID token with Pro Santé Connect's claims.
pub type PscIdToken =
    IdToken<PscClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// What the discovery document says beyond the core fields: where tokens
/// are revoked (RFC 7009), as Keycloak-based providers announce it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RevocationMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
}

impl openidconnect::AdditionalProviderMetadata for RevocationMetadata {}

/// The provider's discovery document.
pub type PscProviderMetadata = ProviderMetadata<
    RevocationMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// Who signed in, from the verified ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PscIdentity {
    /// The token's subject.
    pub subject: String,
    /// The national identifier (`SubjectNameID`).
    pub national_id: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
}

/// A provider found by discovery, with this installation's client id.
#[derive(Clone)]
pub struct Psc {
    provider: PscProvider,
    metadata: PscProviderMetadata,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    allow_http: bool,
}

impl std::fmt::Debug for Psc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Psc({}, {})",
            self.provider.issuer(),
            self.client_id.as_str()
        )
    }
}

type ReadyClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointSet,
    openidconnect::EndpointMaybeSet,
>;

/// A sign-in under way: the browser is to open `url`; then
/// [`Psc::finish`] waits for the redirect.
pub struct PendingLogin {
    pub url: String,
    redirect: Redirect,
    state: CsrfToken,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
}

impl PendingLogin {
    /// Stops the wait of [`Psc::finish`] from another thread (the user
    /// cancelled); the loopback port is freed when the wait gives up.
    pub fn canceller(&self) -> redirect::Canceller {
        self.redirect.canceller()
    }
}

/// What a completed sign-in yields.
pub struct Login {
    pub identity: PscIdentity,
    pub tokens: Tokens,
}

impl Psc {
    /// Fetch the provider's discovery document and key set.
    pub fn discover(
        provider: &PscProvider,
        client_id: &str,
        client_secret: Option<String>,
    ) -> Result<Psc, OidcError> {
        if client_id.trim().is_empty() {
            return Err(OidcError::NoClientId);
        }
        let issuer = provider.issuer();
        let allow_http = check_issuer(issuer)?;
        let issuer_url = IssuerUrl::new(issuer.to_owned())
            .map_err(|e| OidcError::BadUrl(issuer.to_owned(), e.to_string()))?;
        let metadata = PscProviderMetadata::discover(&issuer_url, &Http::new(allow_http)).map_err(
            |e| match e {
                openidconnect::DiscoveryError::Request(e) => OidcError::Unreachable(e.to_string()),
                other => OidcError::Discovery(error_chain(&other)),
            },
        )?;
        Ok(Psc {
            provider: provider.clone(),
            metadata,
            client_id: ClientId::new(client_id.trim().to_owned()),
            client_secret: client_secret.map(ClientSecret::new),
            allow_http,
        })
    }

    fn client(&self, redirect_uri: Option<&str>) -> Result<ReadyClient, OidcError> {
        let bad = |e: openidconnect::url::ParseError| OidcError::Discovery(e.to_string());
        let (auth, token) = match self.provider {
            // The endpoints the ANS documents, whatever the discovery says.
            PscProvider::Production => (
                AuthUrl::new(PRODUCTION_AUTHORIZE.into()).map_err(bad)?,
                TokenUrl::new(PRODUCTION_TOKEN.into()).map_err(bad)?,
            ),
            _ => (
                self.metadata.authorization_endpoint().clone(),
                self.metadata
                    .token_endpoint()
                    .cloned()
                    .ok_or_else(|| OidcError::Discovery("no token endpoint".into()))?,
            ),
        };
        let mut client = CoreClient::from_provider_metadata(
            self.metadata.clone(),
            self.client_id.clone(),
            self.client_secret.clone(),
        )
        .set_auth_uri(auth)
        .set_token_uri(token);
        if let Some(uri) = redirect_uri {
            client = client.set_redirect_uri(
                RedirectUrl::new(uri.to_owned()).map_err(|e| OidcError::Redirect(e.to_string()))?,
            );
        }
        Ok(client)
    }

    /// Start a sign-in: listen on the loopback redirect and build the
    /// authorization URL (PKCE S256, state, nonce, `scope=openid scope_all`,
    /// `acr_values=eidas1`).
    pub fn begin(&self) -> Result<PendingLogin, OidcError> {
        let redirect = Redirect::bind()?;
        let client = self.client(Some(&redirect.uri()))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new(SCOPE.into()))
            .add_auth_context_value(AuthenticationContextClass::new(ACR.into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(PendingLogin {
            url: url.to_string(),
            redirect,
            state,
            nonce,
            verifier,
        })
    }

    /// Wait for the browser to come back, exchange the code (with the PKCE
    /// verifier) and check the ID token.
    pub fn finish(&self, pending: PendingLogin, timeout: Duration) -> Result<Login, OidcError> {
        let code = pending.redirect.wait(pending.state.secret(), timeout)?;
        let client = self.client(Some(&pending.redirect.uri()))?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(pending.verifier)
            .request(&Http::new(self.allow_http))
            .map_err(token_error)?;
        let identity = self.verify_id_token(&client, &response, &pending.nonce)?;
        Ok(Login {
            identity,
            tokens: tokens_of(&response),
        })
    }

    /// Check the ID token of a token response and read who it names.
    fn verify_id_token(
        &self,
        client: &ReadyClient,
        response: &CoreTokenResponse,
        nonce: &Nonce,
    ) -> Result<PscIdentity, OidcError> {
        let raw = response.id_token().ok_or(OidcError::NoIdToken)?.to_string();
        verify_id_token(client, &raw, nonce, Some(response.access_token()))
    }

    /// Trade a refresh token for new tokens.
    pub fn refresh(&self, refresh_token: &str) -> Result<Tokens, RefreshError> {
        let client = self
            .client(None)
            .map_err(|e| RefreshError::Transient(e.to_string()))?;
        let token = RefreshToken::new(refresh_token.to_owned());
        let response = client
            .exchange_refresh_token(&token)
            .request(&Http::new(self.allow_http))
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => RefreshError::Refused(format!(
                    "{}{}",
                    r.error(),
                    r.error_description()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                )),
                other => RefreshError::Transient(error_chain(&other)),
            })?;
        Ok(tokens_of(&response))
    }

    /// Revoke a refresh token at the provider (RFC 7009), when it offers a
    /// revocation endpoint; `Ok(false)` when it offers none.
    pub fn revoke(&self, refresh_token: &str) -> Result<bool, OidcError> {
        let Some(url) = &self.metadata.additional_metadata().revocation_endpoint else {
            return Ok(false);
        };
        // One form POST (RFC 7009 §2.1). The OAuth library refuses a
        // plain-http endpoint even on loopback, so it is sent here.
        let secret = self.client_secret.as_ref().map(|s| s.secret().clone());
        let mut form = vec![
            ("token", refresh_token),
            ("token_type_hint", "refresh_token"),
        ];
        if secret.is_none() {
            form.push(("client_id", self.client_id.as_str()));
        }
        let http = Http::new(self.allow_http);
        let mut request = http.agent().post(url);
        if let Some(secret) = &secret {
            use base64::Engine;
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{secret}", self.client_id.as_str()));
            request = request.header("Authorization", format!("Basic {basic}"));
        }
        let response = request
            .send_form(form)
            .map_err(|e| OidcError::Unreachable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(OidcError::Token(format!(
                "revocation answered HTTP {}",
                response.status()
            )));
        }
        Ok(true)
    }

    /// The refresher a token session calls.
    pub fn refresher(self) -> std::sync::Arc<dyn super::session::Refresher> {
        std::sync::Arc::new(self)
    }
}

impl super::session::Refresher for Psc {
    fn refresh(&self, refresh_token: &str) -> Result<Tokens, RefreshError> {
        Psc::refresh(self, refresh_token)
    }
}

/// Verify a raw ID token (signature with the provider's keys, issuer,
/// audience, nonce, expiry) and read its identity.
fn verify_id_token(
    client: &ReadyClient,
    raw: &str,
    nonce: &Nonce,
    access_token: Option<&openidconnect::AccessToken>,
) -> Result<PscIdentity, OidcError> {
    let token: PscIdToken = raw
        .parse()
        .map_err(|e: serde_json::Error| OidcError::IdToken(e.to_string()))?;
    let verifier = client.id_token_verifier();
    let claims: &IdTokenClaims<PscClaims, CoreGenderClaim> = token
        .claims(&verifier, nonce)
        .map_err(|e| OidcError::IdToken(error_chain(&e)))?;
    // The access token is the one the ID token was issued with (at_hash),
    // when the provider says so.
    if let (Some(expected), Some(access)) = (claims.access_token_hash(), access_token) {
        let bad = |e: &dyn std::error::Error| OidcError::IdToken(error_chain(e));
        let alg = token.signing_alg().map_err(|e| bad(&e))?;
        let key = token.signing_key(&verifier).map_err(|e| bad(&e))?;
        let actual =
            openidconnect::AccessTokenHash::from_token(access, alg, key).map_err(|e| bad(&e))?;
        if actual != *expected {
            return Err(OidcError::IdToken(
                "its access token hash (at_hash) does not match the access token".into(),
            ));
        }
    }
    let national_id = claims
        .additional_claims()
        .subject_name_id
        .clone()
        .filter(|s| !s.trim().is_empty())
        .ok_or(OidcError::NoSubjectNameId)?;
    Ok(PscIdentity {
        subject: claims.subject().to_string(),
        national_id,
        given_name: claims
            .given_name()
            .and_then(|l| l.get(None))
            .map(|v| v.to_string()),
        family_name: claims
            .family_name()
            .and_then(|l| l.get(None))
            .map(|v| v.to_string()),
    })
}

fn tokens_of(response: &CoreTokenResponse) -> Tokens {
    Tokens {
        access: response.access_token().secret().clone(),
        expires_in: response.expires_in().unwrap_or(Duration::from_secs(300)),
        refresh: response.refresh_token().map(|r| r.secret().clone()),
    }
}

fn token_error<E: std::error::Error + 'static>(
    e: RequestTokenError<
        E,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> OidcError {
    match e {
        RequestTokenError::ServerResponse(r) => OidcError::Token(format!(
            "{}{}",
            r.error(),
            r.error_description()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        )),
        RequestTokenError::Request(e) => OidcError::Unreachable(e.to_string()),
        other => OidcError::Token(error_chain(&other)),
    }
}

/// An error and its causes, on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// The client secret of an account, if one was saved (most native
/// installations are public clients and have none).
pub fn client_secret(address: &str) -> Option<String> {
    crate::secrets::Secret {
        what: CLIENT_SECRET,
        account: address,
        env: CLIENT_SECRET_ENV,
    }
    .get()
    .ok()
}

/// Open the system browser on `url` (`$BROWSER` is honoured).
pub fn open_browser(url: &str) -> Result<(), OidcError> {
    webbrowser::open(url).map_err(|e| OidcError::Browser(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_account_settings_still_read() {
        use crate::account::AuthMethod;
        let old: AuthMethod =
            serde_json::from_str(r#"{"method":"pro-sante-connect","username":"claire"}"#).unwrap();
        assert_eq!(
            old,
            AuthMethod::ProSanteConnect {
                username: "claire".into(),
                provider: PscProvider::Production,
                client_id: None,
            }
        );
        let custom = AuthMethod::ProSanteConnect {
            username: "c".into(),
            provider: PscProvider::Issuer("http://127.0.0.1:1/r".into()),
            client_id: Some("id".into()),
        };
        let back: AuthMethod =
            serde_json::from_str(&serde_json::to_string(&custom).unwrap()).unwrap();
        assert_eq!(back, custom);
    }

    #[test]
    fn issuers_must_be_https_except_on_loopback() {
        assert!(!check_issuer(PRODUCTION_ISSUER).unwrap());
        assert!(check_issuer("http://127.0.0.1:8080/realms/x").unwrap());
        assert!(matches!(
            check_issuer("http://auth.example.fr/realms/x"),
            Err(OidcError::NotHttps(_))
        ));
        assert_eq!(
            "sandbox".parse::<PscProvider>().unwrap().issuer(),
            SANDBOX_ISSUER
        );
    }
}
