//! Statistical datasets: stored column by column as dictionary codes, written in chunks inside
//! one transaction (an import that fails leaves nothing), loaded back as a [`Table`].
//!
//! No personal data lives here, so nothing is sealed; imports and drops are audited like every
//! other write.

use antitrata_domain::Actor;
use antitrata_domain::stats::{Dataset, DatasetId, Dictionary, Table};
use sqlx::{FromRow, Postgres, Sqlite};
use uuid::Uuid;

use crate::accounts::to_hex;
use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::store::{Pool, WriteTx, with_pool};
use crate::{ConflictKind, Store, StoreError};

/// A dataset about to be written: everything but its rows.
#[derive(Debug, Clone)]
pub struct NewDataset {
    pub id: DatasetId,
    pub name: String,
    pub format: String,
    pub file_name: String,
    pub columns: Vec<String>,
    pub ignored_columns: Vec<String>,
}

/// An import in progress: chunks go into an open transaction that [`DatasetWriter::finish`]
/// commits. Dropping the writer rolls everything back.
#[derive(Debug)]
pub struct DatasetWriter {
    tx: Tx,
    new: NewDataset,
    audit: PendingEntry,
    imported_at: String,
    chunks: i64,
    rows: u64,
}

#[derive(Debug)]
enum Tx {
    Sqlite(WriteTx<Sqlite>),
    Postgres(WriteTx<Postgres>),
}

/// Runs the same code on whichever transaction the writer holds.
macro_rules! with_tx {
    ($writer:expr, |$tx:ident| $body:expr) => {
        match &mut $writer.tx {
            Tx::Sqlite($tx) => $body,
            Tx::Postgres($tx) => $body,
        }
    };
}

impl Store {
    /// Starts writing a dataset. Fails with `Conflict` if a dataset of that name exists; the
    /// content is checked when the import finishes, once its hash is known.
    pub async fn begin_dataset(
        &self,
        actor: &Actor,
        new: NewDataset,
    ) -> Result<DatasetWriter, StoreError> {
        let audit = PendingEntry::new(
            actor,
            AuditEvent {
                action: "dataset.imported",
                record_type: Some("dataset"),
                record_id: Some(new.id.to_string()),
            },
        )?;
        let imported_at = audit.at.clone();
        let mut tx = match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(self.begin_write(pool).await?),
            Pool::Postgres(pool) => Tx::Postgres(self.begin_write(pool).await?),
        };
        let clash: Option<(String,)> = match &mut tx {
            Tx::Sqlite(tx) => {
                sqlx::query_as("select name from datasets where name = $1")
                    .bind(&new.name)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_as("select name from datasets where name = $1")
                    .bind(&new.name)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        };
        if let Some((name,)) = clash {
            return Err(StoreError::Conflict(ConflictKind::DatasetNameTaken(name)));
        }
        let mut writer = DatasetWriter {
            tx,
            new,
            audit,
            imported_at,
            chunks: 0,
            rows: 0,
        };
        let columns = json_list(&writer.new.columns)?;
        let ignored = json_list(&writer.new.ignored_columns)?;
        let new = &writer.new;
        let imported_at = &writer.imported_at;
        let by = &writer.audit.actor;
        with_tx!(writer, |tx| {
            sqlx::query(
                "insert into datasets (id, name, format, file_name, row_count, skipped_rows, \
                 columns, ignored_columns, imported_at, imported_by) \
                 values ($1, $2, $3, $4, 0, 0, $5, $6, $7, $8)",
            )
            .bind(new.id.0)
            .bind(&new.name)
            .bind(&new.format)
            .bind(&new.file_name)
            .bind(&columns)
            .bind(&ignored)
            .bind(imported_at)
            .bind(by)
            .execute(&mut **tx)
            .await?;
        });
        Ok(writer)
    }

