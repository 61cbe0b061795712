//! Errors as users see them: a localized HTML page on the site, RFC 9457 problem details on the API.

use antitrata_domain::Lang;
use antitrata_store::{ConflictKind, Entity, StoreError};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n::{Tr, negotiate};
use crate::pages::render_error;

/// What went wrong, independent of how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AppError {
    /// The URL is malformed (bad percent-encoding, a country code that is not two letters).
    BadRequest,
    /// The API request carries no valid bearer token.
    Unauthorized,
    /// Signed in, but this account may not use this page.
    Forbidden,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    /// The record moved on meanwhile: the step no longer fits it.
    Conflict,
    /// The submission has field problems; nothing was stored.
    Unprocessable,
    /// `If-Match` names a version the record has moved on from (412).
    PreconditionFailed,
    /// A replacing update without `If-Match` (428).
    PreconditionRequired,
    /// The database does not answer: say so, and point to the emergency number.
    Unavailable,
    /// Too many sign-ins at once: come back in a second (503 with `Retry-After`).
    Busy,
    Internal,
}

impl AppError {
    /// Every error, for the API's document ([`crate::api`] documents each operation's).
    pub(crate) const ALL: [AppError; 13] = [
        AppError::BadRequest,
        AppError::Unauthorized,
        AppError::Forbidden,
        AppError::NotFound,
        AppError::MethodNotAllowed,
        AppError::PayloadTooLarge,
        AppError::Conflict,
        AppError::Unprocessable,
        AppError::PreconditionFailed,
        AppError::PreconditionRequired,
        AppError::Unavailable,
        AppError::Busy,
        AppError::Internal,
    ];

