//! Case work on the JSON API: the same checks and store calls as the console's forms (through
//! `crate::casework`), answered as JSON. A body that is not JSON of the documented shape is a
//! 400; a body with bad fields a 422 naming each; a step the record no longer allows a 409.
//! Creating requests carry their own `id`: sending one twice stores one record.

use antitrata_domain::casework::{
    CaseId, CaseInput, CasePersonInput, CaseReference, CaseStatus, ConsentId, ConsentInput,
    ContactId, ContactInput, Errors, FollowUpId, FollowUpInput, ReferralId, ServiceCategory,
    ServiceInput,
};
use antitrata_domain::policy::Action;
use antitrata_domain::{Actor, UserId};
use antitrata_store::{CaseFilter, StoreError};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::views::{
    CaseFileView, CaseView, ConsentView, ContactView, FollowUpView, PersonHit, PersonView,
    QueueView, ReferralView, ServiceView, WorkView,
};
use crate::AppState;
use crate::auth::bearer::ApiCaller;
use crate::casework::{self, ReferralInput, Refusal, StatusInput};
use crate::error::{ApiError, AppError};

type Reply<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

/// One API request's caller, as the store's actor, and how its errors are told.
struct Call {
    actor: Actor,
    headers: HeaderMap,
}

impl Call {
    /// A call for hotline work.
    fn new(state: &AppState, caller: &ApiCaller, headers: HeaderMap) -> Call {
        Call::acting(state, caller, headers, Action::WorkCases)
    }

    /// A call for `action`: the caller acts as the role the policy lets take it.
    fn acting(state: &AppState, caller: &ApiCaller, headers: HeaderMap, action: Action) -> Call {
        Call {
            actor: crate::auth::actor(state, &caller.account, &headers, action),
            headers,
        }
    }

    fn error(&self, error: AppError) -> ApiError {
        ApiError::from_headers(&self.headers)(error)
    }

    fn store(&self, e: StoreError) -> ApiError {
        ApiError::store(&self.headers, &e)
    }

    fn refused(&self, refusal: Refusal) -> ApiError {
        match refusal {
            Refusal::Fields(errors) => ApiError::fields(&self.headers, &errors),
            Refusal::NotNow => self.error(AppError::Conflict),
            Refusal::Store(e) => self.store(e),
        }
    }

    fn body<T>(&self, body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
        body.map(|Json(b)| b)
            .map_err(|_| self.error(AppError::BadRequest))
    }

    fn id(&self, path: Result<Path<Uuid>, PathRejection>) -> Result<Uuid, ApiError> {
        path.map(|Path(id)| id)
            .map_err(|_| self.error(AppError::NotFound))
    }
}

fn created<T>(value: T) -> (StatusCode, Json<T>) {
    (StatusCode::CREATED, Json(value))
}

/// A new contact: its id (a UUID the client makes, so a retry stores one contact) and fields.
#[derive(Deserialize, ToSchema)]
pub struct NewContactBody {
    pub id: Option<Uuid>,
    #[serde(flatten)]
    pub contact: ContactInput,
}

/// Records a contact with its screening.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts",
    request_body = NewContactBody,
    responses(
        (status = 201, body = ContactView, description = "Recorded (or already recorded under this id)"),
        (status = 422, body = crate::error::ProblemJson, description = "Field problems; nothing stored"),
    ),
    security(("bearer" = [])))]
pub async fn create_contact(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    body: Result<Json<NewContactBody>, JsonRejection>,
) -> Created<ContactView> {
    let call = Call::new(&state, &caller, headers);
    let body = call.body(body)?;
    let contact = casework::record_contact(&state.store, &call.actor, body.id, &body.contact)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(created(ContactView::from(&contact)))
}

