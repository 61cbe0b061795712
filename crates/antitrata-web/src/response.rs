//! Responses built from pre-rendered bytes, with their caching headers.

use antitrata_domain::Lang;
use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// How long browsers and proxies may keep a public page or API answer. Short: lines can change.
const PUBLIC_MAX_AGE: &str = "public, max-age=300";

pub(crate) fn cached_html(lang: Lang, html: Bytes) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(lang.code()),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(PUBLIC_MAX_AGE),
            ),
        ],
        html,
    )
        .into_response()
}

pub(crate) fn cached_json(json: Bytes) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(PUBLIC_MAX_AGE),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        json,
    )
        .into_response()
}
