//! The message list: a virtualised list of fixed-height rows (only the visible
//! rows are built, pages of rows are fetched as the user scrolls), newest first;
//! unread in bold, attachment and flag marks. While a search is active it shows
//! the search results instead.
//!
//! In conversation mode each row is a thread (its newest message, with the
//! number of messages); one thread at a time opens under its row. The rows
//! stay fixed-height, so the list stays virtualised at any size.

use std::collections::{HashMap, HashSet};

use caducee::mime::display_subject;
use caducee::store::{Folder, MessageRow, ThreadHead};
use iced::widget::{Column, button, column, container, row, scrollable, space, text};
use iced::{Element, Fill, Font, Task, font};
use time::UtcOffset;

use super::format;
use super::i18n::{Lang, t, tn};
use super::jobs::{Job, PAGE_SIZE};
use super::theme;

/// Height of one row, in logical pixels.
pub const ROW_HEIGHT: f32 = 56.0;
/// Id of the list's scrollable.
pub const LIST_ID: &str = "message-list";
/// Pages kept on each side of the visible ones.
const KEEP_PAGES: u32 = 2;
/// Viewport height assumed before the first layout.
const DEFAULT_VIEWPORT: f32 = 900.0;

#[derive(Debug, Clone)]
pub enum Message {
    SelectFolder(Option<i64>),
    Scrolled {
        offset: f32,
        height: f32,
    },
    Open(i64),
    /// Switch between one row per message and one row per conversation.
    ToggleThreads,
    /// Open (or close) the conversation shown at this row.
    ToggleThread(usize),
}

/// The conversation opened under its row.
#[derive(Debug, Clone)]
struct Expanded {
    /// Its row among the threads.
    index: usize,
    rows: Vec<MessageRow>,
}

/// What the parent must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Jobs(Vec<Job>),
    Open(i64),
}

#[derive(Debug, Default)]
pub struct State {
    pub folders: Vec<Folder>,
    /// The folder shown; `None` shows every folder.
    pub current: Option<i64>,
    total: usize,
    pages: HashMap<u32, Vec<MessageRow>>,
    pending: HashSet<u32>,
    generation: u64,
    /// Search results, shown instead of the folder while a search is active.
    pub search: Option<Vec<MessageRow>>,
    pub selected: Option<i64>,
    offset: f32,
    viewport: f32,
    /// One row per conversation.
    pub threads: bool,
    /// Messages of the folder (to see when it changes, also in thread mode).
    messages: usize,
    /// Thread sizes of the loaded pages (thread mode), by page.
    sizes: HashMap<u32, Vec<u32>>,
    expanded: Option<Expanded>,
    /// The first page is shown, the folder counts are not there yet.
    preloaded: bool,
    /// A row moved to before its page was loaded, and the message there
    /// once it was (to open).
    wanted: Option<usize>,
    reached: Option<i64>,
}

/// Where a keyboard move went.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    /// The message to open (`None` until its page is loaded).
    pub open: Option<i64>,
    /// The list offset that shows it.
    pub scroll: Option<f32>,
    pub jobs: Vec<Job>,
}

impl State {
    /// Number of rows in the list.
    pub fn len(&self) -> usize {
        match &self.search {
            Some(rows) => rows.len(),
            None => self.total + self.expanded.as_ref().map_or(0, |e| e.rows.len()),
        }
    }

    /// Where a displayed row comes from: a page row, or a row of the open thread.
    fn locate(&self, index: usize) -> Place {
        match &self.expanded {
            Some(e) if index > e.index && index <= e.index + e.rows.len() => {
                Place::Member(index - e.index - 1)
            }
            Some(e) if index > e.index => Place::Page(index - e.rows.len()),
            _ => Place::Page(index),
        }
    }

    fn page_row(&self, index: usize) -> Option<&MessageRow> {
        let page = (index / PAGE_SIZE as usize) as u32;
        self.pages
            .get(&page)
            .and_then(|rows| rows.get(index % PAGE_SIZE as usize))
    }

    /// The row at `index`, when loaded.
    pub fn row(&self, index: usize) -> Option<&MessageRow> {
        match &self.search {
            Some(rows) => rows.get(index),
            None => match self.locate(index) {
                Place::Page(i) => self.page_row(i),
                Place::Member(i) => self.expanded.as_ref().and_then(|e| e.rows.get(i)),
            },
        }
    }

