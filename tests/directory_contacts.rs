//! The personal address book (mail store, migration 0005) searched together
//! with the directory.

use std::io::{BufReader, Cursor};

use caducee::directory::Directory;
use caducee::directory::contacts::{contact, record_written, search_contacts, suggest};
use caducee::store::{Store, StoreKey};

const HEADER: &str = "Type de BAL|Adresse BAL|Type Identifiant PP|Identifiant PP|Identification nationale PP|Type identifiant structure|Identification Structure|Service de rattachement|Civilité d'exercice|Nom d'exercice|Prénom d'exercice|Catégorie profession|Libellé de catégorie profession|Code Profession|Libellé Profession|Code savoir-faire|Libellé savoir-faire|Dématérialisation|Raison Sociale structure BAL|Enseigne commerciale structure BAL|L2COMPLEMENTLOCALISATION|L3COMPLEMENTDISTRIBUTION|L4NUMEROVOIE|L4COMPLEMENTNUMEROVOIE|NL4TYPEVOIE|L4LIBELLEVOIE|L5LIEUDITMENTION|L6LIGNEACHEMINEMENT|Code postal|Département|Pays";

fn row(addr: &str, family: &str, given: &str) -> String {
    format!(
        "PER|{addr}|8|10000000003|810000000003||||DR|{family}|{given}|C|Civil|10|Médecin|SM54|Médecine générale|true|CABINET||||1||R|DE PARIS||69003 LYON|69003|69|France"
    )
}

#[test]
fn contacts_are_recorded_linked_and_suggested_first() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("t.db"), &StoreKey::random()).unwrap();
    assert_eq!(
        store.schema_level().unwrap(),
        caducee::store::MAIL_MIGRATIONS.last().unwrap().version
    );
    let mut dir = Directory::open(tmp.path()).unwrap();
    let text = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        row("marc.lefevre@medecin.mssante.fr", "LEFÈVRE", "MARC"),
        row("anne.lefevre@medecin.mssante.fr", "LEFÈVRE", "ANNE"),
        row("zoe.martin@medecin.mssante.fr", "MARTIN", "ZOÉ"),
    );
    dir.import_reader(BufReader::new(Cursor::new(text.into_bytes())), "t", None)
        .unwrap();

    // A directory mailbox the user wrote to twice; a colleague outside it.
    let c = record_written(
        &store,
        Some(&dir),
        "Anne.Lefevre@medecin.mssante.fr",
        "",
        1000,
    )
    .unwrap();
    assert_eq!(
        c.directory_address.as_deref(),
        Some("anne.lefevre@medecin.mssante.fr")
    );
    assert_eq!(c.display_name, "Dr ANNE LEFÈVRE");
    let c = record_written(
        &store,
        Some(&dir),
        "anne.lefevre@medecin.mssante.fr",
        "",
        2000,
    )
    .unwrap();
    assert_eq!((c.times_written, c.last_written), (2, Some(2000)));
    let other = record_written(
        &store,
        Some(&dir),
        "secretariat@cabinet-lefevre.fr",
        "Secrétariat Léfèvre",
        1500,
    )
    .unwrap();
    assert_eq!(other.directory_address, None);
    assert!(
        contact(&store, "SECRETARIAT@cabinet-lefevre.fr")
            .unwrap()
            .is_some()
    );

    // Contacts alone: accent-insensitive, by name or address, most used first.
    let found = search_contacts(&store, "lefe", 10).unwrap();
    let addrs: Vec<&str> = found.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "anne.lefevre@medecin.mssante.fr",
            "secretariat@cabinet-lefevre.fr"
        ]
    );
    assert_eq!(search_contacts(&store, "secretariat", 10).unwrap().len(), 1);
    assert!(search_contacts(&store, "martin", 10).unwrap().is_empty());

    // Together: contacts first, the directory after, no mailbox twice.
    let s = suggest(&store, &dir, "lefevre", 10).unwrap();
    let addrs: Vec<&str> = s.iter().map(|s| s.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "anne.lefevre@medecin.mssante.fr",
            "secretariat@cabinet-lefevre.fr",
            "marc.lefevre@medecin.mssante.fr"
        ]
    );
    assert!(s[0].contact.is_some() && s[0].entry.is_some());
    assert!(s[1].contact.is_some() && s[1].entry.is_none());
    assert!(s[2].contact.is_none() && s[2].entry.as_ref().unwrap().paper_free);
    assert_eq!(suggest(&store, &dir, "lefevre", 2).unwrap().len(), 2);
}
