//! Follow-ups in the console: added on the case page, done with one button, and gathered on
//! "my work" (today and overdue, and the cases assigned to me).

use antitrata_domain::casework::{FollowUp, FollowUpId, FollowUpInput};
use antitrata_store::CaseFilter;
use askama::Template;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use uuid::Uuid;

use super::cases::{CaseRow, case_rows, path_id};
use super::people::after;
use super::{Pairs, casework_actor, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::casework;
use crate::console::{console_page, page_lang, verified_form};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

/// A follow-up as lists show it.
pub(in crate::console) struct TaskRow {
    pub id: String,
    pub case_id: String,
    pub reference: String,
    pub title: String,
    pub due: String,
    pub overdue: bool,
    pub done: bool,
    pub minor: bool,
}

pub(in crate::console) fn task_rows(tasks: Vec<FollowUp>, today: time::Date) -> Vec<TaskRow> {
    tasks
        .into_iter()
        .map(|t| TaskRow {
            overdue: t.is_overdue(today),
            done: t.done_at.is_some(),
            minor: t.has_minor,
            id: t.id.to_string(),
            case_id: t.case.to_string(),
            reference: t.reference.to_string(),
            due: t.details.due_on.to_string(),
            title: t.details.title,
        })
        .collect()
}

/// Adds a follow-up to a case; a refused one shows the case page with the problem.
pub(in crate::console) async fn add_follow_up(
    State(state): State<AppState>,
    Extension(who): Extension<SignedIn>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Result<Response, PageError> {
    let lang = page_lang(Some(&who.account), &headers);
    let pairs = verified_form(form, &who, lang, &headers)?;
    let case = path_id(id, lang, &headers)?;
    let actor = casework_actor(&state, &who.account, &headers);
    let input = FollowUpInput {
        title: pairs.get("title").to_owned(),
        due_on: pairs.get("due_on").to_owned(),
        assignee: pairs.get("assignee").to_owned(),
    };
    let task_id = Uuid::parse_str(pairs.get("follow_up_id").trim()).ok();
    let done = casework::add_follow_up(&state.store, &actor, case, task_id, &input).await;
    after(&state, &who, &headers, case, "follow-up", done, pairs).await
}

/// Marks a follow-up done and goes back where the form says (`/console/work` or the case).
pub(in crate::console) async fn complete_follow_up(
    State(state): State<AppState>,
    Extension(who): Extension<SignedIn>,
    headers: HeaderMap,
    id: Result<Path<Uuid>, PathRejection>,
    form: Result<Form<Pairs>, FormRejection>,
) -> Result<Response, PageError> {
    let lang = page_lang(Some(&who.account), &headers);
    let pairs = verified_form(form, &who, lang, &headers)?;
    let Ok(Path(id)) = id else {
        return Err(PageError::new(lang, AppError::NotFound, &headers));
    };
    let actor = casework_actor(&state, &who.account, &headers);
    state
        .store
        .complete_follow_up(&actor, FollowUpId(id))
        .await
        .map_err(store_error(lang, &headers))?;
    let back = match Uuid::parse_str(pairs.get("case").trim()) {
        Ok(case) => format!("/console/cases/{case}#follow-ups"),
        Err(_) => "/console/work".to_owned(),
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "console/casework/work.html")]
struct WorkPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    csrf: String,
    tasks: Vec<TaskRow>,
    rows: Vec<CaseRow>,
    /// Done buttons come back here, not to a case.
    back_case: String,
}

/// How many of my cases the page lists.
const MY_CASES: i64 = 100;

/// "My work": my follow-ups due today or overdue, and the open cases assigned to me.
pub(in crate::console) async fn show_work(
    State(state): State<AppState>,
    Extension(who): Extension<SignedIn>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = page_lang(Some(&who.account), &headers);
    let tr = Tr::new(lang);
    let actor = casework_actor(&state, &who.account, &headers);
    let today = actor.at.date();
    let tasks = state
        .store
        .list_my_follow_ups(&actor, who.account.id, today)
        .await
        .map_err(store_error(lang, &headers))?;
    let cases = state
        .store
        .list_cases(
            &actor,
            &CaseFilter {
                assigned_to: Some(who.account.id),
                open_only: true,
                limit: MY_CASES,
                ..CaseFilter::default()
            },
        )
        .await
        .map_err(store_error(lang, &headers))?;
    let page = WorkPage {
        title: tr.t("work-title"),
        switch: vec![],
        csrf: who.session.csrf_token.clone(),
        tasks: task_rows(tasks, today),
        rows: case_rows(&tr, cases),
        back_case: String::new(),
        tr,
    };
    Ok(console_page(lang, page.render(), &headers))
}
