//! A virtual smart card speaking vpcd's protocol: the vpcd driver inside
//! pcscd listens, the card connects (insertion) or disconnects (removal).
//! Each message is a 2-byte big-endian length and a payload: one byte is a
//! control (0 power off, 1 power on, 2 reset, 4 send the ATR), more is a
//! command APDU answered with a response APDU.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A CPS3 ATR (the CPx pattern of OpenSC).
pub const CPS3_ATR: &str = "3BAC00402A001225006480000310009000";
/// Another card's ATR (an ISO 14443 bank-card-like one).
pub const OTHER_ATR: &str = "3B6800000073C84013009000";

const CPX_AID: &str = "E828BD080F8025000001FF0010";

/// How the card answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// A CPS: SELECT CPx 9000, PIN status 63C3 (3 tries left).
    Cps,
    /// Not a CPS: SELECT CPx 6A82 (file not found).
    Unknown,
    /// A CPS whose PIN is blocked: PIN status 6983.
    PinBlocked,
    /// A CPS whose CPx application is deactivated: SELECT 6283.
    Deactivated,
}

pub struct VirtualCard {
    stream: TcpStream,
    thread: Option<JoinHandle<()>>,
    /// Every command APDU received, in hex.
    pub apdus: Arc<Mutex<Vec<String>>>,
}

impl VirtualCard {
    /// Insert a card into the vpcd slot listening on `port`.
    pub fn insert(port: u16, atr_hex: &str, behaviour: Behaviour) -> VirtualCard {
        let deadline = Instant::now() + Duration::from_secs(10);
        let stream = loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(e) => {
                    assert!(Instant::now() < deadline, "vpcd on port {port}: {e}");
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        };
        let atr = hex::decode(atr_hex).unwrap();
        let apdus = Arc::new(Mutex::new(Vec::new()));
        let (mut s, log) = (stream.try_clone().unwrap(), apdus.clone());
        let thread = std::thread::spawn(move || {
            while let Some(msg) = read_msg(&mut s) {
                let reply = match msg.as_slice() {
                    [4] => Some(atr.clone()),
                    [_] => None,
                    apdu => {
                        log.lock().unwrap().push(hex::encode_upper(apdu));
                        Some(answer(apdu, behaviour))
                    }
                };
                if let Some(r) = reply {
                    let mut out = (r.len() as u16).to_be_bytes().to_vec();
                    out.extend_from_slice(&r);
                    if s.write_all(&out).is_err() {
                        return;
                    }
                }
            }
        });
        VirtualCard {
            stream,
            thread: Some(thread),
            apdus,
        }
    }

    /// Take the card out.
    pub fn remove(mut self) {
        self.disconnect();
    }

    fn disconnect(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for VirtualCard {
    fn drop(&mut self) {
        self.disconnect();
    }
}

fn read_msg(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 2];
    s.read_exact(&mut len).ok()?;
    let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
    s.read_exact(&mut buf).ok()?;
    Some(buf)
}

fn answer(apdu: &[u8], behaviour: Behaviour) -> Vec<u8> {
    let sw = |s: u16| s.to_be_bytes().to_vec();
    match apdu {
        // SELECT by AID.
        [0x00, 0xA4, 0x04, _, lc, rest @ ..] if rest.len() >= *lc as usize => {
            if hex::encode_upper(&rest[..*lc as usize]) != CPX_AID {
                return sw(0x6A82);
            }
            match behaviour {
                Behaviour::Cps | Behaviour::PinBlocked => sw(0x9000),
                Behaviour::Unknown => sw(0x6A82),
                Behaviour::Deactivated => sw(0x6283),
            }
        }
        // VERIFY with no data: the PIN's state (global PIN 01).
        [0x00, 0x20, 0x00, 0x01] => match behaviour {
            Behaviour::PinBlocked => sw(0x6983),
            _ => sw(0x63C3),
        },
        [0x00, 0x20, 0x00, _] => sw(0x6A88),
        _ => sw(0x6D00),
    }
}
