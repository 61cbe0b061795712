//! Cases in the console: opening one (from a contact or not), its page with everything hanging
//! off it, editing its description, moving it through the workflow, assigning it, and the list
//! with its filters.

use antitrata_domain::UserId;
use antitrata_domain::casework::Picklist;
use antitrata_domain::casework::{
    Case, CaseId, CaseInput, CaseReference, CaseStatus, ClosureReason, ContactId, ExploitationType,
    MeansOfControl, RecruitmentMethod, RiskLevel, Sector,
};
use antitrata_domain::policy::Action;
use antitrata_store::{CaseFilter, CaseOrder, CaseRecords, StoreError};
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, RawQuery};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    FieldErrors, Opt, Pairs, casework_actor, country_list, label, options, problem_message,
    store_error,
};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::casework::{self, Refusal, StatusInput};
use crate::console::extract::{Console, PathId, Verified};
use crate::console::{console_page, format_local, page_lang};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

/// Opens a case, from the contact named in the form if any, and shows it.
pub(in crate::console) async fn open_case(
    Console(state, who, lang, headers): Console,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    let bad = || PageError::new(lang, AppError::BadRequest, &headers);
    let id = Uuid::parse_str(pairs.get("id")).map_err(|_| bad())?;
    let contact = match pairs.get("contact") {
        "" => None,
        text => Some(ContactId(Uuid::parse_str(text).map_err(|_| bad())?)),
    };
    let case = match casework::open_case(&state.store, &actor, id, contact).await {
        Ok(case) => case,
        Err(Refusal::Fields(_)) => return Err(PageError::new(lang, AppError::NotFound, &headers)),
        Err(Refusal::NotNow | Refusal::Similar(_)) => {
            return Err(PageError::new(lang, AppError::Conflict, &headers));
        }
        Err(Refusal::Store(e)) => return Err(store_error(lang, &headers)(e)),
    };
    Ok(Redirect::to(&format!("/console/cases/{}", case.id)).into_response())
}

#[derive(Template)]
#[template(path = "console/casework/case.html")]
struct CasePage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    id: String,
    reference: String,
    status: String,
    status_code: &'static str,
    has_minor: bool,
    facts: Vec<(String, String)>,
    closure_note: Option<String>,
    message: Option<String>,
    errors: FieldErrors,
    risks: Vec<Opt>,
    exploitation: Vec<Opt>,
    sectors: Vec<Opt>,
    means: Vec<Opt>,
    recruitment: Vec<Opt>,
    citizenship: String,
    exploitation_countries: String,
    transit_countries: String,
    exploitation_began: String,
    /// The version the description form was made from, sent back with it.
    version: i64,
    /// When another person saved the description while this one was typed: what they saved,
    /// shown beside the form, which keeps this person's input.
    theirs: Vec<(String, String)>,
    reasons: Vec<Opt>,
    actions: Vec<(&'static str, String)>,
    needs_reason: bool,
    is_supervisor: bool,
    /// Whether the viewer may take the case: open, nobody assigned, and a role that takes.
    may_take: bool,
    workers: Vec<(String, String, bool)>,
    contacts: Vec<(String, String, String)>,
    readers: Vec<crate::console::audit::ReaderRow>,
    people: super::people::CasePeople,
    tasks: Vec<super::work::TaskRow>,
    back_case: String,
    new_follow_up_id: String,
    /// People of the country who may be the person the refused form adds.
    similar: Vec<super::people::PersonLink>,
    /// The form just saved (`""` if none) and what the page says of it, at that form's section.
    saved: &'static str,
    saved_text: String,
    /// The refused form, if any: its problems show beside its own fields only.
    failed: &'static str,
    typed: Pairs,
}

