//! The privacy-budget ledger: what each country has spent of its yearly differential-privacy
//! budget. Spending is one conditional update, so two releases racing for the last of a budget
//! cannot both pass; the spend is recorded and audited in the same transaction.

use antitrata_domain::{Actor, CountryCode};
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::store::with_pool;
use crate::{Store, StoreError};
use antitrata_domain::policy::Action;

/// An amount of privacy budget: ε in millionths, δ in units of 10⁻¹⁵.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Budget {
    pub epsilon_micros: i64,
    pub delta_femtos: i64,
}

impl std::fmt::Display for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ε = {}, δ = ", self.epsilon_micros as f64 / 1e6)?;
        if self.delta_femtos == 0 {
            f.write_str("0")
        } else {
            write!(f, "{:e}", self.delta_femtos as f64 / 1e15)
        }
    }
}

/// One release's spend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spend {
    pub release_id: Uuid,
    pub country: CountryCode,
    pub year: i32,
    pub method: String,
    pub budget: Budget,
}

impl Store {
    /// Spends `spend` of the country's budget for the year if, with what is spent already, it
    /// stays within `limit`; returns the total spent. Otherwise nothing changes and the error
    /// says what is left.
    pub async fn spend_privacy_budget(
        &self,
        actor: &Actor,
        spend: &Spend,
        limit: Budget,
    ) -> Result<Budget, StoreError> {
        if !actor.may(Action::SpendAnyCountryBudget) && actor.scope.country() != Some(spend.country)
        {
            return Err(StoreError::OutOfScope);
        }
        let audit = PendingEntry::new(
            actor,
            AuditEvent {
                action: "privacy.budget_spent",
                record_type: Some("release"),
                record_id: Some(spend.release_id.to_string()),
            },
        )?;
        let country = spend.country.as_str();
        let asked = spend.budget;
        let outcome: Result<Budget, Budget> = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query(
                "insert into privacy_budget (country, year, epsilon_micros, delta_femtos) \
                 values ($1, $2, 0, 0) on conflict do nothing",
            )
            .bind(country)
            .bind(spend.year)
            .execute(&mut *tx)
            .await?;
            let spent: Option<(i64, i64)> = sqlx::query_as(
                "update privacy_budget set epsilon_micros = epsilon_micros + $3, \
                 delta_femtos = delta_femtos + $4 \
                 where country = $1 and year = $2 \
                 and epsilon_micros + $3 <= $5 and delta_femtos + $4 <= $6 \
                 returning epsilon_micros, delta_femtos",
            )
            .bind(country)
            .bind(spend.year)
            .bind(asked.epsilon_micros)
            .bind(asked.delta_femtos)
            .bind(limit.epsilon_micros)
            .bind(limit.delta_femtos)
            .fetch_optional(&mut *tx)
            .await?;
            match spent {
                Some((epsilon_micros, delta_femtos)) => {
                    sqlx::query(
                        "insert into privacy_spends (release_id, country, year, method, \
                         epsilon_micros, delta_femtos, recorded_at, recorded_by) \
                         values ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(spend.release_id)
                    .bind(country)
                    .bind(spend.year)
                    .bind(&spend.method)
                    .bind(asked.epsilon_micros)
                    .bind(asked.delta_femtos)
                    .bind(&audit.at)
                    .bind(&audit.actor)
                    .execute(&mut *tx)
                    .await?;
                    append_audit!(tx, &audit);
                    tx.commit().await?;
                    Ok(Budget {
                        epsilon_micros,
                        delta_femtos,
                    })
                }
                None => {
                    let (epsilon_micros, delta_femtos): (i64, i64) = sqlx::query_as(
                        "select epsilon_micros, delta_femtos from privacy_budget \
                         where country = $1 and year = $2",
                    )
                    .bind(country)
                    .bind(spend.year)
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.rollback().await?;
                    Err(Budget {
                        epsilon_micros,
                        delta_femtos,
                    })
                }
            }
        });
        outcome.map_err(|spent| StoreError::OverBudget {
            country: spend.country,
            year: spend.year,
            spent,
            asked,
            limit,
        })
    }

    /// What a country has spent of its budget for a year.
    pub async fn privacy_budget_spent(
        &self,
        country: CountryCode,
        year: i32,
    ) -> Result<Budget, StoreError> {
        let row: Option<(i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "select epsilon_micros, delta_femtos from privacy_budget \
                 where country = $1 and year = $2",
            )
            .bind(country.as_str())
            .bind(year)
            .fetch_optional(pool)
            .await?
        });
        Ok(
            row.map_or(Budget::default(), |(epsilon_micros, delta_femtos)| Budget {
                epsilon_micros,
                delta_femtos,
            }),
        )
    }
}
