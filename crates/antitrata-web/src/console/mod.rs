//! The operator console: sign-in, setup links, second factor, home, people, audit, statistics,
//! releases, the hotline directory, the public site's content pages. Every route here is listed in `auth::permissions::CONSOLE_ROUTES`, which the
//! `enforce_access` layer applies.

mod account;
mod audit;
mod casework;
mod chart;
mod content;
mod directory;
mod extract;
mod help;
mod home;
mod login;
pub(crate) mod menu;
mod persons;
mod releases;
mod search;
mod second_factor;
mod setup;
mod stats;
pub(crate) mod stats_labels;
mod users;

pub(crate) use stats::{Mistake, StatsQuery, TableCache, answer as answer_stats};

use antitrata_domain::{Account, Actor, Lang};
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::auth::permissions::enforce_access;
use crate::error::{AppError, PageError, request_id};
use crate::i18n::negotiate;

pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/console/login",
            get(login::show_login).post(login::submit_login),
        )
        .route(
            "/console/setup/{token}",
            get(setup::show_setup).post(setup::submit_setup),
        )
        .route(
            "/console/login/totp",
            get(second_factor::show_code).post(second_factor::submit_code),
        )
        .route(
            "/console/totp/enrol",
            get(second_factor::show_enrolment).post(second_factor::submit_enrolment),
        )
        .route("/console/logout", post(login::logout))
        .route("/console", get(home::show_home))
        .route("/console/help", get(help::show_help))
        .route("/console/search", post(search::search))
        .route(
            "/console/account",
            get(account::show_account).post(account::change_password),
        )
        .route("/console/account/language", post(account::change_language))
        .route(
            "/console/users",
            get(users::list_users).post(users::create_user),
        )
        .route("/console/users/{id}/disable", post(users::disable_user))
        .route("/console/audit", get(audit::show_audit))
        .route("/console/persons", get(persons::show_search))
        .route("/console/persons/search", post(persons::search_persons))
        .route("/console/persons/recent", get(persons::list_recent))
        .route("/console/persons/{id}", get(persons::show_person))
        .route(
            "/console/persons/{id}/edit",
            get(casework::person_edit::show_edit).post(casework::person_edit::update_person),
        )
        .route(
            "/console/persons/{id}/remove",
            post(casework::person_edit::remove_person),
        )
        .route(
            "/console/contacts/new",
            get(casework::contacts::new_contact),
        )
        .route(
            "/console/contacts",
            post(casework::contacts::create_contact),
        )
        .route(
            "/console/contacts/draft",
            post(casework::contacts::save_draft),
        )
        .route(
            "/console/contacts/draft/discard",
            post(casework::contacts::discard_draft),
        )
        .route(
            "/console/callers/history",
            post(casework::contacts::caller_history),
        )
        .route(
            "/console/contacts/{id}",
            get(casework::contacts::show_contact),
        )
        .route(
            "/console/contacts/{id}/danger-handled",
            post(casework::contacts::handle_danger),
        )
        .route(
            "/console/contacts/{id}/take-danger",
            post(casework::contacts::take_danger),
        )
        .route(
            "/console/cases",
            get(casework::cases::list_cases).post(casework::cases::open_case),
        )
        .route(
            "/console/cases/by-person",
            post(casework::cases::list_cases_of_person),
        )
        .route(
            "/console/cases/{id}",
            get(casework::cases::show_case).post(casework::cases::update_case),
        )
        .route(
            "/console/cases/{id}/status",
            post(casework::cases::change_status),
        )
        .route(
            "/console/cases/{id}/assign",
            post(casework::cases::assign_case),
        )
        .route("/console/cases/{id}/take", post(casework::cases::take_case))
        .route(
            "/console/cases/{id}/persons",
            post(casework::people::add_person),
        )
        .route(
            "/console/cases/{id}/consents",
            post(casework::people::record_consent),
        )
        .route(
            "/console/cases/{id}/referrals",
            post(casework::people::refer),
        )
        .route(
            "/console/consents/{id}/withdraw",
            post(casework::people::withdraw_consent),
        )
        .route(
            "/console/referrals/{id}/status",
            post(casework::people::update_referral),
        )
        .route(
            "/console/services",
            get(casework::services::list_services).post(casework::services::add_service),
        )
        .route(
            "/console/services/{id}",
            get(casework::services::edit_service).post(casework::services::update_service),
        )
        .route(
            "/console/cases/{id}/follow-ups",
            post(casework::work::add_follow_up),
        )
        .route(
            "/console/follow-ups/{id}/done",
            post(casework::work::complete_follow_up),
        )
        .route("/console/work", get(casework::work::show_work))
        .route("/console/queue", get(casework::queue::show_queue))
        .route("/console/stats", get(stats::show_stats))
        .route("/console/stats.csv", get(stats::download_stats))
        .route(
            "/console/releases",
            get(releases::show_releases).post(releases::make_console_release),
        )
        .route(
            "/console/releases/{id}",
            get(releases::show_release_evaluation),
        )
        .route(
            "/console/releases/{id}/archive",
            get(releases::download_kept_release),
        )
        .route("/console/directory", get(directory::list_lines))
        .route(
            "/console/directory/{id}",
            get(directory::show_line).post(directory::update_line),
        )
        .route("/console/content", get(content::list_content))
        .route(
            "/console/content/{page}/{lang}",
            get(content::show_editor).post(content::save_page),
        )
        .route(
            "/console/content/{page}/{lang}/revert",
            post(content::revert_page),
        )
        .route_layer(from_fn_with_state(state, enforce_access))
}

