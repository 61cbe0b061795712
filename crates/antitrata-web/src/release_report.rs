//! The human-readable report of a privacy-protected release (`report.html` in its bundle): what
//! was released, from what, under which guarantee, all read from the release's manifest so the
//! two cannot disagree. A k-anonymous release's report also shows how far it is from the data;
//! a differentially private one shows its noise instead, since its evaluation against the exact
//! data stays in the country ([`Evaluation`], on the console's release page).

use std::collections::BTreeMap;

use antitrata_domain::Lang;
use askama::Template;
use serde_json::Value;

use crate::i18n::Tr;

/// The facts shown, where the manifest has them: label key and JSON pointer.
const FACTS: &[(&str, &str)] = &[
    ("report-source", "/source/dataset"),
    ("report-created", "/created_at"),
    ("report-software", "/software"),
    ("report-seeded", "/seeded/seed"),
    ("report-accountant", "/privacy/accountant"),
    ("report-epsilon", "/privacy/epsilon"),
    ("report-delta", "/privacy/delta"),
    ("report-rho", "/privacy/rho"),
    ("report-epsilon-converted", "/privacy/epsilon_converted"),
    ("report-mechanism", "/privacy/mechanism"),
    ("report-budget-country", "/privacy/budget/country"),
    (
        "report-budget-spent",
        "/privacy/budget/spent_this_year_epsilon",
    ),
    ("report-k", "/parameters/k"),
    ("report-k-achieved", "/guarantee/achieved_k"),
    (
        "report-all-combinations",
        "/guarantee/all_combinations/length",
    ),
    (
        "report-records-changed",
        "/guarantee/all_combinations/records_changed",
    ),
    ("report-rows", "/rows/output"),
    ("report-rows", "/released/rows"),
    ("report-cells", "/released/cells"),
    ("report-total", "/released/total"),
    ("report-suppressed", "/rows/suppressed"),
];

/// Marginals listed as the farthest from the data, at most.
const WORST: usize = 10;

#[derive(Template)]
#[template(path = "release_report.html")]
struct ReportPage {
    tr: Tr,
    method: String,
    facts: Vec<(String, String)>,
    /// A differentially private release's noise: where, scale, half-width of the 95 % interval.
    noise: Vec<[String; 3]>,
    /// A differentially private release's domain step: variable, threshold.
    domain_step: Vec<(String, String)>,
    /// A synthetic release's two-way cell step: pair of variables, threshold.
    cell_step: Vec<(String, String)>,
    /// Whether the release is differentially private (its evaluation is not in the bundle).
    private: bool,
    evaluation: Evaluation,
}

/// A release's evaluation against the exact data, as `release_evaluation.html` shows it: in a
/// k-anonymous release's report, and on the console's page of a differentially private one.
#[derive(Debug, Default)]
pub(crate) struct Evaluation {
    pub(crate) facts: Vec<(String, String)>,
    /// Per marginal size: label, mean distance as text, bar width in pixels (0–300).
    pub(crate) means: Vec<(String, String, u32)>,
    /// The farthest marginals: variables, distance.
    pub(crate) worst: Vec<(String, String)>,
    /// SDS's metrics per combination length: length, input combinations (rare ones), release
    /// combinations, suppressed %, fabricated %, rare shown %, mean absolute error.
    pub(crate) combinations: Vec<[String; 7]>,
    /// Preservation by input count: bucket, combinations, preservation %.
    pub(crate) preservation: Vec<[String; 3]>,
    pub(crate) note: Option<String>,
}

/// The exact-data figures an evaluation shows, where it has them: label key and JSON pointer.
const EVALUATION_FACTS: &[(&str, &str)] = &[
    ("report-rows-exact", "/exact_rows"),
    ("report-total-exact", "/exact_total"),
    ("report-mae", "/mean_absolute_error_per_cell"),
    ("report-source-sha256", "/source/sha256"),
];

/// Renders the report of the release `manifest` describes, in `lang` (the application's
/// `RenderReport`, which the binary passes to its releases).
pub fn release_report(manifest: &Value, lang: Lang) -> Result<String, String> {
    report(manifest, lang).map_err(|e| e.to_string())
}

