//! `GET /api/v1/stats`: the statistics page's question as a query, its cross-tab as JSON. The
//! same sources (datasets; the live cases of the caller's own country for its hotline roles), the
//! same checks and the same localized messages as the console, through `console::stats::answer`.

use antitrata_domain::policy::Action;
use antitrata_domain::stats::CrossTab;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Call, Params};
use crate::console::{StatsQuery, answer_stats};
use crate::error::{ApiError, AppError};
use crate::i18n::Tr;

/// The question.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct StatsParams {
    /// A dataset's name (as `antitrata dataset list` shows it), or `live:cases` for the live
    /// cases of the caller's country. Defaults to the first dataset.
    source: Option<String>,
    /// One to three variables, comma-separated, e.g. `gender,ageBroad`.
    by: String,
    /// Only records registered in this year or later.
    from: Option<String>,
    /// Only records registered in this year or earlier.
    to: Option<String>,
    /// Keep only records whose column `only` holds one of `values`.
    only: Option<String>,
    /// Comma-separated values of `only`.
    values: Option<String>,
}

/// A cross-tabulation: one cell per combination present, missing values as `null`.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CrossTabView {
    /// The dataset's name, or `live:cases`.
    source: String,
    variables: Vec<String>,
    total: u64,
    cells: Vec<CellView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct CellView {
    /// One value per variable, `null` where the record has none.
    values: Vec<Option<String>>,
    count: u64,
    /// The cell's share of the total, in percent.
    percent: f64,
}

/// A cross-tab of a dataset or of the caller's country's live cases.
#[utoipa::path(get, path = "/api/v1/stats", tag = "statistics", params(StatsParams),
    responses((status = 200, body = CrossTabView),
        (status = 400, description = "A question that cannot be answered; `detail` says why",
            body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub(super) async fn cross_tab(
    call: Call,
    Params(params): Params<StatsParams>,
) -> Result<Json<CrossTabView>, ApiError> {
    let call = call.acting(Action::CountLiveCases);
    let bad = call.error(AppError::BadRequest);
    let tr = Tr::new(bad.lang());
    let mut by = params.by.split(',').map(str::trim).map(str::to_owned);
    let question = StatsQuery {
        dataset: params.source,
        by1: by.next(),
        by2: by.next(),
        by3: by.next(),
        from: params.from,
        to: params.to,
        only: params.only,
        values: params.values,
        chart: None,
    };
    if by.next().is_some() {
        return Err(bad.with_detail(tr.t("stats-error-count")));
    }
    let outcome = answer_stats(&call.state, &call.actor, &question, &tr)
        .await
        .map_err(|e| call.fail(e))?;
    if let Some(message) = outcome.error {
        return Err(bad.with_detail(message));
    }
    let (Some(tab), Some(source)) = (outcome.tab, outcome.chosen) else {
        return Err(bad.with_detail(tr.t("stats-error-count")));
    };
    Ok(Json(view(source.value(), &tab)))
}

fn view(source: String, tab: &CrossTab) -> CrossTabView {
    CrossTabView {
        source,
        variables: tab.variables.clone(),
        total: tab.total,
        cells: tab
            .cells
            .iter()
            .map(|cell| CellView {
                values: cell.values.clone(),
                count: cell.count,
                percent: tab.share(cell),
            })
            .collect(),
    }
}
