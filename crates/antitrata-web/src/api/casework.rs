//! Case work on the JSON API: the same checks and store calls as the console's forms (through
//! `crate::casework`), answered as JSON. A body that is not JSON of the documented shape is a
//! 400; a body with bad fields a 422 naming each; a step the record no longer allows a 409.
//! Creating requests carry their own `id`: sending one twice stores one record.

use antitrata_domain::casework::{
    CaseId, CaseInput, CasePersonInput, CaseStatus, ConsentId, ConsentInput, ContactId,
    ContactInput, Errors, FollowUpId, FollowUpInput, LOCALITY_MAX, NAME_MAX, ReferralId,
    ServiceCategory, ServiceId, ServiceInput,
};
use antitrata_domain::policy::Action;
use antitrata_domain::{PersonId, UserId};
use antitrata_store::{CaseOrder, Entity};
use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{Body, Call, Id, IfMatch, OptionalIfMatch, Params, Versioned};
use super::paging;
use super::views::{
    AddedPersonView, CaseFileView, CaseView, ConsentView, ContactView, FollowUpView, PersonHit,
    PersonView, ReferralView, ServiceView,
};
use crate::casework::{self, ReferralInput, StatusInput};
use crate::error::ApiError;

type Reply<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

fn created<T>(value: T) -> (StatusCode, Json<T>) {
    (StatusCode::CREATED, Json(value))
}

/// A new contact: its id (a UUID the client makes, so a retry stores one contact) and fields.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewContactBody {
    /// A UUID the client makes: the same request sent again stores one record.
    pub id: Uuid,
    #[serde(flatten)]
    pub contact: ContactInput,
}

/// Records a contact with its screening.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts",
    request_body = NewContactBody,
    responses(
        (status = 201, body = ContactView, description = "Recorded (or already recorded under this id)",
            links(("ShowContact" = (operation_id = "show_contact", parameters(("id" = "$response.body#/id")))), ("TakeChargeOfDanger" = (operation_id = "handle_danger", parameters(("id" = "$response.body#/id")))))),
        (status = 422, body = crate::error::ProblemJson, description = "Field problems; nothing stored"),
    ),
    security(("bearer" = [])))]
pub(super) async fn create_contact(
    call: Call,
    Body(body): Body<NewContactBody>,
) -> Created<ContactView> {
    let contact = casework::record_contact(call.store(), &call.actor, Some(body.id), &body.contact)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(created(ContactView::from(&contact)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id")),
    responses((status = 200, body = ContactView), (status = 404, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub(super) async fn show_contact(call: Call, Id(id): Id) -> Reply<ContactView> {
    let contact = call
        .store()
        .find_contact(&call.actor, ContactId(id))
        .await
        .map_err(|e| call.fail(e))?
        .ok_or_else(|| call.missing(Entity::Contact))?;
    Ok(Json(ContactView::from(&contact)))
}

/// A supervisor marks a contact's immediate danger handled: it leaves the queue.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/danger-handled", tag = "contacts",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Marked handled"),
        (status = 409, description = "Handled already, or not an immediate danger")),
    security(("bearer" = [])))]
pub(super) async fn handle_danger(call: Call, Id(id): Id) -> Result<StatusCode, ApiError> {
    let done = call
        .store()
        .mark_danger_handled(&call.actor, ContactId(id))
        .await;
    call.done(done)
}

/// The caller takes a contact's open immediate danger: the queue shows them handling it until
/// a supervisor marks it handled. Taking one's own again changes nothing.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/take-danger", tag = "contacts",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Taken by the caller"),
        (status = 409, description = "Taken by someone else (named in `detail`), handled \
            already, or not an immediate danger")),
    security(("bearer" = [])))]
