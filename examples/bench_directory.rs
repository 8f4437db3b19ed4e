//! Search and autocomplete latency over an imported directory.
//!
//! `cargo run --release --example bench_directory -- DATA_DIR [QUERIES] [SEED]`
//!
//! The queries are drawn from the directory itself (seeded, deterministic):
//! surnames typed letter by letter, first name + surname prefix, profession +
//! city, "st" abbreviations, and structured searches by name, city,
//! profession, specialty, postcode, department and mailbox type.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use caducee::directory::{Directory, DirectoryQuery, MailboxKind};

thread_local! {
    static SLOW: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Print the slowest queries of a run (with `--slow`).
fn slowest<Q: std::fmt::Debug>(label: &str, queries: &[Q], times: &[Duration]) {
    if !std::env::args().any(|a| a == "--slow") {
        return;
    }
    let mut idx: Vec<usize> = (0..times.len()).collect();
    idx.sort_by_key(|&i| std::cmp::Reverse(times[i]));
    eprintln!("slowest {label}:");
    for &i in idx.iter().take(8) {
        eprintln!(
            "  {:.2} ms  {:?}",
            times[i].as_secs_f64() * 1000.0,
            queries[i]
        );
    }
}

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

struct Sample {
    family: String,
    given: String,
    profession: String,
    specialty: String,
    city: String,
    postcode: String,
    dept: String,
    kind: String,
}

fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(label: &str, mut times: Vec<Duration>, hits: usize) {
    times.sort();
    SLOW.with(|s| s.borrow_mut().push(label.to_owned()));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {label} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {hits} |",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.9)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let data_dir = PathBuf::from(
        args.get(1)
            .ok_or("usage: bench_directory DATA_DIR [QUERIES] [SEED]")?,
    );
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mut rng = Rng::new(args.get(3).and_then(|s| s.parse().ok()).unwrap_or(7));

    let mut dir = Directory::open(&data_dir)?;
    let total = dir.len()?;
    if total == 0 {
        return Err(format!(
            "the directory in {} is empty: import a file first",
            data_dir.display()
        )
        .into());
    }
    // Sample entries to build realistic queries.
    let meta = rusqlite::Connection::open(data_dir.join("directory.db"))?;
    let generation: String = meta.query_row(
        "SELECT value FROM meta WHERE key = 'data_generation'",
        [],
        |r| r.get(0),
    )?;
    let conn = rusqlite::Connection::open(data_dir.join(format!("directory-{generation}.db")))?;
    let mut stmt = conn.prepare(
        "SELECT family, given, profession, specialty, city, postcode, dept, kind FROM entry WHERE id = ?1",
    )?;
    let mut samples = Vec::new();
    let mut attempts = 0;
    while samples.len() < n && attempts < n * 100 {
        attempts += 1;
        let id = 1 + rng.below(total as usize) as i64;
        if let Ok(s) = stmt.query_row([id], |r| {
            Ok(Sample {
                family: r.get(0)?,
                given: r.get(1)?,
                profession: r.get(2)?,
                specialty: r.get(3)?,
                city: r.get(4)?,
                postcode: r.get(5)?,
                dept: r.get(6)?,
                kind: r.get(7)?,
            })
        }) {
            samples.push(s);
        }
    }

    // Autocomplete: what a user types in a recipient field.
    let mut typed: Vec<String> = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let name = if s.family.is_empty() {
            &s.city
        } else {
            &s.family
        };
        let len = name.chars().count().max(1);
        let q = match i % 8 {
            0 => prefix(name, 1),
            1 => prefix(name, 2),
            2 => prefix(name, 3 + rng.below(len)),
            3 => name.to_lowercase(),
            4 => format!(
                "{} {}",
                s.given.to_lowercase(),
                prefix(name, 2 + rng.below(len))
            ),
            5 => format!("{} {}", prefix(&s.profession, 5), prefix(&s.city, 4)),
            6 => s
                .city
                .replace("SAINT-", "st ")
                .replace("SAINTE-", "ste ")
                .to_lowercase(),
            _ => format!("{} {}", prefix(name, 4), s.postcode),
        };
        typed.push(q);
    }
    // Structured searches.
    let mut queries: Vec<DirectoryQuery> = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let mut q = DirectoryQuery::default();
        match i % 6 {
            0 => {
                q.name = Some(s.family.clone());
                q.city = Some(s.city.clone());
            }
            1 => {
                q.profession = Some(s.profession.clone());
                q.department = Some(s.dept.clone());
            }
            2 => {
                q.specialty = Some(s.specialty.clone());
                q.postcode = Some(prefix(&s.postcode, 2));
            }
            3 => {
                q.kind = MailboxKind::parse(&s.kind);
                q.city = Some(s.city.clone());
            }
            4 => {
                q.name = Some(prefix(&s.family, 3));
                q.given = Some(prefix(&s.given, 2));
                q.user_department = Some(s.dept.clone());
            }
            _ => {
                q.text = Some(format!("{} {}", s.family, s.city));
                q.user_department = Some(s.dept.clone());
            }
        }
        queries.push(q);
    }

    // Warm the cache as an interface would after start-up.
    for q in typed.iter().take(50) {
        dir.autocomplete(q, 10)?;
    }

    let mut times = Vec::with_capacity(n);
    let mut hits = 0;
    for q in &typed {
        let t = Instant::now();
        let r = dir.autocomplete(q, 10)?;
        times.push(t.elapsed());
        hits += usize::from(!r.is_empty());
    }
    println!("Directory of {total} mailboxes, {n} queries of each kind, limit 10 (ms):\n");
    println!("| kind | queries | p50 | p90 | p99 | max | with results |");
    println!("|---|---|---|---|---|---|---|");
    slowest("autocomplete", &typed, &times);
    report("autocomplete", times, hits);

    dir.set_user_department(Some("69"));
    let mut times = Vec::with_capacity(n);
    let mut hits = 0;
    for q in &typed {
        let t = Instant::now();
        let r = dir.autocomplete(q, 10)?;
        times.push(t.elapsed());
        hits += usize::from(!r.is_empty());
    }
    slowest("autocomplete, user in 69", &typed, &times);
    report("autocomplete, user in 69", times, hits);

    let mut times = Vec::with_capacity(n);
    let mut hits = 0;
    for q in &queries {
        let t = Instant::now();
        let r = dir.search(q, 20)?;
        times.push(t.elapsed());
        hits += usize::from(!r.is_empty());
    }
    slowest("search", &queries, &times);
    report("search (structured, limit 20)", times, hits);
    Ok(())
}
