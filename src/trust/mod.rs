//! The MSSanté whitelist of trusted domains, and the decision whether a
//! recipient may be written to.
//!
//! The list (`listeblanchemssante.xml`) is read by [`xml`], kept in the store
//! (last good copy, metadata, history of imports), refreshed over HTTPS trusting
//! IGC-Santé only ([`download`]), and consulted by [`Whitelist::check`]: an
//! address is allowed only when its domain, normalised, is *exactly* one of the
//! listed domains. Any unusual address form is refused with a reason.

mod address;
pub mod download;
pub mod store;
pub mod xml;

use std::collections::HashSet;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

pub use address::Refusal;
pub use download::OFFICIAL_URL;
pub use store::{ImportAttempt, ListInfo};
pub use xml::{NAMESPACE, ParsedList, Skipped};

use crate::i18n::{tr, tr1, tr2, tr3};
use crate::store::Store;

/// The list shipped with this version of Caducée, used on first run.
const SNAPSHOT: &[u8] =
    include_bytes!("../../assets/whitelist/listeblanchemssante_full_6554_20250313.xml");
/// Source recorded for the shipped list.
pub const SNAPSHOT_SOURCE: &str = "built-in snapshot (listeblanchemssante_full_6554_20250313.xml)";

/// A list older than this is shown as out of date.
pub const STALE_AFTER: Duration = Duration::days(7);

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("{}", tr2("trust-xml", "position", .position, "message", .message))]
    Xml { position: u64, message: String },
    #[error("{}", tr1("trust-wrong-root", "root", .0))]
    WrongRoot(String),
    #[error("{}", tr("trust-no-root"))]
    NoRoot,
    #[error("{}", tr("trust-truncated"))]
    Truncated,
    #[error(
        "{}",
        tr3("trust-wrong-namespace", "element", .element, "found", .found, "namespace", &NAMESPACE)
    )]
    WrongNamespace { element: String, found: String },
    #[error("{}", tr("trust-no-generation-date"))]
    NoGenerationDate,
    #[error("{}", tr1("trust-bad-generation-date", "date", .0))]
    BadGenerationDate(String),
    #[error("{}", tr1("trust-empty-name", "entry", .entry))]
    EmptyName { entry: usize },
    #[error("{}", tr("trust-no-domains"))]
    NoDomains,
    #[error("{}", tr2("trust-shrunk", "new", .new, "old", .old))]
    Shrunk { old: usize, new: usize },
    #[error("{}", tr2("trust-older", "new", .new, "current", .current))]
    Older { current: String, new: String },
    #[error("{}", tr2("trust-untrusted-server", "url", .url, "detail", .detail))]
    UntrustedServer { url: String, detail: String },
    #[error("{}", tr1("trust-not-https", "url", .0))]
    NotHttps(String),
    #[error("{}", tr2("trust-http-status", "url", .url, "status", .status))]
    HttpStatus { url: String, status: u16 },
    #[error("{}", tr2("trust-download", "url", .url, "message", .message))]
    Download { url: String, message: String },
    #[error("{}", tr2("trust-bad-ca-file", "path", .path, "message", .message))]
    BadCaFile { path: String, message: String },
    #[error("{}", tr2("trust-file", "path", &.path.display(), "reason", .source))]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", tr1("trust-sql", "reason", .0))]
    Sql(#[from] rusqlite::Error),
}

/// The outcome of checking one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// The address as it will be used (`local@domain`, domain normalised), and its domain.
    Allowed {
        address: String,
        domain: String,
    },
    Refused {
        reason: Refusal,
    },
}

impl Verdict {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Verdict::Allowed { .. })
    }
}

/// Every recipient of an envelope checked; refusals listed with their input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvelopeCheck {
    /// Allowed addresses, normalised, in input order.
    pub allowed: Vec<String>,
    /// Each refused input with its reason, in input order.
    pub refused: Vec<(String, Refusal)>,
}

impl EnvelopeCheck {
    /// True when there is at least one recipient and none is refused.
    pub fn is_allowed(&self) -> bool {
        self.refused.is_empty() && !self.allowed.is_empty()
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub info: ListInfo,
    /// Entries left out because their name is not a domain.
    pub skipped: Vec<Skipped>,
    /// Entries repeating a (domain, operator certificate) pair.
    pub duplicates: usize,
    /// Distinct domains in the list replaced, if there was one.
    pub previous_domains: Option<usize>,
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Accept a list that shrank by more than half, or is older than the one in use.
    pub force: bool,
    /// An extra CA to trust for downloads (tests, development servers).
    pub extra_ca: Option<PathBuf>,
}

/// The list in use, in memory, ready for checks.
#[derive(Debug, Clone)]
pub struct Whitelist {
    domains: HashSet<String>,
    info: ListInfo,
}

impl Whitelist {
    /// The list in the store. On first use (or when this version ships a newer
    /// list than the stored one), the shipped snapshot is imported first.
    pub fn load(store: &Store) -> Result<Whitelist, TrustError> {
        let current = store::info(store)?;
        let shipped = xml::generation_date(SNAPSHOT).map(|d| d.unix_timestamp());
        let info = match current {
            Some(info) if shipped.is_none_or(|s| s <= info.generated_at) => info,
            Some(info) => {
                // This version ships a newer list than the stored one.
                match import_bytes(store, SNAPSHOT, SNAPSHOT_SOURCE, &ImportOptions::default()) {
                    Ok(report) => report.info,
                    Err(e) => {
                        tracing::warn!(error = %e, "shipped whitelist not imported; the stored list is kept");
                        info
                    }
                }
            }
            None => {
                tracing::info!("first use: importing the shipped whitelist snapshot");
                import_bytes(store, SNAPSHOT, SNAPSHOT_SOURCE, &ImportOptions::default())?.info
            }
        };
        let domains = store::domains(store)?.into_iter().collect();
        Ok(Whitelist { domains, info })
    }

