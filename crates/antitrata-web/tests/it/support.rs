//! A seeded application and a one-call request helper.

use std::sync::{Arc, Mutex};

use antitrata_store::testing::CountingNonces;
use antitrata_store::{DatabaseUrl, Store};
use antitrata_web::{AppState, Clock, Runtime, WebConfig, app};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use time::OffsetDateTime;
use time::macros::datetime;
use tower::ServiceExt;

pub(crate) async fn seeded_store(url: &DatabaseUrl) -> Store {
    let store = Store::connect(url).await.expect("open store");
    store.migrate().await.expect("migrate");
    store.seed_reference_data().await.expect("seed");
    store
}

/// The app on a seeded in-memory SQLite database.
pub(crate) async fn test_app() -> Router {
    test_app_with(WebConfig::default()).await
}

pub(crate) async fn test_app_with(config: WebConfig) -> Router {
    let store = seeded_store(&DatabaseUrl::SqliteMemory).await;
    app(AppState::new(
        store,
        config,
        test_runtime(FixedClock::new()),
    ))
}

/// A clock that stands still until a test moves it.
#[derive(Debug)]
pub(crate) struct FixedClock(Mutex<OffsetDateTime>);

impl FixedClock {
    pub(crate) fn new() -> Arc<FixedClock> {
        Arc::new(FixedClock(Mutex::new(datetime!(2026-11-27 12:00:00 UTC))))
    }

    pub(crate) fn advance(&self, by: time::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// The runtime of a test: a fixed clock and repeatable randomness.
pub(crate) fn test_runtime(clock: Arc<FixedClock>) -> Runtime {
    Runtime {
        clock,
        random: Arc::new(CountingNonces::new(5)),
    }
}

pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub(crate) async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

pub(crate) async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub(crate) async fn get_with(app: &Router, uri: &str, name: &str, value: &str) -> Reply {
    send(
        app,
        Request::get(uri)
            .header(name, value)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

pub(crate) async fn request(app: &Router, method: Method, uri: &str, body: Vec<u8>) -> Reply {
    let len = body.len();
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-length", len)
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

/// Every public page of the directory: the index and each country, in each language.
pub(crate) fn public_pages() -> Vec<String> {
    let mut pages = Vec::new();
    for lang in ["es", "en", "fr"] {
        pages.push(format!("/{lang}/"));
        for country in antitrata_domain::RCM_MEMBERS {
            pages.push(format!("/{lang}/{}", country.to_ascii_lowercase()));
        }
        for page in antitrata_domain::content::ContentPage::ALL {
            pages.push(format!("/{lang}/guide/{page}"));
        }
    }
    pages
}

/// The clock's time in unix seconds, for TOTP codes.
pub(crate) fn now(clock: &FixedClock) -> u64 {
    u64::try_from(clock.now().unix_timestamp()).unwrap()
}
