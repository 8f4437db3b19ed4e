//! The private Dovecot used by the tests: a message sent through submission
//! (STARTTLS and implicit TLS) lands in the recipient's Maildir through LMTP.

mod support;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use support::dovecot::Dovecot;

#[tokio::test]
async fn submission_delivers_to_the_recipient_mailbox() {
    let d = Dovecot::start(&["alice", "bob"]);
    let ca = std::fs::read(&d.ca_path).unwrap();
    let tls = TlsParameters::builder(d.host.clone())
        .add_root_certificate(Certificate::from_pem(&ca).unwrap())
        .build_rustls()
        .unwrap();
    let alice = d.user("alice");
    let bob = d.user("bob");
    for (i, (port, mode)) in [
        (d.submission_port, Tls::Required(tls.clone())),
        (d.submissions_port, Tls::Wrapper(tls.clone())),
    ]
    .into_iter()
    .enumerate()
    {
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(d.host.clone())
            .port(port)
            .tls(mode)
            .credentials(Credentials::new(alice.name.clone(), alice.password.clone()))
            .build();
        let msg = lettre::Message::builder()
            .from(alice.address.parse().unwrap())
            .to(bob.address.parse().unwrap())
            .subject(format!("hello {i}"))
            .body(String::from("Bonjour"))
            .unwrap();
        mailer
            .send(msg)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", d.log()));
        assert_eq!(d.count_files("bob", "INBOX"), i + 1, "{}", d.log());
    }
}
