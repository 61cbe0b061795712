//! The application's use cases, one function each, that the command line, the console and the
//! JSON API all call: importing a CTDC file or a released cross-tab as a dataset, exporting a
//! country's cases as statistical records (CTDC or HTCDS; CSV, JSON or Parquet), making a
//! privacy-protected release (compute, pay from the ledger, audit, manifest, bundle), reading and
//! answering a statistics question, and keeping tokens as their hashes. Below it the store and the privacy
//! crate; above it the web crate (HTTP, HTML) and the binary (flags, config, files, wiring).
//!
//! Like the crates below it, it neither reads the clock nor makes randomness: the time, the
//! random generator and every new id come in as arguments.

pub mod export;
pub mod import;
pub mod releases;
pub mod statistics;
mod tokens;

pub use tokens::token_hash;
