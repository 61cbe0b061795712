//! Errors as users see them: a localized HTML page on the site, RFC 9457 problem details on the API.

use antitrata_domain::Lang;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n::{Tr, negotiate};
use crate::pages::render_error;

/// What went wrong, independent of how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppError {
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
    /// The database does not answer: say so, and point to the emergency number.
    Unavailable,
    Internal,
}

impl AppError {
    pub fn status(self) -> StatusCode {
        match self {
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
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
pub struct PageError {
    lang: Lang,
    error: AppError,
    request_id: Option<String>,
}

impl PageError {
    pub fn new(lang: Lang, error: AppError, headers: &HeaderMap) -> PageError {
        PageError {
            lang,
            error,
            request_id: request_id(headers),
        }
    }

    /// For requests whose URL names no valid language: the visitor's preferred one.
    pub fn negotiated(error: AppError, headers: &HeaderMap) -> PageError {
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
                status,
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
pub struct ApiError {
    lang: Lang,
    error: AppError,
    request_id: Option<String>,
    errors: Vec<FieldProblem>,
    /// Says what is wrong instead of the status's general detail.
    detail: Option<String>,
}

/// One refused field of a submission, in a problem's `errors`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
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
    pub fn from_headers(headers: &HeaderMap) -> impl Fn(AppError) -> ApiError + use<> {
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
        }
    }

    /// The language the problem is told in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The same problem, told by `detail` (already in [`ApiError::lang`]).
    pub fn with_detail(mut self, detail: String) -> ApiError {
        self.detail = Some(detail);
        self
    }

    /// A 422 naming each refused field, in the request's language.
    pub fn fields(
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
                detail: crate::casework::problem_message(&tr, e.problem),
            })
            .collect();
        api
    }
}

/// RFC 9457 problem details.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ProblemJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldProblem],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.error.status();
        let problem = ProblemJson {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self.detail.unwrap_or_else(|| {
                Tr::new(self.lang).t(&format!("error-detail-{}", status.as_u16()))
            }),
            request_id: self
                .request_id
                .as_deref()
                .filter(|_| status.is_server_error()),
            errors: &self.errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut reply = error_reply(status, "application/problem+json", self.lang, body);
        if status == StatusCode::UNAUTHORIZED {
            reply.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"antitrata\""),
            );
        }
        reply
    }
}

/// An error response in `lang`; errors are never cached.
fn error_reply(
    status: StatusCode,
    content_type: &'static str,
    lang: Lang,
    body: Vec<u8>,
) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.code()),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (status, headers, body).into_response()
}

/// Whether a path belongs to the JSON API, whose errors are problem details rather than pages.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/healthz"
}

/// Shows an error the way the path calls for.
pub fn error_response(path: &str, error: AppError, headers: &HeaderMap) -> Response {
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
