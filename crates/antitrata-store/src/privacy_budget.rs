//! The privacy-budget ledger: what each country has spent of its yearly differential-privacy
//! budget. Spending is one conditional update, so two releases racing for the last of a budget
//! cannot both pass; the spend, the release's files (sealed) and its audit entry are written in
//! the same transaction, so a paid release can always be fetched again.

use antitrata_domain::{Actor, CountryCode};
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::crypto::SealContext;
use crate::store::with_pool;
use crate::{ConflictKind, Store, StoreError};
use antitrata_domain::policy::Action;
use antitrata_privacy::accountant::zcdp_epsilon_micros;

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
    /// The release's own (ε, δ). For a zCDP release, the conversion of its ρ alone: the record
    /// of what it would cost by itself; the ledger charges by `rho_micros` instead.
    pub budget: Budget,
    /// A zCDP release's ρ in millionths, else 0. The year's ρ add up and are converted together,
    /// at `budget.delta_femtos` or the larger δ of an earlier zCDP release of the year.
    pub rho_micros: i64,
    /// The name of what was released (a dataset, or a country's live cases).
    pub source: String,
    /// The release's evaluation against the exact data, as JSON: kept here, in the country,
    /// and never in the bundle.
    pub evaluation: Option<String>,
}

/// A release's files, in the order its folder or archive lists them: name and bytes.
pub type ReleaseFiles = Vec<(String, Vec<u8>)>;

/// A release that spent budget, as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpentRelease {
    pub release_id: Uuid,
    pub country: CountryCode,
    pub year: i32,
    pub method: String,
    /// Its own (ε, δ): for a zCDP release, the conversion of its ρ alone.
    pub budget: Budget,
    /// A zCDP release's ρ in millionths, else 0.
    pub rho_micros: i64,
    pub source: String,
    /// When, as RFC 3339, and by whom (the audit log's actor).
    pub recorded_at: String,
    pub recorded_by: String,
    /// The evaluation as JSON: only from [`Store::read_release_evaluation`], `None` in lists.
    pub evaluation: Option<String>,
    /// Whether its files are kept ([`Store::read_kept_release`]); not for releases paid before
    /// the ledger kept them.
    pub kept: bool,
}

/// The ledger's columns a [`SpentRelease`] is read from, without the evaluation.
const SPENT_COLUMNS: &str = "release_id, country, year, method, epsilon_micros, delta_femtos, \
                             rho_micros, source, recorded_at, recorded_by, \
                             exists (select 1 from release_files f \
                                     where f.release_id = privacy_spends.release_id)";

/// A row of [`SPENT_COLUMNS`] and the evaluation (null in lists).
type SpentRow = (
    Uuid,
    String,
    i32,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    bool,
    Option<String>,
);

fn spent_release(row: SpentRow) -> Result<SpentRelease, StoreError> {
    let (
        release_id,
        country,
        year,
        method,
        epsilon_micros,
        delta_femtos,
        rho_micros,
        source,
        at,
        by,
        kept,
        evaluation,
    ) = row;
    Ok(SpentRelease {
        release_id,
        country: CountryCode::parse(&country)
            .map_err(|_| StoreError::Corrupt(format!("privacy_spends.country `{country}`")))?,
        year,
        method,
        budget: Budget {
            epsilon_micros,
            delta_femtos,
        },
        rho_micros,
        source,
        recorded_at: at,
        recorded_by: by,
        evaluation,
        kept,
    })
}

/// Whether `actor` may read the releases `country` paid for: its supervisors (or whoever may
/// spend any country's budget, as the command line does).
fn may_read_releases(actor: &Actor, country: CountryCode) -> bool {
    (actor.may(Action::MakeReleases) && actor.scope.country() == Some(country))
        || actor.may(Action::SpendAnyCountryBudget)
}

/// `privacy_budget`'s row: the year's charge (ε, δ), its summed ρ, the δ they are converted at,
/// and the ε of that conversion (part of the charge).
type LedgerRow = (i64, i64, i64, i64, i64);

