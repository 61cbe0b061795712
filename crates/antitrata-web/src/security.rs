//! The security baseline every response gets, and the request-size guard.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
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
pub async fn security_headers(
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
pub async fn reject_oversized_body(
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
