//! SMTP submission with lettre's connection API, over a TLS stream made with
//! the account's [`TlsClient`] (IGC-Santé trust, explicit extra CA, explained
//! refusals): implicit TLS (465) or STARTTLS (587), never clear text.
//!
//! lettre's `Envelope` has no DSN parameters, so the transaction is driven
//! command by command with lettre's `Mail`/`Rcpt` commands, which carry
//! ESMTP parameters: `RET=HDRS` and `ENVID` on `MAIL FROM`, `NOTIFY=...` on
//! each `RCPT TO`, sent only when the server announces DSN in its EHLO answer.
//! Driving the commands also lets the send journal be written between the
//! server's `354` and the first byte of content.

use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use lettre::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailParameter, RcptParameter};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};
use tokio::net::TcpStream;

use crate::account::{Security, Server};
use crate::i18n::tr1;
use crate::tls::TlsClient;

use super::SendError;

/// What a failed transaction means for the message.
#[derive(Debug)]
pub enum Failure {
    /// 4xx or a network problem: try again later.
    Temporary(String),
    /// 5xx: the server's answer, final.
    Permanent(String),
    /// The connection broke while the content was being sent or answered:
    /// the server may have accepted the message.
    Unknown(String),
}

impl Failure {
    pub fn text(&self) -> &str {
        match self {
            Self::Temporary(s) | Self::Permanent(s) | Self::Unknown(s) => s,
        }
    }
}

fn failure(e: lettre::transport::smtp::Error) -> Failure {
    let text = match (e.status(), std::error::Error::source(&e)) {
        (Some(code), Some(msg)) => format!("{code} {msg}"),
        _ => e.to_string(),
    };
    if e.is_permanent() {
        Failure::Permanent(text)
    } else {
        Failure::Temporary(text)
    }
}

/// DSN parameters for one transaction.
#[derive(Debug, Clone)]
pub struct Dsn {
    /// The envelope id (the Message-ID), echoed in the reports.
    pub envid: String,
}

/// A logged-in SMTP session.
pub struct Session {
    conn: AsyncSmtpConnection,
    dsn_offered: bool,
}

/// A TLS stream, possibly preceded by bytes already spoken for lettre (the
/// greeting it expects when the connection was upgraded with STARTTLS).
struct Wire {
    prefix: Vec<u8>,
    pos: usize,
    inner: tokio_rustls::client::TlsStream<TcpStream>,
    peer: SocketAddr,
}

impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wire({})", self.peer)
    }
}

impl AsyncRead for Wire {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.pos < self.prefix.len() {
            let n = (self.prefix.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.prefix[start..start + n]);
            self.pos += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Wire {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Wire {
    fn peer_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.peer)
    }
}

fn client_id() -> ClientId {
    ClientId::Domain("caducee.localhost".into())
}

/// Read one (possibly multi-line) SMTP reply in clear text; returns its lines.
async fn read_reply(
    reader: &mut BufReader<TcpStream>,
    host: &str,
) -> Result<(u16, Vec<String>), SendError> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .await
            .map_err(|e| SendError::Smtp(format!("{host}: {e}")))?;
        if n == 0 || line.len() < 4 {
            return Err(SendError::Smtp(tr1(
                "send-reason-closed-before-starttls",
                "host",
                &host,
            )));
        }
        let code = line
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .unwrap_or(0);
        let last = line.as_bytes().get(3) == Some(&b' ');
        lines.push(line.get(4..).unwrap_or("").trim_end().to_owned());
        if last {
            return Ok((code, lines));
        }
    }
}

async fn starttls_upgrade(stream: TcpStream, host: &str) -> Result<TcpStream, SendError> {
    let mut reader = BufReader::new(stream);
    let (code, _) = read_reply(&mut reader, host).await?;
    if code != 220 {
        return Err(SendError::Smtp(format!("{host} greeted with {code}")));
    }
    let io = |e: std::io::Error| SendError::Smtp(format!("{host}: {e}"));
    reader
        .get_mut()
        .write_all(b"EHLO caducee.localhost\r\n")
        .await
        .map_err(io)?;
    let (code, lines) = read_reply(&mut reader, host).await?;
    if code != 250 || !lines.iter().any(|l| l.eq_ignore_ascii_case("STARTTLS")) {
        return Err(SendError::NoStartTls(host.to_owned()));
    }
    reader
        .get_mut()
        .write_all(b"STARTTLS\r\n")
        .await
        .map_err(io)?;
    let (code, lines) = read_reply(&mut reader, host).await?;
    if code != 220 {
        return Err(SendError::Smtp(format!(
            "{host} refused STARTTLS: {code} {}",
            lines.join(" ")
        )));
    }
    if !reader.buffer().is_empty() {
        return Err(SendError::Smtp(tr1(
            "send-reason-data-before-tls",
            "host",
            &host,
        )));
    }
    Ok(reader.into_inner())
}

