//! Privacy-protected releases for supervisors: the form of `antitrata release` (source, method,
//! k, ε, variables, all-combinations guarantee) and, once the release is made, its bundle
//! (`data.csv`, `report.html`, `manifest.json`) as a zip archive that `antitrata import release`
//! loads on the regional deployment once unpacked. A differentially private release is paid from
//! the supervisor's country's yearly budget, shown on the page with the year's such releases,
//! each linking to its page with the evaluation against the exact data that its bundle does not
//! carry (audited when read) and to its archive again, the same bytes as the first download
//! (the ledger keeps the files with the spend; each download audited), so a download that failed
//! loses nothing; reading live cases for a release audits every case taken
//! (`RecordsUse::Release`). A mistake in the form, or a release past the
//! budget, shows the form again with a localized message and spends nothing.

use antitrata_domain::policy::Action;
use std::io::Write;
use std::sync::Arc;

use antitrata_app::releases::{
    Accountant, Bundle, DEFAULT_MAX_SUPPRESSED, Epsilon, Method, Order, Parameters, Payer,
    Randomness, ReleaseError, Source, crosses, table_of,
};
use antitrata_domain::stats::Table;
use antitrata_domain::{Actor, CountryCode};
use antitrata_privacy::{CombinationError, DpError, KAnonymityError};
use antitrata_store::StoreError;
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::stats::LIVE_CASES;
use super::{PostedForm, attachment, console_page, format_local, page_lang, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::console::extract::{Console, PathId, Verified};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;
use crate::release_report::Evaluation;

/// The k of CTDC's own k-anonymous release, offered first.
const DEFAULT_K: &str = "11";
/// The ε offered first.
const DEFAULT_EPSILON: &str = "1.0";
/// The largest k the form accepts.
const MAX_K: usize = 1_000;
/// The longest all-combinations guarantee (SDS's own limit).
const MAX_COMBINATION_LENGTH: usize = 4;

/// The form as sent; every field is text so a mistake can be shown back as typed.
#[derive(Debug, Deserialize)]
#[serde(default)]
pub(crate) struct ReleaseForm {
    csrf: String,
    source: String,
    method: String,
    k: String,
    epsilon: String,
    accountant: String,
    variables: String,
    all_combinations: String,
}

impl Default for ReleaseForm {
    fn default() -> ReleaseForm {
        ReleaseForm {
            csrf: String::new(),
            source: String::new(),
            method: Method::Kanon.as_str().to_owned(),
            k: DEFAULT_K.to_owned(),
            epsilon: DEFAULT_EPSILON.to_owned(),
            accountant: Accountant::Pure.as_str().to_owned(),
            variables: String::new(),
            all_combinations: String::new(),
        }
    }
}

impl PostedForm for ReleaseForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Template)]
#[template(path = "console/releases.html")]
struct ReleasesPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    /// Value and label of each source that may be released.
    sources: Vec<(String, String)>,
    methods: Vec<(&'static str, String)>,
    form: ReleaseForm,
    budget: String,
    error: Option<String>,
    /// This year's differentially private releases of the country, newest first.
    made: Vec<MadeRelease>,
}

/// A paid release as the page lists it.
struct MadeRelease {
    id: String,
    at: String,
    method: String,
    source: String,
    epsilon: String,
    /// Whether its archive can be downloaded again (not for releases paid before the ledger
    /// kept their files).
    kept: bool,
}

impl ReleasesPage {
    fn is_source(&self, value: &str) -> bool {
        self.form.source == value
    }

    fn is_method(&self, value: &str) -> bool {
        self.form.method == value
    }

    fn is_length(&self, value: &str) -> bool {
        self.form.all_combinations == value
    }

    fn is_accountant(&self, value: &str) -> bool {
        self.form.accountant == value
    }
}

