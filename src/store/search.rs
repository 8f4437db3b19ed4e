//! Full-text search over the store: a small query language turned into an FTS5
//! expression plus SQL filters, results newest first.
//!
//! Query words: `rénale` (accent- and case-insensitive), `rén*` (prefix),
//! `"insuffisance rénale"` (phrase), and filters `from:` (`de:`), `to:` (`à:`),
//! `folder:` (`dossier:`), `after:`/`before:` (`depuis:`/`avant:`, YYYY-MM-DD),
//! `has:attachment` (`has:pj`), `is:unread` (`is:nonlu`), `is:flagged`.

use rusqlite::types::Value;

use super::messages::{ROW_COLUMNS, row_from};
use super::{MessageRow, Result, Store, StoreError};

/// A parsed search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Free words and phrases, all required.
    pub terms: Vec<Term>,
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub folder: Option<String>,
    /// Unix seconds, inclusive.
    pub after: Option<i64>,
    /// Unix seconds, exclusive.
    pub before: Option<i64>,
    pub has_attachment: bool,
    pub unread: bool,
    pub flagged: bool,
}

/// One free-text criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Prefix(String),
    Phrase(String),
}

/// A search result.
pub type SearchHit = MessageRow;

impl SearchQuery {
    /// Parse the text typed in a search box.
    pub fn parse(input: &str) -> Result<Self> {
        let mut q = SearchQuery::default();
        for token in tokenize(input)? {
            let (token, quoted) = token;
            if quoted {
                if !token.trim().is_empty() {
                    q.terms.push(Term::Phrase(token));
                }
                continue;
            }
            let Some((key, kind, value)) = token
                .split_once(':')
                .and_then(|(k, v)| filter_kind(k).map(|kind| (k, kind, v)))
            else {
                q.terms.push(match token.strip_suffix('*') {
                    Some(stem) if !stem.is_empty() => Term::Prefix(stem.to_owned()),
                    _ => Term::Word(token),
                });
                continue;
            };
            let value = value.trim_matches('"').to_owned();
            if value.is_empty() {
                return Err(StoreError::Query(format!("“{key}:” needs a value")));
            }
            match kind {
                Filter::From => q.from.push(value),
                Filter::To => q.to.push(value),
                Filter::Folder => q.folder = Some(value),
                Filter::After => q.after = Some(day(&value)?),
                Filter::Before => q.before = Some(day(&value)?),
                Filter::Has => match value.to_lowercase().as_str() {
                    "attachment" | "pj" | "piece-jointe" | "pièce-jointe" => {
                        q.has_attachment = true
                    }
                    other => {
                        return Err(StoreError::Query(format!(
                            "unknown “has:{other}” (try has:attachment)"
                        )));
                    }
                },
                Filter::Is => match value.to_lowercase().as_str() {
                    "unread" | "nonlu" | "non-lu" => q.unread = true,
                    "flagged" | "suivi" | "important" => q.flagged = true,
                    other => {
                        return Err(StoreError::Query(format!(
                            "unknown “is:{other}” (try is:unread or is:flagged)"
                        )));
                    }
                },
            }
        }
        Ok(q)
    }

    pub fn is_empty(&self) -> bool {
        *self == SearchQuery::default()
    }

    /// The FTS5 expression, if any text criterion is present.
    fn fts_expression(&self) -> Option<String> {
        let mut parts: Vec<String> = self
            .terms
            .iter()
            .map(|t| match t {
                Term::Word(w) => quote(w),
                Term::Prefix(p) => format!("{}*", quote(p)),
                Term::Phrase(p) => quote(p),
            })
            .collect();
        for f in &self.from {
            parts.push(format!("from_text : {}*", quote(f)));
        }
        for t in &self.to {
            parts.push(format!("to_text : {}*", quote(t)));
        }
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }
}

/// The filters a query may carry.
enum Filter {
    From,
    To,
    Folder,
    After,
    Before,
    Has,
    Is,
}

fn filter_kind(key: &str) -> Option<Filter> {
    Some(match key.to_lowercase().as_str() {
        "from" | "de" => Filter::From,
        "to" | "a" | "à" => Filter::To,
        "folder" | "dossier" | "in" => Filter::Folder,
        "after" | "since" | "depuis" | "apres" | "après" => Filter::After,
        "before" | "avant" => Filter::Before,
        "has" => Filter::Has,
        "is" | "est" => Filter::Is,
        _ => return None,
    })
}

