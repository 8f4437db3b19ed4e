//! A fixture OpenID Connect provider standing in for Pro Santé Connect (which
//! cannot run here), on loopback, plain http (the client accepts http only for
//! loopback issuers). It speaks the real wire formats: discovery document,
//! JWKS, an authorize endpoint that approves at once and redirects with
//! `code` and `state`, a token endpoint (authorization code with PKCE S256
//! checked, refresh token grant with rotation, short access tokens), ID tokens
//! as RS256 JWTs signed with a key made for the test, and an RFC 7662
//! introspection endpoint that the real Dovecot asks about every XOAUTH2 token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use caducee::auth::oidc::{PscClaims, PscIdToken};
use openidconnect::core::{CoreJsonWebKey, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{
    AccessToken, Audience, EndUserFamilyName, EndUserGivenName, IdTokenClaims, IssuerUrl,
    JsonWebKeyId, JsonWebKeySet, LocalizedClaim, Nonce, PrivateSigningKey, StandardClaims,
    SubjectIdentifier,
};
use sha2::Digest;

/// The realm path of the production provider, kept for likeness.
pub const REALM: &str = "/auth/realms/esante-wallet";
pub const CLIENT_ID: &str = "caducee-test";
/// The national identifier the fixture signs in.
pub const NATIONAL_ID: &str = "810002813839";

/// How the next ID token is spoiled, to see the client refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdTokenFault {
    #[default]
    None,
    BadSignature,
    WrongAudience,
    WrongNonce,
    WrongIssuer,
    Expired,
    /// `at_hash` made from another access token.
    WrongAccessTokenHash,
}

struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct Access {
    username: String,
    expires_at: Instant,
}

pub struct State {
    key: CoreRsaPrivateSigningKey,
    other_key: CoreRsaPrivateSigningKey,
    /// The mail user the next sign-in is for (introspection's `username`).
    pub username: String,
    pub access_lifetime: Duration,
    /// How long a refresh token lives (none: until used or revoked).
    pub refresh_lifetime: Option<Duration>,
    pub fault: IdTokenFault,
    codes: HashMap<String, Grant>,
    access: HashMap<String, Access>,
    /// Refresh token -> (user, still valid).
    refresh: HashMap<String, (String, bool)>,
    /// Refresh token -> when it expires.
    refresh_expiry: HashMap<String, Instant>,
    pub code_grants: u32,
    pub refresh_grants: u32,
    pub refused_refreshes: u32,
    /// Refresh tokens revoked through the RFC 7009 endpoint.
    pub revocations: u32,
    /// Every token Dovecot asked about, with the answer.
    pub introspected: Vec<(String, bool)>,
    /// The query of the last authorize request.
    pub last_authorize: HashMap<String, String>,
    counter: u64,
}

impl State {
    fn new_token(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let mut bytes = [0u8; 18];
        rand::Rng::fill(&mut rand::rng(), &mut bytes[..]);
        format!(
            "{prefix}-{}-{}",
            self.counter,
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        )
    }

    /// A bearer token the introspection endpoint accepts for `lifetime`
    /// (shared with the one-time-code fixture).
    pub fn issue_access(&mut self, username: &str, lifetime: Duration) -> String {
        let token = self.new_token("at");
        self.access.insert(
            token.clone(),
            Access {
                username: username.to_owned(),
                expires_at: Instant::now() + lifetime,
            },
        );
        token
    }

    fn new_refresh(&mut self, user: &str) -> String {
        let token = self.new_token("rt");
        self.refresh.insert(token.clone(), (user.to_owned(), true));
        if let Some(life) = self.refresh_lifetime {
            self.refresh_expiry
                .insert(token.clone(), Instant::now() + life);
        }
        token
    }

    /// Every refresh token given so far is refused from now on.
    pub fn revoke_refresh_tokens(&mut self) {
        for v in self.refresh.values_mut() {
            v.1 = false;
        }
    }

    /// Whether any refresh token is still valid.
    pub fn any_refresh_valid(&self) -> bool {
        self.refresh.values().any(|v| v.1)
    }

