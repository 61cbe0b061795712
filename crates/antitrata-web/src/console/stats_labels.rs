//! The words the statistics page shows for CTDC variables and their values, in the page's
//! language (`locales/*/statistics.ftl`, whose head explains the keys). Only what is shown is
//! translated: the form's values, the links and the CSV keep the raw codes.

use std::collections::HashMap;

use antitrata_domain::stats::{Vocabulary, vocabulary};
use antitrata_domain::{Country, CountryCode};

use crate::i18n::Tr;

/// Labels for one page: the language and the directory's country names in it.
#[derive(Debug, Clone)]
pub(crate) struct StatsLabels {
    tr: Tr,
    countries: HashMap<CountryCode, String>,
}

impl StatsLabels {
    /// Labels in `tr`'s language, naming the `countries` of the directory; any other country is
    /// shown by its code.
    pub(crate) fn new(tr: Tr, countries: &[Country]) -> StatsLabels {
        let countries = countries
            .iter()
            .map(|c| (c.iso2, c.name(tr.lang).to_owned()))
            .collect();
        StatsLabels { tr, countries }
    }

    /// The label of a variable: see [`variable_label`].
    pub(crate) fn variable(&self, name: &str) -> String {
        variable_label(&self.tr, name)
    }

    /// A country by its name in the page's language, or by its code when the directory has no
    /// name for it.
    pub(crate) fn country(&self, code: &CountryCode) -> String {
        self.countries
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// The label of a value of `variable`: see [`value_label`].
    pub(crate) fn value(&self, variable: &str, value: &str) -> String {
        value_label(&self.tr, &self.countries, variable, value)
    }
}

/// The label of a variable (`isSexualExploit` → “Explotación sexual”), or its name when it has
/// none (a column of no CTDC codebook).
pub(crate) fn variable_label(tr: &Tr, name: &str) -> String {
    tr.try_t(&stat_variable_key(name))
        .unwrap_or_else(|| name.to_owned())
}

/// The Fluent key of a variable's label: `isSexualExploit` → `stat-var-is-sexual-exploit`.
pub fn stat_variable_key(name: &str) -> String {
    format!("stat-var-{}", key_part(name))
}

/// The Fluent key of a word value's label, shared by every variable that has the value:
/// `Transgender/NonConforming` → `stat-value-transgender-non-conforming`.
pub fn stat_value_key(value: &str) -> String {
    format!("stat-value-{}", key_part(value))
}

/// The label of a value of `variable`: flags as yes or no, country codes by the name in
/// `countries` (`ZZ` as the unknown country), words by their label (part by part when joined
/// with `;`), bands with an en dash (`0--8` → `0–8`); anything else as it is.
pub(crate) fn value_label(
    tr: &Tr,
    countries: &HashMap<CountryCode, String>,
    variable: &str,
    value: &str,
) -> String {
    match vocabulary(variable) {
        Some(Vocabulary::Flag) => match value {
            "1" => tr.t("stat-value-yes"),
            "0" => tr.t("stat-value-no"),
            _ => words(tr, value),
        },
        Some(Vocabulary::Country) => {
            if value == "ZZ" {
                return tr.t("stat-value-unknown-country");
            }
            CountryCode::parse(value)
                .ok()
                .filter(|_| value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()))
                .and_then(|code| countries.get(&code).cloned())
                .unwrap_or_else(|| words(tr, value))
        }
        Some(Vocabulary::Year) => value.to_owned(),
        Some(Vocabulary::Values(_) | Vocabulary::Open) | None => words(tr, value),
    }
}

/// A value's label as a whole, else part by part when it joins several with `;`, else the
/// value with its bands dashed.
fn words(tr: &Tr, value: &str) -> String {
    if let Some(label) = word(tr, value) {
        return label;
    }
    if value.contains(';') {
        return value
            .split(';')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| word(tr, part).unwrap_or_else(|| dashed(part)))
            .collect::<Vec<_>>()
            .join("; ");
    }
    dashed(value)
}

/// The label of a value that is a word, if it has one.
fn word(tr: &Tr, value: &str) -> Option<String> {
    if !value.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    tr.try_t(&stat_value_key(value))
}

