//! Privacy-protected releases, made in memory for `antitrata release` and the supervisors'
//! console page alike: the released data (`data.csv`), its report (`report.html`, rendered by
//! the caller's [`RenderReport`]) and its manifest (`manifest.json`: method, parameters,
//! guarantees and the SHA-256 of every other file; a k-anonymous one also its evaluation).
//! A differentially private bundle holds only fields of a stated [`Origin`]: its evaluation
//! against the exact data comes back beside it ([`Bundle::evaluation`]) and is kept in the
//! ledger with its spend, never in its files.
//!
//! - `kanon`: the source's CTDC columns, quasi-identifiers generalized, suppressed records left
//!   out; with `all_combinations`, also cells withheld until every combination of up to that many
//!   values left in a record occurs in at least k input records (SDS's guarantee);
//! - `dp-aggregates`: one or more cross-tabs of one to three variables each over their codebook
//!   domains with discrete Laplace noise, released together and consistent (a workload: every
//!   table is a sum of one fitted table over all their variables, in `data.csv`);
//! - `dp-synthetic`: synthetic CTDC records drawn from noisy one- and two-way marginals.
//!
//! The computation runs on a blocking thread; then a differentially private release spends its
//! ε from the paying country's yearly budget and its files are kept, sealed, in the same
//! transaction (the store refuses past the limit, and nothing is made), so a paid release can
//! always be fetched again ([`Releases::kept`]) however its first delivery fails; a k-anonymous
//! one is audited as `release.created`. Nothing reaches the caller before that.

mod compute;
mod manifest;

pub use manifest::{Origin, origin_of};

use std::collections::BTreeMap;
use std::sync::Arc;

use antitrata_domain::stats::{Dataset, Table, ctdc_file_of_cases};
use antitrata_domain::{Actor, CountryCode, Lang};
use antitrata_privacy::accountant::{rho_micros_within, zcdp_epsilon_micros};
use antitrata_privacy::{CombinationError, DpError, KAnonymityError, Rational};
use antitrata_store::{AuditEvent, Budget, OpenedBetween, RecordsUse, Spend, Store, StoreError};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

/// How a release protects its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Kanon,
    DpAggregates,
    DpSynthetic,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Kanon, Method::DpAggregates, Method::DpSynthetic];

    pub fn parse(text: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Kanon => "kanon",
            Method::DpAggregates => "dp-aggregates",
            Method::DpSynthetic => "dp-synthetic",
        }
    }

    /// Whether the release is differentially private, and so spends privacy budget.
    pub fn spends_budget(self) -> bool {
        self != Method::Kanon
    }
}

/// How a differentially private release accounts for its privacy loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Accountant {
    /// Pure ε-differential privacy with discrete Laplace noise: δ = 0, and ε's add up.
    #[default]
    Pure,
    /// ρ-zCDP with discrete Gaussian noise (dp-aggregates): the release spends the largest ρ
    /// whose conversion at the country's δ stays within its ε, and the ledger converts the
    /// year's summed ρ as one ([`antitrata_privacy::accountant`]).
    Zcdp,
}

impl Accountant {
    pub fn parse(text: &str) -> Option<Accountant> {
        match text {
            "pure" => Some(Accountant::Pure),
            "zcdp" => Some(Accountant::Zcdp),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Accountant::Pure => "pure",
            Accountant::Zcdp => "zcdp",
        }
    }
}

/// A privacy budget ε as typed and as an exact fraction; always above zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Epsilon {
    pub text: String,
    pub value: Rational,
}

impl Epsilon {
    /// A positive decimal such as `1`, `0.5` or `4.0`.
    pub fn parse(text: &str) -> Option<Epsilon> {
        let text = text.trim();
        let value = Rational::parse_decimal(text).filter(|e| e.numerator > 0)?;
        Some(Epsilon {
            text: text.to_owned(),
            value,
        })
    }

    /// ε in the ledger's units (millionths), rounded up so a release never spends less than it
    /// says.
    fn micros(&self) -> Result<i64, ReleaseError> {
        let micros = (u128::from(self.value.numerator) * 1_000_000)
            .div_ceil(u128::from(self.value.denominator));
        i64::try_from(micros).map_err(|_| ReleaseError::EpsilonTooLarge)
    }
}

/// The largest share of records a k-anonymous release suppresses unless asked otherwise.
pub const DEFAULT_MAX_SUPPRESSED: f64 = 0.05;

