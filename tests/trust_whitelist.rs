//! The recipient decision against the real shipped whitelist: real domains
//! accepted, every known trick refused with its reason.

use std::collections::BTreeSet;

use caducee::store::{Store, StoreKey};
use caducee::trust::{Refusal, Verdict, Whitelist, xml};

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/whitelist/listeblanchemssante_full_6554_20250313.xml"
);

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), &StoreKey::random()).unwrap();
    (dir, store)
}

fn shipped_domains() -> Vec<String> {
    let bytes = std::fs::read(SHIPPED).unwrap();
    let list = xml::parse(bytes.as_slice()).unwrap();
    let set: BTreeSet<String> = list.entries.into_iter().map(|e| e.domain).collect();
    set.into_iter().collect()
}

fn reason(list: &Whitelist, raw: &str) -> Refusal {
    match list.check(raw) {
        Verdict::Refused { reason } => reason,
        v => panic!("{raw:?} was allowed: {v:?}"),
    }
}

#[test]
fn first_load_imports_the_shipped_list() {
    let (_dir, store) = open();
    let list = Whitelist::load(&store).unwrap();
    let domains = shipped_domains();
    assert_eq!(list.len(), domains.len());
    let bytes = std::fs::read(SHIPPED).unwrap();
    assert_eq!(
        Some(list.generated_at()),
        xml::generation_date(bytes.as_slice())
    );
    assert!(list.age().whole_days() > 0);
    // Loaded again: read from the store, not imported a second time.
    let again = Whitelist::load(&store).unwrap();
    assert_eq!(again.len(), list.len());
    let attempts = caducee::trust::store::attempts(&store, 10).unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].outcome, "imported");
}

#[test]
fn a_thousand_real_domains_are_allowed() {
    let (_dir, store) = open();
    let list = Whitelist::load(&store).unwrap();
    let domains = shipped_domains();
    let step = domains.len() / 1000;
    let sample: Vec<&String> = domains.iter().step_by(step.max(1)).take(1000).collect();
    assert_eq!(sample.len(), 1000);
    for (i, domain) in sample.iter().enumerate() {
        let typed = match i % 4 {
            0 => format!("jean.dupont@{domain}"),
            1 => format!("Jean Dupont <secretariat@{}>", domain.to_uppercase()),
            2 => format!("\"Dr Jean Dupont\" <j-dupont+cardio@{domain}.>"),
            _ => format!("  <dupont@{domain}>  "),
        };
        match list.check(&typed) {
            Verdict::Allowed { domain: d, address } => {
                assert_eq!(&d, *domain);
                assert!(address.ends_with(&format!("@{domain}")), "{address}");
            }
            Verdict::Refused { reason } => panic!("{typed:?} refused: {reason}"),
        }
    }
    assert!(list.check("x@mssante.apicrypt.org").is_allowed());
}

#[test]
fn never_a_suffix_match() {
    let (_dir, store) = open();
    let list = Whitelist::load(&store).unwrap();
    let domains: BTreeSet<String> = shipped_domains().into_iter().collect();
    assert!(domains.contains("mssante.apicrypt.org"));
    let mut tried = 0;
    for d in domains.iter().step_by(50) {
        for fake in [
            format!("evil-{d}"),
            format!("{d}.evil.com"),
            format!("x.{d}"),
            format!("{d}x"),
        ] {
            if domains.contains(&fake) {
                continue;
            }
            tried += 1;
            assert_eq!(
                reason(&list, &format!("a@{fake}")),
                Refusal::NotListed {
                    domain: fake.clone()
                }
            );
        }
    }
    assert!(tried > 300);
    for fake in [
        "evil-mssante.fr",
        "x.mssante.fr.evil.com",
        "mssante.fr",
        "apicrypt.org",
    ] {
        if !domains.contains(fake) {
            assert!(matches!(
                reason(&list, &format!("a@{fake}")),
                Refusal::NotListed { .. }
            ));
        }
    }
}