pub(super) async fn take_danger(call: Call, Id(id): Id) -> Result<StatusCode, ApiError> {
    call.store()
        .take_danger(&call.actor, ContactId(id))
        .await
        .map_err(|e| call.fail(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters of the case list; every one optional.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct CaseQuery {
    /// A case reference (`GT-2026-000123`): the list holds that case or nothing.
    #[serde(default)]
    #[param(pattern = r"^[A-Za-z]{2}-[0-9]{4}-[0-9]{6}$")]
    pub reference: String,
    /// A contact's id: the list holds the case it is linked to, or nothing.
    #[serde(default)]
    #[param(format = Uuid)]
    pub contact: String,
    #[serde(default)]
    #[param(value_type = CaseStatus)]
    pub status: String,
    /// An HTCDS exploitation type code.
    #[serde(default)]
    #[param(value_type = antitrata_domain::casework::ExploitationType)]
    pub exploitation_type: String,
    /// Opened on or after this day (`YYYY-MM-DD`, UTC).
    #[serde(default)]
    #[param(format = Date)]
    pub from: String,
    /// Opened on or before this day, not before `from`.
    #[serde(default)]
    #[param(format = Date)]
    pub to: String,
    /// How many cases a page holds, 1 to 500 (100 when left out).
    #[param(value_type = i64, required = false, minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next` of the page before; left out for the first page.
    #[serde(default)]
    #[param(pattern = r"^[A-Za-z]{2}-[0-9]{4}-[0-9]{6}$")]
    pub cursor: String,
    /// `me`: the cases assigned to the caller; `none`: the cases assigned to nobody.
    #[serde(default)]
    #[param(value_type = AssignedFilter, inline)]
    pub assigned: String,
}

/// Whose cases a list holds, for the API's document.
#[derive(Debug)]
pub(super) struct AssignedFilter;

impl utoipa::PartialSchema for AssignedFilter {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(["me", "none"]))
            .into()
    }
}

impl utoipa::ToSchema for AssignedFilter {}

/// One page of cases, newest reference first, and where the next page starts.
#[derive(Serialize, ToSchema)]
pub(super) struct CasePage {
    pub cases: Vec<CaseView>,
    /// The `cursor` of the next page; `null` on the last one. A walk from the first page to the
    /// last sees every case that was there when it began once, however many are opened or
    /// changed meanwhile (those opened meanwhile come before its first page).
    pub next: Option<String>,
}

/// The longest phone number a search takes, as the person's field.
const PHONE_MAX: usize = 40;

/// Cases of the caller's country, by reference, contact, status, form of exploitation and
/// opening dates, page by page, newest reference first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseQuery),
    responses((status = 200, body = CasePage)),
    security(("bearer" = [])))]
pub(super) async fn list_cases(call: Call, Params(q): Params<CaseQuery>) -> Reply<CasePage> {
    let mut errors = Errors::default();
    let limit = paging::page_limit(&mut errors, q.limit, paging::PAGE_SIZE);
    let after = casework::optional_reference(&mut errors, "cursor", &q.cursor);
    let reference = casework::optional_reference(&mut errors, "reference", &q.reference);
    let contact = match q.contact.trim() {
        "" => None,
        text => Uuid::parse_str(text).map(ContactId).ok().or_else(|| {
            errors.add("contact", antitrata_domain::casework::Problem::UnknownCode);
            None
        }),
    };
    let mut filter = casework::case_filter(
        &mut errors,
        &q.status,
        &q.exploitation_type,
        &q.from,
        &q.to,
        limit,
    );
    filter.order = CaseOrder::NewestOpened { after };
    match q.assigned.as_str() {
        "" => {}
        "me" => filter.assigned_to = Some(call.account.id),
        "none" => filter.unassigned = true,
        _ => errors.add("assigned", antitrata_domain::casework::Problem::UnknownCode),
    }
    errors
        .finish(())
        .map_err(|e| ApiError::fields(call.headers(), &e))?;
    let store = call.store();
    let one = |case: Option<antitrata_domain::casework::Case>| {
        Json(CasePage {
            cases: case.iter().map(CaseView::from).collect(),
            next: None,
        })
    };
    if let Some(reference) = reference {
        let case = store
            .find_case_by_reference(&call.actor, &reference)
            .await
            .map_err(|e| call.fail(e))?;
        return Ok(one(case));
    }
    if let Some(contact) = contact {
        let linked = store
            .find_contact(&call.actor, contact)
            .await
            .map_err(|e| call.fail(e))?
            .and_then(|c| c.case);
        let case = match linked {
            Some((id, _)) => store
                .find_case(&call.actor, id)
                .await
                .map_err(|e| call.fail(e))?,
            None => None,
        };
        return Ok(one(case));
    }
    let cases = store
        .list_cases(&call.actor, &filter)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(CasePage {
        next: paging::next(&cases, limit, |last| last.reference.to_string()),
        cases: cases.iter().map(CaseView::from).collect(),
    }))
}