/// A band of numbers (`0--8`, `18--29`, `2014-2018`) with an en dash; anything else unchanged.
fn dashed(value: &str) -> String {
    let band = value.split_once("--").or_else(|| value.split_once('-'));
    match band {
        Some((low, high))
            if !low.is_empty()
                && !high.is_empty()
                && low.bytes().all(|b| b.is_ascii_digit())
                && high.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{low}\u{2013}{high}")
        }
        _ => value.to_owned(),
    }
}

/// A CTDC name or value in the kebab case of the Fluent keys: a capital that starts a word
/// becomes `-` and a small letter, any run of other characters one `-`
/// (`IP_citizen_UNRegion` → `ip-citizen-un-region`, `Family/Relative` → `family-relative`).
fn key_part(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        if c.is_ascii_uppercase() && !out.is_empty() && !out.ends_with('-') {
            let previous = chars[i - 1];
            let next_is_small = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if previous.is_ascii_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_ascii_uppercase() && next_is_small)
            {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use antitrata_domain::Lang;

    use super::*;

    fn labels(lang: Lang) -> StatsLabels {
        let mut labels = StatsLabels::new(Tr::new(lang), &[]);
        labels.countries.insert(
            CountryCode::parse("MX").unwrap(),
            match lang {
                Lang::Es => "México",
                Lang::En => "Mexico",
                Lang::Fr => "Mexique",
            }
            .to_owned(),
        );
        labels
    }

    #[test]
    fn keys_are_the_names_in_kebab_case() {
        for (name, key) in [
            ("isSexualExploit", "is-sexual-exploit"),
            ("yearOfRegistration", "year-of-registration"),
            ("Datasource", "datasource"),
            ("UN_COO_Region", "un-coo-region"),
            ("IP_citizen_UNRegion", "ip-citizen-un-region"),
            ("IP_ageBroad", "ip-age-broad"),
            ("Transgender/NonConforming", "transgender-non-conforming"),
            ("Case Management", "case-management"),
            (
                "Sexual exploitation and forced labour",
                "sexual-exploitation-and-forced-labour",
            ),
            ("48+", "48"),
            ("", ""),
        ] {
            assert_eq!(key_part(name), key, "{name}");
        }
    }

    #[test]
    fn variables_and_values_are_shown_in_the_page_language() {
        let es = labels(Lang::Es);
        assert_eq!(es.variable("isSexualExploit"), "Explotación sexual");
        assert_eq!(es.variable("ageBroad"), "Edad (tramo)");
        assert_eq!(es.variable("citizenship"), "Ciudadanía");
        assert_eq!(es.variable("notes"), "notes", "no label: the name");
        assert_eq!(es.value("gender", "Female"), "Mujer");
        assert_eq!(es.value("gender", "Unknown"), "Desconocido");
        assert_eq!(es.value("isSexualExploit", "1"), "Sí");
        assert_eq!(es.value("isSexualExploit", "0"), "No");
        assert_eq!(es.value("ageBroad", "0--8"), "0–8");
        assert_eq!(es.value("ageBroad", "48+"), "48+");
        assert_eq!(es.value("yearRegister", "2014-2018"), "2014–2018");
        assert_eq!(es.value("yearOfRegistration", "2016"), "2016");
        assert_eq!(es.value("citizenship", "MX"), "México");
        assert_eq!(
            es.value("citizenship", "CO"),
            "CO",
            "no name in the directory"
        );
        assert_eq!(es.value("citizenship", "ZZ"), "País desconocido");
        assert_eq!(
            es.value("exploitationTypes", "Forced labour; Sexual exploitation"),
            "Trabajo forzoso; Explotación sexual"
        );
        assert_eq!(
            es.value(
                "RecruiterRelationship",
                "Family/Relative;Friend/Acquaintance"
            ),
            "Familiar; Amistad o conocido"
        );
        assert_eq!(es.value("IP_PayMoney", "No;Yes"), "No; Sí");
        assert_eq!(es.value("gender", "Alien"), "Alien", "no label: the value");

        let fr = labels(Lang::Fr);
        assert_eq!(fr.variable("yearOfRegistration"), "Année d’enregistrement");
        assert_eq!(fr.value("citizenship", "MX"), "Mexique");
        assert_eq!(fr.value("gender", "Male"), "Homme");
        let en = labels(Lang::En);
        assert_eq!(en.variable("isForcedLabour"), "Forced labour");
        assert_eq!(en.value("Datasource", "Case Management"), "Case management");
    }
}
