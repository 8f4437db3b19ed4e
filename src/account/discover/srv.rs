//! DNS SRV records for mail services (RFC 6186): `_imaps._tcp` (implicit
//! TLS) before `_imap._tcp` (STARTTLS), `_submissions._tcp` before
//! `_submission._tcp`. Records are tried by priority (lowest first), then
//! weight (highest first); a target of "." means the service is not offered.
//! Every usable record is kept, in that order, so that the next one can be
//! tried when a server does not answer.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};

use crate::account::{Security, Server};

/// How long one DNS question may take before giving up.
const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// What the DNS said about one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Servers to use, best first.
    Found(Vec<Server>),
    /// The domain says it does not offer the service (target ".").
    NotOffered,
    /// No record.
    Missing,
}

/// The services the DNS gave for a domain, and what was seen on the way.
#[derive(Debug, Clone, Default)]
pub struct SrvResult {
    /// IMAP servers, best first (implicit TLS records before STARTTLS ones).
    pub imap: Vec<Server>,
    /// Submission servers, best first.
    pub smtp: Vec<Server>,
    /// One line per question, for the user ("_imaps._tcp.example.fr: not offered").
    pub notes: Vec<String>,
}

/// A resolver: the system's, or one name server given as `IP:port`.
pub fn resolver(dns_server: Option<SocketAddr>) -> Result<TokioResolver, String> {
    let mut builder = match dns_server {
        Some(addr) => {
            let mut udp = ConnectionConfig::udp();
            udp.port = addr.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = addr.port();
            let server = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
            Resolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![server]),
                TokioRuntimeProvider::default(),
            )
        }
        None => Resolver::builder_tokio().map_err(|e| e.to_string())?,
    };
    let mut opts = ResolverOpts::default();
    opts.timeout = DNS_TIMEOUT;
    opts.attempts = 1;
    *builder.options_mut() = opts;
    builder.build().map_err(|e| e.to_string())
}

/// Ask for the four mail services of `domain` (all at once).
pub async fn lookup(resolver: &TokioResolver, domain: &str) -> SrvResult {
    const SERVICES: [(&str, Security); 4] = [
        ("_imaps._tcp", Security::Tls),
        ("_imap._tcp", Security::StartTls),
        ("_submissions._tcp", Security::Tls),
        ("_submission._tcp", Security::StartTls),
    ];
    let names: Vec<String> = SERVICES
        .iter()
        .map(|(service, _)| format!("{service}.{domain}."))
        .collect();
    let answers = futures::future::join_all(
        SERVICES
            .iter()
            .zip(&names)
            .map(|((_, security), name)| service_answer(resolver, name, *security)),
    )
    .await;
    let mut result = SrvResult::default();
    for (i, (((_, security), name), answer)) in SERVICES.iter().zip(&names).zip(answers).enumerate()
    {
        let servers = match answer {
            Ok(Answer::Found(servers)) => {
                let list: Vec<String> = servers
                    .iter()
                    .map(|s| format!("{}:{}", s.host, s.port))
                    .collect();
                result.notes.push(format!(
                    "{name}: {} ({})",
                    list.join(", "),
                    security_label(*security)
                ));
                servers
            }
            Ok(Answer::NotOffered) => {
                result
                    .notes
                    .push(format!("{name}: not offered (target \".\")"));
                continue;
            }
            Ok(Answer::Missing) => {
                result.notes.push(format!("{name}: no record"));
                continue;
            }
            Err(reason) => {
                result.notes.push(format!("{name}: {reason}"));
                continue;
            }
        };
        if i < 2 {
            result.imap.extend(servers);
        } else {
            result.smtp.extend(servers);
        }
    }
    result
}

pub(super) fn security_label(s: Security) -> &'static str {
    match s {
        Security::Tls => "TLS",
        Security::StartTls => "STARTTLS",
    }
}

/// One SRV question: the best usable record, or why there is none.
async fn service_answer(
    resolver: &TokioResolver,
    name: &str,
    security: Security,
) -> Result<Answer, String> {
    let lookup = match resolver.srv_lookup(name).await {
        Ok(l) => l,
        Err(e) if e.is_no_records_found() => return Ok(Answer::Missing),
        Err(hickory_resolver::net::NetError::Timeout) => {
            return Err("the DNS question failed (the name server did not answer in time)".into());
        }
        Err(e) => return Err(format!("the DNS question failed ({e})")),
    };
    let records: Vec<(u16, u16, u16, String)> = lookup
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            RData::SRV(srv) => Some((
                srv.priority,
                srv.weight,
                srv.port,
                if srv.target.is_root() {
                    String::new()
                } else {
                    srv.target.to_ascii().trim_end_matches('.').to_owned()
                },
            )),
            _ => None,
        })
        .collect();
    Ok(choose(records, security))
}

/// Order the records: priority ascending, then weight descending. A lone
/// "." record (RFC 2782) says the service is not offered.
pub(super) fn choose(mut records: Vec<(u16, u16, u16, String)>, security: Security) -> Answer {
    if records.is_empty() {
        return Answer::Missing;
    }
    records.retain(|r| !r.3.is_empty() && r.2 != 0);
    if records.is_empty() {
        return Answer::NotOffered;
    }
    records.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.3.cmp(&b.3)));
    Answer::Found(
        records
            .into_iter()
            .map(|(_, _, port, host)| Server {
                host,
                port,
                security,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(p: u16, w: u16, port: u16, host: &str) -> (u16, u16, u16, String) {
        (p, w, port, host.to_owned())
    }

    #[test]
    fn priority_then_weight() {
        let a = choose(
            vec![
                rec(20, 100, 993, "backup.example.fr"),
                rec(10, 1, 993, "light.example.fr"),
                rec(10, 50, 993, "heavy.example.fr"),
            ],
            Security::Tls,
        );
        let Answer::Found(servers) = a else {
            panic!("{a:?}")
        };
        let hosts: Vec<&str> = servers.iter().map(|s| s.host.as_str()).collect();
        assert_eq!(
            hosts,
            ["heavy.example.fr", "light.example.fr", "backup.example.fr"]
        );
    }

    #[test]
    fn dot_target_is_not_offered() {
        assert_eq!(
            choose(vec![rec(0, 0, 0, "")], Security::Tls),
            Answer::NotOffered
        );
        assert_eq!(choose(vec![], Security::Tls), Answer::Missing);
    }
}
