//! The folder pane: role-based names in the interface language, unread counts.

use caducee::store::{Folder, FolderRole};
use iced::widget::{Column, button, column, container, row, scrollable, space, text};
use iced::{Element, Fill, Font, font};

use super::i18n::{Lang, t};
use super::theme;

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
    container(
        column![
            text(t(lang, "folders-title")).size(13),
            scrollable(list).height(Fill)
        ]
        .spacing(8),
    )
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
