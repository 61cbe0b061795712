//! Prometheus metrics, served on a listen address of their own (`server.metrics_addr`), never on
//! the public one: request counts by method, route template and status, request latencies by
//! route, the store's connection pool (sampled at each scrape) and group commit's transactions
//! (recorded by the store). Route templates only, never paths: a path may hold a token or what a
//! visitor looked up.

use std::future::Future;
use tokio::time::Instant;

use antitrata_store::Store;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

/// The latency buckets of `antitrata_http_request_duration_seconds`, in seconds: an operator's
/// request should stay in the first few.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// The buckets of `antitrata_group_commit_jobs`: jobs per transaction, up to the store's 64.
const BATCH_BUCKETS: [f64; 8] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 48.0, 64.0];

/// Installs the process's metrics recorder (once per process) and returns the handle that
/// renders what it holds.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("antitrata_http_request_duration_seconds".into()),
            &LATENCY_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("antitrata_group_commit_jobs".into()),
            &BATCH_BUCKETS,
        )?
        .install_recorder()
}

/// Counts a request and times it, under its route's template (a route layer: it runs only for
/// requests that matched a route). Without an installed recorder this records nothing.
pub(crate) async fn record(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(String::new, |m| m.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    // Tokio's clock: a latency for metrics only, and one that a test with paused time controls.
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("antitrata_http_request_duration_seconds", "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(
        "antitrata_http_requests_total",
        "method" => method,
        "route" => route,
        "status" => status
    )
    .increment(1);
    response
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    store: Store,
}

/// `GET /metrics` in Prometheus's text format.
async fn metrics_page(State(scrape): State<Scrape>) -> Response {
    let (open, idle) = scrape.store.pool_connections();
    metrics::gauge!("antitrata_db_pool_connections", "state" => "open").set(f64::from(open));
    metrics::gauge!("antitrata_db_pool_connections", "state" => "idle").set(idle as f64);
    (
        [("content-type", "text/plain; version=0.0.4")],
        scrape.handle.render(),
    )
        .into_response()
}

/// Serves `/metrics` on `listener` until `shutdown` resolves.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    handle: PrometheusHandle,
    store: Store,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/metrics", get(metrics_page))
        .with_state(Scrape { handle, store });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
