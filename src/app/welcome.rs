//! The welcome screen: shown when the user's mailbox cannot be opened or is
//! empty; offers the demo mailbox, and adding an account (see [`account_form`]).

use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill, Task};

use super::account_form::{self, NewAccount};
use super::discovery;
use super::i18n::{Lang, t, t1};

#[derive(Debug, Clone)]
pub enum Message {
    OpenDemo,
    AddAccount,
    Form(account_form::Message),
    /// Saving the account failed.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    OpenDemo,
    AddAccount(Box<NewAccount>),
    /// A search of the account form, to run in the background.
    Discover(discovery::Work),
}

#[derive(Debug, Default)]
pub struct State {
    /// Why the user's mailbox could not be opened (`None`: it is just empty).
    pub reason: Option<String>,
    /// The account form, while it is open.
    pub form: Option<account_form::State>,
}

impl State {
    pub fn update(&mut self, message: Message, lang: Lang) -> (Task<Message>, Option<Event>) {
        match message {
            Message::OpenDemo => (Task::none(), Some(Event::OpenDemo)),
            Message::AddAccount => {
                self.form = Some(account_form::State::default());
                (Task::none(), None)
            }
            Message::Form(m) => {
                let Some(form) = &mut self.form else {
                    return (Task::none(), None);
                };
                let (task, event) = form.update(m, lang);
                let event = match event {
                    Some(account_form::Event::Save(a)) => Some(Event::AddAccount(a)),
                    Some(account_form::Event::Cancelled) => {
                        self.form = None;
                        None
                    }
                    Some(account_form::Event::Run(w)) => Some(Event::Discover(w)),
                    None => None,
                };
                (task.map(Message::Form), event)
            }
            Message::Failed(e) => {
                if let Some(form) = &mut self.form {
                    form.saving = false;
                    form.error = Some(t1(lang, "account-save-failed", "reason", e));
                }
                (Task::none(), None)
            }
        }
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        if let Some(form) = &self.form {
            return form.view(lang).map(Message::Form);
        }
        let why = match &self.reason {
            Some(r) => t1(lang, "welcome-no-store", "reason", r),
            None => t(lang, "welcome-empty-store"),
        };
        let col = column![
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
        container(col).center(Fill).padding(24).into()
    }
}
