//! The audit entries that reads owe, committed in groups ([`crate::group_commit`]).
//!
//! Reads run side by side on the pool, but what each one read may leave the store only once its
//! audit entries are committed. The entries of every read waiting go in together; if that
//! append fails, every read of the group gets the error and is refused, as a read whose own
//! append failed always was.

use std::sync::Arc;

use crate::audit::PendingEntry;
use crate::group_commit::Grouped;
use crate::{Store, StoreError};

/// The entries one read owes.
#[derive(Debug)]
pub(crate) struct OwedEntries(pub(crate) Vec<PendingEntry>);

impl Grouped for OwedEntries {
    const KIND: &'static str = "read_audits";

    type Done = Result<(), StoreError>;

    async fn commit(store: &Store, jobs: Vec<OwedEntries>) -> Vec<Self::Done> {
        let reads = jobs.len();
        let entries: Vec<PendingEntry> = jobs.into_iter().flat_map(|owed| owed.0).collect();
        match store.append_entries(&entries).await {
            Ok(()) => (0..reads).map(|_| Ok(())).collect(),
            Err(e) => {
                tracing::error!(reads, error = %e, "appending the audit entries of reads failed");
                let e = Arc::new(e);
                (0..reads)
                    .map(|_| Err(StoreError::ReadAudit(e.clone())))
                    .collect()
            }
        }
    }
}