    /// The size of the conversation at a displayed row (thread mode, head rows).
    pub fn thread_size(&self, index: usize) -> Option<u32> {
        if !self.threads || self.search.is_some() {
            return None;
        }
        let Place::Page(i) = self.locate(index) else {
            return None;
        };
        let page = (i / PAGE_SIZE as usize) as u32;
        self.sizes
            .get(&page)
            .and_then(|s| s.get(i % PAGE_SIZE as usize))
            .copied()
    }

    /// Whether the conversation at this row is the open one.
    fn is_open(&self, index: usize) -> bool {
        self.expanded.as_ref().is_some_and(|e| e.index == index)
    }

    /// The position of a message among the loaded rows.
    pub fn index_of(&self, id: i64) -> Option<usize> {
        match &self.search {
            Some(rows) => rows.iter().position(|r| r.id == id),
            None => {
                if let Some(e) = &self.expanded
                    && let Some(i) = e.rows.iter().position(|r| r.id == id)
                {
                    return Some(e.index + 1 + i);
                }
                let i = self.pages.iter().find_map(|(page, rows)| {
                    rows.iter()
                        .position(|r| r.id == id)
                        .map(|i| *page as usize * PAGE_SIZE as usize + i)
                })?;
                Some(match &self.expanded {
                    Some(e) if i > e.index => i + e.rows.len(),
                    _ => i,
                })
            }
        }
    }

    pub fn row_mut(&mut self, id: i64) -> Option<&mut MessageRow> {
        let in_pages = self.pages.values_mut().flat_map(|p| p.iter_mut());
        let in_thread = self.expanded.iter_mut().flat_map(|e| e.rows.iter_mut());
        match &mut self.search {
            Some(rows) => rows
                .iter_mut()
                .chain(in_pages)
                .chain(in_thread)
                .find(|r| r.id == id),
            None => in_thread.chain(in_pages).find(|r| r.id == id),
        }
    }

    /// New folder counts; the first time, show the inbox.
    pub fn set_folders(&mut self, folders: Vec<Folder>) -> Vec<Job> {
        let first = self.folders.is_empty() && self.pages.is_empty();
        self.folders = folders;
        let total = self.folder_total(self.current);
        if self.preloaded {
            // The first page came with the opening: now the list knows its length.
            self.preloaded = false;
            if !self.threads && self.folders.iter().any(|f| Some(f.id) == self.current) {
                self.messages = total;
                self.total = total;
                return self.missing_pages();
            }
            return self.show_folder(self.folders.first().map(|f| f.id));
        }
        if first {
            let inbox = self.folders.first().map(|f| f.id);
            return self.show_folder(inbox);
        }
        if total != self.messages {
            // Messages came or went: reload what is shown.
            return self.show_folder(self.current);
        }
        Vec::new()
    }

    fn folder_total(&self, folder: Option<i64>) -> usize {
        let total: i64 = match folder {
            Some(id) => self
                .folders
                .iter()
                .filter(|f| f.id == id)
                .map(|f| f.total)
                .sum(),
            None => self.folders.iter().map(|f| f.total).sum(),
        };
        total.max(0) as usize
    }

    fn show_folder(&mut self, folder: Option<i64>) -> Vec<Job> {
        self.current = folder;
        self.messages = self.folder_total(folder);
        self.pages.clear();
        self.sizes.clear();
        self.pending.clear();
        self.expanded = None;
        self.generation += 1;
        self.offset = 0.0;
        if self.threads {
            // The number of threads first: it sizes the list.
            self.total = 0;
            return vec![Job::ThreadCount {
                folder,
                generation: self.generation,
            }];
        }
        self.total = self.messages;
        self.missing_pages()
    }

    /// Load again what is shown (after a sync changed the store), keeping
    /// the selection and the scroll position; the rows shown stay until
    /// their new version arrives.
    pub fn refresh(&mut self) -> Vec<Job> {
        if self.search.is_some() || self.preloaded {
            return Vec::new();
        }
        self.generation += 1;
        self.pending.clear();
        self.expanded = None;
        if self.threads {
            self.pages.clear();
            self.sizes.clear();
            return vec![Job::ThreadCount {
                folder: self.current,
                generation: self.generation,
            }];
        }
        // The pages on screen are asked again; the others are dropped (read
        // again when scrolled to).
        let (first, last) = self.visible_range();
        let shown = (first / PAGE_SIZE as usize) as u32..=(last / PAGE_SIZE as usize) as u32;
        self.pages.retain(|page, _| shown.contains(page));
        let stale: Vec<u32> = self.pages.keys().copied().collect();
        let mut jobs = self.missing_pages();
        for page in stale {
            if self.pending.insert(page) {
                jobs.push(Job::Page {
                    folder: self.current,
                    page,
                    generation: self.generation,
                });
            }
        }
        jobs
    }

