//! Adding an account from the welcome screen, in three steps: the address;
//! the server settings, searched for in the background ([`discovery`]: DNS
//! SRV, then autoconfig; by hand when nothing is found), still editable; the
//! login, the methods the servers offer first, chosen among the methods of
//! [`super::login_chooser`]: the CPS card (the PIN is
//! asked when the card is in), e-CPS (its provider and client id; the
//! browser sign-in starts once saved), the one-time code (the national
//! identifier; password and code are asked at each sign-in) or a password.
//! Its look is in [`super::account_form_view`].

use iced::Task;

use caducee::account::{
    AccountSettings, AuthMethod, DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security, Server,
};
use caducee::auth::oidc::PscProvider;
use caducee::auth::otp;

use caducee::account::discover::Source;

use super::discovery::{self, DetectFailed, Detected, Found, SearchFailed};
use super::i18n::{Lang, t, t1};
use super::login_chooser::Method;
use super::recipients::looks_like_address;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    #[default]
    Address,
    /// The servers are being searched for.
    Searching,
    Servers,
    Login,
}

/// Where the servers shown came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Dns,
    Autoconfig(String),
    /// Nothing was found (why), or the user chose to give them by hand.
    NotFound(SearchFailed),
    ByHand,
}

/// What is known of the login methods the servers offer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Detection {
    #[default]
    NotAsked,
    Running,
    Done(Detected),
    Failed(DetectFailed),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Address,
    ImapHost,
    ImapPort,
    SmtpHost,
    SmtpPort,
    Username,
    Password,
    Pkcs11Module,
    PscProvider,
    PscClientId,
    OtpIdentifier,
}

impl Field {
    /// The widget id of the field's input.
    pub fn id(self) -> &'static str {
        match self {
            Field::Name => "account-name",
            Field::Address => "account-address",
            Field::ImapHost => "account-imap-host",
            Field::ImapPort => "account-imap-port",
            Field::SmtpHost => "account-smtp-host",
            Field::SmtpPort => "account-smtp-port",
            Field::Username => "account-username",
            Field::Password => "account-password",
            Field::Pkcs11Module => "account-pkcs11-module",
            Field::PscProvider => "account-psc-provider",
            Field::PscClientId => "account-psc-client-id",
            Field::OtpIdentifier => "account-otp-identifier",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Input(Field, String),
    /// Implicit TLS (else STARTTLS) for IMAP, for SMTP.
    ImapTls(bool),
    SmtpTls(bool),
    /// The login method.
    Method(Method),
    Next,
    Back,
    Cancel,
    /// Stop the search and give the servers by hand.
    ByHand,
    /// The answer of a search started with that generation.
    Found(u64, Result<Found, SearchFailed>),
    Detected(u64, Result<Detected, DetectFailed>),
}

/// An account to add, with its password (empty for a card login).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub address: String,
    pub settings: AccountSettings,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Save(Box<NewAccount>),
    Cancelled,
    /// Run this search in the background.
    Run(discovery::Work),
}

#[derive(Debug, Clone, Default)]
pub struct State {
    pub step: Step,
    pub name: String,
    pub address: String,
    pub imap_host: String,
    pub imap_port: String,
    pub imap_tls: bool,
    pub smtp_host: String,
    pub smtp_port: String,
    pub smtp_tls: bool,
    pub username: String,
    pub password: String,
    /// The login method chosen.
    pub method: Method,
    /// The card's PKCS#11 module, if not the default one.
    pub pkcs11_module: String,
    /// e-CPS: the provider (empty: production) and the client id.
    pub psc_provider: String,
    pub psc_client_id: String,
    /// One-time code: the national identifier.
    pub otp_identifier: String,
    /// What is wrong with the step, or why saving failed.
    pub error: Option<String>,
    pub saving: bool,
    /// The current search: answers of an older one are dropped.
    pub generation: u64,
    /// The address the servers shown were searched for.
    pub searched_for: Option<String>,
    pub origin: Option<Origin>,
    /// The further servers found (SRV records), tried when the first does
    /// not answer, as long as the servers shown are the ones found.
    pub found_imap: Vec<Server>,
    pub found_smtp: Vec<Server>,
    pub detection: Detection,
    /// Whether the user chose the login method (else the one the servers
    /// offer first is taken).
    pub picked: bool,
    /// The address the name was filled from (it follows a new address
    /// unless the user changed it).
    pub filled_from: String,
    /// Whether the login name was filled in (from the address or the
    /// autoconfig file), not typed.
    pub username_filled: bool,
}

