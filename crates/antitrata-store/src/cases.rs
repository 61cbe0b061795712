//! Cases: opening with a reference number from the country's yearly sequence, reading, updating,
//! assigning and moving through the status workflow. Every method takes the `Actor`, keeps to its
//! country in SQL, and audits before it returns: writes in their own transaction, reads with
//! `Store::open_read` (see `case_file.rs` for a case with everything about it).

use antitrata_domain::casework::{
    Case, CaseAction, CaseDetails, CaseId, CaseReference, CaseStatus, ClosureReason, ContactId,
    ExploitationType, MeansOfControl, RecruitmentMethod, RiskLevel, Sector, join_codes,
    split_codes, split_countries,
};
use antitrata_domain::{Actor, CountryCode, Role, UserId};
use sqlx::FromRow;
use time::Date;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, SealedRead, append_audit};
use crate::contacts::{corrupt, country, scope};
use crate::crypto::SealContext;
use crate::error::{account_of, require};
use crate::store::with_pool;
use crate::time_columns::{date_text, from_unix, parse_date, unix};
use crate::{ConflictKind, Entity, Keyring, Store, StoreError};
use antitrata_domain::policy::{Action, may};

pub(crate) const CASE_COLUMNS: &str = "id, country, year, sequence, status, closure_reason, \
     closure_note_sealed, assigned_to, risk, exploitation_types, sectors, means_of_control, \
     recruitment, citizenship, exploitation_countries, transit_countries, exploitation_began, \
     has_minor, opened_by, opened_at, updated_at, version";

/// Which cases a list shows. Every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    /// Open in any status but closed.
    pub open_only: bool,
    pub exploitation_type: Option<ExploitationType>,
    /// Opened on or after this day (UTC).
    pub opened_from: Option<Date>,
    /// Opened on or before this day (UTC).
    pub opened_to: Option<Date>,
    pub assigned_to: Option<UserId>,
    pub unassigned: bool,
    /// Only these cases (those of the people a search found); none when empty.
    pub among: Option<Vec<CaseId>>,
    /// At most this many, in `order`.
    pub limit: i64,
    pub order: CaseOrder,
}

/// The order of a case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CaseOrder {
    /// Most recently changed first: the console's lists and queues.
    #[default]
    NewestChange,
    /// Newest reference first, from the case after `after` (the last one of the page before):
    /// a walk page by page that sees every case once, whatever is opened or changed meanwhile
    /// (a case opened meanwhile has a newer reference than the walk's first page).
    NewestOpened { after: Option<CaseReference> },
}

