//! Hotlines: the numbers and channels a person can use to report trafficking or ask for help.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use crate::{Country, CountryCode, DialTarget, Lang, dial_targets};

/// Identifies a hotline. Seeded lines get a UUIDv5 derived from their country and position, so the
/// same seed gives the same ids on every database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HotlineId(pub Uuid);

impl HotlineId {
    /// The stable id of the `position`-th seeded line of `country`.
    pub fn seeded(country: CountryCode, position: usize) -> HotlineId {
        let name = format!("antitrata/hotline/{country}/{position}");
        HotlineId(Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes()))
    }
}

impl fmt::Display for HotlineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How sure we are of a line's facts, as recorded by the research behind the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Two or more independent sources agree, or an official source states it.
    Confirmed,
    /// One source only: shown to the public with an "unverified" mark.
    SingleSource,
    /// The line is believed to exist but no number was found: shown as "no line confirmed".
    NotFound,
}

impl Confidence {
    pub const ALL: [Confidence; 3] = [
        Confidence::Confirmed,
        Confidence::SingleSource,
        Confidence::NotFound,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::SingleSource => "single_source",
            Confidence::NotFound => "not_found",
        }
    }

    pub fn parse(s: &str) -> Option<Confidence> {
        Confidence::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether the public must be told the line is not verified.
    pub fn is_verified(self) -> bool {
        self == Confidence::Confirmed
    }
}

/// What a line is for. Several countries have no trafficking-specific line, so the directory also
/// lists general lines that take trafficking reports, and says which is which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HotlineScope {
    TraffickingSpecific,
    TraffickingSpecificSubnational,
    TraffickingSpecificHistorical,
    TraffickingAndViolenceAgainstWomen,
    FamilyChildProtectionInclTrafficking,
    HumanRightsComplaintsInclTrafficking,
    AnonymousCrimeReportsInclTrafficking,
    ChildExploitation,
    LawEnforcementTips,
    GeneralCrimeTips,
    GeneralEmergency,
    GeneralEmergencyPolice,
    GeneralPolice,
}

impl HotlineScope {
    pub const ALL: [HotlineScope; 13] = [
        HotlineScope::TraffickingSpecific,
        HotlineScope::TraffickingSpecificSubnational,
        HotlineScope::TraffickingSpecificHistorical,
        HotlineScope::TraffickingAndViolenceAgainstWomen,
        HotlineScope::FamilyChildProtectionInclTrafficking,
        HotlineScope::HumanRightsComplaintsInclTrafficking,
        HotlineScope::AnonymousCrimeReportsInclTrafficking,
        HotlineScope::ChildExploitation,
        HotlineScope::LawEnforcementTips,
        HotlineScope::GeneralCrimeTips,
        HotlineScope::GeneralEmergency,
        HotlineScope::GeneralEmergencyPolice,
        HotlineScope::GeneralPolice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HotlineScope::TraffickingSpecific => "trafficking_specific",
            HotlineScope::TraffickingSpecificSubnational => "trafficking_specific_subnational",
            HotlineScope::TraffickingSpecificHistorical => "trafficking_specific_historical",
            HotlineScope::TraffickingAndViolenceAgainstWomen => {
                "trafficking_and_violence_against_women"
            }
            HotlineScope::FamilyChildProtectionInclTrafficking => {
                "family_child_protection_incl_trafficking"
            }
            HotlineScope::HumanRightsComplaintsInclTrafficking => {
                "human_rights_complaints_incl_trafficking"
            }
            HotlineScope::AnonymousCrimeReportsInclTrafficking => {
                "anonymous_crime_reports_incl_trafficking"
            }
            HotlineScope::ChildExploitation => "child_exploitation",
            HotlineScope::LawEnforcementTips => "law_enforcement_tips",
            HotlineScope::GeneralCrimeTips => "general_crime_tips",
            HotlineScope::GeneralEmergency => "general_emergency",
            HotlineScope::GeneralEmergencyPolice => "general_emergency_police",
            HotlineScope::GeneralPolice => "general_police",
        }
    }

    pub fn parse(s: &str) -> Option<HotlineScope> {
        HotlineScope::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Lines dedicated to trafficking are listed first on a country's page.
    pub fn is_trafficking_specific(self) -> bool {
        matches!(
            self,
            HotlineScope::TraffickingSpecific | HotlineScope::TraffickingSpecificSubnational
        )
    }
}

/// A way to reach a line besides dialling its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Sms,
    Whatsapp,
    WebChat,
    Chatbot,
    OnlineForm,
    Email,
    Tty,
    Web,
    MobileApp,
    InPerson,
}

