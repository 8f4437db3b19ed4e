//! Mozilla-style autoconfig (`config-v1.1.xml`): fetched over HTTPS only,
//! trusting IGC-Santé and the explicitly given extra CA, like every other
//! MSSanté connection. Only SSL and STARTTLS sockets are accepted; a file that
//! offers nothing but plain connections is refused.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::DiscoverError;
use crate::account::{Security, Server};

/// An autoconfig file is a few kilobytes.
const MAX_BYTES: u64 = 256 * 1024;
const TIMEOUT: Duration = Duration::from_secs(20);

/// The servers an autoconfig file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub url: String,
    pub imap: Server,
    pub smtp: Server,
    /// The login name, placeholders replaced.
    pub username: Option<String>,
    /// The `authentication` values of the chosen IMAP server
    /// (`password-cleartext`, `TLS-client-cert`, `OAuth2`...).
    pub authentication: Vec<String>,
}

/// The URLs to try for `address`: the `autoconfig.` host, then the domain's
/// well-known path; with `base`, both paths under that base instead.
pub fn urls(address: &str, domain: &str, base: Option<&str>) -> Vec<String> {
    let query = format!("?emailaddress={}", percent_encode(address));
    match base {
        Some(base) => {
            let base = base.trim_end_matches('/');
            vec![
                format!("{base}/mail/config-v1.1.xml{query}"),
                format!("{base}/.well-known/autoconfig/mail/config-v1.1.xml"),
            ]
        }
        None => vec![
            format!("https://autoconfig.{domain}/mail/config-v1.1.xml{query}"),
            format!("https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml"),
        ],
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Try each URL in turn. `Ok(None)` when none gave a file (the reasons are
/// added to `notes`); an error when a file was found but is refused.
pub fn fetch_first(
    urls: &[String],
    address: &str,
    extra_ca: Option<&Path>,
    notes: &mut Vec<String>,
) -> Result<Option<Found>, DiscoverError> {
    for url in urls {
        match fetch(url, extra_ca) {
            Ok(body) => match parse(&body, address) {
                Ok(config) => return select(config, url).map(Some),
                Err(reason) => notes.push(format!("{url}: not a valid autoconfig file ({reason})")),
            },
            Err(reason) => notes.push(format!("{url}: {reason}")),
        }
    }
    Ok(None)
}

/// One HTTPS GET; the reason of a failure in words for the user.
fn fetch(url: &str, extra_ca: Option<&Path>) -> Result<Vec<u8>, String> {
    let agent = crate::tls::https::igc_sante_agent(extra_ca, TIMEOUT).map_err(|e| e.to_string())?;
    let explain = |e: ureq::Error| -> String {
        match (crate::tls::https::refusal(&e), e) {
            (Some(detail), _) => format!(
                "the web server's certificate is not trusted ({detail}); only IGC-Santé and an explicitly given CA are"
            ),
            (None, ureq::Error::StatusCode(status)) => format!("HTTP status {status}"),
            (None, ureq::Error::RequireHttpsOnly(_)) => {
                "not an https:// address; plain HTTP is refused".to_owned()
            }
            (None, other) => format!("cannot download it ({other})"),
        }
    };
    let mut response = agent.get(url).call().map_err(explain)?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(explain)
}

#[derive(Debug, Deserialize)]
struct ClientConfig {
    #[serde(rename = "emailProvider")]
    provider: Provider,
}

#[derive(Debug, Deserialize)]
struct Provider {
    #[serde(rename = "incomingServer", default)]
    incoming: Vec<XmlServer>,
    #[serde(rename = "outgoingServer", default)]
    outgoing: Vec<XmlServer>,
}

#[derive(Debug, Deserialize)]
struct XmlServer {
    #[serde(rename = "@type")]
    kind: String,
    hostname: String,
    port: u16,
    #[serde(rename = "socketType")]
    socket_type: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    authentication: Vec<String>,
}

/// The servers of a file, placeholders replaced.
#[derive(Debug)]
pub struct Config {
    imap: Vec<XmlServer>,
    smtp: Vec<XmlServer>,
}

/// Read a `config-v1.1.xml` for `address`.
pub fn parse(body: &[u8], address: &str) -> Result<Config, String> {
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    let config: ClientConfig = quick_xml::de::from_str(text).map_err(|e| e.to_string())?;
    let (local, domain) = address.split_once('@').unwrap_or((address, ""));
    let fill = |s: &str| {
        s.replace("%EMAILADDRESS%", address)
            .replace("%EMAILLOCALPART%", local)
            .replace("%EMAILDOMAIN%", domain)
    };
    let fix = |mut s: XmlServer| {
        s.hostname = fill(s.hostname.trim());
        s.username = s.username.map(|u| fill(u.trim()));
        s
    };
    let p = config.provider;
    Ok(Config {
        imap: p
            .incoming
            .into_iter()
            .filter(|s| s.kind.eq_ignore_ascii_case("imap"))
            .map(fix)
            .collect(),
        smtp: p
            .outgoing
            .into_iter()
            .filter(|s| s.kind.eq_ignore_ascii_case("smtp"))
            .map(fix)
            .collect(),
    })
}

fn security(socket_type: &str) -> Option<Security> {
    match socket_type.trim().to_ascii_uppercase().as_str() {
        "SSL" | "TLS" => Some(Security::Tls),
        "STARTTLS" => Some(Security::StartTls),
        _ => None,
    }
}

/// The first IMAP and SMTP servers with TLS; plain ones are skipped, and a
/// file offering only plain connections is refused.
pub fn select(config: Config, url: &str) -> Result<Found, DiscoverError> {
    fn pick<'a>(
        list: &'a [XmlServer],
        what: &'static str,
        url: &str,
    ) -> Result<(&'a XmlServer, Security), DiscoverError> {
        let secure = list
            .iter()
            .find_map(|s| security(&s.socket_type).map(|sec| (s, sec)));
        match secure {
            Some(found) => Ok(found),
            None if list.is_empty() => Err(DiscoverError::AutoconfigIncomplete {
                url: url.to_owned(),
                what,
            }),
            None => Err(DiscoverError::AutoconfigPlaintext {
                url: url.to_owned(),
                what,
            }),
        }
    }
    let (imap, imap_sec) = pick(&config.imap, "IMAP", url)?;
    let (smtp, smtp_sec) = pick(&config.smtp, "SMTP", url)?;
    Ok(Found {
        url: url.to_owned(),
        imap: Server {
            host: imap.hostname.clone(),
            port: imap.port,
            security: imap_sec,
        },
        smtp: Server {
            host: smtp.hostname.clone(),
            port: smtp.port,
            security: smtp_sec,
        },
        username: imap.username.clone(),
        authentication: imap.authentication.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="exemple.mssante.fr">
    <domain>exemple.mssante.fr</domain>
    <displayName>Exemple</displayName>
    <incomingServer type="pop3">
      <hostname>pop.exemple.mssante.fr</hostname><port>995</port><socketType>SSL</socketType>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>plain.exemple.mssante.fr</hostname><port>143</port><socketType>plain</socketType>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>TLS-client-cert</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.exemple.mssante.fr</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#;

    #[test]
    fn reads_the_tls_servers_and_fills_placeholders() {
        let address = "claire@exemple.mssante.fr";
        let found = select(parse(FILE.as_bytes(), address).unwrap(), "u").unwrap();
        assert_eq!(found.imap.host, "imap.exemple.mssante.fr");
        assert_eq!(found.imap.security, Security::Tls);
        assert_eq!(found.smtp.port, 587);
        assert_eq!(found.smtp.security, Security::StartTls);
        assert_eq!(found.username.as_deref(), Some("claire"));
        assert_eq!(
            found.authentication,
            ["TLS-client-cert", "password-cleartext"]
        );
    }

    #[test]
    fn plain_only_is_refused() {
        let plain = FILE
            .replace(
                "<socketType>SSL</socketType>",
                "<socketType>plain</socketType>",
            )
            .replace("STARTTLS", "plain");
        let err = select(parse(plain.as_bytes(), "a@b.fr").unwrap(), "u").unwrap_err();
        assert!(
            matches!(err, DiscoverError::AutoconfigPlaintext { what: "IMAP", .. }),
            "{err}"
        );
    }

    #[test]
    fn urls_encode_the_address() {
        let u = urls("claire+x@exemple.fr", "exemple.fr", None);
        assert_eq!(
            u[0],
            "https://autoconfig.exemple.fr/mail/config-v1.1.xml?emailaddress=claire%2Bx%40exemple.fr"
        );
        assert_eq!(
            u[1],
            "https://exemple.fr/.well-known/autoconfig/mail/config-v1.1.xml"
        );
        let t = urls("a@b.fr", "b.fr", Some("https://127.0.0.1:8443/"));
        assert!(t[0].starts_with("https://127.0.0.1:8443/mail/config-v1.1.xml?"));
    }
}