impl Store {
    /// Opens a case in the actor's country with the next reference number of this year, and
    /// links the contact it came from, if any (a contact of the same country not linked yet).
    /// As with contacts, the id is the submission's: the same id again returns the case stored.
    pub async fn open_case(
        &self,
        actor: &Actor,
        id: CaseId,
        details: &CaseDetails,
        from_contact: Option<ContactId>,
    ) -> Result<Case, StoreError> {
        let keyring = self.keyring()?;
        let country = scope(actor)?;
        let year = i64::from(actor.at.year());
        let opened = PendingEntry::new(actor, event("case.opened", id))?;
        let again = PendingEntry::new(actor, event("case.resubmitted", id))?;
        let row = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let existing: Option<(String, String)> =
                sqlx::query_as("select opened_by, country from cases where id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(owner) if owner == (actor.who.clone(), country.to_string()) => {
                    append_audit!(tx, &again);
                }
                Some(_) => {
                    return Err(StoreError::Conflict(ConflictKind::IdTaken(Entity::Case)));
                }
                None => {
                    // One row per country and year; the upsert takes its lock, so two cases
                    // opened at once get different numbers.
                    let sequence: i64 = sqlx::query_scalar(
                        "insert into case_sequences (country, year, last) values ($1, $2, 1) \
                         on conflict (country, year) do update set last = case_sequences.last + 1 \
                         returning last",
                    )
                    .bind(country.as_str())
                    .bind(year)
                    .fetch_one(&mut *tx)
                    .await?;
                    let status = CaseStatus::Open.code();
                    let now = unix(actor.at);
                    let mut insert = sqlx::QueryBuilder::new(
                        "insert into cases (id, country, year, sequence, status, key_id, risk, \
                         exploitation_types, sectors, means_of_control, recruitment, citizenship, \
                         exploitation_countries, transit_countries, exploitation_began, opened_by, \
                         opened_at, updated_at) values (",
                    );
                    let mut values = insert.separated(", ");
                    values
                        .push_bind(id.0)
                        .push_bind(country.to_string())
                        .push_bind(year)
                        .push_bind(sequence)
                        .push_bind(status)
                        .push_bind(i64::from(keyring.current_key_id()));
                    push_details(&mut values, details);
                    values
                        .push_bind(actor.who.clone())
                        .push_bind(now)
                        .push_bind(now);
                    insert.push(")");
                    insert.build().execute(&mut *tx).await?;
                    if let Some(contact) = from_contact {
                        let linked = sqlx::query(
                            "update contacts set case_id = $1 where id = $2 and country = $3 \
                             and case_id is null",
                        )
                        .bind(id.0)
                        .bind(contact.0)
                        .bind(country.as_str())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if linked != 1 {
                            return Err(StoreError::NotFound(Entity::UnlinkedContact));
                        }
                    }
                    append_audit!(tx, &opened);
                }
            }
            let row: CaseRow =
                sqlx::query_as(&format!("select {CASE_COLUMNS} from cases where id = $1"))
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row
        });
        row.open(keyring)
    }

    /// One case of the actor's country, audited as viewed.
    pub async fn find_case(&self, actor: &Actor, id: CaseId) -> Result<Option<Case>, StoreError> {
        self.find_case_where(actor, CaseKey::Id(id)).await
    }

    /// The case a reference names, in the actor's country, audited as viewed.
    pub async fn find_case_by_reference(
        &self,
        actor: &Actor,
        reference: &CaseReference,
    ) -> Result<Option<Case>, StoreError> {
        if actor.scope.country() != Some(reference.country) {
            return Ok(None);
        }
        self.find_case_where(actor, CaseKey::Reference(*reference))
            .await
    }

    async fn find_case_where(
        &self,
        actor: &Actor,
        key: CaseKey,
    ) -> Result<Option<Case>, StoreError> {
        match self.read_case(actor, key).await? {
            Some(read) => Ok(Some(self.open_read(actor, read).await?)),
            None => Ok(None),
        }
    }

    /// One case of the actor's country, read and still sealed; it owes a `case.viewed` entry.
    pub(crate) async fn read_case(
        &self,
        actor: &Actor,
        key: CaseKey,
    ) -> Result<Option<SealedRead<Case>>, StoreError> {
        let country = scope(actor)?;
        let row: Option<CaseRow> = with_pool!(self, |pool| {
            match key {
                CaseKey::Id(id) => {
                    sqlx::query_as(&format!(
                        "select {CASE_COLUMNS} from cases where id = $1 and country = $2"
                    ))
                    .bind(id.0)
                    .bind(country.as_str())
                    .fetch_optional(pool)
                    .await?
                }
                CaseKey::Reference(reference) => {
                    sqlx::query_as(&format!(
                        "select {CASE_COLUMNS} from cases where country = $1 and year = $2 \
                         and sequence = $3"
                    ))
                    .bind(country.as_str())
                    .bind(i64::from(reference.year))
                    .bind(i64::from(reference.sequence))
                    .fetch_optional(pool)
                    .await?
                }
            }
        });
        Ok(row.map(|row| {
            let viewed = event("case.viewed", CaseId(row.id));
            SealedRead::one(row, viewed, CaseRow::open)
        }))
    }

    /// Replaces a case's descriptive fields. With `expected`, only if the case is still at that
    /// version: a case changed since it was read is `Stale` with its current version, and
    /// nothing is written.
    pub async fn update_case_details(
        &self,
        actor: &Actor,
        id: CaseId,
        details: &CaseDetails,
        expected: Option<i64>,
    ) -> Result<Case, StoreError> {
        let keyring = self.keyring()?;
        let country = scope(actor)?;
        let audit = PendingEntry::new(actor, event("case.updated", id))?;
        let row = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let mut update =
                sqlx::QueryBuilder::new("update cases set version = version + 1, risk = ");
            update
                .push_bind(details.risk.map(RiskLevel::code))
                .push(", exploitation_types = ")
                .push_bind(join_codes(
                    &details.exploitation_types,
                    ExploitationType::code,
                ))
                .push(", sectors = ")
                .push_bind(join_codes(&details.sectors, Sector::code))
                .push(", means_of_control = ")
                .push_bind(join_codes(&details.means_of_control, MeansOfControl::code))
                .push(", recruitment = ")
                .push_bind(join_codes(&details.recruitment, RecruitmentMethod::code))
                .push(", citizenship = ")
                .push_bind(join_countries(&details.citizenship))
                .push(", exploitation_countries = ")
                .push_bind(join_countries(&details.exploitation_countries))
                .push(", transit_countries = ")
                .push_bind(join_countries(&details.transit_countries))
                .push(", exploitation_began = ")
                .push_bind(details.exploitation_began.map(date_text))
                .push(", updated_at = ")
                .push_bind(unix(actor.at));
            write_case_row!(tx, update, id, country, expected);
            append_audit!(tx, &audit);
            let row: CaseRow =
                sqlx::query_as(&format!("select {CASE_COLUMNS} from cases where id = $1"))
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row
        });
        row.open(keyring)
    }

    /// Moves a case through its workflow. Closing, and sending a closure request back, are for
    /// supervisors; asking to close and closing need a reason, and may carry a note (sealed).
    /// The update is conditional on the status read, so two people acting at once cannot both
    /// succeed; with `expected`, also on the case still being at that version (`Stale`
    /// otherwise).
    pub async fn change_case_status(
        &self,
        actor: &Actor,
        id: CaseId,
        action: CaseAction,
        note: Option<&str>,
        expected: Option<i64>,
    ) -> Result<Case, StoreError> {
        let keyring = self.keyring()?;
        let country = scope(actor)?;
        if action.needs_supervisor() {
            require(actor, Action::DecideClosure)?;
        }
        let reason = match action {
            CaseAction::RequestClosure(reason) | CaseAction::Close(reason) => Some(reason),
            _ => None,
        };
        let note = match (reason, note) {
            (Some(_), Some(note)) => Some(keyring.seal_str(note, context("closure_note", id))?),
            _ => None,
        };
        let audit = PendingEntry::new(actor, event(action_event(action), id))?;
        let row = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let read: Option<(String, i64)> =
                sqlx::query_as("select status, version from cases where id = $1 and country = $2")
                    .bind(id.0)
                    .bind(country.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            let (status, version) = read.ok_or(StoreError::NotFound(Entity::Case))?;
            if expected.is_some_and(|expected| expected != version) {
                return Err(stale_or_missing(Some(version)));
            }
            let current = CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
            let next = current.after(action).ok_or(StoreError::NotAllowedNow {
                status: current.code(),
                action: action_verb(action),
            })?;
            let done = sqlx::query(
                // Approving a requested closure without a new note keeps the request's note;
                // leaving the closed states clears both.
                "update cases set version = version + 1, status = $1, closure_reason = $2, \
                 closure_note_sealed = case when $2 is null then null \
                 else coalesce($3, closure_note_sealed) end, \
                 key_id = case when $3 is null then key_id else $4 end, \
                 updated_at = $5 where id = $6 and status = $7",
            )
            .bind(next.code())
            .bind(reason.map(ClosureReason::code))
            .bind(&note)
            .bind(i64::from(keyring.current_key_id()))
            .bind(unix(actor.at))
            .bind(id.0)
            .bind(current.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict(ConflictKind::ChangedMeanwhile(
                    Entity::Case,
                )));
            }
            append_audit!(tx, &audit);
            let row: CaseRow =
                sqlx::query_as(&format!("select {CASE_COLUMNS} from cases where id = $1"))
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row
        });
        row.open(keyring)
    }

    /// A supervisor gives a case to a caseworker or supervisor of the same country (or takes it
    /// back with `None`); with `expected`, only if the case is still at that version.
    pub async fn assign_case(
        &self,
        actor: &Actor,
        id: CaseId,
        assignee: Option<UserId>,
        expected: Option<i64>,
    ) -> Result<Case, StoreError> {
        let keyring = self.keyring()?;
        let country = scope(actor)?;
        require(actor, Action::AssignCases)?;
        if let Some(user) = assignee {
            let account = self.find_user(user).await?;
            let fits = account.is_some_and(|a| {
                !a.disabled && a.country == Some(country) && a.may(Action::BeAssignedCase)
            });
            if !fits {
                return Err(StoreError::NotFound(Entity::Caseworker));
            }
        }
        let audit = PendingEntry::new(actor, event("case.assigned", id))?;
        let row = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let mut update =
                sqlx::QueryBuilder::new("update cases set version = version + 1, assigned_to = ");
            update
                .push_bind(assignee.map(|u| u.0))
                .push(", updated_at = ")
                .push_bind(unix(actor.at));
            write_case_row!(tx, update, id, country, expected);
            append_audit!(tx, &audit);
            let row: CaseRow =
                sqlx::query_as(&format!("select {CASE_COLUMNS} from cases where id = $1"))
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row
        });
        row.open(keyring)
    }

    /// A worker takes an open case of the actor's country that nobody is assigned to, becoming
    /// its assignee (audited as `case.taken`). Taking one's own again changes nothing; a case
    /// assigned to someone else is refused naming them (`CaseAssignedTo`), a closed one with
    /// `CaseClosed`, and a stale `expected` version with `Stale`.
    pub async fn take_case(
        &self,
        actor: &Actor,
        id: CaseId,
        expected: Option<i64>,
    ) -> Result<Case, StoreError> {
        let keyring = self.keyring()?;
        let country = scope(actor)?;
        require(actor, Action::TakeCase)?;
        let me = account_of(actor)?;
        let audit = PendingEntry::new(actor, event("case.taken", id))?;
        let row = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let current: Option<(Option<Uuid>, String, i64, Option<String>)> = sqlx::query_as(
                "select k.assigned_to, k.status, k.version, u.display_name from cases k \
                 left join users u on u.id = k.assigned_to where k.id = $1 and k.country = $2",
            )
            .bind(id.0)
            .bind(country.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((assigned, status, version, name)) = current else {
                return Err(StoreError::NotFound(Entity::Case));
            };
            if let Some(expected) = expected
                && expected != version
            {
                return Err(StoreError::Stale {
                    entity: Entity::Case,
                    current: version,
                });
            }
            match assigned {
                Some(user) if user == me => {}
                Some(user) => {
                    let name = name.unwrap_or_else(|| user.to_string());
                    return Err(StoreError::Conflict(ConflictKind::CaseAssignedTo(name)));
                }
                None if status == CaseStatus::Closed.code() => {
                    return Err(StoreError::Conflict(ConflictKind::CaseClosed));
                }
                None => {
                    let mut update = sqlx::QueryBuilder::new(
                        "update cases set version = version + 1, assigned_to = ",
                    );
                    update
                        .push_bind(me)
                        .push(", updated_at = ")
                        .push_bind(unix(actor.at));
                    // The version read just now: a take that raced another write is stale.
                    write_case_row!(tx, update, id, country, Some(version));
                    append_audit!(tx, &audit);
                }
            }
            let row: CaseRow =
                sqlx::query_as(&format!("select {CASE_COLUMNS} from cases where id = $1"))
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row
        });
        row.open(keyring)
    }

    /// Cases of the actor's country matching `filter`, in its order; each listed case is
    /// audited.
    pub async fn list_cases(
        &self,
        actor: &Actor,
        filter: &CaseFilter,
    ) -> Result<Vec<Case>, StoreError> {
        let keyring = self.keyring()?;
        let country = scope(actor)?;
        let rows: Vec<CaseRow> = with_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "select {CASE_COLUMNS} from cases where country = "
            ));
            query.push_bind(country.to_string());
            push_case_filter(&mut query, filter);
            match filter.order {
                CaseOrder::NewestChange => query.push(" order by updated_at desc, id desc"),
                CaseOrder::NewestOpened { after } => {
                    if let Some(after) = after {
                        // A row value, so both backends read the index from the cursor on: the
                        // same test written with `or` made SQLite walk every case before it.
                        query
                            .push(" and (year, sequence) < (")
                            .push_bind(i64::from(after.year))
                            .push(", ")
                            .push_bind(i64::from(after.sequence))
                            .push(")");
                    }
                    query.push(" order by year desc, sequence desc")
                }
            };
            query.push(" limit ").push_bind(filter.limit.clamp(1, 500));
            query.build_query_as().fetch_all(pool).await?
        });
        self.audit_read(
            actor,
            rows.iter().map(|row| event("case.listed", CaseId(row.id))),
        )
        .await?;
        rows.into_iter().map(|row| row.open(keyring)).collect()
    }
}

