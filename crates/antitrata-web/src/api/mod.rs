//! The JSON API, version 1: the hotline directory as open data, the hotline's case work for
//! service accounts with bearer tokens, and statistics. Every route is in
//! `auth::permissions::API_ROUTES`, the same table and role lists the console uses; the store
//! keeps to the account's country and audits as it does for the console. Errors are RFC 9457 problem details; the OpenAPI 3.1
//! description is generated from this code and served at `/api/v1/openapi.json`.

mod casework;
pub(crate) mod directory;
mod extract;
mod openapi;
mod paging;
mod problems;
mod queue;
mod stats;
mod views;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::AppState;
use crate::auth::permissions::enforce_api_access;

pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(directory::router())
        .route("/api/v1/openapi.json", get(openapi::serve_openapi))
        .route("/api/v1/contacts", post(casework::create_contact))
        .route("/api/v1/contacts/{id}", get(casework::show_contact))
        .route(
            "/api/v1/contacts/{id}/danger-handled",
            post(casework::handle_danger),
        )
        .route(
            "/api/v1/contacts/{id}/take-danger",
            post(casework::take_danger),
        )
        .route(
            "/api/v1/cases",
            get(casework::list_cases).post(casework::open_case),
        )
        .route(
            "/api/v1/cases/{id}",
            get(casework::show_case).put(casework::update_case),
        )
        .route("/api/v1/cases/{id}/status", post(casework::change_status))
        .route("/api/v1/cases/{id}/assign", post(casework::assign_case))
        .route("/api/v1/cases/{id}/take", post(casework::take_case))
        .route("/api/v1/cases/{id}/persons", post(casework::add_person))
        .route(
            "/api/v1/cases/{id}/consents",
            post(casework::record_consent),
        )
        .route("/api/v1/cases/{id}/referrals", post(casework::refer))
        .route(
            "/api/v1/cases/{id}/follow-ups",
            post(casework::add_follow_up),
        )
        .route(
            "/api/v1/consents/{id}/withdraw",
            post(casework::withdraw_consent),
        )
        .route(
            "/api/v1/referrals/{id}/status",
            post(casework::update_referral),
        )
        .route(
            "/api/v1/follow-ups/{id}/done",
            post(casework::complete_follow_up),
        )
        .route("/api/v1/persons/search", post(casework::search_persons))
        .route(
            "/api/v1/persons/{id}",
            get(casework::show_person)
                .put(casework::update_person)
                .delete(casework::remove_person),
        )
        .route(
            "/api/v1/services",
            get(casework::list_services).post(casework::save_service),
        )
        .route("/api/v1/work", get(queue::show_work))
        .route("/api/v1/work/follow-ups", get(queue::list_my_follow_ups))
        .route("/api/v1/queue", get(queue::show_queue))
        .route("/api/v1/queue/dangers", get(queue::list_open_dangers))
        .route(
            "/api/v1/queue/overdue-follow-ups",
            get(queue::list_overdue_follow_ups),
        )
        .route(
            "/api/v1/queue/stale-referrals",
            get(queue::list_stale_referrals),
        )
        .route("/api/v1/stats", get(stats::cross_tab))
        .route_layer(from_fn_with_state(state, enforce_api_access))
}
