//! Deterministic "fuzz-like" run over the document readers: valid inputs cut
//! short and mutated (byte flips, insertions, deletions, splices) must give an
//! answer or an error, never a panic or a hang.

mod support;

use caducee::documents::{cda, hprim, metadata, mss_headers, read_xdm, received};
use support::documents::*;

/// A seeded generator: the same data for the same seed.
struct Rng(rand::rngs::StdRng);
impl Rng {
    fn new(seed: u64) -> Self {
        Rng(rand::SeedableRng::seed_from_u64(seed))
    }
    fn next(&mut self) -> u64 {
        rand::RngCore::next_u64(&mut self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn feed(data: &[u8]) {
    let _ = read_xdm(data, &Default::default());
    let _ = mss_headers(data);
    let _ = cda::parse_cda(data, "x.xml");
    let _ = metadata::parse_metadata(data, "METADATA.XML");
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = hprim::parse_hprim(text);
    }
}

fn mutate(rng: &mut Rng, seed: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = v.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = [0, 0xff, b'<', b'>', b'&', b'"', b'/', b'P', b'K'][rng.below(9)];
            }
            2 => {
                let i = rng.below(len + 1);
                let junk: Vec<u8> = (0..rng.below(16)).map(|_| rng.next() as u8).collect();
                v.splice(i..i, junk);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let j = (i + rng.below(64)).min(len);
                v.drain(i..j);
            }
            4 => {
                let other = &others[rng.below(others.len())];
                if !other.is_empty() {
                    let a = rng.below(other.len());
                    let b = (a + rng.below(256)).min(other.len());
                    let i = rng.below(len + 1);
                    v.splice(i..i, other[a..b].iter().copied());
                }
            }
            _ => {
                let cut = rng.below(len + 1);
                v.truncate(cut);
            }
        }
    }
    v
}

fn seeds() -> Vec<Vec<u8>> {
    let ins = patient_ins();
    let pdf = tiny_pdf("seed");
    let l1 = cda_level1(&ins, &pdf);
    let l3 = cda_level3(&ins);
    let md = metadata(
        &ins,
        &[
            ("DOC0001.XML", "18748-4", "A"),
            ("DOC0002.XML", "11502-2", "B"),
        ],
    );
    let package = xdm_package(
        &ins,
        &[
            ("DOC0001.XML", l1.clone(), "18748-4", "A"),
            ("DOC0002.XML", l3.clone(), "11502-2", "B"),
        ],
    );
    // A stored (uncompressed) package too, whose structure survives more mutations.
    let mut stored = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in [
        ("IHE_XDM/SUBSET01/METADATA.XML", &md),
        ("IHE_XDM/SUBSET01/DOC0001.XML", &l1),
        ("IHE_XDM/SUBSET01/DOC0002.XML", &l3),
    ] {
        use std::io::Write;
        stored.start_file(name, opts).unwrap();
        stored.write_all(data).unwrap();
    }
    let stored = stored.finish().unwrap().into_inner();
    let hprim = b"P1\nDURAND\nJeanne\n\n\n\n14/07/1962\n\n\n\n\n\nTexte\n****LAB****\nRES|K|K|N|5.9|mmol/l|3.5|5.0|H|F\n****FINLAB****\n".to_vec();
    vec![package, stored, l1, l3, md, hprim]
}

#[test]
fn truncated_inputs_never_panic() {
    for seed in seeds() {
        let step = (seed.len() / 400).max(1);
        for cut in (0..seed.len()).step_by(step) {
            feed(&seed[..cut]);
        }
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let seeds = seeds();
    let mut rng = Rng::new(0x0C0D_E5EE_D5EE_D001);
    let mut accepted = 0;
    for round in 0..2_500 {
        let seed = &seeds[round % seeds.len()];
        let input = mutate(&mut rng, seed, &seeds);
        feed(&input);
        if round % seeds.len() == 1 && read_xdm(&input, &Default::default()).is_ok() {
            accepted += 1;
        }
    }
    // Mutations of the stored package that keep it valid are still read.
    assert!(
        accepted > 0,
        "no mutated package was readable: the mutations are too coarse"
    );
}

#[test]
fn messages_with_mutated_packages_never_panic() {
    let seeds = seeds();
    let mut rng = Rng::new(0xDEC0_DED0_0000_0042);
    for _ in 0..150 {
        let zip = mutate(&mut rng, &seeds[0], &seeds);
        let raw = message_with_zip(1, &zip);
        let found = received::message_documents(&raw).unwrap();
        // Either the documents were read, or the attachment is reported.
        assert!(!found.documents.is_empty() || !found.problems.is_empty());
    }
}
