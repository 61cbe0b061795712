//! Referrals of a case to a service: requested, then accepted or declined, in progress,
//! completed; each rests on the consent that allowed it, or on a supervisor's recorded override.

use std::fmt;

use time::OffsetDateTime;
use uuid::Uuid;

use super::case::CaseId;
use super::consent::ConsentId;
use super::picklist::picklist;
use super::service::ServiceId;
use crate::PersonId;

/// Identifies a referral (UUIDv7).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ReferralId(pub Uuid);

impl fmt::Display for ReferralId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

picklist! {
    /// Where a referral is.
    ReferralStatus, "referral-status" {
        Requested = "requested",
        Accepted = "accepted",
        Declined = "declined",
        InProgress = "in-progress",
        Completed = "completed",
    }
}

impl ReferralStatus {
    /// Whether a referral may move from this status to `next`.
    pub fn may_become(self, next: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!(
            (self, next),
            (Requested, Accepted | Declined)
                | (Accepted, InProgress | Completed)
                | (InProgress, Completed)
        )
    }

    /// Whether the service has still to answer or finish.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            ReferralStatus::Requested | ReferralStatus::Accepted | ReferralStatus::InProgress
        )
    }
}

/// What a referral rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The person's consent that covered it when it was made.
    Consent(ConsentId),
    /// A supervisor disclosed without consent, for the reason written (sealed, audited).
    Override { by: String, reason: String },
}

/// A referral as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: ReferralId,
    pub case: CaseId,
    pub person: PersonId,
    pub service: ServiceId,
    pub status: ReferralStatus,
    pub basis: Basis,
    pub notes: Option<String>,
    pub requested_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub requested_by: String,
    /// Raised by every move of its status; the API's `ETag`.
    pub version: i64,
}

impl fmt::Debug for Referral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Referral")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_referral_workflow_goes_forward_only() {
        use ReferralStatus::*;
        assert!(Requested.may_become(Accepted));
        assert!(Requested.may_become(Declined));
        assert!(Accepted.may_become(Completed));
        assert!(!Declined.may_become(Accepted));
        assert!(!Completed.may_become(InProgress));
        assert!(!Requested.may_become(Completed));
        assert!(InProgress.is_pending() && !Declined.is_pending());
    }
}
