//! Contract tests of the Store: every test runs on in-memory SQLite, and on a fresh, randomly
//! named PostgreSQL database when `ANTITRATA_TEST_PG_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes,
    clippy::print_stderr,
    clippy::disallowed_methods,
    reason = "test helpers fail loudly, say what they skip, kill what they spawn, and may read \
              the clock"
)]

mod accounts;
mod api_tokens;
mod audit;
mod backup;
mod case_statistics;
mod casework;
mod concurrency;
mod content;
mod datasets;
mod directory;
mod disclosure;
mod key_check;
mod lifecycle;
mod personal_data;
mod privacy_budget;
mod seed_source;
mod sessions;
mod upgrades;
