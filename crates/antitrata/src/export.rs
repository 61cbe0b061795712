//! `antitrata export ctdc|htcds --country XX --as EMAIL [--from DAY --to DAY] --out FILE`: a
//! country's cases as statistical records, read and written by `antitrata_app::export` (CTDC's
//! Global Dataset as CSV or Parquet, which imports back with `antitrata import ctdc`; HTCDS as
//! CSV, JSON or Parquet). Only the country's supervisors export; every case exported is audited
//! under their account. The file is written beside its destination and moved into place when
//! complete, readable by its owner only, and an existing file is never overwritten.

use std::path::{Path, PathBuf};

use antitrata_app::export::{self, FileFormat, Standard};
use antitrata_domain::CountryCode;
use antitrata_domain::policy::Action;
use antitrata_store::{OpenedBetween, StoreError};
use anyhow::{Context, bail};

use crate::config::Config;
use crate::serve::open_store;
use crate::users::account_actor;

/// What `antitrata export` was asked for, as typed.
#[derive(Debug)]
pub(crate) struct ExportRequest {
    pub standard: Standard,
    pub country: String,
    pub account: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub out: PathBuf,
    /// Defaults to the file name's extension (`.parquet`, `.json`), else CSV.
    pub format: Option<FileFormat>,
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn export(config: &Config, request: ExportRequest) -> anyhow::Result<()> {
    let country = CountryCode::parse(&request.country).ok().with_context(|| {
        format!(
            "--country `{}`: write an ISO code, e.g. GT",
            request.country
        )
    })?;
    let between = OpenedBetween {
        from: day(request.from.as_deref(), "--from")?,
        to: day(request.to.as_deref(), "--to")?,
    };
    if let (Some(from), Some(to)) = (between.from, between.to)
        && from > to
    {
        bail!("--from {from} is after --to {to}");
    }
    let format = request.format.unwrap_or_else(|| format_of(&request.out));
    export::check(request.standard, format)?;
    if request.out.exists() {
        bail!(
            "{} exists already: choose a new file name (an export never overwrites)",
            request.out.display()
        );
    }
    let folder = match request.out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };

    let store = open_store(config).await?;
    let actor = account_actor(&store, &request.account, Action::ExportCases).await?;
    let records = export::records(&store, &actor, country, between)
        .await
        .map_err(|e| match e {
            StoreError::OutOfScope => anyhow::anyhow!(
                "--as {} cannot export {country}'s cases: the account belongs to another country",
                request.account
            ),
            other => anyhow::Error::new(other).context("reading the cases"),
        });
    store.close().await;
    let records = records?;

    // Written beside the destination (same file system), then moved into place when complete.
    let mut file = tempfile::NamedTempFile::new_in(&folder)
        .with_context(|| format!("creating a file in {}", folder.display()))?;
    export::write(&records, request.standard, format, &mut file)?;
    file.as_file().sync_all()?;
    file.persist_noclobber(&request.out)
        .map_err(|e| e.error)
        .with_context(|| format!("moving the export to {}", request.out.display()))?;
    let cases = {
        let mut references: Vec<_> = records.iter().map(|r| r.case).collect();
        references.dedup();
        references.len()
    };
    println!(
        "{} records (one per victim) of {cases} cases of {country} written to {}",
        records.len(),
        request.out.display()
    );
    Ok(())
}

fn day(text: Option<&str>, flag: &str) -> anyhow::Result<Option<time::Date>> {
    text.map(|t| {
        time::Date::parse(t, time::macros::format_description!("[year]-[month]-[day]"))
            .with_context(|| format!("{flag} `{t}`: write the day as YYYY-MM-DD"))
    })
    .transpose()
}

fn format_of(path: &Path) -> FileFormat {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(FileFormat::parse)
        .unwrap_or(FileFormat::Csv)
}

/// `--standard` as typed: `ctdc` or `htcds`.
pub(crate) fn standard(text: &str) -> Result<Standard, String> {
    Standard::parse(text).ok_or_else(|| "write ctdc or htcds".to_owned())
}

/// `--format` as typed: `csv`, `json` or `parquet`.
pub(crate) fn file_format(text: &str) -> Result<FileFormat, String> {
    FileFormat::parse(text).ok_or_else(|| "write csv, json or parquet".to_owned())
}
