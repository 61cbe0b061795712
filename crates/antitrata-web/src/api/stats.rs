//! `GET /api/v1/stats`: the statistics page's question as a query, its cross-tab as JSON. The
//! same sources (datasets; the live cases of the caller's own country for its hotline roles), the
//! same checks and the same localized messages as the console, through `console::stats::answer`.

use antitrata_domain::policy::Action;
use antitrata_domain::stats::CrossTab;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Call, Params};
use crate::console::{Mistake, StatsQuery, answer_stats};
use crate::error::{ApiError, AppError};
use crate::i18n::Tr;

/// The question.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct StatsParams {
    /// A dataset's name (as `antitrata dataset list` shows it), or `live:cases` for the live
    /// cases of the caller's country. Defaults to the first dataset. A name that is not a
    /// dataset is a 404.
    #[param(min_length = 1)]
    source: Option<String>,
    /// One to three different variables, comma-separated, e.g. `gender,ageBroad`; a variable
    /// the dataset does not have is a 404, one named twice a 422.
    #[param(pattern = r"^[^,\s]+(,[^,\s]+){0,2}$")]
    by: String,
    /// Only records registered in this year or later (1900 to 2100).
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)$")]
    from: Option<String>,
    /// Only records registered in this year or earlier (a dataset without years of registration
    /// cannot be limited to years: 422).
    #[param(pattern = r"^(19[0-9]{2}|20[0-9]{2}|2100)$")]
    to: Option<String>,
    /// Keep only records whose column `only` holds one of `values`.
    #[param(min_length = 1)]
    only: Option<String>,
    /// Comma-separated values of `only`.
    #[param(min_length = 1)]
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
        (status = 404, description = "No such dataset, or the dataset has no such variable"),
        (status = 422, description = "A variable named twice, or years asked of a dataset \
            without them; `detail` says which")),
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
        let error = match outcome.mistake {
            Some(Mistake::NoDataset | Mistake::NoVariable) => AppError::NotFound,
            Some(Mistake::DoesNotFit) => AppError::Unprocessable,
            Some(Mistake::Malformed) | None => AppError::BadRequest,
        };
        return Err(call.error(error).with_detail(message));
    }
    let (Some(tab), Some(source)) = (outcome.tab, outcome.chosen) else {
        let no_dataset = outcome.mistake == Some(Mistake::NoDataset);
        return Err(match no_dataset {
            true => call
                .error(AppError::NotFound)
                .with_detail(tr.t("stats-error-no-dataset")),
            false => bad.with_detail(tr.t("stats-error-count")),
        });
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
