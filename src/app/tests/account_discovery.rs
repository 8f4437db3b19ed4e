//! Adding an account from the window, its servers searched for: a private
//! dnsmasq serves RFC 6186 SRV records pointing at a private Dovecot, a
//! loopback HTTPS server serves autoconfig files over real TLS, the login
//! methods are read from Dovecot itself; when nothing is found the servers
//! are typed by hand. The saved account then logs in to that Dovecot.

use std::collections::HashMap;

use caducee::account::{self, AuthMethod, Security};
use caducee::imap::auth::Credentials;
use caducee::store::{STORE_FILE, Store, StoreKey};

use super::super::test_support::dnsmasq::Dnsmasq;
use super::super::test_support::dovecot::{DOMAIN, Dovecot};
use super::super::test_support::free_port;
use super::super::test_support::https::HttpsServer;
use super::*;

use account_form::{Field, Step};

const WELL_KNOWN: &str = "/.well-known/autoconfig/mail/config-v1.1.xml";

fn srv(service: &str, port: u16, priority: u16) -> String {
    format!("{service}.{DOMAIN},localhost,{port},{priority},0")
}

/// An autoconfig file for the test server.
fn autoconfig(imap: (u16, &str), smtp: (u16, &str), username: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="{DOMAIN}">
    <domain>{DOMAIN}</domain>
    <incomingServer type="imap">
      <hostname>localhost</hostname><port>{}</port><socketType>{}</socketType>
      <username>{username}</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>localhost</hostname><port>{}</port><socketType>{}</socketType>
      <username>{username}</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#,
        imap.0, imap.1, smtp.0, smtp.1
    )
}

impl Harness {
    /// The account form of a window that asks `dns` and `web`, trusting the
    /// CA of `d` besides IGC-Santé.
    fn adding(dns: &Dnsmasq, web: &HttpsServer, d: &Dovecot) -> Harness {
        let (mut h, _open) = Harness::launch(tempfile::tempdir().unwrap(), false);
        h.app.config.discover = discovery::Options {
            dns_server: Some(dns.addr().parse().unwrap()),
            autoconfig_base: Some(web.base()),
            extra_ca: Some(d.ca_path.clone()),
            look_for_card: false,
        };
        h.send(Message::Opened(Err("no keyring".into())));
        h.click("Ajouter un compte");
        h
    }

    /// Click the field and type `value` (after what it holds).
    fn type_in(&mut self, field: Field, value: &str) {
        self.act(|ui| {
            ui.click(Id::new(field.id())).expect("the field");
            ui.typewrite(value);
        });
    }

    /// Replace what a field holds.
    fn set(&mut self, field: Field, value: impl ToString) {
        self.send(Message::Welcome(welcome::Message::Form(
            account_form::Message::Input(field, value.to_string()),
        )));
    }

    fn form(&self) -> &account_form::State {
        self.app.welcome.form.as_ref().expect("the account form")
    }

    /// Click Save and hand back the account the window would add.
    fn save(&mut self) -> Box<account_form::NewAccount> {
        let clicked: Vec<Message> = {
            let mut ui = self.ui();
            ui.click("Enregistrer").expect("save");
            ui.into_messages().collect()
        };
        assert_eq!(clicked.len(), 1, "{clicked:?}");
        let (_, work) = self.app.step(clicked[0].clone());
        match work.into_iter().next() {
            Some(Work::AddAccount(new)) => new,
            other => panic!("{other:?}"),
        }
    }
}

