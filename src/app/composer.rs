//! The composer: To/Cc/Bcc with each recipient checked against the MSSanté
//! whitelist as it is entered (refused ones in red with the reason, Send
//! disabled), directory completion, attachments against the 10 MB limit.
//!
//! Sending itself is not configured yet: the Send button says so and queues nothing.

use std::path::PathBuf;

use iced::widget::{
    Column, Row, button, column, container, row, scrollable, space, text, text_editor, text_input,
};
use iced::{Element, Fill, Task};

use super::format;
use super::i18n::{Lang, t, t_args, t1};
use super::recipients::{DirectoryLookup, RecipientCheck, Suggestion, Verdict};
use super::theme;

/// Most bytes of attachments in one message (MSSanté operators' limit).
pub const ATTACHMENT_LIMIT: u64 = 10 * 1000 * 1000;
/// Completions shown under a recipient field.
const SUGGESTIONS: usize = 6;

/// The three recipient fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    To,
    Cc,
    Bcc,
}

impl Field {
    pub fn id(self) -> &'static str {
        match self {
            Field::To => "compose-to",
            Field::Cc => "compose-cc",
            Field::Bcc => "compose-bcc",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Input(Field, String),
    Commit(Field),
    Pick(Field, String),
    Remove(Field, usize),
    Subject(String),
    Body(text_editor::Action),
    AttachPath(String),
    Attach,
    RemoveAttachment(usize),
    Send,
    Close,
}

/// What the parent must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Closed,
}

/// A recipient as entered, with its verdict.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub raw: String,
    pub verdict: Verdict,
}

#[derive(Debug, Default)]
pub struct RecipientField {
    pub input: String,
    pub entries: Vec<Recipient>,
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug)]
pub struct Attachment {
    pub path: PathBuf,
    pub size: u64,
}

#[derive(Debug, Default)]
pub struct State {
    pub to: RecipientField,
    pub cc: RecipientField,
    pub bcc: RecipientField,
    pub subject: String,
    pub body: text_editor::Content,
    pub attachments: Vec<Attachment>,
    pub attach_path: String,
    pub attach_error: Option<String>,
    /// Shown after Send: sending is not configured.
    pub send_notice: bool,
}

impl State {
    /// A reply: recipients (checked), subject and quoted text.
    pub fn reply(
        to: &[String],
        cc: &[String],
        subject: &str,
        quoted: &str,
        lang: Lang,
        check: &dyn RecipientCheck,
    ) -> Self {
        let mut s = State::default();
        for a in to {
            s.to.entries.push(checked(a, check));
        }
        for a in cc {
            s.cc.entries.push(checked(a, check));
        }
        let prefix = t(lang, "compose-reply-prefix");
        s.subject = if subject.to_lowercase().starts_with("re:") {
            subject.to_owned()
        } else {
            format!("{prefix} {subject}")
        };
        let quoted: String = quoted.lines().map(|l| format!("> {l}\n")).collect();
        s.body = text_editor::Content::with_text(&format!("\n\n{quoted}"));
        s
    }

    fn field(&mut self, f: Field) -> &mut RecipientField {
        match f {
            Field::To => &mut self.to,
            Field::Cc => &mut self.cc,
            Field::Bcc => &mut self.bcc,
        }
    }

    fn all(&self) -> impl Iterator<Item = &Recipient> {
        self.to
            .entries
            .iter()
            .chain(&self.cc.entries)
            .chain(&self.bcc.entries)
    }

    /// Bytes of all attachments.
    pub fn attachments_size(&self) -> u64 {
        self.attachments.iter().map(|a| a.size).sum()
    }

    /// Why the message cannot be sent, if it cannot.
    pub fn blocked(&self, lang: Lang) -> Option<String> {
        if self.all().next().is_none() {
            return Some(t(lang, "compose-no-recipient"));
        }
        if self.all().any(|r| !r.verdict.is_allowed()) {
            return Some(t(lang, "compose-send-blocked"));
        }
        if self.attachments_size() > ATTACHMENT_LIMIT {
            return Some(t1(
                lang,
                "compose-too-big",
                "limit",
                format::size(ATTACHMENT_LIMIT, lang),
            ));
        }
        None
    }

