//! The composer: To/Cc/Bcc with each recipient checked against the MSSanté
//! whitelist as it is entered (refused ones in red with the reason, Send
//! disabled), directory completion, attachments against the account's limit
//! with a running size, DSN/MDN options, the identity picker (own address, or
//! "on behalf of" a professional the account holds a delegation for), drafts
//! saved on demand and after a pause in typing.
//!
//! Send and Save hand an [`Outgoing`] to the parent, which runs the work in
//! the background and reports back with [`State::sent`] / [`State::saved`].

use std::path::PathBuf;
use std::time::Duration;

use iced::widget::{
    Column, Row, button, checkbox, column, container, pick_list, row, scrollable, space, text,
    text_editor, text_input,
};
use iced::{Element, Fill, Task};

use caducee::account::Account;
use caducee::send::SendOptions;

use super::format;
use super::i18n::{Lang, t, t_args, t1};
use super::outgoing::{Attached, Outgoing, Source};
use super::recipients::{DirectoryLookup, RecipientCheck, Suggestion, Verdict};
use super::theme;

/// Most bytes of attachments in one message when no account says otherwise
/// (MSSanté operators' limit).
pub const ATTACHMENT_LIMIT: u64 = 10 * 1000 * 1000;
/// Completions shown under a recipient field.
const SUGGESTIONS: usize = 6;
/// Quiet time after the last change before a draft is saved by itself.
pub const AUTOSAVE_AFTER: Duration = Duration::from_secs(3);

/// Who the message is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account_id: i64,
    /// The account's own address.
    pub address: String,
    /// The professional it is sent for (a delegation), if any.
    pub on_behalf_of: Option<String>,
    /// The account's attachment limit.
    pub limit: u64,
}

impl Identity {
    /// Every identity the accounts offer: each own address, then each delegation.
    pub fn all(accounts: &[Account]) -> Vec<Identity> {
        let mut out = Vec::new();
        for a in accounts {
            let base = Identity {
                account_id: a.id,
                address: a.address.clone(),
                on_behalf_of: None,
                limit: a.settings.attachment_limit,
            };
            out.push(base.clone());
            for d in &a.settings.delegations {
                out.push(Identity {
                    on_behalf_of: Some(d.trim().to_owned()),
                    ..base.clone()
                });
            }
        }
        out
    }

    pub fn label(&self, lang: Lang) -> String {
        match &self.on_behalf_of {
            None => self.address.clone(),
            Some(pro) => t_args(
                lang,
                "compose-on-behalf",
                &[
                    ("professional", pro.clone().into()),
                    ("address", self.address.clone().into()),
                ],
            ),
        }
    }
}

/// One line of the identity picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityChoice {
    pub index: usize,
    pub label: String,
}

impl std::fmt::Display for IdentityChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// A line under the form: progress or result of a send or a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

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
    Identity(IdentityChoice),
    Dsn(bool),
    Mdn(bool),
    Send,
    SaveDraft,
    /// The autosave timer of change number `n` ran out.
    Autosave(u64),
    Close,
}

/// What the parent must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Closed,
    /// Send this (the composer shows it as sending until [`State::sent`]).
    Send(Box<Outgoing>),
    /// Save this as a draft.
    SaveDraft {
        outgoing: Box<Outgoing>,
        autosave: bool,
    },
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

#[derive(Debug, Default)]
pub struct State {
    pub to: RecipientField,
    pub cc: RecipientField,
    pub bcc: RecipientField,
    pub subject: String,
    pub body: text_editor::Content,
    pub attachments: Vec<Attached>,
    pub attach_path: String,
    pub attach_error: Option<String>,
    /// The identities the accounts offer (none: no account is set up).
    pub identities: Vec<Identity>,
    pub identity: usize,
    pub dsn: bool,
    pub mdn: bool,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Between Send and its answer.
    pub sending: bool,
    pub notice: Option<Notice>,
    /// The saved draft this message is (replaced at each save).
    pub draft_id: Option<i64>,
    /// Changes made so far, and how many the last saved draft holds.
    pub edits: u64,
    pub saved_edits: u64,
    /// A draft save is running (an autosave then waits for the next pause),
    /// with the changes it holds.
    pub saving: bool,
    saving_edits: u64,
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

    /// A composer with the accounts' identities (the first one chosen).
    pub fn with_identities(mut self, identities: Vec<Identity>) -> Self {
        self.identities = identities;
        self.identity = 0;
        self
    }

