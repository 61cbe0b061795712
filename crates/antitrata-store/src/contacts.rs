//! Contacts and the operator's unsent contact form. Summaries, notes and drafts are sealed; every
//! method takes the `Actor`, keeps to its country in SQL and audits before it returns (lists with
//! `Store::audit_read`).

use antitrata_domain::casework::{
    CallerRole, CaseId, CaseReference, Contact, ContactChannel, ContactId, ContactLanguage,
    ContactOutcome, DangerTaker, Direction, FRESH_DANGER, HeardVia, NewContact, Screening,
    ScreeningResult,
};
use antitrata_domain::{Actor, CountryCode};
use sha2::{Digest, Sha256};
use sqlx::FromRow;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, SealedRead, append_audit};
use crate::contact_writes::{ContactWrite, Written};
use crate::crypto::{BlindField, SealContext};
use crate::error::{account_of, require};
use crate::store::{require_row, with_pool};
use crate::time_columns::{from_unix, unix};
use crate::{ConflictKind, Entity, Keyring, Store, StoreError};
use antitrata_domain::policy::Action;

pub(crate) const CONTACT_COLUMNS: &str = "c.id, c.country, c.recorded_by, c.channel, c.direction, \
     c.started_at, c.ended_at, c.language, c.caller_role, c.caller_country, \
     c.caller_locality_sealed, c.caller_phone_sealed, \
     c.heard_via, c.summary_sealed, c.notes_sealed, c.outcome, c.immediate_danger, \
     c.danger_handled_at, c.danger_taken_by, c.danger_taken_at, t.display_name as taker_name, \
     c.screening, c.case_id, k.year, k.sequence, k.has_minor";
/// The condition of an open danger, on contacts `c`: flagged, not yet handled. A literal (not a
/// bound value), so the planner matches it to the partial index `contacts_open_dangers`.
const OPEN_DANGER: &str = " and c.immediate_danger = true and c.danger_handled_at is null";
pub(crate) const CONTACT_FROM: &str = "contacts c left join cases k on k.id = c.case_id \
     left join users t on t.id = c.danger_taken_by";

impl Store {
    /// Records a contact of the actor's country, linked to the case its reference names (which
    /// must exist in that country). The id is the submission's: storing the same id again (a
    /// double-submitted form) returns the contact already stored and records nothing new.
    pub async fn insert_contact(
        &self,
        actor: &Actor,
        id: ContactId,
        contact: &NewContact,
    ) -> Result<Contact, StoreError> {
        let keyring = self.keyring()?;
        if actor.scope.country() != Some(contact.country) {
            return Err(StoreError::OutOfScope);
        }
        let write = ContactWrite::new(keyring, actor, id, contact)?;
        let written = self
            .commit_job(self.contact_writes.as_ref(), write)
            .await??;
        match written {
            // A resubmitted contact is answered as stored.
            Written {
                stored: Some(row), ..
            } => row.open(keyring),
            Written { stored: None, case } => Ok(Contact {
                id,
                recorded_by: actor.who.clone(),
                case: case
                    .zip(contact.case_reference)
                    .map(|((case_id, _), reference)| (CaseId(case_id), reference)),
                case_has_minor: case.is_some_and(|(_, minor)| minor),
                danger_handled_at: None,
                danger_taken: None,
                details: NewContact {
                    // Stored to the second, as every read gives them back.
                    started_at: from_unix(unix(contact.started_at))?,
                    ended_at: from_unix(unix(contact.ended_at))?,
                    ..contact.clone()
                },
            }),
        }
    }

    /// One contact of the actor's country, audited as viewed; `None` if there is none in scope.
    pub async fn find_contact(
        &self,
        actor: &Actor,
        id: ContactId,
    ) -> Result<Option<Contact>, StoreError> {
        let keyring = self.keyring()?;
        let country = scope(actor)?;
        let audit = PendingEntry::new(actor, event("contact.viewed", id))?;
        let row: Option<ContactRow> = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let row: Option<ContactRow> = sqlx::query_as(&format!(
                "select {CONTACT_COLUMNS} from {CONTACT_FROM} where c.id = $1 and c.country = $2"
            ))
            .bind(id.0)
            .bind(country.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if row.is_some() {
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
            row
        });
        row.map(|row| row.open(keyring)).transpose()
    }

    /// The contacts linked to a case of the actor's country, oldest first, each audited.
    pub async fn list_case_contacts(
        &self,
        actor: &Actor,
        case: CaseId,
    ) -> Result<Vec<Contact>, StoreError> {
        let read = self
            .read_contacts_where(actor, ContactList::OfCase(case))
            .await?;
        self.open_read(actor, read).await
    }

