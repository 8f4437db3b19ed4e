//! The account form's searches, run in the background: where the servers of
//! an address are (DNS SRV, then autoconfig: [`caducee::account::discover`])
//! and which login methods they offer (their IMAP CAPABILITY and submission
//! EHLO). Failures come back as values the form words in the user's language.

use std::net::SocketAddr;
use std::path::PathBuf;

use caducee::account::Server;
use caducee::account::discover::{
    self, DiscoverError, DiscoverOptions, Discovery, LoginKind, Source,
};
use caducee::imap::ImapError;
use caducee::tls::TlsError;

use super::account_form::Message;

/// Where the window looks, besides the defaults (as the command line's
/// `--dns-server`, `--autoconfig-url` and `--extra-ca`).
#[derive(Debug, Clone)]
pub struct Options {
    /// Ask this DNS server; else the one of `CADUCEE_DNS_SERVER`, else the system's.
    pub dns_server: Option<SocketAddr>,
    /// Fetch autoconfig under this HTTPS base instead of the domain's hosts.
    pub autoconfig_base: Option<String>,
    /// An extra CA (PEM) trusted besides IGC-Santé, kept with the accounts
    /// added: test or private servers only.
    pub extra_ca: Option<PathBuf>,
    /// Whether a CPS card in a reader puts the card first.
    pub look_for_card: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            dns_server: None,
            autoconfig_base: None,
            extra_ca: None,
            look_for_card: true,
        }
    }
}

/// A search to run; `generation` tells the form which answer is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Find the servers of an address.
    Search { generation: u64, address: String },
    /// Read the login methods the servers offer, trying the next of each
    /// list when one does not answer.
    Detect {
        generation: u64,
        imap: Vec<Server>,
        smtp: Vec<Server>,
    },
}

/// The servers found, best first (the others are the further SRV records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub source: Source,
    pub autoconfig_url: Option<String>,
    pub imap: Vec<Server>,
    pub smtp: Vec<Server>,
    /// The login name the autoconfig file gives.
    pub username: Option<String>,
}

/// Why no server was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFailed {
    NothingFound { domain: String },
    BadDnsServer(String),
    PlainOnly { url: String },
    Incomplete { url: String },
    Other(String),
}

/// What the servers offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// The servers that answered.
    pub imap: Server,
    pub smtp: Server,
    pub imap_mechanisms: Vec<String>,
    pub smtp_mechanisms: Vec<String>,
    pub card_present: bool,
    /// The methods the IMAP server offers, best first ([`discover::login::rank`]).
    pub methods: Vec<LoginKind>,
    /// The methods the submission server offers.
    pub smtp_methods: Vec<LoginKind>,
}

/// Why the login methods could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetectFailed {
    Unreachable { server: String },
    Untrusted { host: String },
    Other(String),
}

/// The DNS server to ask: the one configured, else `env` (the value of
/// [`discover::DNS_SERVER_ENV`]).
pub fn dns_server(
    configured: Option<SocketAddr>,
    env: Option<&str>,
) -> Result<Option<SocketAddr>, SearchFailed> {
    if configured.is_some() {
        return Ok(configured);
    }
    match env.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => discover::parse_dns_server(v)
            .map(Some)
            .map_err(|_| SearchFailed::BadDnsServer(v.to_owned())),
        None => Ok(None),
    }
}

/// Run `work`; the answer is a message for the form.
pub async fn run(work: Work, options: Options) -> Message {
    match work {
        Work::Search {
            generation,
            address,
        } => Message::Found(generation, search(&address, &options).await),
        Work::Detect {
            generation,
            imap,
            smtp,
        } => Message::Detected(generation, detect(imap, smtp, &options).await),
    }
}

