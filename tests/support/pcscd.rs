//! A private `pcscd` with the vsmartcard virtual reader driver (vpcd), for
//! the card tests. pcscd always uses /run/pcscd, so only one runs at a time:
//! the instance holds an OS lock on a file for its whole life. Started from a
//! reader.conf.d in a temp dir, stopped by pid when dropped.

use std::fs::File;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The vpcd driver (Debian package vsmartcard-vpcd).
const DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

/// The friendly name of the virtual reader; pcscd appends " 00 00", " 00 01".
pub const READER: &str = "Caducee Test Reader";

/// Where pcscd takes its clients' connections.
const SOCKET: &str = "/run/pcscd/pcscd.comm";

pub struct Pcscd {
    pub dir: tempfile::TempDir,
    /// vpcd's port for slot 0; slot 1 listens on `port + 1`.
    pub port: u16,
    child: Child,
    _lock: File,
}

impl Pcscd {
    /// pcscd with the two-slot virtual reader.
    pub fn start() -> Pcscd {
        Self::start_with(true)
    }

    /// pcscd with no reader at all.
    pub fn without_readers() -> Pcscd {
        Self::start_with(false)
    }

    fn start_with(reader: bool) -> Pcscd {
        let lock = File::create(std::env::temp_dir().join("caducee-test-pcscd.lock")).unwrap();
        lock.lock().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("reader.conf.d");
        std::fs::create_dir_all(&conf).unwrap();
        let port = two_free_ports();
        // vpcd listens on CHANNELID (slot 0) and CHANNELID + 1 (slot 1).
        if reader {
            std::fs::write(
                conf.join("vpcd"),
                format!(
                    "FRIENDLYNAME \"{READER}\"\nDEVICENAME   /dev/null:0x{port:04X}\nLIBPATH      {DRIVER}\nCHANNELID    0x{port:04X}\n"
                ),
            )
            .unwrap();
        }
        let log = File::create(dir.path().join("pcscd.log")).unwrap();
        let child = Command::new("pcscd")
            .args(["-f", "-a", "-d", "-c"])
            .arg(&conf)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("pcscd (Debian packages pcscd and vsmartcard-vpcd; see tests/run.sh)");
        let p = Pcscd {
            dir,
            port,
            child,
            _lock: lock,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while !p.log().contains("daemon ready") {
            assert!(
                Instant::now() < deadline,
                "pcscd did not start:\n{}",
                p.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // "daemon ready" can come before the socket takes connections (seen on
        // a loaded machine): wait until a client can connect.
        while std::os::unix::net::UnixStream::connect(SOCKET).is_err() {
            assert!(
                Instant::now() < deadline,
                "pcscd does not accept connections:\n{}",
                p.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        p
    }

    /// The PC/SC name of slot `n`'s reader.
    pub fn reader(&self, n: u16) -> String {
        format!("{READER} 00 {n:02}")
    }

    /// vpcd's port for slot `n`.
    pub fn slot_port(&self, n: u16) -> u16 {
        self.port + n
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pcscd.log")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Left behind only if pcscd was killed hard.
        let _ = std::fs::remove_file(Path::new(SOCKET));
    }
}

/// A port p with p and p + 1 free (vpcd listens on every address).
fn two_free_ports() -> u16 {
    for _ in 0..100 {
        let first = TcpListener::bind("0.0.0.0:0").unwrap();
        let port = first.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("0.0.0.0", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no two consecutive free ports");
}
