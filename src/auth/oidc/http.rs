//! The HTTP client the OIDC library calls: a small adapter over the project's
//! ureq 3 agent (rustls). Redirects are not followed (the token endpoint must
//! answer itself), bodies are capped, and plain `http` is allowed only when the
//! caller says so (a loopback issuer, for tests).

use std::time::Duration;

use openidconnect::{HttpRequest, HttpResponse, SyncHttpClient};

/// Larger than any discovery document, key set or token answer.
const MAX_BODY: u64 = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// A ureq agent speaking for the OIDC library.
pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    /// An agent refusing plain `http` unless `allow_http` (loopback issuers).
    pub fn new(allow_http: bool) -> Http {
        let agent = ureq::Agent::config_builder()
            .https_only(!allow_http)
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(TIMEOUT))
            .user_agent(concat!("Caducee/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Http { agent }
    }

    /// The agent, for the JSON calls of the one-time-code service.
    pub fn agent(&self) -> &ureq::Agent {
        &self.agent
    }
}

impl SyncHttpClient for Http {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let url = request.uri().to_string();
        let response = self
            .agent
            .run(request)
            .map_err(|e| HttpError(format!("{}: {e}", without_query(&url))))?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| HttpError(format!("{}: {e}", without_query(&url))))?;
        Ok(HttpResponse::from_parts(parts, bytes))
    }
}

/// A URL fit for an error message: no query string (it may carry a code).
pub fn without_query(url: &str) -> &str {
    url.split_once('?').map(|(u, _)| u).unwrap_or(url)
}
