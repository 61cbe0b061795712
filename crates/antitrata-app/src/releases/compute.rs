//! The three release methods as pure computations over a table: the released data as CSV and the
//! manifest fields that describe and evaluate it. Paying, auditing and the common manifest fields
//! are the caller's (`make_release`).

use antitrata_domain::stats::{Column, Table, ctdc::EXPLOITATION_TYPES};
use antitrata_privacy::{
    CTDC_QUASI_IDENTIFIERS, CountTable, Domain, Evaluation, Hierarchy, KAnonymityRequest, Noise,
    QuasiIdentifier, Rational, anonymize, combination_metrics, evaluate, exact_crosstab,
    marginal_distances, mean_distance, noisy_workload, synthesize, withhold_rare_combinations,
    workload_scale, workload_variance,
};
use rand::rngs::StdRng;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::manifest::{
    cell_step_json, codebook_variables, combinations_json, distances_json, domain_step_json,
};
use super::{Epsilon, Loss, Method, Parameters, ReleaseError, crosses};

/// A computed release, before it is paid for and bundled.
pub(super) struct Made {
    pub data: Vec<u8>,
    /// Further data files of the bundle, after `data.csv`: a workload's tables.
    pub files: Vec<(String, Vec<u8>)>,
    /// The method's own manifest fields.
    pub fields: Value,
    /// A differentially private release's evaluation against the exact data: kept in the
    /// country (with the release's spend), never in the bundle. A k-anonymous release's
    /// evaluation is part of its manifest, as in CTDC's own releases.
    pub evaluation: Option<Value>,
    /// The source's record count, where the manifest states it.
    pub source_rows: Option<usize>,
}

/// Combinations of fewer records than this count as rare in a cross-tab's evaluation (CTDC's k).
const RARE_BELOW: u64 = 11;

/// SDS's metrics count combinations of up to this many values (SDS's default reporting length)…
const COMBINATION_LENGTH: usize = 3;
/// …or of up to two in tables of more columns than this, where the three-value combinations of
/// a file like CTDC 2017 (57 columns) run to hundreds of millions and take seconds to count.
const WIDE_TABLE: usize = 24;

/// The first year of the year domain of noisy tables (the last is next year).
const FIRST_YEAR: i32 = 2000;

/// Three-way marginals measured in a synthetic release's evaluation, at most.
const EVALUATED_TRIPLES: usize = 2_000;

/// The confidence of the intervals a differentially private manifest states for its noise.
const CONFIDENCE: f64 = 0.95;

/// Computes the release `parameters` ask for; a differentially private one spends `loss`.
pub(super) fn compute(
    table: &Table,
    parameters: &Parameters,
    loss: Option<Loss>,
    now: OffsetDateTime,
    rng: StdRng,
) -> Result<Made, ReleaseError> {
    let years = FIRST_YEAR..=now.year() + 1;
    match parameters.method {
        Method::Kanon => kanon(table, parameters),
        Method::DpAggregates => {
            let epsilon = parameters.epsilon.as_ref().ok_or(ReleaseError::NoEpsilon)?;
            let loss = loss.ok_or(ReleaseError::NoEpsilon)?;
            dp_aggregates(table, &parameters.tables, epsilon, loss, years, rng)
        }
        Method::DpSynthetic => {
            let epsilon = parameters.epsilon.as_ref().ok_or(ReleaseError::NoEpsilon)?;
            dp_synthetic(table, parameters, epsilon, years, rng)
        }
    }
}

/// The combination length of SDS's metrics for a release of `columns` columns.
fn metrics_length(columns: usize) -> usize {
    if columns > WIDE_TABLE {
        2
    } else {
        COMBINATION_LENGTH
    }
}

