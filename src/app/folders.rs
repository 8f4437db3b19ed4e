//! The folder pane: role-based names in the interface language, unread
//! counts, and the mailbox quota the sync last read.

use caducee::store::{Folder, FolderRole};
use caducee::sync::Quota;
use iced::widget::{Column, button, column, container, progress_bar, row, scrollable, space, text};
use iced::{Element, Fill, Font, font};

use super::format;
use super::i18n::{Lang, t, t_args};
use super::theme;

/// The quota line: "used of limit (percent)", and the fill from 0 to 1.
/// `None` when the server sets no limit.
pub fn quota_line(q: &Quota, lang: Lang) -> Option<(String, f32)> {
    let limit = q.limit_kib.filter(|l| *l > 0)?;
    let share = (q.used_kib as f64 / limit as f64).clamp(0.0, 1.0);
    let line = t_args(
        lang,
        "folders-quota",
        &[
            ("used", format::size(q.used_kib * 1024, lang).into()),
            ("limit", format::size(limit * 1024, lang).into()),
            ("percent", ((share * 100.0).round() as i64).into()),
        ],
    );
    Some((line, share as f32))
}

/// The name a folder shows: its role's name, else its own name.
pub fn display_name(folder: &Folder, lang: Lang) -> String {
    let role = folder.role.or_else(|| guess_role(&folder.name));
    match role {
        Some(FolderRole::Inbox) => t(lang, "folder-inbox"),
        Some(FolderRole::Sent) => t(lang, "folder-sent"),
        Some(FolderRole::Drafts) => t(lang, "folder-drafts"),
        Some(FolderRole::Trash) => t(lang, "folder-trash"),
        Some(FolderRole::Junk) => t(lang, "folder-junk"),
        Some(FolderRole::Archive) => t(lang, "folder-archive"),
        None => folder.name.clone(),
    }
}

/// Roles of folders from servers without SPECIAL-USE, by their usual names.
fn guess_role(name: &str) -> Option<FolderRole> {
    match name.to_lowercase().as_str() {
        "inbox" => Some(FolderRole::Inbox),
        "sent" | "envoyés" | "sent messages" => Some(FolderRole::Sent),
        "drafts" | "brouillons" => Some(FolderRole::Drafts),
        "trash" | "corbeille" | "deleted messages" => Some(FolderRole::Trash),
        "junk" | "spam" | "indésirables" => Some(FolderRole::Junk),
        "archive" | "archives" => Some(FolderRole::Archive),
        _ => None,
    }
}

/// The folder pane. `on_select(None)` shows every folder.
pub fn view<'a, M: Clone + 'a>(
    folders: &'a [Folder],
    current: Option<i64>,
    quota: Option<&Quota>,
    lang: Lang,
    on_select: impl Fn(Option<i64>) -> M + 'a,
) -> Element<'a, M> {
    let bold = Font {
        weight: font::Weight::Bold,
        ..Font::DEFAULT
    };
    let entry = |label: String, unread: i64, id: Option<i64>| {
        let label = if unread > 0 {
            text(label).font(bold)
        } else {
            text(label)
        };
        let count = if unread > 0 {
            text(unread.to_string()).font(bold)
        } else {
            text("")
        };
        button(row![label, space::horizontal(), count].spacing(6))
            .width(Fill)
            .padding([6, 10])
            .style(theme::folder(current == id))
            .on_press(on_select(id))
    };
    let mut list = Column::new().spacing(2);
    for f in folders {
        list = list.push(entry(display_name(f, lang), f.unread, Some(f.id)));
    }
    let total_unread = folders.iter().map(|f| f.unread).sum();
    list = list.push(entry(t(lang, "folder-all"), total_unread, None));
    let mut pane = column![
        text(t(lang, "folders-title")).size(13),
        scrollable(list).height(Fill)
    ]
    .spacing(8);
    if let Some((line, share)) = quota.and_then(|q| quota_line(q, lang)) {
        let full = share >= 0.9;
        pane = pane.push(
            column![
                text(line).size(12),
                progress_bar(0.0..=1.0, share)
                    .girth(6)
                    .style(move |th: &iced::Theme| {
                        if full {
                            progress_bar::danger(th)
                        } else {
                            progress_bar::primary(th)
                        }
                    }),
            ]
            .spacing(4),
        );
    }
    container(pane)
        .padding(10)
        .width(240)
        .height(Fill)
        .style(theme::pane)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, role: Option<FolderRole>) -> Folder {
        Folder {
            id: 1,
            account_id: None,
            name: name.into(),
            role,
            total: 0,
            unread: 0,
        }
    }

    #[test]
    fn the_quota_line_reads_well_in_both_languages() {
        let q = Quota {
            root: String::new(),
            used_kib: 768 * 1024,
            limit_kib: Some(1024 * 1024),
            checked_at: 0,
        };
        let (fr, share) = quota_line(&q, Lang::Fr).unwrap();
        assert!((share - 0.75).abs() < 1e-6);
        assert!(fr.contains("75"), "{fr}");
        assert!(fr.contains("Mo") || fr.contains("Go"), "{fr}");
        let (en, _) = quota_line(&q, Lang::En).unwrap();
        assert!(en.contains("75 %") || en.contains("75%"), "{en}");
        let unlimited = Quota {
            limit_kib: None,
            ..q
        };
        assert!(quota_line(&unlimited, Lang::Fr).is_none());
    }

    #[test]
    fn roles_have_french_and_english_names() {
        let inbox = folder("INBOX", Some(FolderRole::Inbox));
        assert_eq!(display_name(&inbox, Lang::Fr), "Boîte de réception");
        assert_eq!(display_name(&inbox, Lang::En), "Inbox");
        assert_eq!(display_name(&folder("Sent", None), Lang::Fr), "Envoyés");
        assert_eq!(
            display_name(&folder("Patients", None), Lang::Fr),
            "Patients"
        );
    }
}