    /// Whether `token` is a valid refresh token now.
    pub fn refresh_valid(&self, token: &str) -> bool {
        self.refresh.get(token).is_some_and(|v| v.1)
    }

    pub fn access_active(&self, token: &str) -> bool {
        self.access
            .get(token)
            .is_some_and(|a| Instant::now() < a.expires_at)
    }
}

pub struct Provider {
    pub issuer: String,
    pub state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
}

/// An RSA key, PKCS#1 PEM, made by openssl for this test.
fn rsa_pem() -> String {
    let out = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "2048"])
        .stderr(std::process::Stdio::null())
        .output()
        .expect("openssl is not installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn signing_key() -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(&rsa_pem(), Some(JsonWebKeyId::new("k1".into()))).unwrap()
}

impl Provider {
    /// Start a provider whose next sign-in is for mail user `username`.
    pub fn start(username: &str) -> Provider {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let issuer = format!("http://127.0.0.1:{port}{REALM}");
        let state = Arc::new(Mutex::new(State {
            key: signing_key(),
            other_key: signing_key(),
            username: username.to_owned(),
            access_lifetime: Duration::from_secs(300),
            refresh_lifetime: None,
            fault: IdTokenFault::None,
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            refresh_expiry: HashMap::new(),
            code_grants: 0,
            refresh_grants: 0,
            refused_refreshes: 0,
            revocations: 0,
            introspected: Vec::new(),
            last_authorize: HashMap::new(),
            counter: 0,
        }));
        let (srv, st, iss) = (server.clone(), state.clone(), issuer.clone());
        std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                handle(request, &st, &iss);
            }
        });
        Provider {
            issuer,
            state,
            server,
        }
    }

    pub fn introspection_url(&self) -> String {
        format!("{}/protocol/openid-connect/token/introspect", self.issuer)
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

fn query(s: &str) -> HashMap<String, String> {
    openidconnect::url::form_urlencoded::parse(s.as_bytes())
        .into_owned()
        .collect()
}

fn json(status: u16, body: serde_json::Value) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    tiny_http::Response::from_string(body.to_string())
        .with_status_code(status)
        .with_header(tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap())
}

fn handle(mut request: tiny_http::Request, state: &Mutex<State>, issuer: &str) {
    let url = request.url().to_owned();
    let (path, q) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let auth_header = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.to_string());
    let Some(path) = path.strip_prefix(REALM) else {
        let _ = request.respond(tiny_http::Response::empty(404));
        return;
    };
    let response = match path {
        "/.well-known/openid-configuration" => json(200, discovery(issuer)),
        "/protocol/openid-connect/certs" => {
            let st = state.lock().unwrap();
            let jwks: JsonWebKeySet<CoreJsonWebKey> =
                JsonWebKeySet::new(vec![st.key.as_verification_key()]);
            json(200, serde_json::to_value(&jwks).unwrap())
        }
        "/protocol/openid-connect/auth" => {
            let params = query(q);
            match authorize(&mut state.lock().unwrap(), &params) {
                Ok(location) => tiny_http::Response::from_string("")
                    .with_status_code(302)
                    .with_header(tiny_http::Header::from_bytes("Location", location).unwrap()),
                Err(e) => tiny_http::Response::from_string(e).with_status_code(400),
            }
        }
        "/protocol/openid-connect/token" => {
            let params = query(&body);
            let (status, v) = token(&mut state.lock().unwrap(), &params, auth_header, issuer);
            json(status, v)
        }
        "/protocol/openid-connect/revoke" => {
            let params = query(&body);
            let mut st = state.lock().unwrap();
            if params.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
                json(401, serde_json::json!({ "error": "invalid_client" }))
            } else {
                let token = params.get("token").cloned().unwrap_or_default();
                if let Some(v) = st.refresh.get_mut(&token) {
                    v.1 = false;
                    st.revocations += 1;
                }
                // RFC 7009 §2.2: 200 whether or not the token was known.
                tiny_http::Response::from_string("").with_status_code(200)
            }
        }
        "/protocol/openid-connect/token/introspect" => {
            let params = query(&body);
            let token = params.get("token").cloned().unwrap_or_default();
            let mut st = state.lock().unwrap();
            let active = st.access_active(&token);
            st.introspected.push((token.clone(), active));
            if active {
                let a = &st.access[&token];
                json(
                    200,
                    serde_json::json!({
                        "active": true,
                        "username": a.username,
                        "sub": "f:550dc1c8-d97b-4b1e-ac8c-8eb4471cf9dd:ANS",
                        "scope": "openid scope_all",
                        "client_id": CLIENT_ID,
                        "token_type": "Bearer",
                    }),
                )
            } else {
                json(200, serde_json::json!({ "active": false }))
            }
        }
        _ => tiny_http::Response::from_string("not found").with_status_code(404),
    };
    let _ = request.respond(response);
}