/// A case to open: its id, and the contact it comes from, if any.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewCaseBody {
    /// A UUID the client makes: the same request sent again opens one case.
    pub id: Uuid,
    /// A screened contact of the country: the case starts with what its screening found.
    pub contact: Option<Uuid>,
}

/// Opens a case with the next reference number of the country and year.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseBody,
    responses((status = 201, body = CaseView, links(("ShowCase" = (operation_id = "show_case", parameters(("id" = "$response.body#/id")))), ("ChangeStatus" = (operation_id = "change_status", parameters(("id" = "$response.body#/id")))), ("AssignCase" = (operation_id = "assign_case", parameters(("id" = "$response.body#/id")))), ("AddPerson" = (operation_id = "add_person", parameters(("id" = "$response.body#/id")))), ("RecordConsent" = (operation_id = "record_consent", parameters(("id" = "$response.body#/id")))), ("Refer" = (operation_id = "refer", parameters(("id" = "$response.body#/id")))), ("AddFollowUp" = (operation_id = "add_follow_up", parameters(("id" = "$response.body#/id"))))))),
    security(("bearer" = [])))]
pub(super) async fn open_case(call: Call, Body(body): Body<NewCaseBody>) -> Created<CaseView> {
    let case = casework::open_case(
        call.store(),
        &call.actor,
        body.id,
        body.contact.map(ContactId),
    )
    .await
    .map_err(|r| call.refused(r))?;
    Ok(created(CaseView::from(&case)))
}

/// A case with its people, consents, referrals, follow-ups and contacts; the `ETag` is the
/// case's version, for `If-Match` on `PUT`.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseFileView,
        headers(("ETag" = String, description = "The case's version, e.g. `\"3\"`")),
        links(
            ("ReplaceCase" = (operation_id = "update_case",
                parameters(("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))),
            ("StepCase" = (operation_id = "change_status",
                parameters(("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))),
            ("AssignCase" = (operation_id = "assign_case",
                parameters(("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag"))))))),
    security(("bearer" = [])))]
pub(super) async fn show_case(call: Call, Id(id): Id) -> Result<Versioned<CaseFileView>, ApiError> {
    let id = CaseId(id);
    let store = call.store();
    let actor = &call.actor;
    let fail = |e| call.fail(e);
    let (case, records) = store
        .case_file(actor, id)
        .await
        .map_err(fail)?
        .ok_or_else(|| call.missing(Entity::Case))?;
    Ok(Versioned(
        case.version,
        CaseFileView {
            case: CaseView::from(&case),
            persons: records
                .persons
                .iter()
                .map(|(id, version, p)| PersonView::new(*id, *version, p))
                .collect(),
            consents: records.consents.iter().map(ConsentView::from).collect(),
            referrals: records.referrals.iter().map(ReferralView::from).collect(),
            follow_ups: records.follow_ups.iter().map(FollowUpView::from).collect(),
            contacts: records.contacts.iter().map(ContactView::from).collect(),
        },
    ))
}

/// Replaces the case's description (every field; a property left out clears it), only if the
/// case is still at the version `If-Match` names: two clients that read one version cannot both
/// replace it, and the second is told the version to read again (412).
#[utoipa::path(put, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = Uuid, Path), IfMatch),
    request_body = CaseInput,
    responses((status = 200, body = CaseView,
        headers(("ETag" = String, description = "The case's new version")))),
    security(("bearer" = [])))]
pub(super) async fn update_case(
    call: Call,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    Body(body): Body<CaseInput>,
) -> Result<Versioned<CaseView>, ApiError> {
    let id = CaseId(id);
    let case = casework::update_case(call.store(), &call.actor, id, &body, Some(expected))
        .await
        .map_err(|r| call.refused(r))?;
    Ok(Versioned(case.version, CaseView::from(&case)))
}

/// Takes a workflow step: `activate`, `request-closure` (with a reason), `close` or
/// `approve-closure` (supervisors), `reject-closure` (supervisors), `reopen`. With `If-Match`,
/// only if the case is still at that version (412 with the current one otherwise).
#[utoipa::path(post, path = "/api/v1/cases/{id}/status", tag = "cases",
    params(("id" = Uuid, Path), OptionalIfMatch), request_body = StatusInput,
    responses(
        (status = 200, body = CaseView,
            headers(("ETag" = String, description = "The case's new version"))),
        (status = 409, body = crate::error::ProblemJson, description = "The case's status does not allow the step"),
        (status = 422, body = crate::error::ProblemJson),
    ),
    security(("bearer" = [])))]
