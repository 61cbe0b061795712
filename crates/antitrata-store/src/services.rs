//! The services directory of each country: country administrators keep it, everyone doing
//! hotline work in the country searches it by category and place. Not personal data, but every
//! change is audited.

use antitrata_domain::Actor;
use antitrata_domain::casework::{
    ContactLanguage, Service, ServiceCategory, ServiceDetails, ServiceId, join_codes, split_codes,
};
use sqlx::FromRow;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::contacts::{corrupt, country, scope};
use crate::error::require;
use crate::store::{keyset_page, with_pool};
use crate::time_columns::unix;
use crate::{ConflictKind, Entity, PAGE_MAX, Store, StoreError};
use antitrata_domain::policy::Action;

const COLUMNS: &str = "id, country, organization, name, categories, locality, address, phone, \
     email, hours, languages, eligibility, active";

impl Store {
    /// Adds a service to the actor's country (country administrators only), or replaces the one
    /// with this id in that country.
    pub async fn save_service(
        &self,
        actor: &Actor,
        id: ServiceId,
        service: &ServiceDetails,
        active: bool,
    ) -> Result<Service, StoreError> {
        let home = scope(actor)?;
        require(actor, Action::EditServices)?;
        let audit = PendingEntry::new(actor, event("service.saved", id))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let other: Option<String> =
                sqlx::query_scalar("select country from services where id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            if other.is_some_and(|c| c != home.as_str()) {
                return Err(StoreError::Conflict(ConflictKind::IdTaken(Entity::Service)));
            }
            sqlx::query(
                "insert into services (id, country, organization, name, categories, locality, \
                 address, phone, email, hours, languages, eligibility, active, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 on conflict (id) do update set organization = $3, name = $4, categories = $5, \
                 locality = $6, address = $7, phone = $8, email = $9, hours = $10, \
                 languages = $11, eligibility = $12, active = $13, updated_at = $14",
            )
            .bind(id.0)
            .bind(home.as_str())
            .bind(&service.organization)
            .bind(&service.name)
            .bind(join_codes(&service.categories, ServiceCategory::code))
            .bind(&service.locality)
            .bind(&service.address)
            .bind(&service.phone)
            .bind(&service.email)
            .bind(&service.hours)
            .bind(join_codes(&service.languages, ContactLanguage::code))
            .bind(&service.eligibility)
            .bind(active)
            .bind(unix(actor.at))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(Service {
            id,
            country: home,
            active,
            details: service.clone(),
        })
    }

    /// Active services of the actor's country, by category and by words of the place (locality
    /// or address, case-insensitive): a page of at most `limit` (up to [`PAGE_MAX`]) in the
    /// order of locality, name and id, after the service `after` when it is given.
    pub async fn list_services(
        &self,
        actor: &Actor,
        category: Option<ServiceCategory>,
        place: Option<&str>,
        after: Option<ServiceId>,
        limit: i64,
    ) -> Result<Vec<Service>, StoreError> {
        self.list_services_where(actor, true, category, place, after, limit)
            .await
    }

    /// Deactivated services of the actor's country, for its administrators to bring back.
    pub async fn list_deactivated_services(
        &self,
        actor: &Actor,
    ) -> Result<Vec<Service>, StoreError> {
        self.list_services_where(actor, false, None, None, None, PAGE_MAX)
            .await
    }

    async fn list_services_where(
        &self,
        actor: &Actor,
        active: bool,
        category: Option<ServiceCategory>,
        place: Option<&str>,
        after: Option<ServiceId>,
        limit: i64,
    ) -> Result<Vec<Service>, StoreError> {
        let home = scope(actor)?;
        let rows: Vec<ServiceRow> = with_pool!(self, |pool| {
            let mut query =
                sqlx::QueryBuilder::new(format!("select {COLUMNS} from services where active = "));
            query
                .push_bind(active)
                .push(" and country = ")
                .push_bind(home.to_string());
            if let Some(category) = category {
                query
                    .push(" and categories like ")
                    .push_bind(format!("%;{};%", category.code()));
            }
            if let Some(place) = place.map(str::trim).filter(|p| !p.is_empty()) {
                let pattern = format!("%{}%", place.to_lowercase().replace(['%', '_'], ""));
                query
                    .push(" and (lower(locality) like ")
                    .push_bind(pattern.clone())
                    .push(" or lower(coalesce(address, '')) like ")
                    .push_bind(pattern)
                    .push(")");
            }
            // Row values compare in the order's own collation on both backends.
            keyset_page!(query, order: "locality, name, id", table: "services",
                key: "locality, name, id", after.map(|a| a.0), home.to_string(), limit);
            query.build_query_as().fetch_all(pool).await?
        });
        rows.into_iter().map(ServiceRow::open).collect()
    }

    /// One service of the actor's country, active or not.
    pub async fn find_service(
        &self,
        actor: &Actor,
        id: ServiceId,
    ) -> Result<Option<Service>, StoreError> {
        let home = scope(actor)?;
        let row: Option<ServiceRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "select {COLUMNS} from services where id = $1 and country = $2"
            ))
            .bind(id.0)
            .bind(home.as_str())
            .fetch_optional(pool)
            .await?
        });
        row.map(ServiceRow::open).transpose()
    }
}

fn event(action: &'static str, id: ServiceId) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("service"),
        record_id: Some(id.to_string()),
    }
}

#[derive(FromRow)]
struct ServiceRow {
    id: Uuid,
    country: String,
    organization: String,
    name: String,
    categories: String,
    locality: String,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    hours: Option<String>,
    languages: String,
    eligibility: Option<String>,
    active: bool,
}

impl ServiceRow {
    fn open(self) -> Result<Service, StoreError> {
        Ok(Service {
            id: ServiceId(self.id),
            country: country(&self.country)?,
            active: self.active,
            details: ServiceDetails {
                organization: self.organization,
                name: self.name,
                categories: split_codes(&self.categories, ServiceCategory::parse)
                    .ok_or_else(|| corrupt("categories", &self.categories))?,
                locality: self.locality,
                address: self.address,
                phone: self.phone,
                email: self.email,
                hours: self.hours,
                languages: split_codes(&self.languages, ContactLanguage::parse)
                    .ok_or_else(|| corrupt("languages", &self.languages))?,
                eligibility: self.eligibility,
            },
        })
    }
}
