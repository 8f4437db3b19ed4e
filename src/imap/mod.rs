//! Connecting to an account's IMAP server: TCP, then TLS (implicit or after
//! STARTTLS; plain IMAP is refused) with the account's trust settings, the
//! greeting, then login (password, SASL EXTERNAL or XOAUTH2).

pub mod auth;

use crate::i18n::{tr1, tr2, tr3};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::account::{Account, Security, Server};
use crate::secrets::SecretError;
use crate::tls::{TlsClient, TlsError, TlsSettings};

pub use auth::Credentials;

/// The stream under an IMAP session.
pub type ImapStream = tokio_rustls::client::TlsStream<TcpStream>;
/// A logged-in IMAP session.
pub type Session = async_imap::Session<ImapStream>;
/// A connected, not yet logged-in client.
pub type Client = async_imap::Client<ImapStream>;

/// How long to wait for the server to accept the connection or answer a
/// greeting before giving up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("{}", tr3("imap-connect", "host", .host, "port", .port, "reason", .reason))]
    Connect {
        host: String,
        port: u16,
        reason: String,
    },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("{}", tr1("imap-no-starttls", "host", .0))]
    NoStartTls(String),
    #[error("{}", tr2("imap-greeting", "host", .host, "reason", .reason))]
    Greeting { host: String, reason: String },
    #[error("{}", tr2("imap-auth", "user", .user, "reason", .reason))]
    Auth { user: String, reason: String },
    #[error("{}", tr1("imap-certificate-refused", "reason", .reason))]
    CertificateRefused { reason: String },
    #[error("{}", tr2("imap-token-refused", "user", .user, "reason", .reason))]
    TokenRefused { user: String, reason: String },
    #[error(transparent)]
    Certificate(#[from] crate::auth::AuthError),
    #[error("{}", tr1("imap-unsupported-auth", "method", .0))]
    UnsupportedAuth(&'static str),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Session(#[from] crate::auth::session::SessionError),
    #[error("{}", tr1("imap-timeout", "step", .0))]
    Timeout(&'static str),
    #[error("{}", tr1("imap-protocol", "reason", .0))]
    Protocol(#[from] async_imap::error::Error),
    #[error("{}", tr1("imap-io", "reason", .0))]
    Io(#[from] std::io::Error),
}

impl ImapError {
    /// True when retrying later may succeed (network, server restart), false
    /// when the user must act (password, certificate, settings).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout(_) | Self::Io(_) => true,
            Self::Protocol(e) => matches!(
                e,
                async_imap::error::Error::Io(_) | async_imap::error::Error::ConnectionLost
            ),
            Self::Tls(TlsError::Handshake { .. }) => true,
            Self::Session(e) => e.is_transient(),
            _ => false,
        }
    }
}

/// Open a TCP connection and secure it as `server.security` says. For
/// STARTTLS the plaintext greeting and upgrade happen here; for implicit TLS
/// the greeting is read here too. Returns a client ready to log in.
pub async fn connect(server: &Server, tls: &TlsClient) -> Result<Client, ImapError> {
    let tcp = tokio::time::timeout(
        CONNECT_TIMEOUT,
        TcpStream::connect((server.host.as_str(), server.port)),
    )
    .await
    .map_err(|_| ImapError::Timeout("connect"))?
    .map_err(|e| ImapError::Connect {
        host: server.host.clone(),
        port: server.port,
        reason: e.to_string(),
    })?;
    let _ = tcp.set_nodelay(true);
    match server.security {
        Security::Tls => {
            let stream = tls.connect(&server.host, tcp).await?;
            let mut client = async_imap::Client::new(stream);
            let greeting = tokio::time::timeout(CONNECT_TIMEOUT, client.read_response())
                .await
                .map_err(|_| ImapError::Timeout("greeting"))??;
            check_greeting(&server.host, greeting.as_ref().map(|g| g.parsed()))?;
            Ok(client)
        }
        Security::StartTls => {
            let tcp = tokio::time::timeout(CONNECT_TIMEOUT, starttls(&server.host, tcp))
                .await
                .map_err(|_| ImapError::Timeout("STARTTLS"))??;
            let stream = tls.connect(&server.host, tcp).await?;
            Ok(async_imap::Client::new(stream))
        }
    }
}

fn check_greeting(
    host: &str,
    greeting: Option<&async_imap::imap_proto::Response<'_>>,
) -> Result<(), ImapError> {
    use async_imap::imap_proto::{Response, Status};
    match greeting {
        Some(Response::Data {
            status: Status::Ok | Status::PreAuth,
            ..
        }) => Ok(()),
        Some(Response::Data {
            status: Status::Bye,
            outcome,
        }) => Err(ImapError::Greeting {
            host: host.to_owned(),
            reason: format!(
                "it closed the connection ({})",
                outcome.information.as_deref().unwrap_or("")
            ),
        }),
        Some(other) => Err(ImapError::Greeting {
            host: host.to_owned(),
            reason: format!("unexpected {other:?}"),
        }),
        None => Err(ImapError::Greeting {
            host: host.to_owned(),
            reason: "it closed the connection".into(),
        }),
    }
}

/// The plaintext part of STARTTLS: greeting, `STARTTLS`, tagged OK. Nothing
/// but these lines is exchanged before TLS.
async fn starttls(host: &str, tcp: TcpStream) -> Result<TcpStream, ImapError> {
    let mut reader = BufReader::new(tcp);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    if !line.starts_with("* OK") {
        return Err(ImapError::Greeting {
            host: host.to_owned(),
            reason: line.trim().chars().take(200).collect(),
        });
    }
    reader.get_mut().write_all(b"S0 STARTTLS\r\n").await?;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(ImapError::NoStartTls(host.to_owned()));
        }
        if line.starts_with("S0 ") {
            break;
        }
    }
    if !line.starts_with("S0 OK") {
        return Err(ImapError::NoStartTls(host.to_owned()));
    }
    if !reader.buffer().is_empty() {
        // Bytes after the OK and before TLS would be injected plaintext.
        return Err(ImapError::Greeting {
            host: host.to_owned(),
            reason: "data sent before the TLS handshake".into(),
        });
    }
    Ok(reader.into_inner())
}

