//! The antitrata `Store`: one API over SQLite (embedded default) and PostgreSQL (production).
//!
//! Only this crate knows SQL. SQL is written once where both dialects agree; migrations live in
//! `migrations/sqlite` and `migrations/postgres` with the same version numbers. Row structs stay
//! private and convert into `antitrata-domain` types at the edge.

mod accounts;
mod api_tokens;
mod audit;
mod backup;
mod case_file;
mod case_persons;
mod case_statistics;
mod cases;
mod consents;
mod contact_writes;
mod contacts;
mod content;
mod crypto;
mod database_url;
mod datasets;
mod directory;
mod error;
mod follow_ups;
mod group_commit;
mod key_check;
mod persons;
mod privacy_budget;
mod read_audits;
mod referrals;
mod reseal;
mod seed;
mod services;
mod sessions;
mod sign_in_throttle;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod time_columns;

/// The most rows one page of a list holds: services, follow-ups, referrals, dangers. Each such
/// list goes on after the id of the last row of the page before (a keyset), so a page costs the
/// same however deep it is.
pub const PAGE_MAX: i64 = 500;

pub use api_tokens::ApiToken;
pub use audit::{AuditEntry, AuditEvent, AuditProblem, AuditReport};
pub use case_file::CaseRecords;
pub use case_statistics::{OpenedBetween, RecordsUse};
pub use cases::{CaseFilter, CaseOrder};
pub use contacts::CALLER_HISTORY_MAX;
pub use crypto::{BlindField, CryptoError, KeyFile, Keyring, NonceSource, SealContext};
pub use database_url::{DatabaseUrl, DatabaseUrlError};
pub use datasets::{DatasetWriter, NewDataset};
pub use directory::HotlineChange;
pub use error::{ConflictKind, Entity, StoreError};
pub use persons::SEARCH_LIMIT;
pub use privacy_budget::{Budget, ReleaseFiles, Spend, SpentRelease};
pub use referrals::NewReferral;
pub use seed::{SeedOutcome, seed_directory};
pub use sessions::{Session, SessionLimits};
pub use sign_in_throttle::{Attempt, ThrottleKey};
pub use store::{Backend, Store};
