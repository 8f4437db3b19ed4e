//! The sign-in screen of a token account: the e-CPS button or the waiting
//! for the browser, the one-time-code form in its two steps, what went wrong,
//! and the notice when the session has ended.

use iced::widget::{Column, button, column, container, row, text, text_input};
use iced::{Element, Fill};
use zeroize::Zeroizing;

use caducee::auth::otp::Channel;

use super::i18n::{Lang, t, t1};
use super::theme;
use super::token_signin::{
    CODE_ID, Field, IDENTIFIER_ID, Message, PASSWORD_ID, Refusal, SignIn, Stage,
};

impl SignIn {
    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let mut col = column![
            text(t(lang, "signin-title")).size(26),
            text(self.account.address.clone()).size(14),
        ]
        .spacing(14)
        .max_width(620);
        if self.ended.is_some() {
            col = col.push(text(t(lang, "signin-ended")).size(15).style(text::danger));
        }
        if self.is_psc() {
            match self.stage {
                Stage::Browser => {
                    col = col.push(text(t(lang, "ecps-waiting")).size(16));
                    if let Some(url) = self.url.lock().ok().and_then(|u| u.clone()) {
                        col = col.push(text(t(lang, "ecps-open-yourself")).size(12));
                        col = col.push(text(url).size(12));
                    }
                    col = col.push(
                        button(text(t(lang, "signin-cancel")))
                            .style(button::secondary)
                            .on_press(Message::Cancel),
                    );
                }
                _ => {
                    col = col.push(text(t(lang, "ecps-explain")).size(14));
                    col = col.push(
                        button(text(t(lang, "ecps-start")))
                            .on_press_maybe((!self.busy).then_some(Message::StartPsc)),
                    );
                }
            }
        } else {
            col = self.otp_form(col, lang);
        }
        if let Some(r) = &self.refusal {
            col = col.push(text(r.text(lang)).size(14).style(text::danger));
            if *r == Refusal::Expired {
                col = col.push(
                    button(text(t(lang, "otp-resend")))
                        .style(button::secondary)
                        .on_press_maybe((!self.busy).then_some(Message::SendCode)),
                );
            }
        }
        if self.stage != Stage::Browser && !matches!(self.stage, Stage::CodeSent(_)) {
            col = col.push(
                button(text(t(lang, "signin-later")))
                    .style(button::text)
                    .on_press(Message::Later),
            );
        }
        col = col.push(text(t(lang, "lock-queued-stay-token")).size(13).style(
            |th: &iced::Theme| text::Style {
                color: Some(theme::muted(th)),
            },
        ));
        container(col).center(Fill).padding(24).into()
    }

    fn otp_form<'a>(&'a self, mut col: Column<'a, Message>, lang: Lang) -> Column<'a, Message> {
        let label = |k: &str| text(t(lang, k)).size(13);
        match &self.stage {
            Stage::CodeSent(dest) => {
                col = col.push(text(t1(lang, "otp-code-sent", "destination", dest)).size(15));
                col = col.push(
                    column![
                        label("otp-code"),
                        text_input("", &self.code)
                            .id(CODE_ID)
                            .on_input(|v| Message::Input(Field::Code, Zeroizing::new(v)))
                            .on_submit(Message::Verify)
                            .padding(6),
                    ]
                    .spacing(4),
                );
                col = col.push(
                    row![
                        button(text(t(lang, "otp-verify")))
                            .on_press_maybe((!self.busy).then_some(Message::Verify)),
                        button(text(t(lang, "signin-cancel")))
                            .style(button::secondary)
                            .on_press(Message::Cancel),
                    ]
                    .spacing(12),
                );
            }
            _ => {
                col = col.push(
                    column![
                        label("otp-identifier"),
                        text_input("", &self.identifier)
                            .id(IDENTIFIER_ID)
                            .on_input(|v| Message::Input(Field::Identifier, Zeroizing::new(v)))
                            .padding(6),
                        text(t(lang, "otp-identifier-hint")).size(12),
                    ]
                    .spacing(4),
                );
                col = col.push(
                    column![
                        label("otp-password"),
                        text_input("", &self.password)
                            .id(PASSWORD_ID)
                            .secure(true)
                            .on_input(|v| Message::Input(Field::Password, Zeroizing::new(v)))
                            .on_submit(Message::SendCode)
                            .padding(6),
                    ]
                    .spacing(4),
                );
                let channel = |c: Channel, k: &str| {
                    button(text(t(lang, k)))
                        .style(if self.channel == c {
                            button::primary
                        } else {
                            button::secondary
                        })
                        .on_press(Message::Channel(c))
                };
                col = col.push(
                    row![
                        label("otp-channel"),
                        channel(Channel::Sms, "otp-channel-sms"),
                        channel(Channel::Mail, "otp-channel-mail"),
                    ]
                    .spacing(8)
                    .align_y(iced::Center),
                );
                col = col.push(
                    button(text(t(lang, "otp-send-code")))
                        .on_press_maybe((!self.busy).then_some(Message::SendCode)),
                );
            }
        }
        col
    }
}
