//! Searching the offline directory: folding, abbreviations, prefixes, every
//! criterion, and the ranking rules.

use std::io::{BufReader, Cursor};

use caducee::directory::{Directory, DirectoryQuery, Entry, MailboxKind};

const HEADER: &str = "Type de BAL|Adresse BAL|Type Identifiant PP|Identifiant PP|Identification nationale PP|Type identifiant structure|Identification Structure|Service de rattachement|Civilité d'exercice|Nom d'exercice|Prénom d'exercice|Catégorie profession|Libellé de catégorie profession|Code Profession|Libellé Profession|Code savoir-faire|Libellé savoir-faire|Dématérialisation|Raison Sociale structure BAL|Enseigne commerciale structure BAL|L2COMPLEMENTLOCALISATION|L3COMPLEMENTDISTRIBUTION|L4NUMEROVOIE|L4COMPLEMENTNUMEROVOIE|NL4TYPEVOIE|L4LIBELLEVOIE|L5LIEUDITMENTION|L6LIGNEACHEMINEMENT|Code postal|Département|Pays";

struct P<'a> {
    addr: &'a str,
    family: &'a str,
    given: &'a str,
    prof: (&'a str, &'a str),
    spec: &'a str,
    org: &'a str,
    city: &'a str,
    postcode: &'a str,
    dept: &'a str,
}

fn per(p: P) -> String {
    format!(
        "PER|{}|8|10000000002|810000000002||||DR|{}|{}|C|Civil|{}|{}|X|{}|false|{}||||3||BD|PASTEUR||{} {}|{}|{}|France",
        p.addr,
        p.family,
        p.given,
        p.prof.0,
        p.prof.1,
        p.spec,
        p.org,
        p.postcode,
        p.city,
        p.postcode,
        p.dept
    )
}

const MED: (&str, &str) = ("10", "Médecin");
const INF: (&str, &str) = ("60", "Infirmier");

fn directory() -> (tempfile::TempDir, Directory) {
    let p = |addr, family, given, prof, spec, city, postcode, dept| {
        per(P {
            addr,
            family,
            given,
            prof,
            spec,
            org: "",
            city,
            postcode,
            dept,
        })
    };
    let rows = [
        p("a@x.fr", "ZOLA", "MARTIN", MED, "Médecine générale", "LYON", "69003", "69"),
        p("b@x.fr", "MARTINEZ", "ANA", MED, "Pédiatrie", "LYON", "69003", "69"),
        p("c@x.fr", "MARTIN", "JEAN", MED, "Médecine générale", "MARSEILLE", "13005", "13"),
        p("d@x.fr", "MARTIN", "LUC", INF, "", "LYON", "69006", "69"),
        p("e@x.fr", "MARTIN-DUPONT", "EVE", MED, "Cardiologie et maladies vasculaires", "PARIS", "75015", "75"),
        p("f@x.fr", "LEFÈVRE", "JEAN", MED, "Médecine générale", "SAINT-ÉTIENNE", "42000", "42"),
        p("g@x.fr", "LEFEBVRE", "JEANNE", INF, "", "ST ETIENNE", "42100", "42"),
        p("h@x.fr", "DUPONT", "STÉPHANE", MED, "Psychiatrie", "STRASBOURG", "67000", "67"),
        p("i@x.fr", "D'ALMEIDA", "INÈS", MED, "Pédiatrie", "SAINTE-FOY-LÈS-LYON", "69110", "69"),
        p("j@x.fr", "GRONDIN", "JOËL", INF, "", "SAINT-DENIS", "97400", "974"),
        p("k@x.fr", "SANTINI", "ANGE", MED, "Médecine générale", "AJACCIO", "20000", "2A"),
        "ORG|cardio@ch-lyon.mssante.fr||||1|100000000|Secrétariat cardiologie||||||||||true|CENTRE HOSPITALIER DE LYON||||1||PL|D'ARSONVAL||69003 LYON|69003|69|France".to_owned(),
        "ORG|urgences@ch-stetienne.mssante.fr||||1|100000001|Service des urgences||||||||||false|CHU DE SAINT-ÉTIENNE||||1||AV|ALBERT RAIMOND||42270 ST PRIEST EN JAREZ|42270|42|France".to_owned(),
    ];
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(&r);
        text.push('\n');
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut d = Directory::open(tmp.path()).unwrap();
    let report = d
        .import_reader(BufReader::new(Cursor::new(text.into_bytes())), "t", None)
        .unwrap();
    assert_eq!(report.problem_count, 0, "{:?}", report.problems);
    (tmp, d)
}

fn addrs(v: &[Entry]) -> Vec<&str> {
    v.iter().map(|e| e.address.as_str()).collect()
}

fn q() -> DirectoryQuery {
    DirectoryQuery::default()
}

