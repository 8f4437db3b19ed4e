//! Strict reading of one recipient as a user types it, and the reasons to refuse it.
//!
//! Only the plain forms are accepted: `x@dom`, `Name <x@dom>`, `"Dr X" <x@dom>`.
//! Everything RFC 5322 allows but a person never types (comments, quoted local
//! parts, source routes, groups, IP literals, encoded words...) is refused, because
//! each of these can make the address shown differ from the address used.

use serde::Serialize;

use crate::i18n::{tr, tr1};

/// Why an address is refused. The variants are stable: a face may translate them
/// by [`Refusal::code`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Refusal {
    /// Nothing was given.
    Empty,
    /// Longer than any real address.
    TooLong,
    /// A carriage return or line feed (header injection).
    LineBreak,
    /// A control character (tab, escape, NUL...).
    ControlCharacter,
    /// Zero-width or direction-changing characters that hide what is shown.
    InvisibleCharacter,
    /// A space other than the ordinary one (non-breaking, ideographic...).
    UnusualSpace,
    /// An RFC 2047 encoded word `=?charset?...?=`.
    EncodedWord,
    /// A comment in parentheses.
    Comment,
    /// Group syntax `name: a@x, b@y;`.
    Group,
    /// More than one address in one entry.
    SeveralAddresses,
    /// A source route `@a,@b:x@y`.
    SourceRoute,
    /// No `@` at all.
    NoAt,
    /// More than one `@`.
    SeveralAt,
    /// `%` or `!` in the local part (relaying through another server).
    RelayCharacter,
    /// A local part in quotes.
    QuotedLocalPart,
    /// A local part with characters addresses do not use.
    InvalidLocalPart,
    /// A local part with non-ASCII characters.
    NonAsciiLocalPart,
    /// A bracketed IP address or a bare IP address instead of a domain.
    IpLiteral,
    /// The domain is not a valid domain name.
    InvalidDomain,
    /// Full-width or other compatibility characters imitating plain letters.
    DisguisedCharacters,
    /// An international (non-ASCII) domain that is not listed: a likely look-alike.
    LookAlikeDomain { domain: String },
    /// The display name holds an address other than the real one.
    DisplayNameLooksLikeAddress,
    /// Unbalanced quotes or angle brackets, or a badly formed name.
    MalformedName,
    /// The domain is valid but not in the whitelist.
    NotListed { domain: String },
}

impl Refusal {
    /// A stable identifier (`not-listed`, `source-route`...) for translations and JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Empty => "empty",
            Refusal::TooLong => "too-long",
            Refusal::LineBreak => "line-break",
            Refusal::ControlCharacter => "control-character",
            Refusal::InvisibleCharacter => "invisible-character",
            Refusal::UnusualSpace => "unusual-space",
            Refusal::EncodedWord => "encoded-word",
            Refusal::Comment => "comment",
            Refusal::Group => "group",
            Refusal::SeveralAddresses => "several-addresses",
            Refusal::SourceRoute => "source-route",
            Refusal::NoAt => "no-at",
            Refusal::SeveralAt => "several-at",
            Refusal::RelayCharacter => "relay-character",
            Refusal::QuotedLocalPart => "quoted-local-part",
            Refusal::InvalidLocalPart => "invalid-local-part",
            Refusal::NonAsciiLocalPart => "non-ascii-local-part",
            Refusal::IpLiteral => "ip-literal",
            Refusal::InvalidDomain => "invalid-domain",
            Refusal::DisguisedCharacters => "disguised-characters",
            Refusal::LookAlikeDomain { .. } => "look-alike-domain",
            Refusal::DisplayNameLooksLikeAddress => "display-name-looks-like-address",
            Refusal::MalformedName => "malformed-name",
            Refusal::NotListed { .. } => "not-listed",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Refusal::Empty => tr("trust-refusal-empty"),
            Refusal::TooLong => tr("trust-refusal-too-long"),
            Refusal::LineBreak => tr("trust-refusal-line-break"),
            Refusal::ControlCharacter => tr("trust-refusal-control-character"),
            Refusal::InvisibleCharacter => tr("trust-refusal-invisible-character"),
            Refusal::UnusualSpace => tr("trust-refusal-unusual-space"),
            Refusal::EncodedWord => tr("trust-refusal-encoded-word"),
            Refusal::Comment => tr("trust-refusal-comment"),
            Refusal::Group => tr("trust-refusal-group"),
            Refusal::SeveralAddresses => tr("trust-refusal-several-addresses"),
            Refusal::SourceRoute => tr("trust-refusal-source-route"),
            Refusal::NoAt => tr("trust-refusal-no-at"),
            Refusal::SeveralAt => tr("trust-refusal-several-at"),
            Refusal::RelayCharacter => tr("trust-refusal-relay-character"),
            Refusal::QuotedLocalPart => tr("trust-refusal-quoted-local-part"),
            Refusal::InvalidLocalPart => tr("trust-refusal-invalid-local-part"),
            Refusal::NonAsciiLocalPart => tr("trust-refusal-non-ascii-local-part"),
            Refusal::IpLiteral => tr("trust-refusal-ip-literal"),
            Refusal::InvalidDomain => tr("trust-refusal-invalid-domain"),
            Refusal::DisguisedCharacters => tr("trust-refusal-disguised-characters"),
            Refusal::LookAlikeDomain { domain } => {
                tr1("trust-refusal-look-alike-domain", "domain", domain)
            }
            Refusal::DisplayNameLooksLikeAddress => {
                tr("trust-refusal-display-name-looks-like-address")
            }
            Refusal::MalformedName => tr("trust-refusal-malformed-name"),
            Refusal::NotListed { domain } => tr1("trust-refusal-not-listed", "domain", domain),
        };
        f.write_str(&text)
    }
}

