//! Translations (Fluent files in `locales/`, embedded at build time) and language negotiation.

use std::borrow::Cow;
use std::collections::HashMap;

use antitrata_domain::{CountryCode, Lang};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "es",
        // No Unicode isolation marks around arguments: they would end up inside phone numbers.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ES: LanguageIdentifier = langid!("es");
static EN: LanguageIdentifier = langid!("en");
static FR: LanguageIdentifier = langid!("fr");

fn identifier(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::Es => &ES,
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

/// Translates for one language; templates call it as `tr.t("key")`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    /// The message `key`. A missing key shows the key itself; a test keeps that from happening.
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(identifier(self.lang), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message `key` if some locale defines it: for texts that exist only for some values
    /// (a field's own wording of a problem, a statistics value's label), with a fallback chosen by
    /// the caller.
    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(identifier(self.lang), key)
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        self.tn(key, &[(name, value)])
    }

    /// The message `key` with its named arguments.
    pub fn tn(&self, key: &str, arguments: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = arguments
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from((*value).to_owned())))
            .collect();
        LOCALES
            .try_lookup_with_args(identifier(self.lang), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }
}

/// Picks the language for a visitor from an `Accept-Language` header: the first supported primary
/// language in order of preference, Spanish when none is supported or the header is absent.
pub fn negotiate(accept_language: Option<&str>) -> Lang {
    let Some(header) = accept_language else {
        return Lang::DEFAULT;
    };
    accept_language::parse(header)
        .iter()
        .filter_map(|tag| {
            let primary = tag
                .split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            Lang::parse(&primary).ok()
        })
        .next()
        .unwrap_or(Lang::DEFAULT)
}

/// The visitor's RCM country as their browser states it: the region of the first
/// `Accept-Language` tag, in order of preference, that names one (`es-GT` → GT, `en-US` → US,
/// `fr-CA` → CA). Never from the IP address: a frightened visitor is not located.
pub(crate) fn visitor_country(accept_language: Option<&str>) -> Option<CountryCode> {
    accept_language::parse(accept_language?)
        .iter()
        .filter_map(|tag| {
            let region = tag.split('-').nth(1)?;
            let code = CountryCode::parse(&region.to_ascii_uppercase()).ok()?;
            code.is_rcm_member().then_some(code)
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visitors_country_is_the_first_rcm_region_they_prefer() {
        let code = |c: &str| Some(CountryCode::parse(c).unwrap());
        assert_eq!(visitor_country(Some("es-GT,es;q=0.9")), code("GT"));
        assert_eq!(visitor_country(Some("en-US,en;q=0.9")), code("US"));
        assert_eq!(visitor_country(Some("fr-CA,fr;q=0.9,en;q=0.8")), code("CA"));
        assert_eq!(
            visitor_country(Some("es-ES;q=1.0, es-hn;q=0.5")),
            code("HN")
        );
        assert_eq!(visitor_country(Some("es-419,es;q=0.9")), None);
        assert_eq!(visitor_country(Some("fr-FR")), None);
        assert_eq!(visitor_country(Some("es")), None);
        assert_eq!(visitor_country(Some(";;;,,q=")), None);
        assert_eq!(visitor_country(None), None);
    }

    #[test]
    fn negotiates_by_preference_with_spanish_as_default() {
        assert_eq!(negotiate(None), Lang::Es);
        assert_eq!(negotiate(Some("")), Lang::Es);
        assert_eq!(negotiate(Some("de-DE,de;q=0.9")), Lang::Es);
        assert_eq!(negotiate(Some("fr-CA,fr;q=0.9,en;q=0.8")), Lang::Fr);
        assert_eq!(negotiate(Some("en-US,en;q=0.9,es;q=0.8")), Lang::En);
        assert_eq!(negotiate(Some("de;q=1.0, en;q=0.5, fr;q=0.8")), Lang::Fr);
        assert_eq!(negotiate(Some("EN-gb")), Lang::En);
        assert_eq!(negotiate(Some(";;;,,q=")), Lang::Es);
    }

    #[test]
    fn translates_with_and_without_arguments() {
        assert_eq!(Tr::new(Lang::En).t("unverified"), "Unverified");
        assert_eq!(Tr::new(Lang::Fr).t("unverified"), "Non vérifié");
        assert_eq!(
            Tr::new(Lang::Es).t1("emergency-call", "number", "911"),
            "Llame al 911"
        );
    }
}
