//! Privacy-protected releases, made in memory for `antitrata release` and the supervisors'
//! console page alike: the released data (`data.csv`), its report (`report.html`) and its
//! manifest (`manifest.json`: method, parameters, guarantees, evaluation and the SHA-256 of every
//! other file).
//!
//! - `kanon`: the source's CTDC columns, quasi-identifiers generalized, suppressed records left
//!   out; with `all_combinations`, also cells withheld until every combination of up to that many
//!   values left in a record occurs in at least k input records (SDS's guarantee);
//! - `dp-aggregates`: a cross-tab of one to three variables over their codebook domains with
//!   discrete Laplace noise;
//! - `dp-synthetic`: synthetic CTDC records drawn from noisy one- and two-way marginals.
//!
//! The computation runs on a blocking thread; then a differentially private release spends its
//! ε from the paying country's yearly budget (the store refuses past the limit, and nothing is
//! made), and a k-anonymous one is audited as `release.created`. Nothing reaches the caller
//! before that.

mod compute;
mod manifest;
mod report;

use std::sync::Arc;

use antitrata_domain::stats::{Dataset, Table, ctdc_file_of_cases};
use antitrata_domain::{Actor, CountryCode, Lang};
use antitrata_privacy::{CombinationError, DpError, KAnonymityError, Rational};
use antitrata_store::{AuditEvent, Budget, OpenedBetween, RecordsUse, Spend, Store, StoreError};
use rand::rngs::StdRng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

pub use report::release_report;

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
    /// dp-aggregates: the one to three variables crossed. dp-synthetic: the variables synthesized;
    /// empty for every column with a closed codebook vocabulary.
    pub variables: Vec<String>,
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

/// The live cases of `country` read for a release by `actor`, as a source and its table. The
/// store lets only the country's supervisors read them so, and audits every case taken.
pub async fn live_cases(
    store: &Store,
    actor: &Actor,
    country: CountryCode,
) -> Result<(Source, Table), ReleaseError> {
    let records = store
        .victim_records(
            actor,
            country,
            OpenedBetween::default(),
            RecordsUse::Release,
        )
        .await?;
    let (file, table) = ctdc_file_of_cases(&records)
        .map_err(|e| ReleaseError::Output(format!("the cases do not read as a CTDC table: {e}")))?;
    let source = Source {
        name: format!("cases-{country}"),
        format: "ctdc-global".into(),
        sha256: format!("{:x}", Sha256::digest(&file)),
        actor: actor.clone(),
        record: ("cases", country.to_string()),
    };
    Ok((source, table))
}

/// The country whose yearly budget pays for a differentially private release, that budget, and
/// the id the payment is booked under.
#[derive(Debug, Clone, Copy)]
pub struct Payer {
    pub country: CountryCode,
    pub yearly_limit: Budget,
    /// The id the release is booked under in the ledger, made by the caller (nothing below the
    /// binary makes randomness or reads the clock).
    pub release_id: Uuid,
}

/// A finished release: its manifest, and its files in the order a folder or archive lists them
/// (`data.csv`, `report.html`, `manifest.json`).
#[derive(Debug)]
pub struct Bundle {
    pub manifest: Value,
    pub files: Vec<(&'static str, Vec<u8>)>,
}

/// Why no release was made. Nothing was spent or written.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("the all-combinations guarantee applies to k-anonymous releases only")]
    AllCombinationsNotKanon,
    #[error("a differentially private release needs a country to pay from its yearly budget")]
    NoPayer,
    #[error("a differentially private release needs ε, the privacy budget it spends")]
    NoEpsilon,
    #[error("ε is too large for the ledger")]
    EpsilonTooLarge,
    #[error("name one to three variables to cross, e.g. gender,ageBroad")]
    NoVariables,
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

/// Makes the release `parameters` ask for from `table`, paying from `payer`'s budget if it is
/// differentially private; `report.html` is written in `lang`.
#[allow(
    clippy::too_many_arguments,
    reason = "each is a separate input of a release"
)]
pub async fn make_release(
    store: &Store,
    source: &Source,
    table: Arc<Table>,
    parameters: &Parameters,
    payer: Option<Payer>,
    lang: Lang,
    now: OffsetDateTime,
    rng: StdRng,
) -> Result<Bundle, ReleaseError> {
    let method = parameters.method;
    if parameters.all_combinations.is_some() && method != Method::Kanon {
        return Err(ReleaseError::AllCombinationsNotKanon);
    }
    let payment = if method.spends_budget() {
        let payer = payer.ok_or(ReleaseError::NoPayer)?;
        let epsilon = parameters.epsilon.as_ref().ok_or(ReleaseError::NoEpsilon)?;
        Some((payer, epsilon.micros()?))
    } else {
        None
    };
    let job = parameters.clone();
    let made = tokio::task::spawn_blocking(move || compute::compute(&table, &job, now, rng))
        .await
        .map_err(|e| ReleaseError::Output(format!("the computation stopped: {e}")))??;
    let mut fields = made.fields;
    match payment {
        // Pay before anything leaves: a release past the budget is refused here.
        Some((payer, epsilon_micros)) => {
            let release_id = payer.release_id;
            let spent = store
                .spend_privacy_budget(
                    &source.actor,
                    &Spend {
                        release_id,
                        country: payer.country,
                        year: now.year(),
                        method: method.as_str().into(),
                        budget: Budget {
                            epsilon_micros,
                            delta_femtos: 0,
                        },
                    },
                    payer.yearly_limit,
                )
                .await?;
            fields["release_id"] = json!(release_id.to_string());
            fields["privacy"]["budget"] = json!({
                "country": payer.country.as_str(),
                "year": now.year(),
                "spent_this_year_epsilon": spent.epsilon_micros as f64 / 1e6,
                "yearly_limit_epsilon": payer.yearly_limit.epsilon_micros as f64 / 1e6,
            });
        }
        None => {
            store
                .append_audit(
                    &source.actor,
                    AuditEvent {
                        action: "release.created",
                        record_type: Some(source.record.0),
                        record_id: Some(source.record.1.clone()),
                    },
                )
                .await?;
        }
    }
    let mut manifest = manifest::manifest(method, now, source, fields)?;
    if let Some(rows) = made.source_rows {
        manifest["source"]["rows"] = json!(rows);
    }
    bundle(made.data, manifest, lang)
}

/// The files of a release: its data, its report, and its manifest completed with the size and
/// SHA-256 of the other two so the regional import can check them.
fn bundle(data: Vec<u8>, mut manifest: Value, lang: Lang) -> Result<Bundle, ReleaseError> {
    let report = release_report(&manifest, lang)
        .map_err(|e| ReleaseError::Output(format!("rendering report.html: {e}")))?
        .into_bytes();
    let listed = |name: &str, bytes: &[u8]| {
        json!({
            "name": name,
            "bytes": bytes.len(),
            "sha256": format!("{:x}", Sha256::digest(bytes)),
        })
    };
    manifest["files"] = json!([listed("data.csv", &data), listed("report.html", &report)]);
    let written = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| ReleaseError::Output(format!("writing manifest.json: {e}")))?;
    Ok(Bundle {
        manifest,
        files: vec![
            ("data.csv", data),
            ("report.html", report),
            ("manifest.json", written),
        ],
    })
}
