//! The statistical records of a country's cases: one per victim per case, with no personal data
//! read or opened. Counting is open to the country's own roles; an export (which takes the records
//! out of the system) or a privacy-protected release of them only to its supervisors, and audits
//! every case it takes.

use antitrata_domain::casework::{
    AgeBand, CaseId, Gender, VictimFacts, VictimRecord, counts_in_statistics,
};
use antitrata_domain::{Actor, CountryCode};
use sqlx::FromRow;
use time::Date;
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::cases::{CASE_COLUMNS, CaseRow, push_opened_between};
use crate::contacts::{corrupt, country, scope};
use crate::error::require;
use crate::store::with_pool;
use crate::{Store, StoreError};
use antitrata_domain::policy::Action;

/// What the records are read for, which decides who may read them and whether each case is
/// audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordsUse {
    /// Counted in the country's own statistics: no personal data, not audited.
    Statistics,
    /// Written to a file that leaves the system: supervisors only, every case audited.
    Export,
    /// Made into a privacy-protected release (k-anonymous or differentially private) for regional
    /// use: supervisors only, every case audited.
    Release,
}

impl RecordsUse {
    /// What the permission policy calls reading the records for this use.
    pub fn action(self) -> Action {
        match self {
            RecordsUse::Statistics => Action::CountLiveCases,
            RecordsUse::Export => Action::ExportCases,
            RecordsUse::Release => Action::MakeReleases,
        }
    }

    /// The audit action of each case read, if this use is audited.
    fn audit_action(self) -> Option<&'static str> {
        match self {
            RecordsUse::Statistics => None,
            RecordsUse::Export => Some("case.exported"),
            RecordsUse::Release => Some("case.released"),
        }
    }
}

/// Cases opened within these days (UTC), both ends included; `None` is open-ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenedBetween {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

#[derive(FromRow)]
struct VictimRow {
    #[sqlx(flatten)]
    case: CaseRow,
    victim_id: Option<Uuid>,
    victim_gender: Option<String>,
    victim_age_band: Option<String>,
    victim_nationality: Option<String>,
    victim_is_minor: Option<bool>,
}

impl Store {
    /// The statistical records of `country`'s cases opened `between`, oldest case first: one per
    /// victim (one with no victim facts for a case without a victim yet), leaving out cases closed
    /// as not trafficking or as duplicates. The actor must belong to `country`.
    pub async fn victim_records(
        &self,
        actor: &Actor,
        wanted: CountryCode,
        between: OpenedBetween,
        purpose: RecordsUse,
    ) -> Result<Vec<VictimRecord>, StoreError> {
        if scope(actor)? != wanted {
            return Err(StoreError::OutOfScope);
        }
        require(actor, purpose.action())?;
        let rows: Vec<VictimRow> = with_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "select x.*, p.id as victim_id, p.gender as victim_gender, \
                 p.age_band as victim_age_band, p.nationality as victim_nationality, \
                 p.is_minor as victim_is_minor \
                 from (select {CASE_COLUMNS} from cases where country = "
            ));
            query.push_bind(wanted.to_string());
            push_opened_between(&mut query, between.from, between.to);
            query.push(
                ") x left join persons p on p.case_id = x.id and p.role = 'victim' \
                 order by x.year, x.sequence, p.id",
            );
            query.build_query_as().fetch_all(pool).await?
        });
        let (cases, records) = records_of(rows)?;
        if let Some(action) = purpose.audit_action() {
            self.audit_read(actor, cases.into_iter().map(|id| case_event(action, id)))
                .await?;
        }
        Ok(records)
    }
}

/// The records of the rows that count, and the ids of their cases (each once).
fn records_of(rows: Vec<VictimRow>) -> Result<(Vec<CaseId>, Vec<VictimRecord>), StoreError> {
    let mut cases = Vec::new();
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let victim = row.victim_id.map(|_| row.victim_facts()).transpose()?;
        let case = row.case.open_without_note()?;
        if !counts_in_statistics(case.status, case.closure_reason) {
            continue;
        }
        if cases.last() != Some(&case.id) {
            cases.push(case.id);
        }
        records.push(VictimRecord {
            case: case.reference,
            status: case.status,
            closure_reason: case.closure_reason,
            opened_on: case.opened_at.date(),
            details: case.details,
            victim,
        });
    }
    Ok((cases, records))
}

impl VictimRow {
    fn victim_facts(&self) -> Result<VictimFacts, StoreError> {
        Ok(VictimFacts {
            gender: self
                .victim_gender
                .as_deref()
                .map(|g| Gender::parse(g).ok_or_else(|| corrupt("gender", g)))
                .transpose()?,
            age_band: self
                .victim_age_band
                .as_deref()
                .map(|b| AgeBand::parse(b).ok_or_else(|| corrupt("age band", b)))
                .transpose()?,
            nationality: self
                .victim_nationality
                .as_deref()
                .map(country)
                .transpose()?,
            is_minor: self.victim_is_minor.unwrap_or(false),
        })
    }
}

fn case_event(action: &'static str, id: CaseId) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("case"),
        record_id: Some(id.to_string()),
    }
}
