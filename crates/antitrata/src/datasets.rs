//! `antitrata import ctdc`, `antitrata dataset list|drop` and `antitrata stats`: statistical
//! datasets from CTDC files, and cross-tabulations over them or over a country's live cases.
//!
//! An import streams the file (memory stays bounded by one chunk of rows), writes every chunk
//! into one transaction, and commits only at the end: the first bad row stops it and nothing is
//! stored, unless `--skip-invalid` leaves bad rows out and reports each of them.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};

use antitrata_app::import::{self, Import, ImportError, Imported};
use antitrata_app::statistics::{self, AnswerError, Asked, Question, QuestionError};
use antitrata_domain::CountryCode;
use antitrata_domain::policy::Action;
use antitrata_domain::stats::{
    Dataset, DatasetId, ReadError, Table, check_dataset_name, cross_tabulate,
};
use antitrata_store::Store;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Config;
use crate::serve::open_store;
use crate::users::{account_actor, cli_actor};

/// What `import ctdc` was asked for.
#[derive(Debug)]
pub(crate) struct ImportRequest {
    pub file: PathBuf,
    pub dataset: Option<String>,
    pub skip_invalid: bool,
    /// For releases: columns whose values were generalized, accepted as any text.
    pub any_text: Vec<String>,
    /// For releases: the format recorded instead of the file's CTDC format.
    pub format: Option<String>,
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn import_ctdc(config: &Config, request: ImportRequest) -> anyhow::Result<()> {
    let path = request.file.clone();
    let name = match &request.dataset {
        Some(name) => name.clone(),
        None => path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned(),
    };
    check_dataset_name(&name).with_context(|| format!("dataset name `{name}` (--dataset)"))?;
    let store = open_store(config).await?;
    if let Some(existing) = store.find_dataset(&name).await? {
        let same = store.find_dataset_by_content(&file_sha256(&path)?).await?;
        if same.is_some_and(|same| same.id == existing.id) {
            println!("{}", already_imported(&path, &existing));
            return Ok(());
        }
        bail!(
            "a dataset named `{name}` exists already with other content: choose another name \
             with --dataset, or drop it first with `antitrata dataset drop {name}`"
        );
    }
    let file = File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let import = Import {
        reader: BufReader::with_capacity(1 << 16, file),
        id: DatasetId(Uuid::now_v7()),
        name,
        file_name: path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned(),
        skip_invalid: request.skip_invalid,
        any_text: request.any_text,
        format: request.format,
    };
    let progress = progress_bar(bytes);
    let imported = import::import_ctdc(&store, &cli_actor(), import, |byte| {
        progress.set_position(byte);
    })
    .await;
    progress.finish_and_clear();
    let imported = match imported {
        Ok(imported) => imported,
        Err(e) => {
            store.close().await;
            return Err(refused(e, &path));
        }
    };
    store.close().await;
    let (dataset, skipped, bad_rows) = match imported {
        Imported::Already(existing) => {
            println!("{}", already_imported(&path, &existing));
            return Ok(());
        }
        Imported::New {
            dataset,
            skipped,
            bad_rows,
        } => (dataset, skipped, bad_rows),
    };
    println!(
        "imported `{}`: {} rows, {} columns, format {}",
        dataset.name,
        dataset.rows,
        dataset.columns.len(),
        dataset.format
    );
    if !dataset.ignored_columns.is_empty() {
        println!(
            "left out columns that are no CTDC variable: {}",
            dataset.ignored_columns.join(", ")
        );
    }
    if skipped > 0 {
        println!("skipped {skipped} bad rows:");
        for bad in &bad_rows {
            println!("  {bad}");
        }
        if skipped > bad_rows.len() as u64 {
            println!("  … and {} more", skipped - bad_rows.len() as u64);
        }
    }
    Ok(())
}

/// A refused import in the command line's terms; nothing was stored.
fn refused(error: ImportError, path: &Path) -> anyhow::Error {
    match error {
        ImportError::Read(ReadError::Empty) => anyhow::anyhow!(
            "{} is empty: a CTDC file starts with a header line",
            path.display()
        ),
        ImportError::Read(ReadError::Csv(e)) => {
            anyhow::anyhow!("reading {}: {e}\n{NOTHING_IMPORTED}", path.display())
        }
        ImportError::Read(e) => anyhow::anyhow!("{e}"),
        ImportError::BadRow(bad) => anyhow::anyhow!("{bad}\n{NOTHING_IMPORTED}"),
        ImportError::Store(e) => anyhow::Error::new(e).context("storing the dataset"),
        ImportError::Stopped => anyhow::anyhow!(
            "the import of {} stopped before it was stored: import it again",
            path.display()
        ),
    }
}

fn already_imported(path: &Path, existing: &Dataset) -> String {
    format!(
        "{} was imported already as `{}` ({} rows): nothing to do",
        path.display(),
        existing.name,
        existing.rows
    )
}

const NOTHING_IMPORTED: &str =
    "nothing was imported: fix the file, or pass --skip-invalid to leave bad rows out";

fn file_sha256(path: &Path) -> anyhow::Result<[u8; 32]> {
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file
            .read(&mut buffer)
            .with_context(|| format!("reading {}", path.display()))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher.finalize().into())
}

/// A progress bar on a terminal; nothing when the output goes elsewhere.
fn progress_bar(bytes: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(bytes);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})")
    {
        bar.set_style(style);
    }
    bar
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn list(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let datasets = store.list_datasets().await?;
    if datasets.is_empty() {
        println!("no datasets: import one with `antitrata import ctdc FILE`");
    }
    for d in datasets {
        println!(
            "{}\t{}\t{} rows\t{} skipped\t{} columns\timported {} by {} from {} (sha256 {})",
            d.name,
            d.format,
            d.rows,
            d.skipped_rows,
            d.columns.len(),
            d.imported_at,
            d.imported_by,
            d.file_name,
            d.content_sha256
        );
    }
    store.close().await;
    Ok(())
}