impl Channel {
    pub const ALL: [Channel; 11] = [
        Channel::Phone,
        Channel::Sms,
        Channel::Whatsapp,
        Channel::WebChat,
        Channel::Chatbot,
        Channel::OnlineForm,
        Channel::Email,
        Channel::Tty,
        Channel::Web,
        Channel::MobileApp,
        Channel::InPerson,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
            Channel::WebChat => "web_chat",
            Channel::Chatbot => "chatbot",
            Channel::OnlineForm => "online_form",
            Channel::Email => "email",
            Channel::Tty => "tty",
            Channel::Web => "web",
            Channel::MobileApp => "mobile_app",
            Channel::InPerson => "in_person",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One line of a country's directory, with the facts and sources behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hotline {
    pub id: HotlineId,
    pub country: CountryCode,
    /// Order on the country's page, from 0.
    pub position: i32,
    pub name: String,
    /// The language `name` is written in (ISO 639-1), where the directory says.
    #[serde(default)]
    pub name_lang: Option<String>,
    /// The line's name in the site's languages (by language code), where it has one. A proper
    /// name kept as it is ("National Human Trafficking Hotline") has none: pages show `name`,
    /// marked with `name_lang`.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// A few words on the line in the site's languages (by language code), shown under its
    /// name, where an administrator wrote them.
    #[serde(default)]
    pub descriptions: BTreeMap<String, String>,
    pub scope: HotlineScope,
    /// The number as published (`1-888-373-7888`, `516-28-46 / 6977-1941`); `None` when no number
    /// was found. Never invented or completed.
    pub number: Option<String>,
    /// The number in letters, where it is advertised that way (`0-800-922-TIPS`).
    pub number_vanity: Option<String>,
    pub institution: Option<String>,
    /// Opening hours as published (`24/7`, `24 hours`); `None` when unknown.
    pub hours: Option<String>,
    /// Whether calls are free; `None` when unknown.
    pub free: Option<bool>,
    pub channels: Vec<Channel>,
    /// ISO 639-1 codes of the languages the line answers in.
    pub languages: Vec<String>,
    /// Whether the line offers interpretation into further languages.
    pub interpretation: bool,
    /// The languages as the source states them.
    pub languages_note: Option<String>,
    pub email: Option<String>,
    pub sms: Option<String>,
    pub web: Option<String>,
    pub source_urls: Vec<String>,
    pub source_year: Option<i32>,
    pub confidence: Confidence,
    /// When an administrator last checked the line by calling or with the institution.
    pub verified_on: Option<Date>,
    pub notes: Option<String>,
}

impl Hotline {
    /// The numbers to dial, each with its `tel:` link. Empty when no number is known.
    pub fn dial_targets(&self, country: &Country) -> Vec<DialTarget> {
        self.number
            .as_deref()
            .map(|number| dial_targets(number, country))
            .unwrap_or_default()
    }

    /// The name to show on a page in `lang`, and the language to mark it with when it is not the
    /// page's own (`None`: it is, or nobody recorded which it is).
    pub fn name_in(&self, lang: Lang) -> (&str, Option<&str>) {
        if let Some(name) = self.names.get(lang.code()) {
            return (name, None);
        }
        let other = self.name_lang.as_deref().filter(|l| *l != lang.code());
        (&self.name, other)
    }

    /// Whether the public page must mark the line as unverified.
    pub fn is_unverified(&self) -> bool {
        !self.confidence.is_verified()
    }
}

/// A country with its lines, as the public directory shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryDirectory {
    pub country: Country,
    pub hotlines: Vec<Hotline>,
}

impl CountryDirectory {
    /// Whether the country has a dedicated trafficking line with a confirmed number. When it has
    /// none the page says so and points to the emergency number.
    pub fn has_confirmed_dedicated_line(&self) -> bool {
        self.hotlines.iter().any(|h| {
            h.scope.is_trafficking_specific()
                && h.number.is_some()
                && h.confidence == Confidence::Confirmed
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_through_their_names() {
        for scope in HotlineScope::ALL {
            assert_eq!(HotlineScope::parse(scope.as_str()), Some(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
            let json = serde_json::to_string(&channel).unwrap();
            assert_eq!(json, format!("\"{}\"", channel.as_str()));
        }
        for confidence in Confidence::ALL {
            assert_eq!(Confidence::parse(confidence.as_str()), Some(confidence));
        }
        assert_eq!(HotlineScope::parse("nope"), None);
    }

    #[test]
    fn seeded_ids_are_stable_and_distinct() {
        let gt = CountryCode::parse("GT").unwrap();
        let hn = CountryCode::parse("HN").unwrap();
        assert_eq!(HotlineId::seeded(gt, 0), HotlineId::seeded(gt, 0));
        assert_ne!(HotlineId::seeded(gt, 0), HotlineId::seeded(gt, 1));
        assert_ne!(HotlineId::seeded(gt, 0), HotlineId::seeded(hn, 0));
    }
}