#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = Uuid, Path, description = "The contact's id")),
    responses((status = 200, body = ContactView), (status = 404, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn show_contact(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
) -> Reply<ContactView> {
    let call = Call::new(&state, &caller, headers);
    let id = call.id(id)?;
    let contact = state
        .store
        .find_contact(&call.actor, ContactId(id))
        .await
        .map_err(|e| call.store(e))?
        .ok_or_else(|| call.error(AppError::NotFound))?;
    Ok(Json(ContactView::from(&contact)))
}

/// A supervisor takes charge of a contact in immediate danger: it leaves the queue.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/danger-handled", tag = "contacts",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Taken in charge"), (status = 404, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn handle_danger(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let call = Call::new(&state, &caller, headers);
    let id = call.id(id)?;
    let found = state
        .store
        .mark_danger_handled(&call.actor, ContactId(id))
        .await
        .map_err(|e| call.store(e))?;
    if !found {
        return Err(call.error(AppError::NotFound));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Filters of the case list; every one optional.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// A case reference (`GT-2026-000123`): the list holds that case or nothing.
    #[serde(default)]
    pub reference: String,
    /// A contact's id: the list holds the case it is linked to, or nothing.
    #[serde(default)]
    pub contact: String,
    /// A status code (`open`, `active`, `referred`, `closure-requested`, `closed`).
    #[serde(default)]
    pub status: String,
    /// An HTCDS exploitation type code.
    #[serde(default)]
    pub exploitation_type: String,
    /// Opened on or after this day (`YYYY-MM-DD`, UTC).
    #[serde(default)]
    pub from: String,
    /// Opened on or before this day.
    #[serde(default)]
    pub to: String,
}

/// How many cases a list answers at most, newest change first.
const LIST_LIMIT: i64 = 100;

/// Cases of the caller's country, by reference, contact, status, form of exploitation and
/// opening dates.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseQuery),
    responses((status = 200, body = Vec<CaseView>), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn list_cases(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Reply<Vec<CaseView>> {
    let call = Call::new(&state, &caller, headers);
    let q = query
        .map(|Query(q)| q)
        .map_err(|_| call.error(AppError::BadRequest))?;
    let mut errors = Errors::default();
    let reference = match q.reference.trim() {
        "" => None,
        text => CaseReference::parse(text).or_else(|| {
            errors.add(
                "reference",
                antitrata_domain::casework::Problem::UnknownCode,
            );
            None
        }),
    };
    let contact = match q.contact.trim() {
        "" => None,
        text => Uuid::parse_str(text).map(ContactId).ok().or_else(|| {
            errors.add("contact", antitrata_domain::casework::Problem::UnknownCode);
            None
        }),
    };
    let filter = casework::case_filter(
        &mut errors,
        &q.status,
        &q.exploitation_type,
        &q.from,
        &q.to,
        LIST_LIMIT,
    );
    errors
        .finish(())
        .map_err(|e| ApiError::fields(&call.headers, &e))?;
    let store = &state.store;
    let one = |case: Option<antitrata_domain::casework::Case>| {
        Json(case.iter().map(CaseView::from).collect())
    };
    if let Some(reference) = reference {
        let case = store
            .find_case_by_reference(&call.actor, &reference)
            .await
            .map_err(|e| call.store(e))?;
        return Ok(one(case));
    }
    if let Some(contact) = contact {
        let linked = store
            .find_contact(&call.actor, contact)
            .await
            .map_err(|e| call.store(e))?
            .and_then(|c| c.case);
        let case = match linked {
            Some((id, _)) => store
                .find_case(&call.actor, id)
                .await
                .map_err(|e| call.store(e))?,
            None => None,
        };
        return Ok(one(case));
    }
    let cases = store
        .list_cases(&call.actor, &filter)
        .await
        .map_err(|e| call.store(e))?;
    Ok(Json(cases.iter().map(CaseView::from).collect()))
}

/// A case to open: its id, and the contact it comes from, if any.
#[derive(Deserialize, ToSchema)]
pub struct NewCaseBody {
    pub id: Uuid,
    /// A screened contact of the country: the case starts with what its screening found.
    pub contact: Option<Uuid>,
}

/// Opens a case with the next reference number of the country and year.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseBody,
    responses((status = 201, body = CaseView), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn open_case(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    body: Result<Json<NewCaseBody>, JsonRejection>,
) -> Created<CaseView> {
    let call = Call::new(&state, &caller, headers);
    let body = call.body(body)?;
    let case = casework::open_case(
        &state.store,
        &call.actor,
        body.id,
        body.contact.map(ContactId),
    )
    .await
    .map_err(|r| call.refused(r))?;
    Ok(created(CaseView::from(&case)))
}

/// A case with its people, consents, referrals, follow-ups and contacts.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseFileView), (status = 404, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn show_case(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
) -> Reply<CaseFileView> {
    let call = Call::new(&state, &caller, headers);
    let id = CaseId(call.id(id)?);
    let store = &state.store;
    let actor = &call.actor;
    let fail = |e| call.store(e);
    let (case, records) = store
        .case_file(actor, id)
        .await
        .map_err(fail)?
        .ok_or_else(|| call.error(AppError::NotFound))?;
    Ok(Json(CaseFileView {
        case: CaseView::from(&case),
        persons: records
            .persons
            .iter()
            .map(|(id, p)| PersonView::new(*id, p))
            .collect(),
        consents: records.consents.iter().map(ConsentView::from).collect(),
        referrals: records.referrals.iter().map(ReferralView::from).collect(),
        follow_ups: records.follow_ups.iter().map(FollowUpView::from).collect(),
        contacts: records.contacts.iter().map(ContactView::from).collect(),
    }))
}

/// Replaces the case's description (every field; an empty list clears it).
#[utoipa::path(put, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = Uuid, Path)),
    request_body = CaseInput,
    responses((status = 200, body = CaseView), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn update_case(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    body: Result<Json<CaseInput>, JsonRejection>,
) -> Reply<CaseView> {
    let call = Call::new(&state, &caller, headers);
    let id = CaseId(call.id(id)?);
    let input = call.body(body)?;
    let case = casework::update_case(&state.store, &call.actor, id, &input)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(Json(CaseView::from(&case)))
}

/// Takes a workflow step: `activate`, `request-closure` (with a reason), `close` or
/// `approve-closure` (supervisors), `reject-closure` (supervisors), `reopen`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/status", tag = "cases",
    params(("id" = Uuid, Path)), request_body = StatusInput,
    responses(
        (status = 200, body = CaseView),
        (status = 409, body = crate::error::ProblemJson, description = "The case's status does not allow the step"),
        (status = 422, body = crate::error::ProblemJson),
    ),
    security(("bearer" = [])))]
pub async fn change_status(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    body: Result<Json<StatusInput>, JsonRejection>,
) -> Reply<CaseView> {
    let call = Call::new(&state, &caller, headers);
    let id = CaseId(call.id(id)?);
    let input = call.body(body)?;
    let case = casework::change_status(&state.store, &call.actor, id, &input)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(Json(CaseView::from(&case)))
}

/// Whom a supervisor assigns the case to; `null` takes it back.
#[derive(Deserialize, ToSchema)]
pub struct AssignBody {
    pub assignee: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/assign", tag = "cases",
    params(("id" = Uuid, Path)), request_body = AssignBody,
    responses((status = 200, body = CaseView), (status = 404, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn assign_case(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    body: Result<Json<AssignBody>, JsonRejection>,
) -> Reply<CaseView> {
    let call = Call::new(&state, &caller, headers);
    let id = CaseId(call.id(id)?);
    let body = call.body(body)?;
    let case = state
        .store
        .assign_case(&call.actor, id, body.assignee.map(UserId))
        .await
        .map_err(|e| call.store(e))?;
    Ok(Json(CaseView::from(&case)))
}

/// A person to add to a case.
#[derive(Deserialize, ToSchema)]
pub struct NewPersonBody {
    pub id: Option<Uuid>,
    #[serde(flatten)]
    pub person: CasePersonInput,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/persons", tag = "cases",
    params(("id" = Uuid, Path)), request_body = NewPersonBody,
    responses((status = 201, body = PersonView), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn add_person(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    body: Result<Json<NewPersonBody>, JsonRejection>,
) -> Created<PersonView> {
    let call = Call::new(&state, &caller, headers);
    let case = CaseId(call.id(id)?);
    let body = call.body(body)?;
    let (id, person) = casework::add_person(&state.store, &call.actor, case, body.id, &body.person)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(created(PersonView::new(id, &person)))
}

/// A consent of a person of the case.
#[derive(Deserialize, ToSchema)]
pub struct NewConsentBody {
    pub id: Option<Uuid>,
    #[serde(flatten)]
    pub consent: ConsentInput,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/consents", tag = "cases",
    params(("id" = Uuid, Path)), request_body = NewConsentBody,
    responses((status = 201, body = ConsentView), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn record_consent(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    body: Result<Json<NewConsentBody>, JsonRejection>,
) -> Created<ConsentView> {
    let call = Call::new(&state, &caller, headers);
    let case = CaseId(call.id(id)?);
    let body = call.body(body)?;
    let consent = casework::record_consent(&state.store, &call.actor, case, body.id, &body.consent)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(created(ConsentView::from(&consent)))
}

/// Withdraws a consent: the next disclosure that needed it is refused.
#[utoipa::path(post, path = "/api/v1/consents/{id}/withdraw", tag = "cases",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Withdrawn"), (status = 404, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn withdraw_consent(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let call = Call::new(&state, &caller, headers);
    let id = ConsentId(call.id(id)?);
    let found = state
        .store
        .withdraw_consent(&call.actor, id)
        .await
        .map_err(|e| call.store(e))?;
    if !found {
        return Err(call.error(AppError::NotFound));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A referral of a person of the case to a service.
#[derive(Deserialize, ToSchema)]
pub struct NewReferralBody {
    pub id: Option<Uuid>,
    #[serde(flatten)]
    pub referral: ReferralInput,
}

/// Refers a person to a service: refused (422, field `consent`) without a consent that covers
/// it, unless a supervisor gives an `override_reason`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "cases",
    params(("id" = Uuid, Path)), request_body = NewReferralBody,
    responses((status = 201, body = ReferralView), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn refer(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    body: Result<Json<NewReferralBody>, JsonRejection>,
) -> Created<ReferralView> {
    let call = Call::new(&state, &caller, headers);
    let case = CaseId(call.id(id)?);
    let body = call.body(body)?;
    let referral = casework::refer(&state.store, &call.actor, case, body.id, &body.referral)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(created(ReferralView::from(&referral)))
}

/// The status a referral moves to: `accepted`, `declined`, `in-progress` or `completed`.
#[derive(Deserialize, ToSchema)]
pub struct ReferralStatusBody {
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/referrals/{id}/status", tag = "cases",
    params(("id" = Uuid, Path)), request_body = ReferralStatusBody,
    responses(
        (status = 200, body = ReferralView),
        (status = 409, body = crate::error::ProblemJson, description = "Not a step from its status"),
        (status = 422, body = crate::error::ProblemJson),
    ),
    security(("bearer" = [])))]
pub async fn update_referral(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    body: Result<Json<ReferralStatusBody>, JsonRejection>,
) -> Reply<ReferralView> {
    let call = Call::new(&state, &caller, headers);
    let id = ReferralId(call.id(id)?);
    let body = call.body(body)?;
    let referral = casework::update_referral(&state.store, &call.actor, id, &body.status)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(Json(ReferralView::from(&referral)))
}

/// A task on the case.
#[derive(Deserialize, ToSchema)]
pub struct NewFollowUpBody {
    pub id: Option<Uuid>,
    #[serde(flatten)]
    pub follow_up: FollowUpInput,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/follow-ups", tag = "cases",
    params(("id" = Uuid, Path)), request_body = NewFollowUpBody,
    responses((status = 201, body = FollowUpView), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn add_follow_up(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    body: Result<Json<NewFollowUpBody>, JsonRejection>,
) -> Created<FollowUpView> {
    let call = Call::new(&state, &caller, headers);
    let case = CaseId(call.id(id)?);
    let body = call.body(body)?;
    let task = casework::add_follow_up(&state.store, &call.actor, case, body.id, &body.follow_up)
        .await
        .map_err(|r| call.refused(r))?;
    Ok(created(FollowUpView::from(&task)))
}

#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/done", tag = "cases",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Done"), (status = 404, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn complete_follow_up(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let call = Call::new(&state, &caller, headers);
    let id = FollowUpId(call.id(id)?);
    let found = state
        .store
        .complete_follow_up(&call.actor, id)
        .await
        .map_err(|e| call.store(e))?;
    if !found {
        return Err(call.error(AppError::NotFound));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A search for people by name words (three letters at least, each a prefix of a word of the
/// name) and/or phone number; exact through the blind indexes, audited per person found. It is
/// a POST so that names and numbers stay out of URLs and the logs of proxies.
#[derive(Deserialize, Default, ToSchema)]
pub struct PersonQuery {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

#[utoipa::path(post, path = "/api/v1/persons/search", tag = "persons", request_body = PersonQuery,
    responses((status = 200, body = Vec<PersonHit>), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn search_persons(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    body: Result<Json<PersonQuery>, JsonRejection>,
) -> Reply<Vec<PersonHit>> {
    let call = Call::new(&state, &caller, headers);
    let q = call.body(body)?;
    let name = Some(q.name.trim()).filter(|n| !n.is_empty());
    let phone = Some(q.phone.trim()).filter(|p| !p.is_empty());
    if name.is_none() && phone.is_none() {
        let errors = [antitrata_domain::casework::FieldError {
            field: "name",
            problem: antitrata_domain::casework::Problem::Required,
        }];
        return Err(ApiError::fields(&call.headers, &errors));
    }
    let found = state
        .store
        .search_persons(&call.actor, name, phone)
        .await
        .map_err(|e| call.store(e))?;
    Ok(Json(
        found
            .into_iter()
            .map(|p| PersonHit {
                id: p.id.0,
                name: p.name,
                phone: p.phone,
                case: p.case.map(|c| c.0),
            })
            .collect(),
    ))
}

/// The directory's filters.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// A category code (`shelter`, `medical`, `legal`, …).
    #[serde(default)]
    pub category: String,
    /// Part of the locality's name.
    #[serde(default)]
    pub place: String,
}

/// The caller's country's services, by category and place.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", params(ServiceQuery),
    responses((status = 200, body = Vec<ServiceView>), (status = 422, body = crate::error::ProblemJson)),
    security(("bearer" = [])))]
pub async fn list_services(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    query: Result<Query<ServiceQuery>, QueryRejection>,
) -> Reply<Vec<ServiceView>> {
    let call = Call::new(&state, &caller, headers);
    let q = query
        .map(|Query(q)| q)
        .map_err(|_| call.error(AppError::BadRequest))?;
    let mut errors = Errors::default();
    let category = errors.optional_code("category", &q.category, ServiceCategory::parse);
    errors
        .finish(())
        .map_err(|e| ApiError::fields(&call.headers, &e))?;
    let place = Some(q.place.trim()).filter(|p| !p.is_empty());
    let services = state
        .store
        .list_services(&call.actor, category, place)
        .await
        .map_err(|e| call.store(e))?;
    Ok(Json(services.iter().map(ServiceView::from).collect()))
}

/// A service of the directory, added or replaced under its id; `active: false` takes it out of
/// the choices for new referrals.
#[derive(Deserialize, ToSchema)]
pub struct ServiceBody {
    pub id: Option<Uuid>,
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
pub async fn save_service(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    body: Result<Json<ServiceBody>, JsonRejection>,
) -> Created<ServiceView> {
    let call = Call::acting(&state, &caller, headers, Action::EditServices);
    let body = call.body(body)?;
    let service = casework::save_service(
        &state.store,
        &call.actor,
        body.id,
        &body.service,
        body.active,
    )
    .await
    .map_err(|r| call.refused(r))?;
    Ok(created(ServiceView::from(&service)))
}

/// How many open cases "my work" lists.
const MY_CASES: i64 = 100;

/// The caller's follow-ups due today or overdue, and the open cases assigned to it.
#[utoipa::path(get, path = "/api/v1/work", tag = "cases",
    responses((status = 200, body = WorkView)), security(("bearer" = [])))]
pub async fn show_work(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
) -> Reply<WorkView> {
    let call = Call::new(&state, &caller, headers);
    let me = caller.account.id;
    let tasks = state
        .store
        .list_my_follow_ups(&call.actor, me, call.actor.at.date())
        .await
        .map_err(|e| call.store(e))?;
    let filter = CaseFilter {
        assigned_to: Some(me),
        open_only: true,
        limit: MY_CASES,
        ..CaseFilter::default()
    };
    let cases = state
        .store
        .list_cases(&call.actor, &filter)
        .await
        .map_err(|e| call.store(e))?;
    Ok(Json(WorkView {
        follow_ups: tasks.iter().map(FollowUpView::from).collect(),
        cases: cases.iter().map(CaseView::from).collect(),
    }))
}

/// How many cases each part of the queue lists.
const QUEUE_LIMIT: i64 = 50;

/// The supervisor's queue, immediate danger first.
#[utoipa::path(get, path = "/api/v1/queue", tag = "cases",
    responses((status = 200, body = QueueView)), security(("bearer" = [])))]
pub async fn show_queue(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
) -> Reply<QueueView> {
    let call = Call::new(&state, &caller, headers);
    let store = &state.store;
    let actor = &call.actor;
    let fail = |e| call.store(e);
    let dangers = store.list_open_dangers(actor).await.map_err(fail)?;
    let closure_requests = CaseFilter {
        status: Some(CaseStatus::ClosureRequested),
        limit: QUEUE_LIMIT,
        ..CaseFilter::default()
    };
    let closure_requests = store
        .list_cases(actor, &closure_requests)
        .await
        .map_err(fail)?;
    let unassigned = CaseFilter {
        open_only: true,
        unassigned: true,
        limit: QUEUE_LIMIT,
        ..CaseFilter::default()
    };
    let unassigned = store.list_cases(actor, &unassigned).await.map_err(fail)?;
    let overdue = store
        .list_overdue_follow_ups(actor, actor.at.date())
        .await
        .map_err(fail)?;
    let stale = store
        .list_stale_referrals(actor, actor.at - state.config.referral_overdue)
        .await
        .map_err(fail)?;
    Ok(Json(QueueView {
        dangers: dangers.iter().map(ContactView::from).collect(),
        closure_requests: closure_requests.iter().map(CaseView::from).collect(),
        unassigned: unassigned.iter().map(CaseView::from).collect(),
        overdue_follow_ups: overdue.iter().map(FollowUpView::from).collect(),
        stale_referrals: stale.iter().map(ReferralView::from).collect(),
    }))
}
