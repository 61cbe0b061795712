//! Backups of a SQLite database while the service runs, and the integrity check a restored copy
//! passes before it is put in place. PostgreSQL's backups are `pg_dump` and base backups with
//! point-in-time recovery (`docs/operations.md`).

use crate::store::Pool;
use crate::{Store, StoreError};

impl Store {
    /// A consistent copy of the whole SQLite database written to `path`, a new file, while others
    /// keep writing: `VACUUM INTO` reads in one transaction, so the copy is the database as of one
    /// commit, compacted. The data keys are not in it; they are backed up apart from it.
    pub async fn backup_into(&self, path: &str) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(StoreError::SqliteOnly("backup"));
        };
        sqlx::query("vacuum into $1")
            .bind(path)
            .execute(pool)
            .await?;
        Ok(())
    }

    /// SQLite's integrity check of every table and index: empty if the database is whole, else
    /// what is wrong.
    pub async fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(StoreError::SqliteOnly("the integrity check"));
        };
        let found: Vec<String> = sqlx::query_scalar("pragma integrity_check")
            .fetch_all(pool)
            .await?;
        Ok(found.into_iter().filter(|line| line != "ok").collect())
    }
}
