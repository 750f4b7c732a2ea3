//! How long loading (parsing and checking) takes as instruments grow. Prints one
//! line per size; not a test, so a slow machine fails nothing.
//!
//! `cargo bench -p instruments --bench load [-- SIZES…]` (default 100 200 400 1000).

use std::time::{Duration, Instant};

#[path = "../tests/generated/mod.rs"]
mod generated;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![100, 200, 400, 1000] } else { sizes };
    println!("{:>6} {:>10} {:>12}", "items", "bytes", "load");
    for items in sizes {
        let text = serde_json::to_string_pretty(&generated::instrument(items)).expect("JSON");
        // The fastest of a few runs (one when a run is slow), to dampen noise.
        let mut best = Duration::MAX;
        let mut spent = Duration::ZERO;
        while spent < Duration::from_secs(1) || best == Duration::MAX {
            let start = Instant::now();
            instruments::load("generated.json", &text).unwrap_or_else(|e| panic!("{e}"));
            let took = start.elapsed();
            best = best.min(took);
            spent += took;
        }
        println!("{items:>6} {:>10} {:>12?}", text.len(), best);
    }
}