/// How the SMTP session logs in.
#[derive(Clone, Copy)]
pub enum Login<'a> {
    /// AUTH PLAIN or LOGIN.
    Password {
        username: &'a str,
        password: &'a str,
    },
    /// AUTH EXTERNAL: the TLS client certificate (card or application
    /// certificate, in the [`TlsClient`]'s settings) is the proof.
    External,
    /// AUTH XOAUTH2 with a bearer token (Pro Santé Connect, one-time-code
    /// login).
    XOAuth2 { username: &'a str, token: &'a str },
}

impl Session {
    /// Connect, secure the connection and log in with a password.
    pub async fn open(
        server: &Server,
        tls: &TlsClient,
        username: &str,
        password: &str,
    ) -> Result<Session, SendError> {
        Self::open_with(server, tls, Login::Password { username, password }).await
    }

    /// Connect, secure the connection and log in as `login` says.
    pub async fn open_with(
        server: &Server,
        tls: &TlsClient,
        login: Login<'_>,
    ) -> Result<Session, SendError> {
        let host = server.host.as_str();
        let tcp =
            TcpStream::connect((host, server.port))
                .await
                .map_err(|e| SendError::Connect {
                    host: host.to_owned(),
                    port: server.port,
                    reason: e.to_string(),
                })?;
        let peer = tcp.peer_addr().map_err(|e| SendError::Connect {
            host: host.to_owned(),
            port: server.port,
            reason: e.to_string(),
        })?;
        let (tcp, prefix) = match server.security {
            Security::Tls => (tcp, Vec::new()),
            // lettre reads a greeting before its EHLO: after STARTTLS there is
            // none on the wire (RFC 3207), so the 220 that opened TLS stands in.
            Security::StartTls => (
                starttls_upgrade(tcp, host).await?,
                b"220 TLS established\r\n".to_vec(),
            ),
        };
        let tls_stream = tls.connect(host, tcp).await?;
        let wire = Wire {
            prefix,
            pos: 0,
            inner: tls_stream,
            peer,
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(wire), &client_id())
            .await
            .map_err(|e| SendError::Smtp(failure(e).text().to_owned()))?;
        match login {
            Login::Password { username, password } => conn
                .auth(
                    &[Mechanism::Plain, Mechanism::Login],
                    &Credentials::new(username.to_owned(), password.to_owned()),
                )
                .await
                .map(|_| ())
                .map_err(|e| SendError::Login(failure(e).text().to_owned()))?,
            Login::XOAuth2 { username, token } => conn
                .auth(
                    &[Mechanism::Xoauth2],
                    &Credentials::new(username.to_owned(), token.to_owned()),
                )
                .await
                .map(|_| ())
                .map_err(|e| SendError::TokenLogin(failure(e).text().to_owned()))?,
            // lettre has no EXTERNAL: "=" is the empty initial response
            // (RFC 4954), the identity being the certificate's; 235 expected.
            Login::External => {
                if !ehlo_offers(&mut conn, "EXTERNAL").await? {
                    return Err(SendError::CertificateLogin(tr1(
                        "send-reason-no-auth-external",
                        "host",
                        &host,
                    )));
                }
                let resp = conn
                    .command("AUTH EXTERNAL =\r\n")
                    .await
                    .map_err(|e| SendError::CertificateLogin(failure(e).text().to_owned()))?;
                if resp.code().to_string() != "235" {
                    return Err(SendError::CertificateLogin(format!(
                        "{} {}",
                        resp.code(),
                        resp.message().collect::<Vec<_>>().join(" ")
                    )));
                }
            }
        }
        // lettre's server info knows no DSN: ask again and read the keywords.
        let ehlo = conn
            .command(Ehlo::new(client_id()))
            .await
            .map_err(|e| SendError::Smtp(failure(e).text().to_owned()))?;
        let dsn_offered = ehlo
            .message()
            .any(|l| l.split_whitespace().next() == Some("DSN"));
        Ok(Session { conn, dsn_offered })
    }

    /// Whether the server announced DSN (RFC 3461).
    pub fn dsn_offered(&self) -> bool {
        self.dsn_offered
    }

