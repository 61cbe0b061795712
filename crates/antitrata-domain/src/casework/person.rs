//! The people of a case: victims and, where it helps, family members. Name, aliases, phone,
//! address and date of birth are personal data (sealed by the store); gender, nationality, age
//! band and minority are kept in the clear for counting, within the country.

use time::Date;

use super::case::parse_date;
use super::contact::ContactLanguage;
use super::picklist::picklist;
use super::validation::{Errors, FieldError, Problem};
use crate::CountryCode;

picklist! {
    /// What a person is to the case.
    PersonRole, "person-role" {
        Victim = "victim",
        FamilyMember = "family-member",
    }
}

picklist! {
    /// `prs_Gender`.
    Gender, "gender" {
        Feminine = "Feminine",
        Masculine = "Masculine",
        TransgenderFeminine = "TransgenderFeminine",
        TransgenderMasculine = "TransgenderMasculine",
        NonConforming = "NonConforming",
        Unknown = "NonSpecifiedUnknown",
    }
}

picklist! {
    /// CTDC's age bands at registration.
    AgeBand, "age-band" {
        Upto8 = "0--8",
        From9To17 = "9--17",
        From18To20 = "18--20",
        From21To23 = "21--23",
        From24To26 = "24--26",
        From27To29 = "27--29",
        From30To38 = "30--38",
        From39To47 = "39--47",
        From48 = "48+",
    }
}

impl AgeBand {
    /// The band of an age in whole years.
    pub fn of_age(years: i32) -> AgeBand {
        match years {
            ..=8 => AgeBand::Upto8,
            9..=17 => AgeBand::From9To17,
            18..=20 => AgeBand::From18To20,
            21..=23 => AgeBand::From21To23,
            24..=26 => AgeBand::From24To26,
            27..=29 => AgeBand::From27To29,
            30..=38 => AgeBand::From30To38,
            39..=47 => AgeBand::From39To47,
            _ => AgeBand::From48,
        }
    }

    pub fn is_minor(self) -> bool {
        matches!(self, AgeBand::Upto8 | AgeBand::From9To17)
    }
}

/// Whole years between `born` and `on`.
pub fn age_on(born: Date, on: Date) -> i32 {
    let mut years = on.year() - born.year();
    if (on.month() as u8, on.day()) < (born.month() as u8, born.day()) {
        years -= 1;
    }
    years
}

/// The longest name, alias list or address kept.
pub const NAME_MAX: usize = 200;
pub const ADDRESS_MAX: usize = 500;

/// A person of a case as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePersonInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::PersonRole, required = true))]
    pub role: String,
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
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub aliases: String,
    /// A number valid in the case's country (or in international form).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub phone: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub address: String,
    /// `YYYY-MM-DD`, not in the future.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub born_on: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::AgeBand))]
    pub age_band: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::Gender))]
    pub gender: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::m49::PlacedCountry))]
    pub nationality: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<super::ContactLanguage>))]
    pub languages: Vec<String>,
    /// Known to be a minor though the age is not (`on` from a checkbox).
    #[serde(default)]
    pub minor: bool,
}

/// A checked person of a case.
#[derive(Clone, PartialEq, Eq)]
pub struct CasePerson {
    pub role: PersonRole,
    pub name: String,
    pub aliases: Option<String>,
    /// As typed; checked to be a valid number of its country.
    pub phone: Option<String>,
    pub address: Option<String>,
    pub born_on: Option<Date>,
    pub age_band: Option<AgeBand>,
    pub gender: Option<Gender>,
    pub nationality: Option<CountryCode>,
    pub languages: Vec<ContactLanguage>,
    pub is_minor: bool,
}

