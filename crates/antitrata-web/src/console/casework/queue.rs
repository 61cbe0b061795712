//! The supervisor's queue: immediate dangers first, those of the last day most severe first, then
//! older ones, each newest first (with the emergency number, the place, what was said and who has
//! each), then closures waiting for approval, open cases nobody is assigned to, overdue
//! follow-ups and referrals without news. Every section says how many wait; the dangers,
//! follow-ups and referrals page on, the case sections link to the case list.

use antitrata_domain::casework::{CaseStatus, Contact, ContactId, FollowUpId, ReferralId};
use antitrata_domain::policy::Action;
use antitrata_store::{CaseFilter, ConflictKind, StoreError};
use askama::Template;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::cases::{CaseRow, case_rows};
use super::{casework_actor, label, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::console::extract::Console;
use crate::console::{console_page, format_local};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;
use antitrata_domain::Lang;

#[derive(Template)]
#[template(path = "console/casework/queue.html")]
struct QueuePage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    /// Why the last step was refused (a danger someone else took).
    notice: Option<String>,
    emergency: Option<String>,
    dangers: Section<DangerRow>,
    /// Open dangers nobody has taken yet.
    untaken: i64,
    closures: Section<CaseRow>,
    unassigned: Section<CaseRow>,
    follow_ups: Section<super::work::TaskRow>,
    /// Referrals with no news for longer than the configured time: (case id, text).
    overdue: Section<(String, String)>,
    may_take: bool,
    may_mark_handled: bool,
    back_case: String,
}

/// One section of the queue: a page of its rows, how many there are in all, and where the next
/// page starts (a link to it), if there is one.
struct Section<T> {
    rows: Vec<T>,
    total: i64,
    next: Option<String>,
}

impl<T> Section<T> {
    fn new(rows: Vec<T>, total: i64, next: Option<String>) -> Section<T> {
        Section { rows, total, next }
    }
}

pub(in crate::console) struct DangerRow {
    id: String,
    /// The caller's locality and country, as far as they were said.
    place: String,
    /// The start of the summary.
    excerpt: String,
    minor: bool,
    /// How long the danger has waited since the contact began.
    waiting: String,
    started: String,
    channel: String,
    result: String,
    case: Option<(String, String)>,
    /// Who took it, if anyone has.
    taker: Option<String>,
    mine: bool,
}

/// Which page of each paged section to show: the id of the last row of the page before.
#[derive(Deserialize, Default)]
pub(in crate::console) struct QueueQuery {
    #[serde(default)]
    dangers: Option<Uuid>,
    #[serde(default)]
    follow_ups: Option<Uuid>,
    #[serde(default)]
    referrals: Option<Uuid>,
}

/// How many dangers a page of the queue shows.
const DANGER_PAGE: i64 = 50;
/// How many rows a page of each other section shows.
const SECTION_PAGE: i64 = 20;
/// How much of a summary the queue shows, in characters.
const EXCERPT: usize = 160;

pub(in crate::console) async fn show_queue(
    Console(state, who, lang, headers): Console,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let query = query
        .map_err(|_| PageError::new(lang, AppError::BadRequest, &headers))?
        .0;
    let page = queue_page(&state, &who, lang, &headers, &query, None).await?;
    Ok(console_page(lang, page.render(), &headers))
}

/// The queue after a danger could not be taken: the queue as it is now, saying why.
pub(super) async fn refused_take(
    state: &AppState,
    who: &SignedIn,
    lang: Lang,
    headers: &axum::http::HeaderMap,
    refusal: &StoreError,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let notice = match refusal {
        StoreError::Conflict(ConflictKind::DangerTakenBy(name)) => {
            tr.t1("error-danger-taken-by", "name", name)
        }
        StoreError::Conflict(ConflictKind::NotAnOpenDanger) => tr.t("error-not-an-open-danger"),
        other => return Err(PageError::store(lang, headers, other)),
    };
    let page = queue_page(
        state,
        who,
        lang,
        headers,
        &QueueQuery::default(),
        Some(notice),
    )
    .await?;
    Ok((
        StatusCode::CONFLICT,
        console_page(lang, page.render(), headers),
    )
        .into_response())
}