pub(super) async fn change_status(
    call: Call,
    Id(id): Id,
    OptionalIfMatch(expected): OptionalIfMatch,
    Body(body): Body<StatusInput>,
) -> Result<Versioned<CaseView>, ApiError> {
    let id = CaseId(id);
    let case = casework::change_status(call.store(), &call.actor, id, &body, expected)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(Versioned(case.version, CaseView::from(&case)))
}

/// Whom a supervisor assigns the case to; `null` takes it back.
#[derive(Deserialize, ToSchema)]
pub(super) struct AssignBody {
    /// An active caseworker of the country.
    pub assignee: Option<Uuid>,
}

/// Assigns the case. With `If-Match`, only if the case is still at that version (412 with the
/// current one otherwise).
#[utoipa::path(post, path = "/api/v1/cases/{id}/assign", tag = "cases",
    params(("id" = Uuid, Path), OptionalIfMatch), request_body = AssignBody,
    responses((status = 200, body = CaseView,
        headers(("ETag" = String, description = "The case's new version")))),
    security(("bearer" = [])))]
pub(super) async fn assign_case(
    call: Call,
    Id(id): Id,
    OptionalIfMatch(expected): OptionalIfMatch,
    Body(body): Body<AssignBody>,
) -> Result<Versioned<CaseView>, ApiError> {
    let id = CaseId(id);
    let assigned = call
        .store()
        .assign_case(&call.actor, id, body.assignee.map(UserId), expected)
        .await;
    let case = match assigned {
        // The case is there; the body names nobody who can take it.
        Err(antitrata_store::StoreError::NotFound(Entity::Caseworker)) => {
            let errors = [antitrata_domain::casework::FieldError {
                field: "assignee",
                problem: antitrata_domain::casework::Problem::UnknownCode,
            }];
            return Err(ApiError::fields(call.headers(), &errors));
        }
        other => other.map_err(|e| call.fail(e))?,
    };
    Ok(Versioned(case.version, CaseView::from(&case)))
}

/// The caller takes an open case nobody is assigned to and becomes its assignee; taking one's
/// own again changes nothing. With `If-Match`, only if the case is still at that version.
#[utoipa::path(post, path = "/api/v1/cases/{id}/take", tag = "cases",
    params(("id" = Uuid, Path), OptionalIfMatch),
    responses((status = 200, body = CaseView,
        headers(("ETag" = String, description = "The case's new version"))),
        (status = 409, description = "Assigned to someone else (named in `detail`), or closed")),
    security(("bearer" = [])))]
pub(super) async fn take_case(
    call: Call,
    Id(id): Id,
    OptionalIfMatch(expected): OptionalIfMatch,
) -> Result<Versioned<CaseView>, ApiError> {
    let case = call
        .store()
        .take_case(&call.actor, CaseId(id), expected)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Versioned(case.version, CaseView::from(&case)))
}