    /// Show a first page read before the folder counts are known.
    pub fn preload(&mut self, folder: i64, rows: Vec<MessageRow>) {
        self.current = Some(folder);
        self.generation += 1;
        self.total = rows.len();
        self.messages = rows.len();
        self.pages.insert(0, rows);
        self.preloaded = true;
    }

    /// The number of conversations arrived (thread mode).
    pub fn thread_count(&mut self, folder: Option<i64>, generation: u64, count: usize) -> Vec<Job> {
        if generation != self.generation || folder != self.current || !self.threads {
            return Vec::new();
        }
        self.total = count;
        self.missing_pages()
    }

    /// A page of conversations arrived.
    pub fn threads_loaded(
        &mut self,
        folder: Option<i64>,
        page: u32,
        generation: u64,
        heads: Vec<ThreadHead>,
    ) -> Vec<Job> {
        let (rows, sizes) = heads.into_iter().map(|h| (h.row, h.count)).unzip();
        self.sizes.insert(page, sizes);
        self.page_loaded(folder, page, generation, rows)
    }

    /// The messages of the conversation opened at `index` arrived.
    pub fn thread_loaded(
        &mut self,
        index: usize,
        key: &str,
        generation: u64,
        rows: Vec<MessageRow>,
    ) {
        // Stale when the list changed since it was asked for.
        if generation != self.generation
            || self.page_row(index).map(|r| r.thread_key.as_str()) != Some(key)
        {
            return;
        }
        // The head row itself stays as the first line; its thread follows.
        let head = self.page_row(index).map(|r| r.id);
        let rows: Vec<MessageRow> = rows.into_iter().filter(|r| Some(r.id) != head).collect();
        self.expanded = Some(Expanded { index, rows });
    }

    /// Jobs for the pages under the viewport (and the next one) not loaded yet.
    fn missing_pages(&mut self) -> Vec<Job> {
        if self.search.is_some() || self.total == 0 {
            return Vec::new();
        }
        let (first, last) = self.visible_range();
        // Page rows under the viewport (the open thread's rows are not paged).
        let shift = self.expanded.as_ref().map_or(0, |e| e.rows.len());
        let (first, last) = (first.saturating_sub(shift), last);
        let first_page = (first / PAGE_SIZE as usize) as u32;
        let last_page = ((last + PAGE_SIZE as usize / 2).min(self.total.saturating_sub(1))
            / PAGE_SIZE as usize) as u32;
        // Forget pages far from the viewport: memory stays flat on huge folders.
        let keep = first_page.saturating_sub(KEEP_PAGES)..=last_page + KEEP_PAGES;
        self.pages.retain(|page, _| keep.contains(page));
        self.sizes.retain(|page, _| keep.contains(page));
        let mut jobs = Vec::new();
        for page in first_page..=last_page {
            if !self.pages.contains_key(&page) && self.pending.insert(page) {
                let (folder, generation) = (self.current, self.generation);
                jobs.push(if self.threads {
                    Job::Threads {
                        folder,
                        page,
                        generation,
                    }
                } else {
                    Job::Page {
                        folder,
                        page,
                        generation,
                    }
                });
            }
        }
        jobs
    }

    /// Indices of the first and last visible rows.
    pub fn visible_range(&self) -> (usize, usize) {
        let viewport = self.viewport_height();
        let first = (self.offset / ROW_HEIGHT).floor().max(0.0) as usize;
        let count = (viewport / ROW_HEIGHT).ceil() as usize + 1;
        let last = (first + count).min(self.len()).saturating_sub(1);
        (first.min(last), last)
    }

    /// A page arrived.
    pub fn page_loaded(
        &mut self,
        folder: Option<i64>,
        page: u32,
        generation: u64,
        rows: Vec<MessageRow>,
    ) -> Vec<Job> {
        if generation != self.generation || folder != self.current {
            return Vec::new();
        }
        self.pending.remove(&page);
        self.pages.insert(page, rows);
        if let Some(i) = self.wanted
            && let Some(id) = self.row(i).map(|r| r.id)
        {
            self.wanted = None;
            self.selected = Some(id);
            self.reached = Some(id);
        }
        self.missing_pages()
    }

