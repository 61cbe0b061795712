//! What waits for people: "my work" and the supervisor's queue, each a summary of its first rows,
//! and the full lists behind them, page by page.

use antitrata_domain::casework::{CaseStatus, ContactId, Errors, FollowUpId, ReferralId};
use antitrata_store::CaseFilter;
use axum::Json;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{Call, Params};
use super::paging::{self, PAGE_MAX, PageQuery};
use super::views::{
    CaseView, ContactView, FollowUpView, QueueCounts, QueueView, ReferralView, WorkView,
};
use crate::error::ApiError;

type Reply<T> = Result<Json<T>, ApiError>;

/// How many follow-ups and open cases "my work" lists of each.
const MY_WORK: i64 = 100;

/// The caller's follow-ups overdue or due within the coming seven days, oldest due first, and
/// the open cases assigned to it, newest change first: at most 100 of each. Every one, page by
/// page:
/// `GET /api/v1/work/follow-ups` and `GET /api/v1/cases?assigned=me`.
#[utoipa::path(get, path = "/api/v1/work", tag = "cases",
    responses((status = 200, body = WorkView)), security(("bearer" = [])))]
pub(super) async fn show_work(call: Call) -> Reply<WorkView> {
    let me = call.account.id;
    let until = crate::casework::my_work_until(call.actor.today());
    let tasks = call
        .store()
        .list_my_follow_ups(&call.actor, me, until, None, MY_WORK)
        .await
        .map_err(|e| call.fail(e))?;
    let filter = CaseFilter {
        assigned_to: Some(me),
        open_only: true,
        limit: MY_WORK,
        ..CaseFilter::default()
    };
    let cases = call
        .store()
        .list_cases(&call.actor, &filter)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(WorkView {
        follow_ups: tasks.iter().map(FollowUpView::from).collect(),
        cases: cases.iter().map(CaseView::from).collect(),
    }))
}

/// How many rows each part of the queue but its dangers lists.
const QUEUE_LIMIT: i64 = 50;

/// The supervisor's queue, immediate danger first: up to 500 open dangers in the console's order
/// (the last day's most severe first, then newest), then at most 50 of each other part. Every row of each part, page by page:
/// `GET /api/v1/queue/dangers`, `GET /api/v1/cases?status=closure-requested`,
/// `GET /api/v1/cases?assigned=none` (which lists closed ones too),
/// `GET /api/v1/queue/overdue-follow-ups` and `GET /api/v1/queue/stale-referrals`.
#[utoipa::path(get, path = "/api/v1/queue", tag = "cases",
    responses((status = 200, body = QueueView)), security(("bearer" = [])))]
pub(super) async fn show_queue(call: Call) -> Reply<QueueView> {
    let store = call.store();
    let actor = &call.actor;
    let fail = |e| call.fail(e);
    let dangers = store
        .list_open_dangers(actor, call.state.runtime.now(), None, PAGE_MAX)
        .await
        .map_err(fail)?;
    let closure_filter = CaseFilter {
        status: Some(CaseStatus::ClosureRequested),
        limit: QUEUE_LIMIT,
        ..CaseFilter::default()
    };
    let closure_requests = store
        .list_cases(actor, &closure_filter)
        .await
        .map_err(fail)?;
    let unassigned_filter = CaseFilter {
        open_only: true,
        unassigned: true,
        limit: QUEUE_LIMIT,
        ..CaseFilter::default()
    };
    let unassigned = store
        .list_cases(actor, &unassigned_filter)
        .await
        .map_err(fail)?;
    let overdue = store
        .list_overdue_follow_ups(actor, actor.today(), None, QUEUE_LIMIT)
        .await
        .map_err(fail)?;
    let stale = store
        .list_stale_referrals(actor, stale_since(&call), None, QUEUE_LIMIT)
        .await
        .map_err(fail)?;
    let (danger_count, dangers_untaken) = store.count_open_dangers(actor).await.map_err(fail)?;
    let counts = QueueCounts {
        dangers: danger_count,
        dangers_untaken,
        closure_requests: store
            .count_cases(actor, &closure_filter)
            .await
            .map_err(fail)?,
        unassigned: store
            .count_cases(actor, &unassigned_filter)
            .await
            .map_err(fail)?,
        overdue_follow_ups: store
            .count_overdue_follow_ups(actor, actor.today())
            .await
            .map_err(fail)?,
        stale_referrals: store
            .count_stale_referrals(actor, stale_since(&call))
            .await
            .map_err(fail)?,
    };
    Ok(Json(QueueView {
        counts,
        dangers: dangers.iter().map(ContactView::from).collect(),
        closure_requests: closure_requests.iter().map(CaseView::from).collect(),
        unassigned: unassigned.iter().map(CaseView::from).collect(),
        overdue_follow_ups: overdue.iter().map(FollowUpView::from).collect(),
        stale_referrals: stale.iter().map(ReferralView::from).collect(),
    }))
}

