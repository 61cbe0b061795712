//! Static assets, embedded in the binary: the site has no asset from another host.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

pub(crate) const SITE_CSS: &str = include_str!("../static/site.css");
/// The console's one script: the contact form's server-side draft and its Ctrl+Enter.
pub(crate) const CONSOLE_JS: &str = include_str!("../static/console.js");
/// The public site's one script: the quick exit also replaces the page in the history, and
/// answers the Escape key.
pub(crate) const EXIT_JS: &str = include_str!("../static/exit.js");

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/static/site.css", get(site_css))
        .route("/static/console.js", get(console_js))
        .route("/static/exit.js", get(exit_js))
}

async fn console_js() -> impl IntoResponse {
    script(CONSOLE_JS)
}

async fn exit_js() -> impl IntoResponse {
    script(EXIT_JS)
}

fn script(source: &'static str) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        source,
    )
}

async fn site_css() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        SITE_CSS,
    )
}
