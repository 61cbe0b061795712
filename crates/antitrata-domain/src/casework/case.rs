//! Cases: a situation of (possible) trafficking the hotline works on, with its reference number,
//! its status workflow and its HTCDS description. People, consent and referrals hang off it.

use std::fmt;

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::picklist::{picklist, split_codes};
use super::validation::{Errors, FieldError, Problem};
use super::vocabulary::{ExploitationType, MeansOfControl, RecruitmentMethod, Sector};
use crate::{CountryCode, UserId};

/// Identifies a case (UUIDv7). People see its [`CaseReference`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct CaseId(pub Uuid);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The number people use for a case: country, year of opening, and a sequence that restarts each
/// year in each country (`GT-2026-000123`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseReference {
    pub country: CountryCode,
    pub year: u16,
    pub sequence: u32,
}

impl CaseReference {
    /// Reads `GT-2026-000123` (any case for the country; the sequence at least one digit).
    pub fn parse(text: &str) -> Option<CaseReference> {
        let mut parts = text.trim().split('-');
        let country = CountryCode::parse(parts.next()?).ok()?;
        let year = parts.next()?;
        let sequence = parts.next()?;
        if parts.next().is_some()
            || year.len() != 4
            || sequence.is_empty()
            || sequence.len() > 9
            || !year
                .bytes()
                .chain(sequence.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let sequence: u32 = sequence.parse().ok()?;
        (sequence > 0).then_some(CaseReference {
            country,
            year: year.parse().ok()?,
            sequence,
        })
    }
}

impl fmt::Display for CaseReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}-{:06}", self.country, self.year, self.sequence)
    }
}

impl serde::Serialize for CaseReference {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

picklist! {
    /// Where a case is in its life.
    CaseStatus, "case-status" {
        Open = "open",
        Active = "active",
        Referred = "referred",
        ClosureRequested = "closure-requested",
        Closed = "closed",
    }
}

picklist! {
    /// Why a case closes.
    ClosureReason, "closure" {
        GoalsMet = "goals-met",
        Declined = "declined",
        LostContact = "lost-contact",
        ReferredElsewhere = "referred-elsewhere",
        NotTrafficking = "not-trafficking",
        Duplicate = "duplicate",
        Deceased = "deceased",
        Other = "other",
    }
}

picklist! {
    /// How much danger the people of a case are in.
    RiskLevel, "risk" {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

/// Something done to a case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    /// Work has started.
    Activate,
    /// A referral to a service was made.
    Refer,
    /// A caseworker asks to close; a supervisor decides.
    RequestClosure(ClosureReason),
    /// A supervisor closes (directly or by approving a request).
    Close(ClosureReason),
    /// A supervisor sends a closure request back.
    RejectClosure,
    Reopen,
}

impl CaseAction {
    /// Whether only a supervisor may take this action.
    pub fn needs_supervisor(self) -> bool {
        matches!(self, CaseAction::Close(_) | CaseAction::RejectClosure)
    }
}

impl CaseStatus {
    /// The status after `action`, or `None` if the action does not apply now.
    pub fn after(self, action: CaseAction) -> Option<CaseStatus> {
        use CaseStatus::*;
        match (self, action) {
            (Open, CaseAction::Activate) => Some(Active),
            (Open | Active | Referred, CaseAction::Refer) => Some(Referred),
            (Open | Active | Referred, CaseAction::RequestClosure(_)) => Some(ClosureRequested),
            (Open | Active | Referred | ClosureRequested, CaseAction::Close(_)) => Some(Closed),
            (ClosureRequested, CaseAction::RejectClosure) => Some(Active),
            (Closed, CaseAction::Reopen) => Some(Active),
            _ => None,
        }
    }

    /// The HTCDS `cas_Status` value: a case waiting on a referral is in follow-up, and a case
    /// closed because it went to another organisation is `ClosedReferred`.
    pub fn htcds(self, reason: Option<ClosureReason>) -> &'static str {
        match self {
            CaseStatus::Open | CaseStatus::Active | CaseStatus::ClosureRequested => "Active",
            CaseStatus::Referred => "FollowUp",
            CaseStatus::Closed if reason == Some(ClosureReason::ReferredElsewhere) => {
                "ClosedReferred"
            }
            CaseStatus::Closed => "Closed",
        }
    }

    pub fn is_open(self) -> bool {
        self != CaseStatus::Closed
    }
}

/// The descriptive fields of a case as submitted, every value as text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = super::RiskLevel))]
    pub risk: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<super::ExploitationType>))]
    pub exploitation_types: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<super::Sector>))]
    pub sectors: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<super::MeansOfControl>))]
    pub means_of_control: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<super::RecruitmentMethod>))]
    pub recruitment: Vec<String>,
    /// ISO 3166 codes.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::m49::PlacedCountry>))]
    pub citizenship: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::m49::PlacedCountry>))]
    pub exploitation_countries: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::m49::PlacedCountry>))]
    pub transit_countries: Vec<String>,
    /// `YYYY-MM-DD`, not in the future.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub exploitation_began: String,
}