/// What to release, and how.
#[derive(Debug, Clone)]
pub struct Parameters {
    pub method: Method,
    /// kanon: the smallest group of quasi-identifier values; every method: the count below which
    /// a combination is rare in SDS's metrics.
    pub k: usize,
    /// kanon: the quasi-identifiers; empty for CTDC's own that the source has.
    pub quasi_identifiers: Vec<String>,
    /// kanon: the largest share of records that may be suppressed, 0 to 1.
    pub max_suppressed: f64,
    /// kanon: the length of SDS's all-combinations guarantee, if wanted.
    pub all_combinations: Option<usize>,
    /// dp-aggregates and dp-synthetic: the budget spent.
    pub epsilon: Option<Epsilon>,
    /// dp-synthetic: the variables synthesized; empty for every column with a closed codebook
    /// vocabulary.
    pub variables: Vec<String>,
    /// dp-aggregates: the tables released together, one to three variables each.
    pub tables: Vec<Vec<String>>,
    /// dp-aggregates: how the release accounts for its privacy loss (dp-synthetic: pure only).
    pub accountant: Accountant,
}

/// The variables of one table as typed: comma-separated, spaces around them and empty names
/// left out (`gender, ageBroad`).
pub fn table_of(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether `tables` are a cross-tab release's: at least one, each of one to three variables.
pub fn crosses(tables: &[Vec<String>]) -> bool {
    !tables.is_empty() && tables.iter().all(|t| (1..=3).contains(&t.len()))
}

/// What a release is made from, as its manifest and audit entry name it.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub format: String,
    /// SHA-256 of the imported file, or of the live cases written as a CTDC file.
    pub sha256: String,
    /// Who releases it: the command line or a supervisor.
    pub actor: Actor,
    /// The record type and id of the `release.created` audit entry.
    pub record: (&'static str, String),
}

impl Source {
    /// An imported dataset, released by `actor`.
    pub fn dataset(dataset: Dataset, actor: Actor) -> Source {
        Source {
            record: ("dataset", dataset.id.to_string()),
            name: dataset.name,
            format: dataset.format,
            sha256: dataset.content_sha256,
            actor,
        }
    }
}

/// The country whose yearly budget pays for a differentially private release, and the id the
/// payment is booked under in the ledger, made by the caller (nothing below the binary makes
/// randomness or reads the clock).
#[derive(Debug, Clone, Copy)]
pub struct Payer {
    pub country: CountryCode,
    pub release_id: Uuid,
}

/// Renders a release's `report.html` from its manifest, in a language; the web crate holds the
/// template, and the binary passes its renderer in.
pub type RenderReport = fn(&Value, Lang) -> Result<String, String>;

/// The yearly budget each country may spend unless configured otherwise: ε = 4, and δ = 10⁻⁹
/// for zCDP releases (pure ones spend none).
pub const DEFAULT_YEARLY_LIMIT: Budget = Budget {
    epsilon_micros: 4_000_000,
    delta_femtos: DEFAULT_DELTA_FEMTOS,
};

/// The δ of a country's yearly budget unless its administrator chooses another: 10⁻⁹, in units
/// of 10⁻¹⁵.
pub const DEFAULT_DELTA_FEMTOS: i64 = 1_000_000;

/// One release to make: from what, how, paid by whom, told in which language, and the time and
/// randomness it is made with.
#[derive(Debug)]
pub struct Order<'a> {
    pub source: &'a Source,
    pub table: Arc<Table>,
    pub parameters: &'a Parameters,
    /// Who pays for a differentially private release; `None` refuses one.
    pub payer: Option<Payer>,
    /// The language of `report.html`.
    pub lang: Lang,
    pub now: OffsetDateTime,
    pub randomness: Randomness,
}

/// Where a release's noise and sampling come from.
#[derive(Debug)]
pub enum Randomness {
    /// 32 random bytes from the caller's random source (the operating system's): a release to
    /// publish.
    Fresh([u8; 32]),
    /// A seed given by hand (`--seed N`): the same input and seed give the same data, for tests
    /// and audits. Anyone with the seed can take the noise off, so the manifest says so and
    /// `antitrata import release` takes such a bundle only as a test.
    Seeded(u64),
}

