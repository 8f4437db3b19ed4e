//! Client of the Annuaire Santé FHIR API (v2): online search of practitioners,
//! their roles and organizations, mapped to the same [`Entry`] as the offline
//! directory.
//!
//! The API key goes in the `ESANTE-API-KEY` header; it comes from the OS
//! keyring, or from `CADUCEE_ESANTE_API_KEY` for headless use. The client
//! keeps under the API's 17 requests per second, follows the Bundles' `next`
//! links, and waits and retries on `429 Too Many Requests` (honouring
//! `Retry-After`) and on temporary server errors.

use crate::i18n::{tr1, tr2};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::entry::Entry;
use super::fhir_map;

/// Default base URL of the API.
pub const DEFAULT_BASE_URL: &str = "https://gateway.api.esante.gouv.fr/fhir/v2";
/// Environment variable holding the API key (headless use).
pub const API_KEY_ENV: &str = "CADUCEE_ESANTE_API_KEY";
/// Keyring entry of the API key.
pub const KEYRING_USER: &str = "esante-api-key";
/// Requests per second the API allows.
pub const MAX_REQUESTS_PER_SECOND: u32 = 17;
/// Retries of one request on 429 or a temporary server error.
const MAX_RETRIES: u32 = 5;
/// Longest wait asked by `Retry-After` that is honoured.
const MAX_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum FhirError {
    #[error("{}", tr2("directory-fhir-no-key", "entry", &KEYRING_USER, "env", &API_KEY_ENV))]
    NoKey,
    #[error("{}", tr1("directory-fhir-unauthorized", "status", .0))]
    Unauthorized(u16),
    #[error("{}", tr2("directory-fhir-status", "status", .status, "url", .url))]
    Status { status: u16, url: String },
    #[error("{}", tr1("directory-fhir-busy", "retries", .0))]
    TooManyRequests(u32),
    #[error("{}", tr2("directory-fhir-transport", "url", .url, "reason", .reason))]
    Transport { url: String, reason: String },
    #[error("{}", tr1("directory-fhir-json", "reason", .0))]
    Json(String),
}

/// What to look for online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FhirSearch {
    /// Practitioners by surname and optional given name; organizations by name.
    Name {
        family: String,
        given: Option<String>,
    },
    /// A national identifier (RPPS, 8+RPPS, FINESS, SIRET...).
    Identifier(String),
    /// A mailbox address.
    Mailbox(String),
}

/// A client of the FHIR API.
pub struct FhirClient {
    agent: ureq::Agent,
    base: String,
    key: String,
    interval: Duration,
    next_slot: Mutex<Instant>,
    /// Pages followed at most per request.
    pub max_pages: usize,
    /// Requests sent, retries included (for diagnostics and tests).
    requests: Mutex<u64>,
}

impl FhirClient {
    /// A client of the API at `base_url` with `api_key`.
    pub fn new(base_url: &str, api_key: &str) -> FhirClient {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .user_agent(concat!("Caducee/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        FhirClient {
            agent,
            base: base_url.trim_end_matches('/').to_owned(),
            key: api_key.to_owned(),
            // A little under the limit, so that timing jitter never makes 18.
            interval: Duration::from_secs(1) / MAX_REQUESTS_PER_SECOND + Duration::from_millis(4),
            next_slot: Mutex::new(Instant::now()),
            max_pages: 20,
            requests: Mutex::new(0),
        }
    }

    /// A client with the key from `CADUCEE_ESANTE_API_KEY` or the OS keyring,
    /// at `base_url` (default [`DEFAULT_BASE_URL`]).
    pub fn from_environment(base_url: Option<&str>) -> Result<FhirClient, FhirError> {
        let key = match std::env::var(API_KEY_ENV) {
            Ok(k) if !k.trim().is_empty() => k.trim().to_owned(),
            _ => keyring::Entry::new(crate::store::key::KEYRING_SERVICE, KEYRING_USER)
                .and_then(|e| e.get_password())
                .map_err(|_| FhirError::NoKey)?,
        };
        Ok(FhirClient::new(base_url.unwrap_or(DEFAULT_BASE_URL), &key))
    }

    /// Requests sent so far, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.requests.lock().map(|n| *n).unwrap_or(0)
    }

