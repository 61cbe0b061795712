//! The `Store` handle: connecting, migrating and health checks, for both backends.

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::contact_writes::ContactWrite;
use crate::group_commit::GroupCommit;
use crate::read_audits::OwedEntries;
use crate::{DatabaseUrl, Keyring, StoreError};

pub(crate) static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The database behind the service. Cheap to clone: it is a pool handle.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// The data keys; personal-data methods refuse to run without them.
    pub(crate) keyring: Option<Arc<Keyring>>,
    /// SQLite has one writer at a time. Its busy handler makes a waiting connection sleep and
    /// retry (up to 100 ms a nap), so under load writers queue here instead, first come first
    /// served, and each starts the moment the one before it ends. `None` on PostgreSQL.
    write_turns: Option<Arc<Semaphore>>,
    /// Where reads hand in the audit entries they owe, and operators' contacts go, to be
    /// committed in groups ([`crate::group_commit`]). `None` only in the store those tasks
    /// commit with.
    pub(crate) read_audits: Option<GroupCommit<OwedEntries>>,
    pub(crate) contact_writes: Option<GroupCommit<ContactWrite>>,
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Whether a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    Full,
    Relaxed,
}

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs the same code against whichever pool the store holds. The body is compiled once per
/// backend, so one SQL text and one row mapping serve both.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Ends the list query `$query` with one page of it, in the order of the columns `$order`: at
/// most `$limit` rows (1 to `PAGE_MAX`), after the row `$after` (an id of `$table` in
/// `$country`) if there is one. The keyset is a row value, `($order) > (select $key …)`, so
/// both backends walk the order's index from the cursor and a page costs the same however deep
/// it is (with `or`, SQLite scanned every row before it; BENCHMARKS.md). `newest_first:` walks
/// the same columns the other way (`<` and `desc`).
macro_rules! keyset_page {
    ($query:expr, order: $order:literal, table: $table:literal, key: $key:literal,
     $after:expr, $country:expr, $limit:expr) => {
        $crate::store::keyset_page!(@page $query, $order, ">", $order, $table, $key,
            $after, $country, $limit)
    };
    ($query:expr, newest_first: $order:literal, desc: $desc:literal, table: $table:literal,
     key: $key:literal, $after:expr, $country:expr, $limit:expr) => {
        $crate::store::keyset_page!(@page $query, $order, "<", $desc, $table, $key,
            $after, $country, $limit)
    };
    (@page $query:expr, $order:literal, $cmp:literal, $sort:literal, $table:literal,
     $key:literal, $after:expr, $country:expr, $limit:expr) => {{
        if let Some(after) = $after {
            $query
                .push(concat!(
                    " and (",
                    $order,
                    ") ",
                    $cmp,
                    " (select ",
                    $key,
                    " from ",
                    $table
                ))
                .push(" where id = ")
                .push_bind(after)
                .push(" and country = ")
                .push_bind($country)
                .push(")");
        }
        $query
            .push(concat!(" order by ", $sort, " limit "))
            .push_bind(i64::clamp($limit, 1, $crate::PAGE_MAX));
    }};
}
pub(crate) use keyset_page;

/// Inside the open transaction `$tx`, for a write that changed nothing: returns
/// `NotFound($entity)` unless `$table` holds the row `$id` in `$country`, so "done already" is
/// told from "no such record here" (another country's record is answered like a missing one).
macro_rules! require_row {
    ($tx:expr, $table:literal, $id:expr, $country:expr, $entity:expr) => {{
        let (found,): (i64,) = sqlx::query_as(concat!(
            "select count(*) from ",
            $table,
            " where id = $1 and country = $2"
        ))
        .bind($id)
        .bind($country)
        .fetch_one(&mut *$tx)
        .await?;
        if found == 0 {
            return Err($crate::StoreError::NotFound($entity));
        }
    }};
}
pub(crate) use require_row;

