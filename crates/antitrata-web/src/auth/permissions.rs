//! The one place that decides which action each console and API route is: every route must have
//! an entry in [`CONSOLE_ROUTES`] or [`API_ROUTES`]; the middleware denies any route without one,
//! and a test fails when a route is added to the code without a decision here. Which roles may
//! take each action is the domain's permission policy (`antitrata_domain::policy`).

use Access::{May, PasswordDone, Public, SignedIn};
use antitrata_domain::Role;
// The tables below name each route's action by its variant alone.
use antitrata_domain::policy::Action::*;
use antitrata_domain::policy::{Action, may};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::auth::bearer::bearer_caller;
use crate::auth::session::SESSION_COOKIE;
use crate::auth::session::signed_in;
use crate::error::{AppError, error_response};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in and setup pages).
    Public,
    /// A session whose password step is done, second factor or not (the second-factor pages and
    /// logout).
    PasswordDone,
    /// Any fully signed-in account.
    SignedIn,
    /// Fully signed-in accounts holding a role the permission policy lets take this action.
    May(Action),
}

/// Every console route: method, path as registered, and who may use it.
pub const CONSOLE_ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/console/login", Public),
    ("POST", "/console/login", Public),
    ("GET", "/console/setup/{token}", Public),
    ("POST", "/console/setup/{token}", Public),
    ("GET", "/console/login/totp", PasswordDone),
    ("POST", "/console/login/totp", PasswordDone),
    ("GET", "/console/totp/enrol", PasswordDone),
    ("POST", "/console/totp/enrol", PasswordDone),
    ("POST", "/console/logout", PasswordDone),
    ("GET", "/console", SignedIn),
    ("GET", "/console/account", SignedIn),
    ("POST", "/console/account", SignedIn),
    ("POST", "/console/account/language", SignedIn),
    ("GET", "/console/help", SignedIn),
    ("POST", "/console/search", May(WorkCases)),
    ("GET", "/console/users", May(ManageAccounts)),
    ("POST", "/console/users", May(ManageAccounts)),
    ("POST", "/console/users/{id}/disable", May(ManageAccounts)),
    ("GET", "/console/audit", May(ReadAudit)),
    ("GET", "/console/persons", May(WorkCases)),
    ("POST", "/console/persons/search", May(WorkCases)),
    ("GET", "/console/persons/recent", May(WorkCases)),
    ("GET", "/console/persons/{id}", May(WorkCases)),
    ("GET", "/console/persons/{id}/edit", May(WorkCases)),
    ("POST", "/console/persons/{id}/edit", May(WorkCases)),
    ("POST", "/console/persons/{id}/remove", May(WorkCases)),
    ("GET", "/console/contacts/new", May(WorkCases)),
    ("POST", "/console/contacts", May(WorkCases)),
    ("POST", "/console/contacts/draft", May(WorkCases)),
    ("POST", "/console/contacts/draft/discard", May(WorkCases)),
    ("POST", "/console/callers/history", May(WorkCases)),
    ("GET", "/console/contacts/{id}", May(WorkCases)),
    (
        "POST",
        "/console/contacts/{id}/danger-handled",
        May(TakeChargeOfDanger),
    ),
    (
        "POST",
        "/console/contacts/{id}/take-danger",
        May(TakeDanger),
    ),
    ("GET", "/console/cases", May(WorkCases)),
    ("POST", "/console/cases", May(WorkCases)),
    ("POST", "/console/cases/by-person", May(WorkCases)),
    ("GET", "/console/cases/{id}", May(WorkCases)),
    ("POST", "/console/cases/{id}", May(WorkCases)),
    ("POST", "/console/cases/{id}/status", May(WorkCases)),
    ("POST", "/console/cases/{id}/assign", May(AssignCases)),
    ("POST", "/console/cases/{id}/take", May(TakeCase)),
    ("POST", "/console/cases/{id}/persons", May(WorkCases)),
    ("POST", "/console/cases/{id}/consents", May(WorkCases)),
    ("POST", "/console/cases/{id}/referrals", May(WorkCases)),
    ("POST", "/console/consents/{id}/withdraw", May(WorkCases)),
    ("POST", "/console/referrals/{id}/status", May(WorkCases)),
    ("GET", "/console/services", May(ReadServices)),
    ("POST", "/console/services", May(EditServices)),
    ("GET", "/console/services/{id}", May(EditServices)),
    ("POST", "/console/services/{id}", May(EditServices)),
    ("POST", "/console/cases/{id}/follow-ups", May(WorkCases)),
    ("POST", "/console/follow-ups/{id}/done", May(WorkCases)),
    ("GET", "/console/work", May(WorkCases)),
    ("GET", "/console/queue", May(SeeQueue)),
    ("GET", "/console/stats", May(ReadStatistics)),
    ("GET", "/console/stats.csv", May(ReadStatistics)),
    ("GET", "/console/releases", May(MakeReleases)),
    ("POST", "/console/releases", May(MakeReleases)),
    ("GET", "/console/releases/{id}", May(MakeReleases)),
    ("GET", "/console/releases/{id}/archive", May(MakeReleases)),
    ("GET", "/console/directory", May(EditDirectory)),
    ("GET", "/console/directory/{id}", May(EditDirectory)),
    ("POST", "/console/directory/{id}", May(EditDirectory)),
    ("GET", "/console/content", May(EditContent)),
    ("GET", "/console/content/{page}/{lang}", May(EditContent)),
    ("POST", "/console/content/{page}/{lang}", May(EditContent)),
    (
        "POST",
        "/console/content/{page}/{lang}/revert",
        May(EditContent),
    ),
];

