//! Recording a contact: the form (restored from the operator's draft), the draft saved in the
//! background, the contact page with its screening, and a supervisor taking charge of a danger.

use antitrata_domain::casework::{
    Answer, CallerRole, Contact, ContactChannel, ContactId, ContactInput, ContactLanguage,
    ContactOutcome, Direction, HeardVia, Indicator,
};
use antitrata_domain::policy::Action;
use antitrata_store::{ConflictKind, StoreError};
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{FieldErrors, Opt, Pairs, casework_actor, field_errors, label, options, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::casework;
use crate::console::extract::{Console, PathId, Verified};
use crate::console::{console_page, page_lang};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

/// The longest draft kept, in bytes: the form's fields at their limits fit with room to spare.
const DRAFT_MAX: usize = 32 * 1024;

#[derive(Template)]
#[template(path = "console/casework/contact_form.html")]
struct ContactForm {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    id: String,
    started_at: String,
    restored: bool,
    errors: FieldErrors,
    channels: Vec<Opt>,
    directions: Vec<Opt>,
    languages: Vec<Opt>,
    caller_roles: Vec<Opt>,
    heard: Vec<Opt>,
    outcomes: Vec<Opt>,
    indicators: Vec<IndicatorRow>,
    caller_phone: String,
    caller_country: String,
    caller_locality: String,
    summary: String,
    notes: String,
    immediate_danger: bool,
    /// The country's emergency number, shown the moment "immediate danger" is ticked.
    emergency: Option<String>,
    case_reference: String,
    /// How long the call has lasted, in seconds and as shown; the page's script counts on.
    elapsed: i64,
    elapsed_text: String,
}

struct IndicatorRow {
    /// The form field: `s-<indicator code>`.
    field: String,
    label: String,
    answers: Vec<Opt>,
}

/// What the contact form starts from besides the operator's input: a fresh id and start time,
/// the channel it starts on, and the country's emergency number.
struct FormStart {
    fresh: (String, String),
    /// How long the call has lasted when the form is shown (a restored draft's since its start).
    elapsed: time::Duration,
    channel: ContactChannel,
    emergency: Option<String>,
}

impl FormStart {
    async fn new(state: &AppState, actor: &antitrata_domain::Actor, pairs: &Pairs) -> FormStart {
        let fresh = fresh(state);
        let now = state.runtime.now();
        let started = match pairs.get("started_at") {
            "" => now,
            text => time::OffsetDateTime::parse(text, &Rfc3339).unwrap_or(now),
        };
        FormStart {
            fresh,
            elapsed: (now - started).max(time::Duration::ZERO),
            channel: state.config.default_channel(actor.scope.country()),
            emergency: country_emergency_number(state, actor.scope.country()).await,
        }
    }
}

/// `mm:ss`, or `h:mm:ss` past the hour: how long a call has lasted.
fn call_time(span: time::Duration) -> String {
    let seconds = span.whole_seconds().max(0);
    match seconds / 3600 {
        0 => format!("{:02}:{:02}", seconds / 60, seconds % 60),
        hours => format!("{hours}:{:02}:{:02}", seconds % 3600 / 60, seconds % 60),
    }
}

fn form_page(
    who: &SignedIn,
    headers: &HeaderMap,
    pairs: &Pairs,
    start: FormStart,
    restored: bool,
    errors: FieldErrors,
) -> Response {
    let FormStart {
        fresh,
        elapsed,
        channel,
        emergency,
    } = start;
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let pick = |name: &str, default: &str| {
        let value = pairs.get(name);
        vec![if value.is_empty() {
            default.to_owned()
        } else {
            value.to_owned()
        }]
    };
    let indicators = Indicator::ALL
        .iter()
        .map(|indicator| {
            let field = format!("s-{}", indicator.code());
            let answers = options::<Answer>(&tr, &pick(&field, Answer::Unknown.code()));
            IndicatorRow {
                label: label(&tr, *indicator),
                field,
                answers,
            }
        })
        .collect();
    let or_fresh = |name: &str, fresh: &str| {
        let value = pairs.get(name);
        if value.is_empty() {
            fresh.to_owned()
        } else {
            value.to_owned()
        }
    };
    let page = ContactForm {
        title: tr.t("contact-new-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        id: or_fresh("id", &fresh.0),
        started_at: or_fresh("started_at", &fresh.1),
        restored,
        channels: options::<ContactChannel>(&tr, &pick("channel", channel.code())),
        elapsed: elapsed.whole_seconds(),
        elapsed_text: call_time(elapsed),
        directions: options::<Direction>(&tr, &pick("direction", Direction::Inbound.code())),
        languages: options::<ContactLanguage>(&tr, &pick("language", lang.code())),
        caller_roles: options::<CallerRole>(&tr, &pick("caller_role", "")),
        heard: options::<HeardVia>(&tr, &pick("heard_via", "")),
        outcomes: options::<ContactOutcome>(&tr, &pick("outcome", "")),
        indicators,
        caller_phone: pairs.get("caller_phone").to_owned(),
        caller_country: pairs.get("caller_country").to_owned(),
        caller_locality: pairs.get("caller_locality").to_owned(),
        summary: pairs.get("summary").to_owned(),
        notes: pairs.get("notes").to_owned(),
        immediate_danger: pairs.get("immediate_danger") == "on",
        emergency,
        case_reference: pairs.get("case_reference").to_owned(),
        errors,
        tr,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, console_page(lang, page.render(), headers)).into_response()
}

/// A fresh id for the submission and the time the form was shown (the contact's start).
fn fresh(state: &AppState) -> (String, String) {
    (
        state.runtime.uuid_v7().to_string(),
        state.runtime.now().format(&Rfc3339).unwrap_or_default(),
    )
}

/// The contact form, filled from the operator's draft when one is kept.
pub(in crate::console) async fn new_contact(
    Console(state, who, lang, headers): Console,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    let draft = state
        .store
        .contact_draft(&actor)
        .await
        .map_err(store_error(lang, &headers))?;
    let restored = draft.is_some();
    let pairs = draft
        .and_then(|d| serde_urlencoded::from_str::<Vec<(String, String)>>(&d).ok())
        .map_or(Pairs(vec![]), Pairs);
    let start = FormStart::new(&state, &actor, &pairs).await;
    Ok(form_page(
        &who,
        &headers,
        &pairs,
        start,
        restored,
        FieldErrors::default(),
    ))
}

/// What the form posted, as the domain's input.
fn contact_input(pairs: &Pairs) -> ContactInput {
    ContactInput {
        channel: pairs.get("channel").to_owned(),
        direction: pairs.get("direction").to_owned(),
        started_at: pairs.get("started_at").to_owned(),
        language: pairs.get("language").to_owned(),
        caller_role: pairs.get("caller_role").to_owned(),
        caller_phone: pairs.get("caller_phone").to_owned(),
        caller_country: pairs.get("caller_country").to_owned(),
        caller_locality: pairs.get("caller_locality").to_owned(),
        heard_via: pairs.get("heard_via").to_owned(),
        summary: pairs.get("summary").to_owned(),
        notes: pairs.get("notes").to_owned(),
        outcome: pairs.get("outcome").to_owned(),
        immediate_danger: pairs.get("immediate_danger") == "on",
        screening: pairs
            .0
            .iter()
            .filter_map(|(name, value)| {
                name.strip_prefix("s-")
                    .map(|code| (code.to_owned(), value.clone()))
            })
            .collect(),
        case_reference: pairs.get("case_reference").to_owned(),
    }
}

/// Records the contact; on any bad field, shows the form again with every problem beside its
/// field and stores nothing. Sending the same form twice stores one contact.
pub(in crate::console) async fn create_contact(
    Console(state, who, lang, headers): Console,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    let id = Uuid::parse_str(pairs.get("id")).ok();
    let contact =
        match casework::record_contact(&state.store, &actor, id, &contact_input(&pairs)).await {
            Ok(contact) => contact,
            Err(refusal) => {
                let errors = field_errors(lang, &headers, refusal)?;
                let start = FormStart::new(&state, &actor, &pairs).await;
                return Ok(form_page(&who, &headers, &pairs, start, false, errors));
            }
        };
    state
        .store
        .discard_contact_draft(&actor)
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(Redirect::to(&format!("/console/contacts/{}", contact.id)).into_response())
}

/// Drops the kept draft (another call's, come back): a fresh form, its start time now.
pub(in crate::console) async fn discard_draft(
    Console(state, who, lang, headers): Console,
    Verified(_): Verified<crate::console::CsrfOnly>,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    state
        .store
        .discard_contact_draft(&actor)
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(Redirect::to("/console/contacts/new").into_response())
}

/// Keeps the half-filled form (sent by the page every few seconds while it changes).
pub(in crate::console) async fn save_draft(
    Console(state, who, lang, headers): Console,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let kept: Vec<&(String, String)> = pairs.0.iter().filter(|(n, _)| n != "csrf").collect();
    let draft = serde_urlencoded::to_string(&kept).unwrap_or_default();
    if draft.len() > DRAFT_MAX {
        return Err(PageError::new(lang, AppError::PayloadTooLarge, &headers));
    }
    let actor = casework_actor(&state, &who.account, &headers);
    state
        .store
        .save_contact_draft(&actor, &draft)
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Template)]
#[template(path = "console/casework/contact.html")]
struct ContactPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    id: String,
    facts: Vec<(String, String)>,
    summary: Option<String>,
    notes: Option<String>,
    result: String,
    rule: String,
    likely: bool,
    yes: Vec<String>,
    danger: bool,
    danger_open: bool,
    emergency: Option<String>,
    is_supervisor: bool,
    /// Who took the open danger, if anyone has.
    taker: Option<String>,
    may_take: bool,
    case: Option<(String, String)>,
    case_has_minor: bool,
    /// The id a case opened from this page will have (a resent form opens one case).
    new_case_id: String,
    /// What is known of the caller's phone, when the contact has one.
    history: Option<HistoryView>,
}

