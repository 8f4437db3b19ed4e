//! Helpers shared by the integration tests: test certificates, free ports,
//! servers started from private configurations.
#![allow(dead_code)]

pub mod ca;
pub mod dbus;
pub mod documents;

/// Run a command to its end; fail the test with its stderr unless it succeeded.
pub fn run_ok(mut cmd: impl std::borrow::BorrowMut<std::process::Command>) -> std::process::Output {
    let out = cmd.borrow_mut().output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
pub mod dnsmasq;
pub mod dovecot;
pub mod https;
pub mod keyring;
pub mod mail;
pub mod oidc;
pub mod otp;
pub mod pcscd;
pub mod sender;
pub mod settings;
pub mod token;
pub mod vpcd;
