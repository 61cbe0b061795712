//! Contacts: every call, message, tip or visit the hotline receives, whether or not it becomes a
//! case. The summary and the operator's notes are personal data (sealed by the store).

use std::fmt;

use time::OffsetDateTime;
use uuid::Uuid;

use super::case::{CaseId, CaseReference};
use super::picklist::picklist;
use super::screening::{Screening, ScreeningResult, ScreeningRule};
use super::validation::{Errors, FieldError, Problem};
use crate::CountryCode;

/// Identifies a contact (UUIDv7).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ContactId(pub Uuid);

impl fmt::Display for ContactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

picklist! {
    /// How the contact reached the hotline.
    ContactChannel, "via" {
        Call = "call",
        Sms = "sms",
        WhatsApp = "whatsapp",
        Chat = "chat",
        Email = "email",
        WebTip = "web-tip",
        WalkIn = "walk-in",
        AgencyReferral = "agency-referral",
    }
}

picklist! {
    /// Who started the contact.
    Direction, "direction" {
        Inbound = "inbound",
        Outbound = "outbound",
    }
}

picklist! {
    /// Who the caller is to the situation.
    CallerRole, "caller" {
        PotentialVictim = "potential-victim",
        FamilyOrFriend = "family-or-friend",
        CommunityMember = "community-member",
        Professional = "professional",
        Anonymous = "anonymous",
    }
}

picklist! {
    /// How the caller heard of the line: what campaign reports count.
    HeardVia, "heard" {
        RadioSpot = "radio-spot",
        TvSpot = "tv-spot",
        RadioSoapOpera = "radio-soap-opera",
        Poster = "poster",
        SocialMedia = "social-media",
        Referral = "referral",
        Other = "other",
    }
}

picklist! {
    /// How the contact ended.
    ContactOutcome, "outcome" {
        InformationGiven = "information-given",
        Referred = "referred",
        CaseOpenedOrLinked = "case-opened-or-linked",
        EmergencyEscalated = "emergency-escalated",
        NotTraffickingRelated = "not-trafficking-related",
        Prank = "prank",
    }
}

picklist! {
    /// The language the contact was held in (ISO 639 codes): the region's official languages,
    /// Haitian Creole and the indigenous languages its hotlines hear most.
    ContactLanguage, "spoken" {
        Spanish = "es",
        English = "en",
        French = "fr",
        Portuguese = "pt",
        HaitianCreole = "ht",
        Kiche = "quc",
        Qeqchi = "kek",
        Kaqchikel = "cak",
        Mam = "mam",
        Garifuna = "cab",
        Miskito = "miq",
        Nahuatl = "nah",
        Other = "und",
    }
}

/// The longest summary or note kept, in characters.
pub const NOTE_MAX: usize = 4000;
/// The longest locality name.
pub const LOCALITY_MAX: usize = 120;

/// How long a danger counts as just reported. Within it the supervisor's queue ranks dangers by
/// severity (a minor in the case, then trafficking likely on screening, then the rest), each rank
/// newest first; older open dangers follow, newest first, whatever their severity, so a danger
/// reported now never waits below last month's.
pub const FRESH_DANGER: time::Duration = time::Duration::hours(24);

/// A contact as submitted (form or API), before checking: every value as text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::ContactChannel, required = true))]
    pub channel: String,
    /// `inbound` when left out.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::Direction))]
    pub direction: String,
    /// RFC 3339, not in the future; now when left out. The console sets it when it shows the form.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub started_at: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::ContactLanguage, required = true))]
    pub language: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::CallerRole, required = true))]
    pub caller_role: String,
    /// The number the caller called from, when they gave it or it showed: the console looks up
    /// earlier contacts and people with the same number.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub caller_phone: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::m49::PlacedCountry))]
    pub caller_country: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub caller_locality: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::HeardVia))]
    pub heard_via: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub summary: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub notes: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::ContactOutcome, required = true))]
    pub outcome: String,
    #[serde(default)]
    pub immediate_danger: bool,
    /// `indicator code → answer code` (`yes`, `no`, `unknown`); an indicator left out is unknown.
    #[serde(default, deserialize_with = "answers")]
    #[cfg_attr(feature = "openapi", schema(value_type = super::ScreeningAnswers))]
    pub screening: Vec<(String, String)>,
    /// A case of the same country to link the contact to (`GT-2026-000123`).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[A-Za-z]{2}-[0-9]{4}-[0-9]{6}$")
    )]
    pub case_reference: String,
}

