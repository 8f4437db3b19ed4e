//! A one-thread HTTPS/1.1 server on 127.0.0.1 answering fixed routes, with a
//! certificate from a test CA; it remembers the paths asked. Stopped on drop.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::ca::TestCa;

pub struct HttpsServer {
    pub port: u16,
    /// Every request target asked (path and query), in order.
    pub asked: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpsServer {
    /// Serve `routes` (path without query -> status, body) with a
    /// certificate for 127.0.0.1 and localhost issued by `ca`.
    pub fn start(ca: &TestCa, routes: HashMap<String, (u16, String)>) -> HttpsServer {
        let issued = ca.server(&["127.0.0.1", "localhost"]);
        let chain = rustls_pemfile::certs(&mut issued.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = rustls_pemfile::private_key(&mut issued.key_pem.as_bytes())
            .unwrap()
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let asked = Arc::new(Mutex::new(Vec::new()));
        let (stop_flag, log) = (stop.clone(), asked.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                // A failed handshake (untrusted certificate) just ends the connection.
                let _ = serve_one(config.clone(), stream, &routes, &log);
            }
        });
        HttpsServer {
            port,
            asked,
            stop,
            thread: Some(thread),
        }
    }

    /// The base URL, for `--autoconfig-url`.
    pub fn base(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_one(
    config: Arc<rustls::ServerConfig>,
    tcp: TcpStream,
    routes: &HashMap<String, (u16, String)>,
    asked: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut reader = BufReader::new(&mut tls);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let target = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
    asked.lock().unwrap().push(target.clone());
    let path = target.split('?').next().unwrap_or("/");
    let (status, body) = routes
        .get(path)
        .cloned()
        .unwrap_or((404, "not found".to_owned()));
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Error" },
        body.len()
    );
    tls.write_all(head.as_bytes())?;
    tls.write_all(body.as_bytes())?;
    tls.conn.send_close_notify();
    tls.flush()?;
    Ok(())
}
