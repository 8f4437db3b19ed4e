//! HPRIM lab results, as French laboratories send them by mail.
//!
//! Two layouts are recognised:
//! - HPRIM Net (textual): a 12-line identification header (patient code, name,
//!   given name, two address lines, postcode and town, birth date, social security
//!   number, file number, sampling date, prescriber code and name), the report as
//!   free text, then the coded results between `****LAB****` and `****FINLAB****`
//!   (or `****FIN****`), one `RES|` line per result and `TEX|` lines of comment.
//! - HPRIM Santé 2.x records (`H|`, `P|`, `OBR|`, `RES|` or `OBX|`, `L|`).
//!
//! A `RES|` line reads `RES|label|code|type|value|unit|low|high|flag|status|...`
//! (then the same value in a second unit); an `OBX|` record is read the HL7 v2 way
//! (`OBX|n|type|code^label|sub|value|unit|range|flag|...`).

use serde::Serialize;

/// One result row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HprimRow {
    pub test: String,
    pub code: String,
    pub value: String,
    pub unit: String,
    /// `low-high` as written (either side may be empty).
    pub reference_range: String,
    /// `L`, `H`, `LL`, `HH`, `N`, `A`... as written; empty when absent.
    pub abnormal_flag: String,
    /// The row is abnormal (a flag other than `N`).
    pub abnormal: bool,
}

/// A recognised HPRIM report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HprimReport {
    /// `net` (textual) or `sante` (records).
    pub layout: String,
    pub patient_family: String,
    pub patient_given: String,
    pub birth_date: String,
    pub rows: Vec<HprimRow>,
    /// The free text of an HPRIM Net report.
    pub text: String,
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '\r']).filter(|l| !l.is_empty())
}

/// Whether a text looks like an HPRIM report.
pub fn is_hprim(text: &str) -> bool {
    let mut res = false;
    for l in lines(text).take(10_000) {
        let l = l.trim_start();
        if l.starts_with("****LAB****") {
            return true;
        }
        if l.starts_with("RES|") {
            res = true;
        }
    }
    res || (text.trim_start().starts_with("H|") && text.contains("\nOBX|"))
}

/// Recognise and read an HPRIM report; `None` when the text is not one.
pub fn parse_hprim(text: &str) -> Option<HprimReport> {
    if !is_hprim(text) {
        return None;
    }
    let mut report = HprimReport::default();
    let records = text.trim_start().starts_with("H|");
    report.layout = if records { "sante" } else { "net" }.to_owned();
    let all: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    if !records {
        let lab_start = all
            .iter()
            .position(|l| l.trim_start().starts_with("****LAB****"))
            .unwrap_or(all.len());
        let header_end = lab_start.min(12);
        let field = |i: usize| all.get(i).map(|s| s.trim().to_owned()).unwrap_or_default();
        if header_end == 12 {
            report.patient_family = field(1);
            report.patient_given = field(2);
            report.birth_date = field(6);
            report.text = all[12..lab_start].join("\n").trim().to_owned();
        }
    }
    for l in &all {
        let l = l.trim_start();
        if let Some(rest) = l.strip_prefix("RES|") {
            report.rows.push(res_row(rest));
        } else if let Some(rest) = l.strip_prefix("OBX|") {
            report.rows.push(obx_row(rest));
        } else if records && let Some(rest) = l.strip_prefix("P|") {
            // P|seq|practice id|lab id|id 3|Family^Given|maiden name|birth date|sex
            let f: Vec<&str> = rest.split('|').collect();
            if let Some(name) = f.get(4) {
                let mut n = name.split('^');
                report.patient_family = n.next().unwrap_or("").trim().to_owned();
                report.patient_given = n.next().unwrap_or("").trim().to_owned();
            }
            report.birth_date = f.get(6).map(|s| s.trim().to_owned()).unwrap_or_default();
        }
    }
    Some(report)
}

fn flag_row(mut row: HprimRow) -> HprimRow {
    let f = row.abnormal_flag.trim().to_ascii_uppercase();
    row.abnormal = !f.is_empty() && f != "N";
    row.abnormal_flag = f;
    row
}

