//! Types and rules of antitrata, free of IO: languages, countries, hotlines and how their numbers
//! dial, people in the records, and who acts on them.
//!
//! Everything here is plain data and pure functions. Values that can be invalid have a `parse`
//! constructor, so an invalid value cannot exist past the edge of the system.

mod access;
mod account;
pub mod casework;
pub mod content;
mod country;
mod hotline;
mod hotline_edit;
mod lang;
pub mod m49;
mod person;
mod phone;
pub mod policy;
pub mod stats;
pub mod throttle;
pub mod time_text;

pub use access::{Actor, CountryScope, Role};
pub use account::{
    Account, Email, EmailError, NewAccount, RoleAssignmentError, UserId, check_role_assignment,
};
pub use country::{Country, CountryCode, CountryCodeError, RCM_MEMBERS};
pub use hotline::{Channel, Confidence, CountryDirectory, Hotline, HotlineId, HotlineScope};
pub use hotline_edit::{DESCRIPTION_MAX, HotlineInput, LINE_NAME_MAX, lang_fields};
pub use lang::{Lang, LangError};
pub use person::{NewPerson, Person, PersonId};
pub use phone::{DialTarget, dial_targets, dials_in};
