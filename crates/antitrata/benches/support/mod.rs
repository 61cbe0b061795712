//! What the load benchmarks share: the real binary on a SQLite folder, a server that stops when
//! dropped, an HTTP client, service tokens, and latencies reported as a Markdown table row.

#![allow(dead_code, reason = "each benchmark uses its own part of this module")]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, Request};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use sqlx::SqlitePool;
use sqlx::sqlite::SqlitePoolOptions;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_antitrata");
pub(crate) const ADDR: &str = "127.0.0.1:18481";

/// `antitrata` with the folder's database (`a.db`) and key file.
pub(crate) fn antitrata(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env(
            "ANTITRATA_DATABASE_URL",
            format!("sqlite://{}/a.db", dir.display()),
        )
        .env("ANTITRATA_KEY_FILE", dir.join("keys"))
        .env("ANTITRATA_ADDR", ADDR)
        .env("RUST_LOG", "warn");
    command
}

/// Runs `antitrata` to the end and returns what it printed; panics if it failed.
pub(crate) fn run(dir: &Path, args: &[&str]) -> String {
    let out = antitrata(dir, args).output().expect("running antitrata");
    assert!(
        out.status.success(),
        "antitrata {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Adds an account of `role` in Guatemala: a service account (for API tokens) or a person.
pub(crate) fn add_account(dir: &Path, email: &str, role: &str, service: bool) {
    let mut args = vec!["user", "add"];
    if service {
        args.push("--service");
    }
    args.extend(["--email", email, "--role", role, "--country", "GT"]);
    run(dir, &args);
}

/// A fresh one-day API token of a service account.
pub(crate) fn token(dir: &Path, email: &str) -> String {
    let created = run(
        dir,
        &[
            "token", "create", "--email", email, "--name", "load", "--days", "1",
        ],
    );
    created
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("atk_"))
        .expect("a token")
        .to_owned()
}

/// Latencies of one measurement, and how long it took in all.
pub(crate) struct Measured {
    pub(crate) latencies: Vec<Duration>,
    pub(crate) wall: Duration,
    pub(crate) errors: usize,
}

impl Measured {
    /// The latency at quantile `q` (0 to 1), in milliseconds; the latencies must be sorted.
    pub(crate) fn at(&self, q: f64) -> f64 {
        let i = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
        self.latencies
            .get(i)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    }

    /// Prints `| what | requests | throughput | p50 | p99 | errors |`.
    pub(crate) fn report(&mut self, what: &str) {
        self.latencies.sort();
        println!(
            "| {what} | {} | {:.0}/s | {:.2} ms | {:.2} ms | {} |",
            self.latencies.len(),
            self.latencies.len() as f64 / self.wall.as_secs_f64(),
            self.at(0.5),
            self.at(0.99),
            self.errors
        );
    }
}

pub(crate) type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A request to the benchmark's server, with one authentication header.
pub(crate) fn request(
    method: Method,
    path: &str,
    auth: (&str, &str),
    body: Option<String>,
) -> Request<Full<Bytes>> {
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("http://{ADDR}{path}"))
        .header(auth.0, auth.1);
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    builder
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .unwrap()
}

/// `antitrata serve` on the folder, killed when dropped.
pub(crate) struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server and waits until `/healthz` answers; the client keeps up to `idle`
/// connections open.
pub(crate) async fn serve(dir: &Path, idle: usize) -> (Server, HttpClient) {
    let server = Server(
        antitrata(dir, &["serve"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(idle)
        .build_http();
    for _ in 0..100 {
        let ready = client
            .request(request(Method::GET, "/healthz", ("x", "y"), None))
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (server, client)
}

/// The folder's SQLite database, opened directly.
pub(crate) async fn pool(dir: &Path) -> SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(8)
        .connect(&format!("sqlite://{}/a.db", dir.display()))
        .await
        .unwrap()
}
