//! `antitrata release`: a privacy-protected release of a dataset, written to a folder as
//! `data.csv` (the dataset's CTDC columns, quasi-identifiers generalized, suppressed records left
//! out) and `manifest.json` (method, parameters, guarantees achieved, information loss and the
//! SHA-256 of every file). Only k-anonymity exists so far.

use std::io::Write;
use std::path::{Path, PathBuf};

use antitrata_domain::stats::{Table, ctdc::EXPLOITATION_TYPES};
use antitrata_privacy::{
    CTDC_QUASI_IDENTIFIERS, Hierarchy, KAnonymityRequest, QuasiIdentifier, anonymize,
};
use antitrata_store::AuditEvent;
use anyhow::{Context, bail};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::Config;
use crate::datasets::load_named;
use crate::serve::open_store;
use crate::users::cli_actor;

/// What `release` was asked for.
#[derive(Debug)]
pub struct ReleaseRequest {
    pub dataset: String,
    pub method: String,
    pub k: usize,
    pub quasi_identifiers: Vec<String>,
    pub max_suppressed: f64,
    pub out: PathBuf,
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub async fn release(config: &Config, request: ReleaseRequest) -> anyhow::Result<()> {
    if request.method != "kanon" {
        bail!(
            "--method {}: only kanon exists so far (dp-aggregates and dp-synthetic are not built \
             yet)",
            request.method
        );
    }
    check_out_folder(&request.out)?;
    let store = open_store(config).await?;
    let (dataset, table) = load_named(&store, &request.dataset).await?;
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

    std::fs::create_dir_all(&request.out)
        .with_context(|| format!("creating {}", request.out.display()))?;
    let data = write_csv(&released.table)?;
    let data_path = request.out.join("data.csv");
    write_file(&data_path, &data)?;
    let created_at = OffsetDateTime::now_utc().format(&Rfc3339)?;
    let manifest = json!({
        "format": "antitrata-release/1",
        "software": format!("antitrata {}", env!("CARGO_PKG_VERSION")),
        "created_at": created_at,
        "method": "kanon",
        "source": {
            "dataset": dataset.name,
            "format": dataset.format,
            "sha256": dataset.content_sha256,
            "rows": dataset.rows,
        },
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
        "files": [{
            "name": "data.csv",
            "bytes": data.len(),
            "sha256": format!("{:x}", Sha256::digest(&data)),
        }],
    });
    write_file(
        &request.out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )?;
    store
        .append_audit(
            &cli_actor(),
            AuditEvent {
                action: "release.created",
                record_type: Some("dataset"),
                record_id: Some(dataset.id.to_string()),
            },
        )
        .await?;
    store.close().await;
    println!(
        "k-anonymous release of `{}` in {}: k = {} achieved (asked {}), {} of {} records \
         released, {} suppressed",
        dataset.name,
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

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file =
        std::fs::File::create_new(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}