/// A case's description as the page lists it: each field's label and its values' labels.
fn described(tr: &Tr, d: &antitrata_domain::casework::CaseDetails) -> Vec<(String, String)> {
    fn labels<T: Picklist>(tr: &Tr, values: &[T]) -> String {
        values
            .iter()
            .map(|v| tr.t(&v.label_key()))
            .collect::<Vec<_>>()
            .join(", ")
    }
    let countries = |list: &[antitrata_domain::CountryCode]| {
        list.iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fields = vec![
        (
            tr.t("case-risk"),
            d.risk.map(|r| tr.t(&r.label_key())).unwrap_or_default(),
        ),
        (
            tr.t("case-exploitation-types"),
            labels(tr, &d.exploitation_types),
        ),
        (
            tr.t("case-means-of-control"),
            labels(tr, &d.means_of_control),
        ),
        (tr.t("case-sectors"), labels(tr, &d.sectors)),
        (tr.t("case-recruitment"), labels(tr, &d.recruitment)),
        (tr.t("case-citizenship"), countries(&d.citizenship)),
        (
            tr.t("case-exploitation-countries"),
            countries(&d.exploitation_countries),
        ),
        (
            tr.t("case-transit-countries"),
            countries(&d.transit_countries),
        ),
        (
            tr.t("case-exploitation-began"),
            d.exploitation_began
                .map(|b| b.to_string())
                .unwrap_or_default(),
        ),
    ];
    fields
        .into_iter()
        .map(|(field, value)| match value.is_empty() {
            true => (field, "—".to_owned()),
            false => (field, value),
        })
        .collect()
}

/// Which workflow buttons the page offers for a status and a role; each is an `action` value
/// the status form posts.
fn actions(tr: &Tr, status: CaseStatus, supervisor: bool) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut offer = |code: &'static str| out.push((code, tr.t(&format!("case-action-{code}"))));
    match status {
        CaseStatus::Open => {
            offer("activate");
            if supervisor {
                offer("close")
            } else {
                offer("request-closure")
            }
        }
        CaseStatus::Active | CaseStatus::Referred => {
            if supervisor {
                offer("close")
            } else {
                offer("request-closure")
            }
        }
        CaseStatus::ClosureRequested => {
            if supervisor {
                offer("approve-closure");
                offer("reject-closure");
            }
        }
        CaseStatus::Closed => offer("reopen"),
    }
    out
}

/// What a case page shows besides the case: a message, and a refused form's problems and
/// values.
#[derive(Default)]
pub(in crate::console) struct Shown<'a> {
    pub message: Option<String>,
    pub errors: FieldErrors,
    /// The description as typed, when it was refused.
    pub typed: Option<&'a CaseInput>,
    /// Which of the page's other forms was refused (`person`, `consent`, `referral`).
    pub failed_form: Option<&'static str>,
    /// That form's values as posted.
    pub typed_pairs: Pairs,
    /// The description was saved by someone else since the form was shown.
    pub stale: bool,
    /// People of the country who may be the person the refused form adds.
    pub similar: Vec<super::people::PersonLink>,
    /// The form just saved, which the page confirms at its section.
    pub saved: Option<&'static str>,
    pub status: StatusCode,
}

