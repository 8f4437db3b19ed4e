//! The first reads of a directory search: the name tiers over the name
//! indexes, and the department scan, each a bounded walk of a B-tree index.

use rusqlite::params;

use super::search::Gather;
use super::search_plan::Plan;
use super::{Directory, DirectoryError};

/// Rows a name tier may read before giving up on it.
const TIER_SCAN: usize = 300;
/// Index entries a name tier may look at when the first name, which the
/// index holds, sets most of them aside before their row is read.
const TIER_INDEX_SCAN: usize = 4000;
/// Rows of the searched department read in name order before the full-text
/// index is asked (see [`Directory::department_scan`]).
const DEPT_SCAN: usize = 400;

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

impl Directory {
    /// Entries whose name is exactly one of the plan's names, then entries
    /// whose name starts with one; the first department's (searched in, or
    /// the user's) first in each. Every query walks an index in order, so
    /// none needs a sort; the first name is checked on the index entry, and
    /// only the rows it lets through are read.
    pub(super) fn name_tiers(&self, plan: &Plan, g: &mut Gather) -> Result<(), DirectoryError> {
        const EXACT_DEPT: &str = "SELECT id, given_key FROM entry WHERE dept = ?1 AND name_key = ?2
             ORDER BY given_key LIMIT ?4";
        const EXACT: &str = "SELECT id, given_key FROM entry WHERE name_key = ?2
             ORDER BY given_key LIMIT ?4";
        const PREFIX_DEPT: &str = "SELECT id, given_key FROM entry
             WHERE dept = ?1 AND name_key > ?2 AND name_key < ?3
             ORDER BY name_key, given_key LIMIT ?4";
        const PREFIX: &str = "SELECT id, given_key FROM entry
             WHERE name_key > ?2 AND name_key < ?3
             ORDER BY name_key, given_key LIMIT ?4";
        let dept = plan.tier_dept();
        // Searching in a department, no entry elsewhere can match.
        let national = plan.dept.is_none();
        let scan = if plan.has_given() {
            TIER_INDEX_SCAN
        } else {
            TIER_SCAN
        };
        let mut norm_of = self
            .conn()
            .prepare_cached("SELECT norm FROM entry WHERE id = ?1")?;
        for (sql, by_dept) in [
            (EXACT_DEPT, true),
            (EXACT, false),
            (PREFIX_DEPT, true),
            (PREFIX, false),
        ] {
            if (by_dept && dept.is_none()) || (!by_dept && !national) {
                continue;
            }
            let mut stmt = self.conn().prepare_cached(sql)?;
            for key in &plan.name_keys {
                let end = format!("{key}\u{7f}");
                let mut rows = stmt.query(params![dept.unwrap_or(""), key, end, scan as i64])?;
                let mut read = 0;
                while let Some(r) = rows.next()? {
                    if !plan.matches_given(r.get_ref(1)?.as_str().unwrap_or("")) {
                        continue;
                    }
                    read += 1;
                    if read > TIER_SCAN {
                        break;
                    }
                    let id: i64 = r.get(0)?;
                    let norm: String = norm_of.query_row([id], |r| r.get(0))?;
                    if plan.matches(&norm) {
                        g.push(id);
                        if g.full() {
                            return Ok(());
                        }
                    }
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
    pub(super) fn department_scan(
        &self,
        plan: &Plan,
        g: &mut Gather,
    ) -> Result<(), DirectoryError> {
        let Some(dept) = &plan.dept else {
            return Ok(());
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, norm FROM entry WHERE dept = ?1 ORDER BY name_key, given_key LIMIT ?2",
        )?;
        gather_matching(plan, stmt.query(params![dept, DEPT_SCAN as i64])?, g)?;
        Ok(())
    }
}
