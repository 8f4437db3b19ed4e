//! The PIN dialog of the CPS card: shown over the mailbox when a card is in
//! and the session is locked. The holder's name and profession and the PIN's
//! state are read from the card without the PIN; four digits, masked; a
//! wrong PIN says what the card tells of the tries left, a blocked one what
//! to do.

use iced::widget::{button, column, container, text, text_input};
use iced::{Element, Fill, Task};

use caducee::auth::token::PinState;

use super::card::{CardRead, Holder, Pin, Refusal, tries_text};
use super::i18n::{Lang, t, t1, tn};
use super::theme;

/// The PIN field's id.
pub const PIN_ID: &str = "card-pin";

#[derive(Debug, Clone)]
pub enum Message {
    Input(Pin),
    Submit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Log in with this PIN (the field is cleared).
    Submit(Pin),
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The reader the card is in.
    pub reader: String,
    pub pin: Pin,
    /// `None` while it is being read.
    pub holder: Option<Result<Holder, String>>,
    pub pin_state: Option<PinState>,
    /// The tries left as the card tells them through the reader, if it does.
    pub tries_left: Option<u8>,
    pub refusal: Option<Refusal>,
    /// The login is running.
    pub busy: bool,
}

impl State {
    pub fn new(reader: String) -> State {
        State {
            reader,
            pin: Pin::default(),
            holder: None,
            pin_state: None,
            tries_left: None,
            refusal: None,
            busy: false,
        }
    }

    pub fn read(&mut self, read: CardRead) {
        self.holder = Some(read.holder);
        match read.pin {
            Ok(p) => {
                if p.locked {
                    self.refusal = Some(Refusal::Blocked);
                }
                self.pin_state = Some(p);
            }
            Err(e) => tracing::warn!(error = %e, "the card's PIN state cannot be read"),
        }
    }

    pub fn refused(&mut self, refusal: Refusal) {
        self.busy = false;
        self.pin = Pin::default();
        if let Refusal::Wrong(tries) = refusal
            && let Some(p) = &mut self.pin_state
        {
            p.tries = tries;
        }
        // The count the reader gave is out of date after a wrong PIN.
        self.tries_left = None;
        self.refusal = Some(refusal);
    }

    pub fn blocked(&self) -> bool {
        self.refusal == Some(Refusal::Blocked) || self.pin_state.is_some_and(|p| p.locked)
    }

    fn protected_path(&self) -> bool {
        self.pin_state.is_some_and(|p| p.protected_path)
    }

    fn can_submit(&self) -> bool {
        !self.busy && !self.blocked() && (self.pin.is_complete() || self.protected_path())
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Input(pin) => {
                // Digits only, four at most: anything else is not taken.
                let s = pin.as_str();
                if s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                    self.pin = pin;
                }
                (Task::none(), None)
            }
            Message::Submit => {
                if !self.can_submit() {
                    return (Task::none(), None);
                }
                self.busy = true;
                self.refusal = None;
                let pin = std::mem::take(&mut self.pin);
                (Task::none(), Some(Event::Submit(pin)))
            }
        }
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let muted = |th: &iced::Theme| text::Style {
            color: Some(theme::muted(th)),
        };
        let mut col = column![text(t(lang, "pin-title")).size(26)]
            .spacing(12)
            .max_width(520);
        // One element whatever is known of the holder, so that the PIN field
        // keeps its place (and its focus) when the card has been read.
        let mut holder = column![].spacing(4);
        match &self.holder {
            None => holder = holder.push(text(t(lang, "pin-holder-reading")).size(14).style(muted)),
            Some(Ok(h)) => {
                holder = holder.push(text(h.name.clone()).size(20));
                let mut who = Vec::new();
                who.extend(h.profession.clone());
                who.extend(h.national_id.clone());
                if !who.is_empty() {
                    holder = holder.push(text(who.join(" — ")).size(14));
                }
            }
            Some(Err(e)) => {
                holder = holder.push(
                    text(t1(lang, "pin-holder-unreadable", "reason", e))
                        .size(13)
                        .style(muted),
                )
            }
        }
        col = col.push(holder);
        col = col.push(text(t1(lang, "pin-reader", "reader", &self.reader)).size(13));
        if self.blocked() {
            col = col.push(text(t(lang, "pin-blocked")).size(14).style(text::danger));
            return container(col).center(Fill).padding(24).into();
        }
        if self.protected_path() {
            col = col.push(text(t(lang, "pin-on-reader")).size(14));
        } else {
            col = col.push(text(t(lang, "pin-prompt")).size(14));
            col = col.push(
                text_input("••••", self.pin.as_str())
                    .id(PIN_ID)
                    .secure(true)
                    .on_input(|s| Message::Input(Pin::new(s)))
                    .on_submit(Message::Submit)
                    .padding(8)
                    .size(20)
                    .width(140),
            );
        }
        let tries = match (self.tries_left, self.pin_state) {
            (Some(n), _) if self.refusal.is_none() => Some(tn(lang, "pin-tries-left", n.into())),
            (_, Some(p))
                if self.refusal.is_none() && p.tries != caducee::auth::PinTries::Unknown =>
            {
                Some(tries_text(lang, p.tries))
            }
            _ => None,
        };
        if let Some(tries) = tries {
            col = col.push(text(tries).size(13).style(text::warning));
        }
        if let Some(r) = &self.refusal {
            col = col.push(text(r.describe(lang)).size(14).style(text::danger));
        }
        let label = if self.busy {
            "pin-checking"
        } else {
            "pin-unlock"
        };
        col = col.push(
            button(text(t(lang, label)))
                .padding([8, 16])
                .on_press_maybe(self.can_submit().then_some(Message::Submit)),
        );
        col = col.push(text(t(lang, "pin-never-kept")).size(12).style(muted));
        container(col).center(Fill).padding(24).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caducee::auth::PinTries;

    fn typed(s: &mut State, v: &str) {
        let _ = s.update(Message::Input(Pin::new(v.into())));
    }

    #[test]
    fn four_digits_only_and_the_pin_is_not_kept_after_submit() {
        let mut s = State::new("R".into());
        typed(&mut s, "12a");
        assert_eq!(s.pin.as_str(), "");
        typed(&mut s, "123");
        let (_, e) = s.update(Message::Submit);
        assert!(e.is_none(), "three digits are not a PIN");
        typed(&mut s, "12345");
        assert_eq!(s.pin.as_str(), "123", "a fifth digit is not taken");
        typed(&mut s, "1234");
        let (_, e) = s.update(Message::Submit);
        assert_eq!(e, Some(Event::Submit(Pin::new("1234".into()))));
        assert_eq!(s.pin.as_str(), "", "the field is cleared");
        assert!(s.busy);
        let (_, e) = s.update(Message::Submit);
        assert!(e.is_none(), "no second login while one runs");
        assert_eq!(format!("{:?}", Pin::new("1234".into())), "Pin(****)");
    }

    #[test]
    fn a_refusal_says_why_and_a_blocked_pin_stops_entry() {
        let mut s = State::new("R".into());
        s.tries_left = Some(3);
        s.busy = true;
        s.refused(Refusal::Wrong(PinTries::FinalTry));
        assert!(!s.busy && s.tries_left.is_none());
        let why = s.refusal.as_ref().unwrap().describe(Lang::En);
        assert!(why.contains("one more wrong PIN"), "{why}");
        s.refused(Refusal::Blocked);
        assert!(s.blocked());
        typed(&mut s, "1234");
        let (_, e) = s.update(Message::Submit);
        assert!(e.is_none());
    }
}
