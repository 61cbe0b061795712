//! Datasets of statistical records: imported CTDC files, each stored as a columnar table.

use uuid::Uuid;

/// A dataset's id (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DatasetId(pub Uuid);

impl std::fmt::Display for DatasetId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What is known about a stored dataset, without its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    pub id: DatasetId,
    /// Unique, chosen at import (by default the file's name without extension).
    pub name: String,
    /// The format it was read as, e.g. `ctdc-global`.
    pub format: String,
    pub file_name: String,
    /// SHA-256 of the imported file, in hex.
    pub content_sha256: String,
    pub rows: u64,
    /// Bad rows left out with `--skip-invalid`.
    pub skipped_rows: u64,
    pub columns: Vec<String>,
    /// Columns of the file that were not stored.
    pub ignored_columns: Vec<String>,
    pub imported_at: String,
    pub imported_by: String,
}

/// Checks a dataset name: 1 to 80 characters of letters, digits, `-`, `_` and `.`.
pub fn check_dataset_name(name: &str) -> Result<(), DatasetNameError> {
    let ok = (1..=80).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok { Ok(()) } else { Err(DatasetNameError) }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a dataset name has 1 to 80 letters, digits, `-`, `_` or `.`")]
pub struct DatasetNameError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_and_plain() {
        assert!(check_dataset_name("ctdc-global-dataset-2017-11-27").is_ok());
        assert!(check_dataset_name("").is_err());
        assert!(check_dataset_name("a b").is_err());
        assert!(check_dataset_name(&"x".repeat(81)).is_err());
    }
}
