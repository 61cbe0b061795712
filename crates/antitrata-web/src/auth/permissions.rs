//! The one place that decides which action each console and API route is: every route must have
//! an entry in [`CONSOLE_ROUTES`] or [`API_ROUTES`]; the middleware denies any route without one,
//! and a test fails when a route is added to the code without a decision here. Which roles may
//! take each action is the domain's permission policy (`antitrata_domain::policy`).

use antitrata_domain::Role;
use antitrata_domain::policy::{Action, may};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::auth::bearer::bearer_caller;
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
    ("GET", "/console/login", Access::Public),
    ("POST", "/console/login", Access::Public),
    ("GET", "/console/setup/{token}", Access::Public),
    ("POST", "/console/setup/{token}", Access::Public),
    ("GET", "/console/login/totp", Access::PasswordDone),
    ("POST", "/console/login/totp", Access::PasswordDone),
    ("GET", "/console/totp/enrol", Access::PasswordDone),
    ("POST", "/console/totp/enrol", Access::PasswordDone),
    ("POST", "/console/logout", Access::PasswordDone),
    ("GET", "/console", Access::SignedIn),
    ("GET", "/console/account", Access::SignedIn),
    ("POST", "/console/account", Access::SignedIn),
    ("GET", "/console/users", Access::May(Action::ManageAccounts)),
    (
        "POST",
        "/console/users",
        Access::May(Action::ManageAccounts),
    ),
    (
        "POST",
        "/console/users/{id}/disable",
        Access::May(Action::ManageAccounts),
    ),
    ("GET", "/console/audit", Access::May(Action::ReadAudit)),
    ("GET", "/console/persons", Access::May(Action::WorkCases)),
    (
        "POST",
        "/console/persons/search",
        Access::May(Action::WorkCases),
    ),
    (
        "GET",
        "/console/persons/recent",
        Access::May(Action::WorkCases),
    ),
    (
        "GET",
        "/console/persons/{id}",
        Access::May(Action::WorkCases),
    ),
    (
        "GET",
        "/console/contacts/new",
        Access::May(Action::WorkCases),
    ),
    ("POST", "/console/contacts", Access::May(Action::WorkCases)),
    (
        "POST",
        "/console/contacts/draft",
        Access::May(Action::WorkCases),
    ),
    (
        "GET",
        "/console/contacts/{id}",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/console/contacts/{id}/danger-handled",
        Access::May(Action::TakeChargeOfDanger),
    ),
    ("GET", "/console/cases", Access::May(Action::WorkCases)),
    ("POST", "/console/cases", Access::May(Action::WorkCases)),
    ("GET", "/console/cases/{id}", Access::May(Action::WorkCases)),
    (
        "POST",
        "/console/cases/{id}",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/console/cases/{id}/status",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/console/cases/{id}/assign",
        Access::May(Action::AssignCases),
    ),
    (
        "POST",
        "/console/cases/{id}/persons",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/console/cases/{id}/consents",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/console/cases/{id}/referrals",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/console/consents/{id}/withdraw",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/console/referrals/{id}/status",
        Access::May(Action::WorkCases),
    ),
    (
        "GET",
        "/console/services",
        Access::May(Action::ReadServices),
    ),
    (
        "POST",
        "/console/services",
        Access::May(Action::EditServices),
    ),
    (
        "GET",
        "/console/services/{id}",
        Access::May(Action::EditServices),
    ),
    (
        "POST",
        "/console/services/{id}",
        Access::May(Action::EditServices),
    ),
    (
        "POST",
        "/console/cases/{id}/follow-ups",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/console/follow-ups/{id}/done",
        Access::May(Action::WorkCases),
    ),
    ("GET", "/console/work", Access::May(Action::WorkCases)),
    ("GET", "/console/queue", Access::May(Action::SeeQueue)),
    ("GET", "/console/stats", Access::May(Action::ReadStatistics)),
    (
        "GET",
        "/console/stats.csv",
        Access::May(Action::ReadStatistics),
    ),
    (
        "GET",
        "/console/releases",
        Access::May(Action::MakeReleases),
    ),
    (
        "POST",
        "/console/releases",
        Access::May(Action::MakeReleases),
    ),
];

/// Every JSON API route: method, path as registered, and who may use it. Case work takes a
/// service account's bearer token; the directory and the API's own description are open.
pub const API_ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/api/v1/openapi.json", Access::Public),
    ("GET", "/api/v1/countries", Access::Public),
    ("GET", "/api/v1/hotlines", Access::Public),
    ("GET", "/api/v1/hotlines/{iso2}", Access::Public),
    ("POST", "/api/v1/contacts", Access::May(Action::WorkCases)),
    (
        "GET",
        "/api/v1/contacts/{id}",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/api/v1/contacts/{id}/danger-handled",
        Access::May(Action::TakeChargeOfDanger),
    ),
    ("GET", "/api/v1/cases", Access::May(Action::WorkCases)),
    ("POST", "/api/v1/cases", Access::May(Action::WorkCases)),
    ("GET", "/api/v1/cases/{id}", Access::May(Action::WorkCases)),
    ("PUT", "/api/v1/cases/{id}", Access::May(Action::WorkCases)),
    (
        "POST",
        "/api/v1/cases/{id}/status",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/assign",
        Access::May(Action::AssignCases),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/persons",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/consents",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/referrals",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/follow-ups",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/api/v1/consents/{id}/withdraw",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/api/v1/referrals/{id}/status",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/api/v1/follow-ups/{id}/done",
        Access::May(Action::WorkCases),
    ),
    (
        "POST",
        "/api/v1/persons/search",
        Access::May(Action::WorkCases),
    ),
    ("GET", "/api/v1/services", Access::May(Action::ReadServices)),
    (
        "POST",
        "/api/v1/services",
        Access::May(Action::EditServices),
    ),
    ("GET", "/api/v1/work", Access::May(Action::WorkCases)),
    ("GET", "/api/v1/queue", Access::May(Action::SeeQueue)),
    ("GET", "/api/v1/stats", Access::May(Action::ReadStatistics)),
];

/// The decision for a request, or `None` when the route has none (denied).
pub fn access_for(method: &Method, path: &str) -> Option<Access> {
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
pub async fn enforce_access(
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
        return if request.method() == Method::GET {
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
pub async fn enforce_api_access(
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
    next.run(request).await
}