/// An address read from user input: the local part as typed, the normalised domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mailbox {
    pub local: String,
    pub domain: String,
}

/// Longest header line SMTP allows; anything longer is not a typed address.
const MAX_INPUT: usize = 998;
const MAX_ADDRESS: usize = 254;
const MAX_LOCAL: usize = 64;
const MAX_DOMAIN: usize = 253;
const MAX_LABEL: usize = 63;

/// Read one recipient. The domain is checked for form, not against the list.
pub(crate) fn parse(raw: &str) -> Result<Mailbox, Refusal> {
    if raw.len() > MAX_INPUT {
        return Err(Refusal::TooLong);
    }
    check_characters(raw)?;
    let s = raw.trim_matches(' ');
    if s.is_empty() {
        return Err(Refusal::Empty);
    }
    if s.contains("=?") {
        return Err(Refusal::EncodedWord);
    }
    let outside = unquoted_specials(s)?;
    if outside.iter().any(|&(_, c)| c == '(' || c == ')') {
        return Err(Refusal::Comment);
    }
    let (display, addr) = split_angle(s, &outside)?;
    if addr.starts_with('@') {
        return Err(Refusal::SourceRoute);
    }
    if addr.contains('[') || addr.contains(']') {
        return Err(Refusal::IpLiteral);
    }
    if outside.iter().any(|&(_, c)| c == ',') {
        return Err(Refusal::SeveralAddresses);
    }
    if outside.iter().any(|&(_, c)| c == ':' || c == ';') {
        return Err(Refusal::Group);
    }
    let mailbox = parse_addr_spec(addr)?;
    if let Some(display) = display {
        check_display_name(display, addr)?;
    }
    Ok(mailbox)
}

/// Refuse line breaks, controls, invisible and unusual space characters anywhere.
fn check_characters(raw: &str) -> Result<(), Refusal> {
    for c in raw.chars() {
        if c == '\r' || c == '\n' || c == '\u{2028}' || c == '\u{2029}' || c == '\u{85}' {
            return Err(Refusal::LineBreak);
        }
        if c.is_control() {
            return Err(Refusal::ControlCharacter);
        }
        if is_invisible(c) {
            return Err(Refusal::InvisibleCharacter);
        }
        if c != ' ' && c.is_whitespace() {
            return Err(Refusal::UnusualSpace);
        }
    }
    Ok(())
}