/// Split on white space, keeping "quoted phrases" (and `key:"quoted value"`).
fn tokenize(input: &str) -> Result<Vec<(String, bool)>> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let mut phrase = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                phrase.push(c);
            }
            if !closed {
                return Err(StoreError::Query("a quote is not closed".into()));
            }
            out.push((phrase, true));
            continue;
        }
        let mut word = String::new();
        let mut in_quote = false;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() && !in_quote {
                break;
            }
            if c == '"' {
                in_quote = !in_quote;
            }
            word.push(c);
            chars.next();
        }
        if in_quote {
            return Err(StoreError::Query("a quote is not closed".into()));
        }
        out.push((word, false));
    }
    Ok(out)
}

/// Quote a string as one FTS5 string (the tokenizer splits it into a phrase).
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `YYYY-MM-DD` to Unix seconds at midnight UTC.
fn day(s: &str) -> Result<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &format)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| StoreError::Query(format!("“{s}” is not a date (expected YYYY-MM-DD)")))
}

impl Store {
    /// Run a search, newest first, `limit` results from `offset`.
    pub fn search(&self, q: &SearchQuery, limit: u32, offset: u32) -> Result<Vec<SearchHit>> {
        if q.is_empty() {
            return Err(StoreError::Query("the search is empty".into()));
        }
        let mut clauses: Vec<&str> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        // With text criteria the full-text index drives the query (CROSS JOIN keeps
        // that order), so a rare word never makes SQLite walk the whole mailbox by date.
        let from = match q.fts_expression() {
            Some(expr) => {
                clauses.push("message_fts MATCH ?");
                args.push(Value::Text(expr));
                "message_fts CROSS JOIN messages m ON m.id = message_fts.rowid"
            }
            None => "messages m",
        };
        if let Some(folder) = &q.folder {
            clauses.push("m.folder_id IN (SELECT id FROM folders WHERE name = ? COLLATE NOCASE)");
            args.push(Value::Text(folder.clone()));
        }
        if let Some(after) = q.after {
            clauses.push("m.date >= ?");
            args.push(Value::Integer(after));
        }
        if let Some(before) = q.before {
            clauses.push("m.date < ?");
            args.push(Value::Integer(before));
        }
        if q.has_attachment {
            clauses.push("m.has_attachments = 1");
        }
        if q.unread {
            clauses.push("m.seen = 0");
        }
        if q.flagged {
            clauses.push("m.flagged = 1");
        }
        args.push(Value::Integer(limit.into()));
        args.push(Value::Integer(offset.into()));
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM {from} WHERE {}
             ORDER BY m.date DESC, m.id DESC LIMIT ? OFFSET ?",
            clauses.join(" AND ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), row_from)
            .map_err(fts_error)?;
        rows.collect::<rusqlite::Result<_>>().map_err(fts_error)
    }
}

fn fts_error(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) if msg.contains("fts5") => {
            StoreError::Query(msg.clone())
        }
        _ => StoreError::Sql(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_phrases_and_filters() {
        let q = SearchQuery::parse(
            r#"rénale "insuffisance rénale" pneumo* from:dupont to:"Marie Curie" has:pj is:unread after:2026-01-01 dossier:INBOX"#,
        )
        .unwrap();
        assert_eq!(
            q.terms,
            vec![
                Term::Word("rénale".into()),
                Term::Phrase("insuffisance rénale".into()),
                Term::Prefix("pneumo".into())
            ]
        );
        assert_eq!(q.from, vec!["dupont"]);
        assert_eq!(q.to, vec!["Marie Curie"]);
        assert!(q.has_attachment && q.unread);
        assert_eq!(q.after, Some(1_767_225_600));
        assert_eq!(q.folder.as_deref(), Some("INBOX"));
    }

    #[test]
    fn explains_bad_filters() {
        for bad in ["after:hier", "is:gone", "has:cat", "from:", "\"open"] {
            let err = SearchQuery::parse(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid search"), "{bad}: {err}");
        }
    }

    #[test]
    fn quotes_fts_syntax_away() {
        let q = SearchQuery::parse("OR NEAR(x) -y").unwrap();
        let expr = q.fts_expression().unwrap();
        assert_eq!(expr, r#""OR" AND "NEAR(x)" AND "-y""#);
    }
}
