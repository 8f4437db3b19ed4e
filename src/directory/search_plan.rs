//! A directory query folded into what the search reads: one constraint per
//! word, the names the ranking tiers look for, and the departments that rank
//! first or bound the search.

use std::collections::HashSet;

use super::normalize::{normalize, prefix_variants, query_words};
use super::schema::{FIELD_COUNT, Field};
use super::search::DirectoryQuery;

/// One criterion, folded: each word must match (any of its variants).
#[derive(Debug)]
pub(super) struct Constraint {
    pub field: Option<Field>,
    pub variants: Vec<String>,
    pub prefix: bool,
}

impl Constraint {
    /// Does one folded field (words separated by single spaces) satisfy it?
    pub fn hits(&self, text: &str) -> bool {
        text.split(' ').any(|w| {
            self.variants.iter().any(|v| {
                if self.prefix {
                    w.starts_with(v.as_str())
                } else {
                    w == v
                }
            })
        })
    }
}

#[derive(Debug, Default)]
pub(super) struct Plan {
    pub constraints: Vec<Constraint>,
    /// Folded names for the exact and prefix tiers.
    pub name_keys: Vec<String>,
    /// The user's department, whose entries rank first; `None` when the
    /// criteria place every result elsewhere.
    pub user_dept: Option<String>,
    /// The department searched in (a criterion, not a preference), as stored.
    pub dept: Option<String>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The department a postcode beginning with `prefix` lies in, as far as the
/// prefix tells: `Some(None)` when it is too short to tell (or Corsica's
/// "20", split between 2A and 2B), `None` when it is no French postcode.
fn department_of_prefix(prefix: &str) -> Option<Option<String>> {
    if !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let overseas = prefix.starts_with("97") || prefix.starts_with("98");
    let len = if overseas { 3 } else { 2 };
    if prefix.len() < len || prefix.starts_with("20") {
        return Some(None);
    }
    Some(Some(prefix[..len].to_owned()))
}

impl Plan {
    pub fn new(q: &DirectoryQuery, default_dept: Option<&str>) -> Plan {
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
        plan.name_keys = name_keys(q);
        if !plan.user_dept_possible() {
            plan.user_dept = None;
        }
        plan
    }

    /// Can an entry of the user's department satisfy the location criteria?
    /// A department asked for is the only one results come from; a postcode
    /// tells its department from its first digits.
    fn user_dept_possible(&self) -> bool {
        let Some(user) = &self.user_dept else {
            return false;
        };
        if let Some(dept) = &self.dept {
            return dept == user;
        }
        self.constraints
            .iter()
            .filter(|c| c.field == Some(Field::Postcode))
            .all(|c| {
                c.variants.iter().any(|v| match department_of_prefix(v) {
                    Some(Some(d)) => d == *user,
                    Some(None) => true,
                    None => false,
                })
            })
    }

    /// The department the name tiers read first: the one searched in, or
    /// the user's.
    pub fn tier_dept(&self) -> Option<&str> {
        self.dept.as_deref().or(self.user_dept.as_deref())
    }

    /// Criteria beyond the mailbox type and the department: the words that
    /// make a search narrow.
    pub fn word_count(&self) -> usize {
        self.constraints.iter().filter(|c| c.prefix).count()
    }

    /// Does the folded row (`entry.norm`) satisfy every criterion?
    pub fn matches(&self, norm: &str) -> bool {
        self.matches_where(norm, |_| true)
    }

    /// Does the folded row satisfy the criteria on the mailbox type?
    pub fn matches_kind(&self, norm: &str) -> bool {
        self.matches_where(norm, |c| c.field == Some(Field::Kind))
    }

    /// Does a folded first name satisfy the criteria on the first name? The
    /// name indexes hold it, so a row can be set aside before it is read.
    pub fn matches_given(&self, given_key: &str) -> bool {
        self.constraints
            .iter()
            .filter(|c| c.field == Some(Field::Given))
            .all(|c| c.hits(given_key))
    }

    pub fn has_given(&self) -> bool {
        self.constraints
            .iter()
            .any(|c| c.field == Some(Field::Given))
    }

