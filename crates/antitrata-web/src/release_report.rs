//! The human-readable report of a privacy-protected release (`report.html` in its bundle): what
//! was released, from what, under which guarantee, and how far it is from the data, all read from
//! the release's manifest so the two cannot disagree.

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
    ("report-epsilon", "/privacy/epsilon"),
    ("report-delta", "/privacy/delta"),
    ("report-mechanism", "/privacy/mechanism"),
    ("report-budget-country", "/privacy/budget/country"),
    (
        "report-budget-spent",
        "/privacy/budget/spent_this_year_epsilon",
    ),
    ("report-k", "/parameters/k"),
    ("report-k-achieved", "/guarantee/achieved_k"),
    ("report-rows", "/rows"),
    ("report-rows", "/rows/output"),
    ("report-suppressed", "/rows/suppressed"),
    ("report-rows-exact", "/evaluation/exact_rows"),
    ("report-mae", "/evaluation/mean_absolute_error_per_cell"),
];

/// Marginals listed as the farthest from the data, at most.
const WORST: usize = 10;

#[derive(Template)]
#[template(path = "release_report.html")]
struct ReportPage {
    tr: Tr,
    method: String,
    facts: Vec<(String, String)>,
    /// Per marginal size: label, mean distance as text, bar width in pixels (0–300).
    means: Vec<(String, String, u32)>,
    /// The farthest marginals: variables, distance.
    worst: Vec<(String, String)>,
    note: Option<String>,
}

/// Renders the report of the release `manifest` describes, in `lang`.
pub fn release_report(manifest: &Value, lang: Lang) -> Result<String, askama::Error> {
    let tr = Tr::new(lang);
    let facts = FACTS
        .iter()
        .filter_map(|(label, pointer)| {
            let value = manifest.pointer(pointer)?;
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                _ => return None,
            };
            Some((tr.t(label), text))
        })
        .collect();
    let distances: Vec<(Vec<String>, f64)> = manifest
        .pointer("/evaluation/total_variation")
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
                tr.t1("report-marginals-of", "count", &size.to_string()) + &format!(" ({count})"),
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
    ReportPage {
        method: manifest["method"].as_str().unwrap_or("?").to_owned(),
        facts,
        means,
        worst,
        note: manifest
            .pointer("/evaluation/note")
            .and_then(Value::as_str)
            .map(str::to_owned),
        tr,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_report_shows_the_guarantee_and_every_marginal_size() {
        let manifest = json!({
            "method": "dp-synthetic",
            "source": {"dataset": "ctdc-2017"},
            "privacy": {"epsilon": "4", "delta": 0, "budget": {"country": "GT"}},
            "rows": 47_099,
            "evaluation": {
                "note": "not itself differentially private",
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
        assert!(html.contains("dp-synthetic"), "{html}");
        assert!(html.contains("<td>ctdc-2017</td>"), "{html}");
        assert!(html.contains("<td>47099</td>"), "{html}");
        assert!(html.contains("<td>47102</td>"), "{html}");
        assert!(html.contains("0.030"), "the mean of the one-way distances");
        assert!(
            html.contains(r#"width="75""#),
            "a bar of 0.25 × 300 px: {html}"
        );
        assert!(html.contains("gender × ageBroad × citizenship"));
        assert!(html.contains("not itself differentially private"));
        let spanish = release_report(&manifest, Lang::Es).unwrap();
        assert!(spanish.contains("lang=\"es\""));
        assert_ne!(spanish, html);
    }
}
