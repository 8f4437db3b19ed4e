//! Account setup from an address alone: where the servers are (DNS SRV per
//! RFC 6186, then Mozilla-style autoconfig, then settings given by hand) and
//! which login methods they offer. Plain connections are never accepted.

pub mod autoconfig;
pub mod imap_caps;
pub mod login;
pub mod smtp_ehlo;
pub mod srv;

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Serialize;

pub use login::{Detection, LoginKind, detect, detect_reachable};

use super::Server;
use crate::i18n::{tr1, tr2};
use crate::imap::ImapError;
use crate::tls::TlsError;
use smtp_ehlo::SmtpProbeError;

/// Environment variable naming the DNS server (`IP:port`) to ask instead of
/// the system's resolver (headless use, tests).
pub const DNS_SERVER_ENV: &str = "CADUCEE_DNS_SERVER";

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{}", tr1("account-discover-bad-address", "address", .0))]
    BadAddress(String),
    #[error("{}", tr1("account-discover-bad-dns-server", "server", .0))]
    BadDnsServer(String),
    #[error("{}", tr1("account-discover-stopped", "reason", .0))]
    Stopped(String),
    #[error("{}", tr2("account-discover-autoconfig-plaintext", "url", .url, "what", .what))]
    AutoconfigPlaintext { url: String, what: &'static str },
    #[error("{}", tr2("account-discover-autoconfig-incomplete", "url", .url, "what", .what))]
    AutoconfigIncomplete { url: String, what: &'static str },
    #[error("{}", tr2("account-discover-nothing-found", "domain", .domain, "tried", .tried))]
    NothingFound { domain: String, tried: String },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error(transparent)]
    Smtp(#[from] SmtpProbeError),
}

/// Where to look, besides the defaults.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Ask this DNS server instead of the system's resolver.
    pub dns_server: Option<SocketAddr>,
    /// Fetch autoconfig under this HTTPS base instead of the domain's hosts.
    pub autoconfig_base: Option<String>,
    /// An extra CA (PEM) trusted besides IGC-Santé: test or private servers only.
    pub extra_ca: Option<PathBuf>,
    /// Servers given by hand, used when nothing is found.
    pub manual: Option<(Server, Server)>,
}

/// Where the settings came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    DnsSrv,
    Autoconfig,
    Manual,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Self::DnsSrv => "DNS SRV records (RFC 6186)",
            Self::Autoconfig => "autoconfig file",
            Self::Manual => "settings given by hand",
        }
    }
}

/// The servers found for an address.
#[derive(Debug, Clone, Serialize)]
pub struct Discovery {
    pub address: String,
    pub domain: String,
    pub source: Source,
    pub imap: Server,
    pub smtp: Server,
    /// Further servers to try, in order, when `imap` or `smtp` does not answer
    /// (the other SRV records).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub imap_alternatives: Vec<Server>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub smtp_alternatives: Vec<Server>,
    /// The autoconfig file used, when it was one.
    pub autoconfig_url: Option<String>,
    /// The login name the autoconfig file gives, if any.
    pub username: Option<String>,
    /// What was asked and answered on the way, one line each.
    pub notes: Vec<String>,
}

/// The DNS server named by [`DNS_SERVER_ENV`], if set.
pub fn dns_server_from_env() -> Result<Option<SocketAddr>, DiscoverError> {
    match std::env::var(DNS_SERVER_ENV) {
        Ok(v) if !v.trim().is_empty() => parse_dns_server(&v).map(Some),
        _ => Ok(None),
    }
}

/// `IP:port` (or a bare IP, port 53).
pub fn parse_dns_server(s: &str) -> Result<SocketAddr, DiscoverError> {
    let s = s.trim();
    s.parse::<SocketAddr>()
        .or_else(|_| {
            s.parse::<std::net::IpAddr>()
                .map(|ip| SocketAddr::new(ip, 53))
        })
        .map_err(|_| DiscoverError::BadDnsServer(s.to_owned()))
}