/// Every JSON API route: method, path as registered, and who may use it. Case work takes a
/// service account's bearer token; the directory and the API's own description are open.
pub const API_ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/api/v1/openapi.json", Public),
    ("GET", "/api/v1/countries", Public),
    ("GET", "/api/v1/hotlines", Public),
    ("GET", "/api/v1/hotlines/{iso2}", Public),
    ("POST", "/api/v1/contacts", May(WorkCases)),
    ("GET", "/api/v1/contacts/{id}", May(WorkCases)),
    (
        "POST",
        "/api/v1/contacts/{id}/danger-handled",
        May(TakeChargeOfDanger),
    ),
    ("POST", "/api/v1/contacts/{id}/take-danger", May(TakeDanger)),
    ("GET", "/api/v1/cases", May(WorkCases)),
    ("POST", "/api/v1/cases", May(WorkCases)),
    ("GET", "/api/v1/cases/{id}", May(WorkCases)),
    ("PUT", "/api/v1/cases/{id}", May(WorkCases)),
    ("POST", "/api/v1/cases/{id}/status", May(WorkCases)),
    ("POST", "/api/v1/cases/{id}/assign", May(AssignCases)),
    ("POST", "/api/v1/cases/{id}/take", May(TakeCase)),
    ("POST", "/api/v1/cases/{id}/persons", May(WorkCases)),
    ("POST", "/api/v1/cases/{id}/consents", May(WorkCases)),
    ("POST", "/api/v1/cases/{id}/referrals", May(WorkCases)),
    ("POST", "/api/v1/cases/{id}/follow-ups", May(WorkCases)),
    ("POST", "/api/v1/consents/{id}/withdraw", May(WorkCases)),
    ("POST", "/api/v1/referrals/{id}/status", May(WorkCases)),
    ("POST", "/api/v1/follow-ups/{id}/done", May(WorkCases)),
    ("POST", "/api/v1/persons/search", May(WorkCases)),
    ("GET", "/api/v1/persons/{id}", May(WorkCases)),
    ("PUT", "/api/v1/persons/{id}", May(WorkCases)),
    ("DELETE", "/api/v1/persons/{id}", May(WorkCases)),
    ("GET", "/api/v1/services", May(ReadServices)),
    ("POST", "/api/v1/services", May(EditServices)),
    ("GET", "/api/v1/work", May(WorkCases)),
    ("GET", "/api/v1/work/follow-ups", May(WorkCases)),
    ("GET", "/api/v1/queue", May(SeeQueue)),
    ("GET", "/api/v1/queue/dangers", May(SeeQueue)),
    ("GET", "/api/v1/queue/overdue-follow-ups", May(SeeQueue)),
    ("GET", "/api/v1/queue/stale-referrals", May(SeeQueue)),
    ("GET", "/api/v1/stats", May(ReadStatistics)),
];