pub(in crate::console) async fn render_case(
    state: &AppState,
    who: &SignedIn,
    headers: &HeaderMap,
    id: CaseId,
    shown: Shown<'_>,
) -> Result<Response, PageError> {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let actor = casework_actor(state, &who.account, headers);
    // Closing, assigning and overriding consent are the supervisor's, as the policy says.
    let supervisor = actor.may(Action::DecideClosure);
    let (
        case,
        CaseRecords {
            persons,
            consents,
            referrals,
            follow_ups,
            contacts,
        },
    ) = state
        .store
        .case_file(&actor, id)
        .await
        .map_err(store_error(lang, headers))?
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, headers))?;
    let contacts = contacts
        .iter()
        .map(|c| {
            (
                c.id.to_string(),
                format_local(c.details.started_at, Some(c.details.country)),
                label(&tr, c.details.channel),
            )
        })
        .collect();
    let workers = state
        .store
        .list_case_workers(&actor)
        .await
        .map_err(store_error(lang, headers))?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name, case.assigned_to == Some(id)))
        .collect::<Vec<_>>();
    // A refused form's choices show as they were posted, not as stored.
    let posted = |form: &str, name: &str| {
        (shown.failed_form == Some(form)).then(|| shown.typed_pairs.get(name).to_owned())
    };
    let chosen_worker = posted("assign", "assignee");
    let chosen_reason = posted("status", "reason");
    let reads = state
        .store
        .list_record_reads("case", &case.id.to_string(), 50)
        .await
        .map_err(store_error(lang, headers))?;
    let readers = crate::console::audit::reader_rows(&state.store, reads)
        .await
        .map_err(store_error(lang, headers))?;
    let people = super::people::case_people(state, &actor, &tr, persons, &consents, &referrals)
        .await
        .map_err(store_error(lang, headers))?;
    let d = &case.details;
    let codes =
        |values: Vec<&'static str>| values.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let countries = |list: &[antitrata_domain::CountryCode]| {
        list.iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let typed = shown.typed;
    let pick = |typed_values: Option<&Vec<String>>, stored: Vec<&'static str>| {
        typed_values.cloned().unwrap_or_else(|| codes(stored))
    };
    let mut facts = vec![
        (
            tr.t("case-opened"),
            format_local(case.opened_at, Some(case.reference.country)),
        ),
        (
            tr.t("case-updated"),
            format_local(case.updated_at, Some(case.reference.country)),
        ),
    ];
    if let Some(reason) = case.closure_reason {
        facts.push((tr.t("case-closure-reason"), label(&tr, reason)));
    }
    facts.push((
        tr.t("case-assigned"),
        match case.assigned_to {
            None => tr.t("case-unassigned"),
            // An operator who took it, or a worker since disabled or moved, is not among the
            // case workers: shown by the account's name, or its id if it is gone.
            Some(user) => match workers.iter().find(|(_, _, assigned)| *assigned) {
                Some((_, name, _)) => name.clone(),
                None => state
                    .store
                    .find_user(user)
                    .await
                    .map_err(store_error(lang, headers))?
                    .map_or_else(|| user.to_string(), |a| a.display_name),
            },
        },
    ));
    let choices = workers
        .iter()
        .map(|(user, name, assigned)| {
            let selected = chosen_worker.as_ref().map_or(*assigned, |c| c == user);
            (user.clone(), name.clone(), selected)
        })
        .collect();
    let page = CasePage {
        title: case.reference.to_string(),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        id: case.id.to_string(),
        reference: case.reference.to_string(),
        status: label(&tr, case.status),
        status_code: case.status.code(),
        has_minor: case.has_minor,
        facts,
        closure_note: case.closure_note.clone(),
        message: shown.message,
        risks: options::<RiskLevel>(
            &tr,
            &pick(
                typed.map(|t| vec![t.risk.clone()]).as_ref(),
                d.risk.map(|r| r.code()).into_iter().collect(),
            ),
        ),
        exploitation: options::<ExploitationType>(
            &tr,
            &pick(
                typed.map(|t| &t.exploitation_types),
                d.exploitation_types.iter().map(|v| v.code()).collect(),
            ),
        ),
        sectors: options::<Sector>(
            &tr,
            &pick(
                typed.map(|t| &t.sectors),
                d.sectors.iter().map(|v| v.code()).collect(),
            ),
        ),
        means: options::<MeansOfControl>(
            &tr,
            &pick(
                typed.map(|t| &t.means_of_control),
                d.means_of_control.iter().map(|v| v.code()).collect(),
            ),
        ),
        recruitment: options::<RecruitmentMethod>(
            &tr,
            &pick(
                typed.map(|t| &t.recruitment),
                d.recruitment.iter().map(|v| v.code()).collect(),
            ),
        ),
        citizenship: typed.map_or_else(|| countries(&d.citizenship), |t| t.citizenship.join(", ")),
        exploitation_countries: typed.map_or_else(
            || countries(&d.exploitation_countries),
            |t| t.exploitation_countries.join(", "),
        ),
        transit_countries: typed.map_or_else(
            || countries(&d.transit_countries),
            |t| t.transit_countries.join(", "),
        ),
        exploitation_began: typed.map_or_else(
            || {
                d.exploitation_began
                    .map(|b| b.to_string())
                    .unwrap_or_default()
            },
            |t| t.exploitation_began.clone(),
        ),
        version: case.version,
        theirs: if shown.stale {
            described(&tr, d)
        } else {
            Vec::new()
        },
        reasons: options::<ClosureReason>(&tr, &Vec::from_iter(chosen_reason)),
        needs_reason: matches!(
            case.status,
            CaseStatus::Open | CaseStatus::Active | CaseStatus::Referred
        ),
        actions: actions(&tr, case.status, supervisor),
        is_supervisor: supervisor,
        may_take: case.assigned_to.is_none()
            && case.status != CaseStatus::Closed
            && who.account.may(Action::TakeCase),
        workers: choices,
        contacts,
        readers,
        people,
        tasks: super::work::task_rows(follow_ups, actor.today()),
        back_case: case.id.to_string(),
        new_follow_up_id: state.runtime.uuid_v7().to_string(),
        similar: shown.similar,
        saved: shown.saved.unwrap_or(""),
        saved_text: shown
            .saved
            .map(|form| tr.t(&format!("case-saved-{form}")))
            .unwrap_or_default(),
        failed: shown.failed_form.unwrap_or("details"),
        typed: shown.typed_pairs,
        errors: shown.errors,
        tr,
    };
    Ok((shown.status, console_page(lang, page.render(), headers)).into_response())
}

