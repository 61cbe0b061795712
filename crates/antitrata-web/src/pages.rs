//! The public pages as views: domain data turned into localized, escaped HTML by askama templates.

use antitrata_domain::{
    Confidence, CountryCode, CountryDirectory, DialTarget, Hotline, HotlineScope, Lang,
    dial_targets,
};
use askama::Template;

use crate::content::GuideLink;
use crate::i18n::Tr;

/// A link to the same page in another language.
#[derive(Debug)]
pub(crate) struct LangLink {
    pub code: &'static str,
    pub href: String,
    pub current: bool,
}

pub(crate) fn switcher(lang: Lang, path_after_lang: &str) -> Vec<LangLink> {
    Lang::ALL
        .into_iter()
        .map(|other| LangLink {
            code: other.code(),
            href: format!("/{}/{}", other.code(), path_after_lang),
            current: other == lang,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "hotlines/index.html")]
struct IndexPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    countries: Vec<IndexEntry>,
    guides: Vec<GuideLink>,
}

struct IndexEntry {
    slug: String,
    name: String,
    /// The first number of the country's best confirmed dedicated line.
    main: Option<DialTarget>,
    /// The emergency number, dialable (a `tel:` link) like the line.
    emergency: Vec<DialTarget>,
    /// The visitor's own country, listed first.
    yours: bool,
}

/// `/{lang}/`: every country with its main number and its emergency numbers, sorted by its name
/// in that language; the visitor's own country, when their browser says it (`first`), comes
/// first, so its numbers are on the first screen.
pub(crate) fn render_index(
    lang: Lang,
    directories: &[CountryDirectory],
    first: Option<CountryCode>,
    guides: &[GuideLink],
) -> Result<String, askama::Error> {
    let tr = Tr::new(lang);
    IndexPage {
        title: tr.t("index-title"),
        switch: switcher(lang, ""),
        countries: index_entries(lang, directories, first),
        guides: guides.to_vec(),
        tr,
    }
    .render()
}

/// Every country with its main number and emergency numbers, `first` first and the others by
/// name in `lang`.
fn index_entries(
    lang: Lang,
    directories: &[CountryDirectory],
    first: Option<CountryCode>,
) -> Vec<IndexEntry> {
    let mut countries: Vec<IndexEntry> = directories
        .iter()
        .map(|d| IndexEntry {
            slug: d.country.iso2.lowercase(),
            name: d.country.name(lang).to_owned(),
            main: main_line(d).and_then(|h| h.dial_targets(&d.country).into_iter().next()),
            emergency: dial_targets(&d.country.emergency_number, &d.country),
            yours: Some(d.country.iso2) == first,
        })
        .collect();
    countries.sort_by_cached_key(|c| (!c.yours, collation_key(&c.name)));
    countries
}

/// The public site's 404: it says there is no such page, then lists every country with its
/// numbers (the index's list), so a visitor who followed a wrong link still finds one to call.
pub(crate) fn render_not_found(
    lang: Lang,
    directories: &[CountryDirectory],
) -> Result<String, askama::Error> {
    let tr = Tr::new(lang);
    NotFoundPage {
        title: tr.t("error-title-404"),
        switch: switcher(lang, ""),
        countries: index_entries(lang, directories, None),
        tr,
    }
    .render()
}

#[derive(Template)]
#[template(path = "hotlines/not_found.html")]
struct NotFoundPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    countries: Vec<IndexEntry>,
}

#[derive(Template)]
#[template(path = "hotlines/country.html")]
struct CountryPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    emergency: Vec<DialTarget>,
    emergency_call: String,
    has_confirmed_dedicated_line: bool,
    sections: Vec<Section>,
    authority: Option<String>,
    guides: Vec<GuideLink>,
}

struct Section {
    heading: Option<String>,
    lines: Vec<LineView>,
}

