//! The full-text index in a directory search: the FTS5 expression of the
//! criteria, the first rows it yields (all of a narrow search's matches,
//! ranked in memory), and the last tier, in the order the index yields.

use rusqlite::params;

use super::normalize::normalize;
use super::schema::Field;
use super::search::Gather;
use super::search_plan::Plan;
use super::{Directory, DirectoryError};

/// Rows of the full-text index a narrow search reads first: all its matches
/// when there are no more, else a sample of them (see [`Directory::fts_head`]).
const HEAD: usize = 100;
/// The most alternatives a word of a narrow search may stand for: a word
/// still being typed ("marti": martin, martinez, martineau...) makes the
/// index slow to intersect, and the tiers are faster.
const HEAD_WIDEST: usize = 6;

/// What the full-text index can do for a search.
pub(super) enum FtsExpr {
    /// A word starts no indexed word: nothing matches.
    Nothing,
    /// No word is in the index (single letters only): it cannot help.
    Unindexed,
    /// The expression, and whether the mailbox type was left out of it (see
    /// [`Directory::fts_expression`]).
    Match {
        expr: String,
        kind_apart: bool,
        /// The most alternatives one word was expanded to: FTS5 advances
        /// each of them at every step of an intersection.
        widest: usize,
        /// Every word in it is a short prefix (two or three letters), whose
        /// long lists FTS5 intersects slowly.
        all_short: bool,
    },
}

/// One row of the head: its id, whether it matches every criterion, and
/// what ranks it.
struct HeadRow {
    id: i64,
    matches: bool,
    rank: (u8, usize),
    name_key: String,
    given_key: String,
}

/// The first rows the full-text index yields for a search, in its order.
pub(super) struct Head {
    rows: Vec<HeadRow>,
    /// Every row the expression yields is here.
    complete: bool,
}

impl Head {
    /// With every match at hand, the best `limit` ids, ranked in memory as
    /// the tiers would rank them; `None` when more matches may exist.
    pub fn ranked(&self, limit: usize) -> Option<Vec<i64>> {
        if !self.complete {
            return None;
        }
        let mut found: Vec<&HeadRow> = self.rows.iter().filter(|r| r.matches).collect();
        found.sort_unstable_by(|a, b| {
            (a.rank, &a.name_key, &a.given_key, a.id).cmp(&(
                b.rank,
                &b.name_key,
                &b.given_key,
                b.id,
            ))
        });
        Some(found.into_iter().take(limit).map(|r| r.id).collect())
    }

    /// Does the sample hold a match of the first department (rank tiers 0,
    /// 2, 4)?
    fn has_first_dept(&self) -> bool {
        self.rows.iter().any(|r| r.matches && r.rank.0 % 2 == 0)
    }
}

