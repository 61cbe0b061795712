//! Statistics over imported datasets, and over the live cases of the account's own country: pick
//! a source, one to three variables, a year range and a chart; get a table with counts and shares
//! (missing shown as its own row), a server-drawn SVG chart, and the same table as CSV. The JSON
//! API's `/api/v1/stats` asks the same questions through [`answer`], and `antitrata stats` reads
//! and counts its own with the same `antitrata_app::statistics`. No personal data is
//! involved, so nothing is audited. Dataset tables are kept in memory after their first use, so a
//! question costs a cross-tab, not a load; the live cases are read afresh for each question, and
//! only the country's own hotline roles may read them (the store decides,
//! `RecordsUse::Statistics`). Variables and values are shown by their labels in the page's
//! language ([`super::stats_labels`]); the form, the links and the CSV keep the CTDC codes.

use antitrata_domain::policy::Action;
use std::sync::{Arc, Mutex};

use antitrata_app::statistics::{self, AnswerError, Asked, Question, QuestionError};
use antitrata_domain::stats::{CrossTab, CrossTabError, Dataset, DatasetId, Table, year_column};
use antitrata_domain::{Actor, CountryCode, Lang};
use antitrata_store::StoreError;
use askama::Template;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::chart::{Chart, ChartKind, MAX_BARS, Words, lay_out};
use super::stats_labels::StatsLabels;
use super::{attachment, console_page, page_lang, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::console::extract::Console;
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

/// How many loaded tables stay in memory.
const CACHED_TABLES: usize = 4;

/// Tables loaded from the store, most recently used last. A dataset's rows never change (a new
/// import gets a new id), so an entry is never stale.
#[derive(Debug, Default)]
pub(crate) struct TableCache {
    tables: Mutex<Vec<(DatasetId, Arc<Table>)>>,
}

impl TableCache {
    pub(super) async fn get(
        &self,
        store: &antitrata_store::Store,
        id: DatasetId,
    ) -> Result<Option<Arc<Table>>, StoreError> {
        if let Some(table) = self.lookup(id) {
            return Ok(Some(table));
        }
        let Some(table) = store.load_dataset(id).await? else {
            return Ok(None);
        };
        let table = Arc::new(table);
        if let Ok(mut tables) = self.tables.lock() {
            tables.retain(|(cached, _)| *cached != id);
            tables.push((id, Arc::clone(&table)));
            let excess = tables.len().saturating_sub(CACHED_TABLES);
            tables.drain(..excess);
        }
        Ok(Some(table))
    }

    fn lookup(&self, id: DatasetId) -> Option<Arc<Table>> {
        let mut tables = self.tables.lock().ok()?;
        let index = tables.iter().position(|(cached, _)| *cached == id)?;
        let entry = tables.remove(index);
        let table = Arc::clone(&entry.1);
        tables.push(entry);
        Some(table)
    }
}

/// The source value that stands for the live cases of the account's country (no dataset name has
/// a colon).
pub(crate) const LIVE_CASES: &str = "live:cases";

/// The question, as the form sends it.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StatsQuery {
    /// A dataset's name, or [`LIVE_CASES`].
    pub dataset: Option<String>,
    pub by1: Option<String>,
    pub by2: Option<String>,
    pub by3: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Keep only records whose `only` column holds one of `values` (comma-separated).
    pub only: Option<String>,
    pub values: Option<String>,
    pub chart: Option<String>,
}

/// What a question counts.
pub(crate) enum Source {
    Dataset(Box<Dataset>),
    /// The live cases of this country.
    Cases(CountryCode),
}

impl Source {
    /// The value that names it in a query.
    pub(crate) fn value(&self) -> String {
        match self {
            Source::Dataset(dataset) => dataset.name.clone(),
            Source::Cases(_) => LIVE_CASES.to_owned(),
        }
    }

    fn file_stem(&self) -> String {
        match self {
            Source::Dataset(dataset) => dataset.name.clone(),
            Source::Cases(country) => format!("cases-{country}"),
        }
    }
}

/// The answer, or why there is none.
pub(crate) struct Outcome {
    datasets: Vec<Dataset>,
    /// The country whose live cases the actor may count, if any.
    live: Option<CountryCode>,
    pub chosen: Option<Source>,
    columns: Vec<String>,
    year_column: bool,
    by: [String; 3],
    from: String,
    to: String,
    only: String,
    values: String,
    chart: ChartKind,
    pub tab: Option<CrossTab>,
    /// What is wrong with the question, in the user's language.
    pub error: Option<String>,
    /// Which kind of mistake it is, for the API's status.
    pub mistake: Option<Mistake>,
}

/// What is wrong with a statistics question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mistake {
    /// No dataset of that name, or none at all.
    NoDataset,
    /// The dataset has no such column.
    NoVariable,
    /// A year not written as four digits, or not one to three variables.
    Malformed,
    /// A variable chosen twice, or years asked of a dataset without them.
    DoesNotFit,
}

