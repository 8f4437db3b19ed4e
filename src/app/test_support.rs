//! The integration tests' private Dovecot (IMAP, submission, LMTP) and test
//! CA, shared with the interface tests that send and save drafts for real.
#![allow(dead_code)]

#[path = "../../tests/support/ca.rs"]
pub mod ca;
#[path = "../../tests/support/dovecot.rs"]
pub mod dovecot;
#[path = "../../tests/support/settings.rs"]
pub mod settings;

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
