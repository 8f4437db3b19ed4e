//! The language of the core's user-visible text: the error messages, kept in
//! Fluent files `i18n/<lang>/errors/<module>.ftl`, French and English.
//!
//! The faces pick the language once at start ([`set`]): the window follows
//! its setting, the command line `CADUCEE_LANG` or the system locale
//! ([`Lang::from_env`]). A program using the library without choosing gets
//! English. Error types write their messages with [`tr`], [`tr1`], [`tr2`]
//! and [`tr3`], e.g. `#[error("{}", tr1("store-newer", "found", .found))]`,
//! so `to_string()` gives the text in the chosen language.

mod files;

use std::cell::Cell;
use std::fmt::Display;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language of the user-visible text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The language of the system locale: English for `en*`, French otherwise.
    pub fn from_system() -> Self {
        Self::from_locale(sys_locale::get_locale().as_deref().unwrap_or("fr"))
    }

    /// `CADUCEE_LANG` (`fr` or `en`) when set, else the system locale.
    pub fn from_env() -> Self {
        std::env::var("CADUCEE_LANG")
            .ok()
            .and_then(|code| Self::parse(code.trim()))
            .unwrap_or_else(Self::from_system)
    }

    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language's own name, shown in a language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::En => "English",
        }
    }

    fn index(self) -> u8 {
        match self {
            Lang::Fr => 1,
            Lang::En => 2,
        }
    }
}

/// The process's language: 0 until [`set`] is called (English then).
static CURRENT: AtomicU8 = AtomicU8::new(0);

thread_local! {
    /// A language for this thread only (see [`with_lang`]).
    static OVERRIDE: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// Choose the language of the core's messages for the whole process.
pub fn set(lang: Lang) {
    CURRENT.store(lang.index(), Ordering::Relaxed);
}

/// The language the core's messages are written in now.
pub fn current() -> Lang {
    if let Some(lang) = OVERRIDE.with(Cell::get) {
        return lang;
    }
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Fr,
        _ => Lang::En,
    }
}

/// Choose the language of the core's messages on this thread only, over the
/// process's (tests that run windows in several languages side by side).
pub fn set_for_thread(lang: Lang) {
    OVERRIDE.with(|o| o.set(Some(lang)));
}

/// Run `f` with the core's messages in `lang` on this thread only, e.g. to
/// render an error in a language other than the process's.
pub fn with_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    let before = OVERRIDE.with(|o| o.replace(Some(lang)));
    let out = f();
    OVERRIDE.with(|o| o.set(before));
    out
}

/// `error` as text in `lang`.
pub fn localized(error: &dyn Display, lang: Lang) -> String {
    with_lang(lang, || error.to_string())
}

/// A language's Fluent messages.
pub type Bundle = FluentBundle<FluentResource>;

/// The bundle of `lang` over named Fluent sources (the core's, or a face's);
/// faults in a source are logged, what parses is kept.
pub fn bundle(lang: Lang, sources: &[(&str, &str)]) -> Bundle {
    let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Direction isolation marks show as boxes in the window and clutter terminals.
    bundle.set_use_isolating(false);
    for (name, source) in sources {
        let res = match FluentResource::try_new((*source).to_owned()) {
            Ok(res) => res,
            Err((res, errors)) => {
                tracing::error!(
                    ?errors,
                    lang = lang.code(),
                    file = name,
                    "Fluent syntax errors"
                );
                res
            }
        };
        if let Err(errors) = bundle.add_resource(res) {
            tracing::error!(
                ?errors,
                lang = lang.code(),
                file = name,
                "duplicate Fluent messages"
            );
        }
    }
    bundle
}

static BUNDLES: LazyLock<[Bundle; 2]> =
    LazyLock::new(|| [bundle(Lang::Fr, files::FR), bundle(Lang::En, files::EN)]);

fn format(id: &str, args: &[(&str, &dyn Display)]) -> String {
    let lang = current();
    let bundle = &BUNDLES[match lang {
        Lang::Fr => 0,
        Lang::En => 1,
    }];
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        tracing::warn!(id, lang = lang.code(), "missing translation");
        return id.to_owned();
    };
    let mut fargs = FluentArgs::new();
    for (name, value) in args {
        // As text: Fluent would group a port's digits as a number.
        fargs.set(*name, FluentValue::from(value.to_string()));
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(id, lang = lang.code(), ?errors, "translation arguments");
    }
    text.into_owned()
}

/// The message `id` in the current language.
pub fn tr(id: &str) -> String {
    format(id, &[])
}

/// The message `id` with one argument.
pub fn tr1(id: &str, name: &str, value: &dyn Display) -> String {
    format(id, &[(name, value)])
}

/// The message `id` with two arguments.
pub fn tr2(id: &str, n1: &str, v1: &dyn Display, n2: &str, v2: &dyn Display) -> String {
    format(id, &[(n1, v1), (n2, v2)])
}

/// The message `id` with three arguments.
pub fn tr3(
    id: &str,
    n1: &str,
    v1: &dyn Display,
    n2: &str,
    v2: &dyn Display,
    n3: &str,
    v3: &dyn Display,
) -> String {
    format(id, &[(n1, v1), (n2, v2), (n3, v3)])
}

/// The message `id` with four arguments.
#[allow(clippy::too_many_arguments)]
pub fn tr4(
    id: &str,
    n1: &str,
    v1: &dyn Display,
    n2: &str,
    v2: &dyn Display,
    n3: &str,
    v3: &dyn Display,
    n4: &str,
    v4: &dyn Display,
) -> String {
    format(id, &[(n1, v1), (n2, v2), (n3, v3), (n4, v4)])
}

#[cfg(test)]
mod tests;
