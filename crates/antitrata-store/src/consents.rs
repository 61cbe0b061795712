//! Consent records: given for a person of a case, withdrawn later; read by the referral check.
//! A minor's consent is a guardian's.

use antitrata_domain::casework::{
    CaseId, Consent, ConsentId, ConsentScope, GivenBy, NewConsent, ServiceId,
};
use antitrata_domain::{Actor, PersonId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::contacts::{corrupt, scope};
use crate::store::{require_version, with_pool};
use crate::time_columns::{date_text, from_unix, parse_date, unix};
use crate::{ConflictKind, Entity, Store, StoreError};

pub(crate) const CONSENT_COLUMNS: &str = "id, case_id, person_id, scope, service_id, given_by, \
     given_at, expires_on, withdrawn_at, recorded_by, version";

impl Store {
    /// Records a consent of a person of a case of the actor's country. The same id again returns
    /// the consent stored.
    pub async fn record_consent(
        &self,
        actor: &Actor,
        id: ConsentId,
        case: CaseId,
        consent: &NewConsent,
    ) -> Result<Consent, StoreError> {
        let home = scope(actor)?;
        let audit = PendingEntry::new(actor, event("consent.recorded", id))?;
        let row: ConsentRow = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let minor: Option<bool> = sqlx::query_scalar(
                "select is_minor from persons where id = $1 and case_id = $2 and country = $3",
            )
            .bind(consent.person.0)
            .bind(case.0)
            .bind(home.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let minor = minor.ok_or(StoreError::NotFound(Entity::PersonOfTheCase))?;
            if minor && consent.given_by == GivenBy::Person {
                return Err(StoreError::Conflict(ConflictKind::MinorNeedsGuardian));
            }
            if let Some(service) = consent.service {
                let known: Option<Uuid> =
                    sqlx::query_scalar("select id from services where id = $1 and country = $2")
                        .bind(service.0)
                        .bind(home.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                if known.is_none() {
                    return Err(StoreError::NotFound(Entity::Service));
                }
            }
            let done = sqlx::query(
                "insert into consents (id, country, case_id, person_id, scope, service_id, \
                 given_by, given_at, expires_on, recorded_by) values ($1, $2, $3, $4, $5, $6, \
                 $7, $8, $9, $10) on conflict (id) do nothing",
            )
            .bind(id.0)
            .bind(home.as_str())
            .bind(case.0)
            .bind(consent.person.0)
            .bind(consent.scope.code())
            .bind(consent.service.map(|s| s.0))
            .bind(consent.given_by.code())
            .bind(unix(actor.at))
            .bind(consent.expires_on.map(date_text))
            .bind(&actor.who)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                append_audit!(tx, &audit);
            }
            let row: Option<ConsentRow> = sqlx::query_as(&format!(
                "select {CONSENT_COLUMNS} from consents where id = $1 and country = $2 \
                 and case_id = $3"
            ))
            .bind(id.0)
            .bind(home.as_str())
            .bind(case.0)
            .fetch_optional(&mut *tx)
            .await?;
            let row =
                row.ok_or_else(|| StoreError::Conflict(ConflictKind::IdTaken(Entity::Consent)))?;
            tx.commit().await?;
            row
        });
        row.open()
    }

    /// Withdraws a consent from now on; returns whether there was one in force to withdraw.
    /// With `expected`, only if the consent is still at that version (`Stale` with the current one
    /// otherwise).
    pub async fn withdraw_consent(
        &self,
        actor: &Actor,
        id: ConsentId,
        expected: Option<i64>,
    ) -> Result<bool, StoreError> {
        let home = scope(actor)?;
        let audit = PendingEntry::new(actor, event("consent.withdrawn", id))?;
        let done = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            require_version!(
                tx,
                "consents",
                id.0,
                home.as_str(),
                Entity::Consent,
                expected
            );
            let done = sqlx::query(
                "update consents set withdrawn_at = $1, version = version + 1 \
                 where id = $2 and withdrawn_at is null",
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

    /// Every consent recorded for the people of a case of the actor's country, oldest first.
    pub async fn list_case_consents(
        &self,
        actor: &Actor,
        case: CaseId,
    ) -> Result<Vec<Consent>, StoreError> {
        let home = scope(actor)?;
        let rows: Vec<ConsentRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "select {CONSENT_COLUMNS} from consents where case_id = $1 and country = $2 \
                 order by given_at, id"
            ))
            .bind(case.0)
            .bind(home.as_str())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(ConsentRow::open).collect()
    }
}

pub(crate) fn event(action: &'static str, id: ConsentId) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("consent"),
        record_id: Some(id.to_string()),
    }
}

#[derive(FromRow)]
pub(crate) struct ConsentRow {
    id: Uuid,
    case_id: Uuid,
    person_id: Uuid,
    scope: String,
    service_id: Option<Uuid>,
    given_by: String,
    given_at: i64,
    expires_on: Option<String>,
    withdrawn_at: Option<i64>,
    recorded_by: String,
    version: i64,
}

impl ConsentRow {
    pub(crate) fn open(self) -> Result<Consent, StoreError> {
        Ok(Consent {
            id: ConsentId(self.id),
            case: CaseId(self.case_id),
            given_at: from_unix(self.given_at)?,
            recorded_by: self.recorded_by,
            withdrawn_at: self.withdrawn_at.map(from_unix).transpose()?,
            version: self.version,
            details: NewConsent {
                person: PersonId(self.person_id),
                scope: ConsentScope::parse(&self.scope)
                    .ok_or_else(|| corrupt("consent scope", &self.scope))?,
                service: self.service_id.map(ServiceId),
                given_by: GivenBy::parse(&self.given_by)
                    .ok_or_else(|| corrupt("given by", &self.given_by))?,
                expires_on: self.expires_on.as_deref().map(parse_date).transpose()?,
            },
        })
    }
}
