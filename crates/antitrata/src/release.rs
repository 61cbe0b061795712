//! `antitrata release`: a privacy-protected release of a dataset, or of a country's live cases
//! (`--cases XX --as EMAIL`, a supervisor of the country; every case read is audited as
//! `case.released`), made by `antitrata_app::releases` (the same code as the supervisors' console
//! page) and written to a new folder as `data.csv`, `report.html` and `manifest.json` (made
//! beside `--out` before anything is paid, and moved into place whole); `antitrata releases
//! list|fetch`, a country's paid releases, kept in the database, and one of them written out
//! again; and `antitrata import release`, which checks such a folder against its manifest and
//! loads it on the regional deployment.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use antitrata_app::import::{CrossTabFile, import_cross_tab};
use antitrata_app::releases::{
    Accountant, Bundle, Epsilon, Method, Order, Parameters, Payer, Randomness, ReleaseError,
    Releases, Source, crosses, table_of,
};
use antitrata_domain::policy::Action;
use antitrata_domain::stats::{DatasetId, Table};
use antitrata_domain::{CountryCode, Lang};
use antitrata_store::{NewDataset, Store};
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::Config;
use crate::datasets::load_named;
use crate::serve::{open_store, releases};
use crate::users::{account_actor, cli_actor};

/// What `release` was asked for.
#[derive(Debug)]
pub(crate) struct ReleaseRequest {
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
    /// `--accountant` as given: pure or zcdp.
    pub accountant: String,
    /// Each `--by` as given: comma-separated variables (one table of a workload).
    pub by: Vec<String>,
    pub out: PathBuf,
    /// A seed for a reproducible release (tests and audits); the manifest says it was seeded.
    pub seed: Option<u64>,
    /// Where to write a differentially private release's evaluation, outside `out`.
    pub evaluation: Option<PathBuf>,
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn release(config: &Config, request: ReleaseRequest) -> anyhow::Result<()> {
    check_out_folder(&request.out)?;
    if let Some(file) = &request.evaluation {
        check_evaluation_file(file, &request.out)?;
    }
    let method = Method::parse(&request.method).with_context(|| {
        format!(
            "--method {}: use kanon, dp-aggregates or dp-synthetic",
            request.method
        )
    })?;
    if request.all_combinations.is_some() && method != Method::Kanon {
        bail!("--all-combinations applies to --method kanon only");
    }
    let accountant = Accountant::parse(&request.accountant)
        .with_context(|| format!("--accountant {}: use pure or zcdp", request.accountant))?;
    if accountant == Accountant::Zcdp && method != Method::DpAggregates {
        bail!("--accountant zcdp applies to --method dp-aggregates only");
    }
    if request.evaluation.is_some() && !method.spends_budget() {
        bail!(
            "--evaluation applies to differentially private releases only: a k-anonymous \
             release's evaluation is in its manifest"
        );
    }
    let (payer, epsilon) = if method.spends_budget() {
        let payer = Payer {
            country: paying_country(&request)?,
            release_id: Uuid::now_v7(),
        };
        (Some(payer), Some(epsilon_of(&request)?))
    } else {
        (None, None)
    };
    let tables: Vec<Vec<String>> = request.by.iter().map(|t| table_of(t)).collect();
    if method == Method::DpAggregates && !crosses(&tables) {
        bail!(
            "--by: name one to three variables to cross, e.g. gender,ageBroad; repeat --by for \
             several tables released together"
        );
    }
    if method != Method::DpAggregates && tables.len() > 1 {
        bail!("--by: several tables are for --method dp-aggregates; name the columns in one --by");
    }
    let parameters = Parameters {
        method,
        k: request.k,
        quasi_identifiers: request.quasi_identifiers.clone(),
        max_suppressed: request.max_suppressed,
        all_combinations: request.all_combinations,
        epsilon,
        variables: tables.iter().flatten().cloned().collect(),
        tables,
        accountant,
    };
    // The folder is readied before anything is paid, and the bundle moved into it whole.
    let staging =
        Staging::new(&request.out).map_err(|e| anyhow::anyhow!("{e:#}; nothing was spent"))?;
    let store = open_store(config).await?;
    let releases = releases(config, &store);
    let (source, table) = load_source(&store, &releases, &request).await?;
    let started = std::time::Instant::now();
    let made = releases
        .make(Order {
            source: &source,
            table: Arc::new(table),
            parameters: &parameters,
            payer,
            lang: Lang::DEFAULT,
            now: OffsetDateTime::now_utc(),
            randomness: match request.seed {
                Some(seed) => Randomness::Seeded(seed),
                None => {
                    let mut bytes = [0u8; 32];
                    antitrata_store::NonceSource::fill(&crate::keys::OsRandom, &mut bytes);
                    Randomness::Fresh(bytes)
                }
            },
        })
        .await;
    store.close().await;
    let bundle = made.map_err(explain)?;
    let delivered =
        staging
            .finish(&bundle)
            .and_then(|()| match (&request.evaluation, &bundle.evaluation) {
                (Some(file), Some(evaluation)) => {
                    let json =
                        serde_json::to_vec_pretty(evaluation).context("writing the evaluation")?;
                    write_file(file, &json)
                }
                _ => Ok(()),
            });
    if let (Err(error), Some(payer)) = (&delivered, payer) {
        bail!(
            "{error:#}\nThe release was paid for and is kept in the database: `antitrata releases \
             fetch {id} --country {country} --out NEW-FOLDER` writes it again (its evaluation is \
             on the console's releases page)",
            id = payer.release_id,
            country = payer.country,
        );
    }
    delivered?;
    let mut lines = summary(&bundle, &source.name).into_iter();
    println!(
        "{} in {} ({:.1} s)",
        lines.next().unwrap_or_default(),
        request.out.display(),
        started.elapsed().as_secs_f64()
    );
    for line in lines {
        println!("  {line}");
    }
    if let Some(payer) = payer {
        println!(
            "  kept in the database as release {id}: `antitrata releases fetch {id} --country \
             {country} --out NEW-FOLDER` writes it again",
            id = payer.release_id,
            country = payer.country,
        );
    }
    Ok(())
}

/// `antitrata releases list`: the releases `country` paid for in `year` (this year by default),
/// newest first, each with whether its files are kept.
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn list_releases(
    config: &Config,
    country: &str,
    year: Option<i32>,
) -> anyhow::Result<()> {
    let country = country_of(country)?;
    let year = year.unwrap_or_else(|| OffsetDateTime::now_utc().year());
    let store = open_store(config).await?;
    let listed = store.list_spent_releases(&cli_actor(), country, year).await;
    store.close().await;
    let listed = listed?;
    if listed.is_empty() {
        println!("{country} paid for no release in {year}");
    }
    for release in listed {
        println!(
            "{}  {}  {}  {}  ε = {}  {}",
            release.release_id,
            release.recorded_at,
            release.method,
            release.source,
            release.budget.epsilon_micros as f64 / 1e6,
            if release.kept {
                "kept"
            } else {
                "not kept (paid before releases were kept)"
            },
        );
    }
    Ok(())
}

/// `antitrata releases fetch`: a paid release written again into a new or empty folder, as it
/// was made (audited as `release.downloaded`).
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn fetch_release(
    config: &Config,
    id: &str,
    country: &str,
    out: &Path,
) -> anyhow::Result<()> {
    let country = country_of(country)?;
    let release_id = Uuid::parse_str(id.trim()).ok().with_context(|| {
        format!("`{id}`: write a release id as `antitrata releases list` shows it")
    })?;
    check_out_folder(out)?;
    let staging = Staging::new(out)?;
    let store = open_store(config).await?;
    let kept = releases(config, &store)
        .kept(&cli_actor(), country, release_id)
        .await;
    store.close().await;
    let Some(bundle) = kept? else {
        bail!(
            "{country} has no kept release {release_id}: `antitrata releases list --country \
             {country}` lists those it paid for"
        );
    };
    staging.finish(&bundle)?;
    println!(
        "release {release_id} of {country} written again in {}: {}",
        out.display(),
        bundle
            .files
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

fn country_of(text: &str) -> anyhow::Result<CountryCode> {
    CountryCode::parse(text)
        .ok()
        .with_context(|| format!("--country `{text}`: write an ISO code, e.g. GT"))
}

/// A refused release in the command line's terms.
fn explain(error: ReleaseError) -> anyhow::Error {
    match error {
        ReleaseError::Dp(e) => anyhow::Error::new(e).context("--by"),
        e @ ReleaseError::NoSuchColumn { .. } => anyhow::Error::new(e).context("--by"),
        ReleaseError::KAnonymity(e) => anyhow::Error::new(e).context("--k or --quasi-identifiers"),
        other => anyhow::Error::new(other),
    }
}

/// What the release holds, from its manifest: a line, and details for k-anonymity.
fn summary(bundle: &Bundle, source: &str) -> Vec<String> {
    let m = &bundle.manifest;
    // Numbers as people write them: 4, not 4.0.
    let number = |pointer: &str| {
        m.pointer(pointer).map_or_else(
            || "-".to_owned(),
            |v| v.as_f64().map_or_else(|| v.to_string(), |f| f.to_string()),
        )
    };
    let budget = || {
        let zcdp = m.pointer("/privacy/rho").map_or_else(String::new, |_| {
            format!(
                " (zCDP: ρ = {}, (ε, δ) = ({}, {}))",
                number("/privacy/rho"),
                number("/privacy/epsilon_converted"),
                number("/privacy/delta"),
            )
        });
        format!(
            "ε = {}{zcdp} spent; {} has spent ε = {} of its {} budget of {}",
            m["privacy"]["epsilon"].as_str().unwrap_or("?"),
            m["privacy"]["budget"]["country"].as_str().unwrap_or("?"),
            number("/privacy/budget/spent_this_year_epsilon"),
            number("/privacy/budget/year"),
            number("/privacy/budget/yearly_limit_epsilon"),
        )
    };
    match m["method"].as_str() {
        Some("kanon") => {
            let mut lines = vec![format!(
                "k-anonymous release of `{source}`: k = {} achieved (asked {}), {} of {} records \
                 released, {} suppressed",
                number("/guarantee/achieved_k"),
                number("/parameters/k"),
                number("/rows/output"),
                number("/rows/input"),
                number("/rows/suppressed"),
            )];
            for qi in m["quasi_identifiers"].as_array().into_iter().flatten() {
                lines.push(format!(
                    "{}: generalized to level {} of {}",
                    qi["column"].as_str().unwrap_or("?"),
                    qi["level"],
                    qi["height"]
                ));
            }
            if let Some(all) = m
                .pointer("/guarantee/all_combinations")
                .filter(|a| !a.is_null())
            {
                let withheld: u64 = all["withheld_cells"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|w| w["cells"].as_u64())
                    .sum();
                lines.push(format!(
                    "all combinations of up to {} values occur in at least {} input records: \
                     {withheld} cells withheld in {} records",
                    all["length"], all["k"], all["records_changed"]
                ));
            }
            lines
        }
        Some("dp-aggregates") => {
            let tables: Vec<String> = m
                .pointer("/workload/tables")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .map(|t| {
                    let variables: Vec<&str> = t["variables"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(serde_json::Value::as_str)
                        .collect();
                    format!(
                        "{} ({})",
                        variables.join(" × "),
                        t["file"].as_str().unwrap_or("?")
                    )
                })
                .collect();
            let mut lines = vec![format!(
                "ε-differentially private cross-tab of `{source}` by {} ({} cells): {}",
                variables(m).join(" × "),
                number("/released/cells"),
                budget()
            )];
            if !tables.is_empty() {
                lines.push(format!(
                    "tables released together, each a sum of data.csv: {}",
                    tables.join("; ")
                ));
            }
            lines
        }
        _ => {
            // The evaluation is the releasing office's, shown here and never in the bundle.
            let evaluation = bundle.evaluation.as_ref();
            let mean = |pointer: &str| {
                evaluation
                    .and_then(|e| e.pointer(pointer))
                    .and_then(serde_json::Value::as_f64)
                    .map_or_else(|| "-".to_owned(), |d| format!("{d:.3}"))
            };
            vec![format!(
                "ε-differentially private synthetic records of `{source}`: {} records over {} \
                 variables; mean total variation distance {} (1-way), {} (2-way), {} (3-way); {}",
                number("/released/rows"),
                variables(m).len(),
                mean("/mean_total_variation/one_way"),
                mean("/mean_total_variation/two_way"),
                mean("/mean_total_variation/three_way"),
                budget()
            )]
        }
    }
}

/// The variables a differentially private release's manifest lists.
fn variables(manifest: &serde_json::Value) -> Vec<&str> {
    manifest["variables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["column"].as_str())
        .collect()
}

async fn load_source(
    store: &Store,
    releases: &Releases,
    request: &ReleaseRequest,
) -> anyhow::Result<(Source, Table)> {
    let (Some(country), None) = (&request.cases, &request.dataset) else {
        let name = request
            .dataset
            .as_deref()
            .context("--dataset or --cases: name what to release")?;
        let (dataset, table) = load_named(store, name).await?;
        let source = Source::dataset(dataset, cli_actor());
        return Ok((source, table));
    };
    let code = CountryCode::parse(country)
        .ok()
        .with_context(|| format!("--cases `{country}`: write an ISO code, e.g. GT"))?;
    let account = request
        .account
        .as_deref()
        .context("--as: the e-mail of the supervisor releasing the country's cases")?;
    let actor = account_actor(store, account, Action::MakeReleases).await?;
    releases
        .live_cases(&actor, code)
        .await
        .with_context(|| format!("--as {account} releasing {code}'s cases"))
}

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

/// `--epsilon`, a positive decimal.
fn epsilon_of(request: &ReleaseRequest) -> anyhow::Result<Epsilon> {
    let text = request
        .epsilon
        .as_deref()
        .context("--epsilon: the privacy budget this release spends, e.g. 1.0")?;
    Epsilon::parse(text)
        .with_context(|| format!("--epsilon {text}: write a positive decimal, e.g. 0.5"))
}

/// A release's folder while it is written: a new folder beside `out`, made before anything is
/// paid (so a path that cannot hold a folder refuses the release first) and moved to `out` whole
/// once every file is on disk; dropped unfinished, it is removed.
struct Staging {
    out: PathBuf,
    parent: PathBuf,
    dir: tempfile::TempDir,
}

impl Staging {
    fn new(out: &Path) -> anyhow::Result<Staging> {
        let parent = match out.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let dir = std::fs::create_dir_all(parent)
            .and_then(|()| {
                tempfile::Builder::new()
                    .prefix(".antitrata-release-")
                    .tempdir_in(parent)
            })
            .with_context(|| {
                format!(
                    "--out {}: no folder can be made in {}; choose another",
                    out.display(),
                    parent.display()
                )
            })?;
        Ok(Staging {
            out: out.to_path_buf(),
            parent: parent.to_path_buf(),
            dir,
        })
    }

    /// Writes the bundle's files, each synced, then moves the folder to `out` (replacing it if it
    /// is an empty folder).
    fn finish(self, bundle: &Bundle) -> anyhow::Result<()> {
        for (name, bytes) in &bundle.files {
            write_file(&self.dir.path().join(name), bytes)?;
        }
        if self.out.is_dir() {
            std::fs::remove_dir(&self.out)
                .with_context(|| format!("replacing the empty folder {}", self.out.display()))?;
        }
        std::fs::rename(self.dir.path(), &self.out).with_context(|| {
            format!(
                "moving the release from {} to {}",
                self.dir.path().display(),
                self.out.display()
            )
        })?;
        // Moved: nothing is left to remove. The move itself is made durable too.
        let _moved = self.dir.keep();
        std::fs::File::open(&self.parent)
            .and_then(|folder| folder.sync_all())
            .with_context(|| format!("syncing {}", self.parent.display()))
    }
}

/// Checks a release folder against its manifest and imports its data as a dataset: k-anonymous
/// and synthetic records as they are, a differentially private cross-tab as one record per unit
/// counted ([`import_counts`]).
pub(crate) async fn import_release(
    config: &Config,
    dir: &Path,
    dataset: Option<String>,
    test: bool,
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
    if let Some(seed) = manifest
        .pointer("/seeded/seed")
        .and_then(serde_json::Value::as_u64)
        && !test
    {
        bail!(
            "{} was made with --seed {seed}: anyone with the seed can recompute its noise, so it \
             is not a release to load as data; it loads only as a test (--test)",
            dir.display()
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

/// Loads a differentially private cross-tab (its variables, then `count`) as a dataset of
/// records (`antitrata_app::import::import_cross_tab`: each cell's released count becomes that
/// many records of the cell's values).
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
async fn import_counts(config: &Config, path: &Path, name: String) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    let file = CrossTabFile::parse(&bytes)?;
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
        columns: file.variables.clone(),
        ignored_columns: Vec::new(),
    };
    let dataset = import_cross_tab(&store, &cli_actor(), new, &file, sha256).await;
    store.close().await;
    let dataset = dataset?;
    println!(
        "imported `{}`: {} rows ({} cells of the cross-tab by {}), format {}",
        dataset.name,
        dataset.rows,
        file.cells.len(),
        dataset.columns.join(" × "),
        dataset.format
    );
    Ok(())
}

/// Every file the manifest lists has its recorded size and SHA-256.
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
/// Refuses an evaluation file that exists already or would land in the bundle's folder, where
/// it would travel with the release.
fn check_evaluation_file(file: &Path, out: &Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!(
            "--evaluation {}: the file exists; name a new one",
            file.display()
        );
    }
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let folder = absolute(file).parent().map(Path::to_path_buf);
    if !folder.as_deref().is_some_and(Path::is_dir) {
        bail!(
            "--evaluation {}: its folder does not exist; name a file in an existing folder",
            file.display()
        );
    }
    if absolute(file).starts_with(absolute(out)) {
        bail!(
            "--evaluation {}: not inside the release's folder {}, which is sent away; the \
             evaluation is not private and stays in the country",
            file.display(),
            out.display()
        );
    }
    Ok(())
}

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

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file =
        std::fs::File::create_new(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}
