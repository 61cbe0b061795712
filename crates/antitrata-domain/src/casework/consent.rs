//! Consent: what a person agreed to, given by themselves or a guardian, when, until when, and
//! whether withdrawn. Every disclosure (a referral, sharing with authorities, a cross-border
//! referral) needs a consent that covers it at that moment.

use std::fmt;

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::case::CaseId;
use super::picklist::picklist;
use super::service::ServiceId;
use super::validation::{Errors, FieldError, Problem};
use crate::PersonId;

/// Identifies a consent record (UUIDv7).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ConsentId(pub Uuid);

impl fmt::Display for ConsentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

picklist! {
    /// What a consent allows.
    ConsentScope, "consent-scope" {
        Assistance = "assistance",
        Referral = "referral",
        DataSharing = "data-sharing",
        CrossBorder = "cross-border",
    }
}

picklist! {
    /// Who gave the consent.
    GivenBy, "given-by" {
        Person = "self",
        Guardian = "guardian",
    }
}

/// A consent as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentInput {
    /// The person of the case who gives it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Uuid, required = true))]
    pub person: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::ConsentScope, required = true))]
    pub scope: String,
    /// For a referral: the one service it names; left out for any service of the directory.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub service: String,
    /// A minor's consent is given by a guardian.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::GivenBy, required = true))]
    pub given_by: String,
    /// `YYYY-MM-DD`, the last day it holds, in the future; left out for no end.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub expires_on: String,
}

/// A checked consent, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub person: PersonId,
    pub scope: ConsentScope,
    pub service: Option<ServiceId>,
    pub given_by: GivenBy,
    pub expires_on: Option<Date>,
}

impl NewConsent {
    /// Checks a submission on `today` for a person who is (`minor`) or is not a minor: a minor's
    /// consent is given by a guardian, and an end date must be in the future.
    pub fn parse(
        input: &ConsentInput,
        minor: bool,
        today: Date,
    ) -> Result<NewConsent, Vec<FieldError>> {
        let mut errors = Errors::default();
        let person = Uuid::parse_str(input.person.trim()).ok().map(PersonId);
        if person.is_none() {
            errors.add("person", Problem::Required);
        }
        let scope = errors.required_code("scope", &input.scope, ConsentScope::parse);
        let service = match input.service.trim() {
            "" => None,
            text => match Uuid::parse_str(text) {
                Ok(id) => Some(ServiceId(id)),
                Err(_) => {
                    errors.add("service", Problem::UnknownCode);
                    None
                }
            },
        };
        if service.is_some() && scope != Some(ConsentScope::Referral) {
            errors.add("service", Problem::NotAllowedNow);
        }
        let given_by = errors.required_code("given_by", &input.given_by, GivenBy::parse);
        if minor && given_by == Some(GivenBy::Person) {
            errors.add("given_by", Problem::NotAllowedNow);
        }
        // An end date is a day from today on, within a hundred years.
        let far = today.replace_year(today.year() + 100).unwrap_or(today);
        let expires_on = errors
            .optional_date("expires_on", &input.expires_on)
            .filter(|date| {
                let in_range = *date >= today && *date <= far;
                if !in_range {
                    errors.add("expires_on", Problem::OutOfRange);
                }
                in_range
            });
        match (person, scope, given_by) {
            (Some(person), Some(scope), Some(given_by)) => errors.finish(NewConsent {
                person,
                scope,
                service,
                given_by,
                expires_on,
            }),
            _ => Err(errors.finish(()).err().unwrap_or_default()),
        }
    }
}

/// A consent as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub id: ConsentId,
    pub case: CaseId,
    pub given_at: OffsetDateTime,
    pub recorded_by: String,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub details: NewConsent,
    /// Raised by its one change, the withdrawal; the API's `ETag`.
    pub version: i64,
}

impl Consent {
    /// Whether this consent allows a disclosure of `scope` (to `service`, for referrals) at `at`:
    /// not withdrawn, not past its last day, the same scope, and for a referral naming a
    /// service, that service.
    pub fn covers(
        &self,
        scope: ConsentScope,
        service: Option<ServiceId>,
        at: OffsetDateTime,
    ) -> bool {
        let d = &self.details;
        self.withdrawn_at.is_none_or(|w| w > at)
            && self.given_at <= at
            && d.expires_on.is_none_or(|last| at.date() <= last)
            && d.scope == scope
            && (d.service.is_none() || d.service == service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn consent(service: Option<u128>, expires_on: Option<Date>) -> Consent {
        Consent {
            id: ConsentId(Uuid::nil()),
            case: CaseId(Uuid::nil()),
            given_at: datetime!(2026-11-01 10:00 UTC),
            recorded_by: "x".into(),
            withdrawn_at: None,
            version: 1,
            details: NewConsent {
                person: PersonId(Uuid::nil()),
                scope: ConsentScope::Referral,
                service: service.map(|n| ServiceId(Uuid::from_u128(n))),
                given_by: GivenBy::Person,
                expires_on,
            },
        }
    }

    #[test]
    fn a_consent_covers_only_its_scope_service_and_time() {
        let at = datetime!(2026-11-28 10:00 UTC);
        let shelter = Some(ServiceId(Uuid::from_u128(1)));
        let clinic = Some(ServiceId(Uuid::from_u128(2)));
        assert!(consent(None, None).covers(ConsentScope::Referral, shelter, at));
        assert!(consent(Some(1), None).covers(ConsentScope::Referral, shelter, at));
        assert!(!consent(Some(1), None).covers(ConsentScope::Referral, clinic, at));
        assert!(!consent(None, None).covers(ConsentScope::DataSharing, None, at));
        assert!(consent(None, Some(date!(2026 - 11 - 28))).covers(
            ConsentScope::Referral,
            shelter,
            at
        ));
        assert!(!consent(None, Some(date!(2026 - 11 - 27))).covers(
            ConsentScope::Referral,
            shelter,
            at
        ));
        let mut withdrawn = consent(None, None);
        withdrawn.withdrawn_at = Some(datetime!(2026-11-20 10:00 UTC));
        assert!(!withdrawn.covers(ConsentScope::Referral, shelter, at));
        assert!(!consent(None, None).covers(
            ConsentScope::Referral,
            shelter,
            datetime!(2026-10-01 0:00 UTC)
        ));
    }

    #[test]
    fn a_minors_consent_is_given_by_a_guardian_and_ends_in_the_future() {
        let today = date!(2026 - 11 - 28);
        let input = ConsentInput {
            person: Uuid::from_u128(5).to_string(),
            scope: "referral".into(),
            given_by: "self".into(),
            expires_on: "2027-06-30".into(),
            ..ConsentInput::default()
        };
        assert!(NewConsent::parse(&input, false, today).is_ok());
        let errors = NewConsent::parse(&input, true, today).unwrap_err();
        assert_eq!(errors[0].field, "given_by");
        let past = ConsentInput {
            expires_on: "2026-01-01".into(),
            ..input.clone()
        };
        assert_eq!(
            NewConsent::parse(&past, false, today).unwrap_err()[0].problem,
            Problem::OutOfRange
        );
        let named = ConsentInput {
            scope: "data-sharing".into(),
            service: Uuid::from_u128(1).to_string(),
            ..input
        };
        assert_eq!(
            NewConsent::parse(&named, false, today).unwrap_err()[0].field,
            "service"
        );
    }
}
