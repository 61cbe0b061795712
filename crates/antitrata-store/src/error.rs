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
    /// The data keys given are not the ones the database's sealed data was sealed with.
    #[error(
        "the database belongs to data-key file {expected}, and the keys given are of key file \
         {found}: they cannot open its sealed data"
    )]
    WrongDataKey { expected: String, found: String },
    /// The write does not fit what is stored: an id or name taken, a record changed meanwhile,
    /// an account that cannot hold what is asked of it.
    #[error("{0}")]
    Conflict(ConflictKind),
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
    /// The database was migrated by a newer antitrata than this one.
    #[error(
        "the database was migrated by a newer antitrata (schema version {found}; this version \
         knows up to {known}): run the newer version, or restore a backup this one made"
    )]
    NewerSchema { found: i64, known: i64 },
    /// A SQLite operation (a backup with `VACUUM INTO`) asked of a PostgreSQL store.
    #[error(
        "{0} is for SQLite databases; on PostgreSQL use pg_dump and pg_restore (docs/operations.md)"
    )]
    SqliteOnly(&'static str),
    /// A release's files could not be made inside the transaction that pays for it.
    #[error("the release's files could not be made, so nothing was spent: {0}")]
    ReleaseFiles(String),
    /// A conditional write named a version the record has moved on from: nothing was written.
    #[error("the {entity} changed since it was read: it is at version {current} now", entity = entity.as_str())]
    Stale { entity: Entity, current: i64 },
    /// The actor's country scope does not reach the record.
    #[error("outside the actor's country scope")]
    OutOfScope,
    /// A record named by the caller (a case reference, a contact to link) does not exist in the
    /// actor's scope.
    #[error("no such {0} in the actor's country")]
    NotFound(Entity),
    /// The actor's role may not take this action (only supervisors close cases).
    #[error("{} {role} may not {action}", article(role))]
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

/// `RoleNotAllowed` unless the permission policy lets the actor's role take `action`: the store
/// asks the policy, and holds no list of roles of its own.
/// The account an actor acts as, for a write that records who did it (a worker taking a case
/// or a danger, an editor saving a page or a line); `NotAWorker` for the command line.
pub(crate) fn account_of(actor: &antitrata_domain::Actor) -> Result<uuid::Uuid, StoreError> {
    uuid::Uuid::parse_str(&actor.who).map_err(|_| StoreError::Conflict(ConflictKind::NotAWorker))
}

pub(crate) fn require(
    actor: &antitrata_domain::Actor,
    action: antitrata_domain::policy::Action,
) -> Result<(), StoreError> {
    if actor.may(action) {
        Ok(())
    } else {
        Err(StoreError::RoleNotAllowed {
            role: actor.role.as_str(),
            action: action.verb(),
        })
    }
}

/// `Stale` with the record's `current` version, unless the writer named none or that one.
pub(crate) fn stale_unless(
    entity: Entity,
    expected: Option<i64>,
    current: i64,
) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != current => Err(StoreError::Stale { entity, current }),
        _ => Ok(()),
    }
}

/// A kind of record the caller names, as store errors tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Case,
    Contact,
    /// A contact not yet linked to a case (a case opens from one).
    UnlinkedContact,
    /// A person recorded in a case, by their id in it.
    PersonOfTheCase,
    Consent,
    FollowUp,
    Referral,
    Service,
    /// An active caseworker of the country, to assign work to.
    Caseworker,
    /// A version of a page of the public site.
    Content,
    /// A line of the hotline directory.
    Hotline,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Case => "case",
            Entity::Contact => "contact",
            Entity::UnlinkedContact => "unlinked contact",
            Entity::PersonOfTheCase => "person of the case",
            Entity::Consent => "consent",
            Entity::FollowUp => "follow-up",
            Entity::Referral => "referral",
            Entity::Service => "service",
            Entity::Caseworker => "caseworker",
            Entity::Content => "page",
            Entity::Hotline => "hotline",
        }
    }
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which rule of the stored records a refused write would break.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConflictKind {
    /// The id is another record's: a client reused it with a different record.
    #[error("a {0} with this id exists already")]
    IdTaken(Entity),
    /// The record changed between reading and writing it.
    #[error("the {0} changed meanwhile; reload it")]
    ChangedMeanwhile(Entity),
    #[error("an account with this e-mail address exists")]
    EmailTaken,
    #[error("a dataset named `{0}` exists already")]
    DatasetNameTaken(String),
    /// The same content is stored already, under this dataset name.
    #[error("the same file was imported already as `{0}`")]
    SameContentAs(String),
    #[error("API tokens are only for service accounts (`user add --service`)")]
    NotAServiceAccount,
    #[error("the account is disabled")]
    AccountDisabled,
    #[error("a minor's consent is given by a guardian")]
    MinorNeedsGuardian,
    /// The country is not one this database holds (its directory was seeded without it).
    #[error("{0} is not a country of this database; its countries come from the directory seed")]
    UnknownCountry(antitrata_domain::CountryCode),
    /// Another worker took the immediate danger; their name.
    #[error("{0} has taken this danger already")]
    DangerTakenBy(String),
    #[error("the contact is not an immediate danger waiting in the queue")]
    NotAnOpenDanger,
    /// The case has an assignee already; their name.
    #[error("the case is assigned to {0} already")]
    CaseAssignedTo(String),
    #[error("the case is closed: reopen it before taking it")]
    CaseClosed,
    /// A person with consents or referrals stays on the case: they are the record of what was
    /// agreed and done.
    #[error("the person has consents or referrals, which keep them on the case")]
    PersonHasRecords,
    /// A write that names its actor as the worker doing it, from an actor that is no account
    /// (the command line).
    #[error("only a signed-in worker can take this")]
    NotAWorker,
}

/// "an" before a role that starts with a vowel sound ("an operator"), else "a".
fn article(role: &str) -> &'static str {
    match role.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod role_refusal_tests {
    use super::StoreError;

    #[test]
    fn a_refusal_reads_as_english() {
        let refusal = |role| StoreError::RoleNotAllowed {
            role,
            action: "export the country's cases",
        };
        assert_eq!(
            refusal("operator").to_string(),
            "an operator may not export the country's cases"
        );
        assert_eq!(
            refusal("caseworker").to_string(),
            "a caseworker may not export the country's cases"
        );
    }
}