    /// Search the online directory: at most `limit` mailboxes, red-listed ones
    /// left out.
    pub fn search(&self, what: &FhirSearch, limit: usize) -> Result<Vec<Entry>, FhirError> {
        let mut queries: Vec<(&str, Vec<(&str, String)>)> = Vec::new();
        let practitioner_roles = ("_revinclude", "PractitionerRole:practitioner".to_owned());
        match what {
            FhirSearch::Name { family, given } => {
                let mut p = vec![("family", family.clone()), practitioner_roles.clone()];
                if let Some(g) = given {
                    p.push(("given", g.clone()));
                }
                queries.push(("Practitioner", p));
                if given.is_none() {
                    queries.push(("Organization", vec![("name", family.clone())]));
                }
            }
            FhirSearch::Identifier(id) => {
                queries.push((
                    "Practitioner",
                    vec![("identifier", id.clone()), practitioner_roles],
                ));
                queries.push(("Organization", vec![("identifier", id.clone())]));
            }
            FhirSearch::Mailbox(address) => {
                for resource in ["Practitioner", "PractitionerRole", "Organization"] {
                    let mut p = vec![("mailbox-mss", address.clone())];
                    if resource == "PractitionerRole" {
                        p.push(("_include", "PractitionerRole:practitioner".into()));
                        p.push(("_include", "PractitionerRole:organization".into()));
                    }
                    queries.push((resource, p));
                }
            }
        }
        let mut pages: Vec<Value> = Vec::new();
        for (resource, params) in queries {
            let url = format!("{}/{resource}", self.base);
            pages.extend(self.fetch_pages(&url, &params, limit)?);
        }
        let refs: Vec<&Value> = pages.iter().collect();
        let mut entries = fhir_map::entries(&refs);
        entries.truncate(limit);
        Ok(entries)
    }

    /// Every page of a search, following `next` links, until `limit` mailboxes
    /// may have been seen or [`FhirClient::max_pages`] pages were read.
    pub fn fetch_pages(
        &self,
        url: &str,
        params: &[(&str, String)],
        limit: usize,
    ) -> Result<Vec<Value>, FhirError> {
        let mut pages = Vec::new();
        let mut page = self.get(url, params)?;
        let mut seen = fhir_map::resources(&page).len();
        loop {
            let next = fhir_map::next_link(&page);
            pages.push(page);
            match next {
                Some(next) if pages.len() < self.max_pages && seen < limit.max(1) * 2 => {
                    page = self.get(&next, &[])?;
                    seen += fhir_map::resources(&page).len();
                }
                _ => break,
            }
        }
        Ok(pages)
    }

    /// Wait for the next request slot (17 per second).
    fn pace(&self) {
        let wait = match self.next_slot.lock() {
            Ok(mut slot) => {
                let now = Instant::now();
                let start = (*slot).max(now);
                *slot = start + self.interval;
                start - now
            }
            Err(_) => self.interval,
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }

    /// Push the next slot back (after a 429).
    fn hold_off(&self, wait: Duration) {
        if let Ok(mut slot) = self.next_slot.lock() {
            *slot = (*slot).max(Instant::now() + wait);
        }
    }

    /// One GET returning JSON, paced, retried on 429 and temporary errors.
    fn get(&self, url: &str, params: &[(&str, String)]) -> Result<Value, FhirError> {
        let mut attempt = 0;
        loop {
            self.pace();
            if let Ok(mut n) = self.requests.lock() {
                *n += 1;
            }
            let mut req = self
                .agent
                .get(url)
                .header("ESANTE-API-KEY", &self.key)
                .header("Accept", "application/fhir+json");
            for (k, v) in params {
                req = req.query(*k, v);
            }
            let mut resp = req.call().map_err(|e| FhirError::Transport {
                url: url.to_owned(),
                reason: e.to_string(),
            })?;
            let status = resp.status().as_u16();
            match status {
                200..=299 => {
                    let body =
                        resp.body_mut()
                            .read_to_string()
                            .map_err(|e| FhirError::Transport {
                                url: url.to_owned(),
                                reason: e.to_string(),
                            })?;
                    return serde_json::from_str(&body).map_err(|e| FhirError::Json(e.to_string()));
                }
                401 | 403 => return Err(FhirError::Unauthorized(status)),
                429 | 502 | 503 | 504 => {
                    attempt += 1;
                    if attempt > MAX_RETRIES {
                        return Err(FhirError::TooManyRequests(MAX_RETRIES));
                    }
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<f64>().ok())
                        .filter(|s| s.is_finite() && *s >= 0.0)
                        .map(Duration::from_secs_f64);
                    let backoff = Duration::from_millis(250) * 2u32.pow(attempt - 1);
                    let wait = retry_after.unwrap_or(backoff).min(MAX_WAIT);
                    tracing::info!(
                        status,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "directory API busy, waiting"
                    );
                    self.hold_off(wait);
                }
                _ => {
                    return Err(FhirError::Status {
                        status,
                        url: url.to_owned(),
                    });
                }
            }
        }
    }
}

/// Map the mailboxes of FHIR documents (Bundles or ANS sample arrays).
pub fn entries_from_json(docs: &[&Value]) -> Vec<Entry> {
    fhir_map::entries(docs)
}