pub(super) async fn show_releases(
    Console(state, who, lang, headers): Console,
) -> Result<Response, PageError> {
    page(&state, &who, &headers, ReleaseForm::default(), None)
        .await
        .map_err(store_error(lang, &headers))
}

/// Makes the release the form asks for and answers with its bundle as a zip archive, or shows
/// the form again with what is wrong.
pub(super) async fn make_console_release(
    Console(state, who, lang, headers): Console,
    Verified(form): Verified<ReleaseForm>,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::MakeReleases);
    let Some(country) = actor.scope.country() else {
        return Err(PageError::new(lang, AppError::Forbidden, &headers));
    };
    let refusal = match release(&state, &actor, country, &form, &tr).await {
        Ok(bundle) => return archive(&bundle, lang, &headers),
        Err(refusal) => refusal,
    };
    let message = match refusal {
        Refusal::Mistake(message) => message,
        Refusal::Failed(error) => return Err(failure(error, lang, &headers)),
    };
    let mut response = page(&state, &who, &headers, form, Some(message))
        .await
        .map_err(store_error(lang, &headers))?;
    *response.status_mut() = StatusCode::BAD_REQUEST;
    Ok(response)
}

/// Why a release was not made.
enum Refusal {
    /// Something the supervisor can change, in their language.
    Mistake(String),
    /// Something they cannot.
    Failed(ReleaseError),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Refusal {
        Refusal::Failed(ReleaseError::Store(error))
    }
}

/// The page with `form` filled in as sent.
async fn page(
    state: &AppState,
    who: &SignedIn,
    headers: &HeaderMap,
    form: ReleaseForm,
    error: Option<String>,
) -> Result<Response, StoreError> {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let country = who.account.country;
    let mut sources = Vec::new();
    if let Some(country) = country {
        let countries = state.store.list_countries().await?;
        let name = super::stats_labels::StatsLabels::new(tr, &countries).country(&country);
        sources.push((
            LIVE_CASES.to_owned(),
            tr.t1("stats-live-cases", "country", &name),
        ));
    }
    for dataset in state.store.list_datasets().await? {
        let label = format!("{} ({})", dataset.name, dataset.rows);
        sources.push((dataset.name, label));
    }
    let mut form = form;
    if form.source.is_empty() {
        form.source = sources
            .first()
            .map(|(value, _)| value.clone())
            .unwrap_or_default();
    }
    let year = state.runtime.now().year();
    let made = match country {
        Some(country) => {
            let actor = crate::auth::actor(state, &who.account, headers, Action::MakeReleases);
            state
                .store
                .list_spent_releases(&actor, country, year)
                .await?
                .into_iter()
                .map(|r| MadeRelease {
                    id: r.release_id.to_string(),
                    at: shown_time(&r.recorded_at, r.country),
                    method: r.method,
                    source: r.source,
                    epsilon: epsilon_text(r.budget.epsilon_micros),
                    kept: r.kept,
                })
                .collect()
        }
        None => Vec::new(),
    };
    let budget = match country {
        Some(country) => {
            let spent = state.store.privacy_budget_spent(country, year).await?;
            tr.tn(
                "releases-budget",
                &[
                    ("country", country.as_str()),
                    ("year", &year.to_string()),
                    ("spent", &epsilon_text(spent.epsilon_micros)),
                    (
                        "limit",
                        &epsilon_text(state.releases.yearly_limit().epsilon_micros),
                    ),
                ],
            )
        }
        None => String::new(),
    };
    let page = ReleasesPage {
        title: tr.t("releases-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        sources,
        methods: Method::ALL
            .iter()
            .map(|m| (m.as_str(), tr.t(&format!("release-method-{}", m.as_str()))))
            .collect(),
        form,
        budget,
        error,
        made,
        tr,
    };
    Ok(console_page(lang, page.render(), headers))
}

#[derive(Template)]
#[template(path = "console/release.html")]
struct EvaluationPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    /// What was released, how and when: label, value.
    facts: Vec<(String, String)>,
    evaluation: Evaluation,
}