/// Releases as the command line and the console make them: the one way from a source and its
/// parameters to a bundle, paid from each country's yearly budget.
#[derive(Debug, Clone)]
pub struct Releases {
    store: Store,
    yearly_limit: Budget,
    /// The δ of the countries whose administrators chose one other than `yearly_limit`'s.
    deltas: BTreeMap<CountryCode, i64>,
    render_report: RenderReport,
}

impl Releases {
    pub fn new(store: Store, yearly_limit: Budget, render_report: RenderReport) -> Releases {
        Releases {
            store,
            yearly_limit,
            deltas: BTreeMap::new(),
            render_report,
        }
    }

    /// The releases with the δ of some countries' budgets set apart from the yearly limit's.
    pub fn with_deltas(mut self, deltas: BTreeMap<CountryCode, i64>) -> Releases {
        self.deltas = deltas;
        self
    }

    /// What each country may spend in a year, δ as most countries have it.
    pub fn yearly_limit(&self) -> Budget {
        self.yearly_limit
    }

    /// What `country` may spend in a year: the yearly ε, and its δ.
    pub fn limit_of(&self, country: CountryCode) -> Budget {
        Budget {
            delta_femtos: self
                .deltas
                .get(&country)
                .copied()
                .unwrap_or(self.yearly_limit.delta_femtos),
            ..self.yearly_limit
        }
    }

    /// The live cases of `country` read for a release by `actor`, as a source and its table.
    /// The store lets only the country's supervisors read them so, and audits every case taken.
    pub async fn live_cases(
        &self,
        actor: &Actor,
        country: CountryCode,
    ) -> Result<(Source, Table), ReleaseError> {
        let records = self
            .store
            .victim_records(
                actor,
                country,
                OpenedBetween::default(),
                RecordsUse::Release,
            )
            .await?;
        let (file, table) = ctdc_file_of_cases(&records).map_err(|e| {
            ReleaseError::Output(format!("the cases do not read as a CTDC table: {e}"))
        })?;
        let source = Source {
            name: format!("cases-{country}"),
            format: "ctdc-global".into(),
            sha256: format!("{:x}", Sha256::digest(&file)),
            actor: actor.clone(),
            record: ("cases", country.to_string()),
        };
        Ok((source, table))
    }

    /// Makes the release `order` asks for, paying from its payer's budget if it is
    /// differentially private.
    pub async fn make(&self, order: Order<'_>) -> Result<Bundle, ReleaseError> {
        let Order {
            source,
            table,
            parameters,
            payer,
            lang,
            now,
            randomness,
        } = order;
        let (rng, seed) = match randomness {
            Randomness::Fresh(bytes) => (StdRng::from_seed(bytes), None),
            Randomness::Seeded(seed) => (StdRng::seed_from_u64(seed), Some(seed)),
        };
        let method = parameters.method;
        if parameters.all_combinations.is_some() && method != Method::Kanon {
            return Err(ReleaseError::AllCombinationsNotKanon);
        }
        if parameters.accountant == Accountant::Zcdp && method != Method::DpAggregates {
            return Err(ReleaseError::ZcdpNotAggregates);
        }
        let payment = if method.spends_budget() {
            let payer = payer.ok_or(ReleaseError::NoPayer)?;
            if !payer.country.is_rcm_member() {
                return Err(ReleaseError::NotRcmMember(payer.country));
            }
            let epsilon = parameters.epsilon.as_ref().ok_or(ReleaseError::NoEpsilon)?;
            let loss = match parameters.accountant {
                Accountant::Pure => Loss::Pure(epsilon.micros()?),
                Accountant::Zcdp => {
                    zcdp_loss(epsilon, self.limit_of(payer.country).delta_femtos, &table)?
                }
            };
            Some((payer, loss))
        } else {
            None
        };
        let job = parameters.clone();
        let loss = payment.map(|(_, loss)| loss);
        let made =
            tokio::task::spawn_blocking(move || compute::compute(&table, &job, loss, now, rng))
                .await
                .map_err(|e| ReleaseError::Output(format!("the computation stopped: {e}")))??;
        let mut fields = made.fields;
        let evaluation = made.evaluation.map(|mut evaluation| {
            // What the release was made from, to the byte: the country's to know.
            evaluation["source"] = json!({
                "dataset": source.name,
                "format": source.format,
                "sha256": source.sha256,
            });
            evaluation
        });
        let finish = move |fields: Value| -> Result<Bundle, ReleaseError> {
            let mut manifest = manifest::manifest(method, now, source, fields)?;
            if let Some(seed) = seed {
                manifest["seeded"] = json!({
                    "seed": seed,
                    "note": "made from a seed given by hand, to be reproduced by tests and \
                             audits; anyone with the seed can recompute its noise, so it is not \
                             a release to publish",
                });
            }
            if let Some(rows) = made.source_rows {
                manifest["source"]["rows"] = json!(rows);
            }
            self.bundle(made.data, made.files, manifest, lang)
        };
        let Some((payer, loss)) = payment else {
            self.store
                .append_audit(
                    &source.actor,
                    AuditEvent {
                        action: "release.created",
                        record_type: Some(source.record.0),
                        record_id: Some(source.record.1.clone()),
                    },
                )
                .await?;
            return finish(fields);
        };
        // Pay before anything leaves, and keep the files in the same transaction: a release past
        // the budget is refused here, and a paid one can always be fetched again.
        let limit = self.limit_of(payer.country);
        let spend = Spend {
            release_id: payer.release_id,
            country: payer.country,
            year: now.year(),
            method: method.as_str().into(),
            budget: loss.budget(),
            rho_micros: loss.rho_micros(),
            source: source.name.clone(),
            evaluation: evaluation.as_ref().map(Value::to_string),
        };
        let (manifest, files) = self
            .store
            .spend_privacy_budget(&source.actor, &spend, limit, |spent| {
                fields["release_id"] = json!(payer.release_id.to_string());
                fields["privacy"]["budget"] = json!({
                    "country": payer.country.as_str(),
                    "year": now.year(),
                    "spent_this_year_epsilon": spent.epsilon_micros as f64 / 1e6,
                    "spent_this_year_delta": spent.delta_femtos as f64 / 1e15,
                    "yearly_limit_epsilon": limit.epsilon_micros as f64 / 1e6,
                    "yearly_limit_delta": limit.delta_femtos as f64 / 1e15,
                });
                let bundle = finish(fields).map_err(|e| e.to_string())?;
                Ok((bundle.manifest, bundle.files))
            })
            .await?;
        Ok(Bundle {
            manifest,
            evaluation,
            files,
        })
    }