    /// Keep the viewport height when the window changes.
    pub fn set_viewport_height(&mut self, height: f32) -> Vec<Job> {
        self.viewport = height;
        self.missing_pages()
    }

    /// The list's height, or an assumed one before the first layout.
    fn viewport_height(&self) -> f32 {
        if self.viewport > 0.0 {
            self.viewport
        } else {
            DEFAULT_VIEWPORT
        }
    }

    /// Rows in one screen of the list (Page Up / Page Down).
    pub fn page_rows(&self) -> isize {
        let viewport = self.viewport_height();
        ((viewport / ROW_HEIGHT).floor() as isize - 1).max(1)
    }

    /// Move the selection by `delta` rows (clamped to the list): the message
    /// to open, the scroll offset that keeps it visible, and the pages to load
    /// when the row is not loaded yet (it is selected when its page arrives,
    /// see [`State::take_reached`]).
    pub fn step(&mut self, delta: isize) -> Option<Moved> {
        if self.len() == 0 {
            return None;
        }
        let current = self
            .wanted
            .or_else(|| self.selected.and_then(|id| self.index_of(id)));
        let next = match current {
            Some(i) => (i as isize)
                .saturating_add(delta)
                .clamp(0, self.len() as isize - 1) as usize,
            None if delta < 0 => self.len() - 1,
            None => 0,
        };
        let top = next as f32 * ROW_HEIGHT;
        let viewport = self.viewport_height();
        let scroll = if top < self.offset {
            Some(top)
        } else if top + ROW_HEIGHT > self.offset + viewport {
            Some(top + ROW_HEIGHT - viewport)
        } else {
            None
        };
        if let Some(y) = scroll {
            self.offset = y;
        }
        let open = self.row(next).map(|r| r.id);
        match open {
            Some(id) => {
                self.selected = Some(id);
                self.wanted = None;
            }
            None => self.wanted = Some(next),
        }
        Some(Moved {
            open,
            scroll,
            jobs: self.missing_pages(),
        })
    }

    /// The message the keyboard moved to, once its page has arrived.
    pub fn take_reached(&mut self) -> Option<i64> {
        self.reached.take()
    }

    /// Show search results (or, with `None`, the folder again).
    pub fn set_search(&mut self, rows: Option<Vec<MessageRow>>) -> Vec<Job> {
        self.search = rows;
        self.offset = 0.0;
        self.missing_pages()
    }

