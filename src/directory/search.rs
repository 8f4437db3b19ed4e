//! Searching the offline directory.
//!
//! Every criterion is folded like the index (no accents, no case, "st" =
//! "saint") and every word is a prefix, so results come as the user types.
//! Results are ranked in tiers, each tier answering with a bounded indexed
//! query so that latency stays flat on the whole directory:
//!
//! 1. the surname (or organisation name) is exactly one of the searched words;
//! 2. the surname starts with one of them;
//! 3. any other entry matching every word (FTS5 index).
//!
//! Within a tier, entries of the user's department come first.

use std::collections::HashSet;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::entry::{self, Entry, MailboxKind};
use super::normalize::{normalize, prefix_variants, query_words};
use super::schema::{FIELD_COUNT, Field};
use super::{Directory, DirectoryError};

/// Rows a name tier may look at before giving up on it.
const TIER_SCAN: usize = 300;
/// Rows of the searched department read in name order before the full-text
/// index is asked (see [`Directory::department_scan`]).
const DEPT_SCAN: usize = 400;

/// What to look for. Every given criterion must match; text criteria match
/// word prefixes, accent- and case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryQuery {
    /// Free text, matched against every field ("jean lef", "cardio lyon").
    pub text: Option<String>,
    /// Surname (or organisation name).
    pub name: Option<String>,
    pub given: Option<String>,
    pub profession: Option<String>,
    pub specialty: Option<String>,
    pub organisation: Option<String>,
    pub city: Option<String>,
    /// Postcode or its beginning ("69", "69003").
    pub postcode: Option<String>,
    /// Department code ("69", "2A", "974").
    pub department: Option<String>,
    pub kind: Option<MailboxKind>,
    /// The user's department: entries there rank first.
    pub user_department: Option<String>,
}

impl DirectoryQuery {
    /// A free-text query.
    pub fn text(text: &str) -> DirectoryQuery {
        DirectoryQuery {
            text: Some(text.to_owned()),
            ..DirectoryQuery::default()
        }
    }
}

/// One criterion, folded: each word must match (any of its variants).
#[derive(Debug)]
struct Constraint {
    field: Option<Field>,
    variants: Vec<String>,
    prefix: bool,
}