/// A differentially private release of the supervisor's country and its evaluation against the
/// exact data, which its bundle does not carry (the read is audited as
/// `release.evaluation_read`).
pub(super) async fn show_release_evaluation(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::MakeReleases);
    let Some(country) = actor.scope.country() else {
        return Err(PageError::new(lang, AppError::Forbidden, &headers));
    };
    let release = state
        .store
        .read_release_evaluation(&actor, country, id)
        .await
        .map_err(store_error(lang, &headers))?
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, &headers))?;
    let evaluation = release
        .evaluation
        .as_deref()
        .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok())
        .map(|e| Evaluation::new(&e, &tr))
        .unwrap_or_default();
    let when = shown_time(&release.recorded_at, release.country);
    let page = EvaluationPage {
        title: tr.t("release-evaluation-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, &who),
        facts: vec![
            (tr.t("report-created"), when),
            (tr.t("releases-method"), release.method),
            (tr.t("report-source"), release.source),
            (
                tr.t("report-epsilon"),
                epsilon_text(release.budget.epsilon_micros),
            ),
            (tr.t("release-evaluation-by"), release.recorded_by),
            (
                tr.t("release-evaluation-id"),
                release.release_id.to_string(),
            ),
        ],
        evaluation,
        tr,
    };
    Ok(console_page(lang, page.render(), &headers))
}

/// A ledger time (RFC 3339) as the console shows times, in the local time of the release's
/// country, or as stored if it does not read.
fn shown_time(at: &str, country: antitrata_domain::CountryCode) -> String {
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map_or_else(|_| at.to_owned(), |at| format_local(at, Some(country)))
}

/// ε in the ledger's millionths, as people write it.
fn epsilon_text(micros: i64) -> String {
    (micros as f64 / 1e6).to_string()
}

/// A paid release of the supervisor's country as an archive again, byte for byte the first
/// download (the fetch is audited as `release.downloaded`).
pub(super) async fn download_kept_release(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::MakeReleases);
    let Some(country) = actor.scope.country() else {
        return Err(PageError::new(lang, AppError::Forbidden, &headers));
    };
    let bundle = state
        .releases
        .kept(&actor, country, id)
        .await
        .map_err(|error| failure(error, lang, &headers))?
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, &headers))?;
    archive(&bundle, lang, &headers)
}

/// Reads the form, loads its source and makes the release.
async fn release(
    state: &AppState,
    actor: &Actor,
    country: CountryCode,
    form: &ReleaseForm,
    tr: &Tr,
) -> Result<Bundle, Refusal> {
    let mistake = |key: &str| Refusal::Mistake(tr.t(key));
    let method =
        Method::parse(form.method.trim()).ok_or_else(|| mistake("release-error-method"))?;
    let k = form
        .k
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|k| (2..=MAX_K).contains(k))
        .ok_or_else(|| mistake("release-error-k"))?;
    let epsilon = if method.spends_budget() {
        Some(Epsilon::parse(&form.epsilon).ok_or_else(|| mistake("release-error-epsilon"))?)
    } else {
        None
    };
    let accountant = Accountant::parse(form.accountant.trim())
        .filter(|a| *a == Accountant::Pure || method == Method::DpAggregates)
        .ok_or_else(|| mistake("release-error-accountant"))?;
    let all_combinations = match form.all_combinations.trim() {
        "" => None,
        text => Some(
            text.parse::<usize>()
                .ok()
                .filter(|l| (1..=MAX_COMBINATION_LENGTH).contains(l) && method == Method::Kanon)
                .ok_or_else(|| mistake("release-error-all-combinations"))?,
        ),
    };
    // Tables are separated by `;` (a workload of cross-tabs released together), variables by `,`.
    let tables: Vec<Vec<String>> = form
        .variables
        .split(';')
        .map(table_of)
        .filter(|table| !table.is_empty())
        .collect();
    if method == Method::DpAggregates && !crosses(&tables) {
        return Err(mistake("release-error-variables"));
    }
    let variables: Vec<String> = tables.iter().flatten().cloned().collect();
    let parameters = Parameters {
        method,
        k,
        quasi_identifiers: if method == Method::Kanon {
            variables.clone()
        } else {
            Vec::new()
        },
        max_suppressed: DEFAULT_MAX_SUPPRESSED,
        all_combinations,
        epsilon,
        variables,
        tables,
        accountant,
    };
    let (source, table) = load_source(state, actor, country, &form.source, tr).await?;
    let mut seed = [0u8; 32];
    state.runtime.random.fill(&mut seed);
    let now = state.runtime.now();
    let order = Order {
        source: &source,
        table,
        parameters: &parameters,
        payer: Some(Payer {
            country,
            release_id: state.runtime.uuid_v7(),
        }),
        lang: tr.lang,
        now,
        randomness: Randomness::Fresh(seed),
    };
    let bundle = state
        .releases
        .make(order)
        .await
        .map_err(|error| match explain(&error, tr) {
            Some(message) => Refusal::Mistake(message),
            None => Refusal::Failed(error),
        })?;
    Ok(bundle)
}