/// Inside the open transaction `$tx`, before a conditional write of the row `$id` of `$table`:
/// returns `NotFound($entity)` when `$country` holds no such row, and `Stale` with the row's
/// version when `$expected` names another one.
macro_rules! require_version {
    ($tx:expr, $table:literal, $id:expr, $country:expr, $entity:expr, $expected:expr) => {{
        let version: Option<i64> = sqlx::query_scalar(concat!(
            "select version from ",
            $table,
            " where id = $1 and country = $2"
        ))
        .bind($id)
        .bind($country)
        .fetch_optional(&mut *$tx)
        .await?;
        let version = version.ok_or($crate::StoreError::NotFound($entity))?;
        $crate::error::stale_unless($entity, $expected, version)?;
    }};
}
pub(crate) use require_version;

/// Stores the blind-index digests `$digests` (`&[(field, digest)]`) of the record `$record` in
/// one statement, inside the transaction `$tx`: one round trip instead of one per token prefix.
macro_rules! insert_digests {
    ($tx:expr, $record:expr, $digests:expr) => {{
        let digests: &[(&'static str, Vec<u8>)] = $digests;
        if !digests.is_empty() {
            let mut insert =
                sqlx::QueryBuilder::new("insert into blind_index (field, digest, record_id) ");
            insert.push_values(digests, |mut row, (field, digest)| {
                row.push_bind(*field).push_bind(digest).push_bind($record);
            });
            insert.push(" on conflict do nothing");
            insert.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use insert_digests;

/// How a transaction that may write begins on each backend. On SQLite it takes the write lock at
/// `BEGIN IMMEDIATE`: a deferred transaction that reads first and then writes (an audited read
/// appends to the audit chain) cannot wait for a lock another connection holds and fails at once
/// with "database is locked"; taking the lock up front lets it wait under the busy timeout.
/// PostgreSQL orders writers by row locks, so its transactions begin as usual.
pub(crate) trait BeginWrite {
    type Database: sqlx::Database;

    async fn begin_write(&self) -> Result<Transaction<'static, Self::Database>, sqlx::Error>;
}

impl BeginWrite for SqlitePool {
    type Database = Sqlite;

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Database = Postgres;

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.begin().await
    }
}

/// A transaction that may write, holding the store's write turn until it ends. Used like a
/// `sqlx::Transaction`: `&mut *tx` is the connection, `tx.commit()` ends it; dropping it rolls
/// back, then gives the turn to the next writer.
#[derive(Debug)]
pub(crate) struct WriteTx<DB: sqlx::Database> {
    // Declared first so that it is dropped (rolled back) before the turn is handed on.
    tx: Transaction<'static, DB>,
    _turn: Option<OwnedSemaphorePermit>,
}

impl<DB: sqlx::Database> WriteTx<DB> {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl<DB: sqlx::Database> Deref for WriteTx<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        &self.tx
    }
}

impl<DB: sqlx::Database> DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.tx
    }
}

/// How long a request waits for a free connection before failing instead of hanging.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long SQLite waits for a write lock held by another connection.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Opens a pool to the database. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, StoreError> {
        Store::connect_with(url, Durability::Full).await
    }

    /// Opens a pool for loading data that can be made again (`demo-data`): commits do not wait
    /// for the disk (SQLite `synchronous=NORMAL`, PostgreSQL `synchronous_commit=off`). A crash
    /// of the machine may lose the last commits but leaves the database whole. Never for
    /// operators' work.
    pub async fn connect_for_bulk_load(url: &DatabaseUrl) -> Result<Store, StoreError> {
        Store::connect_with(url, Durability::Relaxed).await
    }

    async fn connect_with(url: &DatabaseUrl, durability: Durability) -> Result<Store, StoreError> {
        let relaxed = durability == Durability::Relaxed;
        let pool = match url {
            DatabaseUrl::SqliteFile(path) => {
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a write the service acknowledged survives a power cut.
                    .synchronous(if relaxed {
                        SqliteSynchronous::Normal
                    } else {
                        SqliteSynchronous::Full
                    })
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT);
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    // A connection to a file cannot go stale, and the check before each use
                    // is one more round trip to the connection's thread for every query.
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                Pool::Sqlite(pool)
            }
            DatabaseUrl::SqliteMemory => {
                // Each in-memory connection is its own database: keep exactly one, forever.
                let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
                let pool = SqlitePoolOptions::new()
                    .min_connections(1)
                    .max_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await?;
                Pool::Sqlite(pool)
            }
            DatabaseUrl::Postgres(url) => {
                let mut options = PgConnectOptions::from_str(url)?.application_name("antitrata");
                if relaxed {
                    options = options.options([("synchronous_commit", "off")]);
                }
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options)
                    .await?;
                Pool::Postgres(pool)
            }
        };
        let write_turns = match pool {
            Pool::Sqlite(_) => Some(Arc::new(Semaphore::new(1))),
            Pool::Postgres(_) => None,
        };
        let mut store = Store {
            pool,
            keyring: None,
            write_turns,
            read_audits: None,
            contact_writes: None,
        };
        let groups_commit_with = store.clone();
        store.read_audits = Some(GroupCommit::start(groups_commit_with.clone()));
        store.contact_writes = Some(GroupCommit::start(groups_commit_with));
        Ok(store)
    }

    /// The same store, sealing and opening personal fields with `keyring`.
    pub fn with_keyring(mut self, keyring: Arc<Keyring>) -> Store {
        self.keyring = Some(keyring);
        self
    }

    /// Waits for this caller's turn to write (SQLite); hold the result until the write ends.
    /// Single-statement writes outside a transaction take it too, or they would nap in SQLite's
    /// busy handler while queued writers keep the lock.
    pub(crate) async fn write_turn(&self) -> Result<Option<OwnedSemaphorePermit>, sqlx::Error> {
        match &self.write_turns {
            Some(turns) => Ok(Some(
                turns
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| sqlx::Error::PoolClosed)?,
            )),
            None => Ok(None),
        }
    }

    /// Begins a transaction that may write, once it is this caller's turn to write.
    pub(crate) async fn begin_write<P: BeginWrite>(
        &self,
        pool: &P,
    ) -> Result<WriteTx<P::Database>, sqlx::Error> {
        let turn = self.write_turn().await?;
        let tx = pool.begin_write().await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    pub(crate) fn keyring(&self) -> Result<&Keyring, StoreError> {
        self.keyring.as_deref().ok_or(StoreError::NoKeyring)
    }

    /// Applies the embedded migrations of this backend that are not applied yet. With the data
    /// keys, then checks they are the database's ([`Store::check_data_key`]: a wrong key file
    /// stops here) and seals what older versions kept in plain text.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.refuse_newer_schema().await?;
        match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        if let Some(keyring) = self.keyring.as_deref() {
            self.check_data_key().await?;
            let sealed = self.seal_plain_localities(keyring).await?;
            if sealed > 0 {
                tracing::info!(
                    contacts = sealed,
                    "sealed caller localities kept in plain text"
                );
            }
        }
        Ok(())
    }

    /// `NewerSchema` if a newer antitrata migrated the database past the migrations this one
    /// knows: running on it could misread what that version wrote.
    async fn refuse_newer_schema(&self) -> Result<(), StoreError> {
        let known = match &self.pool {
            Pool::Sqlite(_) => &SQLITE_MIGRATIONS,
            Pool::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
        // The table sqlx keeps its applied migrations in; absent from a new database.
        let exists = |backend| match backend {
            Backend::Sqlite => {
                "select count(*) from sqlite_master where type = 'table' and name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "select count(*) from information_schema.tables \
                                  where table_schema = current_schema() \
                                  and table_name = '_sqlx_migrations'"
            }
        };
        let backend = self.backend();
        let found: Option<i64> = with_pool!(self, |pool| {
            let (tables,): (i64,) = sqlx::query_as(exists(backend)).fetch_one(pool).await?;
            if tables == 0 {
                None
            } else {
                sqlx::query_scalar("select max(version) from _sqlx_migrations")
                    .fetch_one(pool)
                    .await?
            }
        });
        match found {
            Some(found) if found > known => Err(StoreError::NewerSchema { found, known }),
            _ => Ok(()),
        }
    }

    /// The connection pool's connections: open, and idle among them.
    pub fn pool_connections(&self) -> (u32, usize) {
        with_pool!(self, |pool| (pool.size(), pool.num_idle()))
    }

    /// Succeeds once the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query("select 1").execute(pool).await?;
        });
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Waits for connections to be returned and closes them.
    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migration_versions() {
        let versions = |m: &Migrator| -> Vec<(i64, String)> {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect()
        };
        let sqlite = versions(&SQLITE_MIGRATIONS);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, versions(&POSTGRES_MIGRATIONS));
    }
}