    pub fn update(
        &mut self,
        message: Message,
        check: &dyn RecipientCheck,
        directory: &dyn DirectoryLookup,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Input(f, value) => {
                // A comma or semicolon ends an address.
                let field = self.field(f);
                if value.contains([',', ';']) {
                    let parts: Vec<&str> = value.split([',', ';']).collect();
                    let (last, done) = parts.split_last().unwrap_or((&"", &[]));
                    for p in done {
                        commit(field, p, check);
                    }
                    field.input = last.trim_start().to_owned();
                } else {
                    field.input = value;
                }
                field.suggestions = if field.input.trim().chars().count() >= 2 {
                    directory.autocomplete(field.input.trim(), SUGGESTIONS)
                } else {
                    Vec::new()
                };
            }
            Message::Commit(f) => {
                let field = self.field(f);
                let input = std::mem::take(&mut field.input);
                commit(field, &input, check);
                field.suggestions.clear();
            }
            Message::Pick(f, address) => {
                let field = self.field(f);
                field.input.clear();
                field.suggestions.clear();
                commit(field, &address, check);
            }
            Message::Remove(f, i) => {
                let field = self.field(f);
                if i < field.entries.len() {
                    field.entries.remove(i);
                }
            }
            Message::Subject(s) => self.subject = s,
            Message::Body(action) => self.body.perform(action),
            Message::AttachPath(p) => {
                self.attach_path = p;
                self.attach_error = None;
            }
            Message::Attach => {
                let path = PathBuf::from(self.attach_path.trim());
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => {
                        self.attachments.push(Attachment {
                            path,
                            size: m.len(),
                        });
                        self.attach_path.clear();
                        self.attach_error = None;
                    }
                    Ok(_) => self.attach_error = Some(format!("{}: not a file", path.display())),
                    Err(e) => self.attach_error = Some(format!("{}: {e}", path.display())),
                }
            }
            Message::RemoveAttachment(i) => {
                if i < self.attachments.len() {
                    self.attachments.remove(i);
                }
            }
            Message::Send => {
                // Sending is another part of the client: nothing is queued.
                self.send_notice = self.blocked(Lang::Fr).is_none();
            }
            Message::Close => return (Task::none(), Some(Event::Closed)),
        }
        (Task::none(), None)
    }

    pub fn view<'a>(&'a self, lang: Lang, directory: &dyn DirectoryLookup) -> Element<'a, Message> {
        let title = row![
            text(t(lang, "compose-title")).size(20).width(Fill),
            button(text(t(lang, "compose-close")).size(13))
                .style(button::secondary)
                .on_press(Message::Close),
        ]
        .align_y(iced::Center);
        let mut form = Column::new().spacing(10);
        form = form.push(self.recipient_view(Field::To, &self.to, t(lang, "compose-to"), lang));
        form = form.push(self.recipient_view(Field::Cc, &self.cc, t(lang, "compose-cc"), lang));
        form = form.push(self.recipient_view(Field::Bcc, &self.bcc, t(lang, "compose-bcc"), lang));
        if !directory.available() {
            form = form.push(text(t(lang, "directory-unavailable")).size(12).style(
                |th: &iced::Theme| text::Style {
                    color: Some(theme::muted(th)),
                },
            ));
        }
        form = form.push(labelled(
            t(lang, "compose-subject"),
            text_input("", &self.subject)
                .id("compose-subject")
                .on_input(Message::Subject)
                .padding(6)
                .into(),
        ));
        form = form.push(
            text_editor(&self.body)
                .placeholder(t(lang, "compose-body"))
                .on_action(Message::Body)
                .height(220)
                .padding(8),
        );
        form = form.push(self.attachments_view(lang));
        let blocked = self.blocked(lang);
        let send = button(text(t(lang, "compose-send")))
            .padding([6, 18])
            .on_press_maybe(blocked.is_none().then_some(Message::Send));
        let mut footer = row![send].spacing(12).align_y(iced::Center);
        if let Some(why) = blocked {
            footer = footer.push(text(why).size(13).style(text::danger));
        } else if self.send_notice {
            footer = footer.push(text(t(lang, "compose-send-unconfigured")).size(13));
        }
        column![title, scrollable(form.padding([0, 8])).height(Fill), footer]
            .spacing(12)
            .padding(16)
            .width(Fill)
            .height(Fill)
            .into()
    }

    fn recipient_view<'a>(
        &'a self,
        f: Field,
        field: &'a RecipientField,
        label: String,
        lang: Lang,
    ) -> Element<'a, Message> {
        let mut chips = Row::new().spacing(6);
        for (i, r) in field.entries.iter().enumerate() {
            let (note, kind) = match &r.verdict {
                Verdict::Allowed { domain, .. } => {
                    (t1(lang, "compose-allowed", "domain", domain), 0)
                }
                Verdict::Refused { reason } => (t1(lang, "compose-refused", "reason", reason), 1),
                Verdict::Unverified { reason } => {
                    (t1(lang, "compose-unverified", "reason", reason), 2)
                }
            };
            let color = move |th: &iced::Theme| match kind {
                0 => theme::success(th),
                1 => theme::danger(th),
                _ => theme::warning(th),
            };
            chips = chips.push(
                container(
                    row![
                        column![text(r.raw.clone()).size(13), text(note).size(11),],
                        button(text("×").size(13))
                            .style(button::text)
                            .padding([0, 4])
                            .on_press(Message::Remove(f, i)),
                    ]
                    .spacing(4)
                    .align_y(iced::Center),
                )
                .padding([3, 6])
                .style(move |th: &iced::Theme| theme::chip(color(th))(th)),
            );
        }
        let input = text_input(&t(lang, "compose-recipient-placeholder"), &field.input)
            .id(f.id())
            .on_input(move |v| Message::Input(f, v))
            .on_submit(Message::Commit(f))
            .padding(6);
        let mut col = column![chips.wrap(), input].spacing(4);
        for s in &field.suggestions {
            col = col.push(
                button(
                    column![
                        text(format!("{} <{}>", s.display_name, s.address)).size(13),
                        text(s.detail.clone()).size(11),
                    ]
                    .spacing(1),
                )
                .style(button::text)
                .width(Fill)
                .on_press(Message::Pick(f, s.address.clone())),
            );
        }
        labelled(label, col.into())
    }

    fn attachments_view(&self, lang: Lang) -> Element<'_, Message> {
        let mut col = Column::new().spacing(4);
        for (i, a) in self.attachments.iter().enumerate() {
            let name = a
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            col = col.push(
                row![
                    text(name).size(13),
                    text(format::size(a.size, lang)).size(12),
                    space::horizontal(),
                    button(text(t(lang, "compose-remove")).size(12))
                        .style(button::secondary)
                        .padding([2, 8])
                        .on_press(Message::RemoveAttachment(i)),
                ]
                .spacing(8),
            );
        }
        let total = self.attachments_size();
        let size_line = text(t_args(
            lang,
            "compose-attachments-size",
            &[
                ("size", format::size(total, lang).into()),
                ("limit", format::size(ATTACHMENT_LIMIT, lang).into()),
            ],
        ))
        .size(12);
        let size_line = if total > ATTACHMENT_LIMIT {
            size_line.style(text::danger)
        } else {
            size_line
        };
        col = col.push(size_line);
        col = col.push(
            row![
                text_input(&t(lang, "compose-attach-placeholder"), &self.attach_path)
                    .on_input(Message::AttachPath)
                    .on_submit(Message::Attach)
                    .padding(6),
                button(text(t(lang, "compose-attach")).size(13))
                    .style(button::secondary)
                    .on_press(Message::Attach),
            ]
            .spacing(6),
        );
        if let Some(e) = &self.attach_error {
            col = col.push(
                text(t1(lang, "compose-attach-failed", "reason", e))
                    .size(12)
                    .style(text::danger),
            );
        }
        col.into()
    }
}

