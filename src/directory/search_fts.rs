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

/// One criterion in FTS5 syntax.
struct Part {
    text: String,
    /// How many indexed words it stands for (`usize::MAX`: a prefix FTS5
    /// merges the lists of).
    width: usize,
    /// Only short prefixes (two or three letters), whose long lists FTS5
    /// intersects slowly.
    short: bool,
}

/// The criteria in FTS5 syntax, read once (with their `vocab` lookups) for
/// both the head and the last tier of a search.
pub(super) struct FtsParts {
    /// `None` when a word starts no indexed word: nothing matches.
    words: Option<Vec<Part>>,
    /// The mailbox type, kept apart (see [`Directory::fts_parts`]).
    kind: Vec<String>,
}

/// What the full-text index can do for a search.
enum FtsExpr {
    /// A word starts no indexed word: nothing matches.
    Nothing,
    /// No word is in the index (single letters only): it cannot help.
    Unindexed,
    /// The expression, and whether the mailbox type was left out of it.
    Match {
        expr: String,
        kind_apart: bool,
        /// The most alternatives one word was expanded to: FTS5 advances
        /// each of them at every step of an intersection.
        widest: usize,
        /// Every word in it is a short prefix.
        all_short: bool,
    },
}

impl FtsParts {
    /// The expression of every criterion; `loose`, without the short
    /// prefixes when other words are in it (each row is checked anyway).
    fn expr(&self, loose: bool) -> FtsExpr {
        let Some(words) = &self.words else {
            return FtsExpr::Nothing;
        };
        let long = loose && words.iter().any(|p| !p.short);
        let kept: Vec<&Part> = words.iter().filter(|p| !long || !p.short).collect();
        let widest = kept.iter().map(|p| p.width).max().unwrap_or(1);
        let all_short = kept.iter().all(|p| p.short);
        if kept.is_empty() {
            if self.kind.is_empty() {
                return FtsExpr::Unindexed;
            }
            return FtsExpr::Match {
                expr: self.kind.join(" AND "),
                kind_apart: false,
                widest,
                all_short,
            };
        }
        let texts: Vec<&str> = kept.iter().map(|p| p.text.as_str()).collect();
        FtsExpr::Match {
            expr: texts.join(" AND "),
            kind_apart: !self.kind.is_empty(),
            widest,
            all_short,
        }
    }
}

/// One matching row of the head: its id, and what ranks it.
struct HeadRow {
    id: i64,
    rank: (u8, usize),
    name_key: String,
    given_key: String,
}

/// The matches among the first rows the full-text index yields for a
/// search, in its order.
pub(super) struct Head {
    rows: Vec<HeadRow>,
    /// Every row the expression yields was read.
    complete: bool,
}

impl Head {
    /// With every match at hand, the best `limit` ids, ranked in memory as
    /// the tiers would rank them; `None` when more matches may exist.
    pub fn ranked(&self, limit: usize) -> Option<Vec<i64>> {
        if !self.complete {
            return None;
        }
        let mut found: Vec<&HeadRow> = self.rows.iter().collect();
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
        self.rows.iter().any(|r| r.rank.0 % 2 == 0)
    }
}

impl Directory {
    /// Every criterion in FTS5 syntax. A word being typed is
    /// expanded to the indexed words it starts (a bounded list read from
    /// `vocab`), which FTS5 walks lazily; short prefixes use the FTS prefix
    /// index; single letters are left to the final check of each row.
    ///
    /// The mailbox type, which most entries share, is left out of the
    /// expression when other criteria are in it: FTS5 would walk the whole
    /// list of the type's entries to intersect it, where checking the type of
    /// each row found is cheap.
    pub(super) fn fts_parts(&self, plan: &Plan) -> Result<FtsParts, DirectoryError> {
        const MAX_EXPANSION: usize = 48;
        let mut vocab = self.conn().prepare_cached(
            "SELECT word FROM vocab WHERE word >= ?1 AND word < ?2 ORDER BY word LIMIT ?3",
        )?;
        let mut words = Vec::new();
        let mut kind = Vec::new();
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
                    let found: Vec<String> = vocab
                        .query_map(params![v, end, MAX_EXPANSION as i64 + 1], |r| r.get(0))?
                        .collect::<Result<_, _>>()?;
                    if found.len() > MAX_EXPANSION {
                        // FTS5 merges the lists of every word it starts.
                        width = usize::MAX;
                        alts.push(format!("\"{v}\"*"));
                    } else {
                        alts.extend(found.into_iter().map(|w| format!("\"{w}\"")));
                    }
                }
            }
            if skip {
                continue;
            }
            if alts.is_empty() {
                return Ok(FtsParts { words: None, kind });
            }
            let width = width.max(alts.len());
            let alts = alts.join(" OR ");
            let text = match c.field {
                Some(f) => format!("{} : ({alts})", f.column()),
                None => format!("({alts})"),
            };
            if c.field == Some(Field::Kind) {
                kind.push(text);
            } else {
                words.push(Part { text, width, short });
            }
        }
        Ok(FtsParts {
            words: Some(words),
            kind,
        })
    }

    /// The matches among the first [`HEAD`] rows the full-text index yields
    /// for a narrow search (several words, none standing for many indexed
    /// words); `None` when the index would be slow for it (`Some` empty when
    /// a word matches nothing). A
    /// surname and a city, or a first name and a surname, match a few
    /// entries: this one read finds them all, where each tier would scan its
    /// names. With more matches, the rows read are a sample the last tier
    /// starts from.
    pub(super) fn fts_head(
        &self,
        plan: &Plan,
        fts: &FtsParts,
    ) -> Result<Option<Head>, DirectoryError> {
        let expr = match fts.expr(true) {
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
            rows: Vec::new(),
            complete: true,
        };
        let mut read = 0;
        while let Some(r) = rows.next()? {
            if read == HEAD {
                head.complete = false;
                break;
            }
            read += 1;
            let norm = r.get_ref(1)?.as_str().unwrap_or("");
            if !plan.matches(norm) {
                continue;
            }
            let name_key: String = r.get(2)?;
            head.rows.push(HeadRow {
                id: r.get(0)?,
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
        fts: Option<&FtsParts>,
        head: Option<&Head>,
        g: &mut Gather,
    ) -> Result<(), DirectoryError> {
        let expr = match fts {
            Some(fts) => fts.expr(false),
            None => self.fts_parts(plan)?.expr(false),
        };
        let FtsExpr::Match {
            expr, kind_apart, ..
        } = expr
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
            for r in head.rows.iter().take(want) {
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
