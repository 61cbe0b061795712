//! Types and rules of antitrata, free of IO: languages, countries, hotlines and how their numbers dial.
//!
//! Everything here is plain data and pure functions. Values that can be invalid have a `parse`
//! constructor, so an invalid value cannot exist past the edge of the system.

mod country;
mod hotline;
mod lang;
mod phone;

pub use country::{Country, CountryCode, CountryCodeError, RCM_MEMBERS};
pub use hotline::{Channel, Confidence, CountryDirectory, Hotline, HotlineId, HotlineScope};
pub use lang::{Lang, LangError};
pub use phone::{DialTarget, dial_targets};
