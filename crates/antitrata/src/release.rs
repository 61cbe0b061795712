//! `antitrata release`: a privacy-protected release of a dataset, or of a country's live cases
//! (`--cases XX --as EMAIL`, a supervisor of the country; every case read is audited as
//! `case.released`), written to a new folder as `data.csv`, `report.html` (the manifest's facts
//! and evaluation for people) and `manifest.json` (method, parameters, guarantees, evaluation,
//! and the SHA-256 of every file).
//!
//! - `kanon`: the dataset's CTDC columns, quasi-identifiers generalized, suppressed records left
//!   out; with `--all-combinations R`, also cells withheld until every combination of up to R
//!   values left in a record occurs in at least k input records (SDS's guarantee);
//! - `dp-aggregates`: a cross-tab of one to three variables over their codebook domains with
//!   discrete Laplace noise, after spending its ε from the country's yearly budget;
//! - `dp-synthetic`: synthetic CTDC records drawn from noisy one- and two-way marginals
//!   (`antitrata_privacy::dp_synthetic`), after spending its ε the same way.
//!
//! Record releases (kanon, dp-synthetic) also carry SDS's combination metrics in their
//! evaluation (`antitrata_privacy::combinations`).

use std::io::Write;
use std::path::{Path, PathBuf};

use antitrata_domain::stats::{
    DatasetId, Table, TableEncoder, ctdc::EXPLOITATION_TYPES, ctdc_file_of_cases,
};
use antitrata_domain::{Actor, CountryCode};
use antitrata_privacy::{
    CTDC_QUASI_IDENTIFIERS, CombinationMetrics, Domain, Hierarchy, KAnonymityRequest,
    MarginalDistance, QuasiIdentifier, Rational, anonymize, combination_metrics, evaluate,
    exact_crosstab, marginal_distances, mean_distance, noisy_crosstab, synthesize,
    withhold_rare_combinations,
};
use antitrata_store::{AuditEvent, Budget, NewDataset, OpenedBetween, RecordsUse, Spend, Store};
use anyhow::{Context, bail};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::config::Config;
use crate::datasets::{CHUNK_ROWS, load_named};
use crate::serve::open_store;
use crate::users::{account_actor, cli_actor};

/// What `release` was asked for.
#[derive(Debug)]
pub struct ReleaseRequest {
    /// What is released: a dataset by name or id, or `None` with `cases`.
    pub dataset: Option<String>,
    /// The country whose live cases are released, in the name of `account`.
    pub cases: Option<String>,
    pub account: Option<String>,
    pub method: String,
    pub k: usize,
    pub quasi_identifiers: Vec<String>,
    pub max_suppressed: f64,
    /// kanon: the length of SDS's all-combinations guarantee, if asked.
    pub all_combinations: Option<usize>,
    pub country: Option<String>,
    pub epsilon: Option<String>,
    pub by: Vec<String>,
    pub out: PathBuf,
}

pub async fn release(config: &Config, request: ReleaseRequest) -> anyhow::Result<()> {
    check_out_folder(&request.out)?;
    if request.all_combinations.is_some() && request.method != "kanon" {
        bail!("--all-combinations applies to --method kanon only");
    }
    match request.method.as_str() {
        "kanon" => release_kanon(config, request).await,
        "dp-aggregates" => release_dp_aggregates(config, request).await,
        "dp-synthetic" => release_dp_synthetic(config, request).await,
        other => bail!("--method {other}: use kanon, dp-aggregates or dp-synthetic"),
    }
}

