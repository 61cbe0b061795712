//! Static assets, embedded in the binary: the site has no asset from another host.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

pub(crate) const SITE_CSS: &str = include_str!("../static/site.css");

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/static/site.css", get(site_css))
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