/// Earlier contacts from a caller phone and the people recorded with it, as the contact page and
/// the form's lookup list them.
pub(in crate::console) struct HistoryView {
    contacts: Vec<HistoryContact>,
    persons: Vec<super::people::PersonLink>,
}

struct HistoryContact {
    id: String,
    when: String,
    channel: String,
    outcome: String,
    danger: bool,
    case: Option<(String, String)>,
    summary: Option<String>,
}

impl HistoryView {
    fn new(tr: &Tr, history: casework::CallerHistory) -> HistoryView {
        HistoryView {
            contacts: history
                .contacts
                .iter()
                .map(|c| HistoryContact {
                    id: c.id.to_string(),
                    when: crate::console::format_local(
                        c.details.started_at,
                        Some(c.details.country),
                    ),
                    channel: label(tr, c.details.channel),
                    outcome: label(tr, c.details.outcome),
                    danger: c.details.immediate_danger,
                    case: c
                        .case
                        .map(|(id, reference)| (id.to_string(), reference.to_string())),
                    summary: c.details.summary.as_deref().map(super::queue::excerpt),
                })
                .collect(),
            persons: history
                .persons
                .into_iter()
                .map(super::people::PersonLink::from)
                .collect(),
        }
    }
}

/// The form's lookup of a caller phone: what is known of it, as a fragment the page's script puts
/// under the field. Posted, so the number never sits in a URL or a log.
#[derive(Template)]
#[template(path = "console/casework/caller_history.html")]
struct HistoryFragment {
    tr: Tr,
    history: HistoryView,
}

