//! The directory screen: look up a health professional in the MSSanté
//! directory and write to them. Says so plainly while no directory is available.

use iced::widget::{Column, button, column, container, row, scrollable, space, text, text_input};
use iced::{Element, Fill, Task};

use super::i18n::{Lang, t};
use super::recipients::{DirectoryLookup, Suggestion};

/// Id of the search field of the directory.
pub const DIRECTORY_ID: &str = "directory-search";
/// Most entries shown.
const LIMIT: usize = 50;

#[derive(Debug, Clone)]
pub enum Message {
    Input(String),
    Write(String),
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Write(String),
    Closed,
}

#[derive(Debug, Default)]
pub struct State {
    pub input: String,
    pub results: Vec<Suggestion>,
}

impl State {
    pub fn update(
        &mut self,
        message: Message,
        directory: &dyn DirectoryLookup,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Input(input) => {
                self.results = if input.trim().chars().count() >= 2 {
                    directory.autocomplete(input.trim(), LIMIT)
                } else {
                    Vec::new()
                };
                self.input = input;
                (Task::none(), None)
            }
            Message::Write(address) => (Task::none(), Some(Event::Write(address))),
            Message::Close => (Task::none(), Some(Event::Closed)),
        }
    }

    pub fn view<'a>(&'a self, lang: Lang, directory: &dyn DirectoryLookup) -> Element<'a, Message> {
        let title = row![
            text(t(lang, "directory-title")).size(20).width(Fill),
            button(text(t(lang, "settings-close")).size(13))
                .style(button::secondary)
                .on_press(Message::Close),
        ]
        .align_y(iced::Center);
        if !directory.available() {
            return column![title, text(t(lang, "directory-unavailable"))]
                .spacing(16)
                .padding(24)
                .into();
        }
        let field = text_input(&t(lang, "directory-placeholder"), &self.input)
            .id(DIRECTORY_ID)
            .on_input(Message::Input)
            .padding(6);
        let mut list = Column::new().spacing(4);
        for s in &self.results {
            list = list.push(
                container(
                    row![
                        column![
                            text(format!("{} <{}>", s.display_name, s.address)).size(14),
                            text(s.detail.clone()).size(12),
                        ]
                        .spacing(2),
                        space::horizontal(),
                        button(text(t(lang, "directory-write")).size(13))
                            .on_press(Message::Write(s.address.clone())),
                    ]
                    .align_y(iced::Center),
                )
                .padding(6),
            );
        }
        if self.results.is_empty() && self.input.trim().chars().count() >= 2 {
            list = list.push(text(t(lang, "directory-none")).size(13));
        }
        column![title, field, scrollable(list).height(Fill)]
            .spacing(12)
            .padding(24)
            .width(Fill)
            .height(Fill)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::composer::tests::TwoDoctors;

    #[test]
    fn search_and_write() {
        let mut s = State::default();
        let _ = s.update(Message::Input("mar".into()), &TwoDoctors);
        assert_eq!(s.results.len(), 2);
        let _ = s.update(Message::Input("durand".into()), &TwoDoctors);
        assert_eq!(s.results.len(), 1);
        let (_, event) = s.update(Message::Write(s.results[0].address.clone()), &TwoDoctors);
        assert_eq!(
            event,
            Some(Event::Write("marie.durand@chu-lyon.mssante.fr".into()))
        );
    }
}
