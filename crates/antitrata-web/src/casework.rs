//! Hotline work as the console and the JSON API both do it: check a submission, act through the
//! store (which keeps to the actor's country and audits), and say field by field what was
//! refused. The console shows a refusal beside its form's fields, the API as problem details;
//! what is checked and stored is decided here once.
//!
//! Every submission that creates a record carries its own id, so sending it twice stores one.

use antitrata_domain::casework::{
    Case, CaseAction, CaseDetails, CaseId, CaseInput, CasePerson, CasePersonInput, CaseReference,
    CaseStatus, ClosureReason, Consent, ConsentId, ConsentInput, Contact, ContactId, ContactInput,
    Errors, ExploitationType, FieldError, FollowUp, FollowUpId, FollowUpInput, NewConsent,
    NewContact, NewFollowUp, Problem, Referral, ReferralId, ReferralStatus, Service,
    ServiceDetails, ServiceId, ServiceInput,
};
use antitrata_domain::{Actor, Person, PersonId};
use antitrata_store::{CaseFilter, ConflictKind, Entity, NewReferral, Store, StoreError};
use uuid::Uuid;

use crate::i18n::Tr;

/// How far ahead "my work" looks: follow-ups due in the coming week show beside the overdue
/// ones, so one due tomorrow is not a surprise.
pub(crate) const DUE_SOON_DAYS: i64 = 7;

/// The last day whose follow-ups "my work" lists, from `today`.
pub(crate) fn my_work_until(today: time::Date) -> time::Date {
    today
        .checked_add(time::Duration::days(DUE_SOON_DAYS))
        .unwrap_or(today)
}

/// A field problem in the user's language: the field's own wording of it where the locale has
/// one (`problem-out-of-range-due-on` says which dates a follow-up may fall on), else the
/// problem's general text.
pub(crate) fn problem_message(tr: &Tr, field: &str, problem: Problem) -> String {
    let general = problem.label_key();
    match problem {
        Problem::TooLong(max) => tr.t1(&general, "max", &max.to_string()),
        _ => tr
            .try_t(&format!("{general}-{}", field.replace('_', "-")))
            .unwrap_or_else(|| tr.t(&general)),
    }
}

/// Why a submission changed nothing.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// Fields that are missing, malformed, out of range or name nothing known.
    Fields(Vec<FieldError>),
    /// The step does not fit the record as it is now (someone else moved it on meanwhile).
    NotNow,
    /// Out of scope, not found, a role that may not, or the store failing.
    Store(StoreError),
    /// People of the country already recorded may be the one submitted: shown to the worker,
    /// who adds the person once they have looked.
    Similar(Vec<Person>),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        match e {
            StoreError::NotAllowedNow { .. }
            | StoreError::Conflict(ConflictKind::ChangedMeanwhile(_)) => Refusal::NotNow,
            other => Refusal::Store(other),
        }
    }
}

fn refuse<T>(field: &'static str, problem: Problem) -> Result<T, Refusal> {
    Err(Refusal::Fields(vec![FieldError { field, problem }]))
}

/// A parsed submission with its id, or every problem of both.
fn with_id<T>(
    parsed: Result<T, Vec<FieldError>>,
    id: Option<Uuid>,
    id_field: &'static str,
) -> Result<(T, Uuid), Refusal> {
    match (parsed, id) {
        (Ok(value), Some(id)) => Ok((value, id)),
        (parsed, id) => {
            let mut errors = parsed.err().unwrap_or_default();
            if id.is_none() {
                errors.push(FieldError {
                    field: id_field,
                    problem: Problem::Required,
                });
            }
            Err(Refusal::Fields(errors))
        }
    }
}

/// The one country hotline work happens in: the actor's.
fn country(actor: &Actor) -> Result<antitrata_domain::CountryCode, Refusal> {
    actor
        .scope
        .country()
        .ok_or(Refusal::Store(StoreError::OutOfScope))
}

/// A case reference typed at `field` (`GT-2026-000123`), `None` when left blank; one that is no
/// reference is refused at the field.
pub(crate) fn optional_reference(
    errors: &mut Errors,
    field: &'static str,
    text: &str,
) -> Option<CaseReference> {
    match text.trim() {
        "" => None,
        text => CaseReference::parse(text).or_else(|| {
            errors.add(field, Problem::UnknownCode);
            None
        }),
    }
}

