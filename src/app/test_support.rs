//! The integration tests' private Dovecot (IMAP, submission, LMTP), test CA,
//! dnsmasq (SRV records) and loopback HTTPS server (autoconfig),
//! SoftHSM2 token and pcscd with its virtual reader, the fixture Pro Santé
//! Connect provider and one-time-code service, shared with the interface
//! tests that send, save drafts and log in with the card or a token for real.
#![allow(dead_code)]

#[path = "../../tests/support/ca.rs"]
pub mod ca;
#[path = "../../tests/support/dbus.rs"]
pub mod dbus;
#[path = "../../tests/support/dnsmasq.rs"]
pub mod dnsmasq;
#[path = "../../tests/support/dovecot.rs"]
pub mod dovecot;
#[path = "../../tests/support/https.rs"]
pub mod https;
#[path = "../../tests/support/oidc.rs"]
pub mod oidc;
#[path = "../../tests/support/otp.rs"]
pub mod otp;
#[path = "../../tests/support/pcscd.rs"]
pub mod pcscd;
#[path = "../../tests/support/settings.rs"]
pub mod settings;
#[path = "../../tests/support/token.rs"]
pub mod token;
#[path = "../../tests/support/vpcd.rs"]
pub mod vpcd;

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
