//! Test databases for both backends: in-memory SQLite always, and a fresh, randomly named
//! PostgreSQL database when `ANTITRATA_TEST_PG_URL` is set. Only built with the `testing` feature.

#![allow(
    clippy::expect_used,
    reason = "test support: a broken test database should stop the test"
)]

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::{DatabaseUrl, Store};

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

/// In-memory SQLite always; PostgreSQL too when `ANTITRATA_TEST_PG_URL` is set. Each store is
/// migrated but not seeded.
pub async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    if let Some(db) = postgres().await {
        dbs.push(db);
    }
    dbs
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
    let store = Store::connect(&DatabaseUrl::SqliteMemory)
        .await
        .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    TestDb {
        store,
        name: "sqlite",
        url: "sqlite::memory:".into(),
        postgres: None,
    }
}

/// A fresh PostgreSQL database, or `None` when `ANTITRATA_TEST_PG_URL` is not set.
pub async fn postgres() -> Option<TestDb> {
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
        .expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    Some(TestDb {
        store,
        name: "postgres",
        url: url.to_string(),
        postgres: Some((admin_url, database)),
    })
}
