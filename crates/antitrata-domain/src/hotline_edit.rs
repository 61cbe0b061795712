//! What a country administrator may change in one of their country's lines, and the rules an
//! edit keeps: a number that dials in the country, known channels, language codes, sources that
//! are web addresses, a check date not in the future. Every mistake is named at once, beside its
//! field; the line's id, country, position and scope are not the administrator's to change.

use std::collections::BTreeMap;

use time::Date;

use crate::casework::{Errors, FieldError, Problem};
use crate::{Channel, Confidence, Country, Hotline, Lang, dials_in};

/// The longest name, in characters.
pub const LINE_NAME_MAX: usize = 160;
/// The longest description in one language, in characters.
pub const DESCRIPTION_MAX: usize = 600;
const SHORT_TEXT_MAX: usize = 200;
const SOURCES_MAX: usize = 10;

/// A line's fields as an administrator typed them.
#[derive(Debug, Clone, Default)]
pub struct HotlineInput {
    pub name: String,
    /// The name in each of the site's languages, by language.
    pub names: BTreeMap<Lang, String>,
    pub descriptions: BTreeMap<Lang, String>,
    pub number: String,
    pub number_vanity: String,
    pub hours: String,
    /// `yes`, `no`, or empty for unknown.
    pub free: String,
    pub channels: Vec<String>,
    /// Language codes (ISO 639), separated by commas or spaces.
    pub languages: String,
    pub institution: String,
    /// One web address per line.
    pub sources: String,
    pub confidence: String,
    /// `YYYY-MM-DD`, or empty.
    pub verified_on: String,
}

impl HotlineInput {
    /// A stored line as the form's fields.
    pub fn of(line: &Hotline) -> HotlineInput {
        let by_lang = |map: &BTreeMap<String, String>| {
            Lang::ALL
                .into_iter()
                .filter_map(|l| map.get(l.code()).map(|v| (l, v.clone())))
                .collect()
        };
        HotlineInput {
            name: line.name.clone(),
            names: by_lang(&line.names),
            descriptions: by_lang(&line.descriptions),
            number: line.number.clone().unwrap_or_default(),
            number_vanity: line.number_vanity.clone().unwrap_or_default(),
            hours: line.hours.clone().unwrap_or_default(),
            free: match line.free {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            channels: line
                .channels
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            languages: line.languages.join(", "),
            institution: line.institution.clone().unwrap_or_default(),
            sources: line.source_urls.join("\n"),
            confidence: line.confidence.as_str().to_owned(),
            verified_on: line
                .verified_on
                .map(crate::time_text::day)
                .unwrap_or_default(),
        }
    }
}

impl Hotline {
    /// This line with `input` applied, checked against its country (the number must dial there)
    /// and `today` (a line cannot be checked tomorrow); or every field error at once.
    pub fn edited(
        &self,
        country: &Country,
        input: &HotlineInput,
        today: Date,
    ) -> Result<Hotline, Vec<FieldError>> {
        let mut errors = Errors::default();
        let name = errors.required_text("name", &input.name, LINE_NAME_MAX);
        let mut names = BTreeMap::new();
        let mut descriptions = BTreeMap::new();
        for lang in Lang::ALL {
            let (name_field, description_field) = lang_fields(lang);
            let typed = input.names.get(&lang).map_or("", String::as_str);
            if let Some(n) = errors.optional_text(name_field, typed, LINE_NAME_MAX) {
                names.insert(lang.code().to_owned(), n);
            }
            let typed = input.descriptions.get(&lang).map_or("", String::as_str);
            if let Some(d) = errors.optional_text(description_field, typed, DESCRIPTION_MAX) {
                descriptions.insert(lang.code().to_owned(), d);
            }
        }
        let number = errors.optional_text("number", &input.number, SHORT_TEXT_MAX);
        if number.as_deref().is_some_and(|n| !dials_in(n, country)) {
            errors.add("number", Problem::BadPhone);
        }
        let number_vanity = errors.optional_text("number_vanity", &input.number_vanity, 40);
        let hours = errors.optional_text("hours", &input.hours, SHORT_TEXT_MAX);
        let free = match input.free.trim() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.add("free", Problem::UnknownCode);
                None
            }
        };
        let channels = errors.codes("channels", &input.channels, Channel::parse);
        let languages = language_codes(&mut errors, &input.languages);
        let institution = errors.optional_text("institution", &input.institution, SHORT_TEXT_MAX);
        let source_urls = sources(&mut errors, &input.sources);
        let confidence = errors.required_code("confidence", &input.confidence, Confidence::parse);
        let verified_on = errors.optional_date("verified_on", input.verified_on.trim());
        if verified_on.is_some_and(|d| d > today) {
            errors.add("verified_on", Problem::InFuture);
        }
        let edited = Hotline {
            name,
            names,
            descriptions,
            number,
            number_vanity,
            hours,
            free,
            channels,
            languages,
            institution,
            source_urls,
            confidence: confidence.unwrap_or(self.confidence),
            verified_on,
            ..self.clone()
        };
        errors.finish(edited)
    }
}