impl Store {
    /// How many cases of the actor's country match `filter` (its order and limit aside): the
    /// count beside a list that shows a page of them. Counting reads no case, so it is not
    /// audited.
    pub async fn count_cases(&self, actor: &Actor, filter: &CaseFilter) -> Result<i64, StoreError> {
        let country = scope(actor)?;
        Ok(with_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new("select count(*) from cases where country = ");
            query.push_bind(country.to_string());
            push_case_filter(&mut query, filter);
            query.build_query_scalar().fetch_one(pool).await?
        }))
    }

    /// The active caseworkers and supervisors of the actor's country, by name: whom a case can
    /// be assigned to.
    pub async fn list_case_workers(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(UserId, String)>, StoreError> {
        let country = scope(actor)?;
        let rows: Vec<(Uuid, String, sqlx::types::Json<Vec<String>>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "select id, display_name, roles from users where country = $1 and disabled = $2 \
                 order by display_name, id",
            )
            .bind(country.as_str())
            .bind(false)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter(|(_, _, roles)| {
                roles
                    .iter()
                    .any(|r| Role::parse(r).is_some_and(|role| may(role, Action::BeAssignedCase)))
            })
            .map(|(id, name, _)| (UserId(id), name))
            .collect())
    }
}

pub(crate) enum CaseKey {
    Id(CaseId),
    Reference(CaseReference),
}

