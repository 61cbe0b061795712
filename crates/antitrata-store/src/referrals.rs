//! Referrals of a case to a service. Making one is a disclosure: inside the same transaction the
//! store finds a consent of the person that covers it now, or records a supervisor's written
//! override, or refuses. The case moves to `referred` with it.

use antitrata_domain::casework::{
    Basis, CaseId, CaseStatus, ConsentScope, Referral, ReferralId, ReferralStatus, ServiceId,
};
use antitrata_domain::{Actor, PersonId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, SealedRead, append_audit};
use crate::consents::{CONSENT_COLUMNS, ConsentRow};
use crate::contacts::{corrupt, scope};
use crate::crypto::SealContext;
use crate::error::{require, stale_unless};
use crate::store::{keyset_page, with_pool};
use crate::time_columns::{from_unix, unix};
use crate::{ConflictKind, Entity, Keyring, PAGE_MAX, Store, StoreError};
use antitrata_domain::policy::Action;

const COLUMNS: &str = "id, case_id, person_id, service_id, status, consent_id, override_by, \
     override_reason_sealed, notes_sealed, requested_by, requested_at, updated_at, version";

/// A referral to make.
#[derive(Debug, Clone, Copy)]
pub struct NewReferral<'a> {
    pub case: CaseId,
    pub person: PersonId,
    pub service: ServiceId,
    pub notes: Option<&'a str>,
    /// A supervisor's reason to refer without consent; refused from anyone else.
    pub override_reason: Option<&'a str>,
}

impl Store {
    /// Refers a person of a case to a service of the actor's country, on the consent that covers
    /// it now or on a supervisor's override (audited as `consent.overridden`); otherwise
    /// `NoConsent` and nothing is stored. The same id again returns the referral stored.
    pub async fn refer_case(
        &self,
        actor: &Actor,
        id: ReferralId,
        new: NewReferral<'_>,
    ) -> Result<Referral, StoreError> {
        let keyring = self.keyring()?;
        let home = scope(actor)?;
        let reason = new.override_reason.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some() {
            require(actor, Action::DiscloseWithoutConsent)?;
        }
        let notes = new
            .notes
            .map(|n| keyring.seal_str(n, context("notes", id)))
            .transpose()?;
        let override_sealed = reason
            .map(|r| keyring.seal_str(r, context("override_reason", id)))
            .transpose()?;
        let requested = PendingEntry::new(actor, event("referral.requested", id))?;
        let overridden = PendingEntry::new(actor, event("consent.overridden", id))?;
        let case_referred = PendingEntry::new(
            actor,
            AuditEvent {
                action: "case.referred",
                record_type: Some("case"),
                record_id: Some(new.case.to_string()),
            },
        )?;
        let row: ReferralRow = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let existing: Option<ReferralRow> = sqlx::query_as(&format!(
                "select {COLUMNS} from referrals where id = $1 and country = $2"
            ))
            .bind(id.0)
            .bind(home.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(existing) = existing {
                tx.commit().await?;
                return existing.open(keyring);
            }
            let status: Option<String> =
                sqlx::query_scalar("select status from cases where id = $1 and country = $2")
                    .bind(new.case.0)
                    .bind(home.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            let status = status.ok_or(StoreError::NotFound(Entity::Case))?;
            let status = CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
            if !status.is_open() {
                return Err(StoreError::NotAllowedNow {
                    status: status.code(),
                    action: "referred",
                });
            }
            let person: Option<Uuid> = sqlx::query_scalar(
                "select id from persons where id = $1 and case_id = $2 and country = $3",
            )
            .bind(new.person.0)
            .bind(new.case.0)
            .bind(home.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            person.ok_or(StoreError::NotFound(Entity::PersonOfTheCase))?;
            let service: Option<Uuid> = sqlx::query_scalar(
                "select id from services where id = $1 and country = $2 and active = $3",
            )
            .bind(new.service.0)
            .bind(home.as_str())
            .bind(true)
            .fetch_optional(&mut *tx)
            .await?;
            service.ok_or(StoreError::NotFound(Entity::Service))?;
            let consents: Vec<ConsentRow> = sqlx::query_as(&format!(
                "select {CONSENT_COLUMNS} from consents where person_id = $1 and case_id = $2 \
                 and scope = $3 order by given_at desc, id"
            ))
            .bind(new.person.0)
            .bind(new.case.0)
            .bind(ConsentScope::Referral.code())
            .fetch_all(&mut *tx)
            .await?;
            let mut covering = None;
            for row in consents {
                let consent = row.open()?;
                if consent.covers(ConsentScope::Referral, Some(new.service), actor.at) {
                    covering = Some(consent.id);
                    break;
                }
            }
            if covering.is_none() && override_sealed.is_none() {
                return Err(StoreError::NoConsent);
            }
            let now = unix(actor.at);
            let inserted = sqlx::query(
                "insert into referrals (id, country, case_id, person_id, service_id, status, \
                 consent_id, override_by, key_id, override_reason_sealed, notes_sealed, \
                 requested_by, requested_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, \
                 $9, $10, $11, $12, $13, $14) on conflict (id) do nothing",
            )
            .bind(id.0)
            .bind(home.as_str())
            .bind(new.case.0)
            .bind(new.person.0)
            .bind(new.service.0)
            .bind(ReferralStatus::Requested.code())
            .bind(covering.map(|c| c.0))
            .bind(covering.is_none().then(|| actor.who.clone()))
            .bind(i64::from(keyring.current_key_id()))
            .bind(if covering.is_none() {
                override_sealed.clone()
            } else {
                None
            })
            .bind(&notes)
            .bind(&actor.who)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                // The id is taken, in this country or another: the same answer either way.
                return Err(StoreError::Conflict(ConflictKind::IdTaken(
                    Entity::Referral,
                )));
            }
            if covering.is_none() {
                append_audit!(tx, &overridden);
            }
            append_audit!(tx, &requested);
            if let Some(next) = status.after(antitrata_domain::casework::CaseAction::Refer)
                && next != status
            {
                sqlx::query(
                    "update cases set version = version + 1, status = $1, updated_at = $2 where id = $3 and status = $4",
                )
                .bind(next.code())
                .bind(now)
                .bind(new.case.0)
                .bind(status.code())
                .execute(&mut *tx)
                .await?;
                append_audit!(tx, &case_referred);
            } else {
                sqlx::query(
                    "update cases set version = version + 1, updated_at = $1 where id = $2",
                )
                .bind(now)
                .bind(new.case.0)
                .execute(&mut *tx)
                .await?;
            }
            let row: ReferralRow =
                sqlx::query_as(&format!("select {COLUMNS} from referrals where id = $1"))
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row
        });
        row.open(keyring)
    }