fn discovery(issuer: &str) -> serde_json::Value {
    let ep = |p: &str| format!("{issuer}/protocol/openid-connect/{p}");
    serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": ep("auth"),
        "token_endpoint": ep("token"),
        "introspection_endpoint": ep("token/introspect"),
        "revocation_endpoint": ep("revoke"),
        "jwks_uri": ep("certs"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "scopes_supported": ["openid", "scope_all"],
        "acr_values_supported": ["eidas1"],
        "claims_supported": ["sub", "SubjectNameID", "given_name", "family_name"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic"],
    })
}

fn authorize(st: &mut State, p: &HashMap<String, String>) -> Result<String, String> {
    st.last_authorize = p.clone();
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    if get("response_type") != "code" {
        return Err("response_type must be code".into());
    }
    if get("client_id") != CLIENT_ID {
        return Err("unknown client".into());
    }
    let scopes: Vec<String> = get("scope").split(' ').map(str::to_owned).collect();
    if !scopes.iter().any(|s| s == "openid") || !scopes.iter().any(|s| s == "scope_all") {
        return Err("scope must hold openid and scope_all".into());
    }
    if get("acr_values") != "eidas1" {
        return Err("acr_values must be eidas1".into());
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").is_empty() {
        return Err("PKCE S256 is required".into());
    }
    let redirect = get("redirect_uri");
    if !redirect.starts_with("http://127.0.0.1:") || !redirect.ends_with("/callback") {
        return Err("redirect_uri must be a loopback /callback".into());
    }
    let code = st.new_token("code");
    st.codes.insert(
        code.clone(),
        Grant {
            nonce: get("nonce"),
            challenge: get("code_challenge"),
            redirect_uri: redirect.clone(),
        },
    );
    let q: String = openidconnect::url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("state", &get("state"))
        .append_pair("session_state", "fixture")
        .finish();
    Ok(format!("{redirect}?{q}"))
}

fn token_error(error: &str, description: &str) -> (u16, serde_json::Value) {
    (
        400,
        serde_json::json!({ "error": error, "error_description": description }),
    )
}