pub(in crate::console) async fn show_case(
    Console(state, who, _, headers): Console,
    PathId(id): PathId,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let id = CaseId(id);
    let shown = Shown {
        saved: super::people::saved_form(query.as_deref()),
        status: StatusCode::OK,
        ..Shown::default()
    };
    render_case(&state, &who, &headers, id, shown).await
}

/// Saves the case's description; a refused field shows the form again as typed.
pub(in crate::console) async fn update_case(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let id = CaseId(id);
    let actor = casework_actor(&state, &who.account, &headers);
    let input = CaseInput {
        risk: pairs.get("risk").to_owned(),
        exploitation_types: pairs.all("exploitation_types"),
        sectors: pairs.all("sectors"),
        means_of_control: pairs.all("means_of_control"),
        recruitment: pairs.all("recruitment"),
        citizenship: country_list(pairs.get("citizenship")),
        exploitation_countries: country_list(pairs.get("exploitation_countries")),
        transit_countries: country_list(pairs.get("transit_countries")),
        exploitation_began: pairs.get("exploitation_began").to_owned(),
    };
    // The version the form was shown with: a description saved by someone else since then is
    // not overwritten unseen.
    let expected = shown_version(&pairs);
    match casework::update_case(&state.store, &actor, id, &input, expected).await {
        Ok(_) => Ok(super::people::back_to(id, "details")),
        Err(Refusal::Store(StoreError::Stale { .. })) => {
            let shown = Shown {
                typed: Some(&input),
                stale: true,
                status: StatusCode::CONFLICT,
                ..Shown::default()
            };
            render_case(&state, &who, &headers, id, shown).await
        }
        Err(Refusal::Fields(errors)) => {
            let tr = Tr::new(lang);
            let shown = Shown {
                errors: FieldErrors::new(&tr, &errors),
                typed: Some(&input),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..Shown::default()
            };
            render_case(&state, &who, &headers, id, shown).await
        }
        Err(refusal) => {
            super::people::refused(&state, &who, &headers, id, "details", refusal, pairs).await
        }
    }
}

/// The version of the case (or referral) a form was made from, which it sends back: a change
/// saved by someone else since the page was shown is not overwritten unseen. A form without it
/// acts on whatever the record is now.
pub(super) fn shown_version(pairs: &Pairs) -> Option<i64> {
    pairs.get("version").trim().parse::<i64>().ok()
}

/// Takes a workflow step. Closing needs a reason; a step the case's status does not allow, or a
/// case changed by someone else since the page was shown, says so on the case page, keeps what
/// was typed and changes nothing.
pub(in crate::console) async fn change_status(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let id = CaseId(id);
    let actor = casework_actor(&state, &who.account, &headers);
    let input = StatusInput {
        action: pairs.get("action").to_owned(),
        reason: pairs.get("reason").to_owned(),
        note: pairs.get("note").to_owned(),
    };
    let expected = shown_version(&pairs);
    match casework::change_status(&state.store, &actor, id, &input, expected).await {
        Ok(_) => Ok(super::people::back_to(id, "status")),
        Err(Refusal::Fields(errors)) => {
            // The status form is a row of buttons: its problem shows as the page's message.
            let tr = Tr::new(lang);
            let shown = Shown {
                message: errors
                    .first()
                    .map(|e| problem_message(&tr, e.field, e.problem)),
                errors: FieldErrors::new(&tr, &errors),
                failed_form: Some("status"),
                typed_pairs: pairs,
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..Shown::default()
            };
            render_case(&state, &who, &headers, id, shown).await
        }
        Err(refusal) => {
            super::people::refused(&state, &who, &headers, id, "status", refusal, pairs).await
        }
    }
}