/// The language of a console page: the account's, or the visitor's before sign-in.
fn page_lang(account: Option<&Account>, headers: &HeaderMap) -> Lang {
    account.map(|a| a.language).unwrap_or_else(|| {
        negotiate(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    })
}

/// A console page: never cached, never framed.
fn console_page(
    lang: Lang,
    rendered: Result<String, askama::Error>,
    headers: &HeaderMap,
) -> Response {
    match rendered {
        Ok(html) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (
                    header::CONTENT_LANGUAGE,
                    HeaderValue::from_static(lang.code()),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a console page failed");
            PageError::new(lang, AppError::Internal, headers).into_response()
        }
    }
}

/// A file to download, never cached: a statistics CSV, a release archive.
fn attachment(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response()
}

/// A form posted by a signed-in account; it names its CSRF field.
trait PostedForm {
    fn csrf(&self) -> &str;
}

/// A form that carries only the CSRF token (logout, disabling an account).
#[derive(serde::Deserialize)]
pub(crate) struct CsrfOnly {
    csrf: String,
}

impl PostedForm for CsrfOnly {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Hashes a new password under a fresh salt, off the async threads in its turn ("busy" when
/// too many are waiting).
async fn password_hash(
    state: &AppState,
    password: &str,
    lang: Lang,
    headers: &HeaderMap,
) -> Result<String, PageError> {
    let page_error = |e| PageError::new(lang, e, headers);
    state
        .hashing
        .admit()
        .map_err(page_error)?
        .hash(password, state.runtime.salt())
        .await
        .map_err(page_error)
}

/// The audit actor before sign-in: the account tried, if known.
fn visitor_actor(state: &AppState, who: Option<&Account>, headers: &HeaderMap) -> Actor {
    Actor::visitor(
        who.map_or_else(|| "unknown".to_owned(), |a| a.id.to_string()),
        request_id(headers),
        state.runtime.now(),
    )
}

/// Maps a store failure to its error page, for `.map_err(store_error(lang, &headers))`.
fn store_error(
    lang: Lang,
    headers: &HeaderMap,
) -> impl Fn(antitrata_store::StoreError) -> PageError + '_ {
    move |e| PageError::store(lang, headers, &e)
}

/// An instant as the console shows it: in the local time of `country` (the record's, or the
/// viewer's), to the second, its zone said; in UTC where no country applies.
fn format_local(
    at: time::OffsetDateTime,
    country: Option<antitrata_domain::CountryCode>,
) -> String {
    antitrata_domain::time_text::local_second(at, country)
}