fn token(
    st: &mut State,
    p: &HashMap<String, String>,
    auth_header: Option<String>,
    issuer: &str,
) -> (u16, serde_json::Value) {
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    let client = if get("client_id").is_empty() {
        // client_secret_basic: the id in the Authorization header.
        auth_header
            .and_then(|h| h.strip_prefix("Basic ").map(str::to_owned))
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.split(':').next().map(str::to_owned))
            .unwrap_or_default()
    } else {
        get("client_id")
    };
    if client != CLIENT_ID {
        return (
            401,
            serde_json::json!({ "error": "invalid_client", "error_description": "unknown client" }),
        );
    }
    match get("grant_type").as_str() {
        "authorization_code" => {
            let Some(grant) = st.codes.remove(&get("code")) else {
                return token_error("invalid_grant", "Code not valid");
            };
            if grant.redirect_uri != get("redirect_uri") {
                return token_error("invalid_grant", "Incorrect redirect_uri");
            }
            let digest = sha2::Sha256::digest(get("code_verifier").as_bytes());
            if base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) != grant.challenge {
                return token_error("invalid_grant", "PKCE verification failed");
            }
            st.code_grants += 1;
            let user = st.username.clone();
            let lifetime = st.access_lifetime;
            let access = st.issue_access(&user, lifetime);
            let refresh = st.new_refresh(&user);
            let id_token = id_token(st, issuer, &grant.nonce, &access);
            (
                200,
                serde_json::json!({
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": lifetime.as_secs(),
                    "refresh_token": refresh,
                    "id_token": id_token,
                    "scope": "openid scope_all",
                }),
            )
        }
        "refresh_token" => {
            let old = get("refresh_token");
            let expired = st
                .refresh_expiry
                .get(&old)
                .is_some_and(|t| Instant::now() >= *t);
            let user = match st.refresh.get(&old) {
                Some((user, true)) if !expired => user.clone(),
                _ => {
                    st.refused_refreshes += 1;
                    return token_error("invalid_grant", "Token is not active");
                }
            };
            st.refresh_grants += 1;
            // Rotation: the old refresh token is spent.
            st.refresh.insert(old, (user.clone(), false));
            let refresh = st.new_refresh(&user);
            let lifetime = st.access_lifetime;
            let access = st.issue_access(&user, lifetime);
            (
                200,
                serde_json::json!({
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": lifetime.as_secs(),
                    "refresh_token": refresh,
                    "scope": "openid scope_all",
                }),
            )
        }
        other => token_error("unsupported_grant_type", other),
    }
}

fn id_token(st: &State, issuer: &str, nonce: &str, access: &str) -> String {
    let now = chrono::Utc::now();
    let (iat, exp) = match st.fault {
        IdTokenFault::Expired => (
            now - chrono::Duration::minutes(20),
            now - chrono::Duration::minutes(10),
        ),
        _ => (now, now + chrono::Duration::minutes(5)),
    };
    let audience = match st.fault {
        IdTokenFault::WrongAudience => "another-client",
        _ => CLIENT_ID,
    };
    let nonce = match st.fault {
        IdTokenFault::WrongNonce => "not-the-nonce-that-was-sent".to_owned(),
        _ => nonce.to_owned(),
    };
    let mut given = LocalizedClaim::new();
    given.insert(None, EndUserGivenName::new("Claire".into()));
    let mut family = LocalizedClaim::new();
    family.insert(None, EndUserFamilyName::new("Médecin".into()));
    let issuer = match st.fault {
        IdTokenFault::WrongIssuer => "https://auth.example.invalid/auth/realms/other".to_owned(),
        _ => issuer.to_owned(),
    };
    let claims = IdTokenClaims::new(
        IssuerUrl::new(issuer).unwrap(),
        vec![Audience::new(audience.into())],
        exp,
        iat,
        StandardClaims::new(SubjectIdentifier::new(
            "f:550dc1c8-d97b-4b1e-ac8c-8eb4471cf9dd:ANS".into(),
        ))
        .set_given_name(Some(given))
        .set_family_name(Some(family)),
        PscClaims {
            subject_name_id: Some(NATIONAL_ID.into()),
        },
    )
    .set_nonce(Some(Nonce::new(nonce)));
    let key = match st.fault {
        IdTokenFault::BadSignature => &st.other_key,
        _ => &st.key,
    };
    PscIdToken::new(
        claims,
        key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&AccessToken::new(match st.fault {
            IdTokenFault::WrongAccessTokenHash => format!("{access}-other"),
            _ => access.to_owned(),
        })),
        None,
    )
    .unwrap()
    .to_string()
}

/// Play the browser: open the authorize URL (no redirect followed), check
/// it sends us to the loopback callback, and follow that. Returns the page
/// the application showed.
pub fn play_browser(authorize_url: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let r = agent.get(authorize_url).call().map_err(|e| e.to_string())?;
    if r.status().as_u16() != 302 {
        let mut r = r;
        return Err(format!(
            "authorize answered {}: {}",
            r.status(),
            r.body_mut().read_to_string().unwrap_or_default()
        ));
    }
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("no Location")?
        .to_owned();
    let mut page = agent.get(&location).call().map_err(|e| e.to_string())?;
    page.body_mut().read_to_string().map_err(|e| e.to_string())
}