#[test]
fn every_trick_is_refused_with_its_reason() {
    let (_dir, store) = open();
    let list = Whitelist::load(&store).unwrap();
    let d = "mssante.apicrypt.org";
    assert!(list.check(&format!("x@{d}")).is_allowed());
    let cases: Vec<(String, Refusal)> = vec![
        (
            format!("\"a@{d}\" <x@gmail.com>"),
            Refusal::DisplayNameLooksLikeAddress,
        ),
        (
            format!("a@{d} <x@gmail.com>"),
            Refusal::DisplayNameLooksLikeAddress,
        ),
        (
            format!("\"b@{d}\" <x@{d}>"),
            Refusal::DisplayNameLooksLikeAddress,
        ),
        (format!("x@{d} (x@gmail.com)"), Refusal::Comment),
        (format!("(x@{d}) x@gmail.com"), Refusal::Comment),
        (format!("x@(comment){d}"), Refusal::Comment),
        (format!("\"x@gmail.com\"@{d}"), Refusal::QuotedLocalPart),
        (format!("\"x y\"@{d}"), Refusal::QuotedLocalPart),
        (format!("@{d},@relay.net:x@gmail.com"), Refusal::SourceRoute),
        (format!("<@{d}:x@gmail.com>"), Refusal::SourceRoute),
        (format!("x%gmail.com@{d}"), Refusal::RelayCharacter),
        (format!("gmail.com!x@{d}"), Refusal::RelayCharacter),
        (format!("x@gmail.com@{d}"), Refusal::SeveralAt),
        (format!("x@{d}@gmail.com"), Refusal::SeveralAt),
        ("x@[1.2.3.4]".into(), Refusal::IpLiteral),
        ("x@[IPv6:::1]".into(), Refusal::IpLiteral),
        ("x@192.168.0.1".into(), Refusal::IpLiteral),
        (
            format!("=?utf-8?q?x=40{d}?= <x@gmail.com>"),
            Refusal::EncodedWord,
        ),
        (format!("=?utf-8?b?eA==?=@{d}"), Refusal::EncodedWord),
        (format!("g: a@{d};"), Refusal::Group),
        (format!("g: a@{d}, b@gmail.com;"), Refusal::SeveralAddresses),
        (format!("a@{d}, b@gmail.com"), Refusal::SeveralAddresses),
        // Cyrillic "а" (U+0430) in place of the Latin "a".
        (
            "x@mss\u{430}nte.apicrypt.org".into(),
            Refusal::LookAlikeDomain {
                domain: format!(
                    "{}.apicrypt.org",
                    idna::domain_to_ascii("mss\u{430}nte").unwrap()
                ),
            },
        ),
        // Full-width letters.
        (
            "x@ｍｓｓａｎｔｅ.apicrypt.org".into(),
            Refusal::DisguisedCharacters,
        ),
        // Full-width dot.
        (
            "x@mssante\u{FF0E}apicrypt.org".into(),
            Refusal::DisguisedCharacters,
        ),
        (format!("x@{d}\r\nBcc: y@gmail.com"), Refusal::LineBreak),
        (format!("x@{d}\nBcc: y@gmail.com"), Refusal::LineBreak),
        (format!("x@{d}\0"), Refusal::ControlCharacter),
        (format!("x@{d}\t"), Refusal::ControlCharacter),
        (format!("x\u{200B}@{d}"), Refusal::InvisibleCharacter),
        (format!("\u{202E}x@{d}"), Refusal::InvisibleCharacter),
        (format!("x@{d}\u{FEFF}"), Refusal::InvisibleCharacter),
        (format!("x@{d}\u{3000}"), Refusal::UnusualSpace),
        (format!("x @{d}"), Refusal::InvalidLocalPart),
        (format!("x@ {d}"), Refusal::InvalidDomain),
        ("".into(), Refusal::Empty),
        ("   ".into(), Refusal::Empty),
        (format!("x{}@{d}", "y".repeat(1000)), Refusal::TooLong),
        (
            "x@gmail.com".into(),
            Refusal::NotListed {
                domain: "gmail.com".into(),
            },
        ),
    ];
    for (raw, want) in cases {
        let got = reason(&list, &raw);
        assert_eq!(got, want, "for {raw:?}");
        assert!(!got.to_string().is_empty());
    }
}

#[test]
fn envelope_reports_every_refusal() {
    let (_dir, store) = open();
    let list = Whitelist::load(&store).unwrap();
    let env = list.check_envelope([
        "a@mssante.apicrypt.org",
        "b@gmail.com",
        "Dr C <c@MSSANTE.APICRYPT.ORG>",
        "x%y@mssante.apicrypt.org",
    ]);
    assert!(!env.is_allowed());
    assert_eq!(
        env.allowed,
        vec!["a@mssante.apicrypt.org", "c@mssante.apicrypt.org"]
    );
    assert_eq!(env.refused.len(), 2);
    assert_eq!(env.refused[0].0, "b@gmail.com");
    assert_eq!(env.refused[1].1, Refusal::RelayCharacter);
    assert!(list.check_envelope(["a@mssante.apicrypt.org"]).is_allowed());
    assert!(!list.check_envelope(std::iter::empty::<&str>()).is_allowed());
}