    /// What the error tells an API client, as the OpenAPI document says it.
    pub(crate) fn meaning(self) -> &'static str {
        match self {
            AppError::BadRequest => {
                "The request is not of the documented shape: a body that is missing or not JSON, \
                 a value of the wrong type, a query parameter that does not parse"
            }
            AppError::Unauthorized => "No valid bearer token (`Authorization: Bearer atk_…`)",
            AppError::Forbidden => {
                "The token's account may not take this action: its role or its country does not \
                 reach it"
            }
            AppError::NotFound => "No record with this id in the account's country",
            AppError::MethodNotAllowed => "The path does not take this method",
            AppError::PayloadTooLarge => "The body is larger than the server accepts",
            AppError::Conflict => {
                "The record does not allow this now: the id is taken by another record, or its \
                 status does not allow the step, or no consent covers it"
            }
            AppError::Unprocessable => {
                "Fields are missing or not valid, each named in `errors`; nothing was stored"
            }
            AppError::PreconditionFailed => {
                "The record changed since the version `If-Match` names: nothing was written; \
                 `current_version` and the `ETag` header give the version it is at"
            }
            AppError::PreconditionRequired => {
                "A replacing update needs `If-Match` with the ETag of the version it was made from"
            }
            AppError::Unavailable | AppError::Busy => {
                "The database does not answer; retry later with the same ids"
            }
            AppError::Internal => "The server failed; quote `request_id` when reporting it",
        }
    }

    pub(crate) fn status(self) -> StatusCode {
        match self {
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::Unavailable | AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a store failure means to whoever asked, the same on the console and the API: a
    /// scope or role that does not reach the record is 403, a record named that does not exist
    /// 404, a write that does not fit the records as stored (an id taken, a record changed
    /// meanwhile, a step its status does not allow, no consent, no budget left) 409, and the
    /// database or the keys failing 503, and a release's files failing to render 500, logged
    /// with `surface` (`console`, `api`).
    pub(crate) fn from_store(e: &StoreError, surface: &'static str) -> AppError {
        let error = match e {
            StoreError::OutOfScope | StoreError::RoleNotAllowed { .. } => AppError::Forbidden,
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Conflict(_)
            | StoreError::NotAllowedNow { .. }
            | StoreError::NoConsent
            | StoreError::OverBudget { .. } => AppError::Conflict,
            StoreError::Stale { .. } => AppError::PreconditionFailed,
            StoreError::Database(_)
            | StoreError::Migration(_)
            | StoreError::Corrupt(_)
            | StoreError::Seed(_)
            | StoreError::ReadAudit(_)
            | StoreError::Crypto(_)
            | StoreError::NoKeyring
            | StoreError::WrongDataKey { .. }
            | StoreError::NewerSchema { .. } => AppError::Unavailable,
            StoreError::ReleaseFiles(_) | StoreError::SqliteOnly(_) => AppError::Internal,
        };
        if error.status().is_server_error() {
            tracing::error!(error = %e, surface, "the store failed");
        }
        error
    }
}

/// The id SetRequestId gave this request, shown on server errors so staff can find the log line.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// An error shown as a localized HTML page.
#[derive(Debug)]
pub(crate) struct PageError {
    lang: Lang,
    error: AppError,
    request_id: Option<String>,
}

impl PageError {
    pub(crate) fn new(lang: Lang, error: AppError, headers: &HeaderMap) -> PageError {
        PageError {
            lang,
            error,
            request_id: request_id(headers),
        }
    }

    /// A store failure as a console page (see [`AppError::from_store`]).
    pub(crate) fn store(lang: Lang, headers: &HeaderMap, e: &StoreError) -> PageError {
        PageError::new(lang, AppError::from_store(e, "console"), headers)
    }

    /// For requests whose URL names no valid language: the visitor's preferred one.
    pub(crate) fn negotiated(error: AppError, headers: &HeaderMap) -> PageError {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        PageError::new(negotiate(accept), error, headers)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.error.status();
        // Only server errors show the request id: staff need it to find the log line.
        let id = self
            .request_id
            .as_deref()
            .filter(|_| status.is_server_error());
        match render_error(self.lang, status.as_u16(), id) {
            Ok(html) => error_reply(
                self.error,
                "text/html; charset=utf-8",
                self.lang,
                html.into_bytes(),
            ),
            Err(e) => {
                tracing::error!(error = %e, "rendering the error page failed");
                (status, status.canonical_reason().unwrap_or("error")).into_response()
            }
        }
    }
}

/// An error shown as `application/problem+json` (RFC 9457), with a localized `detail` and, for
/// a refused submission, each field's problem.
#[derive(Debug)]
pub(crate) struct ApiError {
    lang: Lang,
    error: AppError,
    request_id: Option<String>,
    errors: Vec<FieldProblem>,
    /// Says what is wrong instead of the status's general detail.
    detail: Option<String>,
    /// On a 412: the version the record is at (also its `ETag`).
    current_version: Option<i64>,
}

/// One refused field of a submission, in a problem's `errors`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub(crate) struct FieldProblem {
    /// The field's name in the request body.
    pub field: &'static str,
    /// `required`, `too-long`, `unknown-code`, `in-future`, `bad-date`, `ends-before-start`,
    /// `bad-phone`, `bad-country`, `out-of-range` or `not-allowed-now`.
    pub problem: &'static str,
    /// The problem in the request's language.
    pub detail: String,
}

impl ApiError {
    /// Makes a converter for one request, so handlers can write `.map_err(&to_api)`.
    pub(crate) fn from_headers(headers: &HeaderMap) -> impl Fn(AppError) -> ApiError + use<> {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let lang = negotiate(accept);
        let request_id = request_id(headers);
        move |error| ApiError {
            lang,
            error,
            request_id: request_id.clone(),
            errors: Vec::new(),
            detail: None,
            current_version: None,
        }
    }

