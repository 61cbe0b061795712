//! The data-key file: created on first start with mode 0600, loaded at every start, rotated on
//! demand. Key material never reaches a log or the terminal.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;

use antitrata_store::{KeyFile, Keyring, NonceSource};
use anyhow::{Context, bail};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The operating system's random source, for keys and nonces.
#[derive(Debug)]
pub(crate) struct OsRandom;

impl NonceSource for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        if let Err(e) = getrandom::fill(buf) {
            // Without randomness nothing can be sealed safely: stop rather than reuse a nonce.
            tracing::error!(error = %e, "the operating system gave no random bytes");
            std::process::abort();
        }
    }
}

/// A key file as loaded at start.
pub(crate) struct Loaded {
    pub keyring: Arc<Keyring>,
    /// Made by this start: the database must not hold data sealed before (the store checks).
    pub created: bool,
}

/// Loads the key file, creating it (and its folder) with fresh keys if it does not exist.
pub(crate) fn load_or_create(path: &Path) -> anyhow::Result<Loaded> {
    let created = !path.exists();
    if created {
        let file = KeyFile::generate(&OsRandom, &now_text());
        write_new(path, &file)?;
    }
    Ok(Loaded {
        keyring: load(path)?,
        created,
    })
}

/// Loads an existing key file; refuses one that others than its owner can read.
pub(crate) fn load(path: &Path) -> anyhow::Result<Arc<Keyring>> {
    let file = read(path)?;
    Ok(Arc::new(
        file.into_keyring(Arc::new(OsRandom))
            .with_context(|| format!("key file {}", path.display()))?,
    ))
}

fn read(path: &Path) -> anyhow::Result<KeyFile> {
    let metadata =
        fs::metadata(path).with_context(|| format!("reading key file {}", path.display()))?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!(
            "key file {} can be read by other users (mode {mode:o}): run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
    let text =
        fs::read_to_string(path).with_context(|| format!("reading key file {}", path.display()))?;
    KeyFile::parse(&text).with_context(|| format!("key file {}", path.display()))
}

/// Adds a key to the file and makes it current; returns the new key's id. The file is replaced
/// atomically, so a crash leaves either the old or the new file.
pub(crate) fn rotate(path: &Path) -> anyhow::Result<u32> {
    let mut file = read(path)?;
    let id = file.add_key(&OsRandom, &now_text());
    let temporary = path.with_extension("toml.new");
    let _ = fs::remove_file(&temporary);
    write_new(&temporary, &file)?;
    fs::rename(&temporary, path)
        .with_context(|| format!("replacing key file {}", path.display()))?;
    Ok(id)
}

fn write_new(path: &Path, file: &KeyFile) -> anyhow::Result<()> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)
            .with_context(|| format!("creating folder {}", folder.display()))?;
    }
    let text = file.to_text()?;
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating key file {}", path.display()))?;
    out.write_all(text.as_bytes())?;
    out.sync_all()?;
    Ok(())
}

fn now_text() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}