fn res_row(rest: &str) -> HprimRow {
    let f: Vec<&str> = rest.split('|').map(str::trim).collect();
    let get = |i: usize| f.get(i).copied().unwrap_or("").to_owned();
    let (low, high) = (get(5), get(6));
    flag_row(HprimRow {
        test: get(0),
        code: get(1),
        value: get(3),
        unit: get(4),
        reference_range: range(&low, &high),
        abnormal_flag: get(7),
        abnormal: false,
    })
}

fn obx_row(rest: &str) -> HprimRow {
    let f: Vec<&str> = rest.split('|').map(str::trim).collect();
    let get = |i: usize| f.get(i).copied().unwrap_or("").to_owned();
    let id = get(2);
    let mut id_parts = id.split('^');
    let code = id_parts.next().unwrap_or("").to_owned();
    let label = id_parts.next().unwrap_or("").to_owned();
    flag_row(HprimRow {
        test: if label.is_empty() {
            code.clone()
        } else {
            label
        },
        code,
        value: get(4),
        unit: get(5),
        reference_range: get(6),
        abnormal_flag: get(7),
        abnormal: false,
    })
}

fn range(low: &str, high: &str) -> String {
    match (low.is_empty(), high.is_empty()) {
        (true, true) => String::new(),
        _ => format!("{low}-{high}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_hprim_net_report() {
        let text = "\
P0042\nDURAND\nJeanne\n12 rue des Lilas\n\n69003 LYON\n14/07/1962\n262076912345678\nD2026-118\n20/11/2026\nPR01\nDr MARTIN Paul\n\
Bilan biologique du 20/11/2026\nGlycémie légèrement élevée.\n\
****LAB****\n\
RES|Glycémie à jeun|GLY|N|1.32|g/l|0.70|1.10|H|F|7.33|mmol/l|3.89|6.11\n\
RES|Créatinine|CREA|N|8.1|mg/l|5.7|11.1|N|F\n\
RES|Aspect du sérum|ASP|A|limpide||||\n\
TEX|Contrôle à prévoir\n\
****FINLAB****\n";
        let r = parse_hprim(text).unwrap();
        assert_eq!(r.layout, "net");
        assert_eq!(
            (r.patient_family.as_str(), r.patient_given.as_str()),
            ("DURAND", "Jeanne")
        );
        assert_eq!(r.birth_date, "14/07/1962");
        assert!(r.text.contains("légèrement"));
        assert_eq!(r.rows.len(), 3);
        let g = &r.rows[0];
        assert_eq!(
            (
                g.test.as_str(),
                g.code.as_str(),
                g.value.as_str(),
                g.unit.as_str()
            ),
            ("Glycémie à jeun", "GLY", "1.32", "g/l")
        );
        assert_eq!(g.reference_range, "0.70-1.10");
        assert!(g.abnormal);
        assert!(!r.rows[1].abnormal);
        assert_eq!(r.rows[2].value, "limpide");
        assert_eq!(r.rows[2].reference_range, "");
    }

    #[test]
    fn reads_hprim_sante_records_with_obx() {
        let text = "H|^~\\&|RES.HPR|||LABO\r\nP|1|P0042|||DURAND^Jeanne||19620714|F\r\nOBR|1\r\nOBX|1|NM|K^Potassium||5.9|mmol/l|3.5-5.0|H||F\r\nL|1\r\n";
        let r = parse_hprim(text).unwrap();
        assert_eq!(r.layout, "sante");
        assert_eq!(r.patient_family, "DURAND");
        assert_eq!(r.birth_date, "19620714");
        assert_eq!(r.rows[0].test, "Potassium");
        assert_eq!(r.rows[0].reference_range, "3.5-5.0");
        assert!(r.rows[0].abnormal);
    }

    #[test]
    fn ordinary_text_is_not_hprim() {
        assert!(parse_hprim("Bonjour,\nVoici le compte rendu.\n").is_none());
    }
}