/// The items of the array at `pointer` in `manifest`; none if it has no array there.
fn array_at<'m>(manifest: &'m Value, pointer: &str) -> impl Iterator<Item = &'m Value> {
    manifest
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn report(manifest: &Value, lang: Lang) -> Result<String, askama::Error> {
    let tr = Tr::new(lang);
    let noise = array_at(manifest, "/privacy/noise")
        .map(|n| {
            [
                n["on"].as_str().unwrap_or("?").to_owned(),
                n["scale"]
                    .as_f64()
                    .map_or_else(|| "-".to_owned(), |x| format!("{x:.3}")),
                format!(
                    "± {} ({} %)",
                    n["interval_half_width"],
                    n["confidence"].as_f64().map_or(0.0, |c| c * 100.0)
                ),
            ]
        })
        .collect();
    let domain_step = array_at(manifest, "/privacy/domain_step/thresholds")
        .map(|step| {
            (
                step["column"].as_str().unwrap_or("?").to_owned(),
                step["threshold"].to_string(),
            )
        })
        .collect();
    let cell_step = array_at(manifest, "/privacy/two_way_cell_step/thresholds")
        .map(|step| {
            let column = |i: usize| step["columns"][i].as_str().unwrap_or("?");
            (
                format!("{} × {}", column(0), column(1)),
                step["threshold"].to_string(),
            )
        })
        .collect();
    ReportPage {
        domain_step,
        cell_step,
        method: manifest["method"].as_str().unwrap_or("?").to_owned(),
        facts: facts(manifest, FACTS, &tr),
        noise,
        private: manifest.pointer("/privacy/epsilon").is_some(),
        evaluation: manifest
            .get("evaluation")
            .map(|e| Evaluation::new(e, &tr))
            .unwrap_or_default(),
        tr,
    }
    .render()
}

/// The `facts` that `value` has, labelled in `tr`'s language.
fn facts(value: &Value, facts: &[(&str, &str)], tr: &Tr) -> Vec<(String, String)> {
    facts
        .iter()
        .filter_map(|(label, pointer)| {
            let text = match value.pointer(pointer)? {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                _ => return None,
            };
            Some((tr.t(label), text))
        })
        .collect()
}