    /// A store failure as API problem details (see [`AppError::from_store`]), saying which
    /// record is missing or why the write does not fit.
    pub(crate) fn store(headers: &HeaderMap, e: &StoreError) -> ApiError {
        let api = ApiError::from_headers(headers)(AppError::from_store(e, "api"));
        let tr = Tr::new(api.lang);
        let detail = match e {
            StoreError::NotFound(entity) => return ApiError::missing(headers, *entity),
            StoreError::Conflict(ConflictKind::IdTaken(_)) => tr.t("api-error-id-taken"),
            StoreError::Conflict(ConflictKind::ChangedMeanwhile(_)) => {
                tr.t("api-error-changed-meanwhile")
            }
            StoreError::NoConsent => tr.t("api-error-no-consent"),
            StoreError::Conflict(ConflictKind::DangerTakenBy(name)) => {
                tr.t1("error-danger-taken-by", "name", name)
            }
            StoreError::Conflict(ConflictKind::NotAnOpenDanger) => tr.t("error-not-an-open-danger"),
            StoreError::Conflict(ConflictKind::NotAWorker) => tr.t("error-not-a-worker"),
            StoreError::Conflict(ConflictKind::CaseAssignedTo(name)) => {
                tr.t1("error-case-assigned-to", "name", name)
            }
            StoreError::Conflict(ConflictKind::CaseClosed) => tr.t("error-case-closed"),
            StoreError::Conflict(ConflictKind::PersonHasRecords) => {
                tr.t("people-remove-has-records")
            }
            StoreError::Stale { current, .. } => {
                let mut api = api;
                api.current_version = Some(*current);
                let detail = tr.t1("api-error-stale", "version", &current.to_string());
                return api.with_detail(detail);
            }
            StoreError::NotAllowedNow { .. } => tr.t("api-error-not-now"),
            _ => return api,
        };
        api.with_detail(detail)
    }

    /// A 404 naming what is missing ("there is no case with this id in your country").
    pub(crate) fn missing(headers: &HeaderMap, entity: Entity) -> ApiError {
        let api = ApiError::from_headers(headers)(AppError::NotFound);
        let key = format!("api-error-no-such-{}", entity.as_str().replace(' ', "-"));
        let detail = Tr::new(api.lang).t(&key);
        api.with_detail(detail)
    }

    /// A 400 for a request that is not of the documented shape, saying which part and why
    /// (`reason` is serde's or axum's account, which names the field).
    pub(crate) fn malformed(headers: &HeaderMap, part: Malformed, reason: &str) -> ApiError {
        let api = ApiError::from_headers(headers)(AppError::BadRequest);
        let tr = Tr::new(api.lang);
        let detail = match part {
            Malformed::NoBody => tr.t("api-error-body-missing"),
            Malformed::NotJson => tr.t1("api-error-body-not-json", "reason", reason),
            Malformed::BodyShape => tr.t1("api-error-body-shape", "reason", reason),
            Malformed::Query => tr.t1("api-error-query", "reason", reason),
            Malformed::Empty => tr.t1("api-error-empty", "field", reason),
            Malformed::Id => tr.t("api-error-bad-id"),
            Malformed::IfMatch => tr.t("api-error-if-match"),
        };
        api.with_detail(detail)
    }

    /// The language the problem is told in.
    pub(crate) fn lang(&self) -> Lang {
        self.lang
    }

    /// The same problem, told by `detail` (already in [`ApiError::lang`]).
    pub(crate) fn with_detail(mut self, detail: String) -> ApiError {
        self.detail = Some(detail);
        self
    }

    /// A 422 naming each refused field, in the request's language.
    pub(crate) fn fields(
        headers: &HeaderMap,
        errors: &[antitrata_domain::casework::FieldError],
    ) -> ApiError {
        let mut api = ApiError::from_headers(headers)(AppError::Unprocessable);
        let tr = Tr::new(api.lang);
        api.errors = errors
            .iter()
            .map(|e| FieldProblem {
                field: e.field,
                problem: e.problem.code(),
                detail: crate::casework::problem_message(&tr, e.field, e.problem),
            })
            .collect();
        api
    }
}

/// Which part of a request is not of the documented shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// No body, or one without `Content-Type: application/json`.
    NoBody,
    /// A body that is not JSON.
    NotJson,
    /// JSON of another shape: a field missing, of the wrong type, or a code not in its list.
    BodyShape,
    Query,
    /// A body's value or a query parameter that is an empty string (named in the reason).
    Empty,
    /// A record id in the path that is not a UUID.
    Id,
    /// An `If-Match` that is not a version's entity tag.
    IfMatch,
}

