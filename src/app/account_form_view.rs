//! How the account form looks at each step: the address, the search under
//! way, the servers (and where they came from), the login.

use iced::widget::{Column, button, checkbox, column, row, text, text_input};
use iced::{Element, Fill};

use super::account_form::{Detection, Field, Message, Origin, State, Step, domain_of};
use super::discovery::{DetectFailed, SearchFailed};
use super::i18n::{Lang, t, t1};
use super::login_chooser::{self, Method};

impl State {
    /// Where the servers shown came from, in words.
    fn origin_line(&self, lang: Lang) -> Element<'_, Message> {
        let domain = domain_of(&self.address);
        let (line, failed) = match &self.origin {
            Some(Origin::Dns) => (t1(lang, "account-found-srv", "domain", domain), false),
            Some(Origin::Autoconfig(url)) => {
                (t1(lang, "account-found-autoconfig", "url", url), false)
            }
            Some(Origin::NotFound(why)) => (
                match why {
                    SearchFailed::NothingFound { domain } => {
                        t1(lang, "account-found-none", "domain", domain)
                    }
                    SearchFailed::BadDnsServer(v) => t1(lang, "account-search-bad-dns", "value", v),
                    SearchFailed::PlainOnly { url } => t1(lang, "account-search-plain", "url", url),
                    SearchFailed::Incomplete { url } => {
                        t1(lang, "account-search-incomplete", "url", url)
                    }
                    SearchFailed::Other(reason) => {
                        t1(lang, "account-search-failed", "reason", reason)
                    }
                },
                true,
            ),
            Some(Origin::ByHand) | None => (t(lang, "account-servers-guessed"), false),
        };
        let line = text(line).size(13);
        if failed {
            line.style(text::warning).into()
        } else {
            line.into()
        }
    }

    /// What is known of the login methods the servers offer, in words.
    fn detection_line(&self, lang: Lang) -> Option<Element<'_, Message>> {
        let (line, warn) = match &self.detection {
            Detection::NotAsked => return None,
            Detection::Running => (t(lang, "account-checking"), false),
            Detection::Done(d) => {
                let mut lines = Vec::new();
                if self.offered_in(d).is_empty() {
                    lines.push(t1(
                        lang,
                        "account-methods-none",
                        "mechanisms",
                        d.imap_mechanisms.join(" "),
                    ));
                }
                if d.card_present && self.offered_in(d).contains(&Method::Card) {
                    lines.push(t(lang, "account-card-present"));
                }
                if self.offered_in(d).contains(&self.method)
                    && !d
                        .smtp_methods
                        .iter()
                        .filter_map(|k| Method::from_kind(*k))
                        .any(|m| m == self.method)
                {
                    lines.push(t(lang, "account-smtp-lacks"));
                }
                if lines.is_empty() {
                    return None;
                }
                (lines.join("\n"), true)
            }
            Detection::Failed(why) => (
                match why {
                    DetectFailed::Unreachable { server } => {
                        t1(lang, "account-unreachable", "server", server)
                    }
                    DetectFailed::Untrusted { host } => t1(lang, "account-untrusted", "host", host),
                    DetectFailed::Other(reason) => {
                        t1(lang, "account-check-failed", "reason", reason)
                    }
                },
                true,
            ),
        };
        let line = text(line).size(13);
        Some(if warn {
            line.style(text::warning).into()
        } else {
            line.into()
        })
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let input = |label: &str, value: &str, f: Field| -> Element<'_, Message> {
            let mut field = text_input("", value)
                .id(f.id())
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
            Step::Searching => {
                let domain = domain_of(&self.address);
                col = col.push(text(t1(lang, "account-searching", "domain", domain)).size(16));
                col = col.push(text(t(lang, "account-searching-detail")).size(13));
            }
            Step::Servers => {
                col = col.push(self.origin_line(lang));
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
                if let Some(line) = self.detection_line(lang) {
                    col = col.push(line);
                }
                col = col.push(login_chooser::view(
                    self.method,
                    &self.offered(),
                    lang,
                    Message::Method,
                ));
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
        if self.step == Step::Searching {
            buttons = buttons
                .push(button(text(t(lang, "account-enter-by-hand"))).on_press(Message::ByHand));
        } else {
            buttons = buttons.push(
                button(text(t(lang, next))).on_press_maybe((!self.saving).then_some(Message::Next)),
            );
        }
        buttons = buttons.push(
            button(text(t(lang, "account-cancel")))
                .style(button::secondary)
                .on_press(Message::Cancel),
        );
        col = col.push(buttons);
        iced::widget::container(col).center(Fill).padding(24).into()
    }
}
