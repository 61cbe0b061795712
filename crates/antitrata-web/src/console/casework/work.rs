//! Follow-ups in the console: added on the case page, done with one button, and gathered on
//! "my work" (today and overdue, and the cases assigned to me).

use antitrata_domain::casework::{CaseId, FollowUp, FollowUpId, FollowUpInput};
use antitrata_store::{CaseFilter, PAGE_MAX};
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::cases::{CaseRow, case_rows};
use super::people::after;
use super::{Pairs, casework_actor, store_error};
use crate::casework;
use crate::console::console_page;
use crate::console::extract::{Console, PathId, Verified};
use crate::error::PageError;
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
    Console(state, who, _, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let case = CaseId(id);
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
/// Being done is its one change, so the button names no version: pressed on a page made before
/// someone else marked it done, it changes nothing and the page it goes back to shows it done.
pub(in crate::console) async fn complete_follow_up(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let actor = casework_actor(&state, &who.account, &headers);
    state
        .store
        .complete_follow_up(&actor, FollowUpId(id), None)
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(match Uuid::parse_str(pairs.get("case").trim()) {
        Ok(case) => super::people::back_to(CaseId(case), "follow-up-done"),
        Err(_) => Redirect::to("/console/work").into_response(),
    })
}

#[derive(Template)]
#[template(path = "console/casework/work.html")]
struct WorkPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    tasks: Vec<TaskRow>,
    rows: Vec<CaseRow>,
    /// Done buttons come back here, not to a case.
    back_case: String,
}

/// How many of my cases the page lists.
const MY_CASES: i64 = 100;

/// "My work": my follow-ups overdue or due within the week, and the open cases assigned to me.
pub(in crate::console) async fn show_work(
    Console(state, who, lang, headers): Console,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let actor = casework_actor(&state, &who.account, &headers);
    let today = actor.today();
    let tasks = state
        .store
        .list_my_follow_ups(
            &actor,
            who.account.id,
            crate::casework::my_work_until(today),
            None,
            PAGE_MAX,
        )
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
        menu: crate::console::menu::Menu::of(&tr, &who),
        csrf: who.session.csrf_token.clone(),
        tasks: task_rows(tasks, today),
        rows: case_rows(&tr, cases),
        back_case: String::new(),
        tr,
    };
    Ok(console_page(lang, page.render(), &headers))
}
