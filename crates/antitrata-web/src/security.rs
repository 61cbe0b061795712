//! The security baseline every response gets, the request-size guard and the time limit.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::WebConfig;
use crate::error::{AppError, error_response};

/// No script runs, nothing loads from another host, no one may frame the site.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The site needs no device feature.
const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), \
     magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()";

const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Sets the security headers on every response, errors included.
pub(crate) async fn security_headers(
    State(config): State<Arc<WebConfig>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(
        HeaderName::from_static("permissions-policy"),
        PERMISSIONS_POLICY,
    );
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if config.hsts {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    response
}

/// Answers 413 before routing when a request announces a body larger than the limit. Bodies
/// without a length are cut off at the limit by `RequestBodyLimitLayer` when read.
pub(crate) async fn reject_oversized_body(
    State(config): State<Arc<WebConfig>>,
    request: Request,
    next: Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > config.body_limit_bytes as u64) {
        return error_response(
            request.uri().path(),
            AppError::PayloadTooLarge,
            request.headers(),
        );
    }
    next.run(request).await
}

/// How long making a privacy-protected release may take: its computation runs minutes on wide
/// data (SDS's all-combinations guarantee of length 3 on CTDC's 57 columns), far past the limit
/// of an ordinary request.
const RELEASE_TIME_LIMIT: Duration = Duration::from_secs(15 * 60);

/// Answers 503 when a request takes longer than `request_timeout` ([`RELEASE_TIME_LIMIT`] for
/// making a release). The handler is dropped at that moment, so a release cut off while it
/// computes has spent nothing.
pub(crate) async fn time_limit(
    State(config): State<Arc<WebConfig>>,
    request: Request,
    next: Next,
) -> Response {
    let making_release =
        request.method() == Method::POST && request.uri().path() == "/console/releases";
    let limit = if making_release {
        RELEASE_TIME_LIMIT
    } else {
        config.request_timeout
    };
    let path = request.uri().path().to_owned();
    let headers = request.headers().clone();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error_response(&path, AppError::Unavailable, &headers),
    }
}