pub(in crate::console) async fn caller_history(
    Console(state, who, lang, headers): Console,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    let phone = pairs.get("phone").trim();
    if !phone.chars().any(|c| c.is_ascii_digit()) {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let history = casework::caller_history(&state.store, &actor, phone, None)
        .await
        .map_err(store_error(lang, &headers))?;
    let tr = Tr::new(lang);
    let fragment = HistoryFragment {
        history: HistoryView::new(&tr, history),
        tr,
    };
    Ok(console_page(lang, fragment.render(), &headers))
}

pub(in crate::console) async fn show_contact(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    let contact = state
        .store
        .find_contact(&actor, ContactId(id))
        .await
        .map_err(store_error(lang, &headers))?
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, &headers))?;
    let emergency = emergency_number(&state, &contact).await;
    let tr = Tr::new(lang);
    let history = match &contact.details.caller_phone {
        Some(phone) => Some(HistoryView::new(
            &tr,
            casework::caller_history(&state.store, &actor, phone, Some(contact.id))
                .await
                .map_err(store_error(lang, &headers))?,
        )),
        None => None,
    };
    let page = contact_page(
        &tr,
        &who,
        contact,
        emergency,
        state.runtime.uuid_v7().to_string(),
        history,
    );
    Ok(console_page(lang, page.render(), &headers))
}

/// The country's emergency number, for a contact in immediate danger.
pub(super) async fn emergency_number(state: &AppState, contact: &Contact) -> Option<String> {
    if !contact.details.immediate_danger {
        return None;
    }
    country_emergency_number(state, Some(contact.details.country)).await
}

