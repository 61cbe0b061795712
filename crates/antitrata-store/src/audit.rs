//! The audit log: append-only, hash-chained. Every entry records who did what to which record,
//! when and under which request, and never the personal data itself.
//!
//! Entry `n` carries `prev_hash` (the hash of entry `n-1`, zeros for the first) and
//! `hash = SHA-256("antitrata/audit/v1" | prev_hash | fields)`, fields length-prefixed. The single
//! row of `audit_head` holds the last sequence number and hash; appending updates it first, which
//! takes the write lock (SQLite) or the row lock (PostgreSQL), so appends are serialized.

use antitrata_domain::{Actor, UserId};
use sha2::{Digest, Sha256};
use sqlx::FromRow;
use time::format_description::well_known::Rfc3339;

use crate::read_audits::OwedEntries;
use crate::store::with_pool;
use crate::{Keyring, Store, StoreError};

/// What an entry is about: an action and, for most actions, the record it touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// A dotted verb, e.g. `person.viewed`, `person.created`, `login.failed`.
    pub action: &'static str,
    pub record_type: Option<&'static str>,
    pub record_id: Option<String>,
}

impl AuditEvent {
    /// An event about one staff account.
    pub fn for_user(action: &'static str, id: UserId) -> AuditEvent {
        AuditEvent {
            action,
            record_type: Some("user"),
            record_id: Some(id.to_string()),
        }
    }
}

/// One stored entry, as `audit verify` and the console read it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub country: Option<String>,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// The first thing wrong with the log, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditProblem {
    /// The entry's content does not match its hash: it was edited.
    Edited { seq: i64 },
    /// The entry does not follow the one before it: something was deleted, inserted or reordered.
    ChainBroken { seq: i64 },
    /// A sequence number is missing: the entry was deleted.
    Missing { seq: i64 },
    /// The log ends before the recorded head: entries after `last_seq` were deleted.
    Truncated { last_seq: i64, head_seq: i64 },
    /// The log's end is not the entry recorded as its last: entries were replaced or added by hand.
    NotTheRecordedHead { seq: i64 },
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditProblem::Edited { seq } => write!(
                f,
                "entry {seq} was edited: its hash does not match its content"
            ),
            AuditProblem::ChainBroken { seq } => write!(
                f,
                "entry {seq} does not follow entry {}: entries were deleted, inserted or reordered",
                seq - 1
            ),
            AuditProblem::Missing { seq } => write!(f, "entry {seq} is missing: it was deleted"),
            AuditProblem::Truncated { last_seq, head_seq } => write!(
                f,
                "the log ends at entry {last_seq} but {head_seq} entries were written: the last ones were deleted"
            ),
            AuditProblem::NotTheRecordedHead { seq } => write!(
                f,
                "entry {seq} is not the entry recorded as the last one: entries were replaced or added by hand"
            ),
        }
    }
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: i64,
    /// The hash of the last entry: record it elsewhere to detect a rewrite of the whole log.
    pub head_hash: Vec<u8>,
    pub problem: Option<AuditProblem>,
}

const GENESIS: [u8; 32] = [0; 32];
const VERIFY_PAGE: i64 = 1000;

/// The hash of an entry given the previous hash.
pub(crate) fn entry_hash(prev_hash: &[u8], e: &EntryFields<'_>) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(b"antitrata/audit/v1");
    hasher.update(prev_hash);
    hasher.update(e.seq.to_be_bytes());
    for field in [
        Some(e.at),
        Some(e.actor),
        Some(e.role),
        e.country,
        Some(e.action),
        e.record_type,
        e.record_id,
        e.request_id,
    ] {
        match field {
            Some(text) => {
                hasher.update((text.len() as u32).to_be_bytes());
                hasher.update(text.as_bytes());
            }
            None => hasher.update(u32::MAX.to_be_bytes()),
        }
    }
    hasher.finalize().to_vec()
}

/// The hashed fields of an entry, borrowed.
pub(crate) struct EntryFields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub role: &'a str,
    pub country: Option<&'a str>,
    pub action: &'a str,
    pub record_type: Option<&'a str>,
    pub record_id: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

impl AuditEntry {
    fn fields(&self) -> EntryFields<'_> {
        EntryFields {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            role: &self.role,
            country: self.country.as_deref(),
            action: &self.action,
            record_type: self.record_type.as_deref(),
            record_id: self.record_id.as_deref(),
            request_id: self.request_id.as_deref(),
        }
    }
}

/// An entry ready to append, owned so it can cross into a transaction. It holds no personal data.
#[derive(Debug, Clone)]
pub(crate) struct PendingEntry {
    pub at: String,
    pub actor: String,
    pub role: &'static str,
    pub country: Option<String>,
    pub action: &'static str,
    pub record_type: Option<&'static str>,
    pub record_id: Option<String>,
    pub request_id: Option<String>,
}

impl PendingEntry {
    pub(crate) fn new(actor: &Actor, event: AuditEvent) -> Result<PendingEntry, StoreError> {
        Ok(PendingEntry {
            at: actor
                .at
                .format(&Rfc3339)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            actor: actor.who.clone(),
            role: actor.role.as_str(),
            country: actor.scope.country().map(|c| c.to_string()),
            action: event.action,
            record_type: event.record_type,
            record_id: event.record_id,
            request_id: actor.request_id.clone(),
        })
    }
}