    /// Contacts flagged as immediate danger that no supervisor has marked handled: the top of
    /// the supervisor's queue. Those of the [`FRESH_DANGER`] before `now` come first, the most
    /// severe first (a minor in the case, then trafficking likely), each severity newest first;
    /// then the older ones, newest first. A page of at most `limit` after the contact `after`.
    pub async fn list_open_dangers(
        &self,
        actor: &Actor,
        now: OffsetDateTime,
        after: Option<ContactId>,
        limit: i64,
    ) -> Result<Vec<Contact>, StoreError> {
        let since = unix(now - FRESH_DANGER);
        let read = self
            .read_contacts_where(
                actor,
                ContactList::OpenDangers {
                    since,
                    after,
                    limit,
                },
            )
            .await?;
        self.open_read(actor, read).await
    }

    /// Earlier contacts of the actor's country from the caller phone `phone` (matched on its last
    /// eight digits through the blind index, so `5555 0199` finds `+502 5555-0199`), newest
    /// first, leaving out `except` (the contact being shown): at most [`CALLER_HISTORY_MAX`],
    /// each audited as `contact.found`. A phone with no digits finds nothing.
    pub async fn list_caller_contacts(
        &self,
        actor: &Actor,
        phone: &str,
        except: Option<ContactId>,
    ) -> Result<Vec<Contact>, StoreError> {
        let keyring = self.keyring()?;
        let Some(digest) = keyring
            .search_digests(BlindField::CallerPhone, phone)
            .into_iter()
            .next()
        else {
            return Ok(vec![]);
        };
        let read = self
            .read_contacts_where(actor, ContactList::FromCaller { digest, except })
            .await?;
        self.open_read(actor, read).await
    }

