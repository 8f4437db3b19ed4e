//! Settings: interface language (system, French, English), light or dark
//! theme, display scale, desktop notifications for new mail; the accounts, each with its sign-in or sign-out
//! (asked to confirm when mail waits in the outbox).

use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill, Task};

use super::i18n::{Lang, t, tn};

/// The language setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LangChoice {
    #[default]
    System,
    Fixed(Lang),
}

impl LangChoice {
    pub fn resolve(self) -> Lang {
        match self {
            LangChoice::System => Lang::from_system(),
            LangChoice::Fixed(l) => l,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            LangChoice::System => "system",
            LangChoice::Fixed(l) => l.code(),
        }
    }

    pub fn parse(code: &str) -> Self {
        Lang::parse(code).map_or(LangChoice::System, LangChoice::Fixed)
    }
}

/// Scales offered, in percent.
pub const SCALES: [u16; 4] = [100, 125, 150, 200];

/// Where an account stands, as the account list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// A token account (e-CPS, one-time code) with a live session.
    SignedIn,
    /// A token account to sign in.
    SignedOut,
    /// A card account, the card in and the PIN given.
    CardUnlocked,
    /// A card account, locked.
    CardLocked,
    /// Password or certificate file: nothing to sign in or out.
    Other,
}

/// One account of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub address: String,
    pub status: AccountStatus,
}

/// A sign-out waiting for confirmation: mail is still in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirm {
    pub account: i64,
    pub unsent: usize,
}

#[derive(Debug, Clone)]
pub enum Message {
    Language(LangChoice),
    Dark(bool),
    Scale(u16),
    /// Desktop notifications for new mail, on or off.
    Notify(bool),
    Close,
    SignIn(i64),
    SignOut(i64),
    /// Sign out all the same (mail waits in the outbox).
    ConfirmSignOut,
    KeepSignedIn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Changed,
    Closed,
    /// Show the account's sign-in.
    SignIn(i64),
    /// Sign the account out (once its outbox is looked at).
    SignOut(i64),
    /// Sign out, confirmed with mail in the outbox.
    SignOutConfirmed(i64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    pub language: LangChoice,
    pub dark: bool,
    pub scale: u16,
    /// Desktop notifications for new mail (off by default).
    pub notify: bool,
    /// The sign-out asked to confirm, if any.
    pub confirm: Option<Confirm>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            language: LangChoice::System,
            dark: false,
            scale: 100,
            notify: false,
            confirm: None,
        }
    }
}

/// An entry of the language list, labelled in the current language.
struct LangItem(LangChoice, String);