/// A person to add to a case.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewPersonBody {
    /// A UUID the client makes: the same request sent again stores one record.
    pub id: Uuid,
    #[serde(flatten)]
    pub person: CasePersonInput,
}

/// Adds a person to a case. The answer lists, under `similar`, the people of the country already
/// recorded with the same name (accents and spacing aside) or phone, as the console warns before
/// adding one: the client shows them, and removes the new person if it was the same.
#[utoipa::path(post, path = "/api/v1/cases/{id}/persons", tag = "cases",
    params(("id" = Uuid, Path)), request_body = NewPersonBody,
    responses((status = 201, body = AddedPersonView),
        (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub(super) async fn add_person(
    call: Call,
    Id(id): Id,
    Body(body): Body<NewPersonBody>,
) -> Created<AddedPersonView> {
    let case = CaseId(id);
    let (id, version, person) = casework::add_person(
        call.store(),
        &call.actor,
        case,
        Some(body.id),
        &body.person,
        casework::IfSimilar::Add,
    )
    .await
    .map_err(|r| call.refused(r))?;
    let similar = casework::similar_persons(
        call.store(),
        &call.actor,
        &person.name,
        person.phone.as_deref(),
        id,
    )
    .await
    .map_err(|e| call.fail(e))?;
    Ok(created(AddedPersonView {
        person: PersonView::new(id, version, &person),
        similar: similar.into_iter().map(PersonHit::from).collect(),
    }))
}

/// A person of a case, with their version as the `ETag` that a correction or a removal names.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, body = PersonView,
        headers(("ETag" = String, description = "The person's version, e.g. `\"2\"`")),
        links(
            ("CorrectPerson" = (operation_id = "update_person",
                parameters(("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag")))),
            ("RemovePerson" = (operation_id = "remove_person",
                parameters(("id" = "$request.path.id"), ("If-Match" = "$response.header.ETag"))))))),
    security(("bearer" = [])))]
pub(super) async fn show_person(call: Call, Id(id): Id) -> Result<Versioned<PersonView>, ApiError> {
    let id = PersonId(id);
    let (_, version, person) = call
        .store()
        .find_case_person(&call.actor, id)
        .await
        .map_err(|e| call.fail(e))?
        .ok_or_else(|| call.missing(Entity::PersonOfTheCase))?;
    Ok(Versioned(version, PersonView::new(id, version, &person)))
}

/// Corrects a person of a case (every field; a property left out clears it), only if the
/// person is still at the version `If-Match` names (412 otherwise, with the current one).
#[utoipa::path(put, path = "/api/v1/persons/{id}", tag = "cases",
    params(("id" = Uuid, Path), IfMatch),
    request_body = CasePersonInput,
    responses((status = 200, body = PersonView,
        headers(("ETag" = String, description = "The person's new version")))),
    security(("bearer" = [])))]
pub(super) async fn update_person(
    call: Call,
    Id(id): Id,
    IfMatch(expected): IfMatch,
    Body(body): Body<CasePersonInput>,
) -> Result<Versioned<PersonView>, ApiError> {
    let id = PersonId(id);
    let (_, version, person) =
        casework::update_person(call.store(), &call.actor, id, &body, Some(expected))
            .await
            .map_err(|r| call.refused(r))?;
    Ok(Versioned(version, PersonView::new(id, version, &person)))
}

/// Removes a person added to a case by mistake, at the version `If-Match` names: their sealed
/// record and search indexes are deleted, the audit trail stays. A person with consents or
/// referrals stays on the case (409).
#[utoipa::path(delete, path = "/api/v1/persons/{id}", tag = "cases",
    params(("id" = Uuid, Path), IfMatch),
    responses((status = 204, description = "Removed"),
        (status = 409, description = "The person has consents or referrals")),
    security(("bearer" = [])))]
