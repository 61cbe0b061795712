//! The JSON of a release manifest: the fields every release has, and the lists several methods
//! share. `report.rs` reads the same fields back.

use antitrata_privacy::domain_selection::{
    ABSENT_CELL_PASSES_AT_MOST, EXPECTED_ABSENT_PAIRS, EXPECTED_INVENTED,
};
use antitrata_privacy::{CellStep, CombinationMetrics, Domain, DomainStep, MarginalDistance};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Method, ReleaseError, Source};

/// The manifest format `antitrata import release` accepts.
pub(super) const FORMAT: &str = "antitrata-release/1";

/// A release manifest: the fields every release has (format, software, time, method, source),
/// then the method's own `fields`.
pub(super) fn manifest(
    method: Method,
    now: OffsetDateTime,
    source: &Source,
    fields: Value,
) -> Result<Value, ReleaseError> {
    let created_at = now
        .format(&Rfc3339)
        .map_err(|e| ReleaseError::Output(format!("the release time: {e}")))?;
    let mut manifest = json!({
        "format": FORMAT,
        "software": format!("antitrata {}", env!("CARGO_PKG_VERSION")),
        "created_at": created_at,
        "method": method.as_str(),
        "source": {
            "dataset": source.name,
            "format": source.format,
        },
    });
    // The input file's digest is a function of every record: a differentially private bundle
    // leaves it to the evaluation, kept in the country.
    if !method.spends_budget() {
        manifest["source"]["sha256"] = json!(source.sha256);
    }
    if let (Some(all), Value::Object(more)) = (manifest.as_object_mut(), fields) {
        all.extend(more);
    }
    Ok(manifest)
}

/// Where a field of a differentially private manifest comes from. Every field is one of these
/// three, so the bundle as a whole is as private as its stated ε: nothing in it is computed
/// from the exact data except through the mechanism (`ARCHITECTURE.md`, invariant of releases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A parameter chosen before the data is looked at (method, ε, domains, software, time,
    /// ids, the ledger's state), or the table's schema: the same for neighbouring tables.
    Public,
    /// Paid for from the budget: an output of the mechanism (the tree a synthesizer chose).
    Noisy,
    /// Computed from the released files alone (row counts, totals, sizes and digests), so
    /// anyone can recompute it from the bundle.
    Released,
}

/// Every field of a differentially private manifest, as a JSON pointer with `*` for an array
/// index, and its origin.
const DP_FIELDS: &[(&str, Origin)] = &[
    ("/format", Origin::Public),
    ("/software", Origin::Public),
    ("/created_at", Origin::Public),
    ("/method", Origin::Public),
    ("/release_id", Origin::Public),
    ("/source/dataset", Origin::Public),
    ("/source/format", Origin::Public),
    ("/seeded/seed", Origin::Public),
    ("/seeded/note", Origin::Public),
    ("/privacy/accountant", Origin::Public),
    ("/privacy/epsilon", Origin::Public),
    ("/privacy/epsilon_converted", Origin::Public),
    ("/privacy/delta", Origin::Public),
    ("/privacy/rho", Origin::Public),
    ("/privacy/neighbouring", Origin::Public),
    ("/privacy/mechanism", Origin::Public),
    ("/privacy/post_processing", Origin::Public),
    ("/privacy/noise/*/on", Origin::Public),
    ("/privacy/noise/*/distribution", Origin::Public),
    ("/privacy/noise/*/scale", Origin::Public),
    ("/privacy/noise/*/confidence", Origin::Public),
    ("/privacy/noise/*/interval_half_width", Origin::Public),
    ("/privacy/noise/*/note", Origin::Public),
    ("/privacy/domain_step/rule", Origin::Public),
    (
        "/privacy/domain_step/expected_invented_per_variable",
        Origin::Public,
    ),
    ("/privacy/domain_step/thresholds/*/column", Origin::Public),
    (
        "/privacy/domain_step/thresholds/*/threshold",
        Origin::Public,
    ),
    (
        "/privacy/domain_step/thresholds/*/noisy_cells_summed",
        Origin::Public,
    ),
    ("/privacy/two_way_cell_step/rule", Origin::Public),
    (
        "/privacy/two_way_cell_step/expected_absent_pairs_per_marginal",
        Origin::Public,
    ),
    (
        "/privacy/two_way_cell_step/absent_cell_passes_at_most",
        Origin::Public,
    ),
    // The tree's pairs and the values kept are outputs of the mechanism, so the thresholds set
    // from them are too.
    (
        "/privacy/two_way_cell_step/thresholds/*/columns/*",
        Origin::Noisy,
    ),
    (
        "/privacy/two_way_cell_step/thresholds/*/threshold",
        Origin::Noisy,
    ),
    (
        "/privacy/two_way_cell_step/thresholds/*/kept_cells",
        Origin::Noisy,
    ),
    ("/privacy/budget/country", Origin::Public),
    ("/privacy/budget/year", Origin::Public),
    ("/privacy/budget/spent_this_year_epsilon", Origin::Public),
    ("/privacy/budget/spent_this_year_delta", Origin::Public),
    ("/privacy/budget/yearly_limit_epsilon", Origin::Public),
    ("/privacy/budget/yearly_limit_delta", Origin::Public),
    ("/variables/*/column", Origin::Public),
    ("/variables/*/domain", Origin::Public),
    ("/variables/*/values", Origin::Public),
    ("/left_out/*", Origin::Public),
    ("/tree/*/*", Origin::Noisy),
    ("/workload/note", Origin::Public),
    ("/workload/tables/*/variables/*", Origin::Public),
    ("/workload/tables/*/file", Origin::Public),
    ("/released/cells", Origin::Released),
    ("/released/total", Origin::Released),
    ("/released/rows", Origin::Released),
    ("/files/*/name", Origin::Public),
    ("/files/*/bytes", Origin::Released),
    ("/files/*/sha256", Origin::Released),
];