/// Binds the descriptive columns in the order of the insert above.
fn push_details<'a, DB: sqlx::Database>(
    values: &mut sqlx::query_builder::Separated<'_, 'a, DB, &'static str>,
    details: &CaseDetails,
) where
    Option<&'static str>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    values
        .push_bind(details.risk.map(RiskLevel::code))
        .push_bind(join_codes(
            &details.exploitation_types,
            ExploitationType::code,
        ))
        .push_bind(join_codes(&details.sectors, Sector::code))
        .push_bind(join_codes(&details.means_of_control, MeansOfControl::code))
        .push_bind(join_codes(&details.recruitment, RecruitmentMethod::code))
        .push_bind(join_countries(&details.citizenship))
        .push_bind(join_countries(&details.exploitation_countries))
        .push_bind(join_countries(&details.transit_countries))
        .push_bind(details.exploitation_began.map(date_text));
}

fn join_countries(codes: &[CountryCode]) -> String {
    let mut out = String::from(";");
    for code in codes {
        out.push_str(code.as_str());
        out.push(';');
    }
    out
}

/// Ends the case update begun in `update` with the row's id and country, and with the version
/// `expected` names when there is one; runs it in `tx`, and returns `Stale` (with the current
/// version) or `NotFound` from the enclosing function when it touched no row.
macro_rules! write_case_row {
    ($tx:ident, $update:ident, $id:expr, $country:expr, $expected:expr) => {{
        $update
            .push(" where id = ")
            .push_bind($id.0)
            .push(" and country = ")
            .push_bind($country.to_string());
        if let Some(expected) = $expected {
            $update.push(" and version = ").push_bind(expected);
        }
        let done = $update.build().execute(&mut *$tx).await?.rows_affected();
        if done != 1 {
            let current: Option<i64> =
                sqlx::query_scalar("select version from cases where id = $1 and country = $2")
                    .bind($id.0)
                    .bind($country.as_str())
                    .fetch_optional(&mut *$tx)
                    .await?;
            return Err(stale_or_missing(current));
        }
    }};
}
use write_case_row;