impl Directory {
    /// The FTS5 expression of every criterion. A word being typed is
    /// expanded to the indexed words it starts (a bounded list read from
    /// `vocab`), which FTS5 walks lazily; short prefixes use the FTS prefix
    /// index; single letters are left to the final check of each row.
    ///
    /// The mailbox type, which most entries share, is left out of the
    /// expression when other criteria are in it: FTS5 would walk the whole
    /// list of the type's entries to intersect it, where checking the type of
    /// each row found is cheap.
    pub(super) fn fts_expression(
        &self,
        plan: &Plan,
        loose: bool,
    ) -> Result<FtsExpr, DirectoryError> {
        const MAX_EXPANSION: usize = 48;
        let mut vocab = self.conn().prepare_cached(
            "SELECT word FROM vocab WHERE word >= ?1 AND word < ?2 ORDER BY word LIMIT ?3",
        )?;
        // (part, alternatives, only short prefixes)
        let mut parts: Vec<(String, usize, bool)> = Vec::new();
        let mut kind_parts = Vec::new();
        for c in &plan.constraints {
            let mut alts: Vec<String> = Vec::new();
            let mut width = 0;
            let mut short = true;
            let mut skip = false;
            for v in &c.variants {
                if !c.prefix {
                    short = false;
                    alts.push(format!("\"{v}\""));
                } else if v.len() == 1 {
                    skip = true;
                } else if v.len() <= 3 {
                    alts.push(format!("\"{v}\"*"));
                } else if v.bytes().any(|b| b.is_ascii_digit())
                    && v.bytes().any(|b| b.is_ascii_alphabetic())
                {
                    // Words mixing letters and digits are indexed, not in
                    // `vocab` (see `rows.rs`).
                    short = false;
                    width = usize::MAX;
                    alts.push(format!("\"{v}\"*"));
                } else {
                    short = false;
                    let end = format!("{v}\u{7f}");
                    let words: Vec<String> = vocab
                        .query_map(params![v, end, MAX_EXPANSION as i64 + 1], |r| r.get(0))?
                        .collect::<Result<_, _>>()?;
                    if words.len() > MAX_EXPANSION {
                        // FTS5 merges the lists of every word it starts.
                        width = usize::MAX;
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
                return Ok(FtsExpr::Nothing);
            }
            let width = width.max(alts.len());
            let alts = alts.join(" OR ");
            let part = match c.field {
                Some(f) => format!("{} : ({alts})", f.column()),
                None => format!("({alts})"),
            };
            if c.field == Some(Field::Kind) {
                kind_parts.push(part);
            } else {
                parts.push((part, width, short));
            }
        }
        if loose && parts.iter().any(|p| !p.2) {
            parts.retain(|p| !p.2);
        }
        let widest = parts.iter().map(|p| p.1).max().unwrap_or(1);
        let all_short = parts.iter().all(|p| p.2);
        let parts: Vec<String> = parts.into_iter().map(|p| p.0).collect();
        Ok(match (parts.is_empty(), kind_parts.is_empty()) {
            (true, true) => FtsExpr::Unindexed,
            (true, false) => FtsExpr::Match {
                expr: kind_parts.join(" AND "),
                kind_apart: false,
                widest,
                all_short,
            },
            (false, kind_absent) => FtsExpr::Match {
                expr: parts.join(" AND "),
                kind_apart: !kind_absent,
                widest,
                all_short,
            },
        })
    }

    /// The first [`HEAD`] rows the full-text index yields for a narrow search
    /// (several words, none standing for many indexed words); `None` for
    /// another search, or when a word matches nothing (`Some` empty then). A
    /// surname and a city, or a first name and a surname, match a few
    /// entries: this one read finds them all, where each tier would scan its
    /// names. With more matches, the rows read are a sample the last tier
    /// starts from.
    pub(super) fn fts_head(&self, plan: &Plan) -> Result<Option<Head>, DirectoryError> {
        if plan.word_count() < 2 {
            return Ok(None);
        }
        let expr = match self.fts_expression(plan, true)? {
            FtsExpr::Nothing => {
                return Ok(Some(Head {
                    rows: Vec::new(),
                    complete: true,
                }));
            }
            FtsExpr::Unindexed => return Ok(None),
            FtsExpr::Match {
                widest, all_short, ..
            } if widest > HEAD_WIDEST || all_short => return Ok(None),
            FtsExpr::Match { expr, .. } => expr,
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT entry.id, entry.norm, entry.name_key, entry.given_key
             FROM entry_fts JOIN entry ON entry.id = entry_fts.rowid
             WHERE entry_fts MATCH ?1 LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![expr, HEAD as i64 + 1])?;
        let mut head = Head {
            rows: Vec::with_capacity(HEAD),
            complete: true,
        };
        while let Some(r) = rows.next()? {
            if head.rows.len() == HEAD {
                head.complete = false;
                break;
            }
            let norm = r.get_ref(1)?.as_str().unwrap_or("");
            let name_key: String = r.get(2)?;
            head.rows.push(HeadRow {
                id: r.get(0)?,
                matches: plan.matches(norm),
                rank: plan.rank(&name_key, norm),
                name_key,
                given_key: r.get(3)?,
            });
        }
        Ok(Some(head))
    }

    /// Entries matching every word through the full-text index, in the order
    /// it yields them (by id); the user's department first. The head, when
    /// read, stands for the first rows: no match of the user's department
    /// among a hundred rows says that department holds too few of them to
    /// be worth a walk of the whole index.
    pub(super) fn fts_tier(
        &self,
        plan: &Plan,
        head: Option<&Head>,
        g: &mut Gather,
    ) -> Result<(), DirectoryError> {
        let FtsExpr::Match {
            expr, kind_apart, ..
        } = self.fts_expression(plan, false)?
        else {
            return Ok(());
        };
        let mut stmt = self.conn().prepare_cached(
            // FTS5 yields rowids in order, lazily: no ORDER BY, so that the
            // reading stops early.
            "SELECT entry_fts.rowid, entry.norm FROM entry_fts JOIN entry ON entry.id = entry_fts.rowid
             WHERE entry_fts MATCH ?1",
        )?;
        // Rows gathered already, or failing a single-letter word, may come:
        // look at more than needed, though not at every match.
        let want = g.limit * 4 + 40;
        let mut run = |expr: &str, g: &mut Gather| -> Result<(), DirectoryError> {
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
        // With a department among the criteria, the expression holds it.
        if let (Some(dept), None) = (&plan.user_dept, &plan.dept) {
            let d = normalize(dept).replace(' ', "");
            if !d.is_empty() && head.is_none_or(Head::has_first_dept) {
                run(&format!("({expr}) AND dept : \"{d}\""), g)?;
            }
        }
        // The head's expression may leave short words out: its matching rows
        // are the first the full expression yields.
        let mut read = 0;
        if let Some(head) = head {
            for r in head.rows.iter().filter(|r| r.matches).take(want) {
                g.push(r.id);
                read += 1;
            }
        }
        if !g.full() && read < want {
            run(&expr, g)?;
        }
        Ok(())
    }
}