/// Screening answers as a JSON object, in the order given.
fn answers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    struct Answers;
    impl<'de> serde::de::Visitor<'de> for Answers {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of indicator codes to answers")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(pair) = map.next_entry::<String, String>()? {
                out.push(pair);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Answers)
}

/// A checked contact, ready to store.
#[derive(Clone, PartialEq, Eq)]
pub struct NewContact {
    pub country: CountryCode,
    pub channel: ContactChannel,
    pub direction: Direction,
    pub started_at: OffsetDateTime,
    pub ended_at: OffsetDateTime,
    pub language: ContactLanguage,
    pub caller_role: CallerRole,
    pub caller_phone: Option<String>,
    pub caller_country: Option<CountryCode>,
    pub caller_locality: Option<String>,
    pub heard_via: Option<HeardVia>,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub outcome: ContactOutcome,
    pub immediate_danger: bool,
    pub screening: Screening,
    pub case_reference: Option<CaseReference>,
}

impl NewContact {
    /// Checks a submission for the hotline of `country`, received until `now`.
    pub fn parse(
        input: &ContactInput,
        country: CountryCode,
        now: OffsetDateTime,
    ) -> Result<NewContact, Vec<FieldError>> {
        let mut errors = Errors::default();
        let channel = errors.required_code("channel", &input.channel, ContactChannel::parse);
        let direction = if input.direction.trim().is_empty() {
            Some(Direction::Inbound)
        } else {
            errors.required_code("direction", &input.direction, Direction::parse)
        };
        let started_at = match OffsetDateTime::parse(
            input.started_at.trim(),
            &time::format_description::well_known::Rfc3339,
        ) {
            Ok(at) if at > now => {
                errors.add("started_at", Problem::InFuture);
                None
            }
            Ok(at) => Some(at),
            Err(_) if input.started_at.trim().is_empty() => Some(now),
            Err(_) => {
                errors.add("started_at", Problem::BadDate);
                None
            }
        };
        let language = errors.required_code("language", &input.language, ContactLanguage::parse);
        let caller_role =
            errors.required_code("caller_role", &input.caller_role, CallerRole::parse);
        let caller_phone = errors.optional_text(
            "caller_phone",
            &input.caller_phone,
            super::person::PHONE_MAX,
        );
        if let Some(phone) = &caller_phone
            && !super::valid_phone(phone, country)
        {
            errors.add("caller_phone", Problem::BadPhone);
        }
        let caller_country = errors.optional_country("caller_country", &input.caller_country);
        let caller_locality =
            errors.optional_text("caller_locality", &input.caller_locality, LOCALITY_MAX);
        let heard_via = errors.optional_code("heard_via", &input.heard_via, HeardVia::parse);
        let summary = errors.optional_text("summary", &input.summary, NOTE_MAX);
        let notes = errors.optional_text("notes", &input.notes, NOTE_MAX);
        let outcome = errors.required_code("outcome", &input.outcome, ContactOutcome::parse);
        let mut answers = Vec::new();
        for (indicator, answer) in &input.screening {
            match (
                super::Indicator::parse(indicator),
                super::Answer::parse(answer),
            ) {
                (Some(i), Some(a)) => answers.push((i, a)),
                _ => errors.add("screening", Problem::UnknownCode),
            }
        }
        let case_reference = match input.case_reference.trim() {
            "" => None,
            text => match CaseReference::parse(text) {
                Some(reference) if reference.country == country => Some(reference),
                _ => {
                    errors.add("case_reference", Problem::UnknownCode);
                    None
                }
            },
        };
        let (
            Some(channel),
            Some(direction),
            Some(started_at),
            Some(language),
            Some(caller_role),
            Some(outcome),
        ) = (
            channel,
            direction,
            started_at,
            language,
            caller_role,
            outcome,
        )
        else {
            return Err(errors.finish(()).err().unwrap_or_default());
        };
        errors.finish(NewContact {
            country,
            channel,
            direction,
            started_at,
            ended_at: now,
            language,
            caller_role,
            caller_phone,
            caller_country,
            caller_locality,
            heard_via,
            summary,
            notes,
            outcome,
            immediate_danger: input.immediate_danger,
            screening: Screening::new(answers),
            case_reference,
        })
    }
}