    /// Moves a referral of the actor's country forward (accepted, declined, in progress,
    /// completed); a step backwards or sideways is `NotAllowedNow`. With `expected`, only if the
    /// referral is still at that version (`Stale` with the current one otherwise).
    pub async fn update_referral(
        &self,
        actor: &Actor,
        id: ReferralId,
        next: ReferralStatus,
        expected: Option<i64>,
    ) -> Result<Referral, StoreError> {
        let keyring = self.keyring()?;
        let home = scope(actor)?;
        let audit = PendingEntry::new(actor, event("referral.updated", id))?;
        let row: ReferralRow = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let read: Option<(String, i64)> = sqlx::query_as(
                "select status, version from referrals where id = $1 and country = $2",
            )
            .bind(id.0)
            .bind(home.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let (status, version) = read.ok_or(StoreError::NotFound(Entity::Referral))?;
            stale_unless(Entity::Referral, expected, version)?;
            let current = ReferralStatus::parse(&status)
                .ok_or_else(|| corrupt("referral status", &status))?;
            if !current.may_become(next) {
                return Err(StoreError::NotAllowedNow {
                    status: current.code(),
                    action: next.code(),
                });
            }
            let done = sqlx::query(
                "update referrals set version = version + 1, status = $1, updated_at = $2 \
                 where id = $3 and status = $4",
            )
            .bind(next.code())
            .bind(unix(actor.at))
            .bind(id.0)
            .bind(current.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict(ConflictKind::ChangedMeanwhile(
                    Entity::Referral,
                )));
            }
            append_audit!(tx, &audit);
            let row: ReferralRow =
                sqlx::query_as(&format!("select {COLUMNS} from referrals where id = $1"))
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row
        });
        row.open(keyring)
    }

    /// The referrals of a case of the actor's country, oldest first; each is audited as read.
    pub async fn list_case_referrals(
        &self,
        actor: &Actor,
        case: CaseId,
    ) -> Result<Vec<Referral>, StoreError> {
        let read = self
            .read_referrals_where(actor, Some(case), None, None, PAGE_MAX)
            .await?;
        self.open_read(actor, read).await
    }

    /// Referrals of the actor's country still waiting (requested, accepted or in progress)
    /// with no change since `since`: what a supervisor chases. Oldest first, a page of at most
    /// `limit` after the referral `after`.
    pub async fn list_stale_referrals(
        &self,
        actor: &Actor,
        since: time::OffsetDateTime,
        after: Option<ReferralId>,
        limit: i64,
    ) -> Result<Vec<Referral>, StoreError> {
        let read = self
            .read_referrals_where(actor, None, Some(since), after, limit)
            .await?;
        self.open_read(actor, read).await
    }

    /// How many referrals of the actor's country wait with no change since `since` (not
    /// audited: counting reads none).
    pub async fn count_stale_referrals(
        &self,
        actor: &Actor,
        since: time::OffsetDateTime,
    ) -> Result<i64, StoreError> {
        let home = scope(actor)?;
        Ok(with_pool!(self, |pool| {
            let mut query =
                sqlx::QueryBuilder::new("select count(*) from referrals where country = ");
            query.push_bind(home.to_string());
            push_stale_since(&mut query, since);
            query.build_query_scalar().fetch_one(pool).await?
        }))
    }

    pub(crate) async fn read_referrals_where(
        &self,
        actor: &Actor,
        case: Option<CaseId>,
        stale_since: Option<time::OffsetDateTime>,
        after: Option<ReferralId>,
        limit: i64,
    ) -> Result<SealedRead<Vec<Referral>>, StoreError> {
        let home = scope(actor)?;
        let rows: Vec<ReferralRow> = with_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "select {COLUMNS} from referrals where country = "
            ));
            query.push_bind(home.to_string());
            if let Some(case) = case {
                query.push(" and case_id = ").push_bind(case.0);
            }
            if let Some(since) = stale_since {
                push_stale_since(&mut query, since);
            }
            keyset_page!(query, order: "requested_at, id", table: "referrals",
                key: "requested_at, id", after.map(|a| a.0), home.to_string(), limit);
            query.build_query_as().fetch_all(pool).await?
        });
        Ok(SealedRead::rows(
            rows,
            |row| event("referral.viewed", ReferralId(row.id)),
            ReferralRow::open,
        ))
    }
}