/// A dataset by name or id, or an error that says how to find the names.
pub(crate) async fn find_named(store: &Store, name: &str) -> anyhow::Result<Dataset> {
    store.find_dataset(name).await?.with_context(|| {
        format!("there is no dataset `{name}`: `antitrata dataset list` shows them")
    })
}

/// A dataset and its rows.
pub(crate) async fn load_named(store: &Store, name: &str) -> anyhow::Result<(Dataset, Table)> {
    let dataset = find_named(store, name).await?;
    let table = store
        .load_dataset(dataset.id)
        .await?
        .context("the dataset was dropped meanwhile")?;
    Ok((dataset, table))
}

/// The most frequent values `dataset show` lists per column.
const SHOWN_VALUES: usize = 5;

/// Describes a dataset: where it came from, and each column's values with their counts.
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn show(config: &Config, name: &str) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let (d, table) = load_named(&store, name).await?;
    store.close().await;
    println!("dataset   {} ({})", d.name, d.id);
    println!("format    {}", d.format);
    println!("file      {} (sha256 {})", d.file_name, d.content_sha256);
    println!("imported  {} by {}", d.imported_at, d.imported_by);
    println!("rows      {} ({} bad rows skipped)", d.rows, d.skipped_rows);
    if !d.ignored_columns.is_empty() {
        println!("left out  {}", d.ignored_columns.join(", "));
    }
    println!();
    for column in table.columns() {
        let mut tab = cross_tabulate(&table, &[column.name.as_str()], &[])?;
        let missing = tab.count(&[None]);
        tab.cells.retain(|c| c.values[0].is_some());
        let distinct = tab.cells.len();
        tab.cells.sort_by_key(|c| std::cmp::Reverse(c.count));
        let top: Vec<String> = tab
            .cells
            .iter()
            .take(SHOWN_VALUES)
            .map(|c| format!("{} {}", c.values[0].as_deref().unwrap_or_default(), c.count))
            .collect();
        let more = if distinct > SHOWN_VALUES { ", …" } else { "" };
        println!(
            "{}: {distinct} values, {missing} missing; {}{more}",
            column.name,
            top.join(", ")
        );
    }
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn drop_dataset(config: &Config, name: &str) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let dataset = find_named(&store, name).await?;
    store.drop_dataset(&cli_actor(), dataset.id).await?;
    println!("dropped `{}` ({} rows)", dataset.name, dataset.rows);
    store.close().await;
    Ok(())
}

/// What `antitrata stats` counts.
#[derive(Debug)]
pub(crate) enum StatsSource {
    /// A dataset, by name or id.
    Dataset(String),
    /// A country's live cases, in the name of an account of that country.
    Cases { country: String, account: String },
}

/// What `antitrata stats` was asked for.
#[derive(Debug)]
pub(crate) struct StatsRequest {
    pub source: StatsSource,
    pub by: Vec<String>,
    /// The year range as typed; empty for none.
    pub from_year: String,
    pub to_year: String,
    /// `column=value` filters; several for one column keep any of the values.
    pub filters: Vec<String>,
}

/// Prints a cross-tabulation of a dataset as CSV: one column per variable (empty = missing),
/// then `count` and `percent`.
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn stats(config: &Config, request: StatsRequest) -> anyhow::Result<()> {
    let question = question_of(&request)?;
    let store = open_store(config).await?;
    let table = match &request.source {
        StatsSource::Dataset(name) => load_named(&store, name).await.map(|(_, table)| table),
        StatsSource::Cases { country, account } => live_cases(&store, country, account).await,
    };
    store.close().await;
    let tab = statistics::answer(&table?, &question).map_err(|e| match e {
        AnswerError::NoYearColumn => {
            anyhow::anyhow!("--from-year/--to-year: the dataset has no year column")
        }
        AnswerError::CrossTab(e) => e.into(),
    })?;
    print!("{}", tab.to_csv()?);
    Ok(())
}

/// The live cases of a country as a table, read in the name of one of its accounts.
async fn live_cases(store: &Store, country: &str, account: &str) -> anyhow::Result<Table> {
    let code = CountryCode::parse(country)
        .ok()
        .with_context(|| format!("--cases `{country}`: write an ISO code, e.g. GT"))?;
    let actor = account_actor(store, account, Action::CountLiveCases).await?;
    statistics::live_cases(store, &actor, code)
        .await
        .with_context(|| format!("--as {account} counting {code}'s cases"))
}

/// The question the flags ask, read as the console and the API read theirs.
fn question_of(request: &StatsRequest) -> anyhow::Result<Question> {
    let mut keep: Vec<(&str, Vec<Option<&str>>)> = Vec::new();
    for filter in &request.filters {
        let Some((column, value)) = filter.split_once('=') else {
            bail!("--where `{filter}`: write it as column=value (empty value for missing)");
        };
        let value = (!value.is_empty()).then_some(value);
        match keep.iter_mut().find(|(c, _)| *c == column) {
            Some((_, values)) => values.push(value),
            None => keep.push((column, vec![value])),
        }
    }
    let asked = Asked {
        by: request.by.iter().map(String::as_str).collect(),
        from_year: &request.from_year,
        to_year: &request.to_year,
        keep,
    };
    Question::parse(&asked).map_err(|e| match e {
        QuestionError::Year { which, text } => {
            anyhow::anyhow!("--{which}-year {text}: write a year from 1900 to 2100, e.g. 2016")
        }
    })
}
