//! Everything recorded about one case, read for its page and its API file in one go: the case
//! and each of its lists are read on the pool, and all their audit entries are appended together,
//! in one write turn instead of one per list.

use antitrata_domain::casework::{Case, CaseId, CasePerson, Consent, Contact, FollowUp, Referral};
use antitrata_domain::{Actor, PersonId};

use crate::cases::CaseKey;
use crate::contacts::ContactList;
use crate::follow_ups::Which;
use crate::{PAGE_MAX, Store, StoreError};

/// The records of a case, each list in its own order (see the `list_case_*` methods).
#[derive(Debug, Clone)]
pub struct CaseRecords {
    /// Each person with their version.
    pub persons: Vec<(PersonId, i64, CasePerson)>,
    pub consents: Vec<Consent>,
    pub referrals: Vec<Referral>,
    pub follow_ups: Vec<FollowUp>,
    pub contacts: Vec<Contact>,
}

impl Store {
    /// A case of the actor's country with its people, consents, referrals, follow-ups and
    /// contacts, as `find_case` and the `list_case_*` methods give them and with the same audit
    /// entries, appended in one transaction before any of them is opened. `None` if there is no
    /// such case in the actor's scope.
    pub async fn case_file(
        &self,
        actor: &Actor,
        id: CaseId,
    ) -> Result<Option<(Case, CaseRecords)>, StoreError> {
        let Some(case) = self.read_case(actor, CaseKey::Id(id)).await? else {
            return Ok(None);
        };
        let read = case
            .and(self.read_case_persons(actor, id).await?)
            .and(
                self.read_referrals_where(actor, Some(id), None, None, PAGE_MAX)
                    .await?,
            )
            .and(
                self.read_follow_ups(actor, Which::OfCase(id), None, PAGE_MAX)
                    .await?,
            )
            .and(
                self.read_contacts_where(actor, ContactList::OfCase(id))
                    .await?,
            );
        // Consents hold no sealed field and are not audited as read (`list_case_consents`).
        let consents = self.list_case_consents(actor, id).await?;
        let ((((case, persons), referrals), follow_ups), contacts) =
            self.open_read(actor, read).await?;
        let records = CaseRecords {
            persons,
            consents,
            referrals,
            follow_ups,
            contacts,
        };
        Ok(Some((case, records)))
    }
}