fn server(host: &str, port: &str, tls: bool) -> Option<Server> {
    let host = host.trim();
    let port: u16 = port.trim().parse().ok().filter(|p| *p > 0)?;
    (!host.is_empty() && !host.contains(char::is_whitespace)).then(|| Server {
        host: host.to_owned(),
        port,
        security: if tls {
            Security::Tls
        } else {
            Security::StartTls
        },
    })
}

pub(super) fn domain_of(address: &str) -> &str {
    address.rsplit('@').next().unwrap_or_default()
}

impl State {
    pub fn update(&mut self, message: Message, lang: Lang) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Input(f, v) => {
                self.error = None;
                let slot = match f {
                    Field::Name => &mut self.name,
                    Field::Address => &mut self.address,
                    Field::ImapHost => &mut self.imap_host,
                    Field::ImapPort => &mut self.imap_port,
                    Field::SmtpHost => &mut self.smtp_host,
                    Field::SmtpPort => &mut self.smtp_port,
                    Field::Username => {
                        self.username_filled = false;
                        &mut self.username
                    }
                    Field::Password => &mut self.password,
                    Field::Pkcs11Module => &mut self.pkcs11_module,
                    Field::PscProvider => &mut self.psc_provider,
                    Field::PscClientId => &mut self.psc_client_id,
                    Field::OtpIdentifier => &mut self.otp_identifier,
                };
                *slot = v;
            }
            Message::ImapTls(on) => {
                self.imap_tls = on;
                self.imap_port = if on { "993" } else { "143" }.into();
            }
            Message::SmtpTls(on) => {
                self.smtp_tls = on;
                self.smtp_port = if on { "465" } else { "587" }.into();
            }
            Message::Back => {
                self.error = None;
                // Whatever was running is no longer wanted.
                self.generation += 1;
                self.step = match self.step {
                    Step::Login => {
                        self.detection = Detection::NotAsked;
                        Step::Servers
                    }
                    _ => Step::Address,
                };
            }
            Message::ByHand => {
                if self.step == Step::Searching {
                    self.generation += 1;
                    self.guess_servers();
                    self.origin = Some(Origin::ByHand);
                    self.searched_for = Some(self.address.clone());
                    self.step = Step::Servers;
                }
            }
            Message::Found(generation, result) => {
                if generation == self.generation && self.step == Step::Searching {
                    self.found(result);
                }
            }
            Message::Detected(generation, result) => {
                if generation == self.generation && self.step == Step::Login {
                    self.detected(result);
                }
            }
            Message::Method(m) => {
                self.error = None;
                if m.available() {
                    self.method = m;
                    self.picked = true;
                }
            }
            Message::Cancel => {
                self.generation += 1;
                return (Task::none(), Some(Event::Cancelled));
            }
            Message::Next => return (Task::none(), self.next(lang)),
        }
        (Task::none(), None)
    }

    /// A first guess, to check, for servers not found.
    fn guess_servers(&mut self) {
        if self.imap_host.is_empty() && self.smtp_host.is_empty() {
            let domain = domain_of(&self.address).to_owned();
            self.imap_host = format!("imap.{domain}");
            self.imap_port = "993".into();
            self.imap_tls = true;
            self.smtp_host = format!("smtp.{domain}");
            self.smtp_port = "465".into();
            self.smtp_tls = true;
        }
        self.found_imap.clear();
        self.found_smtp.clear();
    }

    fn found(&mut self, result: Result<Found, SearchFailed>) {
        self.searched_for = Some(self.address.clone());
        self.step = Step::Servers;
        match result {
            Ok(found) => {
                let (Some(imap), Some(smtp)) = (found.imap.first(), found.smtp.first()) else {
                    self.guess_servers();
                    self.origin = Some(Origin::ByHand);
                    return;
                };
                self.show_servers(imap, smtp);
                if let Some(u) = found.username.filter(|u| !u.trim().is_empty())
                    && (self.username.is_empty() || self.username_filled)
                {
                    self.username = u;
                    self.username_filled = true;
                }
                self.origin = Some(match (found.source, found.autoconfig_url) {
                    (Source::Autoconfig, Some(url)) => Origin::Autoconfig(url),
                    (Source::Autoconfig, None) => Origin::Autoconfig(String::new()),
                    _ => Origin::Dns,
                });
                self.found_imap = found.imap;
                self.found_smtp = found.smtp;
            }
            Err(why) => {
                // What the user typed stays.
                self.guess_servers();
                self.origin = Some(Origin::NotFound(why));
            }
        }
    }

    fn show_servers(&mut self, imap: &Server, smtp: &Server) {
        self.imap_host = imap.host.clone();
        self.imap_port = imap.port.to_string();
        self.imap_tls = imap.security == Security::Tls;
        self.smtp_host = smtp.host.clone();
        self.smtp_port = smtp.port.to_string();
        self.smtp_tls = smtp.security == Security::Tls;
    }

    fn detected(&mut self, result: Result<Detected, DetectFailed>) {
        match result {
            Ok(d) => {
                // The servers that answered (a further SRV record, maybe).
                self.show_servers(&d.imap, &d.smtp);
                for (list, answered) in [
                    (&mut self.found_imap, &d.imap),
                    (&mut self.found_smtp, &d.smtp),
                ] {
                    if let Some(i) = list.iter().position(|s| s == answered) {
                        list.drain(..i);
                    }
                }
                if !self.picked
                    && let Some(first) = self.offered_in(&d).first()
                {
                    self.method = *first;
                }
                self.detection = Detection::Done(d);
            }
            Err(why) => self.detection = Detection::Failed(why),
        }
    }

    /// The methods of the form the servers offer, best first.
    pub(super) fn offered_in(&self, d: &Detected) -> Vec<Method> {
        d.methods
            .iter()
            .filter_map(|k| Method::from_kind(*k))
            .filter(|m| m.available())
            .collect()
    }

    /// The methods the servers offer, if known.
    pub fn offered(&self) -> Vec<Method> {
        match &self.detection {
            Detection::Done(d) => self.offered_in(d),
            _ => Vec::new(),
        }
    }

    /// The servers to ask for their login methods: those shown, then the
    /// further ones found if the ones shown are the ones found.
    fn to_detect(&self, imap: Server, smtp: Server) -> discovery::Work {
        let list = |shown: Server, found: &[Server]| {
            if found.first() == Some(&shown) {
                found.to_vec()
            } else {
                vec![shown]
            }
        };
        discovery::Work::Detect {
            generation: self.generation,
            imap: list(imap, &self.found_imap),
            smtp: list(smtp, &self.found_smtp),
        }
    }

    fn next(&mut self, lang: Lang) -> Option<Event> {
        match self.step {
            Step::Address => {
                let address = self.address.trim().to_owned();
                if !looks_like_address(&address) {
                    self.error = Some(t(lang, "account-bad-address"));
                    return None;
                }
                if self.username.is_empty() || self.username_filled {
                    self.username = address.clone();
                    self.username_filled = true;
                }
                if self.name.trim().is_empty() || self.name == self.filled_from {
                    self.name = address.clone();
                }
                self.filled_from = address.clone();
                self.address = address.clone();
                // Back from the servers, the address unchanged: they stay as
                // they were (found, or typed).
                if self.searched_for.as_deref() == Some(address.as_str()) {
                    self.step = Step::Servers;
                    return None;
                }
                self.generation += 1;
                self.origin = None;
                self.found_imap.clear();
                self.found_smtp.clear();
                self.step = Step::Searching;
                Some(Event::Run(discovery::Work::Search {
                    generation: self.generation,
                    address,
                }))
            }
            Step::Searching => None,
            Step::Servers => {
                let (Some(imap), Some(smtp)) = (
                    server(&self.imap_host, &self.imap_port, self.imap_tls),
                    server(&self.smtp_host, &self.smtp_port, self.smtp_tls),
                ) else {
                    self.error = Some(t(lang, "account-bad-server"));
                    return None;
                };
                self.generation += 1;
                self.step = Step::Login;
                self.detection = Detection::Running;
                Some(Event::Run(self.to_detect(imap, smtp)))
            }
            Step::Login => {
                let auth = match self.method {
                    Method::Password => {
                        if self.username.trim().is_empty() || self.password.is_empty() {
                            self.error = Some(t(lang, "account-missing-login"));
                            return None;
                        }
                        AuthMethod::Password {
                            username: self.username.trim().to_owned(),
                        }
                    }
                    Method::Card => {
                        let module = self.pkcs11_module.trim();
                        AuthMethod::Cps {
                            pkcs11_module: (!module.is_empty()).then(|| module.into()),
                        }
                    }
                    Method::ECps => {
                        let provider = match self.psc_provider.trim() {
                            "" => PscProvider::Production,
                            p => match p.parse::<PscProvider>() {
                                Ok(p) => p,
                                Err(e) => {
                                    self.error =
                                        Some(t1(lang, "account-bad-provider", "reason", e));
                                    return None;
                                }
                            },
                        };
                        let client_id = self.psc_client_id.trim();
                        if self.username.trim().is_empty() || client_id.is_empty() {
                            self.error = Some(t(lang, "account-missing-login"));
                            return None;
                        }
                        AuthMethod::ProSanteConnect {
                            username: self.username.trim().to_owned(),
                            provider,
                            client_id: Some(client_id.to_owned()),
                        }
                    }
                    Method::Otp => match otp::check_identifier(&self.otp_identifier) {
                        Ok(id) => AuthMethod::Otp {
                            identifier: id.to_owned(),
                        },
                        Err(_) => {
                            self.error = Some(t(lang, "otp-bad-identifier"));
                            return None;
                        }
                    },
                };
                let (Some(imap), Some(smtp)) = (
                    server(&self.imap_host, &self.imap_port, self.imap_tls),
                    server(&self.smtp_host, &self.smtp_port, self.smtp_tls),
                ) else {
                    self.step = Step::Servers;
                    return None;
                };
                self.saving = true;
                Some(Event::Save(Box::new(NewAccount {
                    name: self.name.trim().to_owned(),
                    address: self.address.clone(),
                    settings: AccountSettings {
                        imap,
                        smtp,
                        auth,
                        extra_ca: None,
                        attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
                        offline_bodies: OfflineBodies::All,
                        delegations: Vec::new(),
                    },
                    password: match self.method {
                        Method::Password => self.password.clone(),
                        _ => String::new(),
                    },
                })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(s: &mut State, f: Field, v: &str) {
        let _ = s.update(Message::Input(f, v.into()), Lang::Fr);
    }

    #[test]
    fn three_steps_make_an_account_with_a_password_login() {
        let mut s = State::default();
        input(&mut s, Field::Address, "dupont");
        let (_, e) = s.update(Message::Next, Lang::Fr);
        assert!(e.is_none() && s.error.is_some() && s.step == Step::Address);
        input(&mut s, Field::Address, " claire.moreau@medecin.mssante.fr ");
        let _ = s.update(Message::Next, Lang::Fr);
        assert_eq!(s.step, Step::Searching);
        let _ = s.update(Message::ByHand, Lang::Fr);
        assert_eq!(s.step, Step::Servers);
        assert_eq!(s.imap_host, "imap.medecin.mssante.fr");
        assert_eq!(s.smtp_port, "465");
        // STARTTLS on submission; a bad port is refused.
        let _ = s.update(Message::SmtpTls(false), Lang::Fr);
        assert_eq!(s.smtp_port, "587");
        input(&mut s, Field::ImapPort, "99999");
        let _ = s.update(Message::Next, Lang::Fr);
        assert_eq!(s.step, Step::Servers);
        assert!(s.error.is_some());
        input(&mut s, Field::ImapPort, "993");
        let _ = s.update(Message::Next, Lang::Fr);
        assert_eq!(s.step, Step::Login);
        let (_, e) = s.update(Message::Next, Lang::Fr);
        assert!(e.is_none(), "no password yet");
        input(&mut s, Field::Password, "secret");
        let (_, e) = s.update(Message::Next, Lang::Fr);
        let Some(Event::Save(a)) = e else {
            panic!("{e:?}")
        };
        assert_eq!(a.address, "claire.moreau@medecin.mssante.fr");
        assert_eq!(a.settings.smtp.security, Security::StartTls);
        assert_eq!(a.settings.smtp.port, 587);
        assert_eq!(a.settings.imap.security, Security::Tls);
        assert_eq!(
            a.settings.auth,
            AuthMethod::Password {
                username: "claire.moreau@medecin.mssante.fr".into()
            }
        );
        assert_eq!(a.password, "secret");
    }

    #[test]
    fn a_card_login_needs_no_password() {
        let mut s = State::default();
        input(&mut s, Field::Address, "jean.dupont@medecin.mssante.fr");
        let _ = s.update(Message::Next, Lang::Fr);
        let _ = s.update(Message::ByHand, Lang::Fr);
        let _ = s.update(Message::Next, Lang::Fr);
        assert_eq!(s.step, Step::Login);
        let _ = s.update(Message::Method(Method::Card), Lang::Fr);
        input(
            &mut s,
            Field::Pkcs11Module,
            " /usr/lib/softhsm/libsofthsm2.so ",
        );
        let (_, e) = s.update(Message::Next, Lang::Fr);
        let Some(Event::Save(a)) = e else {
            panic!("{e:?}")
        };
        assert_eq!(
            a.settings.auth,
            AuthMethod::Cps {
                pkcs11_module: Some("/usr/lib/softhsm/libsofthsm2.so".into())
            }
        );
        assert!(a.password.is_empty());
    }

    fn at_login(address: &str) -> State {
        let mut s = State::default();
        input(&mut s, Field::Address, address);
        let _ = s.update(Message::Next, Lang::Fr);
        let _ = s.update(Message::ByHand, Lang::Fr);
        let _ = s.update(Message::Next, Lang::Fr);
        assert_eq!(s.step, Step::Login);
        s
    }

    #[test]
    fn a_one_time_code_login_needs_a_national_identifier() {
        let mut s = at_login("jean.dupont@medecin.mssante.fr");
        let _ = s.update(Message::Method(Method::Otp), Lang::Fr);
        assert_eq!(s.method, Method::Otp);
        input(&mut s, Field::OtpIdentifier, "12345");
        let (_, e) = s.update(Message::Next, Lang::Fr);
        assert!(e.is_none());
        assert_eq!(
            s.error.as_deref(),
            Some(t(Lang::Fr, "otp-bad-identifier").as_str())
        );
        input(&mut s, Field::OtpIdentifier, " 810002813839 ");
        let (_, e) = s.update(Message::Next, Lang::Fr);
        let Some(Event::Save(a)) = e else {
            panic!("{e:?}")
        };
        assert_eq!(
            a.settings.auth,
            AuthMethod::Otp {
                identifier: "810002813839".into()
            }
        );
        assert!(a.password.is_empty(), "no password is kept");
    }

    #[test]
    fn an_ecps_login_names_its_provider_and_client_id() {
        let mut s = at_login("jean.dupont@medecin.mssante.fr");
        let _ = s.update(Message::Method(Method::ECps), Lang::Fr);
        input(&mut s, Field::PscProvider, "ftp://nowhere");
        input(&mut s, Field::PscClientId, "caducee");
        let (_, e) = s.update(Message::Next, Lang::Fr);
        assert!(
            e.is_none() && s.error.is_some(),
            "a bad provider is refused"
        );
        input(&mut s, Field::PscProvider, "sandbox");
        let (_, e) = s.update(Message::Next, Lang::Fr);
        let Some(Event::Save(a)) = e else {
            panic!("{e:?}")
        };
        assert_eq!(
            a.settings.auth,
            AuthMethod::ProSanteConnect {
                username: "jean.dupont@medecin.mssante.fr".into(),
                provider: PscProvider::Sandbox,
                client_id: Some("caducee".into()),
            }
        );
    }

    fn tls(host: &str, port: u16) -> Server {
        Server {
            host: host.into(),
            port,
            security: Security::Tls,
        }
    }

    /// The form searching for the servers of `address`, and the search asked.
    fn searching(address: &str) -> (State, u64) {
        let mut s = State::default();
        input(&mut s, Field::Address, address);
        let (_, e) = s.update(Message::Next, Lang::Fr);
        assert_eq!(s.step, Step::Searching);
        let Some(Event::Run(discovery::Work::Search {
            generation,
            address: asked,
        })) = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(asked, address.trim());
        (s, generation)
    }

    fn detected(methods: &[LoginKind], card_present: bool) -> Detected {
        Detected {
            imap: tls("imap.exemple.fr", 993),
            smtp: tls("smtp.exemple.fr", 465),
            imap_mechanisms: vec!["PLAIN".into(), "EXTERNAL".into()],
            smtp_mechanisms: vec!["PLAIN".into()],
            card_present,
            methods: methods.to_vec(),
            smtp_methods: vec![LoginKind::Password],
        }
    }

    use caducee::account::discover::LoginKind;

    #[test]
    fn found_servers_fill_the_form_and_the_further_ones_are_tried_next() {
        let (mut s, generation) = searching("claire@exemple.fr");
        let found = Found {
            source: Source::DnsSrv,
            autoconfig_url: None,
            imap: vec![tls("imap1.exemple.fr", 10993), tls("imap.exemple.fr", 993)],
            smtp: vec![Server {
                host: "smtp.exemple.fr".into(),
                port: 587,
                security: Security::StartTls,
            }],
            username: None,
        };
        // An older search's answer is dropped.
        let _ = s.update(
            Message::Found(generation - 1, Err(SearchFailed::Other("old".into()))),
            Lang::Fr,
        );
        assert_eq!(s.step, Step::Searching);
        let _ = s.update(Message::Found(generation, Ok(found)), Lang::Fr);
        assert_eq!(s.step, Step::Servers);
        assert_eq!(s.origin, Some(Origin::Dns));
        assert_eq!(
            (s.imap_host.as_str(), s.imap_port.as_str()),
            ("imap1.exemple.fr", "10993")
        );
        assert!(s.imap_tls && !s.smtp_tls);
        assert_eq!(s.smtp_port, "587");
        // Unchanged: every SRV record is handed to the detection.
        let (_, e) = s.update(Message::Next, Lang::Fr);
        let Some(Event::Run(discovery::Work::Detect {
            generation,
            imap,
            smtp,
        })) = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(imap.len(), 2);
        assert_eq!(smtp.len(), 1);
        assert_eq!(s.detection, Detection::Running);
        // The second answered: the form shows it.
        let _ = s.update(
            Message::Detected(generation, Ok(detected(&[LoginKind::Password], false))),
            Lang::Fr,
        );
        assert_eq!(
            (s.imap_host.as_str(), s.imap_port.as_str()),
            ("imap.exemple.fr", "993")
        );
        assert_eq!(s.method, Method::Password);
        // Edited by hand: only what is shown is asked.
        let _ = s.update(Message::Back, Lang::Fr);
        input(&mut s, Field::ImapPort, "1993");
        let (_, e) = s.update(Message::Next, Lang::Fr);
        let Some(Event::Run(discovery::Work::Detect { imap, .. })) = e else {
            panic!("{e:?}")
        };
        assert_eq!(imap, vec![tls("imap.exemple.fr", 1993)]);
    }

    #[test]
    fn autoconfig_gives_the_login_name() {
        let (mut s, generation) = searching("claire@exemple.fr");
        let found = Found {
            source: Source::Autoconfig,
            autoconfig_url: Some("https://autoconfig.exemple.fr/mail/config-v1.1.xml".into()),
            imap: vec![tls("mail.exemple.fr", 993)],
            smtp: vec![tls("mail.exemple.fr", 465)],
            username: Some("claire".into()),
        };
        let _ = s.update(Message::Found(generation, Ok(found)), Lang::Fr);
        assert_eq!(
            s.origin,
            Some(Origin::Autoconfig(
                "https://autoconfig.exemple.fr/mail/config-v1.1.xml".into()
            ))
        );
        assert_eq!(s.username, "claire");
        assert_eq!(s.name, "claire@exemple.fr");
        // Another address: the login name filled in follows it; one typed stays.
        let _ = s.update(Message::Back, Lang::Fr);
        input(&mut s, Field::Address, "claire@autre.fr");
        let _ = s.update(Message::Next, Lang::Fr);
        assert_eq!(s.username, "claire@autre.fr");
        let _ = s.update(Message::Back, Lang::Fr);
        input(&mut s, Field::Username, "cmoreau");
        input(&mut s, Field::Address, "claire@trois.fr");
        let _ = s.update(Message::Next, Lang::Fr);
        assert_eq!(s.username, "cmoreau");
    }

    #[test]
    fn a_failed_search_keeps_what_was_typed_and_says_why() {
        let (mut s, generation) = searching("claire@exemple.fr");
        let _ = s.update(Message::Back, Lang::Fr);
        assert_eq!(s.step, Step::Address);
        // Back during the search: its answer no longer matters.
        let _ = s.update(
            Message::Found(generation, Err(SearchFailed::Other("x".into()))),
            Lang::Fr,
        );
        assert_eq!(s.step, Step::Address);
        assert_eq!(s.address, "claire@exemple.fr");
        // Servers typed before: a failed search keeps them.
        input(&mut s, Field::ImapHost, "imap.cabinet.fr");
        input(&mut s, Field::SmtpHost, "smtp.cabinet.fr");
        let (_, e) = s.update(Message::Next, Lang::Fr);
        let Some(Event::Run(discovery::Work::Search { generation, .. })) = e else {
            panic!("{e:?}")
        };
        let why = SearchFailed::NothingFound {
            domain: "exemple.fr".into(),
        };
        let _ = s.update(Message::Found(generation, Err(why.clone())), Lang::Fr);
        assert_eq!(s.step, Step::Servers);
        assert_eq!(s.origin, Some(Origin::NotFound(why)));
        assert_eq!(s.imap_host, "imap.cabinet.fr");
        assert_eq!(s.smtp_host, "smtp.cabinet.fr");
        // Back and forth with the same address: no new search.
        let _ = s.update(Message::Back, Lang::Fr);
        let (_, e) = s.update(Message::Next, Lang::Fr);
        assert!(e.is_none(), "{e:?}");
        assert_eq!(s.step, Step::Servers);
        assert_eq!(s.imap_host, "imap.cabinet.fr");
        // Another address: searched again.
        let _ = s.update(Message::Back, Lang::Fr);
        input(&mut s, Field::Address, "claire@autre.fr");
        let (_, e) = s.update(Message::Next, Lang::Fr);
        assert!(matches!(
            e,
            Some(Event::Run(discovery::Work::Search { .. }))
        ));
        assert_eq!(s.name, "claire@autre.fr", "the name followed the address");
    }

    #[test]
    fn detected_methods_are_proposed_first_the_card_when_present() {
        let mut s = at_login("jean.dupont@exemple.fr");
        let generation = s.generation;
        let mechanisms = ["PLAIN".to_owned(), "EXTERNAL".into(), "XOAUTH2".into()];
        // rank puts the card first when one is in a reader.
        let ranked = caducee::account::discover::login::rank(&mechanisms, true);
        let _ = s.update(
            Message::Detected(generation, Ok(detected(&ranked, true))),
            Lang::Fr,
        );
        assert_eq!(
            s.offered(),
            [Method::Card, Method::ECps, Method::Otp, Method::Password]
        );
        assert_eq!(s.method, Method::Card);
        let ranked = caducee::account::discover::login::rank(&mechanisms, false);
        let _ = s.update(Message::Back, Lang::Fr);
        let _ = s.update(Message::Next, Lang::Fr);
        let _ = s.update(
            Message::Detected(s.generation, Ok(detected(&ranked, false))),
            Lang::Fr,
        );
        assert_eq!(s.offered()[0], Method::ECps);
        // A method chosen by hand stays chosen.
        let _ = s.update(Message::Method(Method::Password), Lang::Fr);
        let _ = s.update(Message::Back, Lang::Fr);
        let _ = s.update(Message::Next, Lang::Fr);
        let _ = s.update(
            Message::Detected(s.generation, Ok(detected(&ranked, false))),
            Lang::Fr,
        );
        assert_eq!(s.method, Method::Password);
    }

    #[test]
    fn unreachable_servers_leave_the_choice_to_the_user() {
        let mut s = at_login("jean.dupont@exemple.fr");
        let why = DetectFailed::Unreachable {
            server: "imap.exemple.fr:993".into(),
        };
        let _ = s.update(Message::Detected(s.generation, Err(why.clone())), Lang::Fr);
        assert_eq!(s.detection, Detection::Failed(why));
        assert!(s.offered().is_empty());
        let _ = s.update(Message::Method(Method::Otp), Lang::Fr);
        assert_eq!(s.method, Method::Otp);
        // Stale answers after going back are dropped.
        let old = s.generation;
        let _ = s.update(Message::Back, Lang::Fr);
        let _ = s.update(
            Message::Detected(old, Ok(detected(&[LoginKind::Cps], true))),
            Lang::Fr,
        );
        assert_eq!(s.detection, Detection::NotAsked);
    }
}
