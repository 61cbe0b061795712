//! How a published number dials: `tel:` links in E.164 where the number allows it.

use phonenumber::{Mode, PhoneNumber, country};
use serde::Serialize;

use crate::Country;

/// One number to dial, as shown and as linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DialTarget {
    /// As published (`1-888-373-7888`).
    pub display: String,
    /// The `tel:` URI (`tel:+18883737888`, or `tel:911` for a short code).
    pub tel: String,
    /// The E.164 form, when the number is a valid full number of its country.
    pub e164: Option<String>,
}

/// Splits a published number into the numbers it names (`516-28-46 / 6977-1941` names two) and
/// gives each its `tel:` link.
///
/// Short codes (`911`, `145`, `089`), numbers written with a leading `0` (a trunk prefix, or a
/// toll-free form that only works inside the country, like Belize's `0-800`) and numbers that are
/// not valid full numbers of the country dial as published, digits only: a link to a guessed
/// international form could call a stranger.
pub fn dial_targets(published: &str, country: &Country) -> Vec<DialTarget> {
    published
        .split('/')
        .map(str::trim)
        .filter(|part| part.chars().any(|c| c.is_ascii_digit()))
        .map(|part| {
            let e164 = to_e164(part, country);
            let tel = match &e164 {
                Some(e164) => format!("tel:{e164}"),
                None => format!("tel:{}", digits(part)),
            };
            DialTarget {
                display: part.to_owned(),
                tel,
                e164,
            }
        })
        .collect()
}

const SHORT_CODE_MAX_DIGITS: usize = 4;

/// Whether a published number dials in `country`, as an administrator's edit must keep it: each
/// of its parts (`/` between them) is written with digits, spaces and `+ - . ( )` only, and is a
/// short code (3 or 4 digits), a domestic form beginning with 0 (7 to 15 digits), or a valid full
/// number of the country.
pub fn dials_in(published: &str, country: &Country) -> bool {
    published.split('/').map(str::trim).all(|part| {
        let digits = digits(part);
        let written = part
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
        let short = (3..=SHORT_CODE_MAX_DIGITS).contains(&digits.len()) && !part.contains('+');
        let domestic = digits.starts_with('0') && (7..=15).contains(&digits.len());
        written && (short || domestic || to_e164(part, country).is_some())
    })
}

fn to_e164(part: &str, country: &Country) -> Option<String> {
    let digits = digits(part);
    if digits.len() <= SHORT_CODE_MAX_DIGITS || digits.starts_with('0') {
        return None;
    }
    let region: country::Id = country.iso2.as_str().parse().ok()?;
    let number: PhoneNumber = phonenumber::parse(Some(region), &digits).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(number.format().mode(Mode::E164).to_string())
}

fn digits(part: &str) -> String {
    part.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CountryCode;

    fn country(iso2: &str, calling_code: &str) -> Country {
        Country {
            iso2: CountryCode::parse(iso2).unwrap(),
            calling_code: calling_code.into(),
            name_es: String::new(),
            name_en: String::new(),
            name_fr: String::new(),
            emergency_number: "911".into(),
            emergency_notes: None,
            emergency_source_urls: vec![],
            authority: None,
            authority_source_urls: vec![],
        }
    }

    fn tels(published: &str, iso2: &str) -> Vec<String> {
        dial_targets(published, &country(iso2, ""))
            .into_iter()
            .map(|t| t.tel)
            .collect()
    }

    #[test]
    fn full_numbers_dial_in_e164() {
        assert_eq!(tels("1-888-373-7888", "US"), ["tel:+18883737888"]);
        assert_eq!(tels("1-833-900-1010", "CA"), ["tel:+18339001010"]);
        assert_eq!(tels("809-200-7393", "DO"), ["tel:+18092007393"]);
        assert_eq!(tels("800 5533 000", "MX"), ["tel:+528005533000"]);
        assert_eq!(tels("3399-4699", "HN"), ["tel:+50433994699"]);
    }

    #[test]
    fn short_codes_dial_as_published() {
        assert_eq!(tels("911", "US"), ["tel:911"]);
        assert_eq!(tels("145", "HN"), ["tel:145"]);
        assert_eq!(tels("089", "MX"), ["tel:089"]);
        assert_eq!(tels("1552", "GT"), ["tel:1552"]);
    }

    #[test]
    fn domestic_forms_with_a_leading_zero_dial_as_published() {
        assert_eq!(tels("0-800-922-8477", "BZ"), ["tel:08009228477"]);
        assert_eq!(tels("01 800 00 854 00", "MX"), ["tel:018000085400"]);
    }

    #[test]
    fn invalid_full_numbers_are_not_turned_into_e164() {
        let targets = dial_targets("12345678901234", &country("GT", "502"));
        assert_eq!(targets[0].e164, None);
        assert_eq!(targets[0].tel, "tel:12345678901234");
    }

    #[test]
    fn several_numbers_in_one_entry_each_get_a_link() {
        let targets = dial_targets("516-28-46 / 6977-1941", &country("PA", "507"));
        let shown: Vec<_> = targets.iter().map(|t| t.display.as_str()).collect();
        assert_eq!(shown, ["516-28-46", "6977-1941"]);
        assert_eq!(targets[1].tel, "tel:+50769771941");
    }

    #[test]
    fn an_edited_number_must_dial() {
        let gt = country("GT", "502");
        for good in [
            "1552",
            "110",
            "2411-9191",
            "+502 2411 9191",
            "0-800-922-8477",
        ] {
            assert!(dials_in(good, &gt), "{good}");
        }
        for bad in [
            "",
            "15",
            "1552 ext",
            "2411-919",
            "12345678901234",
            "+1552",
            "2411 / x",
        ] {
            assert!(!dials_in(bad, &gt), "{bad}");
        }
        assert!(dials_in("516-28-46 / 6977-1941", &country("PA", "507")));
    }

    #[test]
    fn text_without_digits_gives_nothing_to_dial() {
        assert!(tels("", "GT").is_empty());
        assert!(tels("n/a", "GT").is_empty());
    }
}