/// A country's year in the ledger: what pure and approximate releases spent, summed, and what
/// zCDP releases spent, as ρ and the δ it is converted at.
#[derive(Debug, Clone, Copy)]
struct Ledger {
    summed: Budget,
    rho_micros: i64,
    rho_delta_femtos: i64,
}

impl From<LedgerRow> for Ledger {
    fn from(row: LedgerRow) -> Ledger {
        let (epsilon_micros, delta_femtos, rho_micros, rho_delta_femtos, rho_epsilon_micros) = row;
        let zcdp = Ledger {
            summed: Budget::default(),
            rho_micros,
            rho_delta_femtos,
        };
        Ledger {
            summed: Budget {
                epsilon_micros: epsilon_micros - rho_epsilon_micros,
                delta_femtos: delta_femtos - zcdp.rho_delta_spent(),
            },
            ..zcdp
        }
    }
}

impl Ledger {
    /// The year with `spend` added.
    fn with(self, spend: &Spend) -> Ledger {
        if spend.rho_micros > 0 {
            Ledger {
                rho_micros: self.rho_micros.saturating_add(spend.rho_micros),
                rho_delta_femtos: self.rho_delta_femtos.max(spend.budget.delta_femtos),
                ..self
            }
        } else {
            Ledger {
                summed: Budget {
                    epsilon_micros: self
                        .summed
                        .epsilon_micros
                        .saturating_add(spend.budget.epsilon_micros),
                    delta_femtos: self
                        .summed
                        .delta_femtos
                        .saturating_add(spend.budget.delta_femtos),
                },
                ..self
            }
        }
    }

    /// The ε of the year's ρ at its δ (rounded up), zero without zCDP releases.
    fn rho_epsilon_micros(self) -> i64 {
        zcdp_epsilon_micros(self.rho_micros, self.rho_delta_femtos)
    }

    /// The δ the year's ρ costs: its conversion's, zero without zCDP releases.
    fn rho_delta_spent(self) -> i64 {
        if self.rho_micros > 0 {
            self.rho_delta_femtos
        } else {
            0
        }
    }

    /// What the year costs: the sum, plus the conversion of the year's ρ (basic composition).
    fn charged(self) -> Budget {
        Budget {
            epsilon_micros: self
                .summed
                .epsilon_micros
                .saturating_add(self.rho_epsilon_micros()),
            delta_femtos: self
                .summed
                .delta_femtos
                .saturating_add(self.rho_delta_spent()),
        }
    }
}

impl Budget {
    /// Whether neither ε nor δ passes `limit`'s.
    pub fn within(self, limit: Budget) -> bool {
        self.epsilon_micros <= limit.epsilon_micros && self.delta_femtos <= limit.delta_femtos
    }
}

