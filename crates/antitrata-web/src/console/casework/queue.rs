//! The supervisor's queue: immediate dangers first (with the emergency number), then closures
//! waiting for approval, open cases nobody is assigned to, and referrals without news.

use antitrata_domain::casework::CaseStatus;
use antitrata_store::{CaseFilter, PAGE_MAX};
use askama::Template;
use axum::response::Response;

use super::cases::{CaseRow, case_rows};
use super::{casework_actor, label, store_error};
use crate::console::extract::Console;
use crate::console::{console_page, format_utc};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Template)]
#[template(path = "console/casework/queue.html")]
struct QueuePage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    csrf: String,
    emergency: Option<String>,
    dangers: Vec<DangerRow>,
    closures: Vec<CaseRow>,
    unassigned: Vec<CaseRow>,
    /// Referrals with no news for longer than the configured time: (case id, text).
    overdue: Vec<(String, String)>,
    /// Follow-ups past their due date.
    tasks: Vec<super::work::TaskRow>,
    back_case: String,
}

struct DangerRow {
    id: String,
    started: String,
    channel: String,
    result: String,
    case: Option<String>,
}

/// How many cases each part of the queue shows.
const QUEUE_LIMIT: i64 = 100;

pub(in crate::console) async fn show_queue(
    Console(state, who, lang, headers): Console,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let actor = casework_actor(&state, &who.account, &headers);
    let dangers = state
        .store
        .list_open_dangers(&actor, None, PAGE_MAX)
        .await
        .map_err(store_error(lang, &headers))?;
    let emergency = match dangers.first() {
        Some(first) => super::contacts::emergency_number(&state, first).await,
        None => None,
    };
    let dangers = dangers
        .into_iter()
        .map(|c| DangerRow {
            id: c.id.to_string(),
            started: format_utc(c.details.started_at),
            channel: label(&tr, c.details.channel),
            result: label(&tr, c.screening_result().0),
            case: c.case.map(|(_, r)| r.to_string()),
        })
        .collect();
    let list = |filter: CaseFilter| {
        let state = state.clone();
        let actor = actor.clone();
        async move { state.store.list_cases(&actor, &filter).await }
    };
    let closures = list(CaseFilter {
        status: Some(CaseStatus::ClosureRequested),
        limit: QUEUE_LIMIT,
        ..CaseFilter::default()
    })
    .await
    .map_err(store_error(lang, &headers))?;
    let unassigned = list(CaseFilter {
        open_only: true,
        unassigned: true,
        limit: QUEUE_LIMIT,
        ..CaseFilter::default()
    })
    .await
    .map_err(store_error(lang, &headers))?;
    let since = actor.at - state.config.referral_overdue;
    let overdue = state
        .store
        .list_stale_referrals(&actor, since, None, PAGE_MAX)
        .await
        .map_err(store_error(lang, &headers))?
        .into_iter()
        .map(|r| {
            (
                r.case.to_string(),
                format!(
                    "{} · {} · {}",
                    label(&tr, r.status),
                    tr.t("queue-since"),
                    format_utc(r.updated_at)
                ),
            )
        })
        .collect();
    let tasks = state
        .store
        .list_overdue_follow_ups(&actor, actor.at.date(), None, PAGE_MAX)
        .await
        .map_err(store_error(lang, &headers))?;
    let page = QueuePage {
        title: tr.t("queue-title"),
        switch: vec![],
        csrf: who.session.csrf_token.clone(),
        emergency,
        dangers,
        closures: case_rows(&tr, closures),
        unassigned: case_rows(&tr, unassigned),
        overdue,
        tasks: super::work::task_rows(tasks, actor.at.date()),
        back_case: String::new(),
        tr,
    };
    Ok(console_page(lang, page.render(), &headers))
}