/// The domain of an address, in ASCII (IDNA).
fn domain_of(address: &str) -> Result<String, DiscoverError> {
    let bad = || DiscoverError::BadAddress(address.to_owned());
    let (local, domain) = address.trim().rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty() || domain.is_empty() || local.contains('@') {
        return Err(bad());
    }
    let ascii = idna::domain_to_ascii(domain).map_err(|_| bad())?;
    if !ascii.contains('.') {
        return Err(bad());
    }
    Ok(ascii)
}

/// Find the servers of `address`: DNS SRV first (used when it names both an
/// IMAP and a submission server), then autoconfig, then `options.manual`.
pub async fn discover(
    address: &str,
    options: &DiscoverOptions,
) -> Result<Discovery, DiscoverError> {
    let address = address.trim().to_owned();
    let domain = domain_of(&address)?;
    let mut notes = Vec::new();

    match srv::resolver(options.dns_server) {
        Ok(resolver) => {
            let found = srv::lookup(&resolver, &domain).await;
            notes.extend(found.notes);
            let (mut imap, mut smtp) = (found.imap, found.smtp);
            if !imap.is_empty() && !smtp.is_empty() {
                let (first_imap, first_smtp) = (imap.remove(0), smtp.remove(0));
                return Ok(Discovery {
                    address,
                    domain,
                    source: Source::DnsSrv,
                    imap: first_imap,
                    smtp: first_smtp,
                    imap_alternatives: imap,
                    smtp_alternatives: smtp,
                    autoconfig_url: None,
                    username: None,
                    notes,
                });
            }
            if !imap.is_empty() || !smtp.is_empty() {
                notes.push(format!(
                    "DNS SRV names no {} server: not used",
                    if imap.is_empty() {
                        "IMAP"
                    } else {
                        "submission"
                    }
                ));
            }
        }
        Err(reason) => notes.push(format!("DNS SRV: no resolver ({reason})")),
    }

    let urls = autoconfig::urls(&address, &domain, options.autoconfig_base.as_deref());
    let (fetched, auto_notes) = {
        let urls = urls.clone();
        let address = address.clone();
        let extra_ca = options.extra_ca.clone();
        tokio::task::spawn_blocking(move || {
            let mut notes = Vec::new();
            let r = autoconfig::fetch_first(&urls, &address, extra_ca.as_deref(), &mut notes);
            (r, notes)
        })
        .await
        .map_err(|e| DiscoverError::Stopped(e.to_string()))?
    };
    notes.extend(auto_notes);
    if let Some(found) = fetched? {
        notes.push(format!("autoconfig: {}", found.url));
        return Ok(Discovery {
            address,
            domain,
            source: Source::Autoconfig,
            imap: found.imap,
            smtp: found.smtp,
            imap_alternatives: Vec::new(),
            smtp_alternatives: Vec::new(),
            autoconfig_url: Some(found.url),
            username: found.username,
            notes,
        });
    }

    if let Some((imap, smtp)) = &options.manual {
        return Ok(Discovery {
            address,
            domain,
            source: Source::Manual,
            imap: imap.clone(),
            smtp: smtp.clone(),
            imap_alternatives: Vec::new(),
            smtp_alternatives: Vec::new(),
            autoconfig_url: None,
            username: None,
            notes,
        });
    }
    Err(DiscoverError::NothingFound {
        domain,
        tried: notes.join("\n  "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_dns_servers() {
        assert_eq!(
            domain_of("claire@Médecin.MSSante.fr").unwrap(),
            "xn--mdecin-bva.mssante.fr"
        );
        assert!(domain_of("claire").is_err());
        assert!(domain_of("@x.fr").is_err());
        assert_eq!(
            parse_dns_server("127.0.0.1:5353").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(parse_dns_server("::1").unwrap().port(), 53);
        assert!(parse_dns_server("localhost:53").is_err());
    }
}