impl Store {
    /// Spends `spend` of the country's budget for the year if, with what is spent already, it
    /// stays within `limit`, and keeps the release's files sealed beside the spend. Pure and
    /// approximate releases add their (ε, δ); zCDP releases add their ρ, and the year's ρ is
    /// converted to (ε, δ) as one ([`antitrata_privacy::accountant`]), so the total is the sum
    /// plus that conversion.
    ///
    /// `bundle` makes the release's files from that total (its manifest states it) inside the
    /// transaction, so the spend, the files and the audit entry are written together or not at
    /// all: a paid release can always be fetched again ([`Store::read_kept_release`]). Returns
    /// what `bundle` made. Past the limit, or if `bundle` fails, nothing changes and the error
    /// says why.
    pub async fn spend_privacy_budget<T: Send>(
        &self,
        actor: &Actor,
        spend: &Spend,
        limit: Budget,
        bundle: impl FnOnce(Budget) -> Result<(T, ReleaseFiles), String> + Send,
    ) -> Result<(T, ReleaseFiles), StoreError> {
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
        let outcome: Result<(T, ReleaseFiles), Budget> = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let known: Option<i32> = sqlx::query_scalar("select 1 from countries where iso2 = $1")
                .bind(country)
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                tx.rollback().await?;
                return Err(StoreError::Conflict(ConflictKind::UnknownCountry(
                    spend.country,
                )));
            }
            sqlx::query(
                "insert into privacy_budget (country, year, epsilon_micros, delta_femtos) \
                 values ($1, $2, 0, 0) on conflict do nothing",
            )
            .bind(country)
            .bind(spend.year)
            .execute(&mut *tx)
            .await?;
            // An update that changes nothing, to hold the row until commit (PostgreSQL; SQLite's
            // write transaction holds the whole database).
            let row: LedgerRow = sqlx::query_as(
                "update privacy_budget set year = year where country = $1 and year = $2 \
                 returning epsilon_micros, delta_femtos, rho_micros, rho_delta_femtos, \
                 rho_epsilon_micros",
            )
            .bind(country)
            .bind(spend.year)
            .fetch_one(&mut *tx)
            .await?;
            let before = Ledger::from(row);
            let after = before.with(spend);
            if !after.charged().within(limit) {
                tx.rollback().await?;
                Err(before.charged())
            } else {
                let (made, files) = match bundle(after.charged()) {
                    Ok(made) => made,
                    Err(why) => {
                        tx.rollback().await?;
                        return Err(StoreError::ReleaseFiles(why));
                    }
                };
                let (key_id, sealed) = self.seal_release_files(spend.release_id, &files)?;
                sqlx::query(
                    "update privacy_budget set epsilon_micros = $3, delta_femtos = $4, \
                     rho_micros = $5, rho_delta_femtos = $6, rho_epsilon_micros = $7 \
                     where country = $1 and year = $2",
                )
                .bind(country)
                .bind(spend.year)
                .bind(after.charged().epsilon_micros)
                .bind(after.charged().delta_femtos)
                .bind(after.rho_micros)
                .bind(after.rho_delta_femtos)
                .bind(after.rho_epsilon_micros())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "insert into privacy_spends (release_id, country, year, method, \
                     epsilon_micros, delta_femtos, rho_micros, recorded_at, recorded_by, source, \
                     evaluation) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(spend.release_id)
                .bind(country)
                .bind(spend.year)
                .bind(&spend.method)
                .bind(asked.epsilon_micros)
                .bind(asked.delta_femtos)
                .bind(spend.rho_micros)
                .bind(&audit.at)
                .bind(&audit.actor)
                .bind(&spend.source)
                .bind(&spend.evaluation)
                .execute(&mut *tx)
                .await?;
                for (position, ((name, bytes), blob)) in files.iter().zip(&sealed).enumerate() {
                    sqlx::query(
                        "insert into release_files (id, release_id, position, name, bytes, \
                         key_id, contents_sealed) values ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(file_id(spend.release_id, position, name))
                    .bind(spend.release_id)
                    .bind(position as i32)
                    .bind(name)
                    .bind(bytes.len() as i64)
                    .bind(key_id)
                    .bind(blob)
                    .execute(&mut *tx)
                    .await?;
                }
                append_audit!(tx, &audit);
                tx.commit().await?;
                Ok((made, files))
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

    /// `files` sealed for the release `release_id`, each for its own row (bound to its place and
    /// name), and the id of the key they are sealed with.
    fn seal_release_files(
        &self,
        release_id: Uuid,
        files: &ReleaseFiles,
    ) -> Result<(i64, Vec<Vec<u8>>), StoreError> {
        if files.is_empty() {
            return Ok((0, Vec::new()));
        }
        let keyring = self.keyring()?;
        let sealed = files
            .iter()
            .enumerate()
            .map(|(position, (name, bytes))| {
                let context = file_context(file_id(release_id, position, name));
                Ok(keyring.seal(bytes, context)?)
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((i64::from(keyring.current_key_id()), sealed))
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

    /// The releases `country` paid for in `year`, newest first, without their evaluations.
    pub async fn list_spent_releases(
        &self,
        actor: &Actor,
        country: CountryCode,
        year: i32,
    ) -> Result<Vec<SpentRelease>, StoreError> {
        if !may_read_releases(actor, country) {
            return Err(StoreError::OutOfScope);
        }
        let rows: Vec<SpentRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "select {SPENT_COLUMNS}, cast(null as text) from privacy_spends where country = $1 \
                 and year = $2 order by recorded_at desc, release_id desc"
            ))
            .bind(country.as_str())
            .bind(year)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(spent_release).collect()
    }

    /// One release of `country` with its evaluation against the exact data, audited as
    /// `release.evaluation_read` before it is read; `None` if the country paid for no such
    /// release.
    pub async fn read_release_evaluation(
        &self,
        actor: &Actor,
        country: CountryCode,
        release_id: Uuid,
    ) -> Result<Option<SpentRelease>, StoreError> {
        if !may_read_releases(actor, country) {
            return Err(StoreError::OutOfScope);
        }
        self.append_audit(
            actor,
            AuditEvent {
                action: "release.evaluation_read",
                record_type: Some("release"),
                record_id: Some(release_id.to_string()),
            },
        )
        .await?;
        let row: Option<SpentRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "select {SPENT_COLUMNS}, evaluation from privacy_spends \
                     where release_id = $1 and country = $2"
            ))
            .bind(release_id)
            .bind(country.as_str())
            .fetch_optional(pool)
            .await?
        });
        row.map(spent_release).transpose()
    }

    /// The files of a release `country` paid for, audited as `release.downloaded` before they
    /// are read and opened; `None` if the country paid for no such release, or if it was paid
    /// before the ledger kept files.
    pub async fn read_kept_release(
        &self,
        actor: &Actor,
        country: CountryCode,
        release_id: Uuid,
    ) -> Result<Option<ReleaseFiles>, StoreError> {
        if !may_read_releases(actor, country) {
            return Err(StoreError::OutOfScope);
        }
        let keyring = self.keyring()?;
        self.append_audit(
            actor,
            AuditEvent {
                action: "release.downloaded",
                record_type: Some("release"),
                record_id: Some(release_id.to_string()),
            },
        )
        .await?;
        let rows: Vec<(i32, String, i64, Vec<u8>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "select f.position, f.name, f.bytes, f.contents_sealed from release_files f \
                 join privacy_spends s on s.release_id = f.release_id \
                 where f.release_id = $1 and s.country = $2 order by f.position",
            )
            .bind(release_id)
            .bind(country.as_str())
            .fetch_all(pool)
            .await?
        });
        if rows.is_empty() {
            return Ok(None);
        }
        let files = rows
            .into_iter()
            .map(|(position, name, bytes, sealed)| {
                let position = usize::try_from(position).unwrap_or(usize::MAX);
                let opened =
                    keyring.open(&sealed, file_context(file_id(release_id, position, &name)))?;
                if opened.len() as i64 != bytes {
                    return Err(StoreError::Corrupt(format!(
                        "release_files: {name} of release {release_id} has {} bytes, {bytes} \
                         recorded",
                        opened.len()
                    )));
                }
                Ok((name, opened))
            })
            .collect::<Result<ReleaseFiles, StoreError>>()?;
        Ok(Some(files))
    }
}

/// The row a kept file is sealed for: derived from its release, place and name, so a file moved
/// to another place, renamed or copied to another release fails to open.
fn file_id(release_id: Uuid, position: usize, name: &str) -> Uuid {
    Uuid::new_v5(&release_id, format!("{position}/{name}").as_bytes())
}

fn file_context(id: Uuid) -> SealContext<'static> {
    SealContext {
        table: "release_files",
        column: "contents",
        record: id,
    }
}
