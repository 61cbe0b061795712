//! Test databases for both backends: in-memory SQLite always, and a fresh, randomly named
//! PostgreSQL database when `ANTITRATA_TEST_PG_URL` is set. Only built with the `testing` feature.

#![allow(
    clippy::expect_used,
    reason = "test support: a broken test database should stop the test"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use antitrata_domain::{Actor, CountryCode, CountryScope, Role};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use time::macros::datetime;

use crate::{DatabaseUrl, KeyFile, Keyring, NonceSource, Store};

/// Distinct bytes on every call from a counter and a seed: repeatable tests, never production.
#[derive(Debug)]
pub struct CountingNonces {
    seed: u64,
    counter: AtomicU64,
}

impl CountingNonces {
    pub fn new(seed: u64) -> CountingNonces {
        CountingNonces {
            seed,
            counter: AtomicU64::new(0),
        }
    }
}

impl NonceSource for CountingNonces {
    fn fill(&self, buf: &mut [u8]) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        // The counter first, so that even a short buffer differs from one call to the next.
        let bytes = [n.to_be_bytes(), self.seed.to_be_bytes()].concat();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = bytes[i % bytes.len()] ^ (i as u8).wrapping_mul(37);
        }
    }
}

/// The key file behind [`test_keyring`]: the same keys every time.
pub fn test_key_file() -> KeyFile {
    KeyFile::generate(&CountingNonces::new(42), "2026-01-01T00:00:00Z")
}

/// A keyring with one key, from a test nonce source.
pub fn test_keyring() -> Arc<Keyring> {
    let random = Arc::new(CountingNonces::new(7));
    Arc::new(test_key_file().into_keyring(random).expect("test keyring"))
}

/// An actor of `role` in `country` (or in no country), at a fixed time.
pub fn actor(role: Role, country: Option<&str>) -> Actor {
    Actor {
        who: format!("test-{}", role.as_str()),
        role,
        scope: match country {
            Some(code) => CountryScope::Country(CountryCode::parse(code).expect("country code")),
            None => CountryScope::None,
        },
        request_id: Some("req-test".into()),
        at: datetime!(2026-11-27 12:00:00 UTC),
    }
}

/// The variable naming a PostgreSQL server for contract tests (a URL with an admin user).
pub const PG_URL_VAR: &str = "ANTITRATA_TEST_PG_URL";

/// A migrated store on a database that exists only for one test.
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    pub name: &'static str,
    /// The URL the store was opened with, e.g. to start the binary on the same database.
    pub url: String,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// Closes the pool and drops the PostgreSQL database, if any.
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((admin_url, database)) = self.postgres {
            let mut admin = PgConnection::connect(&admin_url)
                .await
                .expect("connect as admin");
            sqlx::query(&format!(
                "drop database if exists \"{database}\" with (force)"
            ))
            .execute(&mut admin)
            .await
            .expect("drop test database");
        }
    }
}

/// In-memory SQLite always; PostgreSQL too when `ANTITRATA_TEST_PG_URL` is set (without it,
/// the test run says once that the PostgreSQL half did not run). Each store is migrated, has a
/// test keyring, and is not seeded.
pub async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    match postgres().await {
        Some(db) => dbs.push(db),
        None => {
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                not_run(&format!(
                    "the PostgreSQL half of the contract tests ({PG_URL_VAR} not set)"
                ))
            });
        }
    }
    dbs
}

/// Says that an opt-in test (or part of one) did not run, in the ordinary `cargo test` output:
/// written to the process's standard error directly, which the test harness does not capture
/// (it captures `eprintln!`, shown only with `--nocapture`), so a skip is never a silent "ok".
pub fn not_run(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "NOT RUN: {what}");
}

/// Both backends, migrated and seeded with the reference directory.
pub async fn seeded_backends() -> Vec<TestDb> {
    let dbs = backends().await;
    for db in &dbs {
        db.store.seed_reference_data().await.expect("seed");
    }
    dbs
}

pub async fn sqlite() -> TestDb {
    let db = unmigrated_sqlite().await;
    db.store.migrate().await.expect("migrate sqlite");
    db
}