/// Format characters that render as nothing or reorder text.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFFB}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Positions of the characters that matter for structure, outside double quotes.
fn unquoted_specials(s: &str) -> Result<Vec<(usize, char)>, Refusal> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\\' => return Err(Refusal::MalformedName),
            '<' | '>' | '(' | ')' | ',' | ';' | ':' | '[' | ']' if !in_quotes => out.push((i, c)),
            _ => {}
        }
    }
    if in_quotes {
        return Err(Refusal::MalformedName);
    }
    Ok(out)
}

/// Split `Name <addr>` into the name and the address; a bare address has no name.
fn split_angle<'a>(
    s: &'a str,
    outside: &[(usize, char)],
) -> Result<(Option<&'a str>, &'a str), Refusal> {
    let opens: Vec<usize> = outside
        .iter()
        .filter(|&&(_, c)| c == '<')
        .map(|&(i, _)| i)
        .collect();
    let closes: Vec<usize> = outside
        .iter()
        .filter(|&&(_, c)| c == '>')
        .map(|&(i, _)| i)
        .collect();
    match (opens.as_slice(), closes.as_slice()) {
        ([], []) => Ok((None, s)),
        ([open], [close]) if open < close && *close == s.len() - 1 => {
            Ok((Some(s[..*open].trim_matches(' ')), &s[open + 1..*close]))
        }
        (o, c) if o.len() > 1 && c.len() > 1 => Err(Refusal::SeveralAddresses),
        _ => Err(Refusal::MalformedName),
    }
}

/// `local@domain`, strictly.
fn parse_addr_spec(addr: &str) -> Result<Mailbox, Refusal> {
    if addr.contains('"') {
        return Err(Refusal::QuotedLocalPart);
    }
    if addr.contains('[') || addr.contains(']') {
        return Err(Refusal::IpLiteral);
    }
    if addr.contains('<') || addr.contains('>') {
        return Err(Refusal::MalformedName);
    }
    let ats = addr.matches('@').count();
    if ats == 0 {
        return Err(Refusal::NoAt);
    }
    if ats > 1 {
        return Err(Refusal::SeveralAt);
    }
    if addr.len() > MAX_ADDRESS {
        return Err(Refusal::TooLong);
    }
    let (local, domain) = addr.split_once('@').ok_or(Refusal::NoAt)?;
    check_local(local)?;
    let domain = normalise_domain(domain)?;
    Ok(Mailbox {
        local: local.to_owned(),
        domain,
    })
}

fn check_local(local: &str) -> Result<(), Refusal> {
    if local.contains('%') || local.contains('!') {
        return Err(Refusal::RelayCharacter);
    }
    if !local.is_ascii() {
        return Err(Refusal::NonAsciiLocalPart);
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "#$&'*+-/=?^_`{|}~".contains(c);
    let ok = !local.is_empty()
        && local.len() <= MAX_LOCAL
        && local
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(atext));
    if ok {
        Ok(())
    } else {
        Err(Refusal::InvalidLocalPart)
    }
}

/// Lower case, without a trailing dot, international labels in punycode.
///
/// A label written with characters that merely imitate ASCII (full-width
/// letters, compatibility forms) is refused rather than silently mapped: the
/// user did not type the domain they think they typed.
pub(crate) fn normalise_domain(domain: &str) -> Result<String, Refusal> {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.is_empty() || domain.contains(' ') {
        return Err(Refusal::InvalidDomain);
    }
    let mut labels = Vec::new();
    for label in domain.split('.') {
        if label.is_ascii() {
            labels.push(label.to_ascii_lowercase());
            continue;
        }
        let ascii = idna::domain_to_ascii_strict(label).map_err(|_| Refusal::InvalidDomain)?;
        if !ascii.starts_with("xn--") || ascii.contains('.') {
            return Err(Refusal::DisguisedCharacters);
        }
        labels.push(ascii);
    }
    for label in &labels {
        let ldh = label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if label.is_empty()
            || label.len() > MAX_LABEL
            || !ldh
            || label.starts_with('-')
            || label.ends_with('-')
        {
            return Err(Refusal::InvalidDomain);
        }
    }
    if labels.len() < 2 {
        return Err(Refusal::InvalidDomain);
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Refusal::IpLiteral);
    }
    let out = labels.join(".");
    if out.len() > MAX_DOMAIN {
        return Err(Refusal::TooLong);
    }
    Ok(out)
}