    /// Decide whether `raw` (as the user typed it) may receive mail.
    pub fn check(&self, raw: &str) -> Verdict {
        match address::parse(raw) {
            Err(reason) => Verdict::Refused { reason },
            Ok(m) if self.domains.contains(&m.domain) => Verdict::Allowed {
                address: format!("{}@{}", m.local, m.domain),
                domain: m.domain,
            },
            Ok(m) if m.domain.split('.').any(|l| l.starts_with("xn--")) => Verdict::Refused {
                reason: Refusal::LookAlikeDomain { domain: m.domain },
            },
            Ok(m) => Verdict::Refused {
                reason: Refusal::NotListed { domain: m.domain },
            },
        }
    }

    /// Check every recipient of an envelope and report all refusals.
    pub fn check_envelope<'a, I>(&self, recipients: I) -> EnvelopeCheck
    where
        I: IntoIterator<Item = &'a str>,
    {
        let mut out = EnvelopeCheck {
            allowed: Vec::new(),
            refused: Vec::new(),
        };
        for raw in recipients {
            match self.check(raw) {
                Verdict::Allowed { address, .. } => out.allowed.push(address),
                Verdict::Refused { reason } => out.refused.push((raw.to_owned(), reason)),
            }
        }
        out
    }

    /// Number of distinct domains.
    pub fn len(&self) -> usize {
        self.domains.len()
    }

    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
    }

    /// When the ANS generated the list (`DateDeGeneration`).
    pub fn generated_at(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.info.generated_at)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// How old the list is now.
    pub fn age(&self) -> Duration {
        OffsetDateTime::now_utc() - self.generated_at()
    }

    /// Older than [`STALE_AFTER`]: it should be refreshed.
    pub fn is_stale(&self) -> bool {
        self.age() > STALE_AFTER
    }

    /// Metadata of the list in use.
    pub fn info(&self) -> &ListInfo {
        &self.info
    }
}

/// Import a list from bytes, validating it, unless it would replace the list in
/// use by one that shrank by more than half or is older (without `force`).
/// A refused import is recorded with its reason and the list in use is kept.
pub fn import_bytes(
    store: &Store,
    bytes: &[u8],
    source: &str,
    options: &ImportOptions,
) -> Result<ImportReport, TrustError> {
    let checked = parse_and_compare(store, bytes, options);
    let (list, previous) = match checked {
        Ok(v) => v,
        Err(e) => {
            tracing::info!(source, error = %e, "whitelist import refused; the list in use is kept");
            store::log_kept_previous(store, source, &e.to_string())?;
            return Err(e);
        }
    };
    let sha = hex::encode(Sha256::digest(bytes));
    let info = store::replace(store, &list, source, &sha)?;
    tracing::info!(
        source,
        domains = info.domains,
        entries = info.entries,
        "whitelist imported"
    );
    Ok(ImportReport {
        info,
        skipped: list.skipped,
        duplicates: list.duplicates,
        previous_domains: previous.map(|p| p.domains),
    })
}

fn parse_and_compare(
    store: &Store,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<(ParsedList, Option<ListInfo>), TrustError> {
    let list = xml::parse(BufReader::new(bytes))?;
    let previous = store::info(store)?;
    if let Some(prev) = &previous
        && !options.force
    {
        let new = list.distinct_domains();
        if new * 2 < prev.domains {
            return Err(TrustError::Shrunk {
                old: prev.domains,
                new,
            });
        }
        if list.generated_at.unix_timestamp() < prev.generated_at {
            return Err(TrustError::Older {
                current: iso(prev.generated_at),
                new: iso(list.generated_at.unix_timestamp()),
            });
        }
    }
    Ok((list, previous))
}

/// Import a list file.
pub fn import_file(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, TrustError> {
    let bytes = std::fs::read(path).map_err(|source| TrustError::File {
        path: path.to_path_buf(),
        source,
    })?;
    let source = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    import_bytes(store, &bytes, &source.display().to_string(), options)
}

/// Download the list from `url` (HTTPS, IGC-Santé) and import it. On any
/// failure the list in use is kept and the reason recorded.
pub fn refresh(
    store: &Store,
    url: &str,
    options: &ImportOptions,
) -> Result<ImportReport, TrustError> {
    let bytes = match download::fetch(url, options.extra_ca.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            tracing::info!(url, error = %e, "whitelist download failed; the list in use is kept");
            store::log_kept_previous(store, url, &e.to_string())?;
            return Err(e);
        }
    };
    import_bytes(store, &bytes, url, options)
}

/// `2025-03-13T14:54:10Z`.
fn iso(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ts.to_string())
}