/// Adds "still under way, unchanged since `since`" to a query over referrals, so the list of
/// stale referrals and its count agree.
fn push_stale_since<'a, DB>(query: &mut sqlx::QueryBuilder<'a, DB>, since: time::OffsetDateTime)
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'static str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    query
        .push(" and updated_at < ")
        .push_bind(unix(since))
        .push(" and status in (")
        .push_bind(ReferralStatus::Requested.code())
        .push(", ")
        .push_bind(ReferralStatus::Accepted.code())
        .push(", ")
        .push_bind(ReferralStatus::InProgress.code())
        .push(")");
}

fn context(column: &'static str, id: ReferralId) -> SealContext<'static> {
    SealContext {
        table: "referrals",
        column,
        record: id.0,
    }
}

fn event(action: &'static str, id: ReferralId) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("referral"),
        record_id: Some(id.to_string()),
    }
}

#[derive(FromRow)]
struct ReferralRow {
    id: Uuid,
    case_id: Uuid,
    person_id: Uuid,
    service_id: Uuid,
    status: String,
    consent_id: Option<Uuid>,
    override_by: Option<String>,
    override_reason_sealed: Option<Vec<u8>>,
    notes_sealed: Option<Vec<u8>>,
    requested_by: String,
    requested_at: i64,
    updated_at: i64,
    version: i64,
}

impl ReferralRow {
    fn open(self, keyring: &Keyring) -> Result<Referral, StoreError> {
        let id = ReferralId(self.id);
        let basis = match (
            self.consent_id,
            self.override_by,
            self.override_reason_sealed,
        ) {
            (Some(consent), _, _) => Basis::Consent(antitrata_domain::casework::ConsentId(consent)),
            (None, Some(by), Some(sealed)) => Basis::Override {
                by,
                reason: keyring.open_str(&sealed, context("override_reason", id))?,
            },
            _ => return Err(corrupt("referral basis", &id.to_string())),
        };
        Ok(Referral {
            id,
            case: CaseId(self.case_id),
            person: PersonId(self.person_id),
            service: ServiceId(self.service_id),
            status: ReferralStatus::parse(&self.status)
                .ok_or_else(|| corrupt("referral status", &self.status))?,
            basis,
            notes: self
                .notes_sealed
                .map(|n| keyring.open_str(&n, context("notes", id)))
                .transpose()?,
            requested_at: from_unix(self.requested_at)?,
            updated_at: from_unix(self.updated_at)?,
            requested_by: self.requested_by,
            version: self.version,
        })
    }
}
