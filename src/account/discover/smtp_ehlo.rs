//! The SASL mechanisms an SMTP submission server offers (`AUTH` in its EHLO
//! answer), read over TLS (implicit, or after STARTTLS; nothing but EHLO
//! and STARTTLS is said before TLS).

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::account::{Security, Server};
use crate::i18n::{tr1, tr2, tr3};
use crate::imap::CONNECT_TIMEOUT;
use crate::tls::{TlsClient, TlsError};

#[derive(Debug, thiserror::Error)]
pub enum SmtpProbeError {
    #[error("{}", tr3("account-smtp-ehlo-connect", "host", .host, "port", .port, "reason", .reason))]
    Connect {
        host: String,
        port: u16,
        reason: String,
    },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("{}", tr1("account-smtp-ehlo-no-starttls", "host", .0))]
    NoStartTls(String),
    #[error("{}", tr2("account-smtp-ehlo-protocol", "host", .host, "reason", .reason))]
    Protocol { host: String, reason: String },
    #[error("{}", tr1("account-smtp-ehlo-timeout", "host", .0))]
    Timeout(String),
}

/// Connect, say EHLO (after TLS), return the AUTH mechanisms (upper case).
pub async fn mechanisms(server: &Server, tls: &TlsClient) -> Result<Vec<String>, SmtpProbeError> {
    tokio::time::timeout(CONNECT_TIMEOUT * 2, probe(server, tls))
        .await
        .map_err(|_| SmtpProbeError::Timeout(server.host.clone()))?
}

async fn probe(server: &Server, tls: &TlsClient) -> Result<Vec<String>, SmtpProbeError> {
    let host = server.host.as_str();
    let tcp =
        TcpStream::connect((host, server.port))
            .await
            .map_err(|e| SmtpProbeError::Connect {
                host: host.to_owned(),
                port: server.port,
                reason: e.to_string(),
            })?;
    let stream = match server.security {
        Security::Tls => {
            let mut s = BufReader::new(tls.connect(host, tcp).await?);
            expect(host, &mut s, "220").await?;
            s
        }
        Security::StartTls => {
            let mut plain = BufReader::new(tcp);
            expect(host, &mut plain, "220").await?;
            ehlo(host, &mut plain).await?;
            plain
                .get_mut()
                .write_all(b"STARTTLS\r\n")
                .await
                .map_err(io(host))?;
            let reply = reply(host, &mut plain).await?;
            if !reply.first().is_some_and(|l| l.starts_with("220")) {
                return Err(SmtpProbeError::NoStartTls(host.to_owned()));
            }
            if !plain.buffer().is_empty() {
                return Err(SmtpProbeError::Protocol {
                    host: host.to_owned(),
                    reason: "data sent before the TLS handshake".into(),
                });
            }
            BufReader::new(tls.connect(host, plain.into_inner()).await?)
        }
    };
    let mut stream = stream;
    let lines = ehlo(host, &mut stream).await?;
    let _ = stream.get_mut().write_all(b"QUIT\r\n").await;
    Ok(auth_mechanisms(&lines))
}

/// The mechanisms of the `AUTH` lines of an EHLO answer (`AUTH PLAIN LOGIN`,
/// or the old `AUTH=PLAIN LOGIN`).
pub fn auth_mechanisms(lines: &[String]) -> Vec<String> {
    let mut mechs: Vec<String> = Vec::new();
    for line in lines {
        let Some(rest) = line.get(4..) else { continue };
        let upper = rest.to_ascii_uppercase();
        let list = if let Some(list) = upper.strip_prefix("AUTH=") {
            list
        } else if let Some(list) = upper.strip_prefix("AUTH ") {
            list
        } else {
            continue;
        };
        for m in list.split_whitespace() {
            if !mechs.iter().any(|x| x == m) {
                mechs.push(m.to_owned());
            }
        }
    }
    mechs
}

fn io(host: &str) -> impl Fn(std::io::Error) -> SmtpProbeError + '_ {
    move |e| SmtpProbeError::Protocol {
        host: host.to_owned(),
        reason: e.to_string(),
    }
}

async fn ehlo<S: AsyncRead + AsyncWrite + Unpin>(
    host: &str,
    s: &mut BufReader<S>,
) -> Result<Vec<String>, SmtpProbeError> {
    s.get_mut()
        .write_all(b"EHLO localhost\r\n")
        .await
        .map_err(io(host))?;
    let lines = reply(host, s).await?;
    if !lines.first().is_some_and(|l| l.starts_with("250")) {
        return Err(SmtpProbeError::Protocol {
            host: host.to_owned(),
            reason: lines.join(" "),
        });
    }
    Ok(lines)
}

async fn expect<S: AsyncRead + AsyncWrite + Unpin>(
    host: &str,
    s: &mut BufReader<S>,
    code: &str,
) -> Result<(), SmtpProbeError> {
    let lines = reply(host, s).await?;
    if lines.first().is_some_and(|l| l.starts_with(code)) {
        Ok(())
    } else {
        Err(SmtpProbeError::Protocol {
            host: host.to_owned(),
            reason: lines.join(" ").chars().take(200).collect(),
        })
    }
}

/// One SMTP reply: its lines up to the one whose 4th byte is a space.
async fn reply<S: AsyncRead + Unpin>(
    host: &str,
    s: &mut BufReader<S>,
) -> Result<Vec<String>, SmtpProbeError> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if s.read_line(&mut line).await.map_err(io(host))? == 0 {
            return Err(SmtpProbeError::Protocol {
                host: host.to_owned(),
                reason: "it closed the connection".into(),
            });
        }
        let line = line.trim_end().to_owned();
        let last = line.as_bytes().get(3) != Some(&b'-');
        lines.push(line);
        if last || lines.len() > 100 {
            return Ok(lines);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_auth_lines() {
        let lines: Vec<String> = [
            "250-localhost",
            "250-8BITMIME",
            "250-AUTH PLAIN login",
            "250-AUTH=XOAUTH2",
            "250 SIZE 1000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(auth_mechanisms(&lines), ["PLAIN", "LOGIN", "XOAUTH2"]);
    }
}
