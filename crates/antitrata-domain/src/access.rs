//! Who is acting: roles, the countries a role reaches, and the actor recorded in the audit log.
//! What each role may do is decided in one place, [`crate::policy`]; this file holds the
//! vocabulary it shares with the store.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::CountryCode;

/// A role, always held within a country scope (except the regional and system roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Hotline intake in their own country.
    Operator,
    /// Cases of their own country.
    Caseworker,
    /// All of their own country's records, assignment, approvals.
    Supervisor,
    /// Users and directory of their own country.
    CountryAdmin,
    /// Privacy-protected statistics of all countries; never personal data.
    RegionalAnalyst,
    /// Public content and campaign materials.
    CampaignEditor,
    /// Users of all countries and configuration; no case content.
    SystemAdmin,
    /// The command line run by whoever holds the server (migrations, key rotation, audit checks).
    Cli,
    /// Someone not signed in (yet): recorded for failed and throttled sign-ins.
    Visitor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Caseworker => "caseworker",
            Role::Supervisor => "supervisor",
            Role::CountryAdmin => "country-admin",
            Role::RegionalAnalyst => "regional-analyst",
            Role::CampaignEditor => "campaign-editor",
            Role::SystemAdmin => "system-admin",
            Role::Cli => "cli",
            Role::Visitor => "visitor",
        }
    }
}

/// The countries whose records an action may touch. The store puts this into every query on
/// country-scoped data, so a handler that forgets a check still cannot reach another country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountryScope {
    /// One country's records only.
    Country(CountryCode),
    /// No country's personal records (regional analysts, campaign editors).
    None,
}

impl CountryScope {
    /// The one country this scope reaches, if any.
    pub fn country(&self) -> Option<CountryCode> {
        match self {
            CountryScope::Country(code) => Some(*code),
            CountryScope::None => None,
        }
    }
}

/// Who does something, when, and under which request: what every audit entry records. Never
/// personal data of the people in the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account id, or a fixed label for the command line (`cli`).
    pub who: String,
    pub role: Role,
    pub scope: CountryScope,
    pub request_id: Option<String>,
    /// When the action happens; the binary's clock decides, so tests can fix it.
    pub at: OffsetDateTime,
}

impl Actor {
    /// The calendar day it is for the actor: in their country's zone, or UTC for a regional
    /// role or the command line.
    pub fn today(&self) -> time::Date {
        crate::time_text::local_date(self.at, self.scope.country())
    }

    /// Someone not signed in (yet), acting as `who`: a sign-in attempt, or the holder of a setup
    /// link choosing their password. A visitor reaches no country's records.
    pub fn visitor(who: String, request_id: Option<String>, at: OffsetDateTime) -> Actor {
        Actor {
            who,
            role: Role::Visitor,
            scope: CountryScope::None,
            request_id,
            at,
        }
    }
}
