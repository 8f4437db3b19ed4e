//! Searching the offline directory.
//!
//! Every criterion is folded like the index (no accents, no case, "st" =
//! "saint") and every word is a prefix, so results come as the user types.
//! Results are ranked in tiers:
//!
//! 1. the surname (or organisation name) is exactly one of the searched words;
//! 2. the surname starts with one of them;
//! 3. any other entry matching every word (FTS5 index).
//!
//! Within a tier, entries of the user's department come first. A narrow
//! search (several words) first asks the full-text index for all its
//! matches and ranks them in memory; a broad one, or a narrow one with too
//! many matches, reads tier by tier, each tier a bounded indexed query, so
//! that latency stays flat on the whole directory (see `search_tiers` and `search_fts`).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::entry::{self, Entry, MailboxKind};
use super::search_fts::{FtsParts, Head};
use super::search_plan::Plan;
use super::{Directory, DirectoryError};

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

/// Ids gathered tier by tier, without repeats.
pub(super) struct Gather {
    pub ids: Vec<i64>,
    seen: HashSet<i64>,
    pub limit: usize,
}

impl Gather {
    pub fn full(&self) -> bool {
        self.ids.len() >= self.limit
    }
    pub fn push(&mut self, id: i64) {
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
        // A narrow search asks the full-text index first (see `search_fts`).
        let fts = if plan.word_count() >= 2 {
            Some(self.fts_parts(&plan)?)
        } else {
            None
        };
        let head = match &fts {
            Some(fts) => self.fts_head(&plan, fts)?,
            None => None,
        };
        let ids = match head.as_ref().and_then(|h| h.ranked(limit)) {
            Some(ids) => ids,
            None => self.tiers(&plan, fts.as_ref(), head.as_ref(), limit)?,
        };
        let sql = format!("SELECT {} FROM entry WHERE id = ?1", entry::ENTRY_COLUMNS);
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
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

    /// The best `limit` ids, tier by tier.
    fn tiers(
        &self,
        plan: &Plan,
        fts: Option<&FtsParts>,
        head: Option<&Head>,
        limit: usize,
    ) -> Result<Vec<i64>, DirectoryError> {
        let mut g = Gather {
            ids: Vec::with_capacity(limit),
            seen: HashSet::new(),
            limit,
        };
        self.name_tiers(plan, &mut g)?;
        if !g.full() {
            self.department_scan(plan, &mut g)?;
        }
        if !g.full() {
            self.fts_tier(plan, fts, head, &mut g)?;
        }
        Ok(g.ids)
    }
}