struct LineView {
    name: String,
    /// The language of `name` when it is not the page's (its `lang` attribute).
    name_lang: Option<String>,
    /// A few words on the line in the page's language, where an administrator wrote them.
    description: Option<String>,
    scope: String,
    unverified: bool,
    free: bool,
    dials: Vec<DialTarget>,
    vanity: Option<String>,
    hours: Option<String>,
    channels: Option<String>,
    languages: Option<String>,
    sms: Option<String>,
    email: Option<String>,
    web: Option<String>,
    institution: Option<String>,
    verified_on: Option<String>,
    source_year: Option<String>,
    /// Each source's address and the site that publishes it (`state.gov`), its link's text.
    sources: Vec<(String, String)>,
}

/// The site a source address belongs to, as its link names it: the host without `www.`
/// (`https://www.state.gov/…` → `state.gov`), or the address itself when it has none.
fn publisher(address: &str) -> String {
    url::Url::parse(address)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_owned())
        })
        .unwrap_or_else(|| address.to_owned())
}

/// `/{lang}/{iso2}`: the emergency number first, then dedicated lines, then other lines, then
/// the content pages (`guides`).
pub(crate) fn render_country(
    lang: Lang,
    directory: &CountryDirectory,
    guides: &[GuideLink],
) -> Result<String, askama::Error> {
    let tr = Tr::new(lang);
    let country = &directory.country;
    let mut lines: Vec<&Hotline> = directory.hotlines.iter().collect();
    // Within a section: by scope, confirmed before unconfirmed, then in the directory's order.
    lines.sort_by_key(|h| {
        (
            display_rank(h.scope),
            confidence_rank(h.confidence),
            h.position,
        )
    });
    // Every line with a number comes before any without, so the first card can be dialled:
    // dedicated lines, other lines that take reports, then the lines with no number yet.
    let (dialable, without): (Vec<&Hotline>, Vec<&Hotline>) =
        lines.into_iter().partition(|h| h.number.is_some());
    let (dedicated, other): (Vec<&Hotline>, Vec<&Hotline>) = dialable
        .into_iter()
        .partition(|h| h.scope.is_trafficking_specific());
    let view = |h: &&Hotline| line_view(&tr, directory, h);
    let sections = [
        (None, dedicated),
        (Some(tr.t("other-lines")), other),
        (Some(tr.t("lines-without-number")), without),
    ]
    .into_iter()
    .filter(|(_, lines)| !lines.is_empty())
    .map(|(heading, lines)| Section {
        heading,
        lines: lines.iter().map(view).collect(),
    })
    .collect();
    CountryPage {
        title: tr.t1("country-title", "country", country.name(lang)),
        switch: switcher(lang, &country.iso2.lowercase()),
        emergency: dial_targets(&country.emergency_number, country),
        emergency_call: tr.t1("emergency-call", "number", &country.emergency_number),
        has_confirmed_dedicated_line: directory.has_confirmed_dedicated_line(),
        sections,
        authority: country.authority.clone(),
        guides: guides.to_vec(),
        tr,
    }
    .render()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    detail: String,
    error_id: Option<String>,
}

/// A localized error page for an HTTP status we answer with (400, 404, 405, 413, 500, 503).
pub(crate) fn render_error(
    lang: Lang,
    status: u16,
    error_id: Option<&str>,
) -> Result<String, askama::Error> {
    let tr = Tr::new(lang);
    ErrorPage {
        title: tr.t(&format!("error-title-{status}")),
        detail: tr.t(&format!("error-detail-{status}")),
        error_id: error_id.map(|id| tr.t1("error-id", "id", id)),
        switch: switcher(lang, ""),
        tr,
    }
    .render()
}

