//! A private dnsmasq answering DNS on a free 127.0.0.1 port from the records
//! given on its command line (no upstream, no hosts file), stopped by pid.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::free_port;

pub struct Dnsmasq {
    pub port: u16,
    child: Child,
}

impl Dnsmasq {
    /// Start with these `--srv-host` values; names under each of `local`
    /// domains that have no record get NXDOMAIN.
    pub fn start(srv_hosts: &[String], local: &[&str]) -> Dnsmasq {
        for attempt in 1.. {
            let port = free_port();
            let mut cmd = Command::new("dnsmasq");
            cmd.args([
                "--no-daemon",
                "--conf-file=/dev/null",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--pid-file=",
                "--log-facility=-",
            ])
            .arg(format!("--port={port}"));
            for d in local {
                cmd.arg(format!("--local=/{d}/"));
            }
            for s in srv_hosts {
                cmd.arg(format!("--srv-host={s}"));
            }
            let mut child = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("dnsmasq is not installed (apt-get install dnsmasq-base)");
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                // Listening once the port is taken.
                if std::net::UdpSocket::bind(("127.0.0.1", port)).is_err() {
                    return Dnsmasq { port, child };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            assert!(attempt < 5, "dnsmasq did not start");
        }
        unreachable!()
    }

    /// `127.0.0.1:PORT`, for `--dns-server` or `CADUCEE_DNS_SERVER`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
