//! The one permission policy: what each role may do ([`may`]), which role an account acts as
//! for an action ([`acting_role`]), and which roles an administrator may give ([`may_assign`]).
//! The console's and the API's route tables, the store's checks and the command line all ask
//! here; none of them holds a list of roles. Which country's records an action reaches is the
//! actor's [`CountryScope`](crate::CountryScope), which the store puts into its queries.

use crate::{Account, Actor, Role};

/// Something a role may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Hotline work on their country's records, personal data included: contacts, cases, the
    /// people in them, consents, referrals, follow-ups, person search.
    WorkCases,
    /// Close a case, or reject a request to close it.
    DecideClosure,
    /// Assign a case to a caseworker.
    AssignCases,
    /// Mark a contact's immediate danger handled: it leaves the queue.
    TakeChargeOfDanger,
    /// Take a contact's immediate danger: be the one the queue shows handling it.
    TakeDanger,
    /// Refer a person without a consent that covers it, with a written reason.
    DiscloseWithoutConsent,
    /// Read the country's audit trail.
    ReadAudit,
    /// See the supervisor's queue.
    SeeQueue,
    /// Be assigned a case.
    BeAssignedCase,
    /// Take an open case nobody is assigned to: become its assignee.
    TakeCase,
    /// Be assigned a follow-up.
    BeAssignedFollowUp,
    /// Read the country's services directory.
    ReadServices,
    /// Add to or change the country's services directory.
    EditServices,
    /// Count imported and released datasets (no personal data).
    ReadStatistics,
    /// Count the country's live cases.
    CountLiveCases,
    /// Export the country's cases as statistical records.
    ExportCases,
    /// Make privacy-protected releases, of datasets or of the country's live cases.
    MakeReleases,
    /// Create and disable accounts (of their own country, unless also
    /// [`Action::ManageEveryAccount`]).
    ManageAccounts,
    /// Manage the accounts of every country.
    ManageEveryAccount,
    /// Pay a release from any country's privacy budget, not only their own.
    SpendAnyCountryBudget,
    /// Change their own password and second factor.
    ManageOwnAccount,
    /// Write, and bring back earlier versions of, the public site's content pages.
    EditContent,
    /// Edit the lines of their country's hotline directory.
    EditDirectory,
}

impl Action {
    /// What the action is, as a refusal tells it ("a caseworker may not …").
    pub fn verb(self) -> &'static str {
        match self {
            Action::WorkCases => "work the country's cases",
            Action::DecideClosure => "close cases or reject their closure",
            Action::AssignCases => "assign cases",
            Action::TakeChargeOfDanger => "mark an immediate danger handled",
            Action::TakeDanger => "take an immediate danger",
            Action::DiscloseWithoutConsent => "disclose without consent",
            Action::ReadAudit => "read the audit trail",
            Action::SeeQueue => "see the supervisor's queue",
            Action::BeAssignedCase => "be assigned cases",
            Action::TakeCase => "take a case",
            Action::BeAssignedFollowUp => "be assigned follow-ups",
            Action::ReadServices => "read the services directory",
            Action::EditServices => "edit the services directory",
            Action::ReadStatistics => "read statistics",
            Action::CountLiveCases => "count the country's cases",
            Action::ExportCases => "export the country's cases",
            Action::MakeReleases => "release the country's cases",
            Action::ManageAccounts => "manage accounts",
            Action::ManageEveryAccount => "manage the accounts of every country",
            Action::SpendAnyCountryBudget => "spend another country's privacy budget",
            Action::ManageOwnAccount => "manage their own account",
            Action::EditContent => "edit the public site's pages",
            Action::EditDirectory => "edit the country's hotline directory",
        }
    }
}

/// Whether `role` may take `action` (within the countries its scope reaches).
pub fn may(role: Role, action: Action) -> bool {
    use Role::*;
    match action {
        Action::WorkCases | Action::BeAssignedFollowUp => {
            matches!(role, Operator | Caseworker | Supervisor)
        }
        Action::BeAssignedCase => matches!(role, Caseworker | Supervisor),
        // The operator who opened it keeps it until a supervisor hands it on.
        Action::TakeCase => matches!(role, Operator | Caseworker | Supervisor),
        // The operator on the line, or the supervisor watching the queue.
        Action::TakeDanger => matches!(role, Operator | Supervisor),
        Action::DecideClosure
        | Action::AssignCases
        | Action::TakeChargeOfDanger
        | Action::DiscloseWithoutConsent
        | Action::ReadAudit
        | Action::SeeQueue
        | Action::ExportCases
        | Action::MakeReleases => role == Supervisor,
        Action::ReadServices | Action::CountLiveCases => {
            matches!(role, Operator | Caseworker | Supervisor | CountryAdmin)
        }
        Action::EditServices | Action::EditDirectory => role == CountryAdmin,
        // Every role with a part in the work or in the campaign; not the system administrator,
        // who runs the installation.
        Action::ReadStatistics => matches!(
            role,
            Operator | Caseworker | Supervisor | CountryAdmin | RegionalAnalyst | CampaignEditor
        ),
        Action::ManageAccounts => matches!(role, CountryAdmin | SystemAdmin | Cli),
        Action::ManageEveryAccount => matches!(role, SystemAdmin | Cli),
        Action::SpendAnyCountryBudget => role == Cli,
        Action::ManageOwnAccount => !matches!(role, Visitor | Cli),
        Action::EditContent => role == CampaignEditor,
    }
}

