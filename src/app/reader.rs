//! The reading pane: headers, the text (HTML shown as plain text, never
//! rendered), the attachments with a save button, the IHE XDM badge.

use caducee::mime::display_subject;
use caducee::store::StoredMessage;
use iced::widget::{Column, button, column, container, row, scrollable, space, text};
use iced::{Element, Fill, Font, Task, font};
use time::UtcOffset;

use super::attachments::is_xdm;
use super::format;
use super::i18n::{Lang, t};
use super::theme;

#[derive(Debug, Clone)]
pub enum Message {
    Save(u32),
    Reply { all: bool },
    ToggleRead,
    Delete,
}

/// What the parent must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Save {
        id: i64,
        part_index: u32,
        filename: String,
    },
    Reply {
        all: bool,
    },
    ToggleRead,
    Delete(i64),
}

#[derive(Debug, Default)]
pub struct State {
    pub message: Option<StoredMessage>,
    pub loading: bool,
}

impl State {
    /// Whether the open message carries an IHE XDM archive.
    pub fn has_xdm(&self) -> bool {
        self.message
            .as_ref()
            .is_some_and(|m| m.attachments.iter().any(|a| is_xdm(&a.filename)))
    }

    /// The body as safe plain text.
    pub fn body(m: &StoredMessage) -> String {
        if m.text.trim().is_empty()
            && let Some(html) = &m.html
        {
            return mail_parser::decoders::html::html_to_text(html);
        }
        m.text.clone()
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let Some(m) = &self.message else {
            return (Task::none(), None);
        };
        let event = match message {
            Message::Save(part_index) => {
                let filename = m
                    .attachments
                    .iter()
                    .find(|a| a.part_index == part_index)
                    .map(|a| a.filename.clone())
                    .unwrap_or_default();
                Event::Save {
                    id: m.row.id,
                    part_index,
                    filename,
                }
            }
            Message::Reply { all } => Event::Reply { all },
            Message::ToggleRead => Event::ToggleRead,
            Message::Delete => Event::Delete(m.row.id),
        };
        (Task::none(), Some(event))
    }

    pub fn view(&self, lang: Lang, offset: UtcOffset) -> Element<'_, Message> {
        let Some(m) = &self.message else {
            let note = if self.loading {
                t(lang, "loading")
            } else {
                t(lang, "reader-none")
            };
            return container(text(note)).center(Fill).into();
        };
        let bold = Font {
            weight: font::Weight::Bold,
            ..Font::DEFAULT
        };
        let subject = display_subject(&m.row.subject);
        let subject = if subject.trim().is_empty() {
            t(lang, "list-no-subject")
        } else {
            subject.to_owned()
        };
        let mut title = row![text(subject).size(20).font(bold).width(Fill)].spacing(8);
        if self.has_xdm() {
            title = title.push(
                container(text(t(lang, "xdm-badge")).size(12))
                    .padding([2, 6])
                    .style(theme::badge(|p| p.primary.base)),
            );
        }
        let from = if m.row.from_name.is_empty() {
            m.row.from_addr.clone()
        } else {
            format!("{} <{}>", m.row.from_name, m.row.from_addr)
        };
        let header = |label: String, value: String| {
            row![
                text(label)
                    .size(13)
                    .width(70)
                    .style(|th: &iced::Theme| text::Style {
                        color: Some(theme::muted(th))
                    }),
                text(value).size(13)
            ]
            .spacing(8)
        };
        let mut headers = column![
            title,
            header(t(lang, "reader-from"), from),
            header(t(lang, "reader-to"), m.to.clone()),
        ]
        .spacing(4);
        if !m.cc.is_empty() {
            headers = headers.push(header(t(lang, "reader-cc"), m.cc.clone()));
        }
        headers = headers.push(header(
            t(lang, "reader-date"),
            format::long_date(m.row.date, offset, lang),
        ));
        let read_label = if m.row.flags.seen {
            t(lang, "reader-mark-unread")
        } else {
            t(lang, "reader-mark-read")
        };
        let actions = row![
            button(text(t(lang, "reader-reply")).size(13)).on_press(Message::Reply { all: false }),
            button(text(t(lang, "reader-reply-all")).size(13))
                .on_press(Message::Reply { all: true }),
            button(text(read_label).size(13))
                .style(button::secondary)
                .on_press(Message::ToggleRead),
            button(text(t(lang, "reader-delete")).size(13))
                .style(button::secondary)
                .on_press(Message::Delete),
        ]
        .spacing(6);
        let mut body = Column::new().spacing(10).padding([0, 4]);
        if m.parse_error.is_some() {
            body = body.push(text(t(lang, "reader-parse-error")).size(13));
        }
        if !m.row.has_body {
            body = body.push(text(t(lang, "reader-body-missing")).size(13));
        }
        if !m.attachments.is_empty() {
            let mut list = Column::new().spacing(4);
            for a in &m.attachments {
                list = list.push(
                    row![
                        text(a.filename.clone()).size(13),
                        text(format::size(a.size, lang)).size(12),
                        space::horizontal(),
                        button(text(t(lang, "reader-save")).size(12))
                            .style(button::secondary)
                            .padding([2, 8])
                            .on_press(Message::Save(a.part_index)),
                    ]
                    .spacing(8)
                    .align_y(iced::Center),
                );
            }
            body = body.push(
                container(
                    column![
                        text(t(lang, "reader-attachments")).size(13).font(bold),
                        list
                    ]
                    .spacing(6),
                )
                .padding(8)
                .width(Fill)
                .style(theme::pane),
            );
        }
        body = body.push(text(Self::body(m)).size(14));
        column![headers, actions, scrollable(body).height(Fill).width(Fill)]
            .spacing(12)
            .padding(16)
            .width(Fill)
            .height(Fill)
            .into()
    }
}
