//! One mailbox of the directory, as the interface shows it.

use serde::{Deserialize, Serialize};

/// The type of an MSSanté mailbox ("Type de BAL").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MailboxKind {
    /// A person's own mailbox.
    Per,
    /// An organisation's mailbox (a service, a secretariat).
    Org,
    /// An application mailbox (software).
    App,
    /// A practice's ("cabinet") mailbox.
    Cab,
}

impl MailboxKind {
    /// Parse `PER`, `ORG`, `APP`, `CAB` (any case).
    pub fn parse(code: &str) -> Option<MailboxKind> {
        match code.trim().to_ascii_uppercase().as_str() {
            "PER" => Some(MailboxKind::Per),
            "ORG" => Some(MailboxKind::Org),
            "APP" => Some(MailboxKind::App),
            "CAB" => Some(MailboxKind::Cab),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            MailboxKind::Per => "PER",
            MailboxKind::Org => "ORG",
            MailboxKind::App => "APP",
            MailboxKind::Cab => "CAB",
        }
    }
}

impl std::fmt::Display for MailboxKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A mailbox and who (or what) is behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The mailbox address, lower case.
    pub address: String,
    pub kind: MailboxKind,
    /// What to show: "Dr Jean LEFÈVRE", or the service and organisation.
    pub display_name: String,
    pub civility: String,
    pub given_name: String,
    pub family_name: String,
    pub profession: String,
    pub specialty: String,
    pub organisation: String,
    /// Service the mailbox belongs to ("Service de rattachement").
    pub service: String,
    /// Free description of the mailbox (online directory only).
    pub description: String,
    /// Street line: number, type and name of the way.
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub department: String,
    pub country: String,
    /// RPPS number (11 digits) of a person, when the directory gives it.
    pub rpps: Option<String>,
    /// National identifier ("Identification nationale PP": 8+RPPS or 0+ADELI).
    pub national_id: Option<String>,
    /// Identifier of the organisation (FINESS, SIRET...), when given.
    pub structure_id: Option<String>,
    /// Accepts paper-free exchange ("Dématérialisation").
    pub paper_free: bool,
    /// What the RPPS register (PS_LibreAcces) says of this professional's
    /// practice, when that file was imported too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practice: Option<Practice>,
}

/// A professional's practice from PS_LibreAcces: the activity at the
/// mailbox's structure when there is one, else their first activity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practice {
    /// "Libéral", "Salarié", "Bénévole".
    pub exercise_mode: String,
    /// Name of the place of practice ("Raison sociale site").
    pub site: String,
    /// "Cabinet individuel", "Établissement public de santé"...
    pub sector: String,
    pub phone: String,
    pub phone2: String,
    pub fax: String,
    /// The structure's (non-MSSanté) e-mail address.
    pub email: String,
    /// Diplomas and recognised skills ("savoir-faire"), with their type:
    /// "Cardiologie et maladies vasculaires (Spécialité ordinale)".
    pub skills: Vec<String>,
    /// Places of practice listed for this professional.
    pub activities: u32,
}

/// Columns read by [`from_row`], in order.
pub(crate) const ENTRY_COLUMNS: &str = "address, kind, civility, family, given, profession, \
     specialty, organisation, trade_name, service, street, city, postcode, dept, country, \
     pp_id_type, pp_id, national_id, structure_id, paper_free";

pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let kind: String = r.get(1)?;
    let s = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let opt = |v: String| if v.is_empty() { None } else { Some(v) };
    let pp_id_type = s(15)?;
    let pp_id = s(16)?;
    let organisation = {
        let name = s(7)?;
        if name.is_empty() { s(8)? } else { name }
    };
    let mut e = Entry {
        address: s(0)?,
        kind: MailboxKind::parse(&kind).unwrap_or(MailboxKind::Per),
        display_name: String::new(),
        civility: s(2)?,
        family_name: s(3)?,
        given_name: s(4)?,
        profession: s(5)?,
        specialty: s(6)?,
        organisation,
        service: s(9)?,
        description: String::new(),
        street: s(10)?,
        city: s(11)?,
        postcode: s(12)?,
        department: s(13)?,
        country: s(14)?,
        rpps: (pp_id_type == "8" && !pp_id.is_empty()).then_some(pp_id),
        national_id: opt(s(17)?),
        structure_id: opt(s(18)?),
        paper_free: r.get::<_, i64>(19)? != 0,
        practice: None,
    };
    e.display_name = display_name(&e);
    Ok(e)
}

/// "Dr Jean LEFÈVRE" for a person; "Cardiologie — CH EXEMPLE" for a service.
pub(crate) fn display_name(e: &Entry) -> String {
    let person = [e.given_name.as_str(), e.family_name.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if !person.is_empty() {
        let title = match e.civility.to_ascii_uppercase().as_str() {
            "DR" => "Dr ",
            "PR" => "Pr ",
            _ => "",
        };
        return format!("{title}{person}");
    }
    let parts: Vec<&str> = [e.service.as_str(), e.organisation.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        e.address.clone()
    } else {
        parts.join(" — ")
    }
}