/// What a conditional write of a case that touched no row means: the case moved on since it
/// was read (`current`), or there is no such case.
fn stale_or_missing(current: Option<i64>) -> StoreError {
    match current {
        Some(current) => StoreError::Stale {
            entity: Entity::Case,
            current,
        },
        None => StoreError::NotFound(Entity::Case),
    }
}

fn action_verb(action: CaseAction) -> &'static str {
    match action {
        CaseAction::Activate => "activated",
        CaseAction::Refer => "referred",
        CaseAction::RequestClosure(_) => "submitted for closure",
        CaseAction::Close(_) => "closed",
        CaseAction::RejectClosure => "sent back from closure",
        CaseAction::Reopen => "reopened",
    }
}

fn action_event(action: CaseAction) -> &'static str {
    match action {
        CaseAction::Activate => "case.activated",
        CaseAction::Refer => "case.referred",
        CaseAction::RequestClosure(_) => "case.closure-requested",
        CaseAction::Close(_) => "case.closed",
        CaseAction::RejectClosure => "case.closure-rejected",
        CaseAction::Reopen => "case.reopened",
    }
}

pub(crate) fn context(column: &'static str, id: CaseId) -> SealContext<'static> {
    SealContext {
        table: "cases",
        column,
        record: id.0,
    }
}

/// Adds the conditions of `filter` (all but its order and limit) to a query over `cases`, so
/// a list and its count select the same cases.
fn push_case_filter<'a, DB>(query: &mut sqlx::QueryBuilder<'a, DB>, filter: &CaseFilter)
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'static str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(status) = filter.status {
        query.push(" and status = ").push_bind(status.code());
    }
    if filter.open_only {
        query
            .push(" and status <> ")
            .push_bind(CaseStatus::Closed.code());
    }
    if let Some(kind) = filter.exploitation_type {
        query
            .push(" and exploitation_types like ")
            .push_bind(format!("%;{};%", kind.code()));
    }
    push_opened_between(query, filter.opened_from, filter.opened_to);
    if let Some(user) = filter.assigned_to {
        query.push(" and assigned_to = ").push_bind(user.0);
    }
    if filter.unassigned {
        query.push(" and assigned_to is null");
    }
    match filter.among.as_deref() {
        None => {}
        Some([]) => {
            query.push(" and 1 = 0");
        }
        Some(ids) => {
            query.push(" and id in (");
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(id.0);
            }
            list.push_unseparated(")");
        }
    }
}