    /// A message was removed from the store.
    pub fn removed(&mut self, id: i64) {
        if let Some(rows) = &mut self.search {
            rows.retain(|r| r.id != id);
        }
        if self.selected == Some(id) {
            self.selected = None;
        }
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::SelectFolder(folder) => {
                self.search = None;
                let jobs = self.show_folder(folder);
                let scroll = iced::widget::operation::scroll_to(
                    LIST_ID,
                    scrollable::AbsoluteOffset { x: 0.0, y: 0.0 },
                );
                (scroll, Some(Event::Jobs(jobs)))
            }
            Message::Scrolled { offset, height } => {
                self.offset = offset;
                self.viewport = height;
                let jobs = self.missing_pages();
                (
                    Task::none(),
                    (!jobs.is_empty()).then_some(Event::Jobs(jobs)),
                )
            }
            Message::Open(id) => {
                self.selected = Some(id);
                (Task::none(), Some(Event::Open(id)))
            }
            Message::ToggleThreads => {
                self.threads = !self.threads;
                let jobs = self.show_folder(self.current);
                (Task::none(), Some(Event::Jobs(jobs)))
            }
            Message::ToggleThread(index) => {
                if self.is_open(index) {
                    self.expanded = None;
                    return (Task::none(), None);
                }
                self.expanded = None;
                let Some(key) = self.page_row(index).map(|r| r.thread_key.clone()) else {
                    return (Task::none(), None);
                };
                let job = Job::Thread {
                    folder: self.current,
                    index,
                    key,
                    generation: self.generation,
                };
                (Task::none(), Some(Event::Jobs(vec![job])))
            }
        }
    }

    /// The list pane.
    pub fn view(&self, lang: Lang, offset: UtcOffset, now: i64) -> Element<'_, Message> {
        let len = self.len();
        let header = match &self.search {
            Some(rows) => tn(lang, "search-results", rows.len()),
            None if self.threads => tn(lang, "list-threads-count", self.total),
            None => tn(lang, "list-count", len),
        };
        let toggle = button(
            text(t(
                lang,
                if self.threads {
                    "list-show-messages"
                } else {
                    "list-show-threads"
                },
            ))
            .size(12),
        )
        .style(button::text)
        .padding([0, 4])
        .on_press_maybe(self.search.is_none().then_some(Message::ToggleThreads));
        let header = container(
            row![text(header).size(13), space::horizontal(), toggle].align_y(iced::Center),
        )
        .padding([6, 12]);
        if len == 0 {
            return column![
                header,
                container(text(t(lang, "list-empty")))
                    .padding(20)
                    .center_x(Fill)
            ]
            .width(Fill)
            .into();
        }
        let (first, last) = self.visible_range();
        let mut rows = Column::new().width(Fill);
        rows = rows.push(space().height(first as f32 * ROW_HEIGHT));
        for index in first..=last {
            rows = rows.push(match self.row(index) {
                Some(r) => self.row_view(index, r, lang, offset, now),
                None => container(text(t(lang, "loading")).size(13))
                    .padding([8, 12])
                    .height(ROW_HEIGHT)
                    .into(),
            });
        }
        let after = len.saturating_sub(last + 1);
        rows = rows.push(space().height(after as f32 * ROW_HEIGHT));
        let list = scrollable(rows)
            .id(LIST_ID)
            .height(Fill)
            .width(Fill)
            .on_scroll(|v| Message::Scrolled {
                offset: v.absolute_offset().y,
                height: v.bounds().height,
            });
        column![header, list].width(Fill).height(Fill).into()
    }

    fn row_view<'a>(
        &self,
        index: usize,
        r: &'a MessageRow,
        lang: Lang,
        offset: UtcOffset,
        now: i64,
    ) -> Element<'a, Message> {
        let weight = if r.flags.seen {
            font::Weight::Normal
        } else {
            font::Weight::Bold
        };
        let font = Font {
            weight,
            ..Font::DEFAULT
        };
        let from = if r.from_name.is_empty() {
            r.from_addr.as_str()
        } else {
            r.from_name.as_str()
        };
        let subject = display_subject(&r.subject);
        let subject = if subject.trim().is_empty() {
            t(lang, "list-no-subject")
        } else {
            subject.to_owned()
        };
        let mut top = row![
            container(
                text(from)
                    .font(font)
                    .size(14)
                    .wrapping(text::Wrapping::None)
            )
            .width(Fill)
            .clip(true)
        ]
        .spacing(6);
        if r.flags.flagged {
            top = top.push(text("⚑").size(14).style(|t: &iced::Theme| text::Style {
                color: Some(t.palette().danger),
            }));
        }
        if r.has_attachments {
            top = top.push(text(t(lang, "list-attachment-short")).size(12));
        }
        top = top.push(text(format::short_date(r.date, now, offset)).size(12));
        let member = matches!(self.locate(index), Place::Member(_)) && self.search.is_none();
        let size = self.thread_size(index).filter(|n| *n > 1);
        let content = column![
            top,
            container(
                text(subject)
                    .font(font)
                    .size(13)
                    .wrapping(text::Wrapping::None)
            )
            .width(Fill)
            .clip(true),
        ]
        .spacing(2);
        let open = button(content)
            .width(Fill)
            .height(ROW_HEIGHT)
            .padding([6, 12])
            .style(theme::row(self.selected == Some(r.id)))
            .on_press(Message::Open(r.id));
        if member {
            // A message of the open conversation: indented under its head.
            return row![space().width(28), open].height(ROW_HEIGHT).into();
        }
        match size {
            Some(n) => {
                let mark = if self.is_open(index) { "▾" } else { "▸" };
                row![
                    button(text(format!("{mark} {n}")).size(12))
                        .style(button::text)
                        .width(44)
                        .height(ROW_HEIGHT)
                        .padding([18, 4])
                        .on_press(Message::ToggleThread(index)),
                    open
                ]
                .height(ROW_HEIGHT)
                .into()
            }
            None if self.threads && self.search.is_none() => {
                row![space().width(44), open].height(ROW_HEIGHT).into()
            }
            None => open.into(),
        }
    }
}