/// The most entries one `insert` statement carries (11 parameters each).
pub(crate) const ENTRIES_PER_INSERT: usize = 500;

/// The entries of a batch, chained: each with its sequence number, the previous hash and its
/// own hash, starting after `(last_seq, last_hash)` of the head as it was.
pub(crate) fn chain(
    entries: &[PendingEntry],
    first_seq: i64,
    mut prev_hash: Vec<u8>,
) -> Vec<(i64, Vec<u8>, Vec<u8>)> {
    let mut chained = Vec::with_capacity(entries.len());
    for (n, entry) in entries.iter().enumerate() {
        let seq = first_seq + n as i64;
        let hash = entry_hash(
            &prev_hash,
            &EntryFields {
                seq,
                at: &entry.at,
                actor: &entry.actor,
                role: entry.role,
                country: entry.country.as_deref(),
                action: entry.action,
                record_type: entry.record_type,
                record_id: entry.record_id.as_deref(),
                request_id: entry.request_id.as_deref(),
            },
        );
        chained.push((seq, std::mem::replace(&mut prev_hash, hash.clone()), hash));
    }
    chained
}

/// Appends `$entries` (a slice of `PendingEntry`) inside the open transaction `$tx`, on either
/// backend, in three statements whatever their number (a search audits every person it finds):
/// the head takes their sequence numbers under its row lock, the rows go in together, and the
/// head keeps the last hash.
macro_rules! append_audits {
    ($tx:expr, $entries:expr) => {{
        let entries: &[$crate::audit::PendingEntry] = $entries;
        if !entries.is_empty() {
            let count = entries.len() as i64;
            let (last_seq, head_hash): (i64, Vec<u8>) = sqlx::query_as(
                "update audit_head set seq = seq + $1 where id = 1 returning seq, hash",
            )
            .bind(count)
            .fetch_one(&mut *$tx)
            .await?;
            let chained = $crate::audit::chain(entries, last_seq - count + 1, head_hash);
            for (part, links) in entries
                .chunks($crate::audit::ENTRIES_PER_INSERT)
                .zip(chained.chunks($crate::audit::ENTRIES_PER_INSERT))
            {
                let mut insert = sqlx::QueryBuilder::new(
                    "insert into audit_log (seq, at, actor, role, country, action, record_type, \
                     record_id, request_id, prev_hash, hash) ",
                );
                insert.push_values(
                    part.iter().zip(links),
                    |mut row, (entry, (seq, prev_hash, hash))| {
                        row.push_bind(*seq)
                            .push_bind(&entry.at)
                            .push_bind(&entry.actor)
                            .push_bind(entry.role)
                            .push_bind(&entry.country)
                            .push_bind(entry.action)
                            .push_bind(entry.record_type)
                            .push_bind(&entry.record_id)
                            .push_bind(&entry.request_id)
                            .push_bind(prev_hash)
                            .push_bind(hash);
                    },
                );
                insert.build().execute(&mut *$tx).await?;
            }
            if let Some((_, _, last_hash)) = chained.last() {
                sqlx::query("update audit_head set hash = $1 where id = 1")
                    .bind(last_hash)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    }};
}
pub(crate) use append_audits;

/// Appends `$entry` (a `PendingEntry`) inside the open transaction `$tx`, on either backend.
macro_rules! append_audit {
    ($tx:expr, $entry:expr) => {{
        let entry: &$crate::audit::PendingEntry = $entry;
        $crate::audit::append_audits!($tx, std::slice::from_ref(entry));
    }};
}
pub(crate) use append_audit;

/// Records read outside a write transaction and still sealed: the audit events their reading owes
/// and how to open them. Only [`Store::open_read`] opens them, after appending the events, so
/// reads can be made one by one and audited together.
pub(crate) struct SealedRead<T> {
    events: Vec<AuditEvent>,
    open: Opener<T>,
}

/// How a [`SealedRead`] opens what it read.
type Opener<T> = Box<dyn FnOnce(&Keyring) -> Result<T, StoreError> + Send>;

impl<T: Send + 'static> SealedRead<Vec<T>> {
    /// `rows`, each owing `event(row)`, opened one by one by `open`.
    pub(crate) fn rows<R: Send + 'static>(
        rows: Vec<R>,
        event: impl Fn(&R) -> AuditEvent,
        open: fn(R, &Keyring) -> Result<T, StoreError>,
    ) -> SealedRead<Vec<T>> {
        SealedRead {
            events: rows.iter().map(event).collect(),
            open: Box::new(move |keyring| rows.into_iter().map(|row| open(row, keyring)).collect()),
        }
    }
}