/// A supervisor assigns the case (or takes it back with an empty choice); a case changed by
/// someone else since the page was shown is not reassigned unseen.
pub(in crate::console) async fn assign_case(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let id = CaseId(id);
    let actor = casework_actor(&state, &who.account, &headers);
    let assignee = match pairs.get("assignee") {
        "" => None,
        text => {
            Some(UserId(Uuid::parse_str(text).map_err(|_| {
                PageError::new(lang, AppError::BadRequest, &headers)
            })?))
        }
    };
    let expected = shown_version(&pairs);
    match state
        .store
        .assign_case(&actor, id, assignee, expected)
        .await
    {
        Ok(_) => Ok(super::people::back_to(id, "assign")),
        Err(e) => {
            let refusal = Refusal::from(e);
            super::people::refused(&state, &who, &headers, id, "assign", refusal, pairs).await
        }
    }
}

/// A worker takes the open case nobody is assigned to; one taken or changed meanwhile shows
/// the case as it is now, saying by whom.
pub(in crate::console) async fn take_case(
    Console(state, who, _, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let id = CaseId(id);
    let actor = casework_actor(&state, &who.account, &headers);
    let taken = state
        .store
        .take_case(&actor, id, shown_version(&pairs))
        .await
        .map_err(Refusal::from);
    super::people::after(&state, &who, &headers, id, "take", taken, pairs).await
}

#[derive(Deserialize, Default)]
pub(in crate::console) struct ListQuery {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    exploitation_type: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    mine: bool,
    /// Open cases nobody is assigned to (the queue's section, in full).
    #[serde(default)]
    unassigned: bool,
    /// The reference of the last case of the page before: the list goes on after it.
    #[serde(default)]
    after: String,
}

/// The case list's person box: a name or a phone, posted so that it never sits in a URL.
#[derive(Deserialize)]
pub(in crate::console) struct PersonForm {
    csrf: String,
    #[serde(default)]
    person: String,
}

impl crate::console::PostedForm for PersonForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Template)]
#[template(path = "console/casework/cases.html")]
struct CasesPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    q: ListQuery,
    statuses: Vec<Opt>,
    types: Vec<Opt>,
    errors: FieldErrors,
    rows: Vec<CaseRow>,
    /// How many cases match the filters, of which `rows` is one page.
    count: i64,
    /// The next page's address, when there are cases after this page.
    next: Option<String>,
    /// The first page's address, when this page is not the first.
    first: Option<String>,
    /// The person box as typed, and the people it found (their cases are the rows).
    person: String,
    people: Option<Vec<super::people::PersonLink>>,
}

pub(in crate::console) struct CaseRow {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub has_minor: bool,
    pub risk: String,
    pub types: String,
    pub updated: String,
}

pub(in crate::console) fn case_rows(tr: &Tr, cases: Vec<Case>) -> Vec<CaseRow> {
    cases
        .into_iter()
        .map(|c| CaseRow {
            id: c.id.to_string(),
            reference: c.reference.to_string(),
            status: label(tr, c.status),
            has_minor: c.has_minor,
            risk: c.details.risk.map(|r| label(tr, r)).unwrap_or_default(),
            types: c
                .details
                .exploitation_types
                .iter()
                .map(|t| label(tr, *t))
                .collect::<Vec<_>>()
                .join(", "),
            updated: format_local(c.updated_at, Some(c.reference.country)),
        })
        .collect()
}

/// How many cases a page of the list shows.
const LIST_LIMIT: i64 = 100;

/// Cases of the account's country by reference, status, form of exploitation and opening dates,
/// newest reference first, a page at a time.
pub(in crate::console) async fn list_cases(
    Console(state, who, lang, headers): Console,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let actor = casework_actor(&state, &who.account, &headers);
    let mut errors = antitrata_domain::casework::Errors::default();
    // The reference box takes a case reference or a contact id: it opens that case, or the
    // contact's case (the contact itself when it is linked to none).
    let wanted = q.reference.trim();
    if !wanted.is_empty() {
        if let Some(reference) = CaseReference::parse(wanted) {
            if let Some(case) = state
                .store
                .find_case_by_reference(&actor, &reference)
                .await
                .map_err(store_error(lang, &headers))?
            {
                return Ok(Redirect::to(&format!("/console/cases/{}", case.id)).into_response());
            }
        } else if let Ok(id) = Uuid::parse_str(wanted)
            && let Some(contact) = state
                .store
                .find_contact(&actor, ContactId(id))
                .await
                .map_err(store_error(lang, &headers))?
        {
            let to = match contact.case {
                Some((case, _)) => format!("/console/cases/{case}"),
                None => format!("/console/contacts/{}", contact.id),
            };
            return Ok(Redirect::to(&to).into_response());
        }
        errors.add(
            "reference",
            antitrata_domain::casework::Problem::UnknownCode,
        );
    }
    let mut filter = casework::case_filter(
        &mut errors,
        &q.status,
        &q.exploitation_type,
        &q.from,
        &q.to,
        LIST_LIMIT,
    );
    let after = casework::optional_reference(&mut errors, "after", &q.after);
    filter.order = CaseOrder::NewestOpened { after };
    filter.assigned_to = q.mine.then_some(who.account.id);
    if q.unassigned {
        filter.unassigned = true;
        filter.open_only = true;
    }
    let filter = errors.finish(filter);
    list_page(&state, &who, &headers, q, filter, None).await
}

