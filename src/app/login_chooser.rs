//! The login methods an MSSanté account may offer, for the account form to
//! choose from: the CPS card, e-CPS (Pro Santé Connect), the national
//! operator's one-time code and the password.

use iced::widget::{Column, button, column, text};
use iced::{Element, Fill};

use super::i18n::{Lang, t};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// CPS card in a reader, PIN.
    Card,
    /// e-CPS through Pro Santé Connect.
    ECps,
    /// The national operator's one-time code.
    Otp,
    #[default]
    Password,
}

impl Method {
    pub const ALL: [Method; 4] = [Method::Card, Method::ECps, Method::Otp, Method::Password];

    /// Whether this version can log in this way.
    pub fn available(self) -> bool {
        matches!(
            self,
            Method::Card | Method::ECps | Method::Otp | Method::Password
        )
    }

    fn label(self) -> &'static str {
        match self {
            Method::Card => "login-method-card",
            Method::ECps => "login-method-ecps",
            Method::Otp => "login-method-otp",
            Method::Password => "login-method-password",
        }
    }

    fn detail(self) -> &'static str {
        match self {
            Method::Card => "login-method-card-detail",
            Method::Password => "login-method-password-detail",
            Method::ECps => "login-method-ecps-detail",
            Method::Otp => "login-method-otp-detail",
        }
    }
}

/// The list of methods, `chosen` marked; the ones not available cannot be
/// picked.
pub fn view<'a, M: Clone + 'a>(
    chosen: Method,
    lang: Lang,
    pick: impl Fn(Method) -> M,
) -> Element<'a, M> {
    let mut col = Column::new().spacing(6);
    col = col.push(text(t(lang, "login-method-title")).size(14));
    for m in Method::ALL {
        let style = if m == chosen {
            button::primary
        } else {
            button::secondary
        };
        let entry = column![
            text(t(lang, m.label())).size(15),
            text(t(lang, m.detail())).size(12),
        ]
        .spacing(2);
        col = col.push(
            button(entry)
                .width(Fill)
                .padding([6, 12])
                .style(style)
                .on_press_maybe(m.available().then(|| pick(m))),
        );
    }
    col.into()
}
