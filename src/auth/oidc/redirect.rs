//! The loopback redirect of a native application (RFC 8252 §7.3): a one-shot
//! HTTP listener on 127.0.0.1 and a port the OS picks, waiting for the browser
//! to come back to `/callback` with the authorization code.

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
    server: tiny_http::Server,
    port: u16,
}

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
        Ok(Redirect { server, port })
    }

    /// `http://127.0.0.1:PORT/callback`.
    pub fn uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Wait for the browser's redirect to the callback (other requests, e.g.
    /// a favicon, are answered 404), check its `state`, answer the browser
    /// with a short page and return the code.
    pub fn wait(&self, expected_state: &str, timeout: Duration) -> Result<String, OidcError> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(OidcError::LoginTimeout(timeout.as_secs()));
            }
            let request = match self.server.recv_timeout(left) {
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
}