/// The emergency number of `country` from the directory; `None` when there is no country or
/// the directory cannot be read (logged: the page still shows, with its instructions).
async fn country_emergency_number(
    state: &AppState,
    country: Option<antitrata_domain::CountryCode>,
) -> Option<String> {
    match state.store.find_country_directory(country?).await {
        Ok(directory) => directory.map(|d| d.country.emergency_number),
        Err(e) => {
            tracing::error!(error = %e, "reading the emergency number failed");
            None
        }
    }
}

fn contact_page(
    tr: &Tr,
    who: &SignedIn,
    contact: Contact,
    emergency: Option<String>,
    new_case_id: String,
    history: Option<HistoryView>,
) -> ContactPage {
    let d = &contact.details;
    let (result, rule) = contact.screening_result();
    let mut facts = vec![
        // The id an operator reads out or pastes into the case search to find this contact.
        (tr.t("contact-id"), contact.id.to_string()),
        (tr.t("contact-channel"), label(tr, d.channel)),
        (tr.t("contact-direction"), label(tr, d.direction)),
        (
            tr.t("contact-started"),
            crate::console::format_local(d.started_at, Some(d.country)),
        ),
        (
            tr.t("contact-ended"),
            crate::console::format_local(d.ended_at, Some(d.country)),
        ),
        (tr.t("contact-language"), label(tr, d.language)),
        (tr.t("contact-caller-role"), label(tr, d.caller_role)),
        (tr.t("contact-outcome"), label(tr, d.outcome)),
    ];
    if let Some(phone) = &d.caller_phone {
        facts.push((tr.t("contact-caller-phone"), phone.clone()));
    }
    if let Some(country) = d.caller_country {
        facts.push((tr.t("contact-caller-country"), country.to_string()));
    }
    if let Some(locality) = &d.caller_locality {
        facts.push((tr.t("contact-caller-locality"), locality.clone()));
    }
    if let Some(heard) = d.heard_via {
        facts.push((tr.t("contact-heard-via"), label(tr, heard)));
    }
    ContactPage {
        title: tr.t("contact-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(tr, who),
        csrf: who.session.csrf_token.clone(),
        id: contact.id.to_string(),
        facts,
        summary: d.summary.clone(),
        notes: d.notes.clone(),
        result: label(tr, result),
        rule: label(tr, rule),
        likely: result == antitrata_domain::casework::ScreeningResult::Likely,
        yes: d.screening.yes().map(|i| label(tr, i)).collect(),
        danger: d.immediate_danger,
        danger_open: d.immediate_danger && contact.danger_handled_at.is_none(),
        emergency,
        is_supervisor: who.account.may(Action::TakeChargeOfDanger),
        taker: contact.danger_taken.as_ref().map(|t| t.name.clone()),
        may_take: who.account.may(Action::TakeDanger),
        case: contact
            .case
            .map(|(id, reference)| (id.to_string(), reference.to_string())),
        case_has_minor: contact.case_has_minor,
        new_case_id,
        history,
        tr: *tr,
    }
}

/// A worker takes an immediate danger: back to where they took it (the contact page, or the
/// queue at that danger). One someone else took shows the queue saying who.
pub(in crate::console) async fn take_danger(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    let from_contact = pairs.get("back") == "contact" || !who.account.may(Action::SeeQueue);
    let taken = state.store.take_danger(&actor, ContactId(id)).await;
    match taken {
        Ok(()) if from_contact => {
            Ok(Redirect::to(&format!("/console/contacts/{id}")).into_response())
        }
        Ok(()) => Ok(Redirect::to(&format!("/console/queue#danger-{id}")).into_response()),
        // The contact page shows who has it now (or that it was handled); only those who see
        // the queue are shown the queue.
        Err(StoreError::Conflict(
            ConflictKind::DangerTakenBy(_) | ConflictKind::NotAnOpenDanger,
        )) if from_contact => Ok(Redirect::to(&format!("/console/contacts/{id}")).into_response()),
        Err(refusal) => super::queue::refused_take(&state, &who, lang, &headers, &refusal).await,
    }
}

/// A supervisor marks an immediate danger handled; back to the queue.
pub(in crate::console) async fn handle_danger(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(_): Verified<crate::console::CsrfOnly>,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    state
        .store
        .mark_danger_handled(&actor, ContactId(id))
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(Redirect::to("/console/queue").into_response())
}