/// Adds ` and opened_at …` conditions for cases opened from the day `from` to the day `to`, both
/// included (UTC), to a query over `cases`.
pub(crate) fn push_opened_between<'a, DB>(
    query: &mut sqlx::QueryBuilder<'a, DB>,
    from: Option<Date>,
    to: Option<Date>,
) where
    DB: sqlx::Database,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(from) = from {
        query
            .push(" and opened_at >= ")
            .push_bind(unix(from.midnight().assume_utc()));
    }
    if let Some(to) = to {
        let end = to.next_day().unwrap_or(to).midnight().assume_utc();
        query.push(" and opened_at < ").push_bind(unix(end));
    }
}

fn event(action: &'static str, id: CaseId) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("case"),
        record_id: Some(id.to_string()),
    }
}

#[derive(FromRow)]
pub(crate) struct CaseRow {
    pub(crate) id: Uuid,
    country: String,
    year: i64,
    sequence: i64,
    status: String,
    closure_reason: Option<String>,
    closure_note_sealed: Option<Vec<u8>>,
    assigned_to: Option<Uuid>,
    risk: Option<String>,
    exploitation_types: String,
    sectors: String,
    means_of_control: String,
    recruitment: String,
    citizenship: String,
    exploitation_countries: String,
    transit_countries: String,
    exploitation_began: Option<String>,
    has_minor: bool,
    opened_by: String,
    opened_at: i64,
    updated_at: i64,
    version: i64,
}