    /// A release `country` paid for, as it was made: its files from the ledger (the fetch is
    /// audited as `release.downloaded`). `None` if the country paid for no such release, or paid
    /// for it before the ledger kept files. The evaluation stays in the ledger
    /// ([`Store::read_release_evaluation`]).
    pub async fn kept(
        &self,
        actor: &Actor,
        country: CountryCode,
        release_id: Uuid,
    ) -> Result<Option<Bundle>, ReleaseError> {
        let Some(files) = self
            .store
            .read_kept_release(actor, country, release_id)
            .await?
        else {
            return Ok(None);
        };
        let manifest = files
            .iter()
            .find(|(name, _)| name == "manifest.json")
            .and_then(|(_, bytes)| serde_json::from_slice(bytes).ok())
            .ok_or_else(|| {
                ReleaseError::Store(StoreError::Corrupt(format!(
                    "release {release_id} is kept without a readable manifest.json"
                )))
            })?;
        Ok(Some(Bundle {
            manifest,
            evaluation: None,
            files,
        }))
    }

    /// The files of a release: its data (`data.csv`, then any further tables), its report, and
    /// its manifest completed with the size and SHA-256 of the others so the regional import can
    /// check them.
    fn bundle(
        &self,
        data: Vec<u8>,
        tables: Vec<(String, Vec<u8>)>,
        mut manifest: Value,
        lang: Lang,
    ) -> Result<Bundle, ReleaseError> {
        let report = (self.render_report)(&manifest, lang)
            .map_err(|e| ReleaseError::Output(format!("rendering report.html: {e}")))?
            .into_bytes();
        let listed = |name: &str, bytes: &[u8]| {
            json!({
                "name": name,
                "bytes": bytes.len(),
                "sha256": format!("{:x}", Sha256::digest(bytes)),
            })
        };
        let mut files = vec![("data.csv".to_owned(), data)];
        files.extend(tables);
        files.push(("report.html".to_owned(), report));
        manifest["files"] = json!(
            files
                .iter()
                .map(|(name, bytes)| listed(name, bytes))
                .collect::<Vec<_>>()
        );
        let written = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| ReleaseError::Output(format!("writing manifest.json: {e}")))?;
        files.push(("manifest.json".to_owned(), written));
        Ok(Bundle {
            manifest,
            evaluation: None,
            files,
        })
    }
}

