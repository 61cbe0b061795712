//! The services directory: organisations and the services victims are referred to, after the
//! Open Referral Human Services Data Specification (organization, service, location, contact,
//! languages, eligibility, hours, categories). Not personal data; scoped by country.

use std::fmt;

use uuid::Uuid;

use super::contact::ContactLanguage;
use super::picklist::picklist;
use super::validation::{Errors, FieldError, Problem};
use crate::CountryCode;

/// Identifies a service (UUIDv7).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ServiceId(pub Uuid);

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

picklist! {
    /// What kind of help a service gives.
    ServiceCategory, "service-category" {
        Shelter = "shelter",
        Medical = "medical",
        Psychological = "psychological",
        Legal = "legal",
        Consular = "consular",
        ReturnAssistance = "return-assistance",
        Livelihood = "livelihood",
        Other = "other",
    }
}

/// A service as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceInput {
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 200,
            pattern = r"[^\s\u0085]"
        )
    )]
    pub organization: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 200,
            pattern = r"[^\s\u0085]"
        )
    )]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<super::ServiceCategory>, required = true, min_items = 1))]
    pub categories: Vec<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 120,
            pattern = r"[^\s\u0085]"
        )
    )]
    pub locality: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub address: String,
    /// A number valid in the country, or a short code of up to four digits.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub phone: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Email, min_length = 1, max_length = 200))]
    pub email: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub hours: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<super::ContactLanguage>))]
    pub languages: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1000))]
    pub eligibility: String,
}

/// A checked service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDetails {
    pub organization: String,
    pub name: String,
    pub categories: Vec<ServiceCategory>,
    pub locality: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub hours: Option<String>,
    pub languages: Vec<ContactLanguage>,
    pub eligibility: Option<String>,
}

impl ServiceDetails {
    pub fn parse(
        input: &ServiceInput,
        country: CountryCode,
    ) -> Result<ServiceDetails, Vec<FieldError>> {
        let mut errors = Errors::default();
        let organization = errors.required_text("organization", &input.organization, 200);
        let name = errors.required_text("name", &input.name, 200);
        let categories = errors.codes("categories", &input.categories, ServiceCategory::parse);
        if categories.is_empty() && !input.categories.iter().any(|c| !c.trim().is_empty()) {
            errors.add("categories", Problem::Required);
        }
        let locality = errors.required_text("locality", &input.locality, 120);
        let address = errors.optional_text("address", &input.address, 500);
        let phone = errors.optional_text("phone", &input.phone, 40);
        if let Some(phone) = &phone
            && !super::person::valid_phone(phone, country)
            && !(phone.chars().filter(char::is_ascii_digit).count() <= 4
                && phone.chars().all(|c| c.is_ascii_digit()))
        {
            errors.add("phone", Problem::BadPhone);
        }
        let email = errors.optional_text("email", &input.email, 200);
        if let Some(email) = &email
            && crate::Email::parse(email).is_err()
        {
            errors.add("email", Problem::UnknownCode);
        }
        let hours = errors.optional_text("hours", &input.hours, 200);
        let languages = errors.codes("languages", &input.languages, ContactLanguage::parse);
        let eligibility = errors.optional_text("eligibility", &input.eligibility, 1000);
        errors.finish(ServiceDetails {
            organization,
            name,
            categories,
            locality,
            address,
            phone,
            email,
            hours,
            languages,
            eligibility,
        })
    }
}

/// A service of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub country: CountryCode,
    pub active: bool,
    pub details: ServiceDetails,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_needs_a_name_a_place_and_a_category() {
        let gt = CountryCode::parse("GT").unwrap();
        let good = ServiceInput {
            organization: "Asociación Refugio".into(),
            name: "Albergue temporal".into(),
            categories: vec!["shelter".into(), "psychological".into()],
            locality: "Ciudad de Guatemala".into(),
            phone: "2222 3333".into(),
            languages: vec!["es".into()],
            ..ServiceInput::default()
        };
        let service = ServiceDetails::parse(&good, gt).unwrap();
        assert_eq!(
            service.categories,
            [ServiceCategory::Shelter, ServiceCategory::Psychological]
        );
        let short_code = ServiceInput {
            phone: "1515".into(),
            ..good.clone()
        };
        assert!(ServiceDetails::parse(&short_code, gt).is_ok());
        let bad = ServiceInput {
            name: String::new(),
            categories: vec![],
            phone: "12-ab".into(),
            email: "nope".into(),
            ..good
        };
        let fields: Vec<_> = ServiceDetails::parse(&bad, gt)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "categories", "phone", "email"]);
    }
}