/// Add `new` to a store as the window does, and log in with it.
fn add_and_log_in(new: &account_form::NewAccount) -> account::Account {
    let dir = tempfile::tempdir().unwrap();
    let key = StoreKey::random();
    let store = Store::open(&dir.path().join(STORE_FILE), &key).unwrap();
    let handle = jobs::StoreHandle::new(store, key);
    // The password goes to the keyring when there is one (none here, maybe).
    let _warning = jobs::add_to(&handle, new).unwrap();
    let accounts = handle.with_store(|s| account::list(s).unwrap()).unwrap();
    assert_eq!(accounts.len(), 1);
    let acc = accounts.into_iter().next().unwrap();
    assert_eq!(acc.address, new.address);
    let AuthMethod::Password { username } = &acc.settings.auth else {
        panic!("{:?}", acc.settings.auth)
    };
    let creds = Credentials::Password {
        username: username.clone(),
        password: new.password.clone(),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let session = rt.block_on(caducee::imap::open_with(
        &acc.settings.imap,
        &acc.tls_settings().unwrap(),
        &creds,
    ));
    assert!(session.is_ok(), "{:?}", session.err());
    acc
}

#[test]
fn srv_records_fill_the_servers_and_the_dovecot_proposes_the_login() {
    let d = Dovecot::start(&["claire"]);
    let address = d.user("claire").address.clone();
    // Priority 5 before priority 10: the first does not answer, the next does.
    let closed = free_port();
    let dns = Dnsmasq::start(
        &[
            srv("_imaps._tcp", d.imaps_port, 10),
            srv("_imaps._tcp", closed, 5),
            srv("_submission._tcp", d.submission_port, 0),
        ],
        &[DOMAIN],
    );
    // Autoconfig would say otherwise; it is not asked.
    let web = HttpsServer::start(
        &d.ca,
        HashMap::from([(
            WELL_KNOWN.to_owned(),
            (200, autoconfig((1, "SSL"), (2, "SSL"), "x")),
        )]),
    );
    let mut h = Harness::adding(&dns, &web, &d);
    h.type_in(Field::Address, &address);
    h.click("Suivant");
    assert!(h.shows(&format!("Recherche des réglages de {DOMAIN}…")));
    assert!(h.shows("Retour") && h.shows("Annuler") && h.shows("Saisir à la main"));
    h.answer();

    // The servers step: what the DNS said, editable.
    assert_eq!(h.form().step, Step::Servers);
    assert!(h.shows(&format!(
        "Serveurs trouvés dans le DNS de {DOMAIN} (enregistrements SRV, RFC 6186). Vous pouvez les modifier."
    )));
    assert!(h.shows("localhost"));
    assert!(h.shows(&closed.to_string()), "the best record first");
    assert!(h.shows(&d.submission_port.to_string()));
    assert!(!h.form().smtp_tls, "submission: STARTTLS");
    assert!(web.asked().is_empty(), "SRV answered: no autoconfig asked");

    // The login step: the methods read from Dovecot (PLAIN, EXTERNAL).
    h.click("Suivant");
    assert!(h.shows("Lecture des modes de connexion proposés par les serveurs…"));
    h.answer();
    assert_eq!(
        h.form().imap_port,
        d.imaps_port.to_string(),
        "the next record answered"
    );
    assert_eq!(
        h.form().offered(),
        [login_chooser::Method::Card, login_chooser::Method::Password]
    );
    assert_eq!(h.form().method, login_chooser::Method::Card, "preselected");
    assert!(h.shows("Proposés par vos serveurs") && h.shows("Autres modes"));
    for other in ["e-CPS (Pro Santé Connect)", "Code à usage unique"] {
        assert!(h.shows(other), "{other} is still choosable");
    }
    h.click("Mot de passe");
    assert_eq!(h.form().username, address);
    h.type_in(Field::Password, &d.user("claire").password);
    let new = h.save();
    assert_eq!(new.settings.imap.port, d.imaps_port);
    assert_eq!(new.settings.imap.security, Security::Tls);
    assert_eq!(new.settings.smtp.port, d.submission_port);
    assert_eq!(new.settings.smtp.security, Security::StartTls);
    assert_eq!(new.settings.extra_ca.as_ref(), Some(&d.ca_path));
    let acc = add_and_log_in(&new);
    assert_eq!(acc.settings.imap.host, "localhost");
}

#[test]
fn autoconfig_over_https_when_there_is_no_srv_record() {
    let d = Dovecot::start(&["claire"]);
    let address = d.user("claire").address.clone();
    let dns = Dnsmasq::start(&[], &[DOMAIN]);
    // Only the well-known path: the first URL gets a 404.
    let web = HttpsServer::start(
        &d.ca,
        HashMap::from([(
            WELL_KNOWN.to_owned(),
            (
                200,
                autoconfig(
                    (d.imaps_port, "SSL"),
                    (d.submissions_port, "SSL"),
                    "%EMAILLOCALPART%",
                ),
            ),
        )]),
    );
    let mut h = Harness::adding(&dns, &web, &d);
    h.type_in(Field::Address, &address);
    h.click("Suivant");
    h.answer();
    let url = format!("{}{WELL_KNOWN}", web.base());
    assert!(h.shows(&format!(
        "Serveurs trouvés dans le fichier d'autoconfiguration {url}. Vous pouvez les modifier."
    )));
    assert_eq!(h.form().imap_port, d.imaps_port.to_string());
    assert_eq!(h.form().smtp_port, d.submissions_port.to_string());
    assert!(h.form().imap_tls && h.form().smtp_tls);
    assert_eq!(web.asked().len(), 2, "{:?}", web.asked());
    h.click("Suivant");
    h.answer();
    assert!(
        h.form()
            .offered()
            .contains(&login_chooser::Method::Password)
    );
    h.click("Mot de passe");
    assert_eq!(h.form().username, "claire", "the login name of the file");
    assert!(h.shows("claire"));
    h.type_in(Field::Password, &d.user("claire").password);
    let new = h.save();
    assert_eq!(
        new.settings.auth,
        AuthMethod::Password {
            username: "claire".into()
        }
    );
    add_and_log_in(&new);
}

#[test]
fn nothing_found_means_typing_the_servers_with_a_notice() {
    let d = Dovecot::start(&["claire"]);
    let address = d.user("claire").address.clone();
    let dns = Dnsmasq::start(&[], &[DOMAIN]);
    let web = HttpsServer::start(&d.ca, HashMap::new());
    let mut h = Harness::adding(&dns, &web, &d);
    h.type_in(Field::Address, &address);
    h.type_in(Field::Name, "Cabinet");
    h.click("Suivant");
    h.answer();
    let notice = format!(
        "Aucun réglage trouvé pour {DOMAIN} : saisissez les serveurs donnés par votre opérateur (ceux proposés ne sont que des suppositions)."
    );
    assert!(h.shows(&notice));
    assert_eq!(h.form().step, Step::Servers);
    assert_eq!(
        h.form().imap_host,
        format!("imap.{DOMAIN}"),
        "a guess, to correct"
    );
    assert_eq!(h.form().name, "Cabinet", "what was typed stays");
    // The same notice in English.
    h.app.lang = Lang::En;
    assert!(h.shows(&format!(
        "No settings found for {DOMAIN}: enter the servers your operator gave you (the ones shown are only guesses)."
    )));
    h.app.lang = Lang::Fr;

    // Servers typed by hand; a wrong port first: said, the choice stays manual.
    let closed = free_port();
    h.set(Field::ImapHost, "localhost");
    h.set(Field::ImapPort, closed);
    h.set(Field::SmtpHost, "localhost");
    h.send(Message::Welcome(welcome::Message::Form(
        account_form::Message::SmtpTls(false),
    )));
    h.set(Field::SmtpPort, d.submission_port);
    h.click("Suivant");
    h.answer();
    assert!(h.shows(&format!(
        "Le serveur localhost:{closed} ne répond pas : les modes de connexion n'ont pas pu être lus. Vérifiez les serveurs, ou choisissez le mode vous-même."
    )));
    assert!(h.form().offered().is_empty());
    assert_eq!(h.form().method, login_chooser::Method::Password);
    h.click("Code à usage unique");
    assert_eq!(h.form().method, login_chooser::Method::Otp);

    // Back to the address and forward: no new search, nothing typed lost.
    h.click("Retour");
    h.click("Retour");
    assert_eq!(h.form().step, Step::Address);
    h.click("Suivant");
    assert!(h.held.is_empty(), "the same address is not searched again");
    assert_eq!(h.form().imap_port, closed.to_string());
    h.set(Field::ImapPort, d.imaps_port);
    h.click("Suivant");
    h.answer();
    assert_eq!(
        h.form().offered(),
        [login_chooser::Method::Card, login_chooser::Method::Password]
    );
    assert_eq!(
        h.form().method,
        login_chooser::Method::Otp,
        "chosen by hand, kept"
    );
    h.click("Mot de passe");
    h.type_in(Field::Password, &d.user("claire").password);
    let new = h.save();
    assert_eq!(new.name, "Cabinet");
    add_and_log_in(&new);
}
