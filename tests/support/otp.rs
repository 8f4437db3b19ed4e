//! A fixture of the national operator's one-time-code service (which cannot
//! run here), on loopback, speaking the JSON design the client assumes (see
//! `caducee::auth::otp`): step 1 checks identifier and password and "sends" a
//! code (kept here for the test to read, as the phone would show it), step 2
//! trades the code for a session token that the OIDC fixture's introspection
//! endpoint accepts, so the real Dovecot checks it over XOAUTH2.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::oidc;

pub struct Account {
    pub password: String,
    /// The mail user its session tokens name.
    pub username: String,
    pub failures: u32,
    pub locked: bool,
}

struct Transaction {
    identifier: String,
    code: String,
    expires_at: Instant,
    tries_left: u32,
}

pub struct State {
    pub accounts: HashMap<String, Account>,
    transactions: HashMap<String, Transaction>,
    /// Codes "sent", newest last.
    pub sent: Vec<String>,
    pub code_lifetime: Duration,
    pub token_lifetime: Duration,
    /// Wrong passwords before the account locks.
    pub max_failures: u32,
    /// Tries per code before the account locks.
    pub tries_per_code: u32,
    /// Requests seen (both steps).
    pub requests: u32,
    /// Answer 429 with this Retry-After to the next request.
    pub throttle_next: Option<u64>,
    /// Send this code instead of a new one (a script knows it in advance).
    pub fixed_code: Option<String>,
    counter: u32,
}

pub struct OtpService {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
}

impl OtpService {
    pub fn start(provider: &oidc::Provider) -> OtpService {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            accounts: HashMap::new(),
            transactions: HashMap::new(),
            sent: Vec::new(),
            code_lifetime: Duration::from_secs(300),
            token_lifetime: Duration::from_secs(600),
            max_failures: 3,
            tries_per_code: 3,
            requests: 0,
            throttle_next: None,
            fixed_code: None,
            counter: 0,
        }));
        let (srv, st, tokens) = (server.clone(), state.clone(), provider.state.clone());
        std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                handle(request, &st, &tokens);
            }
        });
        OtpService {
            url: format!("http://127.0.0.1:{port}/api"),
            state,
            server,
        }
    }

    pub fn add(&self, identifier: &str, password: &str, username: &str) {
        self.with(|s| {
            s.accounts.insert(
                identifier.to_owned(),
                Account {
                    password: password.to_owned(),
                    username: username.to_owned(),
                    failures: 0,
                    locked: false,
                },
            )
        });
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// The last code sent.
    pub fn last_code(&self) -> String {
        self.with(|s| s.sent.last().cloned().expect("no code was sent"))
    }
}

impl Drop for OtpService {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

type Reply = (u16, serde_json::Value, Option<u64>);

fn error(status: u16, code: &str) -> Reply {
    (status, serde_json::json!({ "error": code }), None)
}

fn handle(mut request: tiny_http::Request, state: &Mutex<State>, tokens: &Mutex<oidc::State>) {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let mut st = state.lock().unwrap();
    st.requests += 1;
    let (status, answer, retry_after) = if let Some(secs) = st.throttle_next.take() {
        (
            429,
            serde_json::json!({ "error": "too_many_attempts" }),
            Some(secs),
        )
    } else {
        match request.url() {
            "/api/otp/challenge" => challenge(
                &mut st,
                &field("identifier"),
                &field("password"),
                &field("channel"),
            ),
            "/api/otp/verify" => verify(&mut st, &field("transaction_id"), &field("code"), tokens),
            _ => error(404, "not_found"),
        }
    };
    drop(st);
    let mut response = tiny_http::Response::from_string(answer.to_string())
        .with_status_code(status)
        .with_header(tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap());
    if let Some(secs) = retry_after {
        response = response
            .with_header(tiny_http::Header::from_bytes("Retry-After", secs.to_string()).unwrap());
    }
    let _ = request.respond(response);
}

fn challenge(st: &mut State, identifier: &str, password: &str, channel: &str) -> Reply {
    if channel != "SMS" && channel != "MAIL" {
        return error(400, "invalid_channel");
    }
    let max = st.max_failures;
    let Some(acc) = st.accounts.get_mut(identifier) else {
        return error(401, "invalid_credentials");
    };
    if acc.locked {
        return error(423, "account_locked");
    }
    if acc.password != password {
        acc.failures += 1;
        if acc.failures >= max {
            acc.locked = true;
        }
        return error(401, "invalid_credentials");
    }
    acc.failures = 0;
    st.counter += 1;
    let code = st
        .fixed_code
        .clone()
        .unwrap_or_else(|| format!("{:06}", (st.counter * 7919 + 123_457) % 1_000_000));
    let id = format!("tx-{}", st.counter);
    st.transactions.insert(
        id.clone(),
        Transaction {
            identifier: identifier.to_owned(),
            code: code.clone(),
            expires_at: Instant::now() + st.code_lifetime,
            tries_left: st.tries_per_code,
        },
    );
    st.sent.push(code);
    let masked = if channel == "SMS" {
        "06******12"
    } else {
        "c****@exemple.fr"
    };
    (
        200,
        serde_json::json!({
            "transaction_id": id,
            "masked_destination": masked,
            "expires_in": st.code_lifetime.as_secs(),
        }),
        None,
    )
}

fn verify(st: &mut State, id: &str, code: &str, tokens: &Mutex<oidc::State>) -> Reply {
    let Some(tx) = st.transactions.get_mut(id) else {
        return error(410, "code_expired");
    };
    if Instant::now() >= tx.expires_at {
        st.transactions.remove(id);
        return error(410, "code_expired");
    }
    let identifier = tx.identifier.clone();
    if st.accounts.get(&identifier).is_some_and(|a| a.locked) {
        return error(423, "account_locked");
    }
    if tx.code != code {
        tx.tries_left = tx.tries_left.saturating_sub(1);
        let left = tx.tries_left;
        if left == 0 {
            st.transactions.remove(id);
            if let Some(a) = st.accounts.get_mut(&identifier) {
                a.locked = true;
            }
            return error(423, "account_locked");
        }
        return (
            401,
            serde_json::json!({ "error": "invalid_code", "tries_left": left }),
            None,
        );
    }
    st.transactions.remove(id);
    let username = st.accounts[&identifier].username.clone();
    let lifetime = st.token_lifetime;
    let token = tokens.lock().unwrap().issue_access(&username, lifetime);
    (
        200,
        serde_json::json!({ "session_token": token, "expires_in": lifetime.as_secs() }),
        None,
    )
}