/// The case list's filters as typed (status and exploitation type codes, `YYYY-MM-DD` opening
/// dates), their problems added to `errors`.
pub(crate) fn case_filter(
    errors: &mut Errors,
    status: &str,
    exploitation_type: &str,
    from: &str,
    to: &str,
    limit: i64,
) -> CaseFilter {
    CaseFilter {
        status: errors.optional_code("status", status, CaseStatus::parse),
        exploitation_type: errors.optional_code(
            "exploitation_type",
            exploitation_type,
            ExploitationType::parse,
        ),
        opened_from: errors.optional_date("from", from),
        opened_to: errors.optional_date("to", to),
        limit,
        ..CaseFilter::default()
    }
}

/// Records a contact with its screening; a case reference that names no case of the country is
/// a field problem.
pub(crate) async fn record_contact(
    store: &Store,
    actor: &Actor,
    id: Option<Uuid>,
    input: &ContactInput,
) -> Result<Contact, Refusal> {
    let parsed = NewContact::parse(input, country(actor)?, actor.at);
    let (contact, id) = with_id(parsed, id, "id")?;
    match store.insert_contact(actor, ContactId(id), &contact).await {
        Err(StoreError::NotFound(Entity::Case)) => refuse("case_reference", Problem::UnknownCode),
        other => Ok(other?),
    }
}

/// Opens a case, from a contact of the country if one is named: the case starts with what the
/// contact's screening found.
pub(crate) async fn open_case(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    from_contact: Option<ContactId>,
) -> Result<Case, Refusal> {
    let mut details = CaseDetails::default();
    if let Some(contact) = from_contact {
        let Some(found) = store.find_contact(actor, contact).await? else {
            return refuse("contact", Problem::UnknownCode);
        };
        details = CaseDetails::from_contact(&found.details);
    }
    Ok(store
        .open_case(actor, CaseId(id), &details, from_contact)
        .await?)
}

/// Replaces the case's description; with `expected`, only if the case is still at that version.
pub(crate) async fn update_case(
    store: &Store,
    actor: &Actor,
    id: CaseId,
    input: &CaseInput,
    expected: Option<i64>,
) -> Result<Case, Refusal> {
    let details = CaseDetails::parse(input, actor.today()).map_err(Refusal::Fields)?;
    Ok(store
        .update_case_details(actor, id, &details, expected)
        .await?)
}

/// The longest closure note, in characters.
const CLOSURE_NOTE_MAX: usize = 2000;

/// A workflow step as submitted: the action's code (`activate`, `request-closure`, `close`,
/// `approve-closure`, `reject-closure`, `reopen`), a closure reason and note.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct StatusInput {
    #[serde(default)]
    #[schema(value_type = StepCode, required = true)]
    pub action: String,
    /// Needed to ask for a closure, and to close a case whose closure was not asked with one.
    #[serde(default)]
    #[schema(value_type = antitrata_domain::casework::ClosureReason)]
    pub reason: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

/// The codes of the workflow's steps, as [`change_status`] reads them.
const STEPS: [&str; 6] = [
    "activate",
    "request-closure",
    "close",
    "approve-closure",
    "reject-closure",
    "reopen",
];

/// A workflow step's code, for the API's document.
#[derive(Debug)]
pub(crate) struct StepCode;

impl utoipa::PartialSchema for StepCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(STEPS))
            .into()
    }
}

impl utoipa::ToSchema for StepCode {}

/// Takes a workflow step. Closing needs a reason (given now, or with the request for closure);
/// a step the case's status does not allow is `NotNow`. With `expected`, only if the case is
/// still at that version.
pub(crate) async fn change_status(
    store: &Store,
    actor: &Actor,
    id: CaseId,
    input: &StatusInput,
    expected: Option<i64>,
) -> Result<Case, Refusal> {
    let mut errors = Errors::default();
    let note = errors.optional_text("note", &input.note, CLOSURE_NOTE_MAX);
    let reason = errors.optional_code("reason", &input.reason, ClosureReason::parse);
    let closing = |reason: Option<ClosureReason>, errors: &mut Errors| {
        if reason.is_none() {
            errors.add("reason", Problem::Required);
        }
        reason
    };
    let action = match input.action.trim() {
        "activate" => Some(CaseAction::Activate),
        "reopen" => Some(CaseAction::Reopen),
        "reject-closure" => Some(CaseAction::RejectClosure),
        "request-closure" => closing(reason, &mut errors).map(CaseAction::RequestClosure),
        "close" | "approve-closure" => {
            let Some(case) = store.find_case(actor, id).await? else {
                return Err(Refusal::Store(StoreError::NotFound(Entity::Case)));
            };
            closing(reason.or(case.closure_reason), &mut errors).map(CaseAction::Close)
        }
        "" => {
            errors.add("action", Problem::Required);
            None
        }
        _ => {
            errors.add("action", Problem::UnknownCode);
            None
        }
    };
    let action = errors.finish(action).map_err(Refusal::Fields)?;
    let Some(action) = action else {
        return refuse("action", Problem::Required);
    };
    Ok(store
        .change_case_status(actor, id, action, note.as_deref(), expected)
        .await?)
}