/// The form fields of a language's name and description (`name_es`, `description_es`).
pub fn lang_fields(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Es => ("name_es", "description_es"),
        Lang::En => ("name_en", "description_en"),
        Lang::Fr => ("name_fr", "description_fr"),
    }
}

/// Language codes: two or three lowercase letters each (ISO 639-1 or 639-3), without repeats.
fn language_codes(errors: &mut Errors, typed: &str) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for code in typed
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
    {
        let code = code.to_ascii_lowercase();
        if !(2..=3).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_lowercase()) {
            errors.add("languages", Problem::UnknownCode);
            return codes;
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// Web addresses, one per line: each `https://` or `http://` with a host.
fn sources(errors: &mut Errors, typed: &str) -> Vec<String> {
    let lines: Vec<&str> = typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > SOURCES_MAX {
        errors.add("sources", Problem::OutOfRange);
    }
    let web = |line: &&str| {
        url::Url::parse(line)
            .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some())
    };
    if !lines.iter().all(web) {
        errors.add("sources", Problem::UnknownCode);
    }
    lines.into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CountryCode, HotlineId, HotlineScope};

    fn guatemala() -> Country {
        Country {
            iso2: CountryCode::parse("GT").unwrap(),
            calling_code: "502".into(),
            name_es: "Guatemala".into(),
            name_en: "Guatemala".into(),
            name_fr: "Guatemala".into(),
            emergency_number: "110".into(),
            emergency_notes: None,
            emergency_source_urls: vec![],
            authority: None,
            authority_source_urls: vec![],
        }
    }

    fn line() -> Hotline {
        let gt = CountryCode::parse("GT").unwrap();
        Hotline {
            id: HotlineId::seeded(gt, 0),
            country: gt,
            position: 0,
            name: "Línea 1552".into(),
            name_lang: Some("es".into()),
            names: BTreeMap::new(),
            descriptions: BTreeMap::new(),
            scope: HotlineScope::TraffickingSpecific,
            number: Some("1552".into()),
            number_vanity: None,
            institution: None,
            hours: None,
            free: Some(true),
            channels: vec![Channel::Phone],
            languages: vec!["es".into()],
            interpretation: false,
            languages_note: None,
            email: None,
            sms: None,
            web: None,
            source_urls: vec![],
            source_year: Some(2024),
            confidence: Confidence::Confirmed,
            verified_on: None,
            notes: Some("research note".into()),
        }
    }

    const TODAY: Date = time::macros::date!(2026 - 11 - 27);

    #[test]
    fn a_line_as_its_form_comes_back_unchanged() {
        let line = line();
        let same = line
            .edited(&guatemala(), &HotlineInput::of(&line), TODAY)
            .unwrap();
        assert_eq!(same, line);
    }

    #[test]
    fn an_edit_changes_what_the_administrator_typed_and_keeps_the_rest() {
        let line = line();
        let mut input = HotlineInput::of(&line);
        input.hours = " 24/7 ".into();
        input.names.insert(Lang::Es, "Línea contra la trata".into());
        input
            .descriptions
            .insert(Lang::En, "Free and confidential.".into());
        input.languages = "es, quc ES".into();
        input.sources = "https://www.mingob.gob.gt/\n\n".into();
        input.verified_on = "2026-11-27".into();
        let edited = line.edited(&guatemala(), &input, TODAY).unwrap();
        assert_eq!(edited.hours.as_deref(), Some("24/7"));
        assert_eq!(edited.names["es"], "Línea contra la trata");
        assert_eq!(edited.descriptions["en"], "Free and confidential.");
        assert_eq!(edited.languages, ["es", "quc"]);
        assert_eq!(edited.source_urls, ["https://www.mingob.gob.gt/"]);
        assert_eq!(edited.verified_on, Some(TODAY));
        assert_eq!(
            (edited.id, edited.scope, edited.notes.as_deref()),
            (line.id, line.scope, Some("research note"))
        );
    }

    #[test]
    fn every_mistake_is_named_beside_its_field_at_once() {
        let line = line();
        let mut input = HotlineInput::of(&line);
        input.name = " ".into();
        input.number = "2411-919".into();
        input.free = "maybe".into();
        input.channels = vec!["pigeon".into()];
        input.languages = "spanish".into();
        input.sources = "www.example.org".into();
        input.confidence = "sure".into();
        input.verified_on = "2026-11-28".into();
        input.names.insert(Lang::Fr, "x".repeat(LINE_NAME_MAX + 1));
        let problems: Vec<(&str, Problem)> = line
            .edited(&guatemala(), &input, TODAY)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect();
        assert_eq!(
            problems,
            [
                ("name", Problem::Required),
                ("name_fr", Problem::TooLong(LINE_NAME_MAX)),
                ("number", Problem::BadPhone),
                ("free", Problem::UnknownCode),
                ("channels", Problem::UnknownCode),
                ("languages", Problem::UnknownCode),
                ("sources", Problem::UnknownCode),
                ("confidence", Problem::UnknownCode),
                ("verified_on", Problem::InFuture),
            ]
        );
    }
}