impl CasePerson {
    /// Checks a submission for a case of `country` on `today`. The age band follows the date of
    /// birth when there is one; a person is a minor by age, by band or by the checkbox.
    pub fn parse(
        input: &CasePersonInput,
        country: CountryCode,
        today: Date,
    ) -> Result<CasePerson, Vec<FieldError>> {
        let mut errors = Errors::default();
        let role = errors.required_code("role", &input.role, PersonRole::parse);
        let name = errors.required_text("name", &input.name, NAME_MAX);
        let aliases = errors.optional_text("aliases", &input.aliases, NAME_MAX);
        let phone = errors.optional_text("phone", &input.phone, PHONE_MAX);
        if let Some(phone) = &phone
            && !valid_phone(phone, country)
        {
            errors.add("phone", Problem::BadPhone);
        }
        let address = errors.optional_text("address", &input.address, ADDRESS_MAX);
        let born_on = parse_date(&mut errors, "born_on", &input.born_on, today);
        if born_on.is_some_and(|b| age_on(b, today) > 120) {
            errors.add("born_on", Problem::OutOfRange);
        }
        let typed_band = errors.optional_code("age_band", &input.age_band, AgeBand::parse);
        let age_band = born_on
            .map(|b| AgeBand::of_age(age_on(b, today)))
            .or(typed_band);
        let gender = errors.optional_code("gender", &input.gender, Gender::parse);
        let nationality = errors.optional_country("nationality", &input.nationality);
        let languages = errors.codes("languages", &input.languages, ContactLanguage::parse);
        let is_minor = input.minor || age_band.is_some_and(AgeBand::is_minor);
        let Some(role) = role else {
            return Err(errors.finish(()).err().unwrap_or_default());
        };
        errors.finish(CasePerson {
            role,
            name,
            aliases,
            phone,
            address,
            born_on,
            age_band,
            gender,
            nationality,
            languages,
            is_minor,
        })
    }
}

/// The longest phone number as typed (spaces, dashes and a country code included).
pub const PHONE_MAX: usize = 40;

/// A phone number the `phonenumber` crate accepts as a valid number, read as a number of
/// `country` unless it starts with `+`.
pub fn valid_phone(text: &str, country: CountryCode) -> bool {
    let region: Option<phonenumber::country::Id> = country.as_str().parse().ok();
    phonenumber::parse(region, text).is_ok_and(|n| phonenumber::is_valid(&n))
}

impl std::fmt::Debug for CasePerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CasePerson")
            .field("role", &self.role)
            .field("is_minor", &self.is_minor)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    fn gt() -> CountryCode {
        CountryCode::parse("GT").unwrap()
    }

    fn input() -> CasePersonInput {
        CasePersonInput {
            role: "victim".into(),
            name: "Canary Person".into(),
            phone: "5555 0199".into(),
            born_on: "2010-12-01".into(),
            gender: "Feminine".into(),
            nationality: "HN".into(),
            languages: vec!["es".into(), "quc".into()],
            ..CasePersonInput::default()
        }
    }

    #[test]
    fn age_band_and_minority_follow_the_date_of_birth() {
        let person = CasePerson::parse(&input(), gt(), TODAY).unwrap();
        // 15 on 2026-11-28 (16 only on 2026-12-01).
        assert_eq!(person.age_band, Some(AgeBand::From9To17));
        assert!(person.is_minor);
        assert!(!format!("{person:?}").contains("Canary"));
        let adult = CasePersonInput {
            born_on: String::new(),
            age_band: "24--26".into(),
            ..input()
        };
        assert!(!CasePerson::parse(&adult, gt(), TODAY).unwrap().is_minor);
        let flagged = CasePersonInput {
            minor: true,
            ..adult
        };
        assert!(CasePerson::parse(&flagged, gt(), TODAY).unwrap().is_minor);
        assert_eq!(age_on(date!(2000 - 02 - 29), date!(2018 - 02 - 28)), 17);
        assert_eq!(AgeBand::of_age(48), AgeBand::From48);
    }

    #[test]
    fn bad_values_are_refused_field_by_field() {
        let bad = CasePersonInput {
            role: "witness".into(),
            name: " ".into(),
            phone: "12".into(),
            born_on: "2027-01-01".into(),
            gender: "F".into(),
            nationality: "XX".into(),
            languages: vec!["klingon".into()],
            ..input()
        };
        let errors = CasePerson::parse(&bad, gt(), TODAY).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            fields,
            vec![
                ("role", Problem::UnknownCode),
                ("name", Problem::Required),
                ("phone", Problem::BadPhone),
                ("born_on", Problem::InFuture),
                ("gender", Problem::UnknownCode),
                ("nationality", Problem::BadCountry),
                ("languages", Problem::UnknownCode),
            ]
        );
        let old = CasePersonInput {
            born_on: "1890-01-01".into(),
            ..input()
        };
        assert_eq!(
            CasePerson::parse(&old, gt(), TODAY).unwrap_err()[0].problem,
            Problem::OutOfRange
        );
    }

    #[test]
    fn phones_are_checked_as_numbers_of_the_country_or_international() {
        assert!(valid_phone("5555 0199", gt()));
        assert!(valid_phone("+504 9999 1234", gt()));
        assert!(!valid_phone("555", gt()));
        assert!(!valid_phone("not a phone", gt()));
    }
}