/// RFC 9457 problem details.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub(crate) struct ProblemJson<'a> {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The status's name (`Not Found`).
    title: &'static str,
    status: u16,
    /// What is wrong and what to do, in the request's language (`Accept-Language`).
    detail: String,
    /// On server errors: the id of the log line, to quote when reporting it.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    /// On a 422: each refused field.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[schema(required = false)]
    errors: &'a [FieldProblem],
    /// On a 412: the version the record is at now; read it, redo the change, and send that.
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<i64>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.error.status();
        let problem = ProblemJson {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self
                .detail
                .unwrap_or_else(|| Tr::new(self.lang).t(&format!("api-error-{}", status.as_u16()))),
            request_id: self
                .request_id
                .as_deref()
                .filter(|_| status.is_server_error()),
            errors: &self.errors,
            current_version: self.current_version,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut reply = error_reply(self.error, "application/problem+json", self.lang, body);
        if let Some(version) = self.current_version
            && let Ok(tag) = HeaderValue::from_str(&etag(version))
        {
            reply.headers_mut().insert(header::ETAG, tag);
        }
        if status == StatusCode::UNAUTHORIZED {
            reply.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"antitrata\""),
            );
        }
        reply
    }
}

/// The strong entity tag of a record's version (`"3"`).
pub(crate) fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// An error response in `lang`; errors are never cached, and "busy" says when to come back.
fn error_reply(error: AppError, content_type: &'static str, lang: Lang, body: Vec<u8>) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.code()),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    let mut reply = (error.status(), headers, body).into_response();
    if error == AppError::Busy {
        reply
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    reply
}

/// Whether a path belongs to the JSON API, whose errors are problem details rather than pages.
pub(crate) fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/healthz"
}

