//! Key rotation's second half: re-encrypting every sealed column of every table under the current
//! key, in bounded batches, so that old keys can eventually leave the key file. One table
//! describes where sealed data lives; a table added with sealed columns is added here.

use antitrata_domain::Actor;
use sqlx::Row;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::crypto::SealContext;
use crate::store::with_pool;
use crate::{Store, StoreError};

/// How a table's rows are named in their seal context.
#[derive(Clone, Copy)]
pub(crate) enum RowKey {
    /// An `id` column holding the record's UUID.
    Id,
    /// An `owner` text column (drafts), bound through a digest of the owner.
    Owner,
}

impl RowKey {
    /// The column that names the row.
    pub(crate) fn column(self) -> &'static str {
        match self {
            RowKey::Id => "id",
            RowKey::Owner => "owner",
        }
    }
}

/// A table with sealed columns: each `<name>_sealed` column was sealed with the context
/// (`table`, `<name>`, row).
pub(crate) struct SealedTable {
    pub(crate) table: &'static str,
    pub(crate) key: RowKey,
    pub(crate) columns: &'static [&'static str],
}

pub(crate) const SEALED_TABLES: &[SealedTable] = &[
    SealedTable {
        table: "persons",
        key: RowKey::Id,
        columns: &["name", "phone", "aliases", "address", "born_on"],
    },
    SealedTable {
        table: "contacts",
        key: RowKey::Id,
        columns: &["summary", "notes", "caller_locality", "caller_phone"],
    },
    SealedTable {
        table: "cases",
        key: RowKey::Id,
        columns: &["closure_note"],
    },
    SealedTable {
        table: "referrals",
        key: RowKey::Id,
        columns: &["override_reason", "notes"],
    },
    SealedTable {
        table: "follow_ups",
        key: RowKey::Id,
        columns: &["title"],
    },
    SealedTable {
        table: "release_files",
        key: RowKey::Id,
        columns: &["contents"],
    },
    SealedTable {
        table: "contact_drafts",
        key: RowKey::Owner,
        columns: &["draft"],
    },
    SealedTable {
        table: "key_check",
        key: RowKey::Id,
        columns: &["check"],
    },
];

impl Store {
    /// Re-encrypts up to `limit` rows that are not on the current key, table after table, each
    /// table's batch in one transaction audited as `keys.resealed`; returns how many rows it did.
    /// Call until it returns 0: a run that stops half-way resumes where it stopped.
    pub async fn reseal_batch(&self, actor: &Actor, limit: i64) -> Result<usize, StoreError> {
        let mut done = 0;
        for table in SEALED_TABLES {
            let left = limit - done as i64;
            if left <= 0 {
                break;
            }
            done += self.reseal_table(actor, table, left).await?;
        }
        Ok(done)
    }

    async fn reseal_table(
        &self,
        actor: &Actor,
        spec: &SealedTable,
        limit: i64,
    ) -> Result<usize, StoreError> {
        let keyring = self.keyring()?;
        let current = i64::from(keyring.current_key_id());
        let key_column = spec.key.column();
        let sealed: Vec<String> = spec.columns.iter().map(|c| format!("{c}_sealed")).collect();
        let select = format!(
            "select {key_column}, {} from {} where key_id <> $1 order by {key_column} limit $2",
            sealed.join(", "),
            spec.table
        );
        let assignments: Vec<String> = sealed
            .iter()
            .enumerate()
            .map(|(i, column)| format!("{column} = ${}", i + 2))
            .collect();
        let update = format!(
            "update {} set key_id = $1, {} where {key_column} = ${}",
            spec.table,
            assignments.join(", "),
            sealed.len() + 2
        );
        let audit = PendingEntry::new(
            actor,
            AuditEvent {
                action: "keys.resealed",
                record_type: Some(spec.table),
                record_id: None,
            },
        )?;
        let count = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let rows = sqlx::query(&select)
                .bind(current)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            for row in &rows {
                let (record, bind_key): (Uuid, RowName) = match spec.key {
                    RowKey::Id => {
                        let id: Uuid = row.try_get(0)?;
                        (id, RowName::Id(id))
                    }
                    RowKey::Owner => {
                        let owner: String = row.try_get(0)?;
                        (crate::contacts::owner_record(&owner), RowName::Owner(owner))
                    }
                };
                let mut resealed = Vec::with_capacity(spec.columns.len());
                for (i, column) in spec.columns.iter().enumerate() {
                    let blob: Option<Vec<u8>> = row.try_get(i + 1)?;
                    let context = SealContext {
                        table: spec.table,
                        column,
                        record,
                    };
                    resealed.push(match blob {
                        Some(blob) => Some(keyring.seal(&keyring.open(&blob, context)?, context)?),
                        None => None,
                    });
                }
                let mut query = sqlx::query(&update).bind(current);
                for value in &resealed {
                    query = query.bind(value);
                }
                query = match &bind_key {
                    RowName::Id(id) => query.bind(*id),
                    RowName::Owner(owner) => query.bind(owner.as_str()),
                };
                query.execute(&mut *tx).await?;
            }
            if !rows.is_empty() {
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
            rows.len()
        });
        Ok(count)
    }
}

/// A row's key as bound in the update.
enum RowName {
    Id(Uuid),
    Owner(String),
}
