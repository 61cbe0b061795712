//! A three-variable cross-tab (citizenship × exploitation types × year) over one million
//! statistical records held as the columnar `Table`, as the console's statistics page computes it.
//!
//! The records come from a CTDC-format CSV read with the importer's rules (`read_table`);
//! `scripts/bench-stats.sh` writes a file of one million rows sampled from the CTDC 2017 file with
//! a fixed seed and gives the same file to DuckDB. A shorter file is repeated row by row up to one
//! million.
//!
//! ANTITRATA_BENCH_CSV=target/bench-data/ctdc-2017-1m.csv cargo bench -p antitrata-domain --bench crosstab

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "benchmark set-up and its report"
)]

use std::path::PathBuf;

use antitrata_domain::stats::{Column, Table, cross_tabulate, read_table};
use criterion::{Criterion, criterion_group, criterion_main};

const ROWS: usize = 1_000_000;
const VARIABLES: [&str; 3] = ["citizenship", "exploitationTypes", "yearOfRegistration"];

fn source() -> PathBuf {
    std::env::var_os("ANTITRATA_BENCH_CSV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/ctdc/ctdc-global-dataset-2017-11-27.csv")
        })
}

/// The file's table, its rows repeated in order up to one million.
fn load(path: &PathBuf) -> Table {
    let file = std::fs::File::open(path).expect("a CTDC CSV (set ANTITRATA_BENCH_CSV)");
    let table = read_table(std::io::BufReader::new(file)).unwrap();
    let columns = table
        .columns()
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            dictionary: c.dictionary.clone(),
            codes: c
                .codes
                .iter()
                .copied()
                .cycle()
                .take(ROWS.max(table.rows()))
                .collect(),
        })
        .collect();
    Table::from_columns(columns).unwrap()
}

fn crosstab(c: &mut Criterion) {
    let path = source();
    let table = load(&path);
    let tab = cross_tabulate(&table, &VARIABLES, &[]).unwrap();
    eprintln!(
        "{}: {} records, {} non-empty cells, total {}",
        path.display(),
        table.rows(),
        tab.cells.len(),
        tab.total
    );
    c.bench_function(
        "cross-tab citizenship × exploitationTypes × year, 1M records",
        |b| b.iter(|| cross_tabulate(&table, &VARIABLES, &[]).unwrap()),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = crosstab
}
criterion_main!(benches);