/// The cases of the people of the country whose name or phone is the one posted (as the menu's
/// search box reads it), newest first.
pub(in crate::console) async fn list_cases_of_person(
    Console(state, who, lang, headers): Console,
    Verified(form): Verified<PersonForm>,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    let typed = form.person.trim();
    let (name, phone) = if crate::console::search::reads_as_phone(typed) {
        (None, Some(typed))
    } else {
        (Some(typed).filter(|t| !t.is_empty()), None)
    };
    let people = state
        .store
        .search_persons(&actor, name, phone, None)
        .await
        .map_err(store_error(lang, &headers))?;
    let mut among: Vec<CaseId> = people.iter().filter_map(|p| p.case).collect();
    among.sort_unstable_by_key(|c| c.0);
    among.dedup();
    let filter = CaseFilter {
        among: Some(among),
        limit: LIST_LIMIT,
        order: CaseOrder::NewestOpened { after: None },
        ..CaseFilter::default()
    };
    let found = (typed.to_owned(), people);
    list_page(
        &state,
        &who,
        &headers,
        ListQuery::default(),
        Ok(filter),
        Some(found),
    )
    .await
}

/// The list page: one page of the cases `filter` names (or its problems beside the filters), with
/// their count and links to the pages around it.
async fn list_page(
    state: &AppState,
    who: &SignedIn,
    headers: &HeaderMap,
    q: ListQuery,
    filter: Result<CaseFilter, Vec<antitrata_domain::casework::FieldError>>,
    found: Option<(String, Vec<antitrata_domain::Person>)>,
) -> Result<Response, PageError> {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let actor = casework_actor(state, &who.account, headers);
    let (rows, count, next, status_code, field_errors) = match filter {
        Ok(filter) => {
            let cases = state
                .store
                .list_cases(&actor, &filter)
                .await
                .map_err(store_error(lang, headers))?;
            let count = state
                .store
                .count_cases(&actor, &filter)
                .await
                .map_err(store_error(lang, headers))?;
            // A full page may have more after it; the person search shows one page only.
            let full = i64::try_from(cases.len()).unwrap_or(0) == filter.limit;
            let next = cases
                .last()
                .filter(|_| full && found.is_none())
                .map(|last| page_href(&q, &last.reference.to_string()));
            let rows = case_rows(&tr, cases);
            (rows, count, next, StatusCode::OK, FieldErrors::default())
        }
        Err(errors) => (
            vec![],
            0,
            None,
            StatusCode::BAD_REQUEST,
            FieldErrors::new(&tr, &errors),
        ),
    };
    let first = (!q.after.trim().is_empty()).then(|| page_href(&q, ""));
    let (person, people) = match found {
        Some((typed, people)) => (typed, Some(people.into_iter().map(Into::into).collect())),
        None => (String::new(), None),
    };
    let page = CasesPage {
        title: tr.t("cases-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        statuses: options::<CaseStatus>(&tr, std::slice::from_ref(&q.status)),
        types: options::<ExploitationType>(&tr, std::slice::from_ref(&q.exploitation_type)),
        q,
        errors: field_errors,
        rows,
        count,
        next,
        first,
        person,
        people,
        tr,
    };
    Ok((status_code, console_page(lang, page.render(), headers)).into_response())
}

/// The list's address with the same filters, from the case after `after` (`""`: the first page).
fn page_href(q: &ListQuery, after: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("status", q.status.as_str()),
        ("exploitation_type", &q.exploitation_type),
        ("from", &q.from),
        ("to", &q.to),
        ("mine", if q.mine { "true" } else { "" }),
        ("unassigned", if q.unassigned { "true" } else { "" }),
        ("after", after),
    ] {
        if !value.is_empty() {
            query.append_pair(name, value);
        }
    }
    format!("/console/cases?{}", query.finish())
}