/// Both backends as new, empty databases without any migration applied, for tests that upgrade
/// a database an older antitrata left ([`Store::run_migrator_for_tests`]).
pub async fn unmigrated_backends() -> Vec<TestDb> {
    let mut dbs = vec![unmigrated_sqlite().await];
    dbs.extend(unmigrated_postgres().await);
    dbs
}

async fn unmigrated_sqlite() -> TestDb {
    let store = Store::connect(&DatabaseUrl::SqliteMemory)
        .await
        .expect("open sqlite")
        .with_keyring(test_keyring());
    TestDb {
        store,
        name: "sqlite",
        url: "sqlite::memory:".into(),
        postgres: None,
    }
}

/// A migrated SQLite store in the file `path`, with its own pool of connections like the
/// service's: the backend on which concurrent writers really compete for the lock.
pub async fn sqlite_file(path: &std::path::Path) -> TestDb {
    let store = Store::connect(&DatabaseUrl::SqliteFile(path.to_path_buf()))
        .await
        .expect("open sqlite file")
        .with_keyring(test_keyring());
    store.migrate().await.expect("migrate sqlite file");
    TestDb {
        store,
        name: "sqlite-file",
        url: format!("sqlite://{}", path.display()),
        postgres: None,
    }
}

/// A fresh PostgreSQL database, or `None` when `ANTITRATA_TEST_PG_URL` is not set.
pub async fn postgres() -> Option<TestDb> {
    let db = unmigrated_postgres().await?;
    db.store.migrate().await.expect("migrate postgres");
    Some(db)
}

#[allow(
    clippy::disallowed_methods,
    reason = "test support: a random name keeps parallel test databases apart"
)]
async fn unmigrated_postgres() -> Option<TestDb> {
    let admin_url = std::env::var(PG_URL_VAR).ok()?;
    let database = format!("antitrata_test_{:016x}", rand::random::<u64>());
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .expect("ANTITRATA_TEST_PG_URL is set but PostgreSQL does not answer");
    sqlx::query(&format!("create database \"{database}\""))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin_url).expect("ANTITRATA_TEST_PG_URL is a URL");
    url.set_path(&database);
    let store = Store::connect(&DatabaseUrl::parse(url.as_str()).expect("postgres url"))
        .await
        .expect("open postgres")
        .with_keyring(test_keyring());
    Some(TestDb {
        store,
        name: "postgres",
        url: url.to_string(),
        postgres: Some((admin_url, database)),
    })
}

impl Store {
    /// Applies the migrations `migrator` holds (an older antitrata's, say), as `migrate` applies
    /// this version's.
    pub async fn run_migrator_for_tests(
        &self,
        migrator: &sqlx::migrate::Migrator,
    ) -> Result<(), crate::StoreError> {
        crate::store::with_pool!(self, |pool| migrator.run(pool).await?);
        Ok(())
    }

    /// Runs one SQL statement as given, to play an attacker with database access in tests.
    pub async fn execute_raw_for_tests(&self, sql: &str) -> Result<u64, crate::StoreError> {
        let done = crate::store::with_pool!(self, |pool| sqlx::query(sql)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done)
    }

    /// How many rows a table holds, to check that a refused write left nothing behind.
    pub async fn count_rows_for_tests(&self, table: &str) -> Result<i64, crate::StoreError> {
        let (count,): (i64,) = crate::store::with_pool!(self, |pool| sqlx::query_as(&format!(
            "select count(*) from {table}"
        ))
        .fetch_one(pool)
        .await?);
        Ok(count)
    }
}

/// Everything logged by any thread of the test binary, at every level and without colours, from
/// the first call on: the canary tests search it. SQLite logs its statements on its worker
/// threads, so a thread-local capture would miss them.
pub fn captured_log() -> &'static std::sync::Mutex<Vec<u8>> {
    use std::sync::{Mutex, OnceLock};

    static LOG: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log: &'static Mutex<Vec<u8>> = Box::leak(Box::new(Mutex::new(Vec::new())));
        struct Writer(&'static Mutex<Vec<u8>>);
        impl std::io::Write for Writer {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Writer(log))
            .init();
        log
    })
}