/// Where a displayed row comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Page(usize),
    Member(usize),
}

#[cfg(test)]
mod tests {
    use super::*;
    use caducee::store::Flag;

    fn rows(n: usize, base: i64) -> Vec<MessageRow> {
        (0..n)
            .map(|i| MessageRow {
                id: base + i as i64,
                folder_id: 1,
                subject: format!("s{i}"),
                from_name: String::new(),
                from_addr: "a@b.fr".into(),
                date: 0,
                size: 1,
                flags: Flag::default(),
                has_attachments: false,
                has_body: true,
                preview: String::new(),
                thread_key: String::new(),
            })
            .collect()
    }

    fn folder(id: i64, total: i64) -> Folder {
        Folder {
            id,
            account_id: None,
            name: "INBOX".into(),
            role: None,
            total,
            unread: 0,
        }
    }

    #[test]
    fn a_refresh_asks_the_shown_pages_again_and_keeps_the_selection() {
        let mut s = State::default();
        let _ = s.set_folders(vec![folder(1, 1000)]);
        let _ = s.page_loaded(Some(1), 0, 1, rows(200, 0));
        let _ = s.page_loaded(Some(1), 1, 1, rows(200, 200));
        s.selected = Some(5);
        let jobs = s.refresh();
        // Page 0 is on screen: asked again (the others are read when scrolled to).
        assert!(jobs.contains(&Job::Page {
            folder: Some(1),
            page: 0,
            generation: 2
        }));
        assert_eq!(s.selected, Some(5));
        // The old rows stay shown until the new ones arrive.
        assert_eq!(s.row(5).map(|r| r.id), Some(5));
        let mut fresh = rows(200, 0);
        fresh[5].flags.seen = true;
        let _ = s.page_loaded(Some(1), 0, 2, fresh);
        assert!(s.row(5).unwrap().flags.seen);
        // An answer for the list before the refresh is dropped.
        let _ = s.page_loaded(Some(1), 0, 1, rows(200, 0));
        assert!(s.row(5).unwrap().flags.seen);
        // Conversations: counted again.
        s.threads = true;
        assert_eq!(
            s.refresh(),
            vec![Job::ThreadCount {
                folder: Some(1),
                generation: 3
            }]
        );
    }

    #[test]
    fn only_the_pages_under_the_viewport_are_requested() {
        let mut s = State::default();
        let jobs = s.set_folders(vec![folder(1, 100_000)]);
        assert_eq!(
            jobs,
            vec![Job::Page {
                folder: Some(1),
                page: 0,
                generation: 1
            }]
        );
        assert!(s.page_loaded(Some(1), 0, 1, rows(200, 0)).is_empty());
        // Scroll far down: only the page there is asked for.
        let (_, event) = s.update(Message::Scrolled {
            offset: 50_000.0 * ROW_HEIGHT,
            height: 600.0,
        });
        assert_eq!(
            event,
            Some(Event::Jobs(vec![Job::Page {
                folder: Some(1),
                page: 250,
                generation: 1
            }]))
        );
        assert!(s.row(0).is_none(), "far pages are dropped");
        let (first, last) = s.visible_range();
        assert_eq!(first, 50_000);
        assert!(last - first < 15, "only visible rows are built");
        // A stale page from another folder is ignored.
        let _ = s.update(Message::SelectFolder(None));
        assert!(s.page_loaded(Some(1), 250, 1, rows(200, 0)).is_empty());
        assert!(s.row(50_000).is_none());
    }

