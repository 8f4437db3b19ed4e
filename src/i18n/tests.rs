use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;

/// Each message's id and the variables it uses, over a language's files.
fn messages(files: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (name, source) in files {
        let resource = fluent_syntax::parser::parse(*source)
            .unwrap_or_else(|(_, errors)| panic!("{name}.ftl: {errors:?}"));
        for entry in resource.body {
            if let Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_vars(p, &mut vars);
                }
                let id = m.id.name.to_owned();
                assert!(out.insert(id.clone(), vars).is_none(), "{id} defined twice");
            }
        }
    }
    out
}

fn pattern_vars(p: &Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &p.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
        Expression::Inline(i) => inline_vars(i, vars),
    }
}

fn inline_vars(i: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match i {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

/// The Rust sources of the core and the command line (not the window's, nor
/// this module's), with their paths.
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != root.join("app") && path != root.join("i18n") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), source));
            }
        }
    }
    out
}

#[test]
fn no_error_message_is_left_in_the_code() {
    let mut left = Vec::new();
    for (path, source) in sources() {
        for (at, _) in source.match_indices("#[error(") {
            let rest = source[at + "#[error(".len()..].trim_start();
            // Passing another error's text through adds no wording.
            let ok = ["transparent", "\"{}\"", "\"{0}\")"]
                .iter()
                .any(|p| rest.starts_with(p));
            if !ok {
                let line = source[..at].lines().count() + 1;
                left.push(format!("{path}:{line}"));
            }
        }
    }
    assert!(
        left.is_empty(),
        "messages not in the Fluent files: {left:?}"
    );
}

/// Every `tr*("id", "name", value, ...)` call in the core's sources: the id
/// and the argument names, with the file it is in.
fn calls() -> Vec<(String, String, BTreeSet<String>)> {
    let mut out = Vec::new();
    for (path, source) in sources() {
        for (id, names) in calls_in(&source) {
            out.push((path.clone(), id, names));
        }
    }
    out
}

fn calls_in(source: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut out = Vec::new();
    for start in ["tr(", "tr1(", "tr2(", "tr3(", "tr4("] {
        for (at, _) in source.match_indices(start) {
            // Not part of a longer name (e.g. `attr(`), and a literal id.
            let before = source[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &source[at + start.len()..];
            if !rest.trim_start().starts_with('"') {
                continue;
            }
            let args = top_level_args(rest);
            let unquote = |s: &str| s.trim().trim_matches('"').to_owned();
            let id = unquote(&args[0]);
            let names = args.iter().skip(1).step_by(2).map(|a| unquote(a)).collect();
            out.push((id, names));
        }
    }
    out
}

/// The arguments of a call, from just after its opening parenthesis, split
/// at the commas outside brackets and strings.
fn top_level_args(s: &str) -> Vec<String> {
    let (mut depth, mut in_str, mut escaped) = (0i32, false, false);
    let (mut args, mut current) = (Vec::new(), String::new());
    for c in s.chars() {
        if in_str {
            current.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                // A trailing comma leaves nothing after it.
                if !current.trim().is_empty() {
                    args.push(current);
                }
                return args;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    args.push(current);
    args
}

#[test]
fn both_languages_have_the_same_files_and_keys() {
    let names =
        |files: &[(&'static str, &'static str)]| files.iter().map(|f| f.0).collect::<Vec<_>>();
    assert_eq!(names(files::FR), names(files::EN));
    let fr = messages(files::FR);
    let en = messages(files::EN);
    let fr_keys: BTreeSet<_> = fr.keys().collect();
    let en_keys: BTreeSet<_> = en.keys().collect();
    let only_fr: Vec<_> = fr_keys.difference(&en_keys).collect();
    let only_en: Vec<_> = en_keys.difference(&fr_keys).collect();
    assert!(
        only_fr.is_empty() && only_en.is_empty(),
        "keys in one language only: fr {only_fr:?}, en {only_en:?}"
    );
}

#[test]
fn every_message_used_exists_with_its_arguments() {
    let langs = [("fr", messages(files::FR)), ("en", messages(files::EN))];
    let calls = calls();
    assert!(
        calls.len() > 1,
        "no translated message found in the sources"
    );
    let mut wrong = Vec::new();
    for (file, id, names) in &calls {
        for (lang, messages) in &langs {
            match messages.get(id) {
                None => wrong.push(format!("{file}: {id} missing in {lang}")),
                Some(vars) => {
                    for v in vars.difference(names) {
                        wrong.push(format!("{file}: {id} in {lang} uses ${v}, not given"));
                    }
                    for n in names.difference(vars) {
                        wrong.push(format!("{file}: {id} in {lang} ignores {n}"));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn arguments_are_text_and_the_language_is_chosen() {
    let path = std::path::PathBuf::from("/tmp/x 1234");
    let fr = with_lang(Lang::Fr, || {
        tr2("paths-create", "path", &path.display(), "reason", &"x")
    });
    let en = with_lang(Lang::En, || {
        tr2("paths-create", "path", &path.display(), "reason", &"x")
    });
    assert!(
        fr.contains("/tmp/x 1234") && en.contains("/tmp/x 1234"),
        "{fr} / {en}"
    );
    assert_ne!(fr, en);
    assert!(!fr.contains('\u{2068}'), "no isolation marks");
    assert_eq!(
        with_lang(Lang::En, || tr("no-such-message")),
        "no-such-message"
    );
}

#[test]
fn call_parsing() {
    let got = calls_in(r#"#[error("{}", tr2("a-b", "path", .p.display(), "why", f(.0, "x")))]"#);
    let names: BTreeSet<String> = ["path", "why"].map(String::from).into();
    assert_eq!(got, vec![("a-b".to_owned(), names.clone())]);
    let folded = calls_in("tr2(\n    \"a-b\",\n    \"path\",\n    &p,\n    \"why\",\n    &w\n)");
    assert_eq!(folded, vec![("a-b".to_owned(), names)]);
}

#[test]
fn locale_mapping() {
    assert_eq!(Lang::from_locale("en-GB"), Lang::En);
    assert_eq!(Lang::from_locale("fr-FR"), Lang::Fr);
    assert_eq!(Lang::from_locale("de-DE"), Lang::Fr);
}
