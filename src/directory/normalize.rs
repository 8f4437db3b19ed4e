//! Text folding shared by the index and the queries: lower case, no accents,
//! punctuation as spaces, and the French abbreviations of "saint" expanded, so
//! that "lefevre" finds "LEFÈVRE" and "st etienne" finds "SAINT-ÉTIENNE".

/// Fold `s` to lower-case ASCII words separated by single spaces.
pub fn normalize(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    fold_into(&mut folded, s);
    let mut out = String::with_capacity(folded.len());
    push_words(&mut out, &folded);
    out
}

/// Append `s` to `folded` with accents removed, lower case, and every
/// character that is not a letter or a digit as a space.
pub(crate) fn fold_into(folded: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_ascii() {
            push_ascii(folded, c);
        } else if let Some(t) = deunicode::deunicode_char(c) {
            t.chars().for_each(|c| push_ascii(folded, c));
        } else {
            folded.push(' ');
        }
    }
}

/// Append the words of the folded text `folded` to `out`, single spaces
/// between them, abbreviations expanded: [`normalize`] without allocating.
pub(crate) fn push_words(out: &mut String, folded: &str) {
    let start = out.len();
    for word in folded.split_ascii_whitespace() {
        if out.len() > start {
            out.push(' ');
        }
        out.push_str(expand(word));
    }
}

fn push_ascii(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.push(' ');
    }
}

/// The full form of a word written abbreviated ("st" -> "saint").
pub fn expand(word: &str) -> &str {
    match word {
        "st" => "saint",
        "ste" => "sainte",
        "sts" => "saints",
        "stes" => "saintes",
        other => other,
    }
}

/// The forms a word still being typed may complete to: "st" may be "saint..."
/// or "stéphane".
pub fn prefix_variants(word: &str) -> Vec<String> {
    let mut v = vec![word.to_owned()];
    let full = expand(word);
    if full != word {
        v.push(full.to_owned());
    }
    v
}

/// The words of a query, folded, each with the original (unexpanded) form kept
/// when it differs so that a prefix can still match both.
pub fn query_words(s: &str) -> Vec<String> {
    let mut folded = String::with_capacity(s.len());
    fold_into(&mut folded, s);
    folded.split_ascii_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(normalize("LEFÈVRE"), "lefevre");
        assert_eq!(
            normalize("  Jean-François  D'ALMEIDA "),
            "jean francois d almeida"
        );
        assert_eq!(normalize("CŒUR"), "coeur");
        assert_eq!(normalize("SAINT-ÉTIENNE"), "saint etienne");
    }

    #[test]
    fn expands_saint_abbreviations() {
        assert_eq!(normalize("ST ETIENNE"), "saint etienne");
        assert_eq!(normalize("Ste-Foy-lès-Lyon"), "sainte foy les lyon");
        assert_eq!(normalize("Stéphane"), "stephane");
        assert_eq!(prefix_variants("st"), vec!["st", "saint"]);
        assert_eq!(prefix_variants("lyon"), vec!["lyon"]);
        assert_eq!(query_words("st-étienne"), vec!["st", "etienne"]);
    }
}