async fn queue_page(
    state: &AppState,
    who: &SignedIn,
    lang: Lang,
    headers: &axum::http::HeaderMap,
    query: &QueueQuery,
    notice: Option<String>,
) -> Result<QueuePage, PageError> {
    let tr = Tr::new(lang);
    let fail = store_error(lang, headers);
    let actor = casework_actor(state, &who.account, headers);
    let store = &state.store;
    let (danger_total, untaken) = store.count_open_dangers(&actor).await.map_err(&fail)?;
    let dangers = store
        .list_open_dangers(
            &actor,
            state.runtime.now(),
            query.dangers.map(ContactId),
            DANGER_PAGE,
        )
        .await
        .map_err(&fail)?;
    let emergency = match dangers.first() {
        Some(first) => super::contacts::emergency_number(state, first).await,
        None => None,
    };
    let next_dangers = next_link(&dangers, DANGER_PAGE, "dangers", |c| c.id.0);
    let me = who.account.id.to_string();
    let dangers = dangers
        .iter()
        .map(|c| danger_row(&tr, c, &me, actor.at))
        .collect();

    let closures = CaseFilter {
        status: Some(CaseStatus::ClosureRequested),
        limit: SECTION_PAGE,
        ..CaseFilter::default()
    };
    let closures = Section::new(
        case_rows(
            &tr,
            store.list_cases(&actor, &closures).await.map_err(&fail)?,
        ),
        store.count_cases(&actor, &closures).await.map_err(&fail)?,
        Some("/console/cases?status=closure-requested".to_owned()),
    );
    let unassigned = CaseFilter {
        open_only: true,
        unassigned: true,
        limit: SECTION_PAGE,
        ..CaseFilter::default()
    };
    let unassigned = Section::new(
        case_rows(
            &tr,
            store.list_cases(&actor, &unassigned).await.map_err(&fail)?,
        ),
        store
            .count_cases(&actor, &unassigned)
            .await
            .map_err(&fail)?,
        Some("/console/cases?unassigned=true".to_owned()),
    );

    let today = actor.today();
    let tasks = store
        .list_overdue_follow_ups(
            &actor,
            today,
            query.follow_ups.map(FollowUpId),
            SECTION_PAGE,
        )
        .await
        .map_err(&fail)?;
    let next_tasks = next_link(&tasks, SECTION_PAGE, "follow_ups", |t| t.id.0);
    let follow_ups = Section::new(
        super::work::task_rows(tasks, today),
        store
            .count_overdue_follow_ups(&actor, today)
            .await
            .map_err(&fail)?,
        next_tasks,
    );

    let since = actor.at - state.config.referral_overdue;
    let referrals = store
        .list_stale_referrals(&actor, since, query.referrals.map(ReferralId), SECTION_PAGE)
        .await
        .map_err(&fail)?;
    let overdue = Section::new(
        referrals
            .iter()
            .map(|r| {
                (
                    r.case.to_string(),
                    format!(
                        "{} · {} · {}",
                        label(&tr, r.status),
                        tr.t("queue-since"),
                        format_local(r.updated_at, actor.scope.country())
                    ),
                )
            })
            .collect(),
        store
            .count_stale_referrals(&actor, since)
            .await
            .map_err(&fail)?,
        next_link(&referrals, SECTION_PAGE, "referrals", |r| r.id.0),
    );
    let holds = |action| who.account.may(action);
    Ok(QueuePage {
        title: tr.t("queue-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        notice,
        emergency,
        dangers: Section::new(dangers, danger_total, next_dangers),
        untaken,
        closures,
        unassigned,
        follow_ups,
        overdue,
        may_take: holds(Action::TakeDanger),
        may_mark_handled: holds(Action::TakeChargeOfDanger),
        back_case: String::new(),
        tr,
    })
}

/// The link to the page after a full one: the queue with `param` set to the last row's id.
fn next_link<T>(rows: &[T], page: i64, param: &str, id: impl Fn(&T) -> Uuid) -> Option<String> {
    let full = usize::try_from(page).is_ok_and(|page| rows.len() >= page);
    rows.last().filter(|_| full).map(|last| {
        format!(
            "/console/queue?{param}={}#{}",
            id(last),
            param.replace('_', "-")
        )
    })
}

fn danger_row(tr: &Tr, c: &Contact, me: &str, now: OffsetDateTime) -> DangerRow {
    let d = &c.details;
    let place = [
        d.caller_locality.clone(),
        d.caller_country.map(|c| c.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    DangerRow {
        id: c.id.to_string(),
        place: if place.is_empty() {
            tr.t("queue-place-unknown")
        } else {
            place
        },
        excerpt: d.summary.as_deref().map(excerpt).unwrap_or_default(),
        minor: c.case_has_minor,
        waiting: waited(tr, now - d.started_at),
        started: format_local(d.started_at, Some(d.country)),
        channel: label(tr, d.channel),
        result: label(tr, c.screening_result().0),
        case: c
            .case
            .as_ref()
            .map(|(id, reference)| (id.to_string(), reference.to_string())),
        taker: c.danger_taken.as_ref().map(|t| t.name.clone()),
        mine: c
            .danger_taken
            .as_ref()
            .is_some_and(|t| t.account.to_string() == me),
    }
}

/// The first [`EXCERPT`] characters of a summary, cut at a word where one is near, with "…" when
/// there is more.
pub(super) fn excerpt(summary: &str) -> String {
    let summary = summary.trim();
    match summary.char_indices().nth(EXCERPT) {
        None => summary.to_owned(),
        Some((end, _)) => {
            let cut = &summary[..end];
            let cut = cut
                .rfind(char::is_whitespace)
                .map_or(cut, |space| &cut[..space]);
            format!("{}…", cut.trim_end())
        }
    }
}

/// "12 min", "3 h 05 min", "2 d 4 h": how long something has waited, to the minute.
fn waited(tr: &Tr, span: time::Duration) -> String {
    let minutes = span.whole_minutes().max(0);
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let n = |v: i64| v.to_string();
    if days > 0 {
        tr.tn("duration-days", &[("days", &n(days)), ("hours", &n(hours))])
    } else if hours > 0 {
        tr.tn(
            "duration-hours",
            &[("hours", &n(hours)), ("minutes", &format!("{minutes:02}"))],
        )
    } else {
        tr.t1("duration-minutes", "minutes", &n(minutes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_keeps_short_summaries_and_cuts_long_ones_at_a_word() {
        assert_eq!(excerpt("  Encerrada en un bar  "), "Encerrada en un bar");
        let long = "palabra ".repeat(40);
        let cut = excerpt(&long);
        assert!(cut.ends_with("palabra…"), "{cut}");
        assert!(cut.chars().count() <= EXCERPT + 1);
        // Multi-byte characters are never split.
        let accents = "é".repeat(200);
        assert_eq!(excerpt(&accents).chars().count(), EXCERPT + 1);
    }

    #[test]
    fn waiting_is_told_in_minutes_hours_or_days() {
        let tr = Tr::new(Lang::En);
        assert_eq!(waited(&tr, time::Duration::minutes(12)), "12 min");
        assert_eq!(waited(&tr, time::Duration::minutes(185)), "3 h 05 min");
        assert_eq!(
            waited(&tr, time::Duration::minutes(2 * 1440 + 250)),
            "2 d 4 h"
        );
        assert_eq!(waited(&tr, time::Duration::seconds(-30)), "0 min");
    }
}