/// Log in with `creds`.
pub async fn login(client: Client, creds: &Credentials) -> Result<Session, ImapError> {
    let result = match creds {
        Credentials::Password { username, password } => {
            client
                .authenticate("PLAIN", auth::Plain { username, password })
                .await
        }
        Credentials::External { authzid } => {
            client
                .authenticate(
                    "EXTERNAL",
                    auth::External {
                        authzid: authzid.as_deref(),
                    },
                )
                .await
        }
        Credentials::XOAuth2 { username, token } => {
            client
                .authenticate("XOAUTH2", auth::XOAuth2::new(username, token))
                .await
        }
    };
    match result {
        Ok(session) => {
            tracing::debug!(user = creds.user(), "IMAP login");
            Ok(session)
        }
        Err((e, client)) => {
            // Servers without SASL PLAIN still take LOGIN.
            if let (
                Credentials::Password { username, password },
                async_imap::error::Error::Bad(_),
            ) = (creds, &e)
            {
                return client
                    .login(username, password)
                    .await
                    .map_err(|(e, _)| auth_error(creds, e));
            }
            Err(auth_error(creds, e))
        }
    }
}

/// The server's own words in an async-imap refusal
/// (`code: Some(..), info: Some("...")`), else the whole text.
fn server_text(reason: &str) -> String {
    reason
        .split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.rsplit_once("\")"))
        .map(|(info, _)| info.replace("\\\"", "\""))
        .unwrap_or_else(|| reason.to_owned())
}

fn auth_error(creds: &Credentials, e: async_imap::error::Error) -> ImapError {
    match e {
        async_imap::error::Error::No(reason) | async_imap::error::Error::Bad(reason)
            if matches!(creds, Credentials::External { .. }) =>
        {
            ImapError::CertificateRefused {
                reason: server_text(&reason),
            }
        }
        async_imap::error::Error::No(reason) | async_imap::error::Error::Bad(reason)
            if matches!(creds, Credentials::XOAuth2 { .. }) =>
        {
            ImapError::TokenRefused {
                user: creds.user().to_owned(),
                reason: server_text(&reason),
            }
        }
        async_imap::error::Error::No(reason) | async_imap::error::Error::Bad(reason) => {
            ImapError::Auth {
                user: creds.user().to_owned(),
                reason,
            }
        }
        other => ImapError::Protocol(other),
    }
}

/// Connect and log in to an account's IMAP server with explicit TLS settings
/// (e.g. a client-certificate resolver for EXTERNAL) and credentials.
pub async fn open_with(
    server: &Server,
    tls: &TlsSettings,
    creds: &Credentials,
) -> Result<Session, ImapError> {
    let client = connect(server, &TlsClient::new(tls)?).await?;
    login(client, creds).await
}

/// Connect and log in to an account's IMAP server, secrets from the
/// environment (headless) or the OS keyring.
pub async fn open(account: &Account) -> Result<Session, ImapError> {
    let creds = Credentials::for_account(account)?;
    open_with(&account.settings.imap, &account.tls_settings()?, &creds).await
}