#[test]
fn accent_and_case_insensitive() {
    let (_t, d) = directory();
    assert_eq!(
        addrs(&d.autocomplete("lefevre", 10).unwrap()),
        vec!["f@x.fr"]
    );
    assert_eq!(
        addrs(&d.autocomplete("LEFÈVRE", 10).unwrap()),
        vec!["f@x.fr"]
    );
    assert_eq!(
        addrs(&d.autocomplete("joel grondin", 10).unwrap()),
        vec!["j@x.fr"]
    );
    assert_eq!(
        addrs(&d.autocomplete("Inès d'almeida", 10).unwrap()),
        vec!["i@x.fr"]
    );
    assert_eq!(
        addrs(&d.autocomplete("d almeida", 10).unwrap()),
        vec!["i@x.fr"]
    );
}

#[test]
fn saint_and_st_are_the_same_word() {
    let (_t, d) = directory();
    let q_city = |c: &str| DirectoryQuery {
        city: Some(c.into()),
        ..q()
    };
    let st = addrs(&d.search(&q_city("st etienne"), 10).unwrap()).join(",");
    let saint = addrs(&d.search(&q_city("Saint-Étienne"), 10).unwrap()).join(",");
    assert_eq!(st, saint);
    assert!(st.contains("f@x.fr") && st.contains("g@x.fr"), "{st}");
    // "ste foy" finds SAINTE-FOY-LÈS-LYON
    assert_eq!(
        addrs(&d.search(&q_city("ste foy"), 10).unwrap()),
        vec!["i@x.fr"]
    );
    // while typing, "st" may still be the start of a word: STRASBOURG, STÉPHANE
    let typing = addrs(&d.autocomplete("st", 20).unwrap()).join(",");
    assert!(typing.contains("h@x.fr"), "{typing}");
    assert!(typing.contains("f@x.fr"), "{typing}");
    // the organisation "CHU DE SAINT-ÉTIENNE" with "st etienne urgences"
    assert_eq!(
        addrs(&d.autocomplete("st etienne urgences", 10).unwrap()),
        vec!["urgences@ch-stetienne.mssante.fr"]
    );
}

#[test]
fn prefixes_match_as_you_type() {
    let (_t, d) = directory();
    for typed in ["l", "le", "lef", "lefe", "lefev"] {
        let got = addrs(&d.autocomplete(typed, 20).unwrap()).join(",");
        assert!(got.contains("f@x.fr"), "{typed}: {got}");
    }
    assert_eq!(
        addrs(&d.autocomplete("jean lef", 10).unwrap()),
        vec!["g@x.fr", "f@x.fr"]
    );
    assert_eq!(addrs(&d.autocomplete("cardio lyon", 10).unwrap()).len(), 1);
    assert!(d.autocomplete("", 10).unwrap().is_empty());
    assert!(d.autocomplete("  --  ", 10).unwrap().is_empty());
    assert!(d.autocomplete("zzzz", 10).unwrap().is_empty());
}

#[test]
fn exact_surname_then_prefix_then_others() {
    let (_t, d) = directory();
    let got = d.autocomplete("martin", 10).unwrap();
    let a = addrs(&got);
    // MARTIN (both), then names starting with MARTIN, then a first name MARTIN
    assert_eq!(
        &a[..2]
            .iter()
            .copied()
            .collect::<std::collections::HashSet<_>>(),
        &["c@x.fr", "d@x.fr"].into_iter().collect()
    );
    assert_eq!(&a[2..], &["e@x.fr", "b@x.fr", "a@x.fr"]);
}