/// The checked descriptive fields of a case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseDetails {
    pub risk: Option<RiskLevel>,
    pub exploitation_types: Vec<ExploitationType>,
    pub sectors: Vec<Sector>,
    pub means_of_control: Vec<MeansOfControl>,
    pub recruitment: Vec<RecruitmentMethod>,
    pub citizenship: Vec<CountryCode>,
    pub exploitation_countries: Vec<CountryCode>,
    pub transit_countries: Vec<CountryCode>,
    pub exploitation_began: Option<Date>,
}

impl CaseDetails {
    /// What a case opened from a screened contact starts with: the means of control and forms of
    /// exploitation its screening answered yes to, and the caller's country as citizenship.
    pub fn from_contact(contact: &super::contact::NewContact) -> CaseDetails {
        let mut details = CaseDetails::default();
        for indicator in contact.screening.yes() {
            if let Some(m) = indicator.means_of_control()
                && !details.means_of_control.contains(&m)
            {
                details.means_of_control.push(m);
            }
            if let Some(t) = indicator.exploitation_type()
                && !details.exploitation_types.contains(&t)
            {
                details.exploitation_types.push(t);
            }
        }
        details.citizenship.extend(contact.caller_country);
        details
    }

    pub fn parse(input: &CaseInput, today: Date) -> Result<CaseDetails, Vec<FieldError>> {
        let mut errors = Errors::default();
        let risk = errors.optional_code("risk", &input.risk, RiskLevel::parse);
        let exploitation_types = errors.codes(
            "exploitation_types",
            &input.exploitation_types,
            ExploitationType::parse,
        );
        let sectors = errors.codes("sectors", &input.sectors, Sector::parse);
        let means_of_control = errors.codes(
            "means_of_control",
            &input.means_of_control,
            MeansOfControl::parse,
        );
        let recruitment = errors.codes("recruitment", &input.recruitment, RecruitmentMethod::parse);
        let mut countries = |field: &'static str, values: &[String]| {
            let mut out = Vec::new();
            for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                match super::validation::known_country(value) {
                    Some(code) if !out.contains(&code) => out.push(code),
                    Some(_) => {}
                    None => {
                        errors.add(field, Problem::BadCountry);
                        break;
                    }
                }
            }
            out
        };
        let citizenship = countries("citizenship", &input.citizenship);
        let exploitation_countries =
            countries("exploitation_countries", &input.exploitation_countries);
        let transit_countries = countries("transit_countries", &input.transit_countries);
        let exploitation_began = parse_date(
            &mut errors,
            "exploitation_began",
            &input.exploitation_began,
            today,
        );
        errors.finish(CaseDetails {
            risk,
            exploitation_types,
            sectors,
            means_of_control,
            recruitment,
            citizenship,
            exploitation_countries,
            transit_countries,
            exploitation_began,
        })
    }
}

/// An optional `YYYY-MM-DD` date no later than `today`.
pub(crate) fn parse_date(
    errors: &mut Errors,
    field: &'static str,
    text: &str,
    today: Date,
) -> Option<Date> {
    let date = errors.optional_date(field, text)?;
    if date > today {
        errors.add(field, Problem::InFuture);
        return None;
    }
    Some(date)
}

