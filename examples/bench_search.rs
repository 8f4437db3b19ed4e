//! Search latency benchmark over an existing store (run by `bench/store.sh`).
//!
//! `cargo run --release --example bench_search -- DATA_DIR [COPIES]`
//! With COPIES > 1, the folder "Corpus" is first imported COPIES-1 more times from
//! the Maildir in `$CADUCEE_BENCH_CORPUS` into folders "Corpus-2"... (raw messages are
//! stored once; the index holds every copy), to measure search over a larger index.

use std::time::Instant;

use caducee::import::{self, Source};
use caducee::store::{SearchQuery, Store};

const RUNS: usize = 200;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data_dir =
        std::path::PathBuf::from(args.next().ok_or("usage: bench_search DATA_DIR [COPIES]")?);
    let copies: usize = args.next().map(|c| c.parse()).transpose()?.unwrap_or(1);
    let (store, _) = Store::open_in(&data_dir)?;
    let have = store
        .folders()?
        .iter()
        .filter(|f| f.name.starts_with("Corpus"))
        .count();
    if copies > have {
        let corpus = std::env::var("CADUCEE_BENCH_CORPUS")?;
        let source = Source::detect(std::path::Path::new(&corpus))?;
        for n in have + 1..=copies {
            let t = Instant::now();
            let report = import::import(&store, &source, &format!("Corpus-{n}"), &mut |_| {})?;
            eprintln!(
                "copy {n}: {} messages in {:.1} s",
                report.imported,
                t.elapsed().as_secs_f64()
            );
        }
    }
    let messages = store.info()?.messages;
    println!("store: {messages} messages");
    let queries = [
        ("word", "pneumothorax"),
        ("phrase", "\"insuffisance rénale chronique\""),
        ("from: filter", "from:fontaine"),
        ("prefix", "pneumo*"),
        ("word + filters", "renale is:unread has:attachment"),
    ];
    println!(
        "{:<16} {:>8} {:>10} {:>10}",
        "query", "results", "median ms", "p99 ms"
    );
    for (label, text) in queries {
        let q = SearchQuery::parse(text)?;
        let mut times = Vec::with_capacity(RUNS);
        let mut results = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            results = store.search(&q, 50, 0)?.len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let median = times[RUNS / 2];
        let p99 = times[(RUNS * 99) / 100 - 1];
        println!("{label:<16} {results:>8} {median:>10.2} {p99:>10.2}");
    }
    Ok(())
}
