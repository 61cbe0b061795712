//! Everything recorded about one case, read for its page and its API file in one go: each list
//! is read on the pool, and all their audit entries are appended together, in one write turn
//! instead of one per list.

use antitrata_domain::casework::{CaseId, CasePerson, Consent, Contact, FollowUp, Referral};
use antitrata_domain::{Actor, PersonId};

use crate::{Store, StoreError};

/// The records of a case, each list in its own order (see the `list_case_*` methods).
#[derive(Debug, Clone)]
pub struct CaseRecords {
    pub persons: Vec<(PersonId, CasePerson)>,
    pub consents: Vec<Consent>,
    pub referrals: Vec<Referral>,
    pub follow_ups: Vec<FollowUp>,
    pub contacts: Vec<Contact>,
}

impl Store {
    /// The people, consents, referrals, follow-ups and contacts of a case of the actor's country,
    /// as the `list_case_*` methods give them and with the same audit entries, appended in one
    /// transaction before any of them is opened.
    pub async fn case_records(
        &self,
        actor: &Actor,
        case: CaseId,
    ) -> Result<CaseRecords, StoreError> {
        let read = self
            .read_case_persons(actor, case)
            .await?
            .and(self.read_case_referrals(actor, case).await?)
            .and(self.read_case_follow_ups(actor, case).await?)
            .and(self.read_case_contacts(actor, case).await?);
        // Consents hold no sealed field and are not audited as read (`list_case_consents`).
        let consents = self.list_case_consents(actor, case).await?;
        let (((persons, referrals), follow_ups), contacts) = self.open_read(actor, read).await?;
        Ok(CaseRecords {
            persons,
            consents,
            referrals,
            follow_ups,
            contacts,
        })
    }
}