    /// Does the folded row satisfy the criteria `which` picks?
    fn matches_where(&self, norm: &str, which: impl Fn(&Constraint) -> bool) -> bool {
        let fields = split_norm(norm);
        self.constraints
            .iter()
            .filter(|c| which(c))
            .all(|c| match c.field {
                Some(f) => c.hits(fields[f as usize]),
                None => fields.iter().any(|t| c.hits(t)),
            })
    }

    /// Where a matching row ranks, as the tiers would find it: (tier, name
    /// key). Tiers: 0 exact name in the first department, 1 exact name, 2
    /// name prefix in the first department, 3 name prefix, 4 other entries
    /// of the first department, 5 the rest.
    pub fn rank(&self, name_key: &str, norm: &str) -> (u8, usize) {
        let dept = split_norm(norm)[Field::Dept as usize];
        let first = self
            .tier_dept()
            .is_some_and(|d| d.eq_ignore_ascii_case(dept));
        let tier = |t: u8| if first { t } else { t + 1 };
        if let Some(i) = self.name_keys.iter().position(|k| k == name_key) {
            return (tier(0), i);
        }
        if let Some(i) = self
            .name_keys
            .iter()
            .position(|k| name_key.len() > k.len() && name_key.starts_with(k.as_str()))
        {
            return (tier(2), i);
        }
        (tier(4), 0)
    }
}

fn split_norm(norm: &str) -> [&str; FIELD_COUNT] {
    let mut fields = [""; FIELD_COUNT];
    for (slot, f) in fields.iter_mut().zip(norm.split('|')) {
        *slot = f;
    }
    fields
}

/// The folded names the exact and prefix tiers look for: the surname asked
/// for, or the free text whole and each of its words.
fn name_keys(q: &DirectoryQuery) -> Vec<String> {
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
    keys
}

#[cfg(test)]
mod tests {
    use super::super::entry::MailboxKind;
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

    #[test]
    fn the_user_department_ranks_first_only_where_results_can_be() {
        let with = |postcode: Option<&str>, dept: Option<&str>| {
            let q = DirectoryQuery {
                specialty: Some("pédiatrie".into()),
                postcode: postcode.map(str::to_owned),
                department: dept.map(str::to_owned),
                user_department: Some("69".into()),
                ..DirectoryQuery::default()
            };
            Plan::new(&q, None).user_dept
        };
        assert_eq!(with(None, None).as_deref(), Some("69"));
        assert_eq!(with(Some("69003"), None).as_deref(), Some("69"));
        assert_eq!(with(Some("6"), None).as_deref(), Some("69"));
        assert_eq!(with(Some("75"), None), None);
        assert_eq!(with(Some("20"), None).as_deref(), Some("69"));
        assert_eq!(with(None, Some("13")), None);
        assert_eq!(with(None, Some("69")).as_deref(), Some("69"));
        assert_eq!(department_of_prefix("974"), Some(Some("974".into())));
        assert_eq!(department_of_prefix("97"), Some(None));
        assert_eq!(department_of_prefix("2a"), None);
    }

    #[test]
    fn rows_rank_as_the_tiers_find_them() {
        let q = DirectoryQuery {
            text: Some("martin lyon".into()),
            user_department: Some("69".into()),
            ..DirectoryQuery::default()
        };
        let plan = Plan::new(&q, None);
        let row = |dept: &str| format!("martin|jean|||||69003|{dept}|per|");
        assert_eq!(plan.rank("martin", &row("69")).0, 0);
        assert_eq!(plan.rank("martin", &row("13")).0, 1);
        assert_eq!(plan.rank("martinez", &row("69")).0, 2);
        assert_eq!(plan.rank("martinez", &row("13")).0, 3);
        assert_eq!(plan.rank("dupont", &row("69")).0, 4);
        assert_eq!(plan.rank("dupont", &row("13")).0, 5);
        // the whole text first, then each word in order
        assert!(plan.rank("lyon", &row("13")).1 > plan.rank("martin", &row("13")).1);
    }
}