/// How a person is added when people of the country look like them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IfSimilar {
    /// Refused with the similar people (`Refusal::Similar`), for the worker to look first.
    Ask,
    /// Added anyway: the worker has seen them, or the client checks on its own.
    Add,
}

/// Adds a person to a case of the actor's country; with [`IfSimilar::Ask`], not while people of
/// the country look like them ([`similar_persons`]).
pub(crate) async fn add_person(
    store: &Store,
    actor: &Actor,
    case: CaseId,
    id: Option<Uuid>,
    input: &CasePersonInput,
    if_similar: IfSimilar,
) -> Result<(PersonId, i64, CasePerson), Refusal> {
    let parsed = CasePerson::parse(input, country(actor)?, actor.today());
    let (person, id) = with_id(parsed, id, "person_id")?;
    if if_similar == IfSimilar::Ask {
        let similar = similar_persons(
            store,
            actor,
            &person.name,
            person.phone.as_deref(),
            PersonId(id),
        )
        .await?;
        if !similar.is_empty() {
            return Err(Refusal::Similar(similar));
        }
    }
    let (version, stored) = store
        .add_case_person(actor, PersonId(id), case, &person)
        .await?;
    Ok((PersonId(id), version, stored))
}

/// Corrects a person of a case of the actor's country, at the version the form was made from;
/// returns the person's case and new version, and the person as stored.
pub(crate) async fn update_person(
    store: &Store,
    actor: &Actor,
    id: PersonId,
    input: &CasePersonInput,
    expected: Option<i64>,
) -> Result<(CaseId, i64, CasePerson), Refusal> {
    let person =
        CasePerson::parse(input, country(actor)?, actor.today()).map_err(Refusal::Fields)?;
    let (case, version) = store
        .update_case_person(actor, id, &person, expected)
        .await?;
    Ok((case, version, person))
}

/// People of the actor's country already recorded with the phone `phone`, or with a name of two
/// words or more of which every word begins a word of theirs (case, accents and spacing folded:
/// `maria  lopez` finds `María López`), except `except` (the person being added, if sent
/// twice). Found through the blind indexes, in the actor's country only, each audited as found.
/// A name of fewer than two words of three letters or more is not matched on: it would find
/// half the country.
pub(crate) async fn similar_persons(
    store: &Store,
    actor: &Actor,
    name: &str,
    phone: Option<&str>,
    except: PersonId,
) -> Result<Vec<Person>, StoreError> {
    let words = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 3)
        .count();
    let mut found = if words >= 2 {
        store.search_persons(actor, Some(name), None, None).await?
    } else {
        vec![]
    };
    if let Some(phone) = phone {
        for person in store.search_persons(actor, None, Some(phone), None).await? {
            if !found.iter().any(|f| f.id == person.id) {
                found.push(person);
            }
        }
    }
    found.retain(|person| person.id != except);
    Ok(found)
}

/// What is known of a caller phone in the actor's country: earlier contacts from it (newest
/// first, but `except`) and people recorded with it.
pub(crate) struct CallerHistory {
    pub contacts: Vec<Contact>,
    pub persons: Vec<Person>,
}

/// Looks up a caller phone in the actor's country, through the blind indexes; every contact and
/// person found is audited as found.
pub(crate) async fn caller_history(
    store: &Store,
    actor: &Actor,
    phone: &str,
    except: Option<ContactId>,
) -> Result<CallerHistory, StoreError> {
    Ok(CallerHistory {
        contacts: store.list_caller_contacts(actor, phone, except).await?,
        persons: store.search_persons(actor, None, Some(phone), None).await?,
    })
}

/// Records a consent of a person of the case; a minor's must be a guardian's.
pub(crate) async fn record_consent(
    store: &Store,
    actor: &Actor,
    case: CaseId,
    id: Option<Uuid>,
    input: &ConsentInput,
) -> Result<Consent, Refusal> {
    let persons = store.list_case_persons(actor, case).await?;
    let minor = persons
        .iter()
        .any(|(id, _, p)| id.to_string() == input.person.trim() && p.is_minor);
    let parsed = NewConsent::parse(input, minor, actor.today());
    let (consent, id) = with_id(parsed, id, "consent_id")?;
    match store
        .record_consent(actor, ConsentId(id), case, &consent)
        .await
    {
        Err(StoreError::NotFound(Entity::PersonOfTheCase)) => {
            refuse("person", Problem::UnknownCode)
        }
        Err(StoreError::NotFound(Entity::Service)) => refuse("service", Problem::UnknownCode),
        Err(StoreError::Conflict(ConflictKind::MinorNeedsGuardian)) => {
            refuse("given_by", Problem::NotAllowedNow)
        }
        other => Ok(other?),
    }
}

