//! Errors of the store, at its boundary.

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("running database migrations failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value does not parse into its domain type: the database was edited by hand or by
    /// a newer version.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("the seed data file is not valid: {0}")]
    Seed(String),
    /// The transaction that appended the audit entries of this read, and of the reads committed
    /// with it, failed: the read is refused.
    #[error("appending the audit entries of the read failed: {0}")]
    ReadAudit(std::sync::Arc<StoreError>),
    #[error(transparent)]
    Crypto(#[from] crate::CryptoError),
    /// A personal-data method was called on a store opened without the data keys.
    #[error("personal data needs the data keys, and this store was opened without them")]
    NoKeyring,
    /// The write would break a uniqueness rule; the message says which.
    #[error("{0}")]
    Conflict(String),
    /// A release would spend more privacy budget than the year's limit leaves.
    #[error(
        "{country} has spent {spent} of its {year} privacy budget ({limit}); this release needs \
         {asked} more: it would pass the limit, so nothing was spent"
    )]
    OverBudget {
        country: antitrata_domain::CountryCode,
        year: i32,
        spent: crate::Budget,
        asked: crate::Budget,
        limit: crate::Budget,
    },
    /// The actor's country scope does not reach the record.
    #[error("outside the actor's country scope")]
    OutOfScope,
    /// A record named by the caller (a case reference, a contact to link) does not exist in the
    /// actor's scope.
    #[error("no such {0} in the actor's country")]
    NotFound(&'static str),
    /// The actor's role may not take this action (only supervisors close cases).
    #[error("a {role} may not {action}")]
    RoleNotAllowed {
        role: &'static str,
        action: &'static str,
    },
    /// A disclosure without a consent that covers it, and without a supervisor's override.
    #[error(
        "no consent of the person covers this disclosure: record their consent, or a supervisor \
         may override with a written reason"
    )]
    NoConsent,
    /// The record's state does not allow the action (closing a closed case).
    #[error("a {status} case cannot be {action}")]
    NotAllowedNow {
        status: &'static str,
        action: &'static str,
    },
}
