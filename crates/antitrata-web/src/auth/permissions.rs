//! The one place that decides who may use which console route. Every console route must have an
//! entry in [`CONSOLE_ROUTES`]; the middleware denies any route without one, and a test fails when
//! a route is added to the code without a decision here.

use antitrata_domain::Role;
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
    /// Fully signed-in accounts holding one of these roles.
    Roles(&'static [Role]),
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
    ("GET", "/console/users", Access::Roles(ACCOUNT_ADMINS)),
    ("POST", "/console/users", Access::Roles(ACCOUNT_ADMINS)),
    (
        "POST",
        "/console/users/{id}/disable",
        Access::Roles(ACCOUNT_ADMINS),
    ),
    ("GET", "/console/audit", Access::Roles(&[Role::Supervisor])),
    ("GET", "/console/persons", Access::Roles(PERSONAL_DATA)),
    (
        "POST",
        "/console/persons/search",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "GET",
        "/console/persons/recent",
        Access::Roles(PERSONAL_DATA),
    ),
    ("GET", "/console/persons/{id}", Access::Roles(PERSONAL_DATA)),
    ("GET", "/console/contacts/new", Access::Roles(PERSONAL_DATA)),
    ("POST", "/console/contacts", Access::Roles(PERSONAL_DATA)),
    (
        "POST",
        "/console/contacts/draft",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "GET",
        "/console/contacts/{id}",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/console/contacts/{id}/danger-handled",
        Access::Roles(&[Role::Supervisor]),
    ),
    ("GET", "/console/cases", Access::Roles(PERSONAL_DATA)),
    ("POST", "/console/cases", Access::Roles(PERSONAL_DATA)),
    ("GET", "/console/cases/{id}", Access::Roles(PERSONAL_DATA)),
    ("POST", "/console/cases/{id}", Access::Roles(PERSONAL_DATA)),
    (
        "POST",
        "/console/cases/{id}/status",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/console/cases/{id}/assign",
        Access::Roles(&[Role::Supervisor]),
    ),
    (
        "POST",
        "/console/cases/{id}/persons",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/console/cases/{id}/consents",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/console/cases/{id}/referrals",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/console/consents/{id}/withdraw",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/console/referrals/{id}/status",
        Access::Roles(PERSONAL_DATA),
    ),
    ("GET", "/console/services", Access::Roles(DIRECTORY_READERS)),
    (
        "POST",
        "/console/services",
        Access::Roles(&[Role::CountryAdmin]),
    ),
    (
        "GET",
        "/console/services/{id}",
        Access::Roles(&[Role::CountryAdmin]),
    ),
    (
        "POST",
        "/console/services/{id}",
        Access::Roles(&[Role::CountryAdmin]),
    ),
    (
        "POST",
        "/console/cases/{id}/follow-ups",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/console/follow-ups/{id}/done",
        Access::Roles(PERSONAL_DATA),
    ),
    ("GET", "/console/work", Access::Roles(PERSONAL_DATA)),
    ("GET", "/console/queue", Access::Roles(&[Role::Supervisor])),
    ("GET", "/console/stats", Access::Roles(STATISTICS)),
    ("GET", "/console/stats.csv", Access::Roles(STATISTICS)),
    (
        "GET",
        "/console/releases",
        Access::Roles(&[Role::Supervisor]),
    ),
    (
        "POST",
        "/console/releases",
        Access::Roles(&[Role::Supervisor]),
    ),
];

/// Every JSON API route: method, path as registered, and who may use it. Case work takes a
/// service account's bearer token; the directory and the API's own description are open.
pub const API_ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/api/v1/openapi.json", Access::Public),
    ("GET", "/api/v1/countries", Access::Public),
    ("GET", "/api/v1/hotlines", Access::Public),
    ("GET", "/api/v1/hotlines/{iso2}", Access::Public),
    ("POST", "/api/v1/contacts", Access::Roles(PERSONAL_DATA)),
    ("GET", "/api/v1/contacts/{id}", Access::Roles(PERSONAL_DATA)),
    (
        "POST",
        "/api/v1/contacts/{id}/danger-handled",
        Access::Roles(&[Role::Supervisor]),
    ),
    ("GET", "/api/v1/cases", Access::Roles(PERSONAL_DATA)),
    ("POST", "/api/v1/cases", Access::Roles(PERSONAL_DATA)),
    ("GET", "/api/v1/cases/{id}", Access::Roles(PERSONAL_DATA)),
    ("PUT", "/api/v1/cases/{id}", Access::Roles(PERSONAL_DATA)),
    (
        "POST",
        "/api/v1/cases/{id}/status",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/assign",
        Access::Roles(&[Role::Supervisor]),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/persons",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/consents",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/referrals",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/api/v1/cases/{id}/follow-ups",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/api/v1/consents/{id}/withdraw",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/api/v1/referrals/{id}/status",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/api/v1/follow-ups/{id}/done",
        Access::Roles(PERSONAL_DATA),
    ),
    (
        "POST",
        "/api/v1/persons/search",
        Access::Roles(PERSONAL_DATA),
    ),
    ("GET", "/api/v1/services", Access::Roles(DIRECTORY_READERS)),
    (
        "POST",
        "/api/v1/services",
        Access::Roles(&[Role::CountryAdmin]),
    ),
    ("GET", "/api/v1/work", Access::Roles(PERSONAL_DATA)),
    ("GET", "/api/v1/queue", Access::Roles(&[Role::Supervisor])),
    ("GET", "/api/v1/stats", Access::Roles(STATISTICS)),
];

/// Roles that see personal data of people in the records (of their own country).
pub const PERSONAL_DATA: &[Role] = &[Role::Operator, Role::Caseworker, Role::Supervisor];
/// Roles that see statistics of imported datasets (anonymised or synthetic records, no personal
/// data): every role with a part in the work or in the campaign; not the system administrator,
/// who runs the installation.
pub const STATISTICS: &[Role] = &[
    Role::Operator,
    Role::Caseworker,
    Role::Supervisor,
    Role::CountryAdmin,
    Role::RegionalAnalyst,
    Role::CampaignEditor,
];
/// Roles that read their country's services directory: hotline work, and the administrators
/// who keep it.
pub const DIRECTORY_READERS: &[Role] = &[
    Role::Operator,
    Role::Caseworker,
    Role::Supervisor,
    Role::CountryAdmin,
];
/// Roles that manage accounts.
pub const ACCOUNT_ADMINS: &[Role] = &[Role::CountryAdmin, Role::SystemAdmin];

/// Whether an administrator holding `admin_roles` may give `role` to an account: system
/// administrators any role, country administrators only the country roles (of their own country,
/// which the store enforces).
pub fn may_assign(admin_roles: &[Role], role: Role) -> bool {
    if admin_roles.contains(&Role::SystemAdmin) {
        return Role::ASSIGNABLE.contains(&role);
    }
    admin_roles.contains(&Role::CountryAdmin) && role.is_country_role()
}

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
        Access::Roles(allowed) => second_factor_done && roles.iter().any(|r| allowed.contains(r)),
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
