//! The loopback redirect of a native application (RFC 8252 §7.3): a one-shot
//! HTTP listener on 127.0.0.1 and a port the OS picks, waiting for the browser
//! to come back to `/callback` with the authorization code. The wait can be
//! cancelled from another thread ([`Canceller`]); the port is freed when the
//! listener is dropped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::OidcError;

/// The path the provider redirects to.
pub const CALLBACK_PATH: &str = "/callback";

/// What the browser brought back.
#[derive(Debug)]
pub struct Callback {
    pub code: String,
    pub state: String,
}

/// A listener waiting for one redirect.
pub struct Redirect {
    server: Arc<tiny_http::Server>,
    port: u16,
    cancelled: Arc<AtomicBool>,
}

/// Stops a [`Redirect::wait`] under way from another thread: the wait
/// returns [`OidcError::Cancelled`] at once. It does not keep the listener
/// alive: the port is freed as soon as the sign-in under way gives it up.
#[derive(Clone)]
pub struct Canceller {
    server: Weak<tiny_http::Server>,
    cancelled: Arc<AtomicBool>,
}

impl std::fmt::Debug for Canceller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Canceller({})", self.is_cancelled())
    }
}

impl Canceller {
    /// Stop the wait (nothing happens if it is over already).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        if let Some(server) = self.server.upgrade() {
            server.unblock();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// How often a wait looks whether it was cancelled (besides being woken).
const CANCEL_POLL: Duration = Duration::from_millis(200);

const PAGE_OK: &str = "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Caducée</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Connexion réussie</h1>\
<p>Vous êtes connecté à Pro Santé Connect. Vous pouvez fermer cette fenêtre et revenir à Caducée.</p>\
<hr><p lang=\"en\">Signed in with Pro Santé Connect. You may close this window and return to Caducée.</p></body></html>";

const PAGE_FAILED: &str = "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Caducée</title>\
<body style=\"font-family:sans-serif;margin:3em\"><h1>Connexion refusée</h1>\
<p>La connexion à Pro Santé Connect n'a pas abouti. Revenez à Caducée pour réessayer.</p>\
<hr><p lang=\"en\">The Pro Santé Connect sign-in did not succeed. Return to Caducée to try again.</p></body></html>";

impl Redirect {
    /// Listen on 127.0.0.1 and a free port.
    pub fn bind() -> Result<Redirect, OidcError> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| OidcError::Redirect(format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| OidcError::Redirect("no loopback port".into()))?;
        Ok(Redirect {
            server: Arc::new(server),
            port,
            cancelled: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The handle that stops [`wait`](Self::wait) from another thread.
    pub fn canceller(&self) -> Canceller {
        Canceller {
            server: Arc::downgrade(&self.server),
            cancelled: self.cancelled.clone(),
        }
    }

    /// The loopback port listened on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT/callback`.
    pub fn uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Wait for the browser's redirect to the callback (other requests, e.g.
    /// a favicon, are answered 404), check its `state`, answer the browser
    /// with a short page and return the code. [`OidcError::Cancelled`] as
    /// soon as its [`Canceller`] is used.
    pub fn wait(&self, expected_state: &str, timeout: Duration) -> Result<String, OidcError> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.cancelled.load(Ordering::SeqCst) {
                return Err(OidcError::Cancelled);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(OidcError::LoginTimeout(timeout.as_secs()));
            }
            let request = match self.server.recv_timeout(left.min(CANCEL_POLL)) {
                Ok(Some(r)) => r,
                Ok(None) => continue,
                Err(e) => return Err(OidcError::Redirect(e.to_string())),
            };
            let url = request.url().to_owned();
            let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
            if path != CALLBACK_PATH {
                let _ = request.respond(tiny_http::Response::empty(404));
                continue;
            }
            let outcome = parse(query, expected_state);
            let page = if outcome.is_ok() {
                PAGE_OK
            } else {
                PAGE_FAILED
            };
            let header = tiny_http::Header::from_bytes("Content-Type", "text/html; charset=utf-8")
                .map_err(|()| OidcError::Redirect("bad header".into()))?;
            let _ = request.respond(tiny_http::Response::from_string(page).with_header(header));
            return outcome.map(|c| c.code);
        }
    }
}

fn parse(query: &str, expected_state: &str) -> Result<Callback, OidcError> {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in openidconnect::url::form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            _ => {}
        }
    }
    // The state first: an answer to another request is not to be believed,
    // error or not.
    if state.as_deref() != Some(expected_state) {
        return Err(OidcError::StateMismatch);
    }
    if let Some(error) = error {
        return Err(OidcError::Denied {
            error,
            description: description.unwrap_or_default(),
        });
    }
    match (code, state) {
        (Some(code), Some(state)) if !code.is_empty() => Ok(Callback { code, state }),
        _ => Err(OidcError::Redirect(
            "the browser came back without an authorization code".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_state_is_checked_before_anything_else() {
        assert!(matches!(
            parse("code=abc&state=zz", "s1"),
            Err(OidcError::StateMismatch)
        ));
        assert!(matches!(
            parse("error=access_denied&state=s1", "s1"),
            Err(OidcError::Denied { .. })
        ));
        assert_eq!(parse("code=a%2Bb&state=s1", "s1").unwrap().code, "a+b");
    }

    #[test]
    fn a_cancelled_wait_ends_at_once_and_frees_the_port() {
        let redirect = Redirect::bind().unwrap();
        let port = redirect.port();
        let cancel = redirect.canceller();
        let started = Instant::now();
        let waiting = std::thread::spawn(move || {
            let r = redirect.wait("s1", Duration::from_secs(600));
            drop(redirect);
            r
        });
        std::thread::sleep(Duration::from_millis(100));
        cancel.cancel();
        let r = waiting.join().unwrap();
        assert!(matches!(r, Err(OidcError::Cancelled)), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        // The listener is gone: its port can be taken again.
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "port {port} still taken");
            std::thread::sleep(Duration::from_millis(20));
        }
        // Cancelling once it is over does nothing.
        cancel.cancel();
        assert!(cancel.is_cancelled());
    }
}
