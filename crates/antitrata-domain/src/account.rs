//! Staff accounts: who may sign in to the console, in which language, with which roles and
//! country. The people in the records are never accounts.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{CountryCode, CountryScope, Lang, Role};

/// Identifies an account (UUIDv7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub Uuid);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A sign-in address: trimmed, lowercased, one `@` with text on both sides and a dot in the
/// domain, no spaces, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an e-mail address looks like name@example.org")]
pub struct EmailError;

impl Email {
    pub fn parse(text: &str) -> Result<Email, EmailError> {
        let email = text.trim().to_lowercase();
        let (local, domain) = email.split_once('@').ok_or(EmailError)?;
        let valid = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Email(email))
        } else {
            Err(EmailError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Email, EmailError> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Role {
    /// Every role a person can be given (the command line is not one).
    pub const ASSIGNABLE: [Role; 7] = [
        Role::Operator,
        Role::Caseworker,
        Role::Supervisor,
        Role::CountryAdmin,
        Role::RegionalAnalyst,
        Role::CampaignEditor,
        Role::SystemAdmin,
    ];

    pub fn parse(text: &str) -> Option<Role> {
        Role::ASSIGNABLE.into_iter().find(|r| r.as_str() == text)
    }

    /// Roles held within one country; the others are regional.
    pub fn is_country_role(self) -> bool {
        matches!(
            self,
            Role::Operator | Role::Caseworker | Role::Supervisor | Role::CountryAdmin
        )
    }

    /// Roles that see personal data of people in the records, or control who does: a second
    /// factor is required for them.
    pub fn requires_second_factor(self) -> bool {
        matches!(
            self,
            Role::Operator
                | Role::Caseworker
                | Role::Supervisor
                | Role::CountryAdmin
                | Role::SystemAdmin
        )
    }
}

/// An account as the console and the permission module see it. Secrets (password hash, TOTP
/// secret, recovery codes) stay in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub language: Lang,
    pub roles: Vec<Role>,
    /// The country of the country roles; `None` for regional accounts.
    pub country: Option<CountryCode>,
    pub disabled: bool,
    /// Whether a password has been set (a new account has only a setup link).
    pub has_password: bool,
    pub totp_enabled: bool,
    /// A service account: no password, no console; it reaches the JSON API with bearer tokens.
    pub service: bool,
    pub created_at: OffsetDateTime,
}

impl Account {
    pub fn requires_second_factor(&self) -> bool {
        self.roles.iter().any(|r| r.requires_second_factor())
    }

    /// The countries this account's records reach.
    pub fn scope(&self) -> CountryScope {
        match self.country {
            Some(country) if self.roles.iter().any(|r| r.is_country_role()) => {
                CountryScope::Country(country)
            }
            _ => CountryScope::None,
        }
    }
}

/// What is needed to create an account; it starts without a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub email: Email,
    pub display_name: String,
    pub language: Lang,
    pub roles: Vec<Role>,
    pub country: Option<CountryCode>,
    /// A service account (API tokens only) rather than a person's.
    pub service: bool,
}

/// Why roles and a country do not fit together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoleAssignmentError {
    #[error("give at least one role")]
    NoRole,
    #[error("country roles (operator, caseworker, supervisor, country-admin) need a country")]
    CountryMissing,
    #[error(
        "regional roles (regional-analyst, campaign-editor, system-admin) cannot be mixed with country roles"
    )]
    Mixed,
    #[error("that country is not an RCM member")]
    NotAMember,
}

/// Checks a role set and its country: country roles need an RCM country, regional roles none.
pub fn check_role_assignment(
    roles: &[Role],
    country: Option<CountryCode>,
) -> Result<(), RoleAssignmentError> {
    if roles.is_empty() {
        return Err(RoleAssignmentError::NoRole);
    }
    let country_roles = roles.iter().filter(|r| r.is_country_role()).count();
    if country_roles > 0 && country_roles < roles.len() {
        return Err(RoleAssignmentError::Mixed);
    }
    match (country_roles > 0, country) {
        (true, None) => Err(RoleAssignmentError::CountryMissing),
        (_, Some(code)) if !code.is_rcm_member() => Err(RoleAssignmentError::NotAMember),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            Email::parse("  Ana.Perez@Example.ORG ").unwrap().as_str(),
            "ana.perez@example.org"
        );
        for bad in [
            "",
            "ana",
            "@example.org",
            "ana@",
            "ana@example",
            "ana @example.org",
            "a@b@c.org",
            "ana@.org",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError), "{bad}");
        }
    }

    #[test]
    fn roles_round_trip_and_know_their_scope() {
        for role in Role::ASSIGNABLE {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("cli"), None);
        assert!(Role::Operator.requires_second_factor());
        assert!(!Role::RegionalAnalyst.requires_second_factor());
    }

    #[test]
    fn role_sets_must_fit_their_country() {
        let gt = CountryCode::parse("GT").ok();
        let ht = CountryCode::parse("HT").ok();
        assert_eq!(check_role_assignment(&[Role::Operator], gt), Ok(()));
        assert_eq!(
            check_role_assignment(&[Role::RegionalAnalyst], None),
            Ok(())
        );
        assert_eq!(
            check_role_assignment(&[], gt),
            Err(RoleAssignmentError::NoRole)
        );
        assert_eq!(
            check_role_assignment(&[Role::Operator], None),
            Err(RoleAssignmentError::CountryMissing)
        );
        assert_eq!(
            check_role_assignment(&[Role::Operator, Role::SystemAdmin], gt),
            Err(RoleAssignmentError::Mixed)
        );
        assert_eq!(
            check_role_assignment(&[Role::Operator], ht),
            Err(RoleAssignmentError::NotAMember)
        );
    }
}