impl Evaluation {
    /// The evaluation `evaluation` holds (a manifest's `evaluation`, or one the ledger kept).
    pub(crate) fn new(evaluation: &Value, tr: &Tr) -> Evaluation {
        let distances: Vec<(Vec<String>, f64)> = evaluation
            .get("total_variation")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|m| {
                        let variables = m["variables"]
                            .as_array()?
                            .iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect();
                        Some((variables, m["distance"].as_f64()?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut by_size: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
        for (variables, distance) in &distances {
            let entry = by_size.entry(variables.len()).or_default();
            entry.0 += distance;
            entry.1 += 1;
        }
        let means = by_size
            .into_iter()
            .map(|(size, (sum, count))| {
                let mean = sum / count as f64;
                (
                    tr.t1("report-marginals-of", "count", &size.to_string())
                        + &format!(" ({count})"),
                    format!("{mean:.3}"),
                    (mean.clamp(0.0, 1.0) * 300.0).round() as u32,
                )
            })
            .collect();
        let mut sorted = distances;
        sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
        let worst = sorted
            .into_iter()
            .take(WORST)
            .map(|(variables, distance)| (variables.join(" × "), format!("{distance:.3}")))
            .collect();
        let (combinations, preservation) = combination_rows(evaluation);
        Evaluation {
            facts: facts(evaluation, EVALUATION_FACTS, tr),
            means,
            worst,
            combinations,
            preservation,
            note: evaluation
                .get("note")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}

/// The rows of the combination tables, from an evaluation's `combinations`.
fn combination_rows(evaluation: &Value) -> (Vec<[String; 7]>, Vec<[String; 3]>) {
    let number = |v: &Value| v.as_u64().map_or_else(|| "-".to_owned(), |n| n.to_string());
    let share = |v: &Value| {
        v.as_f64()
            .map_or_else(|| "-".to_owned(), |x| format!("{x:.1} %"))
    };
    let by_length = array_at(evaluation, "/combinations/by_length")
        .map(|m| {
            [
                number(&m["length"]),
                format!(
                    "{} ({})",
                    number(&m["input_combinations"]),
                    number(&m["rare_input_combinations"])
                ),
                number(&m["output_combinations"]),
                share(&m["suppressed_percent"]),
                share(&m["fabricated_percent"]),
                share(&m["rare_released_percent"]),
                m["mean_absolute_error"]
                    .as_f64()
                    .map_or_else(|| "-".to_owned(), |x| format!("{x:.1}")),
            ]
        })
        .collect();
    let by_count = array_at(evaluation, "/combinations/preservation_by_count")
        .map(|b| {
            let to = b["to"]
                .as_u64()
                .map_or_else(String::new, |to| (to - 1).to_string());
            [
                format!("{}–{to}", number(&b["from"])),
                number(&b["combinations"]),
                share(&b["preservation_percent"]),
            ]
        })
        .collect();
    (by_length, by_count)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_private_report_shows_the_noise_and_the_released_figures_only() {
        let manifest = json!({
            "method": "dp-synthetic",
            "source": {"dataset": "ctdc-2017"},
            "privacy": {
                "epsilon": "4",
                "delta": 0,
                "budget": {"country": "GT"},
                "noise": [{
                    "on": "every cell of every one-way marginal",
                    "scale": 42.75,
                    "confidence": 0.95,
                    "interval_half_width": 126,
                }],
            },
            "released": {"rows": 47_099},
        });
        let html = release_report(&manifest, Lang::En).unwrap();
        let en = Tr::new(Lang::En);
        assert!(html.contains("dp-synthetic"), "{html}");
        assert!(html.contains("<td>ctdc-2017</td>"), "{html}");
        assert!(html.contains("<td>47099</td>"), "{html}");
        assert!(
            html.contains(
                "<td>every cell of every one-way marginal</td><td>42.750</td><td>± 126 (95 %)</td>"
            ),
            "{html}"
        );
        assert!(html.contains(&en.t("report-dp-private")));
        assert!(
            !html.contains(&en.t("report-distance")),
            "no evaluation: {html}"
        );
        let spanish = release_report(&manifest, Lang::Es).unwrap();
        assert!(spanish.contains("lang=\"es\""));
        assert_ne!(spanish, html);
    }

    #[test]
    fn an_evaluation_shows_every_marginal_size_and_the_farthest_marginals() {
        let manifest = json!({
            "method": "kanon",
            "evaluation": {
                "note": "what suppression changed",
                "exact_rows": 47_102,
                "total_variation": [
                    {"variables": ["gender"], "distance": 0.02},
                    {"variables": ["ageBroad"], "distance": 0.04},
                    {"variables": ["gender", "ageBroad"], "distance": 0.25},
                    {"variables": ["gender", "ageBroad", "citizenship"], "distance": 0.5},
                ],
            },
        });
        let html = release_report(&manifest, Lang::En).unwrap();
        assert!(html.contains("<td>47102</td>"), "{html}");
        assert!(html.contains("0.030"), "the mean of the one-way distances");
        assert!(
            html.contains(r#"width="75""#),
            "a bar of 0.25 × 300 px: {html}"
        );
        assert!(html.contains("gender × ageBroad × citizenship"));
        assert!(html.contains("what suppression changed"));
        assert!(
            !html.contains(&Tr::new(Lang::En).t("report-preservation")),
            "no combination metrics in this manifest, so no table"
        );
        assert!(!html.contains(&Tr::new(Lang::En).t("report-dp-private")));
    }

    #[test]
    fn the_report_shows_the_combination_metrics_and_the_guarantee() {
        let manifest = json!({
            "method": "kanon",
            "guarantee": {"achieved_k": 11, "all_combinations": {"length": 3, "records_changed": 42}},
            "evaluation": {"combinations": {
                "by_length": [{
                    "length": 2, "input_combinations": 900, "rare_input_combinations": 300,
                    "output_combinations": 610, "suppressed_percent": 1.26,
                    "fabricated_percent": 0.0, "rare_released_percent": 0.0,
                    "mean_absolute_error": 3.456,
                }],
                "preservation_by_count": [
                    {"from": 11, "to": 100, "combinations": 70, "preservation_percent": 97.14},
                    {"from": 1000, "to": null, "combinations": 5, "preservation_percent": 100.0},
                ],
            }},
        });
        let html = release_report(&manifest, Lang::En).unwrap();
        let en = Tr::new(Lang::En);
        assert!(html.contains(&en.t("report-preservation")), "{html}");
        assert!(
            html.contains("<td>900 (300)</td><td>610</td><td>1.3 %</td>"),
            "{html}"
        );
        assert!(html.contains("<td>3.5</td>"), "{html}");
        assert!(
            html.contains("<td>11–99</td><td>70</td><td>97.1 %</td>"),
            "{html}"
        );
        assert!(
            html.contains("<td>1000–</td>"),
            "an open last bucket: {html}"
        );
        assert!(
            html.contains("<td>42</td>"),
            "records changed by the guarantee: {html}"
        );
    }
}
