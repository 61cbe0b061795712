//! Follow-ups on cases: added, done, and listed for a case, for one person's day ("my work") and
//! for the supervisor (overdue). Titles are sealed; every list read is audited.

use antitrata_domain::casework::{CaseId, CaseReference, FollowUp, FollowUpId, NewFollowUp};
use antitrata_domain::{Actor, UserId};
use sqlx::FromRow;
use time::Date;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, SealedRead, append_audit};
use crate::contacts::{corrupt, country, scope};
use crate::crypto::SealContext;
use crate::store::{keyset_page, require_version, with_pool};
use crate::time_columns::{date_text, from_unix, parse_date, unix};
use crate::{ConflictKind, Entity, Keyring, PAGE_MAX, Store, StoreError};
use antitrata_domain::policy::Action;

const COLUMNS: &str = "f.id, f.case_id, f.country, k.year, k.sequence, f.title_sealed, \
     f.due_on, f.assignee, f.created_by, f.done_at, k.has_minor, f.version";
const FROM: &str = "follow_ups f join cases k on k.id = f.case_id";

/// Which follow-ups a list shows.
pub(crate) enum Which {
    OfCase(CaseId),
    /// Open, due on or before the day, assigned to the user or written by the actor unassigned.
    Mine(UserId, Date),
    /// Open and due before the day.
    Overdue(Date),
}

impl Store {
    /// Adds a follow-up to a case of the actor's country, for the actor or for a caseworker or
    /// supervisor of the country. The same id again returns the follow-up stored.
    pub async fn add_follow_up(
        &self,
        actor: &Actor,
        id: FollowUpId,
        case: CaseId,
        task: &NewFollowUp,
    ) -> Result<FollowUp, StoreError> {
        let keyring = self.keyring()?;
        let home = scope(actor)?;
        if let Some(user) = task.assignee {
            let account = self.find_user(user).await?;
            let fits = account.is_some_and(|a| {
                !a.disabled && a.country == Some(home) && a.may(Action::BeAssignedFollowUp)
            });
            if !fits {
                return Err(StoreError::NotFound(Entity::Caseworker));
            }
        }
        let title = keyring.seal_str(&task.title, context(id))?;
        let audit = PendingEntry::new(actor, event("follow-up.added", id))?;
        let row: FollowUpRow = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let case_exists: Option<Uuid> =
                sqlx::query_scalar("select id from cases where id = $1 and country = $2")
                    .bind(case.0)
                    .bind(home.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            case_exists.ok_or(StoreError::NotFound(Entity::Case))?;
            let done = sqlx::query(
                "insert into follow_ups (id, country, case_id, key_id, title_sealed, due_on, \
                 assignee, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 on conflict (id) do nothing",
            )
            .bind(id.0)
            .bind(home.as_str())
            .bind(case.0)
            .bind(i64::from(keyring.current_key_id()))
            .bind(&title)
            .bind(date_text(task.due_on))
            .bind(task.assignee.map(|u| u.0))
            .bind(&actor.who)
            .bind(unix(actor.at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                append_audit!(tx, &audit);
            }
            let row: Option<FollowUpRow> = sqlx::query_as(&format!(
                "select {COLUMNS} from {FROM} where f.id = $1 and f.country = $2 and f.case_id = $3"
            ))
            .bind(id.0)
            .bind(home.as_str())
            .bind(case.0)
            .fetch_optional(&mut *tx)
            .await?;
            let row =
                row.ok_or_else(|| StoreError::Conflict(ConflictKind::IdTaken(Entity::FollowUp)))?;
            tx.commit().await?;
            row
        });
        row.open(keyring)
    }