/// The origin of the field at `pointer` (a JSON pointer into a differentially private
/// manifest, array indexes as numbers), or `None` for a field that has no place in one.
pub fn origin_of(pointer: &str) -> Option<Origin> {
    let pattern = pointer
        .split('/')
        .map(|part| {
            if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    DP_FIELDS
        .iter()
        .find(|(field, _)| *field == pattern)
        .map(|(_, origin)| *origin)
}

/// The variables of a differentially private release, each with the size of its codebook domain.
pub(super) fn codebook_variables(domains: &[Domain]) -> Value {
    json!(
        domains
            .iter()
            .map(|d| json!({
                "column": d.column,
                "domain": "codebook",
                "values": d.values.len(),
            }))
            .collect::<Vec<_>>()
    )
}

/// The domain step of a differentially private release ([`antitrata_privacy::domain_selection`]):
/// public, since its thresholds come from the noise scale and the domains alone.
pub(super) fn domain_step_json(steps: &[DomainStep]) -> Value {
    json!({
        "rule": "a value whose noisy count stays below its variable's threshold is dropped and \
                 given nothing (post-processing: no budget); each threshold is set from the \
                 noise alone, so that values absent from the data pass it fewer than \
                 expected_invented_per_variable times per variable on average",
        "expected_invented_per_variable": EXPECTED_INVENTED,
        "thresholds": steps.iter().map(|step| json!({
            "column": step.column,
            "threshold": step.threshold,
            "noisy_cells_summed": step.summed,
        })).collect::<Vec<_>>(),
    })
}

/// The cell step of a synthetic release's two-way marginals
/// ([`antitrata_privacy::domain_selection::cell_threshold`]): its rule is public, its thresholds
/// come from the noise scale, the tree and the kept values, outputs of the mechanism.
pub(super) fn cell_step_json(steps: &[CellStep]) -> Value {
    json!({
        "rule": "a cell of the tree's two-way marginals whose noisy count stays below its pair's \
                 threshold is given nothing (post-processing: no budget), except that a kept \
                 value left with no cell gets its released one-way count on its cell with the \
                 largest noisy count; each threshold is set from the noise scale and the number \
                 of kept cells, so that cells absent from the data pass it fewer \
                 than expected_absent_pairs_per_marginal times per pair on average, each with \
                 probability at most absent_cell_passes_at_most",
        "expected_absent_pairs_per_marginal": EXPECTED_ABSENT_PAIRS,
        "absent_cell_passes_at_most": ABSENT_CELL_PASSES_AT_MOST,
        "thresholds": steps.iter().map(|step| json!({
            "columns": [step.columns.0, step.columns.1],
            "threshold": step.threshold,
            "kept_cells": step.cells,
        })).collect::<Vec<_>>(),
    })
}

/// Total variation distances of marginals as the manifests list them.
pub(super) fn distances_json(distances: &[MarginalDistance]) -> Value {
    json!(
        distances
            .iter()
            .map(|m| json!({
                "variables": m.variables,
                "distance": m.total_variation,
            }))
            .collect::<Vec<_>>()
    )
}

/// SDS's metrics as the manifests carry them.
pub(super) fn combinations_json(metrics: &CombinationMetrics) -> Value {
    json!({
        "note": "SDS's metrics over combinations of present values (missing and withheld cells \
                 are not values); rare: fewer than k input records; the release's counts are \
                 scaled to the input's record count",
        "length": metrics.length,
        "k": metrics.k,
        "by_length": metrics.by_length.iter().map(|m| json!({
            "length": m.length,
            "input_combinations": m.input_combinations,
            "rare_input_combinations": m.rare_input_combinations,
            "output_combinations": m.output_combinations,
            "suppressed": m.suppressed,
            "suppressed_percent": m.suppressed_percent(),
            "fabricated": m.fabricated,
            "fabricated_percent": m.fabricated_percent(),
            "rare_released": m.rare_released,
            "rare_released_percent": m.rare_released_percent(),
            "mean_absolute_error": m.mean_absolute_error,
        })).collect::<Vec<_>>(),
        "preservation_by_count": metrics.by_count.iter().map(|b| json!({
            "from": b.from,
            "to": b.to,
            "combinations": b.combinations,
            "preservation_percent": b.preservation,
        })).collect::<Vec<_>>(),
    })
}
