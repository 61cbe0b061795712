//! HTTP for antitrata: the public hotline directory, the JSON API, languages and the security
//! baseline. Only this crate knows HTTP and HTML.

mod api;
mod assets;
mod auth;
mod casework;
mod console;
mod content;
mod error;
mod health;
mod hotlines;
mod i18n;
pub mod metrics;
mod pages;
mod release_report;
mod response;
mod runtime;
mod security;
mod snapshot;

use std::sync::Arc;
use std::time::Duration;

use antitrata_app::releases::{DEFAULT_YEARLY_LIMIT, Releases};
use antitrata_store::Store;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use auth::password::{hash_password, verify_password};
pub use auth::permissions::{API_ROUTES, Access, CONSOLE_ROUTES, allows};
pub use console::stats_labels::{stat_value_key, stat_variable_key};
pub use i18n::{Tr, negotiate};
pub use release_report::release_report;
pub use runtime::{Clock, Runtime};
pub use snapshot::Snapshot;

use crate::error::{AppError, error_response};
use crate::snapshot::DirectoryCache;

/// Settings of the HTTP layer, decided by the binary's configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Send `Strict-Transport-Security`: only when the site is served over TLS.
    pub hsts: bool,
    /// The largest request body accepted.
    pub body_limit_bytes: usize,
    /// How long a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed, for per-address sign-in throttling.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The site's address as people reach it (`https://host`, no trailing slash): the base of
    /// every link the console shows, never the request's `Host`.
    pub public_url: String,
    /// How long a referral may wait without news before the supervisor's queue shows it.
    pub referral_overdue: time::Duration,
    /// How long a connection may take to send a request's headers before it is closed.
    pub header_read_timeout: Duration,
    /// How often the public pages are compared with the database's site version, so that an
    /// edit made on another instance shows here too.
    pub site_recheck: time::Duration,
    /// The channel a new contact form starts on, per country; a country not listed starts on
    /// a call.
    pub default_channels: std::collections::BTreeMap<
        antitrata_domain::CountryCode,
        antitrata_domain::casework::ContactChannel,
    >,
}

impl WebConfig {
    /// The channel a new contact of `country` starts on.
    pub fn default_channel(
        &self,
        country: Option<antitrata_domain::CountryCode>,
    ) -> antitrata_domain::casework::ContactChannel {
        country
            .and_then(|c| self.default_channels.get(&c).copied())
            .unwrap_or(antitrata_domain::casework::ContactChannel::Call)
    }
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            hsts: false,
            body_limit_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(10),
            trusted_proxies: Vec::new(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            referral_overdue: time::Duration::hours(72),
            header_read_timeout: Duration::from_secs(10),
            site_recheck: time::Duration::seconds(1),
            default_channels: std::collections::BTreeMap::new(),
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    store: Store,
    directory: Arc<DirectoryCache>,
    config: Arc<WebConfig>,
    runtime: Runtime,
    /// Statistical tables loaded for the console's statistics page.
    tables: Arc<console::TableCache>,
    /// Behind an `Arc`: axum clones the state many times a request, and `Releases` holds a
    /// `Store` (several handles of its own).
    releases: Arc<Releases>,
    /// Argon2 runs, off the async threads and queued (see [`auth::hashing`]).
    hashing: Arc<auth::hashing::Hashing>,
}

impl AppState {
    /// The state over `store`; releases are paid from the default yearly budget until
    /// [`AppState::with_releases`] says otherwise.
    pub fn new(store: Store, config: WebConfig, runtime: Runtime) -> AppState {
        let releases = Arc::new(Releases::new(
            store.clone(),
            DEFAULT_YEARLY_LIMIT,
            release_report,
        ));
        AppState {
            store,
            directory: Arc::default(),
            config: Arc::new(config),
            runtime,
            tables: Arc::default(),
            releases,
            hashing: Arc::default(),
        }
    }

    /// Releases made as configured (the yearly budget), over the same store.
    pub fn with_releases(mut self, releases: Releases) -> AppState {
        self.releases = Arc::new(releases);
        self
    }

    /// The pre-rendered directory, loaded on first use.
    pub(crate) async fn snapshot(&self) -> Result<Arc<Snapshot>, AppError> {
        self.directory
            .get(&self.store, self.runtime.now(), self.config.site_recheck)
            .await
    }