#[derive(Template)]
#[template(path = "console/stats.html")]
struct StatsPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    /// The question as asked, its dataset and any mistake in it.
    q: Outcome,
    rows: Vec<TableRow>,
    /// The chosen variables' labels, as the table's headers.
    column_headers: Vec<String>,
    total: u64,
    /// The words shown for variables and values (the form keeps their codes).
    labels: StatsLabels,
    chart: Option<Chart>,
    csv_href: String,
}

struct TableRow {
    values: Vec<String>,
    missing: Vec<bool>,
    count: u64,
    percent: String,
}

pub(super) async fn show_stats(
    Console(state, who, _, headers): Console,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let (tr, outcome) = asked(&state, &who, &headers, query).await?;
    let lang = tr.lang;
    let status = if outcome.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let countries = state
        .store
        .list_countries()
        .await
        .map_err(store_error(lang, &headers))?;
    let labels = StatsLabels::new(tr, &countries);
    let words = Words {
        missing: &tr.t("stats-missing"),
        other: &tr.t("stats-other"),
        labels: &labels,
    };
    let chart = outcome
        .tab
        .as_ref()
        .and_then(|tab| lay_out(tab, outcome.chart, &words));
    let (rows, column_headers, total) = match &outcome.tab {
        Some(tab) => (
            table_rows(tab, &tr, &labels),
            tab.variables.iter().map(|v| labels.variable(v)).collect(),
            tab.total,
        ),
        None => (Vec::new(), Vec::new(), 0),
    };
    let page = StatsPage {
        title: tr.t("stats-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, &who),
        csv_href: csv_href(&outcome),
        q: outcome,
        rows,
        column_headers,
        total,
        labels,
        chart,
        tr,
    };
    let mut response = console_page(lang, page.render(), &headers);
    *response.status_mut() = status;
    Ok(response)
}

/// The same cross-tabulation as CSV, for spreadsheets.
pub(super) async fn download_stats(
    Console(state, who, _, headers): Console,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let (tr, outcome) = asked(&state, &who, &headers, query).await?;
    let lang = tr.lang;
    let (Some(tab), Some(source)) = (outcome.tab, outcome.chosen) else {
        return Err(PageError::new(lang, AppError::BadRequest, &headers));
    };
    let csv = tab.to_csv().map_err(|e| {
        tracing::error!(error = %e, "writing a cross-tab as CSV failed");
        PageError::new(lang, AppError::Internal, &headers)
    })?;
    let file_name = format!("{}-{}.csv", source.file_stem(), tab.variables.join("-"));
    Ok(attachment(
        "text/csv; charset=utf-8",
        &file_name,
        csv.into_bytes(),
    ))
}

/// The page's language and the answer to the query, or an error page for a malformed query or
/// a failing store.
async fn asked(
    state: &AppState,
    who: &SignedIn,
    headers: &HeaderMap,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<(Tr, Outcome), PageError> {
    let lang = page_lang(Some(&who.account), headers);
    let Ok(Query(query)) = query else {
        return Err(PageError::new(lang, AppError::BadRequest, headers));
    };
    let tr = Tr::new(lang);
    let actor = crate::auth::actor(state, &who.account, headers, Action::CountLiveCases);
    let outcome = answer(state, &actor, &query, &tr)
        .await
        .map_err(store_error(lang, headers))?;
    Ok((tr, outcome))
}

/// Reads the question, finds its source and computes the cross-tab. Mistakes in the question
/// come back as a localized message in `error`; only a failing store is an `Err`.
pub(crate) async fn answer(
    state: &AppState,
    actor: &Actor,
    query: &StatsQuery,
    tr: &Tr,
) -> Result<Outcome, StoreError> {
    let datasets = state.store.list_datasets().await?;
    let live = actor
        .scope
        .country()
        .filter(|_| actor.may(Action::CountLiveCases));
    let wanted = query.dataset.as_deref().filter(|d| !d.is_empty());
    let chosen = match wanted {
        Some(LIVE_CASES) => live.map(Source::Cases),
        Some(name) => datasets
            .iter()
            .find(|d| d.name == name)
            .map(|d| Source::Dataset(Box::new(d.clone()))),
        None => datasets
            .first()
            .map(|d| Source::Dataset(Box::new(d.clone())))
            .or(live.map(Source::Cases)),
    };
    let by = [&query.by1, &query.by2, &query.by3].map(|b| b.clone().unwrap_or_default());
    let from = query.from.clone().unwrap_or_default();
    let to = query.to.clone().unwrap_or_default();
    let only = query.only.clone().unwrap_or_default();
    let values = query.values.clone().unwrap_or_default();
    let variables: Vec<&str> = by
        .iter()
        .map(String::as_str)
        .filter(|b| !b.is_empty())
        .collect();
    let chart =
        query
            .chart
            .as_deref()
            .and_then(ChartKind::parse)
            .unwrap_or(if variables.len() == 2 {
                ChartKind::Stacked
            } else {
                ChartKind::Bar
            });
    let mut outcome = Outcome {
        columns: Vec::new(),
        year_column: false,
        datasets,
        live,
        chosen,
        by: by.clone(),
        from,
        to,
        only,
        values,
        chart,
        tab: None,
        error: None,
        mistake: None,
    };
    let table = match &outcome.chosen {
        None => None,
        Some(Source::Dataset(dataset)) => state.tables.get(&state.store, dataset.id).await?,
        Some(Source::Cases(country)) => Some(Arc::new(
            statistics::live_cases(&state.store, actor, *country).await?,
        )),
    };
    let Some(table) = table else {
        if let Some(name) = wanted {
            outcome.error = Some(tr.t1("stats-error-dataset", "name", name));
        }
        outcome.mistake = Some(Mistake::NoDataset);
        return Ok(outcome);
    };
    outcome.columns = table.columns().iter().map(|c| c.name.clone()).collect();
    outcome.year_column = year_column(&table).is_some();
    if variables.is_empty() {
        return Ok(outcome);
    }
    let mut keep = Vec::new();
    if !outcome.only.is_empty() {
        let kept = outcome
            .values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(Some)
            .collect();
        keep.push((outcome.only.as_str(), kept));
    }
    let asked = Asked {
        by: variables,
        from_year: &outcome.from,
        to_year: &outcome.to,
        keep,
    };
    let answered = Question::parse(&asked)
        .map_err(|QuestionError::Year { .. }| (Mistake::Malformed, tr.t("stats-error-year")))
        .and_then(|question| statistics::answer(&table, &question).map_err(|e| explain(&e, tr)));
    match answered {
        Ok(tab) => outcome.tab = Some(tab),
        Err((mistake, message)) => {
            outcome.error = Some(message);
            outcome.mistake = Some(mistake);
        }
    }
    Ok(outcome)
}

fn explain(error: &AnswerError, tr: &Tr) -> (Mistake, String) {
    match error {
        AnswerError::NoYearColumn => (Mistake::DoesNotFit, tr.t("stats-error-no-year")),
        AnswerError::CrossTab(CrossTabError::VariableCount(_) | CrossTabError::Csv(_)) => {
            (Mistake::Malformed, tr.t("stats-error-count"))
        }
        AnswerError::CrossTab(CrossTabError::UnknownColumn(name)) => (
            Mistake::NoVariable,
            tr.t1("stats-error-unknown", "name", name),
        ),
        AnswerError::CrossTab(CrossTabError::Repeated(name)) => (
            Mistake::DoesNotFit,
            tr.t1("stats-error-repeated", "name", name),
        ),
    }
}

fn table_rows(tab: &CrossTab, tr: &Tr, labels: &StatsLabels) -> Vec<TableRow> {
    let missing = tr.t("stats-missing");
    tab.cells
        .iter()
        .map(|cell| TableRow {
            values: cell
                .values
                .iter()
                .zip(&tab.variables)
                .map(|(value, variable)| match value {
                    Some(value) => labels.value(variable, value),
                    None => missing.clone(),
                })
                .collect(),
            missing: cell.values.iter().map(Option::is_none).collect(),
            count: cell.count,
            percent: percent(tab.share(cell), tr.lang),
        })
        .collect()
}

/// A share with two decimals, with the decimal comma in Spanish and French.
fn percent(share: f64, lang: Lang) -> String {
    let text = format!("{share:.2}");
    match lang {
        Lang::En => text,
        _ => text.replace('.', ","),
    }
}

/// The CSV link for the question on screen.
fn csv_href(outcome: &Outcome) -> String {
    let Some(source) = &outcome.chosen else {
        return String::new();
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("dataset", &source.value());
    for (i, by) in outcome.by.iter().enumerate() {
        if !by.is_empty() {
            query.append_pair(&format!("by{}", i + 1), by);
        }
    }
    for (name, value) in [
        ("from", &outcome.from),
        ("to", &outcome.to),
        ("only", &outcome.only),
        ("values", &outcome.values),
    ] {
        if !value.is_empty() {
            query.append_pair(name, value);
        }
    }
    format!("/console/stats.csv?{}", query.finish())
}

/// Helpers for the template.
impl StatsPage {
    fn max_bars(&self) -> usize {
        MAX_BARS
    }

    fn chart_is(&self, kind: &str) -> bool {
        self.q.chart.as_str() == kind
    }

    fn is_chosen(&self, dataset: &Dataset) -> bool {
        matches!(&self.q.chosen, Some(Source::Dataset(chosen)) if chosen.id == dataset.id)
    }

    fn live_chosen(&self) -> bool {
        matches!(self.q.chosen, Some(Source::Cases(_)))
    }

    fn is_variable(&self, slot: &usize, column: &str) -> bool {
        self.q.by.get(*slot).is_some_and(|b| b == column)
    }

    fn is_filtered(&self, column: &str) -> bool {
        self.q.only == column
    }
}