    /// A saved draft, back in the composer (recipients checked again).
    pub fn from_draft(
        out: Outgoing,
        identities: Vec<Identity>,
        check: &dyn RecipientCheck,
    ) -> Self {
        let mut s = State::default().with_identities(identities);
        for (field, list) in [
            (Field::To, &out.to),
            (Field::Cc, &out.cc),
            (Field::Bcc, &out.bcc),
        ] {
            for a in list {
                commit(s.field(field), a, check);
            }
        }
        if let Some(pro) = &out.on_behalf_of
            && let Some(i) = s
                .identities
                .iter()
                .position(|id| id.on_behalf_of.as_deref() == Some(pro.as_str()))
        {
            s.identity = i;
        }
        s.subject = out.subject;
        s.body = text_editor::Content::with_text(&out.text);
        s.attachments = out.attachments;
        s.dsn = out.options.dsn;
        s.mdn = out.options.mdn;
        s.in_reply_to = out.in_reply_to;
        s.references = out.references;
        s.draft_id = out.draft_id;
        s
    }

    /// Check every recipient again (a new whitelist was loaded).
    pub fn recheck(&mut self, check: &dyn RecipientCheck) {
        for f in [&mut self.to, &mut self.cc, &mut self.bcc] {
            for r in &mut f.entries {
                r.verdict = check.check(&r.raw);
            }
        }
    }

    /// The chosen identity, if an account is set up.
    pub fn chosen(&self) -> Option<&Identity> {
        self.identities.get(self.identity)
    }

    /// The attachment limit of the chosen account.
    pub fn limit(&self) -> u64 {
        self.chosen().map_or(ATTACHMENT_LIMIT, |i| i.limit)
    }

    /// What is written, for sending or saving.
    pub fn outgoing(&self) -> Outgoing {
        let list = |f: &RecipientField| f.entries.iter().map(|r| r.raw.clone()).collect();
        Outgoing {
            account_id: self.chosen().map(|i| i.account_id),
            on_behalf_of: self.chosen().and_then(|i| i.on_behalf_of.clone()),
            to: list(&self.to),
            cc: list(&self.cc),
            bcc: list(&self.bcc),
            subject: self.subject.clone(),
            text: self.body.text(),
            attachments: self.attachments.clone(),
            options: SendOptions {
                dsn: self.dsn,
                mdn: self.mdn,
            },
            in_reply_to: self.in_reply_to.clone(),
            references: self.references.clone(),
            draft_id: self.draft_id,
        }
    }

    /// Whether anything was written at all (an empty composer is not saved).
    fn is_empty(&self) -> bool {
        self.all().next().is_none()
            && self.subject.trim().is_empty()
            && self.body.text().trim().is_empty()
            && self.attachments.is_empty()
    }

    /// The answer to a send that queued nothing (a send that queued closes
    /// the composer: the message is then in the outbox).
    pub fn sent(&mut self, lang: Lang, result: Result<(), String>) {
        self.sending = false;
        if let Err(e) = result {
            self.notice = Some(Notice {
                text: t1(lang, "compose-send-failed", "reason", e),
                error: true,
            });
        }
    }

    /// The answer to a draft save.
    pub fn saved(&mut self, lang: Lang, result: Result<(i64, bool), String>) {
        self.saving = false;
        match result {
            Ok((id, uploaded)) => {
                self.draft_id = Some(id);
                self.saved_edits = self.saved_edits.max(self.saving_edits);
                self.notice = Some(Notice {
                    text: t(
                        lang,
                        if uploaded {
                            "compose-draft-saved-server"
                        } else {
                            "compose-draft-saved"
                        },
                    ),
                    error: false,
                });
            }
            Err(e) => {
                self.notice = Some(Notice {
                    text: t1(lang, "compose-draft-failed", "reason", e),
                    error: true,
                })
            }
        }
    }

    /// Count a change, and start the autosave timer for it.
    fn changed(&mut self) -> Task<Message> {
        self.edits += 1;
        let n = self.edits;
        // The timer starts when the executor first polls it (not here, where
        // there may be no runtime).
        Task::perform(
            async move { tokio::time::sleep(AUTOSAVE_AFTER).await },
            move |()| Message::Autosave(n),
        )
    }

    fn save_event(&mut self, autosave: bool) -> Option<Event> {
        if self.saving || self.sending || self.is_empty() {
            return None;
        }
        self.saving = true;
        self.saving_edits = self.edits;
        Some(Event::SaveDraft {
            outgoing: Box::new(self.outgoing()),
            autosave,
        })
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
        if self.attachments_size() > self.limit() {
            return Some(t1(
                lang,
                "compose-too-big",
                "limit",
                format::size(self.limit(), lang),
            ));
        }
        if self.sending {
            return Some(t(lang, "compose-sending"));
        }
        None
    }