impl<T: Send + 'static> SealedRead<T> {
    /// One row owing `event`, opened by `open`.
    pub(crate) fn one<R: Send + 'static>(
        row: R,
        event: AuditEvent,
        open: fn(R, &Keyring) -> Result<T, StoreError>,
    ) -> SealedRead<T> {
        SealedRead {
            events: vec![event],
            open: Box::new(move |keyring| open(row, keyring)),
        }
    }

    /// This read and `other`, audited together and opened together.
    pub(crate) fn and<U: Send + 'static>(mut self, other: SealedRead<U>) -> SealedRead<(T, U)> {
        self.events.extend(other.events);
        let (first, second) = (self.open, other.open);
        SealedRead {
            events: self.events,
            open: Box::new(move |keyring| Ok((first(keyring)?, second(keyring)?))),
        }
    }
}

impl Store {
    /// Records an event that touches no sealed record in the same transaction (a login, an export,
    /// a permission change).
    pub async fn append_audit(&self, actor: &Actor, event: AuditEvent) -> Result<(), StoreError> {
        self.append_entries(&[PendingEntry::new(actor, event)?])
            .await
    }

    /// Appends `entries` in one transaction of their own.
    pub(crate) async fn append_entries(&self, entries: &[PendingEntry]) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            append_audits!(tx, entries);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Appends `actor`'s entries for the records of a read made outside a write transaction,
    /// committed together with those of the other reads waiting ([`crate::read_audits`]); the
    /// read's results must not leave the store before this returns. A search reads without
    /// holding the write turn, so searches run side by side and only their audit entries queue
    /// behind other writers.
    pub(crate) async fn audit_read(
        &self,
        actor: &Actor,
        events: impl IntoIterator<Item = AuditEvent>,
    ) -> Result<(), StoreError> {
        let entries = events
            .into_iter()
            .map(|event| PendingEntry::new(actor, event))
            .collect::<Result<Vec<_>, _>>()?;
        if entries.is_empty() {
            return Ok(());
        }
        self.commit_job(self.read_audits.as_ref(), OwedEntries(entries))
            .await?
    }

    /// Appends the entries a read owes (as [`Store::audit_read`]), then opens what it read.
    pub(crate) async fn open_read<T>(
        &self,
        actor: &Actor,
        read: SealedRead<T>,
    ) -> Result<T, StoreError> {
        let keyring = self.keyring()?;
        self.audit_read(actor, read.events).await?;
        (read.open)(keyring)
    }

    /// Entries from `after_seq` on, oldest first, at most `limit`.
    pub async fn list_audit(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = with_pool!(self, |pool| {
            sqlx::query_as(
                "select seq, at, actor, role, country, action, record_type, record_id, \
                 request_id, prev_hash, hash from audit_log where seq > $1 order by seq limit $2",
            )
            .bind(after_seq)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// Walks the whole chain and names the first entry that is edited, missing or out of place.
    pub async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        let mut expected_seq = 1;
        let mut running = GENESIS.to_vec();
        let mut entries = 0;
        loop {
            let page = self.list_audit(expected_seq - 1, VERIFY_PAGE).await?;
            if page.is_empty() {
                break;
            }
            for entry in &page {
                let problem = if entry.seq != expected_seq {
                    Some(AuditProblem::Missing { seq: expected_seq })
                } else if entry.prev_hash != running {
                    Some(AuditProblem::ChainBroken { seq: entry.seq })
                } else if entry_hash(&entry.prev_hash, &entry.fields()) != entry.hash {
                    Some(AuditProblem::Edited { seq: entry.seq })
                } else {
                    None
                };
                if problem.is_some() {
                    return Ok(AuditReport {
                        entries,
                        head_hash: running,
                        problem,
                    });
                }
                running.clone_from(&entry.hash);
                expected_seq += 1;
                entries += 1;
            }
        }
        let (head_seq, head_hash): (i64, Vec<u8>) = with_pool!(self, |pool| {
            sqlx::query_as("select seq, hash from audit_head where id = 1")
                .fetch_one(pool)
                .await?
        });
        let problem = if head_seq > entries {
            Some(AuditProblem::Truncated {
                last_seq: entries,
                head_seq,
            })
        } else if head_seq < entries || head_hash != running {
            Some(AuditProblem::NotTheRecordedHead {
                seq: head_seq.max(1),
            })
        } else {
            None
        };
        Ok(AuditReport {
            entries,
            head_hash: running,
            problem,
        })
    }
}

const ENTRY_COLUMNS: &str = "seq, at, actor, role, country, action, record_type, record_id, \
     request_id, prev_hash, hash";

impl Store {
    /// A country's most recent entries, newest first, before `before_seq` (for paging).
    pub async fn list_country_audit(
        &self,
        country: antitrata_domain::CountryCode,
        before_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "select {ENTRY_COLUMNS} from audit_log where country = $1 and seq < $2 \
             order by seq desc limit $3"
        );
        let rows = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(country.as_str())
                .bind(before_seq)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }

    /// Who read one record, newest first: its `*.viewed` and `*.found` entries.
    pub async fn list_record_reads(
        &self,
        record_type: &str,
        record_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "select {ENTRY_COLUMNS} from audit_log where record_type = $1 and record_id = $2 \
             and (action like '%.viewed' or action like '%.found') order by seq desc limit $3"
        );
        let rows = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(record_type)
                .bind(record_id)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }
}
