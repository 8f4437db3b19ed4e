//! Settings: interface language (system, French, English), light or dark
//! theme, display scale.

use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill, Task};

use super::i18n::{Lang, t};

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

#[derive(Debug, Clone)]
pub enum Message {
    Language(LangChoice),
    Dark(bool),
    Scale(u16),
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Changed,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    pub language: LangChoice,
    pub dark: bool,
    pub scale: u16,
}

impl Default for State {
    fn default() -> Self {
        Self {
            language: LangChoice::System,
            dark: false,
            scale: 100,
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
            Message::Close => return (Task::none(), Some(Event::Closed)),
        }
        (Task::none(), Some(Event::Changed))
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
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
            button(text(t(lang, "settings-close")).size(13))
                .style(button::secondary)
                .on_press(Message::Close),
        ]
        .spacing(10);
        container(col).padding(24).width(Fill).height(Fill).into()
    }
}