impl State {
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Language(l) => self.language = l,
            Message::Dark(d) => self.dark = d,
            Message::Scale(s) => self.scale = s,
            Message::Notify(n) => self.notify = n,
            Message::Close => {
                self.confirm = None;
                return (Task::none(), Some(Event::Closed));
            }
            Message::SignIn(id) => return (Task::none(), Some(Event::SignIn(id))),
            Message::SignOut(id) => {
                self.confirm = None;
                return (Task::none(), Some(Event::SignOut(id)));
            }
            Message::ConfirmSignOut => {
                let event = self
                    .confirm
                    .take()
                    .map(|c| Event::SignOutConfirmed(c.account));
                return (Task::none(), event);
            }
            Message::KeepSignedIn => {
                self.confirm = None;
                return (Task::none(), None);
            }
        }
        (Task::none(), Some(Event::Changed))
    }

    /// The account list: each with its state and what can be done.
    fn accounts(&self, lang: Lang, accounts: Vec<AccountRow>) -> Element<'_, Message> {
        let mut col = column![text(t(lang, "settings-accounts")).size(14)].spacing(6);
        for a in accounts {
            let address = a.address;
            let (state, action) = match a.status {
                AccountStatus::SignedIn => (
                    "settings-account-signed-in",
                    Some(("settings-sign-out", Message::SignOut(a.id))),
                ),
                AccountStatus::SignedOut => (
                    "settings-account-signed-out",
                    Some(("settings-sign-in", Message::SignIn(a.id))),
                ),
                AccountStatus::CardUnlocked => (
                    "settings-account-card-unlocked",
                    Some(("settings-card-sign-out", Message::SignOut(a.id))),
                ),
                AccountStatus::CardLocked => ("settings-account-card-locked", None),
                AccountStatus::Other => ("settings-account-password", None),
            };
            let mut line = row![text(address).size(13), text(t(lang, state)).size(12),]
                .spacing(12)
                .align_y(iced::Center);
            if let Some((label, message)) = action {
                line = line.push(
                    button(text(t(lang, label)).size(13))
                        .style(button::secondary)
                        .on_press(message),
                );
            }
            col = col.push(line);
            if let Some(c) = self.confirm.filter(|c| c.account == a.id) {
                col = col.push(
                    column![
                        text(tn(lang, "signout-unsent", c.unsent))
                            .size(13)
                            .style(text::danger),
                        row![
                            button(text(t(lang, "signout-confirm")).size(13))
                                .style(button::danger)
                                .on_press(Message::ConfirmSignOut),
                            button(text(t(lang, "signout-keep")).size(13))
                                .style(button::secondary)
                                .on_press(Message::KeepSignedIn),
                        ]
                        .spacing(8),
                    ]
                    .spacing(6),
                );
            }
        }
        col.into()
    }

    pub fn view(&self, lang: Lang, accounts: Vec<AccountRow>) -> Element<'_, Message> {
        let items: Vec<LangItem> = std::iter::once(LangItem(
            LangChoice::System,
            t(lang, "settings-language-system"),
        ))
        .chain(
            Lang::ALL
                .iter()
                .map(|l| LangItem(LangChoice::Fixed(*l), l.native_name().to_owned())),
        )
        .collect();
        let mut langs = row![].spacing(6);
        for item in &items {
            let style = if item.0 == self.language {
                button::primary
            } else {
                button::secondary
            };
            langs = langs.push(
                button(text(item.1.clone()).size(13))
                    .style(style)
                    .on_press(Message::Language(item.0)),
            );
        }
        let theme_button = |label: String, dark: bool| {
            button(text(label).size(13))
                .style(if self.dark == dark {
                    button::primary
                } else {
                    button::secondary
                })
                .on_press(Message::Dark(dark))
        };
        let notify_button = |label: String, on: bool| {
            button(text(label).size(13))
                .style(if self.notify == on {
                    button::primary
                } else {
                    button::secondary
                })
                .on_press(Message::Notify(on))
        };
        let mut scales = row![].spacing(6);
        for scale in SCALES {
            scales = scales.push(
                button(text(format!("{scale} %")).size(13))
                    .style(if self.scale == scale {
                        button::primary
                    } else {
                        button::secondary
                    })
                    .on_press(Message::Scale(scale)),
            );
        }
        let col = column![
            text(t(lang, "settings-title")).size(20),
            text(t(lang, "settings-language")).size(14),
            langs,
            text(t(lang, "settings-theme")).size(14),
            row![
                theme_button(t(lang, "settings-theme-light"), false),
                theme_button(t(lang, "settings-theme-dark"), true)
            ]
            .spacing(6),
            text(t(lang, "settings-scale")).size(14),
            scales,
            text(t(lang, "settings-notify")).size(14),
            row![
                notify_button(t(lang, "settings-notify-off"), false),
                notify_button(t(lang, "settings-notify-on"), true)
            ]
            .spacing(6),
        ]
        .spacing(10);
        let col = if accounts.is_empty() {
            col
        } else {
            col.push(self.accounts(lang, accounts))
        };
        let col = col.push(
            button(text(t(lang, "settings-close")).size(13))
                .style(button::secondary)
                .on_press(Message::Close),
        );
        container(col).padding(24).width(Fill).height(Fill).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_out_with_unsent_mail_waits_for_confirmation() {
        let mut s = State::default();
        assert_eq!(s.update(Message::SignOut(3)).1, Some(Event::SignOut(3)));
        // The window found mail in the outbox: it asks.
        s.confirm = Some(Confirm {
            account: 3,
            unsent: 2,
        });
        assert_eq!(s.update(Message::KeepSignedIn).1, None);
        assert_eq!(s.confirm, None);
        assert_eq!(s.update(Message::ConfirmSignOut).1, None, "nothing asked");
        s.confirm = Some(Confirm {
            account: 3,
            unsent: 2,
        });
        assert_eq!(
            s.update(Message::ConfirmSignOut).1,
            Some(Event::SignOutConfirmed(3))
        );
        assert_eq!(s.confirm, None);
        assert_eq!(s.update(Message::SignIn(4)).1, Some(Event::SignIn(4)));
    }

    #[test]
    fn notifications_are_off_until_turned_on() {
        let mut s = State::default();
        assert!(!s.notify);
        assert_eq!(s.update(Message::Notify(true)).1, Some(Event::Changed));
        assert!(s.notify);
        assert_eq!(s.update(Message::Notify(false)).1, Some(Event::Changed));
        assert!(!s.notify);
    }
}