fn kanon(table: &Table, parameters: &Parameters) -> Result<Made, ReleaseError> {
    let names: Vec<String> = if parameters.quasi_identifiers.is_empty() {
        CTDC_QUASI_IDENTIFIERS
            .iter()
            .filter(|c| table.position(c).is_some())
            .map(|c| (*c).to_owned())
            .collect()
    } else {
        parameters.quasi_identifiers.clone()
    };
    let request = KAnonymityRequest {
        quasi_identifiers: names
            .iter()
            .map(|c| QuasiIdentifier {
                column: c.clone(),
                hierarchy: Hierarchy::for_column(c),
            })
            .collect(),
        k: parameters.k,
        max_suppressed: parameters.max_suppressed,
    };
    let released = anonymize(table, &request)?;
    // The guarantee and the metrics are about the file written, so over its columns: a derived
    // column is not written, and a cell withheld in it would name a column the file lacks.
    let generalized = written(&released.generalized)?;
    let kept = written(&released.table)?;
    let guaranteed = parameters
        .all_combinations
        .map(|length| withhold_rare_combinations(&generalized, &kept, length, parameters.k))
        .transpose()?;
    let output = guaranteed.as_ref().map_or(&kept, |g| &g.table);
    let columns: Vec<String> = output.columns().iter().map(|c| c.name.clone()).collect();
    let combinations = combination_metrics(
        &generalized,
        output,
        &columns,
        guaranteed
            .as_ref()
            .map_or(metrics_length(columns.len()), |g| g.length),
        parameters.k,
    )?;
    let fields = json!({
        "parameters": {
            "k": parameters.k,
            "max_suppressed_share": parameters.max_suppressed,
            "search": "full-domain lattice, bottom-up with monotonicity pruning; loss = mean of level / height",
        },
        "quasi_identifiers": request.quasi_identifiers.iter().zip(&released.loss).map(|(qi, loss)| json!({
            "column": qi.column,
            "hierarchy": qi.hierarchy.as_str(),
            "level": loss.level,
            "height": loss.height,
            "information_loss": loss.loss,
        })).collect::<Vec<_>>(),
        "guarantee": {
            "achieved_k": released.achieved_k,
            "equivalence_classes": released.classes,
            "all_combinations": guaranteed.as_ref().map(|g| json!({
                "length": g.length,
                "k": g.k,
                "statement": "every combination of up to `length` values left in a released \
                              record occurs in at least k input records (at the release's \
                              generalization)",
                "withheld_cells": g.withheld.iter().map(|(column, n)| json!({
                    "column": column,
                    "cells": n,
                })).collect::<Vec<_>>(),
                "records_changed": g.records_changed,
            })),
        },
        "rows": {
            "input": table.rows(),
            "output": released.table.rows(),
            "suppressed": released.suppressed,
        },
        "search": {
            "nodes": released.nodes,
            "nodes_evaluated": released.nodes_evaluated,
        },
        "evaluation": {
            "note": "total variation distance between the input generalized the same way (every \
                     record kept) and the release: what suppression changed",
            "total_variation": distances_json(&released.distances),
            "suppressed_share": released.suppressed as f64 / table.rows().max(1) as f64,
            "combinations": combinations_json(&combinations),
        },
    });
    Ok(Made {
        data: write_csv(output)?,
        files: Vec::new(),
        fields,
        evaluation: None,
        source_rows: Some(table.rows()),
    })
}