impl Actor {
    /// Whether the actor's role may take `action`.
    pub fn may(&self, action: Action) -> bool {
        may(self.role, action)
    }
}

impl Account {
    /// Whether any of the account's roles may take `action` (what a page offers it).
    pub fn may(&self, action: Action) -> bool {
        self.roles.iter().any(|r| may(*r, action))
    }
}

/// The order in which an account's roles are tried when it acts: the one that may do most of a
/// country's work first.
const ACTING_ORDER: [Role; 7] = [
    Role::Supervisor,
    Role::Caseworker,
    Role::Operator,
    Role::CountryAdmin,
    Role::SystemAdmin,
    Role::RegionalAnalyst,
    Role::CampaignEditor,
];

/// The role an account holding `roles` acts as for `action`: the first of its roles (in
/// [`ACTING_ORDER`]) that may take it; if none may, the first it holds, so that the refusal
/// names it; `Visitor` for an account with no role.
pub fn acting_role(roles: &[Role], action: Action) -> Role {
    let held = || ACTING_ORDER.into_iter().filter(|r| roles.contains(r));
    held()
        .find(|r| may(*r, action))
        .or_else(|| held().next())
        .unwrap_or(Role::Visitor)
}

/// Whether an administrator holding `admin_roles` may give `role` to an account: system
/// administrators any assignable role, country administrators only the country roles (of their
/// own country, which the store enforces).
pub fn may_assign(admin_roles: &[Role], role: Role) -> bool {
    if admin_roles
        .iter()
        .any(|r| may(*r, Action::ManageEveryAccount))
    {
        return Role::ASSIGNABLE.contains(&role);
    }
    admin_roles.iter().any(|r| may(*r, Action::ManageAccounts)) && role.is_country_role()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_acts_as_the_role_that_may() {
        let both = [Role::CountryAdmin, Role::Supervisor];
        assert_eq!(acting_role(&both, Action::EditServices), Role::CountryAdmin);
        assert_eq!(acting_role(&both, Action::WorkCases), Role::Supervisor);
        assert_eq!(
            acting_role(&both, Action::ManageAccounts),
            Role::CountryAdmin
        );
        let worker = [Role::Operator, Role::Caseworker];
        assert_eq!(acting_role(&worker, Action::WorkCases), Role::Caseworker);
        // None of its roles may: the refusal names the account's first role.
        assert_eq!(acting_role(&worker, Action::AssignCases), Role::Caseworker);
        assert_eq!(
            acting_role(&[Role::RegionalAnalyst], Action::CountLiveCases),
            Role::RegionalAnalyst
        );
        assert_eq!(acting_role(&[], Action::ReadStatistics), Role::Visitor);
    }

    #[test]
    fn regional_and_system_roles_never_work_with_personal_data() {
        for role in [
            Role::RegionalAnalyst,
            Role::CampaignEditor,
            Role::SystemAdmin,
            Role::Visitor,
            Role::Cli,
        ] {
            for action in [
                Action::WorkCases,
                Action::TakeDanger,
                Action::TakeCase,
                Action::CountLiveCases,
                Action::ExportCases,
                Action::MakeReleases,
            ] {
                assert!(!may(role, action), "{role:?} {action:?}");
            }
        }
        assert!(may(Role::RegionalAnalyst, Action::ReadStatistics));
        assert!(!may(Role::SystemAdmin, Action::ReadStatistics));
    }

    #[test]
    fn administrators_give_the_roles_their_reach_allows() {
        assert!(may_assign(&[Role::SystemAdmin], Role::RegionalAnalyst));
        assert!(may_assign(&[Role::CountryAdmin], Role::Operator));
        assert!(!may_assign(&[Role::CountryAdmin], Role::RegionalAnalyst));
        assert!(!may_assign(&[Role::Supervisor], Role::Operator));
    }
}
