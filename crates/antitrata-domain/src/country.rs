//! Countries of the Regional Conference on Migration and their reference facts.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Lang;

/// The eleven member countries of the Regional Conference on Migration (RCM), as ISO 3166-1 alpha-2.
pub const RCM_MEMBERS: [&str; 11] = [
    "BZ", "CA", "CR", "DO", "SV", "GT", "HN", "MX", "NI", "PA", "US",
];

/// An ISO 3166-1 alpha-2 code, always stored in upper case (`GT`). Whether it is one of ours is
/// a separate question: see [`CountryCode::is_rcm_member`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for CountryCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[A-Z]{2}$"))
            .description(Some("ISO 3166-1 alpha-2 country code"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for CountryCode {}

impl CountryCode {
    /// Accepts two ASCII letters in either case (`gt`, `GT`).
    pub fn parse(code: &str) -> Result<CountryCode, CountryCodeError> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Ok(CountryCode([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
            ])),
            _ => Err(CountryCodeError),
        }
    }

    /// Upper case, as in ISO 3166 and the API (`GT`).
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Lower case, as in public URLs (`/es/gt`).
    pub fn lowercase(&self) -> String {
        self.as_str().to_ascii_lowercase()
    }

    pub fn is_rcm_member(&self) -> bool {
        RCM_MEMBERS.contains(&self.as_str())
    }

    /// The IANA time zone the country's hotline keeps its hours in: the capital's, for the
    /// countries that span several (Canada, Mexico, the United States); `UTC` for a country
    /// outside the conference.
    pub fn time_zone(&self) -> &'static str {
        match self.as_str() {
            "BZ" => "America/Belize",
            "CA" => "America/Toronto",
            "CR" => "America/Costa_Rica",
            "DO" => "America/Santo_Domingo",
            "SV" => "America/El_Salvador",
            "GT" => "America/Guatemala",
            "HN" => "America/Tegucigalpa",
            "MX" => "America/Mexico_City",
            "NI" => "America/Managua",
            "PA" => "America/Panama",
            "US" => "America/New_York",
            _ => "UTC",
        }
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = CountryCodeError;
    fn try_from(s: String) -> Result<CountryCode, CountryCodeError> {
        CountryCode::parse(&s)
    }
}

impl From<CountryCode> for String {
    fn from(code: CountryCode) -> String {
        code.as_str().to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a country code is two letters (ISO 3166-1 alpha-2), e.g. GT")]
pub struct CountryCodeError;

/// A country's reference facts: names, emergency number and the national authority against trafficking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country {
    pub iso2: CountryCode,
    /// International calling code without `+` (`502` for Guatemala).
    pub calling_code: String,
    pub name_es: String,
    pub name_en: String,
    pub name_fr: String,
    /// The general emergency number (`911`, `110` in Guatemala, `118` in Nicaragua).
    pub emergency_number: String,
    pub emergency_notes: Option<String>,
    pub emergency_source_urls: Vec<String>,
    /// The national body that leads the fight against trafficking, as named in its sources.
    pub authority: Option<String>,
    pub authority_source_urls: Vec<String>,
}

impl Country {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.name_es,
            Lang::En => &self.name_en,
            Lang::Fr => &self.name_fr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_two_letters_in_any_case() {
        assert_eq!(
            CountryCode::parse("gt").map(|c| c.to_string()),
            Ok("GT".into())
        );
        assert_eq!(
            CountryCode::parse("Mx").map(|c| c.lowercase()),
            Ok("mx".into())
        );
        for bad in ["", "g", "gtm", "g1", "ñx", "12", "g "] {
            assert_eq!(CountryCode::parse(bad), Err(CountryCodeError), "{bad}");
        }
    }

    #[test]
    fn knows_the_eleven_members() {
        assert_eq!(RCM_MEMBERS.len(), 11);
        let ht = CountryCode::parse("ht").unwrap();
        assert!(!ht.is_rcm_member());
        for code in RCM_MEMBERS {
            assert!(CountryCode::parse(code).unwrap().is_rcm_member());
        }
    }
}
