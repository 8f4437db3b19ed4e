//! Keyboard shortcuts of the main window.

use iced::keyboard::{Key, Modifiers, key::Named};

/// What a shortcut asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    Compose,
    Reply,
    ReplyAll,
    FocusSearch,
    Send,
    Delete,
    Next,
    Previous,
    /// One screen of the list down or up, the first or last message.
    PageDown,
    PageUp,
    First,
    Last,
    ToggleRead,
    Escape,
}

/// The shortcut of a key press. `captured`: a widget (a text field) used the
/// key, so only the shortcuts with Ctrl apply.
pub fn map(key: &Key, modifiers: Modifiers, captured: bool) -> Option<Shortcut> {
    let ctrl = modifiers.command();
    if ctrl {
        return match key.as_ref() {
            Key::Character(c) => match c.to_lowercase().as_str() {
                "n" => Some(Shortcut::Compose),
                "r" if modifiers.shift() => Some(Shortcut::ReplyAll),
                "r" => Some(Shortcut::Reply),
                "l" | "k" => Some(Shortcut::FocusSearch),
                _ => None,
            },
            Key::Named(Named::Enter) => Some(Shortcut::Send),
            _ => None,
        };
    }
    if let Key::Named(Named::Escape) = key.as_ref() {
        return Some(Shortcut::Escape);
    }
    if captured || modifiers.alt() {
        return None;
    }
    match key.as_ref() {
        Key::Named(Named::Delete) => Some(Shortcut::Delete),
        Key::Named(Named::ArrowDown) => Some(Shortcut::Next),
        Key::Named(Named::ArrowUp) => Some(Shortcut::Previous),
        Key::Named(Named::PageDown) => Some(Shortcut::PageDown),
        Key::Named(Named::PageUp) => Some(Shortcut::PageUp),
        Key::Named(Named::Home) => Some(Shortcut::First),
        Key::Named(Named::End) => Some(Shortcut::Last),
        Key::Character(c) => match c {
            "j" | "J" => Some(Shortcut::Next),
            "k" | "K" => Some(Shortcut::Previous),
            "m" | "M" => Some(Shortcut::ToggleRead),
            "/" => Some(Shortcut::FocusSearch),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(c: &str) -> Key {
        Key::Character(c.into())
    }

    #[test]
    fn shortcuts() {
        let ctrl = Modifiers::CTRL;
        assert_eq!(map(&ch("n"), ctrl, false), Some(Shortcut::Compose));
        assert_eq!(map(&ch("n"), ctrl, true), Some(Shortcut::Compose));
        assert_eq!(
            map(&ch("R"), ctrl | Modifiers::SHIFT, false),
            Some(Shortcut::ReplyAll)
        );
        assert_eq!(map(&ch("r"), ctrl, false), Some(Shortcut::Reply));
        assert_eq!(map(&ch("k"), ctrl, false), Some(Shortcut::FocusSearch));
        assert_eq!(
            map(&Key::Named(Named::Enter), ctrl, true),
            Some(Shortcut::Send)
        );
        assert_eq!(
            map(&ch("j"), Modifiers::empty(), false),
            Some(Shortcut::Next)
        );
        assert_eq!(
            map(&Key::Named(Named::End), Modifiers::empty(), false),
            Some(Shortcut::Last)
        );
        assert_eq!(
            map(&Key::Named(Named::PageDown), Modifiers::empty(), false),
            Some(Shortcut::PageDown)
        );
        // In a text field, End moves the cursor.
        assert_eq!(
            map(&Key::Named(Named::Home), Modifiers::empty(), true),
            None
        );
        // Typing "j" in a field is text, not navigation.
        assert_eq!(map(&ch("j"), Modifiers::empty(), true), None);
        assert_eq!(
            map(&ch("/"), Modifiers::empty(), false),
            Some(Shortcut::FocusSearch)
        );
        assert_eq!(
            map(&Key::Named(Named::Delete), Modifiers::empty(), false),
            Some(Shortcut::Delete)
        );
    }
}