pub(super) async fn remove_person(
    call: Call,
    Id(id): Id,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    call.store()
        .remove_case_person(&call.actor, PersonId(id), Some(expected))
        .await
        .map_err(|e| call.fail(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A consent of a person of the case.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewConsentBody {
    /// A UUID the client makes: the same request sent again stores one record.
    pub id: Uuid,
    #[serde(flatten)]
    pub consent: ConsentInput,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/consents", tag = "cases",
    params(("id" = Uuid, Path)), request_body = NewConsentBody,
    responses((status = 201, body = ConsentView, links(("WithdrawConsent" = (operation_id = "withdraw_consent", parameters(("id" = "$response.body#/id"))))))),
    security(("bearer" = [])))]
pub(super) async fn record_consent(
    call: Call,
    Id(id): Id,
    Body(body): Body<NewConsentBody>,
) -> Created<ConsentView> {
    let case = CaseId(id);
    let consent = casework::record_consent(
        call.store(),
        &call.actor,
        case,
        Some(body.id),
        &body.consent,
    )
    .await
    .map_err(|r| call.refused(r))?;
    Ok(created(ConsentView::from(&consent)))
}

/// Withdraws a consent: the next disclosure that needed it is refused. With `If-Match`, only if
/// the consent is still at that version (412 with the current one otherwise).
#[utoipa::path(post, path = "/api/v1/consents/{id}/withdraw", tag = "cases",
    params(("id" = Uuid, Path), OptionalIfMatch),
    responses((status = 204, description = "Withdrawn"),
        (status = 409, description = "Withdrawn already")),
    security(("bearer" = [])))]
pub(super) async fn withdraw_consent(
    call: Call,
    Id(id): Id,
    OptionalIfMatch(expected): OptionalIfMatch,
) -> Result<StatusCode, ApiError> {
    let id = ConsentId(id);
    let done = call
        .store()
        .withdraw_consent(&call.actor, id, expected)
        .await;
    call.done(done)
}

/// A referral of a person of the case to a service.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewReferralBody {
    /// A UUID the client makes: the same request sent again stores one record.
    pub id: Uuid,
    #[serde(flatten)]
    pub referral: ReferralInput,
}

/// Refers a person to a service: refused (422, field `consent`) without a consent that covers
/// it, unless a supervisor gives an `override_reason`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "cases",
    params(("id" = Uuid, Path)), request_body = NewReferralBody,
    responses((status = 201, body = ReferralView, links(("UpdateReferral" = (operation_id = "update_referral", parameters(("id" = "$response.body#/id"))))))),
    security(("bearer" = [])))]
pub(super) async fn refer(
    call: Call,
    Id(id): Id,
    Body(body): Body<NewReferralBody>,
) -> Created<ReferralView> {
    let case = CaseId(id);
    let referral = casework::refer(
        call.store(),
        &call.actor,
        case,
        Some(body.id),
        &body.referral,
    )
    .await
    .map_err(|r| call.refused(r))?;
    Ok(created(ReferralView::from(&referral)))
}

/// The status a referral moves to: `accepted`, `declined`, `in-progress` or `completed`.
#[derive(Deserialize, ToSchema)]
pub(super) struct ReferralStatusBody {
    #[schema(value_type = antitrata_domain::casework::ReferralStatus)]
    pub status: String,
}

/// Moves the referral on. With `If-Match`, only if the referral is still at that version (412
/// with the current one otherwise).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/status", tag = "cases",
    params(("id" = Uuid, Path), OptionalIfMatch), request_body = ReferralStatusBody,
    responses(
        (status = 200, body = ReferralView,
            headers(("ETag" = String, description = "The referral's new version"))),
        (status = 409, body = crate::error::ProblemJson, description = "Not a step from its status"),
        (status = 422, body = crate::error::ProblemJson),
    ),
    security(("bearer" = [])))]