    /// Renders the directory now, so the first visitor does not wait and a broken database is
    /// noticed at start-up.
    pub async fn warm_up(&self) -> Result<(), String> {
        self.snapshot()
            .await
            .map(drop)
            .map_err(|e| format!("{e:?}"))
    }

    /// Call after the directory changed in the database.
    pub fn invalidate_directory(&self) {
        self.directory.invalidate();
    }
}

/// The whole application: routes, fallbacks and the middleware every request passes through.
pub fn app(state: AppState) -> Router {
    let config = Arc::clone(&state.config);
    Router::new()
        .merge(hotlines::router())
        .merge(content::router())
        .merge(api::router(state.clone()))
        .merge(health::router())
        .merge(assets::router())
        .merge(console::router(state.clone()))
        .route_layer(tower::util::MapRequestLayer::new(record_route))
        .route_layer(axum::middleware::from_fn(metrics::record))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(config.body_limit_bytes))
        .layer(from_fn_with_state(
            Arc::clone(&config),
            security::reject_oversized_body,
        ))
        .layer(from_fn_with_state(
            Arc::clone(&config),
            security::time_limit,
        ))
        .layer(from_fn_with_state(config, security::security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(tower::util::MapRequestLayer::new(
            set_aside_client_request_id,
        ))
}

/// The header a client's own `X-Request-Id` is moved to: the request id in logs and the audit
/// trail is always one the server made, so a client cannot plant ids in the trail.
const CLIENT_REQUEST_ID: &str = "x-client-request-id";

/// Moves a client's `X-Request-Id` aside (to [`CLIENT_REQUEST_ID`]) before the server's own is
/// set; only a short id of safe characters is kept. A plain function (`MapRequestLayer`): no
/// future is boxed for it on every request.
fn set_aside_client_request_id(mut request: Request) -> Request {
    let headers = request.headers_mut();
    headers.remove(CLIENT_REQUEST_ID);
    if let Some(theirs) = headers.remove("x-request-id") {
        let safe = theirs.len() <= 64
            && theirs
                .as_bytes()
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b));
        if safe {
            headers.insert(CLIENT_REQUEST_ID, theirs);
        }
    }
    request
}

/// The log span of a request: method, route template (`/console/setup/{token}`, never the path,
/// which may hold a token or what a visitor looked up), the server's request id and the client's.
/// Never the query string, headers or body.
fn request_span(request: &Request) -> tracing::Span {
    let headers = request.headers();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
    };
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = tracing::field::Empty,
        request_id = %header("x-request-id"),
        client_request_id = %header(CLIENT_REQUEST_ID),
    )
}

/// Writes the matched route's template into the request's span (entered while the router runs);
/// a request that matches no route is logged without one. A plain function, like the above.
fn record_route(request: Request) -> Request {
    if let Some(route) = request.extensions().get::<axum::extract::MatchedPath>() {
        tracing::Span::current().record("route", tracing::field::display(route.as_str()));
    }
    request
}

/// No route: the API answers with a problem; any other address lists every country's numbers
/// under "no such page", in the language the path or the browser names.
async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    if error::is_api_path(path) {
        return error_response(path, AppError::NotFound, &headers);
    }
    let lang = path
        .split('/')
        .nth(1)
        .and_then(|segment| antitrata_domain::Lang::parse(segment).ok())
        .unwrap_or_else(|| {
            i18n::negotiate(
                headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        });
    hotlines::not_found_page(&state, lang, &headers)
        .await
        .unwrap_or_else(axum::response::IntoResponse::into_response)
}

async fn method_not_allowed(uri: Uri, headers: HeaderMap) -> Response {
    error_response(uri.path(), AppError::MethodNotAllowed, &headers)
}

/// Serves the application on `listener` until `shutdown` resolves, then lets requests in flight
/// finish before returning. Each request knows its connection's peer address
/// ([`auth::throttle::ClientAddress`]): sign-in throttling counts per address. A connection that
/// has not sent a request's headers within [`WebConfig::header_read_timeout`] is closed, so
/// clients that open connections and never finish them cannot hold the server's sockets.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto;
    use tower::ServiceExt;

    let header_read_timeout = state.config.header_read_timeout;
    let app = app(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            // Shutdown first: a server flooded with connections still stops.
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset while queued: the next
                    // accept may work; wait a little so a full table does not spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let service = app.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                request.map(axum::body::Body::new)
            },
        );
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout);
        let connection = builder
            .serve_connection_with_upgrades(
                TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(service),
            )
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "a connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