/// What a release is made from, as its manifest and audit entry name it.
struct Source {
    name: String,
    format: String,
    /// SHA-256 of the imported file, or of the live cases written as a CTDC file.
    sha256: String,
    /// Who reads it: the command line for a dataset, a supervisor for live cases.
    actor: Actor,
    /// The record type and id of the `release.created` entry.
    record: (&'static str, String),
}

async fn load_source(store: &Store, request: &ReleaseRequest) -> anyhow::Result<(Source, Table)> {
    let (Some(country), None) = (&request.cases, &request.dataset) else {
        let name = request
            .dataset
            .as_deref()
            .context("--dataset or --cases: name what to release")?;
        let (dataset, table) = load_named(store, name).await?;
        let source = Source {
            name: dataset.name,
            format: dataset.format,
            sha256: dataset.content_sha256,
            actor: cli_actor(),
            record: ("dataset", dataset.id.to_string()),
        };
        return Ok((source, table));
    };
    let code = CountryCode::parse(country)
        .ok()
        .with_context(|| format!("--cases `{country}`: write an ISO code, e.g. GT"))?;
    let account = request
        .account
        .as_deref()
        .context("--as: the e-mail of the supervisor releasing the country's cases")?;
    let actor = account_actor(store, account).await?;
    let records = store
        .victim_records(&actor, code, OpenedBetween::default(), RecordsUse::Release)
        .await
        .with_context(|| format!("--as {account} releasing {code}'s cases"))?;
    let (file, table) = ctdc_file_of_cases(&records)?;
    let source = Source {
        name: format!("cases-{code}"),
        format: "ctdc-global".into(),
        sha256: format!("{:x}", Sha256::digest(&file)),
        actor,
        record: ("cases", code.to_string()),
    };
    Ok((source, table))
}

/// Combinations of fewer records than this count as rare in the evaluation (CTDC's k).
const RARE_BELOW: u64 = 11;

/// SDS's metrics count combinations of up to this many values (SDS's default reporting length)…
const COMBINATION_LENGTH: usize = 3;
/// …or of up to two in tables of more columns than this, where the three-value combinations of
/// a file like CTDC 2017 (57 columns) run to hundreds of millions and take seconds to count.
const WIDE_TABLE: usize = 24;

/// The combination length of SDS's metrics for a release of `columns` columns.
fn metrics_length(columns: usize) -> usize {
    if columns > WIDE_TABLE {
        2
    } else {
        COMBINATION_LENGTH
    }
}

/// The first year of the year domain of noisy tables (the last is next year).
const FIRST_YEAR: i32 = 2000;

/// The country whose yearly budget pays for a differentially private release: `--country`, or
/// the country of the live cases released (which must then be the same).
fn paying_country(request: &ReleaseRequest) -> anyhow::Result<CountryCode> {
    let asked_country = request
        .country
        .as_deref()
        .map(|c| CountryCode::parse(c).context("--country"))
        .transpose()?;
    let cases_country = request
        .cases
        .as_deref()
        .map(|c| CountryCode::parse(c).context("--cases"))
        .transpose()?;
    let country = match (asked_country, cases_country) {
        (Some(asked), Some(cases)) if asked != cases => {
            bail!("--country {asked}: the budget of {cases} pays for a release of its own cases")
        }
        (Some(country), _) | (None, Some(country)) => country,
        (None, None) => {
            bail!("--country: the country whose yearly privacy budget pays for this release")
        }
    };
    Ok(country)
}

/// `--epsilon` as typed and as an exact fraction.
fn epsilon_of(request: &ReleaseRequest) -> anyhow::Result<(&str, Rational)> {
    let text = request
        .epsilon
        .as_deref()
        .context("--epsilon: the privacy budget this release spends, e.g. 1.0")?;
    let epsilon = Rational::parse_decimal(text)
        .filter(|e| e.numerator > 0)
        .with_context(|| format!("--epsilon {text}: write a positive decimal, e.g. 0.5"))?;
    Ok((text, epsilon))
}

/// Spends `epsilon` from `country`'s budget of this year, or refuses: called before anything of
/// the release is written.
async fn pay(
    config: &Config,
    store: &Store,
    source: &Source,
    country: CountryCode,
    epsilon: Rational,
    method: &str,
    year: i32,
) -> anyhow::Result<(Uuid, Budget)> {
    let release_id = Uuid::now_v7();
    let epsilon_micros = i64::try_from(
        (u128::from(epsilon.numerator) * 1_000_000).div_ceil(u128::from(epsilon.denominator)),
    )?;
    let spent = store
        .spend_privacy_budget(
            &source.actor,
            &Spend {
                release_id,
                country,
                year,
                method: method.into(),
                budget: Budget {
                    epsilon_micros,
                    delta_femtos: 0,
                },
            },
            Budget {
                epsilon_micros: config.yearly_epsilon_micros,
                delta_femtos: 0,
            },
        )
        .await?;
    Ok((release_id, spent))
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
async fn release_dp_aggregates(config: &Config, request: ReleaseRequest) -> anyhow::Result<()> {
    let country = paying_country(&request)?;
    let (epsilon_text, epsilon) = epsilon_of(&request)?;
    if request.by.is_empty() {
        bail!("--by: name one to three variables to cross, e.g. gender,ageBroad");
    }
    let now = OffsetDateTime::now_utc();
    let domains = request
        .by
        .iter()
        .map(|c| Domain::from_codebook(c, FIRST_YEAR..=now.year() + 1))
        .collect::<Result<Vec<_>, _>>()?;
    let store = open_store(config).await?;
    let (source, table) = load_source(&store, &request).await?;
    let mut rng = StdRng::from_os_rng();
    let tab = noisy_crosstab(&table, &domains, epsilon, &mut rng)?;
    let evaluation = evaluate(&exact_crosstab(&table, &domains)?, &tab, RARE_BELOW);

    // Pay before anything leaves: a release past the budget writes nothing.
    let (release_id, spent) = pay(
        config,
        &store,
        &source,
        country,
        epsilon,
        "dp-aggregates",
        now.year(),
    )
    .await?;

    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = request.by.iter().map(String::as_str).collect();
    header.push("count");
    out.write_record(&header)?;
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
        out.write_record(&values)?;
    }
    let data = out.into_inner()?;
    let manifest = manifest(
        "dp-aggregates",
        now,
        &source,
        json!({
            "release_id": release_id.to_string(),
            "privacy": {
                "epsilon": epsilon_text,
                "delta": 0,
                "neighbouring": "one record added or removed",
                "mechanism": "discrete Laplace of scale 1/ε on every cell (exact sampler, Canonne–Kamath–Steinke 2020)",
                "post_processing": "projection onto non-negative integers with the noisy total; marginals are sums of this table",
                "budget": budget_spent(config, country, now.year(), spent),
            },
            "variables": codebook_variables(&tab.domains),
            "cells": tab.counts.len(),
            "evaluation": {
                "note": "measured against the exact data, so not itself differentially private: \
                         for the releasing office's review",
                "total_variation": distances_json(&evaluation.marginals),
                "mean_absolute_error_per_cell": evaluation.mean_absolute_error,
                "rare_below": RARE_BELOW,
                "rare_cells": evaluation.rare_cells,
                "rare_cells_released_non_empty": evaluation.rare_cells_released,
                "exact_total": evaluation.exact_total,
                "released_total": evaluation.released_total,
            },
        }),
    )?;
    write_bundle(&request.out, &data, manifest)?;
    store.close().await;
    println!(
        "ε-differentially private cross-tab of `{}` by {} in {}: ε = {epsilon_text} spent; {} \
         has spent ε = {} of its {} budget of {}",
        source.name,
        request.by.join(" × "),
        request.out.display(),
        country,
        spent.epsilon_micros as f64 / 1e6,
        now.year(),
        config.yearly_epsilon_micros as f64 / 1e6
    );
    Ok(())
}

/// Three-way marginals measured in a synthetic release's evaluation, at most.
const EVALUATED_TRIPLES: usize = 2_000;

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
async fn release_dp_synthetic(config: &Config, request: ReleaseRequest) -> anyhow::Result<()> {
    let country = paying_country(&request)?;
    let (epsilon_text, epsilon) = epsilon_of(&request)?;
    let now = OffsetDateTime::now_utc();
    let years = FIRST_YEAR..=now.year() + 1;
    let store = open_store(config).await?;
    let (source, table) = load_source(&store, &request).await?;
    // By default every column with a closed codebook vocabulary; lists and free text have no
    // data-independent domain and are left out.
    let columns: Vec<String> = if request.by.is_empty() {
        table
            .columns()
            .iter()
            .map(|c| c.name.clone())
            .filter(|c| Domain::from_codebook(c, years.clone()).is_ok())
            .collect()
    } else {
        request.by.clone()
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
    let started = std::time::Instant::now();
    let mut rng = StdRng::from_os_rng();
    let synthetic = synthesize(&table, &domains, epsilon, &mut rng)?;
    let seconds = started.elapsed().as_secs_f64();
    let distances = marginal_distances(&table, &synthetic.table, &domains, EVALUATED_TRIPLES)?;
    let combinations = combination_metrics(
        &table,
        &synthetic.table,
        &columns,
        metrics_length(columns.len()),
        request.k,
    )?;

    let (release_id, spent) = pay(
        config,
        &store,
        &source,
        country,
        epsilon,
        "dp-synthetic",
        now.year(),
    )
    .await?;
    let data = write_csv(&synthetic.table)?;
    let mean = |size| mean_distance(&distances, size);
    let measured = |size| {
        distances
            .iter()
            .filter(|d| d.variables.len() == size)
            .count()
    };
    let manifest = manifest(
        "dp-synthetic",
        now,
        &source,
        json!({
            "release_id": release_id.to_string(),
            "privacy": {
                "epsilon": epsilon_text,
                "delta": 0,
                "neighbouring": "one record added or removed",
                "mechanism": "MST-style: ε/3 on every one-way marginal (discrete Laplace of scale \
                              3d/ε), ε/3 on choosing a tree of d − 1 pairs (exponential mechanism, \
                              Gumbel trick in floating point), ε/3 on the chosen two-way marginals \
                              (discrete Laplace of scale 3(d − 1)/ε); records drawn from the \
                              tree-shaped model (post-processing)",
                "budget": budget_spent(config, country, now.year(), spent),
            },
            "variables": codebook_variables(&domains),
            "left_out": left_out,
            "tree": synthetic.edges.iter().map(|(a, b)| [a, b]).collect::<Vec<_>>(),
            "rows": synthetic.table.rows(),
            "seconds": seconds,
            "evaluation": {
                "note": "measured against the exact data, so not itself differentially private: \
                         for the releasing office's review",
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
            },
        }),
    )?;
    write_bundle(&request.out, &data, manifest)?;
    store.close().await;
    let shown = |size| mean(size).map_or_else(|| "-".to_owned(), |m| format!("{m:.3}"));
    println!(
        "ε-differentially private synthetic records of `{}` in {}: {} records over {} variables \
         in {seconds:.1} s; mean total variation distance {} (1-way), {} (2-way), {} (3-way); \
         ε = {epsilon_text} spent; {country} has spent ε = {} of its {} budget of {}",
        source.name,
        request.out.display(),
        synthetic.table.rows(),
        domains.len(),
        shown(1),
        shown(2),
        shown(3),
        spent.epsilon_micros as f64 / 1e6,
        now.year(),
        config.yearly_epsilon_micros as f64 / 1e6
    );
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
async fn release_kanon(config: &Config, request: ReleaseRequest) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let (source, table) = load_source(&store, &request).await?;
    let names: Vec<String> = if request.quasi_identifiers.is_empty() {
        CTDC_QUASI_IDENTIFIERS
            .iter()
            .filter(|c| table.position(c).is_some())
            .map(|c| (*c).to_owned())
            .collect()
    } else {
        request.quasi_identifiers.clone()
    };
    let k_request = KAnonymityRequest {
        quasi_identifiers: names
            .iter()
            .map(|c| QuasiIdentifier {
                column: c.clone(),
                hierarchy: Hierarchy::for_column(c),
            })
            .collect(),
        k: request.k,
        max_suppressed: request.max_suppressed,
    };
    let released = anonymize(&table, &k_request)?;
    let guaranteed = request
        .all_combinations
        .map(|length| {
            withhold_rare_combinations(&released.generalized, &released.table, length, request.k)
        })
        .transpose()?;
    let output = guaranteed.as_ref().map_or(&released.table, |g| &g.table);
    let columns: Vec<String> = output.columns().iter().map(|c| c.name.clone()).collect();
    let combinations = combination_metrics(
        &released.generalized,
        output,
        &columns,
        guaranteed
            .as_ref()
            .map_or(metrics_length(columns.len()), |g| g.length),
        request.k,
    )?;

    let data = write_csv(output)?;
    let mut manifest = manifest(
        "kanon",
        OffsetDateTime::now_utc(),
        &source,
        json!({
            "parameters": {
                "k": request.k,
                "max_suppressed_share": request.max_suppressed,
                "search": "full-domain lattice, bottom-up with monotonicity pruning; loss = mean of level / height",
            },
            "quasi_identifiers": k_request.quasi_identifiers.iter().zip(&released.loss).map(|(qi, loss)| json!({
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
        }),
    )?;
    manifest["source"]["rows"] = json!(table.rows());
    write_bundle(&request.out, &data, manifest)?;
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
    store.close().await;
    println!(
        "k-anonymous release of `{}` in {}: k = {} achieved (asked {}), {} of {} records \
         released, {} suppressed",
        source.name,
        request.out.display(),
        released.achieved_k,
        request.k,
        released.table.rows(),
        table.rows(),
        released.suppressed
    );
    for loss in &released.loss {
        println!(
            "  {}: generalized to level {} of {}",
            loss.column, loss.level, loss.height
        );
    }
    if let Some(g) = &guaranteed {
        println!(
            "  all combinations of up to {} values occur in at least {} input records: {} cells \
             withheld in {} records",
            g.length,
            g.k,
            g.withheld.iter().map(|(_, n)| n).sum::<usize>(),
            g.records_changed
        );
    }
    Ok(())
}

/// The variables of a differentially private release, each with the size of its codebook domain.
fn codebook_variables(domains: &[Domain]) -> serde_json::Value {
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

/// Total variation distances of marginals as the manifests list them.
fn distances_json(distances: &[MarginalDistance]) -> serde_json::Value {
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
fn combinations_json(metrics: &CombinationMetrics) -> serde_json::Value {
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

/// Checks a release folder against its manifest and imports its data as a dataset: k-anonymous
/// and synthetic records as they are, a differentially private cross-tab as one record per unit
/// counted ([`import_counts`]).
pub async fn import_release(
    config: &Config,
    dir: &Path,
    dataset: Option<String>,
) -> anyhow::Result<()> {
    let manifest_path = dir.join("manifest.json");
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&manifest_path)
            .with_context(|| format!("reading {}", manifest_path.display()))?,
    )
    .with_context(|| format!("{} is not JSON", manifest_path.display()))?;
    if manifest["format"] != "antitrata-release/1" {
        bail!(
            "{} is not an antitrata release manifest (format antitrata-release/1)",
            manifest_path.display()
        );
    }
    verify_files(dir, &manifest)?;
    let method = manifest["method"].as_str().unwrap_or("?");
    // Columns whose values may lie outside the codebook: generalized quasi-identifiers, and
    // columns with cells withheld (`*`) by the all-combinations guarantee.
    let generalized: Vec<String> = match method {
        "kanon" => manifest["quasi_identifiers"]
            .as_array()
            .context("manifest.json has no quasi_identifiers")?
            .iter()
            .filter(|qi| qi["level"].as_u64().unwrap_or(0) > 0)
            .filter_map(|qi| qi["column"].as_str())
            .chain(
                manifest
                    .pointer("/guarantee/all_combinations/withheld_cells")
                    .and_then(serde_json::Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|w| w["column"].as_str()),
            )
            .map(str::to_owned)
            .collect(),
        // Synthetic records take only codebook values.
        "dp-synthetic" => Vec::new(),
        "dp-aggregates" => Vec::new(),
        other => bail!(
            "this release is `{other}`: only k-anonymous, synthetic and cross-tab releases are \
             imported"
        ),
    };
    let name = dataset.unwrap_or_else(|| {
        format!(
            "release-{}",
            manifest["source"]["dataset"].as_str().unwrap_or("unnamed")
        )
    });
    if method == "dp-aggregates" {
        return import_counts(config, &dir.join("data.csv"), name).await;
    }
    crate::datasets::import_ctdc(
        config,
        crate::datasets::ImportRequest {
            file: dir.join("data.csv"),
            dataset: Some(name),
            skip_invalid: false,
            any_text: generalized,
            format: Some(format!("release-{method}")),
        },
    )
    .await
}

/// Every file the manifest lists has its recorded size and SHA-256.
/// The most records a cross-tab release may expand to on import.
const MAX_EXPANDED_RECORDS: u64 = 50_000_000;

/// Loads a differentially private cross-tab (its variables, then `count`) as a dataset of
/// records: each cell's released count becomes that many records of the cell's values, so the
/// dataset's cross-tabs over those variables are exactly the released counts and nothing more.
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
async fn import_counts(config: &Config, path: &Path, name: String) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .context("data.csv: the header")?
        .iter()
        .map(str::to_owned)
        .collect();
    let variables = match header.split_last() {
        Some((last, variables)) if last == "count" && !variables.is_empty() => variables.to_vec(),
        _ => bail!("data.csv of a cross-tab release has its variables, then a `count` column"),
    };
    let mut cells: Vec<(Vec<Option<String>>, u64)> = Vec::new();
    let mut total: u64 = 0;
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.with_context(|| format!("data.csv line {line}"))?;
        let count: u64 = record
            .get(variables.len())
            .and_then(|c| c.parse().ok())
            .with_context(|| format!("data.csv line {line}: the count is not a whole number"))?;
        total = total.saturating_add(count);
        if count > 0 {
            let values = record
                .iter()
                .take(variables.len())
                .map(|v| (!v.is_empty()).then(|| v.to_owned()))
                .collect();
            cells.push((values, count));
        }
    }
    if total > MAX_EXPANDED_RECORDS {
        bail!(
            "the cross-tab counts {total} records, more than {MAX_EXPANDED_RECORDS} can be loaded"
        );
    }
    let store = open_store(config).await?;
    if store.find_dataset(&name).await?.is_some() {
        bail!(
            "a dataset named `{name}` exists already: choose another name with --dataset, or drop \
             it first with `antitrata dataset drop {name}`"
        );
    }
    let new = NewDataset {
        id: DatasetId(Uuid::now_v7()),
        name,
        format: "release-dp-aggregates".to_owned(),
        file_name: "data.csv".to_owned(),
        columns: variables.clone(),
        ignored_columns: Vec::new(),
    };
    let mut writer = store.begin_dataset(&cli_actor(), new).await?;
    let mut encoder = TableEncoder::new(variables, CHUNK_ROWS);
    for (values, count) in &cells {
        let row: Vec<Option<&str>> = values.iter().map(Option::as_deref).collect();
        for _ in 0..*count {
            if let Some(chunk) = encoder.push_row(&row)? {
                writer.write_chunk(&chunk).await?;
            }
        }
    }
    writer.write_chunk(&encoder.take_chunk()).await?;
    let dataset = writer.finish(encoder.dictionaries(), 0, sha256).await?;
    store.close().await;
    println!(
        "imported `{}`: {} rows ({} cells of the cross-tab by {}), format {}",
        dataset.name,
        dataset.rows,
        cells.len(),
        dataset.columns.join(" × "),
        dataset.format
    );
    Ok(())
}

fn verify_files(dir: &Path, manifest: &serde_json::Value) -> anyhow::Result<()> {
    let files = manifest["files"]
        .as_array()
        .filter(|files| !files.is_empty())
        .context("manifest.json lists no files")?;
    for file in files {
        let name = file["name"]
            .as_str()
            .context("a file in manifest.json has no name")?;
        if name.contains(['/', '\\']) || name.starts_with('.') {
            bail!("manifest.json names `{name}`, which is not a file of the release folder");
        }
        let bytes = std::fs::read(dir.join(name))
            .with_context(|| format!("reading {name} of the release"))?;
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        if file["sha256"].as_str() != Some(sha256.as_str())
            || file["bytes"].as_u64() != Some(bytes.len() as u64)
        {
            bail!(
                "{name} does not match the manifest (SHA-256 or size differs): the release was \
                 changed or damaged; nothing was imported"
            );
        }
    }
    Ok(())
}

/// A release goes into a new or empty folder, so no stale file can pass for part of it.
fn check_out_folder(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .with_context(|| format!("reading {}", out.display()))?
            .next()
            .is_none();
        if !empty {
            bail!(
                "{} is not empty: choose a new folder for the release",
                out.display()
            );
        }
    }
    Ok(())
}

/// The table's columns as CSV (derived columns left out: a release carries CTDC's own columns);
/// an empty cell is a missing value.
fn write_csv(table: &Table) -> anyhow::Result<Vec<u8>> {
    let columns: Vec<_> = table
        .columns()
        .iter()
        .filter(|c| c.name != EXPLOITATION_TYPES)
        .collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(columns.iter().map(|c| c.name.as_str()))?;
    for row in 0..table.rows() {
        out.write_record(
            columns
                .iter()
                .map(|c| c.dictionary.value(c.codes[row]).unwrap_or_default()),
        )?;
    }
    Ok(out.into_inner()?)
}

/// A release manifest: the fields every release has (format, software, time, method, source),
/// then the method's own `fields`.
fn manifest(
    method: &str,
    now: OffsetDateTime,
    source: &Source,
    fields: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let mut manifest = json!({
        "format": "antitrata-release/1",
        "software": format!("antitrata {}", env!("CARGO_PKG_VERSION")),
        "created_at": now.format(&Rfc3339)?,
        "method": method,
        "source": {
            "dataset": source.name,
            "format": source.format,
            "sha256": source.sha256,
        },
    });
    if let (Some(all), serde_json::Value::Object(more)) = (manifest.as_object_mut(), fields) {
        all.extend(more);
    }
    Ok(manifest)
}

/// What a differentially private release's manifest says of the budget that paid for it.
fn budget_spent(
    config: &Config,
    country: CountryCode,
    year: i32,
    spent: Budget,
) -> serde_json::Value {
    json!({
        "country": country.as_str(),
        "year": year,
        "spent_this_year_epsilon": spent.epsilon_micros as f64 / 1e6,
        "yearly_limit_epsilon": config.yearly_epsilon_micros as f64 / 1e6,
    })
}

/// Writes `data.csv`, `report.html` (in the default language) and `manifest.json`, the manifest
/// completed with the files' sizes and SHA-256 so the regional import can check them.
fn write_bundle(out: &Path, data: &[u8], mut manifest: serde_json::Value) -> anyhow::Result<()> {
    let report = antitrata_web::release_report(&manifest, antitrata_domain::Lang::DEFAULT)
        .context("rendering report.html")?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    write_file(&out.join("data.csv"), data)?;
    write_file(&out.join("report.html"), report.as_bytes())?;
    let listed = |name: &str, bytes: &[u8]| {
        json!({
            "name": name,
            "bytes": bytes.len(),
            "sha256": format!("{:x}", Sha256::digest(bytes)),
        })
    };
    manifest["files"] = json!([
        listed("data.csv", data),
        listed("report.html", report.as_bytes())
    ]);
    write_file(
        &out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file =
        std::fs::File::create_new(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}