/// The longest referral note or override reason.
const REFERRAL_TEXT_MAX: usize = 2000;

/// A referral as submitted: the person and service ids, notes, and a supervisor's reason to go
/// ahead without consent.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub(crate) struct ReferralInput {
    /// A person of the case.
    #[serde(default)]
    #[schema(format = Uuid, required = true)]
    pub person: String,
    /// An active service of the country's directory.
    #[serde(default)]
    #[schema(format = Uuid, required = true)]
    pub service: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: String,
    /// Only a supervisor's counts; it is sealed and the override audited.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000)]
    pub override_reason: String,
}

fn required_id(errors: &mut Errors, field: &'static str, text: &str) -> Option<Uuid> {
    match text.trim() {
        "" => {
            errors.add(field, Problem::Required);
            None
        }
        text => Uuid::parse_str(text)
            .inspect_err(|_| errors.add(field, Problem::UnknownCode))
            .ok(),
    }
}

/// Refers a person of the case to a service: refused without a consent that covers it, unless a
/// supervisor writes why it cannot wait.
pub(crate) async fn refer(
    store: &Store,
    actor: &Actor,
    case: CaseId,
    id: Option<Uuid>,
    input: &ReferralInput,
) -> Result<Referral, Refusal> {
    let mut errors = Errors::default();
    let person = required_id(&mut errors, "person", &input.person);
    let service = required_id(&mut errors, "service", &input.service);
    let notes = errors.optional_text("notes", &input.notes, REFERRAL_TEXT_MAX);
    let reason = errors.optional_text("override_reason", &input.override_reason, REFERRAL_TEXT_MAX);
    let parsed = errors.finish((person, service));
    let ((Some(person), Some(service)), id) = with_id(parsed, id, "referral_id")? else {
        return refuse("person", Problem::Required);
    };
    let new = NewReferral {
        case,
        person: PersonId(person),
        service: ServiceId(service),
        notes: notes.as_deref(),
        override_reason: reason.as_deref(),
    };
    match store.refer_case(actor, ReferralId(id), new).await {
        Err(StoreError::NoConsent) => refuse("consent", Problem::Required),
        Err(StoreError::NotFound(Entity::PersonOfTheCase)) => {
            refuse("person", Problem::UnknownCode)
        }
        Err(StoreError::NotFound(Entity::Service)) => refuse("service", Problem::UnknownCode),
        Err(StoreError::NotAllowedNow { .. }) => refuse("consent", Problem::NotAllowedNow),
        other => Ok(other?),
    }
}

/// Moves a referral to the status with this code; with `expected`, only if the referral is still
/// at that version.
pub(crate) async fn update_referral(
    store: &Store,
    actor: &Actor,
    id: ReferralId,
    status: &str,
    expected: Option<i64>,
) -> Result<Referral, Refusal> {
    let Some(next) = ReferralStatus::parse(status.trim()) else {
        return refuse("status", Problem::UnknownCode);
    };
    Ok(store.update_referral(actor, id, next, expected).await?)
}

/// Adds a follow-up to a case; the assignee must be a caseworker of the country.
pub(crate) async fn add_follow_up(
    store: &Store,
    actor: &Actor,
    case: CaseId,
    id: Option<Uuid>,
    input: &FollowUpInput,
) -> Result<FollowUp, Refusal> {
    let parsed = NewFollowUp::parse(input, actor.today());
    let (task, id) = with_id(parsed, id, "follow_up_id")?;
    match store
        .add_follow_up(actor, FollowUpId(id), case, &task)
        .await
    {
        Err(StoreError::NotFound(Entity::Caseworker)) => refuse("assignee", Problem::UnknownCode),
        other => Ok(other?),
    }
}

/// Adds or replaces a service of the country's directory (country administrators).
pub(crate) async fn save_service(
    store: &Store,
    actor: &Actor,
    id: Option<Uuid>,
    input: &ServiceInput,
    active: bool,
) -> Result<Service, Refusal> {
    let parsed = ServiceDetails::parse(input, country(actor)?);
    let (details, id) = with_id(parsed, id, "id")?;
    Ok(store
        .save_service(actor, ServiceId(id), &details, active)
        .await?)
}