    /// One SMTP transaction. `before_content` runs after the server's `354`
    /// and before any content is written; if it fails, the transaction is
    /// abandoned (the server discards it).
    pub async fn transaction(
        &mut self,
        from: &str,
        recipients: &[String],
        dsn: Option<&Dsn>,
        raw: &[u8],
        before_content: impl FnOnce() -> Result<(), SendError>,
    ) -> Result<Result<String, Failure>, SendError> {
        let parse = |a: &str| {
            a.parse::<Address>()
                .map_err(|_| SendError::BadAddress(a.to_owned()))
        };
        let from = parse(from)?;
        let dsn = dsn.filter(|_| self.dsn_offered);
        if let Err(e) = self.conn.command(mail_command(from, dsn)).await {
            return Ok(Err(failure(e)));
        }
        for r in recipients {
            if let Err(e) = self.conn.command(rcpt_command(parse(r)?, dsn)).await {
                let f = failure(e);
                self.reset().await;
                return Ok(Err(match f {
                    Failure::Permanent(t) => Failure::Permanent(format!("{r}: {t}")),
                    other => Failure::Temporary(format!("{r}: {}", other.text())),
                }));
            }
        }
        if let Err(e) = self.conn.command(Data).await {
            self.reset().await;
            return Ok(Err(failure(e)));
        }
        before_content()?;
        // lettre ends the content with CRLF "." CRLF: that first CRLF ends the
        // message's last line, so the message's own final CRLF is left out
        // (else the recipient would get an extra empty line).
        let content = raw.strip_suffix(b"\r\n").unwrap_or(raw);
        match self.conn.message(content).await {
            Ok(resp) => Ok(Ok(format!(
                "{} {}",
                resp.code(),
                resp.message().collect::<Vec<_>>().join(" ")
            ))),
            Err(e) if e.status().is_some() => Ok(Err(failure(e))),
            Err(e) => Ok(Err(Failure::Unknown(e.to_string()))),
        }
    }

    async fn reset(&mut self) {
        let _ = self.conn.command("RSET\r\n").await;
    }

    /// Say goodbye.
    pub async fn quit(mut self) {
        let _ = self.conn.quit().await;
    }
}

/// Whether the server's EHLO answer lists `mechanism` among its AUTH
/// mechanisms (lettre's own list knows PLAIN, LOGIN and XOAUTH2 only).
async fn ehlo_offers(conn: &mut AsyncSmtpConnection, mechanism: &str) -> Result<bool, SendError> {
    let ehlo = conn
        .command(Ehlo::new(client_id()))
        .await
        .map_err(|e| SendError::Smtp(failure(e).text().to_owned()))?;
    Ok(ehlo.message().any(|l| {
        let mut words = l.split_whitespace();
        words.next().is_some_and(|w| w.eq_ignore_ascii_case("AUTH"))
            && words.any(|m| m.eq_ignore_ascii_case(mechanism))
    }))
}

/// `MAIL FROM`, with `RET=HDRS` and `ENVID` when DSN is asked for.
pub fn mail_command(from: Address, dsn: Option<&Dsn>) -> Mail {
    let mut params = Vec::new();
    if let Some(d) = dsn {
        params.push(MailParameter::Other {
            keyword: "RET".into(),
            value: Some("HDRS".into()),
        });
        // lettre writes parameter values as xtext itself.
        params.push(MailParameter::Other {
            keyword: "ENVID".into(),
            value: Some(d.envid.clone()),
        });
    }
    Mail::new(Some(from), params)
}

/// `RCPT TO`, with `NOTIFY=SUCCESS,FAILURE,DELAY` when DSN is asked for.
pub fn rcpt_command(to: Address, dsn: Option<&Dsn>) -> Rcpt {
    let params = match dsn {
        Some(_) => vec![RcptParameter::Other {
            keyword: "NOTIFY".into(),
            value: Some("SUCCESS,FAILURE,DELAY".into()),
        }],
        None => Vec::new(),
    };
    Rcpt::new(to, params)
}

/// xtext (RFC 3461 §4): `+XX` for `+`, `=`, and anything outside `!`..`~`.
pub fn xtext(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
            out.push(b as char);
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsn_parameters_on_the_wire() {
        let dsn = Dsn {
            envid: "a+b@test.mssante.fr".into(),
        };
        let from: Address = "claire@test.mssante.fr".parse().unwrap();
        let to: Address = "bob@test.mssante.fr".parse().unwrap();
        assert_eq!(
            mail_command(from.clone(), Some(&dsn)).to_string(),
            "MAIL FROM:<claire@test.mssante.fr> RET=HDRS ENVID=a+2Bb@test.mssante.fr\r\n"
        );
        assert_eq!(
            rcpt_command(to.clone(), Some(&dsn)).to_string(),
            "RCPT TO:<bob@test.mssante.fr> NOTIFY=SUCCESS,FAILURE,DELAY\r\n"
        );
        assert_eq!(
            mail_command(from, None).to_string(),
            "MAIL FROM:<claire@test.mssante.fr>\r\n"
        );
        assert_eq!(
            rcpt_command(to, None).to_string(),
            "RCPT TO:<bob@test.mssante.fr>\r\n"
        );
    }

    #[test]
    fn xtext_escapes_plus_equals_and_spaces() {
        assert_eq!(xtext("a+b=c d@x"), "a+2Bb+3Dc+20d@x");
    }
}
