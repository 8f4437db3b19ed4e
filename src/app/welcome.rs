//! The welcome screen: shown when the user's mailbox cannot be opened or is
//! empty; offers the demo mailbox. Adding an account is not available yet and
//! says so.

use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill, Task};

use super::i18n::{Lang, t, t1};

#[derive(Debug, Clone)]
pub enum Message {
    OpenDemo,
    AddAccount,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    OpenDemo,
}

#[derive(Debug, Default)]
pub struct State {
    /// Why the user's mailbox could not be opened (`None`: it is just empty).
    pub reason: Option<String>,
    pub account_asked: bool,
}

impl State {
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::OpenDemo => (Task::none(), Some(Event::OpenDemo)),
            Message::AddAccount => {
                self.account_asked = true;
                (Task::none(), None)
            }
        }
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let why = match &self.reason {
            Some(r) => t1(lang, "welcome-no-store", "reason", r),
            None => t(lang, "welcome-empty-store"),
        };
        let mut col = column![
            text(t(lang, "welcome-title")).size(28),
            text(t(lang, "welcome-lead")).size(16),
            text(why).size(14),
            row![
                button(text(t(lang, "welcome-open-demo")))
                    .padding([8, 16])
                    .on_press(Message::OpenDemo),
                button(text(t(lang, "welcome-add-account")))
                    .padding([8, 16])
                    .style(button::secondary)
                    .on_press(Message::AddAccount),
            ]
            .spacing(12),
        ]
        .spacing(16)
        .max_width(620);
        if self.account_asked {
            col = col.push(text(t(lang, "welcome-account-unavailable")).size(14));
        }
        container(col).center(Fill).padding(24).into()
    }
}