/// A contact as read back by someone allowed to see it.
#[derive(Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    /// The actor who recorded it (an account id).
    pub recorded_by: String,
    pub case: Option<(CaseId, CaseReference)>,
    /// Whether that case involves a minor.
    pub case_has_minor: bool,
    /// When a supervisor marked the immediate danger handled.
    pub danger_handled_at: Option<OffsetDateTime>,
    /// Who took the immediate danger, and when.
    pub danger_taken: Option<DangerTaker>,
    pub details: NewContact,
}

/// The worker who took a contact's immediate danger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DangerTaker {
    pub account: Uuid,
    /// The worker's display name, as the queue shows it.
    pub name: String,
    pub at: OffsetDateTime,
}

impl Contact {
    pub fn screening_result(&self) -> (ScreeningResult, ScreeningRule) {
        self.details.screening.result()
    }
}

impl fmt::Debug for NewContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewContact")
            .field("country", &self.country)
            .field("channel", &self.channel)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Contact")
            .field("id", &self.id)
            .field("details", &self.details)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

    fn input() -> ContactInput {
        ContactInput {
            channel: "call".into(),
            started_at: "2026-11-28T09:50:00Z".into(),
            language: "es".into(),
            caller_role: "potential-victim".into(),
            outcome: "case-opened-or-linked".into(),
            summary: "Canary summary".into(),
            screening: vec![("withheld-documents".into(), "yes".into())],
            ..ContactInput::default()
        }
    }

    fn gt() -> CountryCode {
        CountryCode::parse("GT").unwrap()
    }

    #[test]
    fn a_complete_contact_parses() {
        let contact = NewContact::parse(&input(), gt(), NOW).unwrap();
        assert_eq!(contact.channel, ContactChannel::Call);
        assert_eq!(contact.direction, Direction::Inbound);
        assert_eq!(contact.ended_at, NOW);
        assert_eq!(contact.screening.yes().count(), 1);
        assert!(!format!("{contact:?}").contains("Canary"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = input();
        bad.channel = "pigeon".into();
        bad.started_at = "2026-11-28T11:00:00Z".into();
        bad.caller_role = String::new();
        bad.caller_phone = "12".into();
        bad.caller_country = "XX".into();
        bad.summary = "x".repeat(NOTE_MAX + 1);
        bad.screening.push(("telepathy".into(), "yes".into()));
        bad.case_reference = "HN-2026-000001".into();
        let errors = NewContact::parse(&bad, gt(), NOW).unwrap_err();
        let fields: Vec<(&str, Problem)> = errors.iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            fields,
            vec![
                ("channel", Problem::UnknownCode),
                ("started_at", Problem::InFuture),
                ("caller_role", Problem::Required),
                ("caller_phone", Problem::BadPhone),
                ("caller_country", Problem::BadCountry),
                ("summary", Problem::TooLong(NOTE_MAX)),
                ("screening", Problem::UnknownCode),
                ("case_reference", Problem::UnknownCode),
            ]
        );
    }
}
