//! The search bar: the query language of the store, debounced, results as the
//! user types.

use std::time::Duration;

use iced::widget::{button, row, text, text_input};
use iced::{Element, Fill, Task};

use super::i18n::{Lang, t, t1};

/// Id of the search field (Ctrl+L, Ctrl+K and `/` focus it).
pub const SEARCH_ID: &str = "search";
/// Pause in typing before the search runs.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub enum Message {
    Changed(String),
    /// The debounce delay of edit `generation` ran out.
    Fire(u64),
    Clear,
}

/// What the parent must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Run { query: String, generation: u64 },
    Cleared,
}

#[derive(Debug, Default)]
pub struct State {
    pub input: String,
    pub generation: u64,
    pub error: Option<String>,
}

impl State {
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Changed(input) => {
                self.input = input;
                self.generation += 1;
                self.error = None;
                if self.input.trim().is_empty() {
                    return (Task::none(), Some(Event::Cleared));
                }
                let generation = self.generation;
                // The timer is made inside the executor, when the task first runs.
                let wait = Task::perform(async { tokio::time::sleep(DEBOUNCE).await }, move |()| {
                    Message::Fire(generation)
                });
                (wait, None)
            }
            Message::Fire(generation) => {
                if generation != self.generation || self.input.trim().is_empty() {
                    return (Task::none(), None);
                }
                (
                    Task::none(),
                    Some(Event::Run {
                        query: self.input.clone(),
                        generation,
                    }),
                )
            }
            Message::Clear => {
                self.input.clear();
                self.generation += 1;
                self.error = None;
                (Task::none(), Some(Event::Cleared))
            }
        }
    }

    /// Whether an answer is the latest one.
    pub fn is_current(&self, generation: u64) -> bool {
        generation == self.generation && !self.input.trim().is_empty()
    }

    pub fn view(&self, lang: Lang) -> Element<'_, Message> {
        let field = text_input(&t(lang, "search-placeholder"), &self.input)
            .id(SEARCH_ID)
            .on_input(Message::Changed)
            .padding(6)
            .width(Fill);
        let mut bar = row![field].spacing(6).align_y(iced::Center);
        if !self.input.is_empty() {
            bar = bar.push(
                button(text(t(lang, "search-clear")).size(13))
                    .style(button::secondary)
                    .on_press(Message::Clear),
            );
        }
        if let Some(e) = &self.error {
            bar = bar.push(
                text(t1(lang, "search-error", "reason", e))
                    .size(12)
                    .style(text::danger),
            );
        }
        bar.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_edit_runs() {
        let mut s = State::default();
        let _ = s.update(Message::Changed("ré".into()));
        let _ = s.update(Message::Changed("rén".into()));
        assert_eq!(s.update(Message::Fire(1)).1, None, "stale edit");
        assert_eq!(
            s.update(Message::Fire(2)).1,
            Some(Event::Run {
                query: "rén".into(),
                generation: 2
            })
        );
        assert_eq!(
            s.update(Message::Changed(String::new())).1,
            Some(Event::Cleared)
        );
        assert!(!s.is_current(2));
    }
}