/// Referrals with no change since this instant are waiting too long.
fn stale_since(call: &Call) -> OffsetDateTime {
    call.actor.at - call.state.config.referral_overdue
}

/// One page of follow-ups, oldest due first, and where the next page starts.
#[derive(Serialize, ToSchema)]
pub(super) struct FollowUpPage {
    pub follow_ups: Vec<FollowUpView>,
    /// The `cursor` of the next page; `null` on the last one.
    #[schema(format = Uuid)]
    pub next: Option<Uuid>,
}

/// One page of contacts, in the list's order, and where the next page starts.
#[derive(Serialize, ToSchema)]
pub(super) struct ContactPage {
    pub contacts: Vec<ContactView>,
    /// The `cursor` of the next page; `null` on the last one.
    #[schema(format = Uuid)]
    pub next: Option<Uuid>,
}

/// One page of referrals, oldest request first, and where the next page starts.
#[derive(Serialize, ToSchema)]
pub(super) struct ReferralPage {
    pub referrals: Vec<ReferralView>,
    /// The `cursor` of the next page; `null` on the last one.
    #[schema(format = Uuid)]
    pub next: Option<Uuid>,
}

/// The limit and cursor of a page, or the 422 that names what is wrong with them.
fn page_of<T>(call: &Call, q: &PageQuery, id: fn(Uuid) -> T) -> Result<(i64, Option<T>), ApiError> {
    let mut errors = Errors::default();
    let page = q.read(&mut errors, id);
    errors
        .finish(page)
        .map_err(|e| ApiError::fields(call.headers(), &e))
}

/// Every follow-up of "my work", page by page: open, due within the coming seven days or
/// overdue, assigned to the caller or written by it unassigned; oldest due first.
#[utoipa::path(get, path = "/api/v1/work/follow-ups", tag = "cases", params(PageQuery),
    responses((status = 200, body = FollowUpPage)), security(("bearer" = [])))]
pub(super) async fn list_my_follow_ups(
    call: Call,
    Params(q): Params<PageQuery>,
) -> Reply<FollowUpPage> {
    let (limit, after) = page_of(&call, &q, FollowUpId)?;
    let until = crate::casework::my_work_until(call.actor.today());
    let tasks = call
        .store()
        .list_my_follow_ups(&call.actor, call.account.id, until, after, limit)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(FollowUpPage {
        next: paging::next(&tasks, limit, |last| last.id.0),
        follow_ups: tasks.iter().map(FollowUpView::from).collect(),
    }))
}

/// Every contact in immediate danger that no supervisor has marked handled, page by page,
/// the last day's most severe first, then newest first (each names who took it, if anyone has).
#[utoipa::path(get, path = "/api/v1/queue/dangers", tag = "contacts", params(PageQuery),
    responses((status = 200, body = ContactPage)), security(("bearer" = [])))]
pub(super) async fn list_open_dangers(
    call: Call,
    Params(q): Params<PageQuery>,
) -> Reply<ContactPage> {
    let (limit, after) = page_of(&call, &q, ContactId)?;
    let dangers = call
        .store()
        .list_open_dangers(&call.actor, call.state.runtime.now(), after, limit)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(ContactPage {
        next: paging::next(&dangers, limit, |last| last.id.0),
        contacts: dangers.iter().map(ContactView::from).collect(),
    }))
}

/// Every open follow-up of the country due before today, page by page, oldest due first.
#[utoipa::path(get, path = "/api/v1/queue/overdue-follow-ups", tag = "cases", params(PageQuery),
    responses((status = 200, body = FollowUpPage)), security(("bearer" = [])))]
pub(super) async fn list_overdue_follow_ups(
    call: Call,
    Params(q): Params<PageQuery>,
) -> Reply<FollowUpPage> {
    let (limit, after) = page_of(&call, &q, FollowUpId)?;
    let today = call.actor.today();
    let tasks = call
        .store()
        .list_overdue_follow_ups(&call.actor, today, after, limit)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(FollowUpPage {
        next: paging::next(&tasks, limit, |last| last.id.0),
        follow_ups: tasks.iter().map(FollowUpView::from).collect(),
    }))
}

/// Every referral of the country still waiting (requested, accepted or in progress) with no
/// change for longer than the configured delay, page by page, oldest request first.
#[utoipa::path(get, path = "/api/v1/queue/stale-referrals", tag = "cases", params(PageQuery),
    responses((status = 200, body = ReferralPage)), security(("bearer" = [])))]
pub(super) async fn list_stale_referrals(
    call: Call,
    Params(q): Params<PageQuery>,
) -> Reply<ReferralPage> {
    let (limit, after) = page_of(&call, &q, ReferralId)?;
    let referrals = call
        .store()
        .list_stale_referrals(&call.actor, stale_since(&call), after, limit)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(ReferralPage {
        next: paging::next(&referrals, limit, |last| last.id.0),
        referrals: referrals.iter().map(ReferralView::from).collect(),
    }))
}
