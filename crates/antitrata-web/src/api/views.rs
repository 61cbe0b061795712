//! What the casework API answers: the records as JSON, with picklist values as their codes and
//! times as RFC 3339 (UTC). Sealed fields appear only here and on console pages, for the roles
//! the route table lets in, after the store has audited the read.

use std::collections::BTreeMap;

use antitrata_domain::casework::{
    AgeBand, CallerRole, Case, CasePerson, CaseStatus, ClosureReason, Consent, ConsentScope,
    Contact, ContactChannel, ContactLanguage, ContactOutcome, Direction, ExploitationType,
    FollowUp, Gender, GivenBy, HeardVia, MeansOfControl, PersonRole, RecruitmentMethod, Referral,
    ReferralStatus, RiskLevel, ScreeningResult, ScreeningRule, Sector, Service, ServiceCategory,
};
use antitrata_domain::time_text::{day, rfc3339_utc as instant};
use antitrata_domain::{CountryCode, PersonId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A contact with its screening.
#[derive(Serialize, ToSchema)]
pub(super) struct ContactView {
    pub id: Uuid,
    pub country: CountryCode,
    pub channel: ContactChannel,
    pub direction: Direction,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub ended_at: String,
    pub language: ContactLanguage,
    pub caller_role: CallerRole,
    pub caller_phone: Option<String>,
    pub caller_country: Option<CountryCode>,
    pub caller_locality: Option<String>,
    pub heard_via: Option<HeardVia>,
    /// Sealed at rest.
    pub summary: Option<String>,
    /// Sealed at rest.
    pub notes: Option<String>,
    pub outcome: ContactOutcome,
    pub immediate_danger: bool,
    #[schema(format = DateTime)]
    pub danger_handled_at: Option<String>,
    /// Who took the immediate danger, while it waits in the queue.
    pub danger_taken: Option<DangerTakenView>,
    pub screening: ScreeningView,
    pub case: Option<CaseLink>,
    /// The account that recorded it.
    pub recorded_by: String,
}

/// The worker who took an immediate danger.
#[derive(Serialize, ToSchema)]
pub(super) struct DangerTakenView {
    /// Their account id.
    pub by: Uuid,
    /// Their display name.
    pub name: String,
    #[schema(format = DateTime)]
    pub at: String,
}

/// The screening's answers (every indicator), its result and the rule that decided it.
#[derive(Serialize, ToSchema)]
pub(super) struct ScreeningView {
    pub answers: BTreeMap<&'static str, &'static str>,
    pub result: ScreeningResult,
    pub rule: ScreeningRule,
}

#[derive(Serialize, ToSchema)]
pub(super) struct CaseLink {
    pub id: Uuid,
    /// `GT-2026-000123`.
    pub reference: String,
    /// The case involves a minor.
    pub has_minor: bool,
}

impl From<&Contact> for ContactView {
    fn from(contact: &Contact) -> ContactView {
        let d = &contact.details;
        let (result, rule) = contact.screening_result();
        ContactView {
            id: contact.id.0,
            country: d.country,
            channel: d.channel,
            direction: d.direction,
            started_at: instant(d.started_at),
            ended_at: instant(d.ended_at),
            language: d.language,
            caller_role: d.caller_role,
            caller_phone: d.caller_phone.clone(),
            caller_country: d.caller_country,
            caller_locality: d.caller_locality.clone(),
            heard_via: d.heard_via,
            summary: d.summary.clone(),
            notes: d.notes.clone(),
            outcome: d.outcome,
            immediate_danger: d.immediate_danger,
            danger_handled_at: contact.danger_handled_at.map(instant),
            danger_taken: contact.danger_taken.as_ref().map(|t| DangerTakenView {
                by: t.account,
                name: t.name.clone(),
                at: instant(t.at),
            }),
            screening: ScreeningView {
                answers: antitrata_domain::casework::Indicator::ALL
                    .iter()
                    .map(|i| (i.code(), d.screening.answer(*i).code()))
                    .collect(),
                result,
                rule,
            },
            case: contact.case.as_ref().map(|(id, reference)| CaseLink {
                id: id.0,
                reference: reference.to_string(),
                has_minor: contact.case_has_minor,
            }),
            recorded_by: contact.recorded_by.clone(),
        }
    }
}

/// A case and its description.
#[derive(Serialize, ToSchema)]
pub(super) struct CaseView {
    pub id: Uuid,
    /// `GT-2026-000123`.
    pub reference: String,
    pub status: CaseStatus,
    /// The status in HTCDS terms (`cas_Status`).
    pub htcds_status: &'static str,
    pub closure_reason: Option<ClosureReason>,
    /// Sealed at rest.
    pub closure_note: Option<String>,
    pub assigned_to: Option<Uuid>,
    /// Whether a person of the case is a minor.
    pub has_minor: bool,
    #[schema(format = DateTime)]
    pub opened_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Raised by every change to the case; its `ETag`, and what `If-Match` names.
    pub version: i64,
    pub risk: Option<RiskLevel>,
    pub exploitation_types: Vec<ExploitationType>,
    pub sectors: Vec<Sector>,
    pub means_of_control: Vec<MeansOfControl>,
    pub recruitment: Vec<RecruitmentMethod>,
    pub citizenship: Vec<CountryCode>,
    pub exploitation_countries: Vec<CountryCode>,
    pub transit_countries: Vec<CountryCode>,
    #[schema(format = Date)]
    pub exploitation_began: Option<String>,
}

impl From<&Case> for CaseView {
    fn from(case: &Case) -> CaseView {
        let d = &case.details;
        CaseView {
            id: case.id.0,
            reference: case.reference.to_string(),
            status: case.status,
            htcds_status: case.status.htcds(case.closure_reason),
            closure_reason: case.closure_reason,
            closure_note: case.closure_note.clone(),
            assigned_to: case.assigned_to.map(|u| u.0),
            has_minor: case.has_minor,
            opened_at: instant(case.opened_at),
            updated_at: instant(case.updated_at),
            version: case.version,
            risk: d.risk,
            exploitation_types: d.exploitation_types.clone(),
            sectors: d.sectors.clone(),
            means_of_control: d.means_of_control.clone(),
            recruitment: d.recruitment.clone(),
            citizenship: d.citizenship.clone(),
            exploitation_countries: d.exploitation_countries.clone(),
            transit_countries: d.transit_countries.clone(),
            exploitation_began: d.exploitation_began.map(day),
        }
    }
}

/// A case with everything hanging off it.
#[derive(Serialize, ToSchema)]
pub(super) struct CaseFileView {
    pub case: CaseView,
    pub persons: Vec<PersonView>,
    pub consents: Vec<ConsentView>,
    pub referrals: Vec<ReferralView>,
    pub follow_ups: Vec<FollowUpView>,
    /// The contacts linked to the case, newest first.
    pub contacts: Vec<ContactView>,
}

/// A person of a case. Name, aliases, phone, address and date of birth are sealed at rest.
#[derive(Serialize, ToSchema)]
pub(super) struct PersonView {
    pub id: Uuid,
    /// The person's version, which a correction or a removal names in `If-Match`.
    pub version: i64,
    pub role: PersonRole,
    pub name: String,
    pub aliases: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    #[schema(format = Date)]
    pub born_on: Option<String>,
    pub age_band: Option<AgeBand>,
    pub gender: Option<Gender>,
    pub nationality: Option<CountryCode>,
    pub languages: Vec<ContactLanguage>,
    pub is_minor: bool,
}

impl PersonView {
    pub(super) fn new(id: PersonId, version: i64, p: &CasePerson) -> PersonView {
        PersonView {
            id: id.0,
            version,
            role: p.role,
            name: p.name.clone(),
            aliases: p.aliases.clone(),
            phone: p.phone.clone(),
            address: p.address.clone(),
            born_on: p.born_on.map(day),
            age_band: p.age_band,
            gender: p.gender,
            nationality: p.nationality,
            languages: p.languages.clone(),
            is_minor: p.is_minor,
        }
    }
}

/// What a person agreed to, who gave it, until when, and whether it was withdrawn.
#[derive(Serialize, ToSchema)]
pub(super) struct ConsentView {
    pub id: Uuid,
    pub case: Uuid,
    pub person: Uuid,
    pub scope: ConsentScope,
    /// The one service a referral consent names, if it names one.
    pub service: Option<Uuid>,
    pub given_by: GivenBy,
    #[schema(format = DateTime)]
    pub given_at: String,
    #[schema(format = Date)]
    pub expires_on: Option<String>,
    #[schema(format = DateTime)]
    pub withdrawn_at: Option<String>,
    pub recorded_by: String,
    /// Raised by the withdrawal: `If-Match` on a withdrawal names it.
    pub version: i64,
}

impl From<&Consent> for ConsentView {
    fn from(c: &Consent) -> ConsentView {
        ConsentView {
            id: c.id.0,
            case: c.case.0,
            person: c.details.person.0,
            scope: c.details.scope,
            service: c.details.service.map(|s| s.0),
            given_by: c.details.given_by,
            given_at: instant(c.given_at),
            expires_on: c.details.expires_on.map(day),
            withdrawn_at: c.withdrawn_at.map(instant),
            recorded_by: c.recorded_by.clone(),
            version: c.version,
        }
    }
}

/// A referral of a person of a case to a service, and what it rests on.
#[derive(Serialize, ToSchema)]
pub(super) struct ReferralView {
    pub id: Uuid,
    pub case: Uuid,
    pub person: Uuid,
    pub service: Uuid,
    pub status: ReferralStatus,
    /// The consent it rests on; `None` when a supervisor overrode the lack of one.
    pub consent: Option<Uuid>,
    /// The supervisor who overrode, if one did (the reason stays on the case page).
    pub overridden_by: Option<String>,
    /// Sealed at rest.
    pub notes: Option<String>,
    #[schema(format = DateTime)]
    pub requested_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub requested_by: String,
    /// Raised by every move of its status: `If-Match` on a status update names it.
    pub version: i64,
}

impl From<&Referral> for ReferralView {
    fn from(r: &Referral) -> ReferralView {
        let (consent, overridden_by) = match &r.basis {
            antitrata_domain::casework::Basis::Consent(id) => (Some(id.0), None),
            antitrata_domain::casework::Basis::Override { by, .. } => (None, Some(by.clone())),
        };
        ReferralView {
            id: r.id.0,
            case: r.case.0,
            person: r.person.0,
            service: r.service.0,
            status: r.status,
            consent,
            overridden_by,
            notes: r.notes.clone(),
            requested_at: instant(r.requested_at),
            updated_at: instant(r.updated_at),
            requested_by: r.requested_by.clone(),
            version: r.version,
        }
    }
}

/// A service of the directory (after Open Referral's HSDS).
#[derive(Serialize, ToSchema)]
pub(super) struct ServiceView {
    pub id: Uuid,
    pub country: CountryCode,
    pub active: bool,
    pub organization: String,
    pub name: String,
    pub categories: Vec<ServiceCategory>,
    pub locality: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub hours: Option<String>,
    pub languages: Vec<ContactLanguage>,
    pub eligibility: Option<String>,
}

impl From<&Service> for ServiceView {
    fn from(s: &Service) -> ServiceView {
        let d = &s.details;
        ServiceView {
            id: s.id.0,
            country: s.country,
            active: s.active,
            organization: d.organization.clone(),
            name: d.name.clone(),
            categories: d.categories.clone(),
            locality: d.locality.clone(),
            address: d.address.clone(),
            phone: d.phone.clone(),
            email: d.email.clone(),
            hours: d.hours.clone(),
            languages: d.languages.clone(),
            eligibility: d.eligibility.clone(),
        }
    }
}

/// A task on a case.
#[derive(Serialize, ToSchema)]
pub(super) struct FollowUpView {
    pub id: Uuid,
    pub case: Uuid,
    pub reference: String,
    pub title: String,
    #[schema(format = Date)]
    pub due_on: String,
    pub assignee: Option<Uuid>,
    #[schema(format = DateTime)]
    pub done_at: Option<String>,
    pub created_by: String,
    /// The case involves a minor.
    pub case_has_minor: bool,
    /// Raised when it is done: `If-Match` on marking it done names it.
    pub version: i64,
}

impl From<&FollowUp> for FollowUpView {
    fn from(f: &FollowUp) -> FollowUpView {
        FollowUpView {
            id: f.id.0,
            case: f.case.0,
            reference: f.reference.to_string(),
            title: f.details.title.clone(),
            due_on: day(f.details.due_on),
            assignee: f.details.assignee.map(|u| u.0),
            done_at: f.done_at.map(instant),
            created_by: f.created_by.clone(),
            case_has_minor: f.has_minor,
            version: f.version,
        }
    }
}

/// "My work": my follow-ups overdue or due within the coming seven days, and the open cases assigned to me.
#[derive(Serialize, ToSchema)]
pub(super) struct WorkView {
    pub follow_ups: Vec<FollowUpView>,
    pub cases: Vec<CaseView>,
}

/// The supervisor's queue, most urgent first: contacts in immediate danger not yet handled
/// (newest first), closures to approve, unassigned open cases, overdue follow-ups and referrals waiting too long.
#[derive(Serialize, ToSchema)]
pub(super) struct QueueView {
    /// How many rows each part holds in all (its list here shows the first of them).
    pub counts: QueueCounts,
    pub dangers: Vec<ContactView>,
    /// Cases whose closure waits for a supervisor's approval.
    pub closure_requests: Vec<CaseView>,
    pub unassigned: Vec<CaseView>,
    pub overdue_follow_ups: Vec<FollowUpView>,
    pub stale_referrals: Vec<ReferralView>,
}

/// How many rows each part of the queue holds.
#[derive(Serialize, ToSchema)]
pub(super) struct QueueCounts {
    pub dangers: i64,
    /// Dangers nobody has taken yet.
    pub dangers_untaken: i64,
    pub closure_requests: i64,
    pub unassigned: i64,
    pub overdue_follow_ups: i64,
    pub stale_referrals: i64,
}

/// A person found by name or phone (blind index).
#[derive(Serialize, ToSchema)]
pub(super) struct PersonHit {
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    /// The case the person is recorded in, if any.
    pub case: Option<Uuid>,
}

impl From<antitrata_domain::Person> for PersonHit {
    fn from(p: antitrata_domain::Person) -> PersonHit {
        PersonHit {
            id: p.id.0,
            name: p.name,
            phone: p.phone,
            case: p.case.map(|c| c.0),
        }
    }
}

/// A person just added to a case, and the people of the country already recorded with the same
/// name (accents and spacing aside) or phone: perhaps the same person, worth a look before going
/// on. Never anyone of another country.
#[derive(Serialize, ToSchema)]
pub(super) struct AddedPersonView {
    #[serde(flatten)]
    pub person: PersonView,
    pub similar: Vec<PersonHit>,
}