    /// Every dataset, newest first.
    pub async fn list_datasets(&self) -> Result<Vec<Dataset>, StoreError> {
        let rows: Vec<DatasetRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!("{SELECT_DATASET} order by imported_at desc, name"))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(DatasetRow::into_dataset).collect()
    }

    /// The dataset with this name, or this id.
    pub async fn find_dataset(&self, name_or_id: &str) -> Result<Option<Dataset>, StoreError> {
        let id = Uuid::parse_str(name_or_id).ok();
        let row: Option<DatasetRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!("{SELECT_DATASET} where name = $1 or id = $2"))
                .bind(name_or_id)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(DatasetRow::into_dataset).transpose()
    }

    /// The dataset imported from a file with this SHA-256, if any.
    pub async fn find_dataset_by_content(
        &self,
        sha256: &[u8; 32],
    ) -> Result<Option<Dataset>, StoreError> {
        let row: Option<DatasetRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!("{SELECT_DATASET} where content_sha256 = $1"))
                .bind(sha256.as_slice())
                .fetch_optional(pool)
                .await?
        });
        row.map(DatasetRow::into_dataset).transpose()
    }

    /// Deletes a dataset and its rows, audited. `false` if there was no such dataset.
    pub async fn drop_dataset(&self, actor: &Actor, id: DatasetId) -> Result<bool, StoreError> {
        let audit = PendingEntry::new(
            actor,
            AuditEvent {
                action: "dataset.dropped",
                record_type: Some("dataset"),
                record_id: Some(id.to_string()),
            },
        )?;
        let dropped = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            for table in ["dataset_chunks", "dataset_columns"] {
                sqlx::query(&format!("delete from {table} where dataset_id = $1"))
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            let deleted = sqlx::query("delete from datasets where id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if deleted > 0 {
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
            deleted > 0
        });
        Ok(dropped)
    }

    /// A dataset's rows as a columnar table; `None` if there is no such dataset.
    pub async fn load_dataset(&self, id: DatasetId) -> Result<Option<Table>, StoreError> {
        let (columns, chunks): (Vec<ColumnRow>, Vec<ChunkRow>) = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let columns: Vec<ColumnRow> = sqlx::query_as(
                "select name, dictionary from dataset_columns where dataset_id = $1 \
                 order by position",
            )
            .bind(id.0)
            .fetch_all(&mut *tx)
            .await?;
            let chunks: Vec<ChunkRow> = sqlx::query_as(
                "select row_count, codes from dataset_chunks where dataset_id = $1 order by chunk",
            )
            .bind(id.0)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            (columns, chunks)
        });
        if columns.is_empty() {
            return Ok(None);
        }
        let width = columns.len();
        let dictionaries = columns
            .into_iter()
            .map(|c| {
                let values: Vec<String> = serde_json::from_str(&c.dictionary)
                    .map_err(|e| StoreError::Corrupt(format!("dictionary of `{}`: {e}", c.name)))?;
                let dictionary =
                    Dictionary::new(values).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((c.name, dictionary))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let decoded = chunks
            .into_iter()
            .map(|chunk| decode_chunk(&chunk.codes, width, chunk.row_count))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Table::from_chunks(dictionaries, decoded)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

impl DatasetWriter {
    /// Stores one chunk: one code vector per column, all of the same length.
    pub async fn write_chunk(&mut self, chunk: &[Vec<u16>]) -> Result<(), StoreError> {
        let rows = chunk.first().map_or(0, Vec::len);
        if rows == 0 {
            return Ok(());
        }
        if chunk.len() != self.new.columns.len() || chunk.iter().any(|c| c.len() != rows) {
            return Err(StoreError::Corrupt(
                "a chunk does not match the dataset's columns".into(),
            ));
        }
        let codes = encode_chunk(chunk, rows);
        let id = self.new.id.0;
        let number = self.chunks;
        let row_count = i64::try_from(rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        with_tx!(self, |tx| {
            sqlx::query(
                "insert into dataset_chunks (dataset_id, chunk, row_count, codes) \
                 values ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(number)
            .bind(row_count)
            .bind(&codes)
            .execute(&mut **tx)
            .await?;
        });
        self.chunks += 1;
        self.rows += rows as u64;
        Ok(())
    }

    /// Stores the dictionaries, counts and the file's SHA-256, audits the import and commits.
    /// Fails with `Conflict` (and stores nothing) if a dataset of the same content exists.
    pub async fn finish(
        mut self,
        dictionaries: Vec<(String, Dictionary)>,
        skipped_rows: u64,
        content_sha256: [u8; 32],
    ) -> Result<Dataset, StoreError> {
        let names: Vec<&String> = dictionaries.iter().map(|(name, _)| name).collect();
        if names.len() != self.new.columns.len()
            || names.iter().zip(&self.new.columns).any(|(a, b)| *a != b)
        {
            return Err(StoreError::Corrupt(
                "the dictionaries do not match the dataset's columns".into(),
            ));
        }
        let encoded = dictionaries
            .iter()
            .map(|(name, dictionary)| {
                serde_json::to_string(dictionary.values())
                    .map(|json| (name.clone(), json))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let id = self.new.id.0;
        let rows = i64::try_from(self.rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let skipped =
            i64::try_from(skipped_rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let audit = &self.audit;
        with_tx!(self, |tx| {
            let same: Option<(String,)> =
                sqlx::query_as("select name from datasets where content_sha256 = $1")
                    .bind(content_sha256.as_slice())
                    .fetch_optional(&mut **tx)
                    .await?;
            if let Some((name,)) = same {
                return Err(StoreError::Conflict(ConflictKind::SameContentAs(name)));
            }
            for (position, (name, json)) in encoded.iter().enumerate() {
                sqlx::query(
                    "insert into dataset_columns (dataset_id, position, name, dictionary) \
                     values ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(position as i32)
                .bind(name)
                .bind(json)
                .execute(&mut **tx)
                .await?;
            }
            sqlx::query(
                "update datasets set row_count = $1, skipped_rows = $2, content_sha256 = $3 \
                 where id = $4",
            )
            .bind(rows)
            .bind(skipped)
            .bind(content_sha256.as_slice())
            .bind(id)
            .execute(&mut **tx)
            .await?;
            append_audit!(*tx, audit);
        });
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(Dataset {
            id: self.new.id,
            name: self.new.name,
            format: self.new.format,
            file_name: self.new.file_name,
            content_sha256: to_hex(&content_sha256),
            rows: self.rows,
            skipped_rows,
            columns: self.new.columns,
            ignored_columns: self.new.ignored_columns,
            imported_at: self.imported_at,
            imported_by: self.audit.actor,
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }
}

const SELECT_DATASET: &str = "select id, name, format, file_name, content_sha256, row_count, \
     skipped_rows, columns, ignored_columns, imported_at, imported_by from datasets";

#[derive(FromRow)]
struct DatasetRow {
    id: Uuid,
    name: String,
    format: String,
    file_name: String,
    content_sha256: Option<Vec<u8>>,
    row_count: i64,
    skipped_rows: i64,
    columns: String,
    ignored_columns: String,
    imported_at: String,
    imported_by: String,
}

impl DatasetRow {
    fn into_dataset(self) -> Result<Dataset, StoreError> {
        let list = |json: &str| {
            serde_json::from_str::<Vec<String>>(json)
                .map_err(|e| StoreError::Corrupt(format!("dataset `{}`: {e}", self.name)))
        };
        Ok(Dataset {
            id: DatasetId(self.id),
            columns: list(&self.columns)?,
            ignored_columns: list(&self.ignored_columns)?,
            content_sha256: self
                .content_sha256
                .as_deref()
                .map(to_hex)
                .unwrap_or_default(),
            rows: u64::try_from(self.row_count).unwrap_or_default(),
            skipped_rows: u64::try_from(self.skipped_rows).unwrap_or_default(),
            name: self.name,
            format: self.format,
            file_name: self.file_name,
            imported_at: self.imported_at,
            imported_by: self.imported_by,
        })
    }
}

#[derive(FromRow)]
struct ColumnRow {
    name: String,
    dictionary: String,
}

#[derive(FromRow)]
struct ChunkRow {
    row_count: i32,
    codes: Vec<u8>,
}

/// A chunk as stored: for each column, one byte giving the width of its codes (1 when every
/// code fits in a byte, else 2), then one code per row, little-endian.
fn encode_chunk(chunk: &[Vec<u16>], rows: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(chunk.len() * (1 + rows * 2));
    for column in chunk {
        if column.iter().all(|&code| code <= u16::from(u8::MAX)) {
            bytes.push(1);
            bytes.extend(column.iter().map(|&code| code as u8));
        } else {
            bytes.push(2);
            for code in column {
                bytes.extend_from_slice(&code.to_le_bytes());
            }
        }
    }
    bytes
}

fn decode_chunk(bytes: &[u8], width: usize, rows: i32) -> Result<Vec<Vec<u16>>, StoreError> {
    let rows = usize::try_from(rows).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let corrupt = || {
        StoreError::Corrupt(format!(
            "a chunk of {rows} rows × {width} columns is cut short"
        ))
    };
    let mut columns = Vec::with_capacity(width);
    let mut rest = bytes;
    for _ in 0..width {
        let (&code_width, after) = rest.split_first().ok_or_else(corrupt)?;
        let size = rows * usize::from(code_width);
        if !(1..=2).contains(&code_width) || after.len() < size {
            return Err(corrupt());
        }
        let (data, after) = after.split_at(size);
        columns.push(if code_width == 1 {
            data.iter().map(|&b| u16::from(b)).collect()
        } else {
            data.chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect()
        });
        rest = after;
    }
    if !rest.is_empty() {
        return Err(StoreError::Corrupt(format!(
            "a chunk of {rows} rows × {width} columns has {} bytes too many",
            rest.len()
        )));
    }
    Ok(columns)
}

fn json_list(values: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(values).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_round_trip_with_one_or_two_bytes_per_code() {
        let chunk = vec![vec![0, 1, 255], vec![0, 256, 65_535]];
        let bytes = encode_chunk(&chunk, 3);
        assert_eq!(bytes.len(), (1 + 3) + (1 + 6));
        assert_eq!(decode_chunk(&bytes, 2, 3).unwrap(), chunk);
        assert!(decode_chunk(&bytes[..bytes.len() - 1], 2, 3).is_err());
        assert!(decode_chunk(&[bytes.clone(), vec![0]].concat(), 2, 3).is_err());
        assert!(decode_chunk(&[3, 0, 0, 0], 1, 3).is_err());
    }
}
