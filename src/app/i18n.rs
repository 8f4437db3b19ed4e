//! User-visible text: Fluent files `i18n/<lang>/caducee.ftl`, French by default,
//! English available; the system locale picks the first language.

use std::sync::LazyLock;

use fluent_bundle::{FluentArgs, FluentValue};

const FR_FTL: &str = include_str!("../../i18n/fr/caducee.ftl");
const EN_FTL: &str = include_str!("../../i18n/en/caducee.ftl");

/// The interface language is the core's: the window sets both (see
/// [`caducee::i18n::set`]), so the core's error messages follow it.
pub use caducee::i18n::Lang;

use caducee::i18n::{Bundle, bundle};

static BUNDLES: LazyLock<[Bundle; 2]> = LazyLock::new(|| {
    [
        bundle(Lang::Fr, &[("caducee", FR_FTL)]),
        bundle(Lang::En, &[("caducee", EN_FTL)]),
    ]
});

fn get(lang: Lang) -> &'static Bundle {
    &BUNDLES[match lang {
        Lang::Fr => 0,
        Lang::En => 1,
    }]
}

/// The text of `id` in `lang`; the id itself when missing (a test forbids that).
pub fn t(lang: Lang, id: &str) -> String {
    format(lang, id, None)
}

/// The text of `id` with arguments.
pub fn t_args(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, v.clone());
    }
    format(lang, id, Some(&fargs))
}

/// Shorthand for one string argument.
pub fn t1(lang: Lang, id: &str, name: &str, value: impl std::fmt::Display) -> String {
    t_args(lang, id, &[(name, FluentValue::from(value.to_string()))])
}

/// Shorthand for one count argument (plural rules).
pub fn tn(lang: Lang, id: &str, count: usize) -> String {
    t_args(lang, id, &[("count", FluentValue::from(count))])
}

fn format(lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> String {
    let bundle = get(lang);
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        tracing::warn!(id, lang = lang.code(), "missing translation");
        return id.to_owned();
    };
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned()
}

/// The ids of the messages in a Fluent source.
#[cfg(test)]
pub fn ids(source: &str) -> std::collections::BTreeSet<String> {
    use fluent_syntax::ast::Entry;
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(res, _)| res);
    resource
        .body
        .iter()
        .filter_map(|e| match e {
            Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let fr = ids(FR_FTL);
        let en = ids(EN_FTL);
        assert!(fr.len() > 50, "the French file is nearly empty");
        let only_fr: Vec<_> = fr.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&fr).collect();
        assert!(
            only_fr.is_empty() && only_en.is_empty(),
            "keys in one language only: fr {only_fr:?}, en {only_en:?}"
        );
    }

    #[test]
    fn files_parse_without_errors() {
        for src in [FR_FTL, EN_FTL] {
            assert!(fluent_syntax::parser::parse(src).is_ok());
        }
    }

    #[test]
    fn every_key_used_in_the_code_exists() {
        let fr = ids(FR_FTL);
        let sources = [
            include_str!("mod.rs"),
            include_str!("welcome.rs"),
            include_str!("mailbox.rs"),
            include_str!("reader.rs"),
            include_str!("search.rs"),
            include_str!("composer.rs"),
            include_str!("settings.rs"),
            include_str!("folders.rs"),
            include_str!("directory.rs"),
            include_str!("account_form.rs"),
            include_str!("account_form_view.rs"),
            include_str!("login_chooser.rs"),
            include_str!("card.rs"),
            include_str!("pin_dialog.rs"),
        ];
        let mut missing = Vec::new();
        for src in sources {
            for call in [
                "t(lang, \"",
                "t1(lang, \"",
                "tn(lang, \"",
                "t_args(lang, \"",
            ] {
                for piece in src.split(call).skip(1) {
                    let id = piece.split('"').next().unwrap_or_default();
                    if !fr.contains(id) {
                        missing.push(id.to_owned());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
    }

    #[test]
    fn plurals_and_arguments() {
        assert_eq!(tn(Lang::Fr, "list-count", 1), "1 message");
        assert_eq!(tn(Lang::Fr, "search-results", 3), "3 résultats");
        assert_eq!(tn(Lang::En, "search-results", 1), "1 result");
        assert!(t1(Lang::En, "compose-refused", "reason", "nope").ends_with("nope"));
        assert!(!t1(Lang::Fr, "compose-refused", "reason", "x").contains('\u{2068}'));
    }

    #[test]
    fn system_locale_mapping() {
        assert_eq!(Lang::from_locale("en-GB"), Lang::En);
        assert_eq!(Lang::from_locale("fr-FR"), Lang::Fr);
        assert_eq!(Lang::from_locale("de-DE"), Lang::Fr);
    }
}
