//! `antitrata`: one binary for the public site, the console, the JSON API and the CLI.
//!
//! This crate alone reads files, the environment and the clock; it parses the configuration once
//! and passes it down.

// The clock and the random source are read here, and handed down (clippy.toml refuses them in
// every other crate).
#![allow(
    clippy::disallowed_methods,
    reason = "the binary is where the clock and randomness come from"
)]

mod audit;
mod backup;
mod config;
mod datasets;
mod demo;
mod export;
mod keys;
mod logging;
mod release;
mod serve;
mod tokens;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "antitrata",
    version,
    about = "Counter-trafficking hotline network of the RCM countries"
)]
struct Cli {
    /// Configuration file (TOML); see antitrata.example.toml.
    #[arg(long, global = true, env = "ANTITRATA_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DATABASE.
    #[arg(
        long,
        global = true,
        env = "ANTITRATA_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    database: Option<String>,
    /// Data-key file (created with mode 0600 on first start). Keep it out of database backups.
    #[arg(long, global = true, env = "ANTITRATA_KEY_FILE", value_name = "FILE")]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web service (public site, API); migrates and seeds the database first.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ANTITRATA_ADDR", value_name = "HOST:PORT")]
        addr: Option<String>,
        /// Serve Prometheus metrics at /metrics on this other address (off by default; keep it
        /// private, e.g. 127.0.0.1:9464).
        #[arg(long, env = "ANTITRATA_METRICS_ADDR", value_name = "HOST:PORT")]
        metrics_addr: Option<String>,
    },
    /// Apply database migrations and seed the reference directory if it is empty, then exit.
    Migrate,
    /// Validate the configuration and print it with secrets hidden; the database is not contacted.
    CheckConfig,
    /// Manage the data keys that seal personal fields.
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Fill a country's hotline with clearly fake work (names end in "(demo)") to try the
    /// console, the API and the benchmarks at scale. The same seed makes the same records.
    DemoData {
        /// ISO code of the country, e.g. GT.
        #[arg(long)]
        country: String,
        /// How many cases (each with a screened contact, a person, a follow-up, and often a
        /// consent and a referral).
        #[arg(long, default_value_t = 1000)]
        cases: u64,
        /// Contacts per case on average.
        #[arg(long, default_value_t = 3)]
        contacts_per_case: u32,
        /// The random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Manage the JSON API's bearer tokens of service accounts.
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Import a statistical dataset.
    Import {
        #[command(subcommand)]
        source: ImportCommand,
    },
    /// List or drop statistical datasets.
    Dataset {
        #[command(subcommand)]
        action: DatasetCommand,
    },
    /// Cross-tabulate one to three variables of a dataset, or of a country's live cases; prints
    /// CSV (an empty cell is missing).
    Stats {
        /// The dataset's name or id.
        #[arg(long, required_unless_present = "cases", conflicts_with = "cases")]
        dataset: Option<String>,
        /// Count the live cases of this country (ISO code, e.g. GT) instead of a dataset.
        #[arg(long, requires = "account")]
        cases: Option<String>,
        /// With --cases: the e-mail of the account whose country and role allow it.
        #[arg(long = "as", value_name = "EMAIL")]
        account: Option<String>,
        /// The variables to cross, comma-separated (one to three), e.g. gender,ageBroad.
        #[arg(long, value_delimiter = ',', required = true)]
        by: Vec<String>,
        /// Count only records registered in this year or later (1900 to 2100).
        #[arg(long, value_name = "YEAR", default_value = "")]
        from_year: String,
        /// Count only records registered in this year or earlier (1900 to 2100).
        #[arg(long, value_name = "YEAR", default_value = "")]
        to_year: String,
        /// Keep only records with column=value; repeat for several values or columns.
        #[arg(long = "where", value_name = "COLUMN=VALUE")]
        filters: Vec<String>,
    },
    /// Write a country's cases as statistical records, one per victim per case, in CTDC's or
    /// HTCDS's form. No name, phone, address, date of birth or free text is written. Only the
    /// country's supervisors may; every case exported is audited.
    Export {
        /// ctdc (the Global Dataset's 63 variables; imports back with `import ctdc`) or htcds.
        #[arg(value_parser = export::standard)]
        standard: antitrata_app::export::Standard,
        /// ISO code of the country, e.g. GT.
        #[arg(long)]
        country: String,
        /// The e-mail of the supervisor account the export is made by.
        #[arg(long = "as", value_name = "EMAIL")]
        account: String,
        /// Cases opened on or after this day (YYYY-MM-DD, UTC).
        #[arg(long)]
        from: Option<String>,
        /// Cases opened on or before this day (YYYY-MM-DD, UTC).
        #[arg(long)]
        to: Option<String>,
        /// A new file; never overwritten.
        #[arg(long)]
        out: PathBuf,
        /// csv, json (htcds only) or parquet; by default from the file's extension, else csv.
        #[arg(long, value_parser = export::file_format)]
        format: Option<antitrata_app::export::FileFormat>,
    },
    /// Write a privacy-protected release of a dataset, or of a country's live cases, into a new
    /// folder: data.csv and manifest.json.
    Release {
        /// The dataset's name or id.
        #[arg(long, required_unless_present = "cases", conflicts_with = "cases")]
        dataset: Option<String>,
        /// Release the live cases of this country (ISO code, e.g. GT) instead of a dataset.
        #[arg(long, requires = "account")]
        cases: Option<String>,
        /// With --cases: the e-mail of a supervisor of that country; every case is audited.
        #[arg(long = "as", value_name = "EMAIL")]
        account: Option<String>,
        /// kanon (k-anonymity), dp-aggregates (an ε-differentially private cross-tab) or
        /// dp-synthetic (ε-differentially private synthetic records).
        #[arg(long, default_value = "kanon")]
        method: String,
        /// Every combination of quasi-identifier values released is shared by at least k records.
        #[arg(long, default_value_t = 11)]
        k: usize,
        /// The quasi-identifiers, comma-separated (default: CTDC's: year, data source, gender,
        /// age band, citizenship, country of exploitation).
        #[arg(long = "qi", value_delimiter = ',')]
        quasi_identifiers: Vec<String>,
        /// The largest share of records that may be suppressed, 0 to 1 (kanon).
        #[arg(long, default_value_t = antitrata_app::releases::DEFAULT_MAX_SUPPRESSED)]
        max_suppressed: f64,
        /// kanon: also give SDS's all-combinations guarantee: every combination of up to this
        /// many values (1 to 4) left in a released record occurs in at least k input records;
        /// cells that would break it are withheld (`*`).
        #[arg(long, value_name = "LENGTH")]
        all_combinations: Option<usize>,
        /// The country whose yearly privacy budget pays (dp-aggregates, dp-synthetic), e.g. GT;
        /// with --cases, that country.
        #[arg(long)]
        country: Option<String>,
        /// The privacy budget the release spends (dp-aggregates, dp-synthetic), e.g. 1.0.
        #[arg(long)]
        epsilon: Option<String>,
        /// How a dp-aggregates release accounts for its budget: `pure` (discrete Laplace, δ = 0)
        /// or `zcdp` (discrete Gaussian; spends ε at the country's δ, privacy.delta, and the
        /// year's zCDP releases are converted together, so several cost less than their sum).
        #[arg(long, default_value = "pure", value_name = "pure|zcdp")]
        accountant: String,
        /// The variables to cross (dp-aggregates), comma-separated, one to three; repeat for
        /// several tables released together, consistent and paid once (`--by gender,ageBroad
        /// --by gender,ageBroad,citizenship`). For dp-synthetic the columns to synthesize
        /// (default: every column with a codebook domain).
        #[arg(long, value_name = "VARIABLES")]
        by: Vec<String>,
        /// A new or empty folder.
        #[arg(long)]
        out: PathBuf,
        /// Reproducible noise for tests and audits: the same input and seed give the same data.
        /// The manifest says the release was seeded, and `import release` takes it only with
        /// --test.
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Also write a differentially private release's evaluation against the exact data
        /// (not itself private; never part of the bundle) to this new file, outside --out, for
        /// the releasing office. It is kept in the database beside the release's spend too.
        #[arg(long, value_name = "FILE")]
        evaluation: Option<PathBuf>,
    },
    /// Write a consistent copy of the embedded SQLite database into a new file, while the service
    /// runs. The data keys are not in it: back up the key file apart. (PostgreSQL: pg_dump.)
    Backup {
        /// A new file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a SQLite backup in place of a missing database, once it passes the integrity check,
    /// opens with the data keys (copy the key file in place first) and its audit log verifies.
    Restore {
        /// The backup, made by `antitrata backup`.
        file: PathBuf,
    },
    /// The differentially private releases a country paid for, kept in the database with their
    /// files: list them, or write one out again.
    Releases {
        #[command(subcommand)]
        action: ReleasesCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ReleasesCommand {
    /// A country's paid releases of a year, newest first: id, when, method, source, ε.
    List {
        /// ISO code of the country, e.g. GT.
        #[arg(long)]
        country: String,
        /// The year (default: this year).
        #[arg(long)]
        year: Option<i32>,
    },
    /// Write a paid release into a new or empty folder again, as it was made.
    Fetch {
        /// The release's id, as `releases list` or `release` printed it.
        id: String,
        /// ISO code of the country that paid for it, e.g. GT.
        #[arg(long)]
        country: String,
        /// A new or empty folder.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// A CTDC file: the Global Dataset (k-anonymised, any release or projection) or the
    /// victim-perpetrator synthetic dataset. Importing the same file again does nothing.
    Ctdc {
        file: PathBuf,
        /// The dataset's name (defaults to the file name without extension).
        #[arg(long)]
        dataset: Option<String>,
        /// Leave bad rows out and list them, instead of stopping at the first one.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// A release made by `antitrata release` (on the regional deployment): its files are
    /// checked against the manifest's SHA-256 before anything is stored. Record releases load
    /// as they are; a cross-tab loads as one record per unit counted in each cell.
    Release {
        /// The release folder (data.csv and manifest.json).
        dir: PathBuf,
        /// The dataset's name (defaults to release-<source dataset>).
        #[arg(long)]
        dataset: Option<String>,
        /// Load a bundle made with --seed (its noise can be recomputed by anyone with the seed):
        /// for tests only.
        #[arg(long)]
        test: bool,
    },
}

#[derive(Debug, Subcommand)]
enum DatasetCommand {
    /// List the datasets with their size, origin and content hash.
    List,
    /// Describe a dataset: its origin, and each column's values with their counts.
    Show {
        /// The dataset's name or id.
        name: String,
    },
    /// Delete a dataset and its records.
    Drop {
        /// The dataset's name or id.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Add a new key, make it current, and re-encrypt every sealed field with it.
    Rotate {
        /// Rows re-encrypted per transaction.
        #[arg(long, default_value_t = 500)]
        batch: i64,
    },
    /// Finish an interrupted rotation: re-encrypt what is not yet on the current key.
    Reseal {
        #[arg(long, default_value_t = 500)]
        batch: i64,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account and print its one-time setup link.
    Add {
        #[arg(long)]
        email: String,
        /// operator, caseworker, supervisor, country-admin, regional-analyst, campaign-editor or
        /// system-admin; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// ISO code of the country, for country roles (e.g. GT).
        #[arg(long)]
        country: Option<String>,
        /// The name shown in the console (defaults to the part of the e-mail before @).
        #[arg(long)]
        name: Option<String>,
        /// The console language: es, en or fr.
        #[arg(long, default_value = "es")]
        language: String,
        /// A service account for another system: no password and no console; it reaches the
        /// JSON API with tokens from `antitrata token create`.
        #[arg(long)]
        service: bool,
    },
    /// List every account with its roles, country and status.
    List,
    /// Disable an account: it can no longer sign in.
    Disable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Issue a token for a service account and print it once.
    Create {
        /// The service account's e-mail address.
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "shelter bridge".
        #[arg(long)]
        name: String,
        /// How many days the token works.
        #[arg(long, default_value_t = 90)]
        days: u16,
    },
    /// List the tokens with their account, dates and status (never the tokens themselves).
    List,
    /// Revoke a token by its id (from `token list`).
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit 1 and name the first bad entry if any was edited, deleted or
    /// reordered.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (addr, metrics_addr) = match &cli.command {
        Command::Serve { addr, metrics_addr } => (addr.clone(), metrics_addr.clone()),
        _ => (None, None),
    };
    let overrides = Overrides {
        addr,
        metrics_addr,
        database_url: cli.database.clone(),
        key_file: cli.key_file.clone(),
    };
    let config = match Config::load(cli.config.as_deref(), overrides) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    let result = match cli.command {
        Command::CheckConfig => {
            config::print_summary(&config);
            Ok(())
        }
        Command::Migrate => run_async(|| async {
            logging::init(&config.log)?;
            serve::migrate(&config).await
        }),
        Command::Serve { .. } => run_async(|| async {
            logging::init(&config.log)?;
            serve::serve(config).await
        }),
        Command::Keys { action } => run_async(|| async {
            logging::init(&config.log)?;
            match action {
                KeysCommand::Rotate { batch } => audit::rotate_keys(&config, batch, true).await,
                KeysCommand::Reseal { batch } => audit::rotate_keys(&config, batch, false).await,
            }
        }),
        Command::User { action } => run_async(|| async {
            logging::init(&config.log)?;
            match action {
                UserCommand::Add {
                    email,
                    roles,
                    country,
                    name,
                    language,
                    service,
                } => {
                    users::add(
                        &config,
                        users::AddUser {
                            email,
                            roles,
                            country,
                            name,
                            language,
                            service,
                        },
                    )
                    .await
                }
                UserCommand::List => users::list(&config).await,
                UserCommand::Disable { email } => users::disable(&config, &email).await,
            }
        }),
        Command::DemoData {
            country,
            cases,
            contacts_per_case,
            seed,
        } => run_async(|| async {
            logging::init(&config.log)?;
            demo::run(&config, &country, cases, contacts_per_case, seed).await
        }),
        Command::Token { action } => run_async(|| async {
            logging::init(&config.log)?;
            match action {
                TokenCommand::Create { email, name, days } => {
                    tokens::create(&config, &email, &name, days).await
                }
                TokenCommand::List => tokens::list(&config).await,
                TokenCommand::Revoke { id } => tokens::revoke(&config, &id).await,
            }
        }),
        Command::Audit {
            action: AuditCommand::Verify,
        } => run_async(|| async {
            logging::init(&config.log)?;
            audit::verify(&config).await
        }),
        Command::Import {
            source:
                ImportCommand::Ctdc {
                    file,
                    dataset,
                    skip_invalid,
                },
        } => run_async(|| async {
            logging::init(&config.log)?;
            datasets::import_ctdc(
                &config,
                datasets::ImportRequest {
                    file,
                    dataset,
                    skip_invalid,
                    any_text: Vec::new(),
                    format: None,
                },
            )
            .await
        }),
        Command::Import {
            source: ImportCommand::Release { dir, dataset, test },
        } => run_async(|| async {
            logging::init(&config.log)?;
            release::import_release(&config, &dir, dataset, test).await
        }),
        Command::Dataset { action } => run_async(|| async {
            logging::init(&config.log)?;
            match action {
                DatasetCommand::List => datasets::list(&config).await,
                DatasetCommand::Show { name } => datasets::show(&config, &name).await,
                DatasetCommand::Drop { name } => datasets::drop_dataset(&config, &name).await,
            }
        }),
        Command::Release {
            dataset,
            cases,
            account,
            method,
            k,
            quasi_identifiers,
            max_suppressed,
            all_combinations,
            country,
            epsilon,
            accountant,
            by,
            out,
            seed,
            evaluation,
        } => run_async(|| async {
            logging::init(&config.log)?;
            release::release(
                &config,
                release::ReleaseRequest {
                    dataset,
                    cases,
                    account,
                    method,
                    k,
                    quasi_identifiers,
                    max_suppressed,
                    all_combinations,
                    country,
                    epsilon,
                    accountant,
                    by,
                    out,
                    seed,
                    evaluation,
                },
            )
            .await
        }),
        Command::Backup { out } => run_async(|| async {
            logging::init(&config.log)?;
            backup::backup(&config, &out).await
        }),
        Command::Restore { file } => run_async(|| async {
            logging::init(&config.log)?;
            backup::restore(&config, &file).await
        }),
        Command::Releases { action } => run_async(|| async {
            logging::init(&config.log)?;
            match action {
                ReleasesCommand::List { country, year } => {
                    release::list_releases(&config, &country, year).await
                }
                ReleasesCommand::Fetch { id, country, out } => {
                    release::fetch_release(&config, &id, &country, &out).await
                }
            }
        }),
        Command::Export {
            standard,
            country,
            account,
            from,
            to,
            out,
            format,
        } => run_async(|| async {
            logging::init(&config.log)?;
            export::export(
                &config,
                export::ExportRequest {
                    standard,
                    country,
                    account,
                    from,
                    to,
                    out,
                    format,
                },
            )
            .await
        }),
        Command::Stats {
            dataset,
            cases,
            account,
            by,
            from_year,
            to_year,
            filters,
        } => run_async(|| async {
            logging::init(&config.log)?;
            datasets::stats(
                &config,
                datasets::StatsRequest {
                    source: match (dataset, cases) {
                        (Some(dataset), _) => datasets::StatsSource::Dataset(dataset),
                        (None, cases) => datasets::StatsSource::Cases {
                            country: cases.unwrap_or_default(),
                            account: account.unwrap_or_default(),
                        },
                    },
                    by,
                    from_year,
                    to_year,
                    filters,
                },
            )
            .await
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn run_async<F, Fut>(f: F) -> anyhow::Result<()>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(f())
}

#[allow(clippy::print_stderr, reason = "the CLI's own error output")]
fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("error: {error:#}");
    ExitCode::FAILURE
}