#[test]
fn same_department_first_when_known() {
    let (_t, mut d) = directory();
    let search = |d: &Directory, dept: Option<&str>| {
        let q = DirectoryQuery {
            text: Some("martin".into()),
            user_department: dept.map(str::to_owned),
            ..q()
        };
        addrs(&d.search(&q, 10).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(search(&d, Some("69"))[..2], ["d@x.fr", "c@x.fr"]);
    assert_eq!(search(&d, Some("13"))[..2], ["c@x.fr", "d@x.fr"]);
    // the Directory's own setting applies to autocomplete
    d.set_user_department(Some("69"));
    assert_eq!(
        addrs(&d.autocomplete("martin", 2).unwrap()),
        vec!["d@x.fr", "c@x.fr"]
    );
    // in the prefix tier too: "mar" - MARTIN of 69 first among the exact? no: all
    // prefix matches, 69 ones first
    let found = d.autocomplete("mar", 10).unwrap();
    let got = addrs(&found);
    let first_other = got
        .iter()
        .position(|a| *a == "c@x.fr" || *a == "e@x.fr")
        .unwrap();
    let last_69 = got
        .iter()
        .rposition(|a| *a == "d@x.fr" || *a == "b@x.fr")
        .unwrap();
    assert!(last_69 < first_other, "{got:?}");
}

#[test]
fn every_criterion_filters() {
    let (_t, d) = directory();
    let run = |q: DirectoryQuery| {
        let mut v: Vec<String> = d
            .search(&q, 50)
            .unwrap()
            .into_iter()
            .map(|e| e.address)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        run(DirectoryQuery {
            profession: Some("infirmier".into()),
            ..q()
        }),
        ["d@x.fr", "g@x.fr", "j@x.fr"]
    );
    assert_eq!(
        run(DirectoryQuery {
            specialty: Some("pediatrie".into()),
            ..q()
        }),
        ["b@x.fr", "i@x.fr"]
    );
    assert_eq!(
        run(DirectoryQuery {
            profession: Some("médecin".into()),
            city: Some("lyon".into()),
            ..q()
        }),
        ["a@x.fr", "b@x.fr", "i@x.fr"],
        "LYON is also a word of SAINTE-FOY-LÈS-LYON"
    );
    assert_eq!(
        run(DirectoryQuery {
            postcode: Some("690".into()),
            ..q()
        })
        .len(),
        4
    );
    assert_eq!(
        run(DirectoryQuery {
            department: Some("2a".into()),
            ..q()
        }),
        ["k@x.fr"]
    );
    assert_eq!(
        run(DirectoryQuery {
            department: Some("974".into()),
            ..q()
        }),
        ["j@x.fr"]
    );
    assert_eq!(
        run(DirectoryQuery {
            kind: Some(MailboxKind::Org),
            ..q()
        }),
        [
            "cardio@ch-lyon.mssante.fr",
            "urgences@ch-stetienne.mssante.fr"
        ]
    );
    assert_eq!(
        run(DirectoryQuery {
            organisation: Some("centre hospitalier".into()),
            ..q()
        }),
        ["cardio@ch-lyon.mssante.fr"]
    );
    assert_eq!(
        run(DirectoryQuery {
            name: Some("martin".into()),
            given: Some("j".into()),
            ..q()
        }),
        ["c@x.fr"]
    );
    // a surname criterion matches either part of a compound surname, exact first
    let by_name = d
        .search(
            &DirectoryQuery {
                name: Some("dupont".into()),
                ..q()
            },
            10,
        )
        .unwrap();
    assert_eq!(addrs(&by_name), ["h@x.fr", "e@x.fr"]);
    // and the surname only
    assert!(
        run(DirectoryQuery {
            name: Some("stephane".into()),
            ..q()
        })
        .is_empty()
    );
    assert_eq!(
        run(DirectoryQuery {
            text: Some("stephane".into()),
            ..q()
        }),
        ["h@x.fr"]
    );
    assert_eq!(
        run(DirectoryQuery {
            kind: Some(MailboxKind::Per),
            department: Some("42".into()),
            ..q()
        }),
        ["f@x.fr", "g@x.fr"]
    );
}

#[test]
fn results_carry_what_the_interface_shows() {
    let (_t, d) = directory();
    let org = &d.autocomplete("secrétariat cardio", 1).unwrap()[0];
    assert_eq!(org.address, "cardio@ch-lyon.mssante.fr");
    assert_eq!(org.kind, MailboxKind::Org);
    assert_eq!(org.organisation, "CENTRE HOSPITALIER DE LYON");
    assert_eq!(org.service, "Secrétariat cardiologie");
    assert_eq!(org.street, "1 PLACE D'ARSONVAL");
    assert!(org.paper_free);
    let json = serde_json::to_value(org).unwrap();
    assert_eq!(json["kind"], "ORG");
    assert_eq!(json["paper_free"], true);
    let p = &d.autocomplete("stephane dupont", 1).unwrap()[0];
    assert_eq!(p.address, "h@x.fr");
    assert_eq!(p.profession, "Médecin");
    assert_eq!(p.specialty, "Psychiatrie");
    assert_eq!(p.rpps.as_deref(), Some("10000000002"));
    assert_eq!(p.postcode, "67000");
    assert!(
        d.autocomplete("martin", 2).unwrap().len() == 2,
        "limit is honoured"
    );
}

/// 900 mailboxes in Paris (one in three a nurse, NOM0000 to NOM0899), a
/// midwife last in name order, and a physician in Lyon.
fn paris_directory() -> (tempfile::TempDir, Directory) {
    // 900 mailboxes in Paris, more than the first rows a department search
    // reads in name order before asking the full-text index.
    let mut text = format!("{HEADER}\n");
    for i in 0..900 {
        let (prof, spec) = if i % 3 == 0 {
            (INF, "")
        } else {
            (MED, "Médecine générale")
        };
        let addr = format!("p{i}@paris.mssante.fr");
        let family = format!("NOM{i:04}");
        text.push_str(&per(P {
            addr: &addr,
            family: &family,
            given: "ALEX",
            prof,
            spec,
            org: "",
            city: "PARIS",
            postcode: "75011",
            dept: "75",
        }));
        text.push('\n');
    }
    text.push_str(&per(P {
        addr: "sf@paris.mssante.fr",
        family: "ZZ-LAST",
        given: "CAMILLE",
        prof: ("50", "Sage-Femme"),
        spec: "",
        org: "",
        city: "PARIS",
        postcode: "75012",
        dept: "75",
    }));
    text.push('\n');
    text.push_str(&per(P {
        addr: "lyon@x.fr",
        family: "AAA",
        given: "JO",
        prof: MED,
        spec: "",
        org: "",
        city: "LYON",
        postcode: "69003",
        dept: "69",
    }));
    text.push('\n');
    let tmp = tempfile::tempdir().unwrap();
    let mut d = Directory::open(tmp.path()).unwrap();
    d.import_reader(BufReader::new(Cursor::new(text.into_bytes())), "t", None)
        .unwrap();
    (tmp, d)
}

#[test]
fn a_department_search_finds_broad_and_narrow_criteria() {
    let (_t, d) = paris_directory();
    let broad = d
        .search(
            &DirectoryQuery {
                profession: Some("Médecin".into()),
                department: Some("75".into()),
                ..q()
            },
            10,
        )
        .unwrap();
    assert_eq!(broad.len(), 10);
    assert!(
        broad
            .iter()
            .all(|e| e.department == "75" && e.profession == "Médecin"),
        "{broad:?}"
    );
    // The first physicians of Paris by name.
    let names: Vec<&str> = broad.iter().map(|e| e.family_name.as_str()).collect();
    assert_eq!(names[..3], ["NOM0001", "NOM0002", "NOM0004"]);
    // A criterion only the last row meets is found all the same.
    let narrow = d
        .search(
            &DirectoryQuery {
                profession: Some("sage-femme".into()),
                department: Some("75".into()),
                ..q()
            },
            10,
        )
        .unwrap();
    assert_eq!(addrs(&narrow), ["sf@paris.mssante.fr"]);
}

#[test]
fn a_narrow_search_ranks_its_matches_like_the_tiers() {
    let (_t, d) = directory();
    let search = |dept: &str| {
        let q = DirectoryQuery {
            text: Some("martin médecin".into()),
            user_department: Some(dept.into()),
            ..q()
        };
        addrs(&d.search(&q, 10).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // MARTIN, then surnames starting with it (the user's department first),
    // then a first name MARTIN; the nurse MARTIN LUC is no physician.
    assert_eq!(search("69"), ["c@x.fr", "b@x.fr", "e@x.fr", "a@x.fr"]);
    assert_eq!(search("75"), ["c@x.fr", "e@x.fr", "b@x.fr", "a@x.fr"]);
    // in name order within a tier: "martin dupont" before "martinez"
    assert_eq!(search("13"), ["c@x.fr", "e@x.fr", "b@x.fr", "a@x.fr"]);
}

#[test]
fn a_broad_search_of_several_words_reads_past_its_first_rows() {
    let (_t, mut d) = paris_directory();
    // 600 physicians in Paris: more than a narrow search reads at once.
    let found = d.autocomplete("médecin paris", 10).unwrap();
    assert_eq!(found.len(), 10);
    assert!(
        found
            .iter()
            .all(|e| e.city == "PARIS" && e.profession == "Médecin"),
        "{found:?}"
    );
    // A short word the first rows rarely meet is still found.
    let found = d.autocomplete("paris sa", 10).unwrap();
    assert_eq!(addrs(&found), ["sf@paris.mssante.fr"]);
    // The user's department, which none of them is in, changes nothing.
    d.set_user_department(Some("69"));
    assert_eq!(d.autocomplete("médecin paris", 10).unwrap().len(), 10);
    assert_eq!(
        addrs(&d.autocomplete("médecin lyon", 10).unwrap()),
        ["lyon@x.fr"]
    );
}

#[test]
fn a_first_name_narrows_the_name_tiers() {
    let (_t, d) = paris_directory();
    let q = |name: &str, given: &str| DirectoryQuery {
        name: Some(name.into()),
        given: Some(given.into()),
        user_department: Some("75".into()),
        ..q()
    };
    let names =
        |found: Vec<Entry>| -> Vec<String> { found.into_iter().map(|e| e.family_name).collect() };
    assert_eq!(
        names(d.search(&q("nom08", "al"), 3).unwrap()),
        ["NOM0800", "NOM0801", "NOM0802"]
    );
    assert_eq!(
        addrs(&d.search(&q("z", "cam"), 3).unwrap()),
        ["sf@paris.mssante.fr"]
    );
    assert!(d.search(&q("nom", "cam"), 3).unwrap().is_empty());
}