pub(super) async fn update_referral(
    call: Call,
    Id(id): Id,
    OptionalIfMatch(expected): OptionalIfMatch,
    Body(body): Body<ReferralStatusBody>,
) -> Result<Versioned<ReferralView>, ApiError> {
    let id = ReferralId(id);
    let referral = casework::update_referral(call.store(), &call.actor, id, &body.status, expected)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(Versioned(referral.version, ReferralView::from(&referral)))
}

/// A task on the case.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewFollowUpBody {
    /// A UUID the client makes: the same request sent again stores one record.
    pub id: Uuid,
    #[serde(flatten)]
    pub follow_up: FollowUpInput,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/follow-ups", tag = "cases",
    params(("id" = Uuid, Path)), request_body = NewFollowUpBody,
    responses((status = 201, body = FollowUpView, links(("CompleteFollowUp" = (operation_id = "complete_follow_up", parameters(("id" = "$response.body#/id"))))))),
    security(("bearer" = [])))]
pub(super) async fn add_follow_up(
    call: Call,
    Id(id): Id,
    Body(body): Body<NewFollowUpBody>,
) -> Created<FollowUpView> {
    let case = CaseId(id);
    let task = casework::add_follow_up(
        call.store(),
        &call.actor,
        case,
        Some(body.id),
        &body.follow_up,
    )
    .await
    .map_err(|r| call.refused(r))?;
    Ok(created(FollowUpView::from(&task)))
}

/// Marks a follow-up done. With `If-Match`, only if it is still at that version (412 with the
/// current one otherwise).
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/done", tag = "cases",
    params(("id" = Uuid, Path), OptionalIfMatch),
    responses((status = 204, description = "Done"), (status = 409, description = "Done already")),
    security(("bearer" = [])))]
pub(super) async fn complete_follow_up(
    call: Call,
    Id(id): Id,
    OptionalIfMatch(expected): OptionalIfMatch,
) -> Result<StatusCode, ApiError> {
    let id = FollowUpId(id);
    let done = call
        .store()
        .complete_follow_up(&call.actor, id, expected)
        .await;
    call.done(done)
}

/// A search for people by name words (three letters at least, each a prefix of a word of the
/// name) and/or phone number; exact through the blind indexes, audited per person found. It is
/// a POST so that names and numbers stay out of URLs and the logs of proxies.
#[derive(Deserialize, Default)]
pub(super) struct PersonQuery {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// The `next` of the page before; left out for the first page.
    #[serde(default)]
    pub cursor: String,
}

/// `name`, `phone` or both, at least one of them not blank.
impl utoipa::PartialSchema for PersonQuery {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AllOfBuilder, AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let text = |max: usize, pattern: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(max))
                .pattern(Some(pattern))
        };
        let given = |field: &str, max: usize| {
            ObjectBuilder::new()
                .property(field, text(max, r"\S"))
                .required(field)
        };
        let fields = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "name",
                text(NAME_MAX, ".*").description(Some("Words of the name")),
            )
            .property(
                "phone",
                text(PHONE_MAX, ".*").description(Some("The number, in any form")),
            )
            .property(
                "cursor",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .description(Some(
                        "The `next` of the page before; left out for the first page",
                    )),
            );
        let one_of_them = AnyOfBuilder::new()
            .item(given("name", NAME_MAX))
            .item(given("phone", PHONE_MAX));
        AllOfBuilder::new().item(fields).item(one_of_them).into()
    }
}

impl utoipa::ToSchema for PersonQuery {}

/// One page of the people found, in id order, and where the next page starts.
#[derive(Serialize, ToSchema)]
pub(super) struct PersonPage {
    /// Up to 50 people.
    pub persons: Vec<PersonHit>,
    /// The `cursor` of the next page of the same search; `null` on the last one.
    #[schema(format = Uuid)]
    pub next: Option<Uuid>,
}

/// People of the caller's country by words of their name, their phone or both, 50 a page.
#[utoipa::path(post, path = "/api/v1/persons/search", tag = "persons", request_body = PersonQuery,
    responses((status = 200, body = PersonPage)),
    security(("bearer" = [])))]
