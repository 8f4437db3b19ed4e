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

    /// The method of the form for a method the servers offer (an
    /// application certificate is set up from the command line only).
    pub fn from_kind(kind: caducee::account::discover::LoginKind) -> Option<Method> {
        use caducee::account::discover::LoginKind;
        match kind {
            LoginKind::Cps => Some(Method::Card),
            LoginKind::ProSanteConnect => Some(Method::ECps),
            LoginKind::Otp => Some(Method::Otp),
            LoginKind::Password => Some(Method::Password),
            LoginKind::Certificate => None,
        }
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

/// The list of methods, `chosen` marked: those in `offered` (what the
/// servers offer, best first) under their own heading, then the others; the
/// ones not available cannot be picked.
pub fn view<'a, M: Clone + 'a>(
    chosen: Method,
    offered: &[Method],
    lang: Lang,
    pick: impl Fn(Method) -> M,
) -> Element<'a, M> {
    let entry = |m: Method| -> Element<'a, M> {
        let style = if m == chosen {
            button::primary
        } else {
            button::secondary
        };
        let label = column![
            text(t(lang, m.label())).size(15),
            text(t(lang, m.detail())).size(12),
        ]
        .spacing(2);
        button(label)
            .width(Fill)
            .padding([6, 12])
            .style(style)
            .on_press_maybe(m.available().then(|| pick(m)))
            .into()
    };
    let mut col = Column::new().spacing(6);
    col = col.push(text(t(lang, "login-method-title")).size(14));
    if offered.is_empty() {
        for m in Method::ALL {
            col = col.push(entry(m));
        }
        return col.into();
    }
    col = col.push(text(t(lang, "account-methods-offered")).size(13));
    for m in offered {
        col = col.push(entry(*m));
    }
    col = col.push(text(t(lang, "account-methods-other")).size(13));
    for m in Method::ALL.into_iter().filter(|m| !offered.contains(m)) {
        col = col.push(entry(m));
    }
    col.into()
}
