//! People in the records: the most dangerous data the system holds. Their identifying fields are
//! sealed at rest by the store and searchable only through blind indexes.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::CountryCode;

/// Identifies a person record (UUIDv7: sortable by creation, unguessable enough not to enumerate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub Uuid);

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What is needed to record a person. Names and phone numbers are kept as given; the store seals
/// them and indexes their normalized tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub country: CountryCode,
    pub name: String,
    pub phone: Option<String>,
}

/// A person as read back, decrypted, by someone allowed to see them.
#[derive(Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub country: CountryCode,
    pub name: String,
    pub phone: Option<String>,
    pub created_at: OffsetDateTime,
    /// The case the person is recorded in, if any.
    pub case: Option<crate::casework::CaseId>,
}

/// Personal data never reaches a log through `Debug`.
impl fmt::Debug for NewPerson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewPerson")
            .field("country", &self.country)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Person")
            .field("id", &self.id)
            .field("country", &self.country)
            .field("case", &self.case)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_names_and_phones() {
        let person = NewPerson {
            country: CountryCode::parse("GT").unwrap(),
            name: "Canary Name".into(),
            phone: Some("5555 0199".into()),
        };
        let shown = format!("{person:?}");
        assert!(
            !shown.contains("Canary") && !shown.contains("0199"),
            "{shown}"
        );
    }
}