    pub fn update(
        &mut self,
        message: Message,
        check: &dyn RecipientCheck,
        directory: &dyn DirectoryLookup,
    ) -> (Task<Message>, Option<Event>) {
        let edit = matches!(
            message,
            Message::Commit(_)
                | Message::Pick(..)
                | Message::Remove(..)
                | Message::Subject(_)
                | Message::Attach
                | Message::RemoveAttachment(_)
                | Message::Identity(_)
                | Message::Dsn(_)
                | Message::Mdn(_)
        ) || matches!(&message, Message::Body(a) if a.is_edit());
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
                        self.attachments.push(Attached {
                            name: path
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default(),
                            size: m.len(),
                            source: Source::File(path),
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
            Message::Identity(choice) => {
                if choice.index < self.identities.len() {
                    self.identity = choice.index;
                }
            }
            Message::Dsn(on) => self.dsn = on,
            Message::Mdn(on) => self.mdn = on,
            Message::Send => {
                if self.blocked(Lang::Fr).is_some() {
                    return (Task::none(), None);
                }
                self.sending = true;
                self.notice = None;
                return (Task::none(), Some(Event::Send(Box::new(self.outgoing()))));
            }
            Message::SaveDraft => return (Task::none(), self.save_event(false)),
            Message::Autosave(n) => {
                // Only after a pause: a later change has its own timer.
                if n == self.edits && self.edits > self.saved_edits {
                    return (Task::none(), self.save_event(true));
                }
            }
            Message::Close => return (Task::none(), Some(Event::Closed)),
        }
        if edit {
            return (self.changed(), None);
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
        form = form.push(
            row![
                checkbox(self.dsn)
                    .label(t(lang, "compose-dsn"))
                    .on_toggle(Message::Dsn)
                    .size(16)
                    .text_size(13),
                checkbox(self.mdn)
                    .label(t(lang, "compose-mdn"))
                    .on_toggle(Message::Mdn)
                    .size(16)
                    .text_size(13),
            ]
            .spacing(16),
        );
        let blocked = self.blocked(lang);
        let send = button(text(t(lang, "compose-send")))
            .padding([6, 18])
            .on_press_maybe(blocked.is_none().then_some(Message::Send));
        let save = button(text(t(lang, "compose-save-draft")).size(14))
            .padding([6, 12])
            .style(button::secondary)
            .on_press_maybe((!self.saving && !self.sending).then_some(Message::SaveDraft));
        let mut footer = row![send, save].spacing(12).align_y(iced::Center);
        if let Some(why) = blocked {
            let style = if self.sending {
                text::default
            } else {
                text::danger
            };
            footer = footer.push(text(why).size(13).style(style));
        } else if let Some(n) = &self.notice {
            let style = if n.error { text::danger } else { text::default };
            footer = footer.push(text(n.text.clone()).size(13).style(style));
        }
        column![
            title,
            self.identity_view(lang),
            scrollable(form.padding([0, 8])).height(Fill),
            footer
        ]
        .spacing(12)
        .padding(16)
        .width(Fill)
        .height(Fill)
        .into()
    }

    fn identity_view(&self, lang: Lang) -> Element<'_, Message> {
        let content: Element<'_, Message> = if self.identities.is_empty() {
            text(t(lang, "compose-no-account"))
                .size(13)
                .style(|th: &iced::Theme| text::Style {
                    color: Some(theme::muted(th)),
                })
                .into()
        } else {
            let choices: Vec<IdentityChoice> = self
                .identities
                .iter()
                .enumerate()
                .map(|(index, i)| IdentityChoice {
                    index,
                    label: i.label(lang),
                })
                .collect();
            let selected = choices.get(self.identity).cloned();
            pick_list(choices, selected, Message::Identity)
                .text_size(13)
                .into()
        };
        labelled(t(lang, "compose-from"), content)
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
            col = col.push(
                row![
                    text(a.name.clone()).size(13),
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
                ("limit", format::size(self.limit(), lang).into()),
            ],
        ))
        .size(12);
        let size_line = if total > self.limit() {
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
        let (_, event) = s.update(Message::Send, &MssanteOnly, &TwoDoctors);
        let Some(Event::Send(out)) = event else {
            panic!("Send hands the message over: {event:?}");
        };
        assert_eq!(out.to, ["a@chu.mssante.fr"]);
        assert!(s.sending && s.blocked(Lang::En).is_some(), "no second Send");
        let (_, again) = s.update(Message::Send, &MssanteOnly, &TwoDoctors);
        assert!(again.is_none());
        s.sent(Lang::En, Err("the server is down".into()));
        assert!(!s.sending && s.blocked(Lang::En).is_none());
        assert!(
            s.notice
                .as_ref()
                .unwrap()
                .text
                .contains("the server is down")
        );
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