    /// Marks a follow-up of the actor's country done; returns whether it was still open. With
    /// `expected`, only if it is still at that version (`Stale` with the current one otherwise).
    pub async fn complete_follow_up(
        &self,
        actor: &Actor,
        id: FollowUpId,
        expected: Option<i64>,
    ) -> Result<bool, StoreError> {
        let home = scope(actor)?;
        let audit = PendingEntry::new(actor, event("follow-up.done", id))?;
        let done = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            require_version!(
                tx,
                "follow_ups",
                id.0,
                home.as_str(),
                Entity::FollowUp,
                expected
            );
            let done = sqlx::query(
                "update follow_ups set done_at = $1, version = version + 1 \
                 where id = $2 and done_at is null",
            )
            .bind(unix(actor.at))
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
            done == 1
        });
        Ok(done)
    }

    /// The follow-ups of a case, by due date.
    pub async fn list_case_follow_ups(
        &self,
        actor: &Actor,
        case: CaseId,
    ) -> Result<Vec<FollowUp>, StoreError> {
        self.list_follow_ups(actor, Which::OfCase(case), None, PAGE_MAX)
            .await
    }

    /// One person's open follow-ups due on or before `until`: those assigned to `user`, and those
    /// the actor wrote without assigning them. Oldest due first (overdue on top), a page of at
    /// most `limit` after the follow-up `after`.
    pub async fn list_my_follow_ups(
        &self,
        actor: &Actor,
        user: UserId,
        until: Date,
        after: Option<FollowUpId>,
        limit: i64,
    ) -> Result<Vec<FollowUp>, StoreError> {
        self.list_follow_ups(actor, Which::Mine(user, until), after, limit)
            .await
    }

    /// How many open follow-ups of the actor's country are due before `today` (not audited:
    /// counting reads none).
    pub async fn count_overdue_follow_ups(
        &self,
        actor: &Actor,
        today: Date,
    ) -> Result<i64, StoreError> {
        let home = scope(actor)?;
        Ok(with_pool!(self, |pool| {
            let mut query =
                sqlx::QueryBuilder::new(format!("select count(*) from {FROM} where f.country = "));
            query.push_bind(home.to_string());
            push_which(&mut query, &actor.who, Which::Overdue(today));
            query.build_query_scalar().fetch_one(pool).await?
        }))
    }

    /// Open follow-ups of the actor's country due before `today`, oldest due first, a page of at
    /// most `limit` after the follow-up `after`.
    pub async fn list_overdue_follow_ups(
        &self,
        actor: &Actor,
        today: Date,
        after: Option<FollowUpId>,
        limit: i64,
    ) -> Result<Vec<FollowUp>, StoreError> {
        self.list_follow_ups(actor, Which::Overdue(today), after, limit)
            .await
    }

    async fn list_follow_ups(
        &self,
        actor: &Actor,
        which: Which,
        after: Option<FollowUpId>,
        limit: i64,
    ) -> Result<Vec<FollowUp>, StoreError> {
        let read = self.read_follow_ups(actor, which, after, limit).await?;
        self.open_read(actor, read).await
    }

    pub(crate) async fn read_follow_ups(
        &self,
        actor: &Actor,
        which: Which,
        after: Option<FollowUpId>,
        limit: i64,
    ) -> Result<SealedRead<Vec<FollowUp>>, StoreError> {
        let home = scope(actor)?;
        let rows: Vec<FollowUpRow> = with_pool!(self, |pool| {
            let mut query =
                sqlx::QueryBuilder::new(format!("select {COLUMNS} from {FROM} where f.country = "));
            query.push_bind(home.to_string());
            push_which(&mut query, &actor.who, which);
            keyset_page!(query, order: "f.due_on, f.id", table: "follow_ups",
                key: "due_on, id", after.map(|a| a.0), home.to_string(), limit);
            query.build_query_as().fetch_all(pool).await?
        });
        Ok(SealedRead::rows(
            rows,
            |row| event("follow-up.listed", FollowUpId(row.id)),
            FollowUpRow::open,
        ))
    }
}

fn context(id: FollowUpId) -> SealContext<'static> {
    SealContext {
        table: "follow_ups",
        column: "title",
        record: id.0,
    }
}

fn event(action: &'static str, id: FollowUpId) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("follow-up"),
        record_id: Some(id.to_string()),
    }
}

#[derive(FromRow)]
struct FollowUpRow {
    id: Uuid,
    case_id: Uuid,
    country: String,
    year: i64,
    sequence: i64,
    title_sealed: Vec<u8>,
    due_on: String,
    assignee: Option<Uuid>,
    created_by: String,
    done_at: Option<i64>,
    has_minor: bool,
    version: i64,
}

impl FollowUpRow {
    fn open(self, keyring: &Keyring) -> Result<FollowUp, StoreError> {
        let id = FollowUpId(self.id);
        Ok(FollowUp {
            id,
            case: CaseId(self.case_id),
            reference: CaseReference {
                country: country(&self.country)?,
                year: u16::try_from(self.year)
                    .map_err(|_| corrupt("year", &self.year.to_string()))?,
                sequence: u32::try_from(self.sequence)
                    .map_err(|_| corrupt("sequence", &self.sequence.to_string()))?,
            },
            created_by: self.created_by,
            done_at: self.done_at.map(from_unix).transpose()?,
            has_minor: self.has_minor,
            version: self.version,
            details: NewFollowUp {
                title: keyring.open_str(&self.title_sealed, context(id))?,
                due_on: parse_date(&self.due_on)?,
                assignee: self.assignee.map(UserId),
            },
        })
    }
}

/// Adds the conditions of `which` to a query over follow-ups `f` of one country (`who` is the
/// actor, for the follow-ups they wrote unassigned), so a list and its count agree.
fn push_which<'a, DB>(query: &mut sqlx::QueryBuilder<'a, DB>, who: &str, which: Which)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    match which {
        Which::OfCase(case) => {
            query.push(" and f.case_id = ").push_bind(case.0);
        }
        Which::Mine(user, until) => {
            query
                .push(" and f.done_at is null and f.due_on <= ")
                .push_bind(date_text(until))
                .push(" and (f.assignee = ")
                .push_bind(user.0)
                .push(" or (f.assignee is null and f.created_by = ")
                .push_bind(who.to_owned())
                .push("))");
        }
        Which::Overdue(today) => {
            query
                .push(" and f.done_at is null and f.due_on < ")
                .push_bind(date_text(today));
        }
    }
}
