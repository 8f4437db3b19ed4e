//! What a sending account on the private Dovecot is made of, without the
//! command-line binary: the whitelist trusting the test domain, and the
//! account's server settings. Shared by the integration and interface tests.

use caducee::account::{
    AccountSettings, AuthMethod, DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security, Server,
};
use caducee::store::Store;
use caducee::trust::{self, ImportOptions, NAMESPACE};

use super::dovecot::Dovecot;

/// A whitelist (RFC-shaped ANS XML) holding `domains`.
pub fn whitelist_xml(date: &str, domains: &[&str]) -> String {
    let body: String = domains
        .iter()
        .map(|nom| {
            format!(
                "<Domaine><Nom>{nom}</Nom><Description>Test</Description>\
                 <DNCertificatOperateur>CN=mss.example.fr,O=Test,C=FR</DNCertificatOperateur>\
                 <ResponsableContact>r</ResponsableContact><SupportContact>s</SupportContact>\
                 <DateMAJ>2026-01-01T00:00:00Z</DateMAJ></Domaine>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListeBlancheMSSante xmlns=\"{NAMESPACE}\">\
         <DateDeGeneration>{date}</DateDeGeneration><ListeDomaines>{body}</ListeDomaines></ListeBlancheMSSante>"
    )
}

/// Replace the whitelist in use (forced: tests shrink it on purpose).
pub fn set_whitelist(store: &Store, date: &str, domains: &[&str]) {
    trust::import_bytes(
        store,
        whitelist_xml(date, domains).as_bytes(),
        "test",
        &ImportOptions {
            force: true,
            extra_ca: None,
        },
    )
    .unwrap();
}

pub fn settings(d: &Dovecot, security: Security) -> AccountSettings {
    AccountSettings {
        imap: Server {
            host: d.host.clone(),
            port: d.imaps_port,
            security: Security::Tls,
        },
        smtp: Server {
            host: d.host.clone(),
            port: match security {
                Security::Tls => d.submissions_port,
                Security::StartTls => d.submission_port,
            },
            security,
        },
        auth: AuthMethod::Password {
            username: String::new(),
        },
        extra_ca: Some(d.ca_path.clone()),
        attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
        offline_bodies: OfflineBodies::All,
        delegations: vec![],
    }
}
