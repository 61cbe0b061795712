//! The price of protecting personal data at the store level: writing and reading a person with
//! sealing, blind indexes and the audit entry, against the same write and read of plaintext in a
//! plain table of the same database, in the same run. SQLite file in WAL mode with
//! `synchronous = FULL`, as the service runs it. Two floors show what any audit costs before
//! sealing and chaining: the plain statement plus one more plain row in the same transaction; and
//! a plain insert not waiting for the disk shows the fsync's share.
//!
//! cargo bench -p antitrata-store --bench personal_data

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark set-up")]

use std::sync::atomic::{AtomicU64, Ordering};

use antitrata_domain::{CountryCode, NewPerson, PersonId, Role};
use antitrata_store::testing::{actor, test_keyring};
use antitrata_store::{DatabaseUrl, SealContext, Store};
use criterion::{Criterion, criterion_group, criterion_main};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use uuid::Uuid;

const NAME: &str = "María Fernanda López García";
const PHONE: &str = "+502 5555-0199";

/// The baseline's write: the person's row in plain text, in one statement.
async fn insert_plain<'e>(executor: impl sqlx::SqliteExecutor<'e>, id: Uuid) {
    sqlx::query(
        "insert into plain_persons (id, country, name, phone, created_at) \
         values ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind("GT")
    .bind(NAME)
    .bind(PHONE)
    .bind("2026-11-27T12:00:00Z")
    .execute(executor)
    .await
    .unwrap();
}

/// The floors' stand-in for an audit entry: one plain row naming the record.
async fn insert_log<'e>(executor: impl sqlx::SqliteExecutor<'e>, id: Uuid) {
    sqlx::query("insert into plain_log (record, at) values ($1, $2)")
        .bind(id)
        .bind("2026-11-27T12:00:00Z")
        .execute(executor)
        .await
        .unwrap();
}

fn personal_data(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap();
    let keyring = test_keyring();
    let store = rt.block_on(async {
        let store = Store::connect(&url)
            .await
            .unwrap()
            .with_keyring(keyring.clone());
        store.migrate().await.unwrap();
        store.seed_reference_data().await.unwrap();
        store
    });
    // The baseline: the same database and settings, a table without protection.
    let plain = rt.block_on(async {
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
        sqlx::query("create table plain_persons (id blob primary key, country text not null, name text not null, phone text, created_at text not null)")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("create table plain_log (seq integer primary key, record blob not null, at text not null)")
            .execute(&pool)
            .await
            .unwrap();
        pool
    });
    // The same file without waiting for the disk: how much of a plain write is the fsync.
    let no_sync = rt.block_on(async {
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Off);
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap()
    });
    let gt = actor(Role::Caseworker, Some("GT"));
    let person = NewPerson {
        country: CountryCode::parse("GT").unwrap(),
        name: NAME.into(),
        phone: Some(PHONE.into()),
    };
    let next = AtomicU64::new(1);
    let fresh = || Uuid::from_u64_pair(0, next.fetch_add(1, Ordering::Relaxed));

    let mut writes = c.benchmark_group("write one person");
    writes.bench_function("plain insert (baseline)", |b| {
        b.iter(|| rt.block_on(insert_plain(&plain, fresh())))
    });
    writes.bench_function("plain insert, not waiting for the disk", |b| {
        b.iter(|| rt.block_on(insert_plain(&no_sync, fresh())))
    });
    // The floor of any audited write: the plain insert and one more plain row in the same
    // transaction, without sealing, blind index or hash chain.
    writes.bench_function("plain insert + one log row in a transaction (floor)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let id = fresh();
                let mut tx = plain.begin_with("BEGIN IMMEDIATE").await.unwrap();
                insert_plain(&mut *tx, id).await;
                insert_log(&mut *tx, id).await;
                tx.commit().await.unwrap();
            })
        })
    });
    writes.bench_function("sealed, indexed and audited", |b| {
        b.iter(|| {
            rt.block_on(store.insert_person(&gt, PersonId(fresh()), &person))
                .unwrap()
        })
    });
    writes.finish();

    let plain_id = fresh();
    let sealed_id = PersonId(fresh());
    rt.block_on(async {
        insert_plain(&plain, plain_id).await;
        store.insert_person(&gt, sealed_id, &person).await.unwrap();
    });
    let mut reads = c.benchmark_group("read one person");
    reads.bench_function("plain select (baseline)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let row: (String, Option<String>) = sqlx::query_as(
                    "select name, phone from plain_persons where id = $1 and country = $2",
                )
                .bind(plain_id)
                .bind("GT")
                .fetch_one(&plain)
                .await
                .unwrap();
                row
            })
        })
    });
    // The floor of any audited read: the plain select and one plain row written durably in the
    // same transaction, without opening, hash chain or index.
    reads.bench_function("plain select + one log row in a transaction (floor)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut tx = plain.begin_with("BEGIN IMMEDIATE").await.unwrap();
                let row: (String, Option<String>) = sqlx::query_as(
                    "select name, phone from plain_persons where id = $1 and country = $2",
                )
                .bind(plain_id)
                .bind("GT")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
                insert_log(&mut *tx, plain_id).await;
                tx.commit().await.unwrap();
                row
            })
        })
    });
    reads.bench_function("opened and audited", |b| {
        b.iter(|| {
            rt.block_on(store.find_person(&gt, sealed_id))
                .unwrap()
                .unwrap()
        })
    });
    reads.finish();

    let mut crypto = c.benchmark_group("crypto alone");
    let context = SealContext {
        table: "persons",
        column: "name",
        record: Uuid::nil(),
    };
    crypto.bench_function("seal + open a name", |b| {
        b.iter(|| {
            keyring
                .open(&keyring.seal_str(NAME, context).unwrap(), context)
                .unwrap()
        })
    });
    crypto.bench_function("blind-index digests of a name", |b| {
        b.iter(|| keyring.index_digests(antitrata_store::BlindField::PersonName, NAME))
    });
    crypto.finish();
}

criterion_group!(benches, personal_data);
criterion_main!(benches);