fn checked(raw: &str, check: &dyn RecipientCheck) -> Recipient {
    Recipient {
        raw: raw.trim().to_owned(),
        verdict: check.check(raw.trim()),
    }
}

fn commit(field: &mut RecipientField, raw: &str, check: &dyn RecipientCheck) {
    let raw = raw.trim();
    if raw.is_empty()
        || field
            .entries
            .iter()
            .any(|r| r.raw.eq_ignore_ascii_case(raw))
    {
        return;
    }
    field.entries.push(checked(raw, check));
}

fn labelled<'a>(label: String, content: Element<'a, Message>) -> Element<'a, Message> {
    row![text(label).size(13).width(60), content]
        .spacing(8)
        .align_y(iced::Top)
        .into()
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Allows addresses of `*.mssante.fr`, refuses the rest.
    pub struct MssanteOnly;

    impl RecipientCheck for MssanteOnly {
        fn check(&self, raw: &str) -> Verdict {
            match raw.rsplit_once('@') {
                Some((_, domain)) if domain.ends_with("mssante.fr") => Verdict::Allowed {
                    address: raw.to_owned(),
                    domain: domain.to_owned(),
                },
                Some((_, domain)) => Verdict::Refused {
                    reason: format!("{domain} is not in the MSSanté trusted space"),
                },
                None => Verdict::Refused {
                    reason: "not an address".into(),
                },
            }
        }
    }

    /// A directory of two entries.
    pub struct TwoDoctors;

    impl DirectoryLookup for TwoDoctors {
        fn autocomplete(&self, input: &str, limit: usize) -> Vec<Suggestion> {
            [
                ("marie.durand@chu-lyon.mssante.fr", "Dr Marie Durand"),
                ("paul.martin@medecin.mssante.fr", "Dr Paul Martin"),
            ]
            .into_iter()
            .filter(|(a, n)| {
                a.contains(&input.to_lowercase())
                    || n.to_lowercase().contains(&input.to_lowercase())
            })
            .take(limit)
            .map(|(a, n)| Suggestion {
                address: a.into(),
                display_name: n.into(),
                detail: "Médecin · Lyon".into(),
            })
            .collect()
        }
    }

    #[test]
    fn refused_recipient_blocks_send() {
        let mut s = State::default();
        let _ = s.update(
            Message::Input(Field::To, "a@chu.mssante.fr, x@gmail.com;".into()),
            &MssanteOnly,
            &TwoDoctors,
        );
        assert_eq!(s.to.entries.len(), 2);
        assert!(s.to.entries[0].verdict.is_allowed());
        assert!(matches!(s.to.entries[1].verdict, Verdict::Refused { .. }));
        assert!(s.blocked(Lang::Fr).is_some());
        let _ = s.update(Message::Remove(Field::To, 1), &MssanteOnly, &TwoDoctors);
        assert!(s.blocked(Lang::Fr).is_none());
        let _ = s.update(Message::Send, &MssanteOnly, &TwoDoctors);
        assert!(s.send_notice, "Send says sending is not configured");
    }

    #[test]
    fn unverified_recipient_blocks_send() {
        let mut s = State::default();
        let none = super::super::recipients::NoWhitelist {
            unavailable: "no list".into(),
            invalid: "bad".into(),
        };
        s.to.input = "a@chu.mssante.fr".into();
        let _ = s.update(Message::Commit(Field::To), &none, &TwoDoctors);
        assert!(s.blocked(Lang::En).is_some());
    }

    #[test]
    fn directory_completion_and_pick() {
        let mut s = State::default();
        let _ = s.update(
            Message::Input(Field::Cc, "dur".into()),
            &MssanteOnly,
            &TwoDoctors,
        );
        assert_eq!(s.cc.suggestions.len(), 1);
        let addr = s.cc.suggestions[0].address.clone();
        let _ = s.update(
            Message::Pick(Field::Cc, addr.clone()),
            &MssanteOnly,
            &TwoDoctors,
        );
        assert_eq!(s.cc.entries[0].raw, addr);
        assert!(s.cc.suggestions.is_empty() && s.cc.input.is_empty());
    }

    #[test]
    fn attachments_count_against_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("scanner.pdf");
        std::fs::write(&big, vec![0u8; 6_000_000]).unwrap();
        let mut s = State::default();
        s.to.input = "a@chu.mssante.fr".into();
        let _ = s.update(Message::Commit(Field::To), &MssanteOnly, &TwoDoctors);
        for _ in 0..2 {
            let _ = s.update(
                Message::AttachPath(big.display().to_string()),
                &MssanteOnly,
                &TwoDoctors,
            );
            let _ = s.update(Message::Attach, &MssanteOnly, &TwoDoctors);
        }
        assert_eq!(s.attachments_size(), 12_000_000);
        assert!(s.blocked(Lang::Fr).unwrap().contains("10,0 Mo"));
        let _ = s.update(Message::RemoveAttachment(0), &MssanteOnly, &TwoDoctors);
        assert!(s.blocked(Lang::Fr).is_none());
        let _ = s.update(
            Message::AttachPath("/nonexistent/x".into()),
            &MssanteOnly,
            &TwoDoctors,
        );
        let _ = s.update(Message::Attach, &MssanteOnly, &TwoDoctors);
        assert!(s.attach_error.is_some());
    }
}
