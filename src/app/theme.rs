//! Calm, professional light and dark themes, and the few shared styles.

use iced::theme::palette;
use iced::widget::{button, container};
use iced::{Background, Border, Color, Theme, color};

/// The two themes of the client.
pub fn theme(dark: bool) -> Theme {
    if dark {
        Theme::custom(
            "Caducée sombre",
            iced::theme::Palette {
                background: color!(0x1d2227),
                text: color!(0xe3e7ea),
                primary: color!(0x5aa5c8),
                success: color!(0x6cbf84),
                warning: color!(0xe0b060),
                danger: color!(0xef7b7b),
            },
        )
    } else {
        Theme::custom(
            "Caducée clair",
            iced::theme::Palette {
                background: color!(0xf7f8fa),
                text: color!(0x1f2a33),
                primary: color!(0x1a6d8f),
                success: color!(0x2e7d4f),
                warning: color!(0x9a6200),
                danger: color!(0xb3261e),
            },
        )
    }
}

/// A side pane (folders): slightly darker than the page.
pub fn pane(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(Background::Color(p.background.weak.color)),
        text_color: Some(p.background.weak.text),
        ..container::Style::default()
    }
}

/// The page of the list and reader: the window's own background shows
/// through (a quad over the whole page would be filled again, through a clip
/// mask, for every damaged region of every frame by the software renderer).
pub fn page(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: None,
        text_color: Some(p.background.base.text),
        ..container::Style::default()
    }
}

/// A small rounded badge in a palette pair (background and readable text).
pub fn badge(pick: fn(&palette::Extended) -> palette::Pair) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let pair = pick(theme.extended_palette());
        container::Style {
            background: Some(Background::Color(pair.color)),
            text_color: Some(pair.text),
            border: Border::default().rounded(4),
            ..container::Style::default()
        }
    }
}

/// A bordered card (recipient chips, attachments).
pub fn chip(color: Color) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let p = theme.extended_palette();
        container::Style {
            background: Some(Background::Color(p.background.base.color)),
            text_color: Some(color),
            border: Border::default().rounded(4).width(1).color(color),
            ..container::Style::default()
        }
    }
}

/// A list row: highlighted when selected.
pub fn row(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let p = theme.extended_palette();
        // A plain row paints nothing: the list's own background shows, and
        // the software renderer does not fill every row again at each frame.
        let bg = if selected {
            Some(p.primary.weak.color)
        } else {
            match status {
                button::Status::Hovered => Some(p.background.weak.color),
                _ => None,
            }
        };
        let text = if selected {
            p.primary.weak.text
        } else {
            p.background.base.text
        };
        button::Style {
            background: bg.map(Background::Color),
            text_color: text,
            border: Border::default(),
            ..button::Style::default()
        }
    }
}

/// A folder entry in the side pane.
pub fn folder(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let p = theme.extended_palette();
        let bg = if selected {
            Some(Background::Color(p.primary.weak.color))
        } else if status == button::Status::Hovered {
            Some(Background::Color(p.background.strong.color))
        } else {
            None
        };
        button::Style {
            background: bg,
            text_color: if selected {
                p.primary.weak.text
            } else {
                p.background.weak.text
            },
            border: Border::default().rounded(4),
            ..button::Style::default()
        }
    }
}

/// Colors of the states of a recipient.
pub fn danger(theme: &Theme) -> Color {
    theme.palette().danger
}

pub fn success(theme: &Theme) -> Color {
    theme.palette().success
}

pub fn warning(theme: &Theme) -> Color {
    theme.palette().warning
}

pub fn muted(theme: &Theme) -> Color {
    let p = theme.extended_palette();
    p.background.strongest.color
}