/// Country codes kept as `;GT;MX;`.
pub fn split_countries(joined: &str) -> Option<Vec<CountryCode>> {
    split_codes(joined, |code| CountryCode::parse(code).ok())
}

/// A case as read back.
#[derive(Clone, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub reference: CaseReference,
    pub status: CaseStatus,
    /// Why it was closed, or why closing was asked.
    pub closure_reason: Option<ClosureReason>,
    /// What the person closing (or asking to) wrote; personal data.
    pub closure_note: Option<String>,
    pub assigned_to: Option<UserId>,
    /// Whether any person of the case is a minor: shown on every page that shows the case.
    pub has_minor: bool,
    /// The actor who opened it (an account id).
    pub opened_by: String,
    pub opened_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Raised by every write to the case: what a replacing update says it read.
    pub version: i64,
    pub details: CaseDetails,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("reference", &self.reference)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn references_print_and_parse() {
        let reference = CaseReference::parse("gt-2026-000123").unwrap();
        assert_eq!(reference.to_string(), "GT-2026-000123");
        assert_eq!(reference.sequence, 123);
        for bad in [
            "GT-2026",
            "GT-26-000001",
            "GT-2026-0",
            "GT-2026-00x001",
            "G-2026-1",
            "GT-2026-1-2",
        ] {
            assert_eq!(CaseReference::parse(bad), None, "{bad}");
        }
        let big = CaseReference::parse("MX-2027-1234567").unwrap();
        assert_eq!(big.to_string(), "MX-2027-1234567");
    }

    #[test]
    fn the_workflow_allows_only_its_transitions() {
        use CaseStatus::*;
        let close = CaseAction::Close(ClosureReason::GoalsMet);
        let request = CaseAction::RequestClosure(ClosureReason::GoalsMet);
        assert_eq!(Open.after(CaseAction::Activate), Some(Active));
        assert_eq!(Active.after(CaseAction::Activate), None);
        assert_eq!(Active.after(CaseAction::Refer), Some(Referred));
        assert_eq!(Referred.after(request), Some(ClosureRequested));
        assert_eq!(ClosureRequested.after(close), Some(Closed));
        assert_eq!(
            ClosureRequested.after(CaseAction::RejectClosure),
            Some(Active)
        );
        assert_eq!(Closed.after(close), None);
        assert_eq!(Closed.after(CaseAction::Refer), None);
        assert_eq!(Closed.after(CaseAction::Reopen), Some(Active));
        assert_eq!(Active.after(CaseAction::Reopen), None);
        assert!(close.needs_supervisor() && !request.needs_supervisor());
    }

    #[test]
    fn htcds_status_mapping() {
        assert_eq!(CaseStatus::Referred.htcds(None), "FollowUp");
        assert_eq!(
            CaseStatus::Closed.htcds(Some(ClosureReason::ReferredElsewhere)),
            "ClosedReferred"
        );
        assert_eq!(
            CaseStatus::Closed.htcds(Some(ClosureReason::GoalsMet)),
            "Closed"
        );
    }

    #[test]
    fn details_refuse_unknown_codes_bad_countries_and_future_dates() {
        let today = date!(2026 - 11 - 28);
        let good = CaseInput {
            risk: "high".into(),
            exploitation_types: vec!["ForcedLabour".into()],
            sectors: vec!["A_AgricultureForestryAndFishing".into()],
            citizenship: vec!["hn".into(), "HN".into()],
            exploitation_began: "2026-01-15".into(),
            ..CaseInput::default()
        };
        let details = CaseDetails::parse(&good, today).unwrap();
        assert_eq!(details.citizenship.len(), 1);
        assert_eq!(details.risk, Some(RiskLevel::High));
        let bad = CaseInput {
            exploitation_types: vec!["Slavery".into()],
            transit_countries: vec!["QQ".into()],
            exploitation_began: "2026-12-01".into(),
            ..good
        };
        let errors = CaseDetails::parse(&bad, today).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            fields,
            vec![
                ("exploitation_types", Problem::UnknownCode),
                ("transit_countries", Problem::BadCountry),
                ("exploitation_began", Problem::InFuture),
            ]
        );
    }
}
