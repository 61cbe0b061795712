//! `antitrata backup` and `antitrata restore`: a consistent copy of the embedded SQLite database
//! made while the service runs, and a copy put back in place of a missing database once it has
//! passed SQLite's integrity check and opened with the data keys. The keys are never in a backup:
//! they are backed up apart (docs/operations.md). PostgreSQL's backups are its own tools'.

use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use antitrata_store::{AuditEvent, DatabaseUrl, Store, StoreError};
use anyhow::{Context, bail};

use crate::config::Config;
use crate::keys;
use crate::serve::open_store;
use crate::users::cli_actor;

/// Writes a consistent copy of the SQLite database to `out`, a new file: made beside it, synced
/// and moved into place, never overwriting. Audited as `database.backed_up` (the entry is in the
/// copy).
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn backup(config: &Config, out: &Path) -> anyhow::Result<()> {
    let DatabaseUrl::SqliteFile(database) = &config.database else {
        bail!(
            "backup copies the embedded SQLite database; on PostgreSQL use pg_dump or a base \
             backup (docs/operations.md)"
        );
    };
    if out.exists() {
        bail!("--out {}: the file exists; name a new one", out.display());
    }
    let folder = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // An empty file is what VACUUM INTO may write into; it is private like the database.
    let staged = tempfile::Builder::new()
        .prefix(".antitrata-backup-")
        .tempfile_in(folder)
        .with_context(|| {
            format!(
                "--out {}: cannot write in {}",
                out.display(),
                folder.display()
            )
        })?;
    let staged_path = staged
        .path()
        .to_str()
        .context("the backup's folder is not a UTF-8 path")?
        .to_owned();
    let store = open_store(config).await?;
    let made = async {
        store
            .append_audit(
                &cli_actor(),
                AuditEvent {
                    action: "database.backed_up",
                    record_type: None,
                    record_id: None,
                },
            )
            .await?;
        store.backup_into(&staged_path).await
    }
    .await;
    store.close().await;
    made.with_context(|| format!("backing up {}", database.display()))?;
    staged
        .as_file()
        .sync_all()
        .context("syncing the backup to disk")?;
    let file = staged
        .persist_noclobber(out)
        .map_err(|e| e.error)
        .with_context(|| format!("moving the backup to {}", out.display()))?;
    sync_folder(folder)?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} into {} ({bytes} bytes); the data keys are not in it: keep a copy of {} \
         apart from it (docs/operations.md)",
        database.display(),
        out.display(),
        config.key_file.display()
    );
    Ok(())
}

/// Puts the backup `file` in place of the configured SQLite database, which must not exist: the
/// copy is checked beside its place (SQLite's integrity check, the data keys open it, migrations
/// of a backup made by an older version applied) and moved there only if it passes.
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let DatabaseUrl::SqliteFile(target) = &config.database else {
        bail!(
            "restore puts a SQLite backup in place; on PostgreSQL use pg_restore \
             (docs/operations.md)"
        );
    };
    if !file.is_file() {
        bail!("{}: no such backup file", file.display());
    }
    if target.exists() {
        bail!(
            "{} exists: restore only fills an empty place; move the database (and its -wal and \
             -shm files) away first",
            target.display()
        );
    }
    if !config.key_file.exists() {
        bail!(
            "restore needs the data-key file the backup was sealed with at {}: copy it there \
             first (it is backed up apart from the database)",
            config.key_file.display()
        );
    }
    let keyring = keys::load(&config.key_file)?;
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
        .with_context(|| format!("creating the database folder {}", folder.display()))?;
    let mut staged = tempfile::Builder::new()
        .prefix(".antitrata-restore-")
        .tempfile_in(folder)
        .with_context(|| format!("writing in {}", folder.display()))?;
    let mut backup =
        std::fs::File::open(file).with_context(|| format!("reading {}", file.display()))?;
    std::io::copy(&mut backup, staged.as_file_mut())
        .and_then(|_| staged.as_file_mut().flush())
        .with_context(|| format!("copying {}", file.display()))?;
    let store = Store::connect(&DatabaseUrl::SqliteFile(staged.path().to_path_buf()))
        .await
        .with_context(|| format!("{} does not open as a SQLite database", file.display()))?
        .with_keyring(keyring);
    let checked = check_restored(&store, file).await;
    store.close().await;
    let entries = match checked {
        Ok(entries) => entries,
        Err(e) => {
            // SQLite may leave the copy's -wal and -shm behind when it refused to open it whole.
            for companion in companions(staged.path()) {
                let _ = std::fs::remove_file(companion);
            }
            return Err(e);
        }
    };
    // Closed cleanly, the copy's log is checkpointed; one still there moves with it.
    for (from, to) in companions(staged.path())
        .into_iter()
        .zip(companions(target))
    {
        if from.exists() {
            std::fs::rename(&from, &to)
                .with_context(|| format!("moving {} to {}", from.display(), to.display()))?;
        }
    }
    staged
        .as_file()
        .sync_all()
        .context("syncing the restored database")?;
    staged
        .persist_noclobber(target)
        .map_err(|e| e.error)
        .with_context(|| format!("moving the restored database to {}", target.display()))?;
    sync_folder(folder)?;
    println!(
        "restored {} into {}: whole, opened with the data keys of {}, audit log of {entries} \
         intact entries",
        file.display(),
        target.display(),
        config.key_file.display()
    );
    Ok(())
}

/// The checks a restored copy passes before it is put in place; returns the audit log's length.
async fn check_restored(store: &Store, file: &Path) -> anyhow::Result<i64> {
    let problems = store
        .integrity_problems()
        .await
        .with_context(|| format!("{} does not read as a SQLite database", file.display()))?;
    if !problems.is_empty() {
        bail!(
            "{} is damaged, nothing was restored: {}",
            file.display(),
            problems.join("; ")
        );
    }
    match store.migrate().await {
        Ok(()) => {}
        Err(e @ (StoreError::WrongDataKey { .. } | StoreError::NewerSchema { .. })) => {
            bail!("{e}; nothing was restored")
        }
        Err(e) => {
            return Err(e)
                .with_context(|| format!("{} is not an antitrata database", file.display()));
        }
    }
    let report = store.verify_audit().await?;
    if let Some(problem) = report.problem {
        bail!(
            "the audit log of {} was tampered with, nothing was restored: {problem}",
            file.display()
        );
    }
    Ok(report.entries)
}

/// The `-wal` and `-shm` files SQLite keeps beside the database `path`.
fn companions(path: &Path) -> [std::path::PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    })
}

/// Makes a rename in `folder` durable.
fn sync_folder(folder: &Path) -> anyhow::Result<()> {
    std::fs::File::open(folder)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("syncing {}", folder.display()))
}
