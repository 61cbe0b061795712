//! Contract tests of the Store: every test runs on in-memory SQLite, and on a fresh, randomly
//! named PostgreSQL database when `ANTITRATA_TEST_PG_URL` is set.

mod directory;
mod lifecycle;
mod seed_source;
mod support;