/// The decision for a request, or `None` when the route has none (denied).
pub(crate) fn access_for(method: &Method, path: &str) -> Option<Access> {
    CONSOLE_ROUTES
        .iter()
        .chain(API_ROUTES)
        .find(|(m, p, _)| *m == method.as_str() && *p == path)
        .map(|(_, _, access)| *access)
}

/// Whether an account with `roles` and a session at `second_factor_done` may pass `access`.
pub fn allows(access: Access, roles: &[Role], second_factor_done: bool) -> bool {
    match access {
        Access::Public | Access::PasswordDone => true,
        Access::SignedIn => second_factor_done,
        Access::May(action) => second_factor_done && roles.iter().any(|r| may(*r, action)),
    }
}

/// Applies [`CONSOLE_ROUTES`] to every console request and hands the signed-in account to the
/// handler as a request extension.
pub(crate) async fn enforce_access(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let Some(access) = path
        .as_deref()
        .and_then(|p| access_for(request.method(), p))
    else {
        tracing::error!(method = %request.method(), route = ?path, "console route without an access decision");
        return error_response(request.uri().path(), AppError::Forbidden, request.headers());
    };
    if access == Access::Public {
        return next.run(request).await;
    }
    let who = match signed_in(&state, request.headers()).await {
        Ok(who) => who,
        Err(e) => return error_response(request.uri().path(), e, request.headers()),
    };
    let Some(who) = who else {
        // A session cookie that leads to no live session: it ran out (30 idle minutes, or 12
        // hours) or was signed out elsewhere. The login page says so, whatever was asked.
        let had_session =
            crate::auth::session::cookie_value(request.headers(), SESSION_COOKIE).is_some();
        return if had_session {
            Redirect::to("/console/login?expired=1").into_response()
        } else if request.method() == Method::GET {
            Redirect::to("/console/login").into_response()
        } else {
            error_response(request.uri().path(), AppError::Forbidden, request.headers())
        };
    };
    if !who.session.second_factor_done && access != Access::PasswordDone {
        return Redirect::to(if who.account.totp_enabled {
            "/console/login/totp"
        } else {
            "/console/totp/enrol"
        })
        .into_response();
    }
    if !allows(access, &who.account.roles, who.session.second_factor_done) {
        tracing::warn!(user = %who.account.id, route = ?path, "access denied");
        return (
            StatusCode::FORBIDDEN,
            error_response(request.uri().path(), AppError::Forbidden, request.headers()),
        )
            .into_response();
    }
    request.extensions_mut().insert(who);
    next.run(request).await
}

/// Applies [`API_ROUTES`] to every API request: an open route passes; any other needs a live
/// bearer token of an enabled service account holding an allowed role (401 without one, 403
/// with the wrong roles). The caller reaches the handler as a request extension.
pub(crate) async fn enforce_api_access(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let to_api = crate::error::ApiError::from_headers(request.headers());
    let Some(access) = path
        .as_deref()
        .and_then(|p| access_for(request.method(), p))
    else {
        tracing::error!(method = %request.method(), route = ?path, "API route without an access decision");
        return to_api(AppError::Forbidden).into_response();
    };
    if access == Access::Public {
        return next.run(request).await;
    }
    let caller = match bearer_caller(&state, request.headers()).await {
        Ok(Some(caller)) => caller,
        Ok(None) => return to_api(AppError::Unauthorized).into_response(),
        Err(e) => return to_api(e).into_response(),
    };
    if !allows(access, &caller.account.roles, true) {
        tracing::warn!(user = %caller.account.id, route = ?path, "API access denied");
        return to_api(AppError::Forbidden).into_response();
    }
    request.extensions_mut().insert(caller);
    // What a caller reads here may be personal data: no cache along the way may keep it.
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}