fn dp_aggregates(
    table: &Table,
    tables: &[Vec<String>],
    epsilon: &Epsilon,
    loss: Loss,
    years: std::ops::RangeInclusive<i32>,
    mut rng: StdRng,
) -> Result<Made, ReleaseError> {
    if !crosses(tables) {
        return Err(ReleaseError::NoVariables);
    }
    let domains = tables
        .iter()
        .map(|variables| {
            columns_of(table, variables)?;
            variables
                .iter()
                .map(|c| Domain::from_codebook(c, years.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(ReleaseError::from)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let noise = match loss {
        Loss::Pure(_) => Noise::Laplace(workload_scale(tables.len(), epsilon.value)),
        Loss::Zcdp { rho_micros, .. } => Noise::Gaussian(workload_variance(
            tables.len(),
            Rational {
                numerator: rho_micros.unsigned_abs(),
                denominator: 1_000_000,
            },
        )),
    };
    let released = noisy_workload(table, &domains, noise, &mut rng)?;
    let evaluations = domains
        .iter()
        .zip(&released.tables)
        .map(|(domains, tab)| Ok(evaluate(&exact_crosstab(table, domains)?, tab, RARE_BELOW)))
        .collect::<Result<Vec<_>, ReleaseError>>()?;

    // data.csv is the table over every variable; with several tables, each is a file of its
    // own too, summed from it.
    let files = if tables.len() > 1 {
        released
            .tables
            .iter()
            .enumerate()
            .map(|(i, tab)| Ok((format!("table-{}.csv", i + 1), crosstab_csv(tab)?)))
            .collect::<Result<Vec<_>, ReleaseError>>()?
    } else {
        Vec::new()
    };
    let mut fields = json!({
        "privacy": privacy_json(epsilon, loss, tables.len()),
        "variables": codebook_variables(&released.union.domains),
        "released": {
            "cells": released.union.counts.len(),
            "total": released.union.total(),
        },
    });
    fields["privacy"]["noise"] = json!([noise_json("every cell of every table", noise)]);
    fields["privacy"]["domain_step"] = domain_step_json(&released.domain_steps);
    if tables.len() > 1 {
        fields["workload"] = json!({
            "note": "data.csv is the table over every variable, fitted to the tables measured; \
                     each table is the sum of its cells, so all agree and share one total. \
                     Only the tables listed were measured: a combination of variables that no \
                     table has is the fit's, with those variables independent",
            "tables": tables.iter().zip(&files).map(|(variables, (file, _))| json!({
                "variables": variables,
                "file": file,
            })).collect::<Vec<_>>(),
        });
    }
    // The evaluation of the table with the most cells, then of every table.
    let largest = (0..evaluations.len())
        .max_by_key(|&i| (released.tables[i].counts.len(), std::cmp::Reverse(i)))
        .unwrap_or(0);
    let mut evaluation = evaluation_json(&evaluations[largest]);
    if tables.len() > 1 {
        evaluation["tables"] = json!(
            tables
                .iter()
                .zip(&evaluations)
                .map(|(variables, e)| {
                    let mut table = evaluation_json(e);
                    table["variables"] = json!(variables);
                    table
                })
                .collect::<Vec<_>>()
        );
    }
    Ok(Made {
        data: crosstab_csv(&released.union)?,
        files,
        fields,
        evaluation: Some(evaluation),
        source_rows: None,
    })
}

/// A released cross-tab's evaluation against the exact data, as the console shows it.
fn evaluation_json(evaluation: &Evaluation) -> Value {
    json!({
        "note": "measured against the exact data, so not itself differentially private: \
                 kept by the releasing office, never in the bundle",
        "total_variation": distances_json(&evaluation.marginals),
        "mean_absolute_error_per_cell": evaluation.mean_absolute_error,
        "rare_below": RARE_BELOW,
        "rare_cells": evaluation.rare_cells,
        "rare_cells_released_non_empty": evaluation.rare_cells_released,
        "exact_total": evaluation.exact_total,
        "released_total": evaluation.released_total,
    })
}

/// A cross-tab as CSV: its variables, then `count`; every cell, missing as an empty value.
fn crosstab_csv(tab: &CountTable) -> Result<Vec<u8>, ReleaseError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = tab.domains.iter().map(|d| d.column.as_str()).collect();
    header.push("count");
    out.write_record(&header).map_err(output)?;
    let sizes: Vec<usize> = tab.domains.iter().map(|d| d.values.len()).collect();
    for (index, count) in tab.counts.iter().enumerate() {
        let mut rest = index;
        let mut values = vec![String::new(); sizes.len()];
        for (slot, size) in sizes.iter().enumerate().rev() {
            values[slot] = tab.domains[slot].values[rest % size]
                .clone()
                .unwrap_or_default();
            rest /= size;
        }
        values.push(count.to_string());
        out.write_record(&values).map_err(output)?;
    }
    out.into_inner().map_err(output)
}

/// How a manifest names the pure accountant.
const PURE_ACCOUNTANT: &str = "pure ε-differential privacy: the ε of releases add up";

/// The privacy statement of a cross-tab release of `tables` tables: the budget, how it is
/// accounted for, and the mechanism.
fn privacy_json(epsilon: &Epsilon, loss: Loss, tables: usize) -> Value {
    let post_processing = "the domain step (values whose noisy count stays below their \
                           threshold are dropped with their cells); each table projected onto \
                           non-negative integers with its noisy total; one table over every \
                           variable fitted to all of them (iterative proportional fitting) and \
                           rounded with its total; every table and marginal is a sum of that \
                           table";
    match loss {
        Loss::Pure(_) => json!({
            "accountant": PURE_ACCOUNTANT,
            "epsilon": epsilon.text,
            "delta": 0,
            "neighbouring": "one record added or removed",
            "mechanism": format!(
                "discrete Laplace of scale T/ε on every cell of each of the T = {tables} tables \
                 (exact sampler, Canonne–Kamath–Steinke 2020)"
            ),
            "post_processing": post_processing,
        }),
        Loss::Zcdp {
            rho_micros,
            delta_femtos,
            epsilon_micros,
        } => json!({
            "accountant": "ρ-zCDP (zero-concentrated differential privacy), converted to (ε, δ) \
                           by Canonne–Kamath–Steinke 2020, §2.3; the ledger adds up the \
                           year's ρ and converts the sum",
            "epsilon": epsilon.text,
            "epsilon_converted": epsilon_micros as f64 / 1e6,
            "delta": delta_femtos as f64 / 1e15,
            "rho": rho_micros as f64 / 1e6,
            "neighbouring": "one record added or removed",
            "mechanism": format!(
                "discrete Gaussian of variance T/(2ρ) on every cell of each of the T = {tables} \
                 tables (exact sampler, Canonne–Kamath–Steinke 2020): each table is \
                 1/(2σ²)-zCDP, the release ρ-zCDP, so (epsilon_converted, delta)-differentially \
                 private, within epsilon"
            ),
            "post_processing": post_processing,
        }),
    }
}

/// A noise statement of a differentially private manifest: where the noise is added, its
/// distribution and scale (the discrete Laplace's b, the discrete Gaussian's σ), and the
/// half-width of its 95 % interval (public: a function of the budget and the domain only).
fn noise_json(on: &str, noise: Noise) -> Value {
    let (distribution, scale) = match noise {
        Noise::Laplace(scale) => ("discrete Laplace", scale.to_f64()),
        Noise::Gaussian(sigma_squared) => ("discrete Gaussian", sigma_squared.to_f64().sqrt()),
    };
    json!({
        "on": on,
        "distribution": distribution,
        "scale": scale,
        "confidence": CONFIDENCE,
        "interval_half_width": noise.interval_half_width(CONFIDENCE),
        "note": "before post-processing, each noisy count lies within ± interval_half_width of \
                 the exact count with probability `confidence`",
    })
}

fn dp_synthetic(
    table: &Table,
    parameters: &Parameters,
    epsilon: &Epsilon,
    years: std::ops::RangeInclusive<i32>,
    mut rng: StdRng,
) -> Result<Made, ReleaseError> {
    // By default every column with a closed codebook vocabulary; lists and free text have no
    // data-independent domain and are left out.
    let columns: Vec<String> = if parameters.variables.is_empty() {
        table
            .columns()
            .iter()
            .map(|c| c.name.clone())
            .filter(|c| Domain::from_codebook(c, years.clone()).is_ok())
            .collect()
    } else {
        columns_of(table, &parameters.variables)?;
        parameters.variables.clone()
    };
    let domains = columns
        .iter()
        .map(|c| Domain::from_codebook(c, years.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let left_out: Vec<&str> = table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| !columns.iter().any(|c| c == name))
        .collect();
    let synthetic = synthesize(table, &domains, epsilon.value, &mut rng)?;
    let distances = marginal_distances(table, &synthetic.table, &domains, EVALUATED_TRIPLES)?;
    let combinations = combination_metrics(
        table,
        &synthetic.table,
        &columns,
        metrics_length(columns.len()),
        parameters.k,
    )?;
    let mean = |size| mean_distance(&distances, size);
    let measured = |size| {
        distances
            .iter()
            .filter(|d| d.variables.len() == size)
            .count()
    };
    // The synthesizer's scales: 5d/(2ε) one-way, 2(d − 1)/ε two-way.
    let d = domains.len() as u64;
    let laplace = |numerator: u64, denominator: u64| {
        Noise::Laplace(Rational {
            numerator: numerator.saturating_mul(epsilon.value.denominator),
            denominator: denominator.saturating_mul(epsilon.value.numerator),
        })
    };
    let fields = json!({
        "privacy": {
            "accountant": PURE_ACCOUNTANT,
            "epsilon": epsilon.text,
            "delta": 0,
            "neighbouring": "one record added or removed",
            "mechanism": "MST-style: 2ε/5 on every one-way marginal (discrete Laplace of \
                          scale 5d/(2ε)), ε/10 on choosing a tree of d − 1 pairs (exponential \
                          mechanism, Gumbel trick in floating point), ε/2 on the chosen two-way \
                          marginals (discrete Laplace of scale 2(d − 1)/ε); records drawn from the \
                          tree-shaped model over the values the domain step kept \
                          (post-processing)",
            "noise": [
                noise_json("every cell of every one-way marginal", laplace(5 * d, 2)),
                noise_json(
                    "every cell of the tree's two-way marginals",
                    laplace(2 * d.saturating_sub(1).max(1), 1),
                ),
            ],
            "domain_step": domain_step_json(&synthetic.domain_steps),
            "two_way_cell_step": cell_step_json(&synthetic.cell_steps),
        },
        "variables": codebook_variables(&domains),
        "left_out": left_out,
        "tree": synthetic.edges.iter().map(|(a, b)| [a, b]).collect::<Vec<_>>(),
        "released": {
            "rows": synthetic.table.rows(),
        },
    });
    let evaluation = json!({
        "note": "measured against the exact data, so not itself differentially private: \
                 kept by the releasing office, never in the bundle",
        "exact_rows": table.rows(),
        "mean_total_variation": {
            "one_way": mean(1),
            "two_way": mean(2),
            "three_way": mean(3),
        },
        "marginals_measured": {
            "one_way": measured(1),
            "two_way": measured(2),
            "three_way": measured(3),
        },
        "total_variation": distances_json(&distances),
        "combinations": combinations_json(&combinations),
    });
    Ok(Made {
        data: write_csv(&synthetic.table)?,
        files: Vec::new(),
        fields,
        evaluation: Some(evaluation),
        source_rows: None,
    })
}

/// The table without its derived columns: a release carries CTDC's own columns, and the
/// regional import derives the rest again.
fn written(table: &Table) -> Result<Table, ReleaseError> {
    Table::from_columns(table.columns().iter().filter(is_written).cloned().collect())
        .map_err(output)
}

/// Whether a column goes into a release's `data.csv`: CTDC's own columns do, derived ones not.
fn is_written(column: &&Column) -> bool {
    column.name != EXPLOITATION_TYPES
}

/// The table's columns as CSV (derived columns left out, see [`written`]); an empty cell is a
/// missing value.
fn write_csv(table: &Table) -> Result<Vec<u8>, ReleaseError> {
    let columns: Vec<_> = table.columns().iter().filter(is_written).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(columns.iter().map(|c| c.name.as_str()))
        .map_err(output)?;
    for row in 0..table.rows() {
        out.write_record(
            columns
                .iter()
                .map(|c| c.dictionary.value(c.codes[row]).unwrap_or_default()),
        )
        .map_err(output)?;
    }
    out.into_inner().map_err(output)
}

/// Refuses a variable the table does not have, naming those it has: checked before any domain,
/// so a misspelt column is not told as one without a codebook vocabulary.
fn columns_of(table: &Table, variables: &[String]) -> Result<(), ReleaseError> {
    match variables.iter().find(|v| table.position(v).is_none()) {
        None => Ok(()),
        Some(name) => Err(ReleaseError::NoSuchColumn {
            name: name.clone(),
            columns: table
                .columns()
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn output(error: impl std::fmt::Display) -> ReleaseError {
    ReleaseError::Output(error.to_string())
}