/// The source the form names: the live cases of the supervisor's country, read for a release
/// (every case audited), or an imported dataset.
async fn load_source(
    state: &AppState,
    actor: &Actor,
    country: CountryCode,
    name: &str,
    tr: &Tr,
) -> Result<(Source, Arc<Table>), Refusal> {
    if name == LIVE_CASES {
        let (source, table) = state
            .releases
            .live_cases(actor, country)
            .await
            .map_err(Refusal::Failed)?;
        return Ok((source, Arc::new(table)));
    }
    let unknown = || Refusal::Mistake(tr.t1("release-error-source", "name", name));
    let dataset = state.store.find_dataset(name).await?.ok_or_else(unknown)?;
    let table = state
        .tables
        .get(&state.store, dataset.id)
        .await?
        .ok_or_else(unknown)?;
    let source = Source::dataset(dataset, actor.clone());
    Ok((source, table))
}

/// What the supervisor can change about a refused release, in their language; `None` for a
/// failure that is not theirs to fix.
fn explain(error: &ReleaseError, tr: &Tr) -> Option<String> {
    let message = match error {
        ReleaseError::NoVariables
        | ReleaseError::Dp(DpError::VariableCount(_))
        | ReleaseError::KAnonymity(KAnonymityError::NoQuasiIdentifiers) => {
            tr.t("release-error-variables")
        }
        ReleaseError::NoEpsilon
        | ReleaseError::EpsilonTooLarge
        | ReleaseError::Dp(DpError::NoEpsilon) => tr.t("release-error-epsilon"),
        ReleaseError::ZcdpNotAggregates => tr.t("release-error-accountant"),
        ReleaseError::DeltaTooLarge { delta } => {
            tr.t1("release-error-delta", "delta", &format!("{delta:e}"))
        }
        ReleaseError::EpsilonTooSmallForZcdp => tr.t("release-error-epsilon-zcdp"),
        ReleaseError::AllCombinationsNotKanon
        | ReleaseError::Combinations(CombinationError::Length) => {
            tr.t("release-error-all-combinations")
        }
        ReleaseError::KAnonymity(KAnonymityError::KTooSmall)
        | ReleaseError::Combinations(CombinationError::KTooSmall) => tr.t("release-error-k"),
        ReleaseError::NoSuchColumn { name, .. }
        | ReleaseError::Dp(DpError::UnknownColumn(name))
        | ReleaseError::KAnonymity(KAnonymityError::UnknownColumn(name))
        | ReleaseError::Combinations(CombinationError::UnknownColumn(name)) => {
            tr.t1("release-error-unknown", "name", name)
        }
        ReleaseError::KAnonymity(KAnonymityError::Repeated(name))
        | ReleaseError::Dp(DpError::RepeatedVariable(name)) => {
            tr.t1("release-error-repeated", "name", name)
        }
        ReleaseError::Dp(DpError::NoDomain(name)) => tr.t1("release-error-no-domain", "name", name),
        ReleaseError::Dp(DpError::OutsideDomain { column, value }) => tr.tn(
            "release-error-outside",
            &[("column", column.as_str()), ("value", value.as_str())],
        ),
        ReleaseError::KAnonymity(KAnonymityError::Impossible) => tr.t("release-error-impossible"),
        ReleaseError::KAnonymity(KAnonymityError::TooManyNodes(_))
        | ReleaseError::Dp(DpError::TooManyCells)
        | ReleaseError::Combinations(CombinationError::TooManyColumns) => {
            tr.t("release-error-too-large")
        }
        ReleaseError::Store(StoreError::OverBudget { spent, limit, .. })
            if spent.delta_femtos > limit.delta_femtos =>
        {
            tr.tn(
                "release-error-budget-delta",
                &[
                    ("spent", &format!("{:e}", spent.delta_femtos as f64 / 1e15)),
                    ("limit", &format!("{:e}", limit.delta_femtos as f64 / 1e15)),
                ],
            )
        }
        ReleaseError::Store(StoreError::OverBudget {
            spent,
            asked,
            limit,
            ..
        }) => tr.tn(
            "release-error-budget",
            &[
                ("spent", &epsilon_text(spent.epsilon_micros)),
                ("asked", &epsilon_text(asked.epsilon_micros)),
                ("limit", &epsilon_text(limit.epsilon_micros)),
            ],
        ),
        _ => return None,
    };
    Some(message)
}

