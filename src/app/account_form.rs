//! Adding an account from the welcome screen, in three steps: the address,
//! the server settings (guessed from the address, to check), the login,
//! chosen among the methods of [`login_chooser`]: the CPS card (the PIN is
//! asked when the card is in), e-CPS (its provider and client id; the
//! browser sign-in starts once saved), the one-time code (the national
//! identifier; password and code are asked at each sign-in) or a password.

use iced::widget::{Column, button, checkbox, column, row, text, text_input};
use iced::{Element, Fill, Task};

use caducee::account::{
    AccountSettings, AuthMethod, DEFAULT_ATTACHMENT_LIMIT, OfflineBodies, Security, Server,
};
use caducee::auth::oidc::PscProvider;
use caducee::auth::otp;

use super::i18n::{Lang, t, t1};
use super::login_chooser::{self, Method};
use super::recipients::looks_like_address;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    #[default]
    Address,
    Servers,
    Login,
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
                    Field::Username => &mut self.username,
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
                self.step = match self.step {
                    Step::Login => Step::Servers,
                    _ => Step::Address,
                };
            }
            Message::Method(m) => {
                self.error = None;
                if m.available() {
                    self.method = m;
                }
            }
            Message::Cancel => return (Task::none(), Some(Event::Cancelled)),
            Message::Next => return (Task::none(), self.next(lang)),
        }
        (Task::none(), None)
    }

    fn next(&mut self, lang: Lang) -> Option<Event> {
        match self.step {
            Step::Address => {
                let address = self.address.trim().to_owned();
                if !looks_like_address(&address) {
                    self.error = Some(t(lang, "account-bad-address"));
                    return None;
                }
                let domain = address.rsplit('@').next().unwrap_or_default().to_owned();
                // A first guess, shown to be checked: no discovery service exists.
                if self.imap_host.is_empty() {
                    self.imap_host = format!("imap.{domain}");
                    self.imap_port = "993".into();
                    self.imap_tls = true;
                    self.smtp_host = format!("smtp.{domain}");
                    self.smtp_port = "465".into();
                    self.smtp_tls = true;
                }
                if self.username.is_empty() {
                    self.username = address.clone();
                }
                if self.name.trim().is_empty() {
                    self.name = address.clone();
                }
                self.address = address;
                self.step = Step::Servers;
                None
            }
            Step::Servers => {
                if server(&self.imap_host, &self.imap_port, self.imap_tls).is_none()
                    || server(&self.smtp_host, &self.smtp_port, self.smtp_tls).is_none()
                {
                    self.error = Some(t(lang, "account-bad-server"));
                    return None;
                }
                self.step = Step::Login;
                None
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

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let input = |label: &str, value: &str, f: Field| -> Element<'_, Message> {
            let mut field = text_input("", value)
                .on_input(move |v| Message::Input(f, v))
                .on_submit(Message::Next)
                .padding(6);
            if f == Field::Password {
                field = field.secure(true);
            }
            column![text(t(lang, label)).size(13), field]
                .spacing(4)
                .into()
        };
        let mut col = Column::new().spacing(12).max_width(620);
        col = col.push(text(t(lang, "account-title")).size(24));
        match self.step {
            Step::Address => {
                col = col.push(input("account-address", &self.address, Field::Address));
                col = col.push(input("account-name", &self.name, Field::Name));
            }
            Step::Servers => {
                col = col.push(text(t(lang, "account-servers-guessed")).size(13));
                col = col.push(
                    row![
                        input("account-imap-host", &self.imap_host, Field::ImapHost),
                        input("account-port", &self.imap_port, Field::ImapPort),
                    ]
                    .spacing(8),
                );
                col = col.push(
                    checkbox(self.imap_tls)
                        .label(t(lang, "account-implicit-tls"))
                        .on_toggle(Message::ImapTls),
                );
                col = col.push(
                    row![
                        input("account-smtp-host", &self.smtp_host, Field::SmtpHost),
                        input("account-port", &self.smtp_port, Field::SmtpPort),
                    ]
                    .spacing(8),
                );
                col = col.push(
                    checkbox(self.smtp_tls)
                        .label(t(lang, "account-implicit-tls"))
                        .on_toggle(Message::SmtpTls),
                );
            }
            Step::Login => {
                col = col.push(login_chooser::view(self.method, lang, Message::Method));
                match self.method {
                    Method::Card => {
                        col = col.push(input(
                            "account-pkcs11-module",
                            &self.pkcs11_module,
                            Field::Pkcs11Module,
                        ));
                        col = col.push(text(t(lang, "account-card-later")).size(12));
                    }
                    Method::ECps => {
                        col = col.push(input("account-username", &self.username, Field::Username));
                        col = col.push(input(
                            "account-psc-provider",
                            &self.psc_provider,
                            Field::PscProvider,
                        ));
                        col = col.push(input(
                            "account-psc-client-id",
                            &self.psc_client_id,
                            Field::PscClientId,
                        ));
                        col = col.push(text(t(lang, "account-psc-later")).size(12));
                    }
                    Method::Otp => {
                        col = col.push(input(
                            "account-otp-identifier",
                            &self.otp_identifier,
                            Field::OtpIdentifier,
                        ));
                        col = col.push(text(t(lang, "account-otp-later")).size(12));
                    }
                    _ => {
                        col = col.push(input("account-username", &self.username, Field::Username));
                        col = col.push(input("account-password", &self.password, Field::Password));
                        col = col.push(text(t(lang, "account-login-later")).size(12));
                    }
                }
            }
        }
        if let Some(e) = &self.error {
            col = col.push(text(e.clone()).size(13).style(text::danger));
        }
        let next = if self.step == Step::Login {
            "account-save"
        } else {
            "account-next"
        };
        let mut buttons = row![].spacing(12);
        if self.step != Step::Address {
            buttons = buttons.push(
                button(text(t(lang, "account-back")))
                    .style(button::secondary)
                    .on_press(Message::Back),
            );
        }
        buttons = buttons.push(
            button(text(t(lang, next))).on_press_maybe((!self.saving).then_some(Message::Next)),
        );
        buttons = buttons.push(
            button(text(t(lang, "account-cancel")))
                .style(button::secondary)
                .on_press(Message::Cancel),
        );
        col = col.push(buttons);
        iced::widget::container(col).center(Fill).padding(24).into()
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
}