impl CaseRow {
    fn open(mut self, keyring: &Keyring) -> Result<Case, StoreError> {
        let sealed_note = self.closure_note_sealed.take();
        let mut case = self.open_without_note()?;
        case.closure_note = sealed_note
            .map(|blob| keyring.open_str(&blob, context("closure_note", case.id)))
            .transpose()?;
        Ok(case)
    }

    /// The case without its closing note, the one sealed field: for statistics, which must not
    /// open personal data.
    pub(crate) fn open_without_note(self) -> Result<Case, StoreError> {
        let id = CaseId(self.id);
        let list = |joined: &str, what: &str| -> Result<Vec<CountryCode>, StoreError> {
            split_countries(joined).ok_or_else(|| corrupt(what, joined))
        };
        Ok(Case {
            id,
            reference: CaseReference {
                country: country(&self.country)?,
                year: u16::try_from(self.year)
                    .map_err(|_| corrupt("year", &self.year.to_string()))?,
                sequence: u32::try_from(self.sequence)
                    .map_err(|_| corrupt("sequence", &self.sequence.to_string()))?,
            },
            status: CaseStatus::parse(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            closure_reason: self
                .closure_reason
                .as_deref()
                .map(|r| ClosureReason::parse(r).ok_or_else(|| corrupt("closure reason", r)))
                .transpose()?,
            closure_note: None,
            assigned_to: self.assigned_to.map(UserId),
            has_minor: self.has_minor,
            opened_by: self.opened_by,
            opened_at: from_unix(self.opened_at)?,
            updated_at: from_unix(self.updated_at)?,
            version: self.version,
            details: CaseDetails {
                risk: self
                    .risk
                    .as_deref()
                    .map(|r| RiskLevel::parse(r).ok_or_else(|| corrupt("risk", r)))
                    .transpose()?,
                exploitation_types: split_codes(&self.exploitation_types, ExploitationType::parse)
                    .ok_or_else(|| corrupt("exploitation types", &self.exploitation_types))?,
                sectors: split_codes(&self.sectors, Sector::parse)
                    .ok_or_else(|| corrupt("sectors", &self.sectors))?,
                means_of_control: split_codes(&self.means_of_control, MeansOfControl::parse)
                    .ok_or_else(|| corrupt("means of control", &self.means_of_control))?,
                recruitment: split_codes(&self.recruitment, RecruitmentMethod::parse)
                    .ok_or_else(|| corrupt("recruitment", &self.recruitment))?,
                citizenship: list(&self.citizenship, "citizenship")?,
                exploitation_countries: list(&self.exploitation_countries, "countries")?,
                transit_countries: list(&self.transit_countries, "countries")?,
                exploitation_began: self
                    .exploitation_began
                    .as_deref()
                    .map(parse_date)
                    .transpose()?,
            },
        })
    }
}