pub(super) async fn search_persons(call: Call, Body(body): Body<PersonQuery>) -> Reply<PersonPage> {
    let q = body;
    let mut errors = Errors::default();
    let name = errors.optional_text("name", &q.name, NAME_MAX);
    let phone = errors.optional_text("phone", &q.phone, PHONE_MAX);
    if name.is_none() && phone.is_none() {
        errors.add("name", antitrata_domain::casework::Problem::Required);
    }
    let after = paging::cursor(&mut errors, &q.cursor, PersonId);
    errors
        .finish(())
        .map_err(|e| ApiError::fields(call.headers(), &e))?;
    let (name, phone) = (name.as_deref(), phone.as_deref());
    let found = call
        .store()
        .search_persons(&call.actor, name, phone, after)
        .await
        .map_err(|e| call.fail(e))?;
    let next = paging::next(&found, antitrata_store::SEARCH_LIMIT, |last| last.id.0);
    Ok(Json(PersonPage {
        persons: found.into_iter().map(PersonHit::from).collect(),
        next,
    }))
}

/// The directory's filters.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ServiceQuery {
    #[serde(default)]
    #[param(value_type = ServiceCategory)]
    pub category: String,
    /// Part of the locality's name.
    #[serde(default)]
    #[param(min_length = 1, max_length = 120)]
    pub place: String,
    /// How many services a page holds, 1 to 500 (500 when left out).
    #[param(value_type = i64, required = false, minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next` of the page before; left out for the first page.
    #[serde(default)]
    #[param(format = Uuid)]
    pub cursor: String,
}

/// One page of services, by locality, name and id, and where the next page starts.
#[derive(Serialize, ToSchema)]
pub(super) struct ServicePage {
    pub services: Vec<ServiceView>,
    /// The `cursor` of the next page; `null` on the last one.
    #[schema(format = Uuid)]
    pub next: Option<Uuid>,
}

/// The caller's country's active services, by category and place, page by page.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", params(ServiceQuery),
    responses((status = 200, body = ServicePage)),
    security(("bearer" = [])))]
pub(super) async fn list_services(
    call: Call,
    Params(q): Params<ServiceQuery>,
) -> Reply<ServicePage> {
    let mut errors = Errors::default();
    let category = errors.optional_code("category", &q.category, ServiceCategory::parse);
    let place = errors.optional_text("place", &q.place, LOCALITY_MAX);
    let limit = paging::page_limit(&mut errors, q.limit, paging::PAGE_MAX);
    let after = paging::cursor(&mut errors, &q.cursor, ServiceId);
    errors
        .finish(())
        .map_err(|e| ApiError::fields(call.headers(), &e))?;
    let services = call
        .store()
        .list_services(&call.actor, category, place.as_deref(), after, limit)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(ServicePage {
        next: paging::next(&services, limit, |last| last.id.0),
        services: services.iter().map(ServiceView::from).collect(),
    }))
}

/// A service of the directory, added or replaced under its id; `active: false` takes it out of
/// the choices for new referrals.
#[derive(Deserialize, ToSchema)]
pub(super) struct ServiceBody {
    /// A UUID the client makes: the same request sent again stores one record.
    pub id: Uuid,
    #[serde(default = "active_by_default")]
    pub active: bool,
    #[serde(flatten)]
    pub service: ServiceInput,
}

fn active_by_default() -> bool {
    true
}

/// Adds, edits or deactivates a service of the country (country administrators).
#[utoipa::path(post, path = "/api/v1/services", tag = "services", request_body = ServiceBody,
    responses((status = 201, body = ServiceView), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub(super) async fn save_service(
    call: Call,
    Body(body): Body<ServiceBody>,
) -> Created<ServiceView> {
    let call = call.acting(Action::EditServices);
    let service = casework::save_service(
        call.store(),
        &call.actor,
        Some(body.id),
        &body.service,
        body.active,
    )
    .await
    .map_err(|r| call.refused(r))?;
    Ok(created(ServiceView::from(&service)))
}