async fn search(address: &str, options: &Options) -> Result<Found, SearchFailed> {
    let env = std::env::var(discover::DNS_SERVER_ENV).ok();
    let core = DiscoverOptions {
        dns_server: dns_server(options.dns_server, env.as_deref())?,
        autoconfig_base: options.autoconfig_base.clone(),
        extra_ca: options.extra_ca.clone(),
        manual: None,
    };
    match discover::discover(address, &core).await {
        Ok(d) => {
            tracing::info!(source = ?d.source, notes = ?d.notes, "account servers found");
            let mut imap = vec![d.imap];
            imap.extend(d.imap_alternatives);
            let mut smtp = vec![d.smtp];
            smtp.extend(d.smtp_alternatives);
            Ok(Found {
                source: d.source,
                autoconfig_url: d.autoconfig_url,
                imap,
                smtp,
                username: d.username,
            })
        }
        Err(e) => {
            tracing::info!(error = %e, "no account servers found");
            Err(match e {
                DiscoverError::NothingFound { domain, .. } => SearchFailed::NothingFound { domain },
                DiscoverError::BadDnsServer(v) => SearchFailed::BadDnsServer(v),
                DiscoverError::AutoconfigPlaintext { url, .. } => SearchFailed::PlainOnly { url },
                DiscoverError::AutoconfigIncomplete { url, .. } => SearchFailed::Incomplete { url },
                other => SearchFailed::Other(other.to_string()),
            })
        }
    }
}

async fn detect(
    imap: Vec<Server>,
    smtp: Vec<Server>,
    options: &Options,
) -> Result<Detected, DetectFailed> {
    let (Some(first_imap), Some(first_smtp)) = (imap.first(), smtp.first()) else {
        return Err(DetectFailed::Other("no server".into()));
    };
    let mut found = Discovery {
        address: String::new(),
        domain: String::new(),
        source: Source::Manual,
        imap: first_imap.clone(),
        smtp: first_smtp.clone(),
        imap_alternatives: imap[1..].to_vec(),
        smtp_alternatives: smtp[1..].to_vec(),
        autoconfig_url: None,
        username: None,
        notes: Vec::new(),
    };
    let result = discover::detect_reachable(
        &mut found,
        options.extra_ca.as_deref(),
        options.look_for_card,
    )
    .await;
    let at = |s: &Server| format!("{}:{}", s.host, s.port);
    match result {
        Ok(d) => Ok(Detected {
            smtp_methods: discover::login::rank(&d.smtp_mechanisms, d.card_present),
            imap: found.imap,
            smtp: found.smtp,
            imap_mechanisms: d.imap_mechanisms,
            smtp_mechanisms: d.smtp_mechanisms,
            card_present: d.card_present,
            methods: d.methods,
        }),
        Err(e) => {
            tracing::info!(error = %e, "the login methods could not be read");
            Err(match e {
                DiscoverError::Imap(ImapError::Connect { host, port, .. })
                | DiscoverError::Smtp(discover::smtp_ehlo::SmtpProbeError::Connect {
                    host,
                    port,
                    ..
                }) => DetectFailed::Unreachable {
                    server: format!("{host}:{port}"),
                },
                DiscoverError::Imap(ImapError::Timeout(_)) => DetectFailed::Unreachable {
                    server: at(&found.imap),
                },
                DiscoverError::Smtp(discover::smtp_ehlo::SmtpProbeError::Timeout(_)) => {
                    DetectFailed::Unreachable {
                        server: at(&found.smtp),
                    }
                }
                DiscoverError::Imap(ImapError::Tls(TlsError::Certificate { host, .. }))
                | DiscoverError::Smtp(discover::smtp_ehlo::SmtpProbeError::Tls(
                    TlsError::Certificate { host, .. },
                ))
                | DiscoverError::Tls(TlsError::Certificate { host, .. }) => {
                    DetectFailed::Untrusted { host }
                }
                other => DetectFailed::Other(other.to_string()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dns_server_configured_wins_over_the_environment() {
        let given: SocketAddr = "127.0.0.1:5353".parse().unwrap();
        assert_eq!(dns_server(Some(given), Some("bad")), Ok(Some(given)));
        assert_eq!(
            dns_server(None, Some(" 127.0.0.2:53 ")),
            Ok(Some("127.0.0.2:53".parse().unwrap()))
        );
        assert_eq!(dns_server(None, Some("")), Ok(None));
        assert_eq!(dns_server(None, None), Ok(None));
        assert_eq!(
            dns_server(None, Some("dns.example.fr")),
            Err(SearchFailed::BadDnsServer("dns.example.fr".into()))
        );
    }
}
