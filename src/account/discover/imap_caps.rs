//! The SASL mechanisms an IMAP server offers before login (`AUTH=...` in
//! its CAPABILITY), read over TLS (implicit or after STARTTLS).

use async_imap::imap_proto::{Capability, Response};
use tokio::io::AsyncWriteExt;

use crate::account::Server;
use crate::imap::{self, CONNECT_TIMEOUT, ImapError};
use crate::tls::TlsClient;

/// Connect, ask CAPABILITY, and return the `AUTH=` mechanisms (upper case).
pub async fn mechanisms(server: &Server, tls: &TlsClient) -> Result<Vec<String>, ImapError> {
    let mut client = imap::connect(server, tls).await?;
    // A tag of our own: no command went through the client before.
    client.get_mut().write_all(b"C1 CAPABILITY\r\n").await?;
    client.get_mut().flush().await?;
    let mut mechs = Vec::new();
    loop {
        let response = tokio::time::timeout(CONNECT_TIMEOUT, client.read_response())
            .await
            .map_err(|_| ImapError::Timeout("CAPABILITY"))??;
        let Some(response) = response else {
            return Err(ImapError::Greeting {
                host: server.host.clone(),
                reason: "it closed the connection before answering CAPABILITY".into(),
            });
        };
        match response.parsed() {
            Response::Capabilities(caps) => {
                for cap in caps {
                    if let Capability::Auth(m) = cap {
                        mechs.push(m.to_ascii_uppercase());
                    }
                }
            }
            Response::Done { tag, .. } if tag.0 == "C1" => break,
            _ => {}
        }
    }
    let _ = client.get_mut().write_all(b"C2 LOGOUT\r\n").await;
    mechs.dedup();
    Ok(mechs)
}