    /// How many open dangers the actor's country has, and how many of them nobody has taken
    /// (not audited: counting reads none).
    pub async fn count_open_dangers(&self, actor: &Actor) -> Result<(i64, i64), StoreError> {
        let country = scope(actor)?;
        let counts: (i64, i64) = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "select count(*), count(*) - count(c.danger_taken_by) from contacts c \
                 where c.country = $1{OPEN_DANGER}"
            ))
            .bind(country.as_str())
            .fetch_one(pool)
            .await?
        });
        Ok(counts)
    }

    pub(crate) async fn read_contacts_where(
        &self,
        actor: &Actor,
        which: ContactList,
    ) -> Result<SealedRead<Vec<Contact>>, StoreError> {
        let country = scope(actor)?;
        let action = match which {
            ContactList::FromCaller { .. } => "contact.found",
            _ => "contact.listed",
        };
        let rows: Vec<ContactRow> = with_pool!(self, |pool| {
            match which {
                ContactList::OfCase(case) => {
                    sqlx::query_as(&format!(
                        "select {CONTACT_COLUMNS} from {CONTACT_FROM} where c.country = $1 \
                         and c.case_id = $2 order by c.started_at, c.id limit 200"
                    ))
                    .bind(country.as_str())
                    .bind(case.0)
                    .fetch_all(pool)
                    .await?
                }
                ContactList::OpenDangers {
                    since,
                    after,
                    limit,
                } => {
                    let mut query = sqlx::QueryBuilder::new(format!(
                        "select {CONTACT_COLUMNS} from {CONTACT_FROM} where c.country = "
                    ));
                    query.push_bind(country.as_str()).push(OPEN_DANGER);
                    if let Some(after) = after {
                        query.push(" and (");
                        push_danger_rank(&mut query, "c", "k", since);
                        query.push(", c.started_at, c.id) < (select ");
                        push_danger_rank(&mut query, "a", "ak", since);
                        query
                            .push(
                                ", a.started_at, a.id from contacts a \
                                 left join cases ak on ak.id = a.case_id where a.id = ",
                            )
                            .push_bind(after.0)
                            .push(" and a.country = ")
                            .push_bind(country.as_str())
                            .push(")");
                    }
                    query.push(" order by ");
                    push_danger_rank(&mut query, "c", "k", since);
                    query
                        .push(" desc, c.started_at desc, c.id desc limit ")
                        .push_bind(limit.clamp(1, crate::PAGE_MAX));
                    query.build_query_as().fetch_all(pool).await?
                }
                ContactList::FromCaller { digest, except } => {
                    let mut query = sqlx::QueryBuilder::new(format!(
                        "select {CONTACT_COLUMNS} from blind_index b cross join {CONTACT_FROM} \
                         where b.field = "
                    ));
                    query
                        .push_bind(BlindField::CallerPhone.as_str())
                        .push(" and b.digest = ")
                        .push_bind(digest)
                        .push(" and c.id = b.record_id and c.country = ")
                        .push_bind(country.as_str());
                    if let Some(except) = except {
                        query.push(" and c.id <> ").push_bind(except.0);
                    }
                    query
                        .push(" order by c.started_at desc, c.id desc limit ")
                        .push_bind(CALLER_HISTORY_MAX);
                    query.build_query_as().fetch_all(pool).await?
                }
            }
        });
        Ok(SealedRead::rows(
            rows,
            |row| event(action, ContactId(row.id)),
            ContactRow::open,
        ))
    }

    /// A worker takes an open immediate danger of the actor's country: the queue shows them
    /// handling it. Taking one taken by someone else is refused (`DangerTakenBy`, naming them),
    /// and so is taking a contact that is no open danger (`NotAnOpenDanger`); taking one's own
    /// again changes nothing.
    pub async fn take_danger(&self, actor: &Actor, id: ContactId) -> Result<(), StoreError> {
        let country = scope(actor)?;
        require(actor, Action::TakeDanger)?;
        let taker = account_of(actor)?;
        let audit = PendingEntry::new(actor, event("contact.danger-taken", id))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let current: Option<DangerState> = sqlx::query_as(
                "select c.immediate_danger, c.danger_handled_at, c.danger_taken_by, \
                 t.display_name as taker_name from contacts c \
                 left join users t on t.id = c.danger_taken_by where c.id = $1 and c.country = $2",
            )
            .bind(id.0)
            .bind(country.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(current) = current else {
                return Err(StoreError::NotFound(Entity::Contact));
            };
            if !current.immediate_danger || current.danger_handled_at.is_some() {
                return Err(StoreError::Conflict(ConflictKind::NotAnOpenDanger));
            }
            match current.danger_taken_by {
                Some(by) if by == taker => {}
                Some(by) => {
                    let name = current.taker_name.unwrap_or_else(|| by.to_string());
                    return Err(StoreError::Conflict(ConflictKind::DangerTakenBy(name)));
                }
                None => {
                    let taken = sqlx::query(
                        "update contacts set danger_taken_by = $1, danger_taken_at = $2 \
                         where id = $3 and country = $4 and danger_taken_by is null",
                    )
                    .bind(taker)
                    .bind(unix(actor.at))
                    .bind(id.0)
                    .bind(country.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if taken == 0 {
                        // Someone took it between the read and the write (PostgreSQL reads
                        // committed rows; SQLite's writes queue, so this is PostgreSQL's case).
                        let name: Option<String> = sqlx::query_scalar(
                            "select t.display_name from contacts c join users t \
                             on t.id = c.danger_taken_by where c.id = $1",
                        )
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                        return Err(StoreError::Conflict(ConflictKind::DangerTakenBy(
                            name.unwrap_or_default(),
                        )));
                    }
                    append_audit!(tx, &audit);
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A supervisor marks an immediate danger handled: it leaves the queue.
    /// Returns whether there was such an open danger in the actor's country.
    pub async fn mark_danger_handled(
        &self,
        actor: &Actor,
        id: ContactId,
    ) -> Result<bool, StoreError> {
        let country = scope(actor)?;
        require(actor, Action::TakeChargeOfDanger)?;
        let audit = PendingEntry::new(actor, event("contact.danger-handled", id))?;
        let done = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let done = sqlx::query(
                "update contacts set danger_handled_at = $1 where id = $2 and country = $3 \
                 and immediate_danger = $4 and danger_handled_at is null",
            )
            .bind(unix(actor.at))
            .bind(id.0)
            .bind(country.as_str())
            .bind(true)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                require_row!(tx, "contacts", id.0, country.as_str(), Entity::Contact);
            }
            if done == 1 {
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
            done == 1
        });
        Ok(done)
    }

    /// Keeps the actor's unsent contact form (any text the console sends, sealed), replacing the
    /// one kept before.
    pub async fn save_contact_draft(&self, actor: &Actor, draft: &str) -> Result<(), StoreError> {
        let keyring = self.keyring()?;
        scope(actor)?;
        let sealed = keyring.seal_str(draft, draft_context(&actor.who))?;
        let audit = PendingEntry::new(actor, draft_event("contact-draft.saved"))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query(
                "insert into contact_drafts (owner, key_id, draft_sealed, updated_at) \
                 values ($1, $2, $3, $4) on conflict (owner) do update set key_id = $2, \
                 draft_sealed = $3, updated_at = $4",
            )
            .bind(&actor.who)
            .bind(i64::from(keyring.current_key_id()))
            .bind(&sealed)
            .bind(unix(actor.at))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The actor's unsent contact form, if one is kept; audited when there is one.
    pub async fn contact_draft(&self, actor: &Actor) -> Result<Option<String>, StoreError> {
        let keyring = self.keyring()?;
        scope(actor)?;
        let audit = PendingEntry::new(actor, draft_event("contact-draft.restored"))?;
        let sealed: Option<Vec<u8>> = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let sealed: Option<Vec<u8>> =
                sqlx::query_scalar("select draft_sealed from contact_drafts where owner = $1")
                    .bind(&actor.who)
                    .fetch_optional(&mut *tx)
                    .await?;
            if sealed.is_some() {
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
            sealed
        });
        Ok(sealed
            .map(|blob| keyring.open_str(&blob, draft_context(&actor.who)))
            .transpose()?)
    }

    /// Forgets the actor's unsent contact form (sent or abandoned).
    pub async fn discard_contact_draft(&self, actor: &Actor) -> Result<(), StoreError> {
        let audit = PendingEntry::new(actor, draft_event("contact-draft.discarded"))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let done = sqlx::query("delete from contact_drafts where owner = $1")
                .bind(&actor.who)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done > 0 {
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// The most earlier contacts a caller lookup returns.
pub const CALLER_HISTORY_MAX: i64 = 20;

pub(crate) enum ContactList {
    OfCase(CaseId),
    /// Contacts whose caller phone has the blind-index `digest`, but `except`.
    FromCaller {
        digest: Vec<u8>,
        except: Option<ContactId>,
    },
    OpenDangers {
        /// Dangers reported since then (Unix seconds) rank by severity.
        since: i64,
        after: Option<ContactId>,
        limit: i64,
    },
}

/// A danger's place in the queue, on contacts `contact` and their cases `case`: 0 for one
/// reported before `since`; after it, 3 with a minor in the case, 2 when screening found
/// trafficking likely, else 1.
fn push_danger_rank<DB: sqlx::Database>(
    query: &mut sqlx::QueryBuilder<'_, DB>,
    contact: &str,
    case: &str,
    since: i64,
) where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .push(format!("case when {contact}.started_at < "))
        .push_bind(since)
        .push(format!(
            " then 0 when {case}.has_minor then 3 when {contact}.screening_result = '{likely}' \
             then 2 else 1 end",
            likely = ScreeningResult::Likely.code()
        ));
}

/// The actor's one country, or `OutOfScope` for regional roles.
pub(crate) fn scope(actor: &Actor) -> Result<CountryCode, StoreError> {
    actor.scope.country().ok_or(StoreError::OutOfScope)
}

pub(crate) fn context(column: &'static str, id: ContactId) -> SealContext<'static> {
    SealContext {
        table: "contacts",
        column,
        record: id.0,
    }
}

/// Drafts are bound to their owner: a draft copied to another owner's row does not open.
fn draft_context(owner: &str) -> SealContext<'static> {
    SealContext {
        table: "contact_drafts",
        column: "draft",
        record: owner_record(owner),
    }
}

/// The record id a draft's owner stands for in its seal context.
pub(crate) fn owner_record(owner: &str) -> Uuid {
    let digest = Sha256::digest(owner.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

pub(crate) fn event(action: &'static str, id: ContactId) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("contact"),
        record_id: Some(id.to_string()),
    }
}

fn draft_event(action: &'static str) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("contact-draft"),
        record_id: None,
    }
}

impl Store {
    /// Seals the caller localities that databases migrated before 0014 hold in plain text, and
    /// empties the plain column; returns how many. Runs at every start with the data keys (see
    /// [`Store::migrate`]): afterwards it finds nothing.
    pub(crate) async fn seal_plain_localities(&self, keyring: &Keyring) -> Result<u64, StoreError> {
        let mut done = 0;
        loop {
            let sealed = with_pool!(self, |pool| {
                let mut tx = self.begin_write(pool).await?;
                let rows: Vec<(Uuid, String)> = sqlx::query_as(
                    "select id, caller_locality from contacts \
                     where caller_locality is not null limit 500",
                )
                .fetch_all(&mut *tx)
                .await?;
                for (id, locality) in &rows {
                    let blob =
                        keyring.seal_str(locality, context("caller_locality", ContactId(*id)))?;
                    sqlx::query(
                        "update contacts set caller_locality_sealed = $1, caller_locality = null \
                         where id = $2",
                    )
                    .bind(blob)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                rows.len() as u64
            });
            if sealed == 0 {
                return Ok(done);
            }
            done += sealed;
        }
    }
}

#[derive(FromRow)]
pub(crate) struct ContactRow {
    id: Uuid,
    pub(crate) country: String,
    pub(crate) recorded_by: String,
    channel: String,
    direction: String,
    started_at: i64,
    ended_at: i64,
    language: String,
    caller_role: String,
    caller_country: Option<String>,
    caller_locality_sealed: Option<Vec<u8>>,
    caller_phone_sealed: Option<Vec<u8>>,
    heard_via: Option<String>,
    summary_sealed: Option<Vec<u8>>,
    notes_sealed: Option<Vec<u8>>,
    outcome: String,
    immediate_danger: bool,
    danger_handled_at: Option<i64>,
    danger_taken_by: Option<Uuid>,
    danger_taken_at: Option<i64>,
    taker_name: Option<String>,
    screening: String,
    case_id: Option<Uuid>,
    year: Option<i64>,
    sequence: Option<i64>,
    has_minor: Option<bool>,
}

/// Where an immediate danger stands, read before taking it.
#[derive(FromRow)]
struct DangerState {
    immediate_danger: bool,
    danger_handled_at: Option<i64>,
    danger_taken_by: Option<Uuid>,
    taker_name: Option<String>,
}

/// A stored code that does not parse: the database was edited or written by a newer version.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("bad {what} `{value}`"))
}

pub(crate) fn country(code: &str) -> Result<CountryCode, StoreError> {
    CountryCode::parse(code).map_err(|_| corrupt("country", code))
}

impl ContactRow {
    fn open(self, keyring: &Keyring) -> Result<Contact, StoreError> {
        let id = ContactId(self.id);
        let open = |blob: Option<Vec<u8>>, column| {
            blob.map(|b| keyring.open_str(&b, context(column, id)))
                .transpose()
        };
        let home = country(&self.country)?;
        let case = match (self.case_id, self.year, self.sequence) {
            (Some(case_id), Some(year), Some(sequence)) => Some((
                CaseId(case_id),
                CaseReference {
                    country: home,
                    year: u16::try_from(year).map_err(|_| corrupt("year", &year.to_string()))?,
                    sequence: u32::try_from(sequence)
                        .map_err(|_| corrupt("sequence", &sequence.to_string()))?,
                },
            )),
            _ => None,
        };
        Ok(Contact {
            case_has_minor: self.has_minor.unwrap_or(false),
            id,
            recorded_by: self.recorded_by,
            danger_handled_at: self.danger_handled_at.map(from_unix).transpose()?,
            danger_taken: match (self.danger_taken_by, self.danger_taken_at) {
                (Some(account), Some(at)) => Some(DangerTaker {
                    account,
                    // An account since removed keeps its danger: shown by account id.
                    name: self.taker_name.unwrap_or_else(|| account.to_string()),
                    at: from_unix(at)?,
                }),
                _ => None,
            },
            details: NewContact {
                country: home,
                channel: ContactChannel::parse(&self.channel)
                    .ok_or_else(|| corrupt("channel", &self.channel))?,
                direction: Direction::parse(&self.direction)
                    .ok_or_else(|| corrupt("direction", &self.direction))?,
                started_at: from_unix(self.started_at)?,
                ended_at: from_unix(self.ended_at)?,
                language: ContactLanguage::parse(&self.language)
                    .ok_or_else(|| corrupt("language", &self.language))?,
                caller_role: CallerRole::parse(&self.caller_role)
                    .ok_or_else(|| corrupt("caller role", &self.caller_role))?,
                caller_phone: open(self.caller_phone_sealed, "caller_phone")?,
                caller_country: self.caller_country.as_deref().map(country).transpose()?,
                caller_locality: open(self.caller_locality_sealed, "caller_locality")?,
                heard_via: self
                    .heard_via
                    .as_deref()
                    .map(|h| HeardVia::parse(h).ok_or_else(|| corrupt("heard via", h)))
                    .transpose()?,
                summary: open(self.summary_sealed, "summary")?,
                notes: open(self.notes_sealed, "notes")?,
                outcome: ContactOutcome::parse(&self.outcome)
                    .ok_or_else(|| corrupt("outcome", &self.outcome))?,
                immediate_danger: self.immediate_danger,
                screening: Screening::from_stored(&self.screening)
                    .ok_or_else(|| corrupt("screening", &self.screening))?,
                case_reference: case.map(|(_, reference)| reference),
            },
            case,
        })
    }
}