/// The error page for a release that failed for reasons the supervisor cannot change.
fn failure(error: ReleaseError, lang: antitrata_domain::Lang, headers: &HeaderMap) -> PageError {
    match error {
        ReleaseError::Store(error) => store_error(lang, headers)(error),
        other => {
            tracing::error!(error = %other, "a console release failed");
            PageError::new(lang, AppError::Internal, headers)
        }
    }
}

/// A name made safe for a file: letters, digits, `.`, `_` and `-` kept, anything else `-`.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The bundle as a zip archive of one folder, `release-<source>-<method>-<day>`, offered for
/// download. Its name and times come from the manifest, so a release downloaded again is the
/// same archive, byte for byte.
fn archive(
    bundle: &Bundle,
    lang: antitrata_domain::Lang,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let m = &bundle.manifest;
    let text = |pointer: &str| m.pointer(pointer).and_then(|v| v.as_str()).unwrap_or("");
    let created = time::OffsetDateTime::parse(
        text("/created_at"),
        &time::format_description::well_known::Rfc3339,
    )
    .ok();
    let stem = format!(
        "release-{}-{}-{}",
        file_safe(text("/source/dataset")),
        file_safe(text("/method")),
        created.map_or_else(String::new, |at| at.date().to_string())
    );
    zip_of(&stem, bundle, created)
        .map(|bytes| attachment("application/zip", &format!("{stem}.zip"), bytes))
        .map_err(|e| {
            tracing::error!(error = %e, "writing a release archive failed");
            PageError::new(lang, AppError::Internal, headers)
        })
}

/// The zip archive of `bundle`'s files in the folder `stem`, dated `created` (or 1980 without).
fn zip_of(
    stem: &str,
    bundle: &Bundle,
    created: Option<time::OffsetDateTime>,
) -> Result<Vec<u8>, zip::result::ZipError> {
    let modified = created
        .and_then(|at| {
            zip::DateTime::from_date_and_time(
                u16::try_from(at.year()).ok()?,
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second(),
            )
            .ok()
        })
        .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(modified);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in &bundle.files {
        zip.start_file(format!("{stem}/{name}"), options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