/// A display name may be plain words or one quoted string; it may hold an
/// address only if it is the very address used (as some clients write it).
fn check_display_name(display: &str, addr: &str) -> Result<(), Refusal> {
    let inner = if let Some(q) = display.strip_prefix('"') {
        q.strip_suffix('"')
            .filter(|inner| !inner.contains('"'))
            .ok_or(Refusal::MalformedName)?
    } else if display.contains('"') {
        return Err(Refusal::MalformedName);
    } else {
        display
    };
    if inner.contains('@') {
        let bare = inner.trim_matches(|c| c == ' ' || c == '\'');
        if !bare.eq_ignore_ascii_case(addr) {
            return Err(Refusal::DisplayNameLooksLikeAddress);
        }
    }
    if inner.contains('<') || inner.contains('>') {
        return Err(Refusal::MalformedName);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> (String, String) {
        match parse(raw) {
            Ok(m) => (m.local, m.domain),
            Err(e) => panic!("{raw:?} refused: {e}"),
        }
    }

    fn refused(raw: &str) -> Refusal {
        match parse(raw) {
            Ok(m) => panic!("{raw:?} accepted as {m:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn plain_forms() {
        let want = ("jean.dupont".to_owned(), "chu-x.mssante.fr".to_owned());
        assert_eq!(ok("jean.dupont@chu-x.mssante.fr"), want);
        assert_eq!(ok("  jean.dupont@CHU-X.MSSante.fr.  "), want);
        assert_eq!(ok("Jean Dupont <jean.dupont@chu-x.mssante.fr>"), want);
        assert_eq!(
            ok("\"Dr Jean Dupont\" <jean.dupont@chu-x.mssante.fr>"),
            want
        );
        assert_eq!(ok("\"Dupont, Jean\" <jean.dupont@chu-x.mssante.fr>"), want);
        assert_eq!(ok("<jean.dupont@chu-x.mssante.fr>"), want);
        assert_eq!(
            ok("'jean.dupont@chu-x.mssante.fr' <jean.dupont@chu-x.mssante.fr>"),
            want
        );
    }

    #[test]
    fn tricks_have_their_reason() {
        let cases = [
            ("", Refusal::Empty),
            ("(chu) x@chu.mssante.fr", Refusal::Comment),
            ("x@chu.mssante.fr (Dr X)", Refusal::Comment),
            ("\"x@y\"@chu.mssante.fr", Refusal::QuotedLocalPart),
            ("@a.fr,@b.fr:x@chu.mssante.fr", Refusal::SourceRoute),
            ("<@a.fr:x@chu.mssante.fr>", Refusal::SourceRoute),
            ("x%gmail.com@chu.mssante.fr", Refusal::RelayCharacter),
            ("gmail.com!x@chu.mssante.fr", Refusal::RelayCharacter),
            ("x@gmail.com@chu.mssante.fr", Refusal::SeveralAt),
            ("x@[1.2.3.4]", Refusal::IpLiteral),
            ("x@1.2.3.4", Refusal::IpLiteral),
            (
                "=?utf-8?q?x=40chu.mssante.fr?= <x@gmail.com>",
                Refusal::EncodedWord,
            ),
            ("g: a@chu.mssante.fr;", Refusal::Group),
            ("a@chu.mssante.fr, b@gmail.com", Refusal::SeveralAddresses),
            ("x@chu.mssante.fr\r\nBcc: y@gmail.com", Refusal::LineBreak),
            ("x@chu.mssante.fr\tz", Refusal::ControlCharacter),
            ("x@chu\u{200B}.mssante.fr", Refusal::InvisibleCharacter),
            ("x@chu.mssante.fr\u{202E}", Refusal::InvisibleCharacter),
            ("x\u{A0}@chu.mssante.fr", Refusal::UnusualSpace),
            ("x@ｃｈｕ.mssante.fr", Refusal::DisguisedCharacters),
            (
                "x@chu.mssante.fr\u{FF0E}evil.com",
                Refusal::DisguisedCharacters,
            ),
            ("jérôme@chu.mssante.fr", Refusal::NonAsciiLocalPart),
            ("x..y@chu.mssante.fr", Refusal::InvalidLocalPart),
            ("x@chu..mssante.fr", Refusal::InvalidDomain),
            ("x@-chu.mssante.fr", Refusal::InvalidDomain),
            ("x@localhost", Refusal::InvalidDomain),
            ("x chu.mssante.fr", Refusal::NoAt),
            ("x @chu.mssante.fr", Refusal::InvalidLocalPart),
            (
                "\"a@chu.mssante.fr\" <x@gmail.com>",
                Refusal::DisplayNameLooksLikeAddress,
            ),
            (
                "a@chu.mssante.fr <x@gmail.com>",
                Refusal::DisplayNameLooksLikeAddress,
            ),
            ("\"Dr X <x@gmail.com>", Refusal::MalformedName),
            ("Dr X <x@chu.mssante.fr", Refusal::MalformedName),
            ("Dr X <x@chu.mssante.fr> trailing", Refusal::MalformedName),
            ("a <x@y.fr> b <z@w.fr>", Refusal::SeveralAddresses),
        ];
        for (raw, want) in cases {
            assert_eq!(refused(raw), want, "for {raw:?}");
        }
    }

    #[test]
    fn cyrillic_domain_becomes_punycode() {
        // The Cyrillic "а" (U+0430) instead of the Latin "a".
        let (_, domain) = ok("x@chu.mss\u{430}nte.fr");
        assert!(domain.starts_with("chu.xn--"), "{domain}");
        assert_ne!(domain, "chu.mssante.fr");
    }

    #[test]
    fn every_refusal_has_a_code_and_a_sentence() {
        let r = Refusal::NotListed {
            domain: "gmail.com".into(),
        };
        assert_eq!(r.code(), "not-listed");
        assert!(r.to_string().contains("gmail.com"));
        let json = serde_json::to_value(&r).unwrap_or_default();
        assert_eq!(json["code"], "not-listed");
    }

    #[test]
    fn every_refusal_reads_in_french_and_in_english() {
        use crate::i18n::{Lang, localized};
        let domain = || "xn--chu-paris-x9a.fr".to_owned();
        let all = [
            Refusal::Empty,
            Refusal::TooLong,
            Refusal::LineBreak,
            Refusal::ControlCharacter,
            Refusal::InvisibleCharacter,
            Refusal::UnusualSpace,
            Refusal::EncodedWord,
            Refusal::Comment,
            Refusal::Group,
            Refusal::SeveralAddresses,
            Refusal::SourceRoute,
            Refusal::NoAt,
            Refusal::SeveralAt,
            Refusal::RelayCharacter,
            Refusal::QuotedLocalPart,
            Refusal::InvalidLocalPart,
            Refusal::NonAsciiLocalPart,
            Refusal::IpLiteral,
            Refusal::InvalidDomain,
            Refusal::DisguisedCharacters,
            Refusal::LookAlikeDomain { domain: domain() },
            Refusal::DisplayNameLooksLikeAddress,
            Refusal::MalformedName,
            Refusal::NotListed { domain: domain() },
        ];
        let mut seen = std::collections::HashSet::new();
        for r in &all {
            let fr = localized(r, Lang::Fr);
            let en = localized(r, Lang::En);
            assert!(
                !fr.starts_with("trust-") && !en.starts_with("trust-"),
                "{fr} / {en}"
            );
            assert_ne!(fr, en, "{}", r.code());
            assert!(seen.insert(fr.clone()), "same French text twice: {fr}");
            if matches!(
                r,
                Refusal::LookAlikeDomain { .. } | Refusal::NotListed { .. }
            ) {
                assert!(
                    fr.contains(&domain()) && en.contains(&domain()),
                    "{fr} / {en}"
                );
            }
        }
        let not_listed = localized(&all[23], Lang::Fr);
        assert!(not_listed.contains("liste blanche MSSanté"), "{not_listed}");
    }
}
