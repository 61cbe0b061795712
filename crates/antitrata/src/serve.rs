//! `serve` and `migrate`: open the database, bring it up to date, and run the web service until
//! SIGINT or SIGTERM, letting requests in flight finish.

use antitrata_app::releases::Releases;
use antitrata_store::{DatabaseUrl, SeedOutcome, Store, StoreError};
use std::sync::Arc;

use antitrata_web::{AppState, Clock, Runtime};
use std::os::unix::fs::DirBuilderExt;
use time::OffsetDateTime;

use anyhow::{Context, bail};
use tokio::net::TcpListener;

use crate::config::Config;
use crate::keys;

/// Opens the configured database (creating a SQLite file and its folder) with the data keys
/// (creating the key file on first start), migrates and seeds it.
pub(crate) async fn open_store(config: &Config) -> anyhow::Result<Store> {
    open(config, false).await
}

/// As [`open_store`], with commits that do not wait for the disk: only for data that can be made
/// again (see [`Store::connect_for_bulk_load`]).
pub(crate) async fn open_store_for_bulk_load(config: &Config) -> anyhow::Result<Store> {
    open(config, true).await
}

async fn open(config: &Config, bulk_load: bool) -> anyhow::Result<Store> {
    let keys = keys::load_or_create(&config.key_file)?;
    if let Some(folder) = config.database.sqlite_folder() {
        // Only the service's user may enter the folder that holds the database.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&folder)
            .with_context(|| format!("creating the database folder {}", folder.display()))?;
    }
    if let DatabaseUrl::SqliteFile(path) = &config.database {
        create_private(path)?;
    }
    let store = if bulk_load {
        Store::connect_for_bulk_load(&config.database).await
    } else {
        Store::connect(&config.database).await
    };
    let store = store
        .with_context(|| format!("opening the database {}", config.database))?
        .with_keyring(keys.keyring);
    match store.migrate().await {
        Ok(()) => {}
        Err(StoreError::WrongDataKey { expected, found }) => {
            store.close().await;
            let made = if keys.created {
                // Made by this start for a database that has keys of its own: it must not stay
                // to be mistaken for the real one.
                let _ = std::fs::remove_file(&config.key_file);
                " (it did not exist, so this start made it, and has removed it again)"
            } else {
                ""
            };
            bail!(
                "the data-key file {path} (key file {found}){made} is not this database's: the \
                 database expects key file {expected}. Start with the key file that first opened \
                 this database (set `keys.file`, `ANTITRATA_KEY_FILE` or `--key-file`), or restore \
                 it from its backup; a new key file is made only for a database with no sealed data",
                path = config.key_file.display(),
            );
        }
        Err(e) => return Err(e).context("migrating the database"),
    }
    if keys.created {
        tracing::info!(path = %config.key_file.display(), "created a new data-key file: back it up offline");
    }
    match store
        .seed_reference_data()
        .await
        .context("seeding the hotline directory")?
    {
        SeedOutcome::Seeded {
            countries,
            hotlines,
        } => {
            tracing::info!(countries, hotlines, "seeded the hotline directory");
        }
        SeedOutcome::AlreadyPresent => tracing::debug!("hotline directory already present"),
    }
    Ok(store)
}

/// Creates the SQLite database file readable by its owner only (0600) if it does not exist, so it
/// is private even in a folder that is not: SQLite gives its journal files the same mode.
fn create_private(path: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("creating the database file {}", path.display())),
    }
}

/// Releases over `store`, paid from the configured yearly budget, their reports rendered with
/// the web crate's template: the console and `antitrata release` make them the same way.
pub(crate) fn releases(config: &Config, store: &Store) -> Releases {
    Releases::new(
        store.clone(),
        config.yearly_limit,
        antitrata_web::release_report,
    )
    .with_deltas(config.country_deltas.clone())
}

pub(crate) async fn migrate(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    tracing::info!(database = %config.database, "database is up to date");
    store.close().await;
    Ok(())
}

pub(crate) async fn serve(config: Config) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    let runtime = Runtime {
        clock: Arc::new(SystemClock),
        random: Arc::new(keys::OsRandom),
    };
    let state = AppState::new(store.clone(), config.web.clone(), runtime)
        .with_releases(releases(&config, &store));
    state
        .warm_up()
        .await
        .map_err(|e| anyhow::anyhow!("rendering the hotline directory failed: {e}"))?;

    let shutdown = shutdown_signal()?;
    let listener = TcpListener::bind(config.addr).await.with_context(|| {
        format!(
            "listening on {} (is another program using it?)",
            config.addr
        )
    })?;
    let local = listener
        .local_addr()
        .context("reading the listening address")?;
    tracing::info!(database = %config.database, "listening on http://{local}");
    let metrics = match config.metrics_addr {
        Some(addr) => Some(serve_metrics(addr, &store).await?),
        None => None,
    };

    let served = antitrata_web::serve(listener, state, shutdown)
        .await
        .context("serving HTTP");
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Installs the metrics recorder and serves `/metrics` on `addr` until the task is aborted.
async fn serve_metrics(
    addr: std::net::SocketAddr,
    store: &Store,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let handle = antitrata_web::metrics::install().context("installing the metrics recorder")?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("serving metrics on {addr} (is another program using it?)"))?;
    let local = listener
        .local_addr()
        .context("reading the metrics address")?;
    tracing::info!("metrics served on http://{local}/metrics");
    let store = store.clone();
    Ok(tokio::spawn(async move {
        let served =
            antitrata_web::metrics::serve_metrics(listener, handle, store, std::future::pending())
                .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "serving metrics failed");
        }
    }))
}

/// A future that resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed now, before
/// the service says it listens: a signal sent as soon as it answers must stop it cleanly, not
/// kill it.
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}

/// The real clock: only the binary reads it.
#[derive(Debug)]
struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