/// Shows an error the way the path calls for.
pub(crate) fn error_response(path: &str, error: AppError, headers: &HeaderMap) -> Response {
    if is_api_path(path) {
        ApiError::from_headers(headers)(error).into_response()
    } else {
        // A path under a language (`/fr/…`) gets its error in that language.
        let lang = path.split('/').nth(1).and_then(|seg| Lang::parse(seg).ok());
        match lang {
            Some(lang) => PageError::new(lang, error, headers).into_response(),
            None => PageError::negotiated(error, headers).into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use antitrata_domain::CountryCode;
    use antitrata_store::{Budget, CryptoError};

    use super::*;

    /// Which variant a store error is; the match has no catch-all, so a new variant does not
    /// compile until the test below gives it a status.
    fn variant(e: &StoreError) -> usize {
        match e {
            StoreError::Database(_) => 0,
            StoreError::Migration(_) => 1,
            StoreError::Corrupt(_) => 2,
            StoreError::Seed(_) => 3,
            StoreError::ReadAudit(_) => 4,
            StoreError::Crypto(_) => 5,
            StoreError::NoKeyring => 6,
            StoreError::Conflict(_) => 7,
            StoreError::OverBudget { .. } => 8,
            StoreError::OutOfScope => 9,
            StoreError::NotFound(_) => 10,
            StoreError::RoleNotAllowed { .. } => 11,
            StoreError::NoConsent => 12,
            StoreError::NotAllowedNow { .. } => 13,
            StoreError::WrongDataKey { .. } => 14,
            StoreError::ReleaseFiles(_) => 15,
            StoreError::NewerSchema { .. } => 16,
            StoreError::SqliteOnly(_) => 17,
            StoreError::Stale { .. } => 18,
        }
    }

    const VARIANTS: usize = 19;

    /// Every kind of store failure, with the status the console and the API both give it.
    fn every_store_error() -> Vec<(StoreError, StatusCode)> {
        let budget = Budget {
            epsilon_micros: 1_000_000,
            delta_femtos: 0,
        };
        vec![
            (
                StoreError::Database(sqlx::Error::PoolTimedOut),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::Migration(sqlx::migrate::MigrateError::VersionMissing(3)),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::Corrupt("status `x`".into()),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::Seed("no countries".into()),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::ReadAudit(Arc::new(StoreError::Database(sqlx::Error::PoolClosed))),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::Crypto(CryptoError::Tampered),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (StoreError::NoKeyring, StatusCode::SERVICE_UNAVAILABLE),
            (
                StoreError::ReleaseFiles("rendering report.html: no template".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (
                StoreError::NewerSchema {
                    found: 99,
                    known: 17,
                },
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::SqliteOnly("backup"),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (
                StoreError::WrongDataKey {
                    expected: "0123456789abcdef".into(),
                    found: "fedcba9876543210".into(),
                },
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::Conflict(ConflictKind::IdTaken(Entity::Consent)),
                StatusCode::CONFLICT,
            ),
            (
                StoreError::Conflict(ConflictKind::ChangedMeanwhile(Entity::Case)),
                StatusCode::CONFLICT,
            ),
            (
                StoreError::Conflict(ConflictKind::EmailTaken),
                StatusCode::CONFLICT,
            ),
            (
                StoreError::OverBudget {
                    country: CountryCode::parse("GT").unwrap(),
                    year: 2026,
                    spent: budget,
                    asked: budget,
                    limit: budget,
                },
                StatusCode::CONFLICT,
            ),
            (StoreError::OutOfScope, StatusCode::FORBIDDEN),
            (
                StoreError::NotFound(Entity::PersonOfTheCase),
                StatusCode::NOT_FOUND,
            ),
            (
                StoreError::RoleNotAllowed {
                    role: "operator",
                    action: "close cases",
                },
                StatusCode::FORBIDDEN,
            ),
            (StoreError::NoConsent, StatusCode::CONFLICT),
            (
                StoreError::Stale {
                    entity: Entity::Case,
                    current: 4,
                },
                StatusCode::PRECONDITION_FAILED,
            ),
            (
                StoreError::NotAllowedNow {
                    status: "closed",
                    action: "referred",
                },
                StatusCode::CONFLICT,
            ),
        ]
    }

    #[test]
    fn every_error_is_worded_for_the_api_in_every_language() {
        for lang in Lang::ALL {
            for error in AppError::ALL {
                let key = format!("api-error-{}", error.status().as_u16());
                assert_ne!(Tr::new(lang).t(&key), key, "{lang}");
                assert!(!error.meaning().is_empty());
            }
            let entities = [
                Entity::Case,
                Entity::Contact,
                Entity::UnlinkedContact,
                Entity::PersonOfTheCase,
                Entity::Consent,
                Entity::FollowUp,
                Entity::Referral,
                Entity::Service,
                Entity::Caseworker,
                Entity::Content,
                Entity::Hotline,
            ];
            for entity in entities {
                let headers: HeaderMap = [(header::ACCEPT_LANGUAGE, lang.code().parse().unwrap())]
                    .into_iter()
                    .collect();
                let detail = ApiError::missing(&headers, entity).detail.unwrap();
                assert!(
                    !detail.starts_with("api-error"),
                    "{lang} {entity:?}: {detail}"
                );
            }
        }
    }

    #[test]
    fn the_console_and_the_api_answer_each_store_error_with_the_same_status() {
        let headers = HeaderMap::new();
        let cases = every_store_error();
        let mut seen = [false; VARIANTS];
        for (error, expected) in &cases {
            seen[variant(error)] = true;
            let page = PageError::store(Lang::Es, &headers, error).into_response();
            let api = ApiError::store(&headers, error).into_response();
            assert_eq!(page.status(), *expected, "console, {error:?}");
            assert_eq!(api.status(), *expected, "api, {error:?}");
        }
        let missing: Vec<usize> = (0..VARIANTS).filter(|&v| !seen[v]).collect();
        assert!(
            missing.is_empty(),
            "store error variants not checked: {missing:?}"
        );
    }
}
