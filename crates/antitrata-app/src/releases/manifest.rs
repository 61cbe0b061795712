//! The JSON of a release manifest: the fields every release has, and the lists several methods
//! share. `report.rs` reads the same fields back.

use antitrata_privacy::{CombinationMetrics, Domain, MarginalDistance};
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
            "sha256": source.sha256,
        },
    });
    if let (Some(all), Value::Object(more)) = (manifest.as_object_mut(), fields) {
        all.extend(more);
    }
    Ok(manifest)
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