#[derive(Debug, Default)]
struct Plan {
    constraints: Vec<Constraint>,
    /// Folded names for the exact and prefix tiers.
    name_keys: Vec<String>,
    user_dept: Option<String>,
    /// The department searched in (a criterion, not a preference), as stored.
    dept: Option<String>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Plan {
    fn new(q: &DirectoryQuery, default_dept: Option<&str>) -> Plan {
        let mut plan = Plan {
            user_dept: present(&q.user_department)
                .or(default_dept)
                .map(|d| d.trim().to_ascii_uppercase()),
            ..Plan::default()
        };
        let mut words = |field: Option<Field>, value: &Option<String>| {
            if let Some(v) = present(value) {
                for w in query_words(v) {
                    plan.constraints.push(Constraint {
                        field,
                        variants: prefix_variants(&w),
                        prefix: true,
                    });
                }
            }
        };
        words(None, &q.text);
        words(Some(Field::Name), &q.name);
        words(Some(Field::Given), &q.given);
        words(Some(Field::Profession), &q.profession);
        words(Some(Field::Specialty), &q.specialty);
        words(Some(Field::Organisation), &q.organisation);
        words(Some(Field::City), &q.city);
        words(Some(Field::Postcode), &q.postcode);
        if let Some(d) = present(&q.department) {
            plan.dept = Some(d.to_ascii_uppercase());
            plan.constraints.push(Constraint {
                field: Some(Field::Dept),
                variants: vec![normalize(d).replace(' ', "")],
                prefix: false,
            });
        }
        if let Some(k) = q.kind {
            plan.constraints.push(Constraint {
                field: Some(Field::Kind),
                variants: vec![k.code().to_ascii_lowercase()],
                prefix: false,
            });
        }
        let mut keys = Vec::new();
        if let Some(name) = present(&q.name) {
            keys.push(normalize(name));
        } else if let Some(text) = present(&q.text) {
            let words = query_words(text);
            if words.len() > 1 {
                keys.push(normalize(text));
                keys.push(words.join(" "));
            }
            for w in &words {
                keys.extend(prefix_variants(w));
            }
        }
        let mut seen = HashSet::new();
        keys.retain(|k| !k.is_empty() && seen.insert(k.clone()));
        plan.name_keys = keys;
        plan
    }

    /// Does the folded row (`entry.norm`) satisfy every criterion?
    fn matches(&self, norm: &str) -> bool {
        self.matches_where(norm, |_| true)
    }

    /// Does the folded row satisfy the criteria on the mailbox type?
    fn matches_kind(&self, norm: &str) -> bool {
        self.matches_where(norm, |c| c.field == Some(Field::Kind))
    }

    /// Does the folded row satisfy the criteria `which` picks?
    fn matches_where(&self, norm: &str, which: impl Fn(&Constraint) -> bool) -> bool {
        let mut fields = [""; FIELD_COUNT];
        for (slot, f) in fields.iter_mut().zip(norm.split('|')) {
            *slot = f;
        }
        self.constraints.iter().filter(|c| which(c)).all(|c| {
            let hit = |text: &str| {
                text.split(' ').any(|w| {
                    c.variants.iter().any(|v| {
                        if c.prefix {
                            w.starts_with(v.as_str())
                        } else {
                            w == v
                        }
                    })
                })
            };
            match c.field {
                Some(f) => hit(fields[f as usize]),
                None => fields.iter().any(|t| hit(t)),
            }
        })
    }
}

/// Gather the rows (`id, norm`) that satisfy every criterion, until `g` is
/// full; returns whether it is.
fn gather_matching(
    plan: &Plan,
    mut rows: rusqlite::Rows<'_>,
    g: &mut Gather,
) -> Result<bool, DirectoryError> {
    while let Some(r) = rows.next()? {
        if plan.matches(r.get_ref(1)?.as_str().unwrap_or("")) {
            g.push(r.get(0)?);
            if g.full() {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Ids gathered tier by tier, without repeats.
struct Gather {
    ids: Vec<i64>,
    seen: HashSet<i64>,
    limit: usize,
}

impl Gather {
    fn full(&self) -> bool {
        self.ids.len() >= self.limit
    }
    fn push(&mut self, id: i64) {
        if !self.full() && self.seen.insert(id) {
            self.ids.push(id);
        }
    }
}

impl Directory {
    /// Search the directory; at most `limit` entries, best first.
    pub fn search(&self, q: &DirectoryQuery, limit: usize) -> Result<Vec<Entry>, DirectoryError> {
        let plan = Plan::new(q, self.user_department.as_deref());
        if plan.constraints.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        self.current()?;
        let mut g = Gather {
            ids: Vec::with_capacity(limit),
            seen: HashSet::new(),
            limit,
        };
        self.name_tiers(&plan, &mut g)?;
        if !g.full() {
            self.department_scan(&plan, &mut g)?;
        }
        if !g.full() {
            self.fts_tier(&plan, &mut g)?;
        }
        let sql = format!("SELECT {} FROM entry WHERE id = ?1", entry::ENTRY_COLUMNS);
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut out = Vec::with_capacity(g.ids.len());
        for id in g.ids {
            out.push(stmt.query_row([id], entry::from_row)?);
        }
        self.enrich(&mut out)?;
        Ok(out)
    }

    /// Suggestions for what the user is typing in a recipient field: free text
    /// over every field, ranked like [`Directory::search`].
    pub fn autocomplete(&self, input: &str, limit: usize) -> Result<Vec<Entry>, DirectoryError> {
        self.search(&DirectoryQuery::text(input), limit)
    }

    /// Entries whose name is exactly one of the plan's names, then entries
    /// whose name starts with one; the user's department first in each.
    /// Every query walks an index in order, so none needs a sort.
    fn name_tiers(&self, plan: &Plan, g: &mut Gather) -> Result<(), DirectoryError> {
        const EXACT_DEPT: &str = "SELECT id, norm FROM entry WHERE dept = ?1 AND name_key = ?2
             ORDER BY given_key LIMIT ?4";
        const EXACT: &str = "SELECT id, norm FROM entry WHERE name_key = ?2
             ORDER BY given_key LIMIT ?4";
        const PREFIX_DEPT: &str = "SELECT id, norm FROM entry
             WHERE dept = ?1 AND name_key > ?2 AND name_key < ?3
             ORDER BY name_key, given_key LIMIT ?4";
        const PREFIX: &str = "SELECT id, norm FROM entry
             WHERE name_key > ?2 AND name_key < ?3
             ORDER BY name_key, given_key LIMIT ?4";
        let dept = plan.user_dept.as_deref();
        for (sql, by_dept) in [
            (EXACT_DEPT, true),
            (EXACT, false),
            (PREFIX_DEPT, true),
            (PREFIX, false),
        ] {
            if by_dept && dept.is_none() {
                continue;
            }
            let mut stmt = self.conn().prepare_cached(sql)?;
            for key in &plan.name_keys {
                let end = format!("{key}\u{7f}");
                let rows = stmt.query(params![dept.unwrap_or(""), key, end, TIER_SCAN as i64])?;
                if gather_matching(plan, rows, g)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// With a department among the criteria, its first entries in name order,
    /// checked one by one. A broad search in a department ("Médecin" in 75)
    /// finds its results among the first few rows, where FTS5 would intersect
    /// two of its longest lists; a narrow one gives up after [`DEPT_SCAN`]
    /// rows and goes on to the index.
    fn department_scan(&self, plan: &Plan, g: &mut Gather) -> Result<(), DirectoryError> {
        let Some(dept) = &plan.dept else {
            return Ok(());
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, norm FROM entry WHERE dept = ?1 ORDER BY name_key, given_key LIMIT ?2",
        )?;
        gather_matching(plan, stmt.query(params![dept, DEPT_SCAN as i64])?, g)?;
        Ok(())
    }

    /// The FTS5 expression of every criterion, or `None` when a word can match
    /// nothing. A word being typed is expanded to the indexed words it starts
    /// (a bounded list read from `vocab`), which FTS5 walks lazily; short
    /// prefixes use the FTS prefix index; single letters are left to the
    /// final check of each row.
    ///
    /// The mailbox type, which most entries share, is left out of the
    /// expression when other criteria are in it (`true` with the expression
    /// then): FTS5 would walk the whole list of the type's entries to
    /// intersect it, where checking the type of each row found is cheap.
    fn fts_expression(&self, plan: &Plan) -> Result<Option<(String, bool)>, DirectoryError> {
        const MAX_EXPANSION: usize = 48;
        let mut vocab = self.conn().prepare_cached(
            "SELECT word FROM vocab WHERE word >= ?1 AND word < ?2 ORDER BY word LIMIT ?3",
        )?;
        let mut parts = Vec::new();
        let mut kind_parts = Vec::new();
        for c in &plan.constraints {
            let mut alts: Vec<String> = Vec::new();
            let mut skip = false;
            for v in &c.variants {
                if !c.prefix {
                    alts.push(format!("\"{v}\""));
                } else if v.len() == 1 {
                    skip = true;
                } else if v.len() <= 3 {
                    alts.push(format!("\"{v}\"*"));
                } else {
                    let end = format!("{v}\u{7f}");
                    let words: Vec<String> = vocab
                        .query_map(params![v, end, MAX_EXPANSION as i64 + 1], |r| r.get(0))?
                        .collect::<Result<_, _>>()?;
                    if words.len() > MAX_EXPANSION {
                        alts.push(format!("\"{v}\"*"));
                    } else {
                        alts.extend(words.into_iter().map(|w| format!("\"{w}\"")));
                    }
                }
            }
            if skip {
                continue;
            }
            if alts.is_empty() {
                return Ok(None);
            }
            let alts = alts.join(" OR ");
            let part = match c.field {
                Some(f) => format!("{} : ({alts})", f.column()),
                None => format!("({alts})"),
            };
            if c.field == Some(Field::Kind) {
                kind_parts.push(part);
            } else {
                parts.push(part);
            }
        }
        if parts.is_empty() {
            return Ok((!kind_parts.is_empty()).then(|| (kind_parts.join(" AND "), false)));
        }
        Ok(Some((parts.join(" AND "), !kind_parts.is_empty())))
    }

    fn fts_tier(&self, plan: &Plan, g: &mut Gather) -> Result<(), DirectoryError> {
        let Some((expr, kind_apart)) = self.fts_expression(plan)? else {
            return Ok(());
        };
        let mut stmt = self.conn().prepare_cached(
            // FTS5 yields rowids in order, lazily: no ORDER BY, so that the
            // reading stops early.
            "SELECT entry_fts.rowid, entry.norm FROM entry_fts JOIN entry ON entry.id = entry_fts.rowid
             WHERE entry_fts MATCH ?1",
        )?;
        let mut run = |expr: &str, g: &mut Gather| -> Result<(), DirectoryError> {
            // Rows gathered already, or failing a single-letter word, may come:
            // look at more than needed, though not at every match.
            let want = g.limit * 4 + 40;
            let mut looked = 0;
            let mut rows = stmt.query(params![expr])?;
            while let Some(r) = rows.next()? {
                let norm = r.get_ref(1)?.as_str().unwrap_or("");
                // A row of another type is not one the expression would
                // have found with the type in it.
                if kind_apart && !plan.matches_kind(norm) {
                    continue;
                }
                looked += 1;
                if plan.matches(norm) {
                    g.push(r.get(0)?);
                    if g.full() {
                        break;
                    }
                }
                if looked >= want {
                    break;
                }
            }
            Ok(())
        };
        if let Some(dept) = &plan.user_dept {
            let d = normalize(dept).replace(' ', "");
            if !d.is_empty() {
                run(&format!("({expr}) AND dept : \"{d}\""), g)?;
            }
        }
        if !g.full() {
            run(&expr, g)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_folds_and_expands() {
        let q = DirectoryQuery {
            text: Some("St Étienne".into()),
            kind: Some(MailboxKind::Org),
            ..DirectoryQuery::default()
        };
        let plan = Plan::new(&q, None);
        assert!(plan.name_keys.contains(&"saint etienne".to_owned()));
        assert!(plan.matches("|||||saint etienne|42000|42|org|"));
        assert!(!plan.matches("|||||saint etienne|42000|42|per|"));
        assert!(!plan.matches("|||||saint chamond|42400|42|org|"));
    }
}