/// A finished release: its manifest, and its files in the order a folder or archive lists them
/// (`data.csv`, a workload's `table-N.csv`, `report.html`, `manifest.json`).
#[derive(Debug)]
pub struct Bundle {
    pub manifest: Value,
    /// A differentially private release's evaluation against the exact data, which the
    /// bundle's files never carry: for the releasing office only (kept in the ledger beside the
    /// spend, shown to the country's supervisors).
    pub evaluation: Option<Value>,
    pub files: Vec<(String, Vec<u8>)>,
}

/// What a differentially private release spends, before it is paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Loss {
    /// ε in millionths, rounded up.
    Pure(i64),
    /// ρ in millionths (rounded down from the largest that fits), the δ it is converted at, and
    /// that conversion's ε in millionths (rounded up, within the ε asked).
    Zcdp {
        rho_micros: i64,
        delta_femtos: i64,
        epsilon_micros: i64,
    },
}

impl Loss {
    /// The release's own (ε, δ).
    fn budget(self) -> Budget {
        match self {
            Loss::Pure(epsilon_micros) => Budget {
                epsilon_micros,
                delta_femtos: 0,
            },
            Loss::Zcdp {
                delta_femtos,
                epsilon_micros,
                ..
            } => Budget {
                epsilon_micros,
                delta_femtos,
            },
        }
    }

    fn rho_micros(self) -> i64 {
        match self {
            Loss::Pure(_) => 0,
            Loss::Zcdp { rho_micros, .. } => rho_micros,
        }
    }
}

/// The zCDP loss of a release of budget `epsilon` at the country's `delta_femtos`, refused if δ
/// passes 1/n for the `table` released (a δ that large lets a mechanism publish a record
/// outright) or if ε leaves no ρ.
fn zcdp_loss(epsilon: &Epsilon, delta_femtos: i64, table: &Table) -> Result<Loss, ReleaseError> {
    let rows = table.rows().max(1) as u128;
    if delta_femtos <= 0 || delta_femtos as u128 * rows > 1_000_000_000_000_000 {
        return Err(ReleaseError::DeltaTooLarge {
            delta: delta_femtos as f64 / 1e15,
        });
    }
    let delta = delta_femtos as f64 / 1e15;
    let rho_micros = rho_micros_within(epsilon.value.to_f64(), delta);
    if rho_micros == 0 {
        return Err(ReleaseError::EpsilonTooSmallForZcdp);
    }
    Ok(Loss::Zcdp {
        rho_micros,
        delta_femtos,
        epsilon_micros: zcdp_epsilon_micros(rho_micros, delta_femtos),
    })
}

/// Why no release was made. Nothing was spent or written.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("the all-combinations guarantee applies to k-anonymous releases only")]
    AllCombinationsNotKanon,
    #[error("a differentially private release needs a country to pay from its yearly budget")]
    NoPayer,
    #[error(
        "{0} is not an RCM country: a release is paid from the yearly budget of one of the \
         eleven members ({members})",
        members = antitrata_domain::RCM_MEMBERS.join(", ")
    )]
    NotRcmMember(CountryCode),
    #[error("a differentially private release needs ε, the privacy budget it spends")]
    NoEpsilon,
    #[error("ε is too large for the ledger")]
    EpsilonTooLarge,
    #[error("the zCDP accountant applies to dp-aggregates releases only")]
    ZcdpNotAggregates,
    /// The country's δ passes one over the number of records released from.
    #[error(
        "the budget's δ = {delta:e} is above 1/n for this table: a δ that large lets a release \
         give a record away; the country's administrator sets a smaller privacy.country_delta"
    )]
    DeltaTooLarge { delta: f64 },
    #[error("ε is too small to spend any ρ under zCDP at the budget's δ; give a larger ε")]
    EpsilonTooSmallForZcdp,
    #[error("name one to three variables to cross, e.g. gender,ageBroad")]
    NoVariables,
    /// A variable named that the table does not have: `columns` lists those it has.
    #[error("the table has no column `{name}`; its columns are: {columns}")]
    NoSuchColumn { name: String, columns: String },
    #[error(transparent)]
    KAnonymity(#[from] KAnonymityError),
    #[error(transparent)]
    Dp(#[from] DpError),
    #[error(transparent)]
    Combinations(#[from] CombinationError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the release could not be written: {0}")]
    Output(String),
}