    #[test]
    fn conversations_open_under_their_row_and_stay_virtualised() {
        let mut s = State::default();
        s.set_folders(vec![folder(1, 100_000)]);
        let (_, event) = s.update(Message::ToggleThreads);
        assert_eq!(
            event,
            Some(Event::Jobs(vec![Job::ThreadCount {
                folder: Some(1),
                generation: 2
            }]))
        );
        let jobs = s.thread_count(Some(1), 2, 60_000);
        assert_eq!(
            jobs,
            vec![Job::Threads {
                folder: Some(1),
                page: 0,
                generation: 2
            }]
        );
        let heads = rows(200, 0)
            .into_iter()
            .enumerate()
            .map(|(i, mut row)| {
                row.thread_key = format!("t{i}");
                ThreadHead {
                    row,
                    count: if i == 0 { 3 } else { 1 },
                    unread: 0,
                }
            })
            .collect();
        s.threads_loaded(Some(1), 0, 2, heads);
        assert_eq!(s.len(), 60_000);
        assert_eq!(s.thread_size(0), Some(3));
        assert_eq!(s.thread_size(1), Some(1));
        // Open the first conversation: its two other messages follow it.
        let (_, event) = s.update(Message::ToggleThread(0));
        let Some(Event::Jobs(jobs)) = event else {
            panic!("{event:?}")
        };
        assert!(matches!(&jobs[..], [Job::Thread { index: 0, key, .. }] if key == "t0"));
        let mut members = rows(3, 1000);
        members[0].id = 0; // the head itself is in the answer too
        s.thread_loaded(0, "t0", 2, members);
        assert_eq!(s.len(), 60_002);
        assert_eq!(s.row(0).unwrap().id, 0);
        assert_eq!(s.row(1).unwrap().id, 1001);
        assert_eq!(s.row(2).unwrap().id, 1002);
        assert_eq!(s.row(3).unwrap().id, 1, "the next thread");
        assert_eq!(s.thread_size(1), None, "a member row");
        assert_eq!(s.index_of(1002), Some(2));
        assert_eq!(s.index_of(5), Some(7));
        s.selected = Some(0);
        assert_eq!(s.step(1).and_then(|x| x.open), Some(1001));
        // Close it again.
        let _ = s.update(Message::ToggleThread(0));
        assert_eq!(s.len(), 60_000);
        assert_eq!(s.row(1).unwrap().id, 1);
        // Far down, only the page there is asked for, as threads.
        let (_, event) = s.update(Message::Scrolled {
            offset: 50_000.0 * ROW_HEIGHT,
            height: 600.0,
        });
        assert_eq!(
            event,
            Some(Event::Jobs(vec![Job::Threads {
                folder: Some(1),
                page: 250,
                generation: 2
            }]))
        );
    }

    #[test]
    fn stepping_selects_and_scrolls() {
        let mut s = State::default();
        s.set_folders(vec![folder(1, 30)]);
        s.page_loaded(Some(1), 0, 1, rows(30, 100));
        s.set_viewport_height(ROW_HEIGHT * 5.0);
        let first = s.step(1).unwrap();
        assert_eq!((first.open, first.scroll), (Some(100), None));
        for _ in 0..5 {
            s.step(1);
        }
        assert_eq!(s.selected, Some(105));
        assert!(s.step(1).unwrap().scroll.is_some());
        assert_eq!(s.step(-100).unwrap().open, Some(100));
        assert_eq!(s.page_rows(), 4);
    }

    #[test]
    fn end_of_a_huge_folder_is_reached_when_its_page_arrives() {
        let mut s = State::default();
        s.set_folders(vec![folder(1, 100_000)]);
        s.page_loaded(Some(1), 0, 1, rows(200, 0));
        s.set_viewport_height(ROW_HEIGHT * 10.0);
        assert_eq!(s.step(1).unwrap().open, Some(0));
        // End: the last row is far away, its page is asked for.
        let moved = s.step(isize::MAX).unwrap();
        assert_eq!(moved.open, None);
        let last_page = 99_999 / PAGE_SIZE;
        assert!(
            moved.jobs.contains(&Job::Page {
                folder: Some(1),
                page: last_page,
                generation: 1
            }),
            "{:?}",
            moved.jobs
        );
        assert_eq!(
            moved.scroll,
            Some(100_000.0 * ROW_HEIGHT - ROW_HEIGHT * 10.0)
        );
        assert_eq!(s.take_reached(), None);
        let base = i64::from(last_page) * PAGE_SIZE as i64;
        s.page_loaded(Some(1), last_page, 1, rows(100_000 - base as usize, base));
        let id = s
            .take_reached()
            .expect("the last row is selected once loaded");
        assert_eq!(id, 99_999);
        assert_eq!(s.selected, Some(99_999));
        // Home: the first page was forgotten down there, so it is asked again.
        let home = s.step(isize::MIN).unwrap();
        assert_eq!((home.open, home.scroll), (None, Some(0.0)));
        assert!(
            home.jobs
                .iter()
                .any(|j| matches!(j, Job::Page { page: 0, .. }))
        );
        s.page_loaded(Some(1), 0, 1, rows(200, 0));
        assert_eq!(s.take_reached(), Some(0));
    }
}