fn line_view(tr: &Tr, directory: &CountryDirectory, h: &Hotline) -> LineView {
    let join = |items: Vec<String>| (!items.is_empty()).then(|| items.join(", "));
    let mut languages: Vec<String> = h
        .languages
        .iter()
        .map(|code| tr.t(&format!("language-{code}")))
        .collect();
    if h.interpretation {
        languages.push(tr.t("interpretation"));
    }
    let (name, name_lang) = h.name_in(tr.lang);
    LineView {
        name: name.to_owned(),
        name_lang: name_lang.map(str::to_owned),
        description: h.descriptions.get(tr.lang.code()).cloned(),
        scope: tr.t(&scope_key(h.scope)),
        unverified: h.is_unverified() && h.confidence != Confidence::NotFound,
        free: h.free == Some(true),
        dials: h.dial_targets(&directory.country),
        vanity: h.number_vanity.clone(),
        hours: h.hours.as_deref().map(|hours| localized_hours(tr, hours)),
        channels: join(
            h.channels
                .iter()
                .map(|c| tr.t(&format!("channel-{}", c.as_str())))
                .collect(),
        ),
        languages: join(languages),
        sms: h.sms.clone(),
        email: h.email.clone(),
        web: h.web.clone(),
        institution: h.institution.clone(),
        verified_on: h
            .verified_on
            .map(|d| tr.t1("verified-on", "date", &d.to_string())),
        source_year: h
            .source_year
            .map(|y| tr.t1("source-year", "year", &y.to_string())),
        sources: h
            .source_urls
            .iter()
            .map(|address| (address.clone(), publisher(address)))
            .collect(),
    }
}

/// The Fluent key naming a scope; a test checks every scope has one in every language.
pub(crate) fn scope_key(scope: HotlineScope) -> String {
    format!("scope-{}", scope.as_str())
}

/// Round-the-clock hours are said in the reader's language; anything else is shown as published.
fn localized_hours(tr: &Tr, hours: &str) -> String {
    match hours {
        "24/7" | "24/7/365" | "24 hours" => tr.t("hours-always"),
        other => other.to_owned(),
    }
}

/// The line a country's entry on the index shows: its best confirmed dedicated line with a number.
fn main_line(directory: &CountryDirectory) -> Option<&Hotline> {
    directory
        .hotlines
        .iter()
        .filter(|h| {
            h.scope == HotlineScope::TraffickingSpecific
                && h.confidence == Confidence::Confirmed
                && h.number.is_some()
        })
        .min_by_key(|h| h.position)
}

/// Dedicated lines first, lines that take trafficking reports next, general lines, then history.
fn display_rank(scope: HotlineScope) -> u8 {
    match scope {
        HotlineScope::TraffickingSpecific => 0,
        HotlineScope::TraffickingSpecificSubnational => 1,
        HotlineScope::TraffickingAndViolenceAgainstWomen
        | HotlineScope::FamilyChildProtectionInclTrafficking
        | HotlineScope::HumanRightsComplaintsInclTrafficking
        | HotlineScope::AnonymousCrimeReportsInclTrafficking
        | HotlineScope::ChildExploitation
        | HotlineScope::LawEnforcementTips => 2,
        HotlineScope::GeneralCrimeTips
        | HotlineScope::GeneralEmergency
        | HotlineScope::GeneralEmergencyPolice
        | HotlineScope::GeneralPolice => 3,
        HotlineScope::TraffickingSpecificHistorical => 4,
    }
}

fn confidence_rank(confidence: Confidence) -> u8 {
    match confidence {
        Confidence::Confirmed => 0,
        Confidence::SingleSource => 1,
        Confidence::NotFound => 2,
    }
}

/// Sort key for country names: case and the accents of es/en/fr folded, so "États-Unis" sorts
/// with the E's.
fn collation_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'Á' | 'À' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
            'í' | 'î' | 'ï' | 'Í' | 'Î' => 'i',
            'ó' | 'ô' | 'ö' | 'Ó' | 'Ô' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' | 'Ç' => 'c',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_sort_with_their_letter() {
        let mut names = vec!["États-Unis", "Salvador", "Belize", "Mexique"];
        names.sort_by_cached_key(|n| collation_key(n));
        assert_eq!(names, ["Belize", "États-Unis", "Mexique", "Salvador"]);
    }

    #[test]
    fn every_scope_has_a_distinct_rank_group_and_dedicated_lines_come_first() {
        for scope in HotlineScope::ALL {
            let rank = display_rank(scope);
            assert_eq!(
                rank == 0,
                scope == HotlineScope::TraffickingSpecific,
                "{scope:?}"
            );
        }
    }
}
