//! A country's cases read page by page over the API while new ones are opened (issue 29's
//! benchmark), against the real binary on SQLite:
//!
//! 1. on a fresh folder, `antitrata demo-data --country GT --cases 100` makes a database with its
//!    keys and a hundred full cases; then bare `INSERT`s add case rows until the country holds
//!    `--cases` (years 1990 on, one a second, UUIDv7 ids of that time as the server makes them,
//!    status open, no description: the walk reads case rows only);
//! 2. `antitrata serve` runs on it; a supervisor's service token walks `GET /api/v1/cases` with
//!    `--limit` per page and each page's `next` as the following cursor, while `--writers`
//!    clients open new cases (`POST /api/v1/cases`) the whole time;
//! 3. checked: every case there when the walk began is seen once and none twice;
//! 4. the server stopped, the baseline in the same run: the same keyset walk as bare SQL over
//!    the same file (no HTTP, no audit, no JSON), and `OFFSET` paging sampled at a few depths.
//!
//! `cargo bench -p antitrata --bench case_pages -- --cases 1000000 --dir /tmp/case-pages`
//! Figures go into BENCHMARKS.md by hand; nothing here asserts a time.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    reason = "a benchmark tool: it times requests and names its runs"
)]

mod support;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::Method;
use http_body_util::BodyExt;
use sqlx::Row;

use support::{HttpClient, Measured, add_account, pool, request, run, serve, token};

struct Options {
    cases: u64,
    dir: PathBuf,
    limit: usize,
    writers: usize,
}

fn options() -> Options {
    let mut o = Options {
        cases: 100_000,
        dir: std::env::temp_dir().join("antitrata-case-pages"),
        limit: 500,
        writers: 2,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--cases" => o.cases = value().parse().expect("--cases N"),
            "--dir" => o.dir = PathBuf::from(value()),
            "--limit" => o.limit = value().parse().expect("--limit N"),
            "--writers" => o.writers = value().parse().expect("--writers N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

/// The columns the store reads for a case, as `cases.rs` lists them.
const CASE_COLUMNS: &str = "id, country, year, sequence, status, closure_reason, \
     closure_note_sealed, assigned_to, risk, exploitation_types, sectors, means_of_control, \
     recruitment, citizenship, exploitation_countries, transit_countries, exploitation_began, \
     has_minor, opened_by, opened_at, updated_at, version";

/// Fills the folder's database up to `cases` cases of Guatemala.
async fn fill(dir: &std::path::Path, cases: u64) {
    let started = Instant::now();
    print!(
        "{}",
        run(dir, &["demo-data", "--country", "GT", "--cases", "100"])
    );
    let db = pool(dir).await;
    let have: i64 = sqlx::query_scalar("select count(*) from cases")
        .fetch_one(&db)
        .await
        .unwrap();
    let missing = i64::try_from(cases).unwrap() - have;
    let key_id: i64 = sqlx::query_scalar("select key_id from cases limit 1")
        .fetch_one(&db)
        .await
        .unwrap();
    // Older than the demo's cases, one a second, each id a UUIDv7 of its opening time as the
    // server makes them (an id's time decides where its audit entries go in the indexes).
    let first = time::OffsetDateTime::now_utc().unix_timestamp() - missing - 86_400;
    let mut added = 0i64;
    while added < missing {
        let batch = (missing - added).min(1_000);
        let mut insert = sqlx::QueryBuilder::new(
            "insert into cases (id, country, year, sequence, status, key_id, opened_by, \
             opened_at, updated_at) ",
        );
        insert.push_values(added..added + batch, |mut row, n| {
            let opened = first + n;
            let stamp = uuid::Timestamp::from_unix(uuid::NoContext, opened.unsigned_abs(), 0);
            row.push_bind(uuid::Uuid::new_v7(stamp).as_bytes().to_vec())
                .push_bind("GT")
                .push_bind(1990 + n / 100_000)
                .push_bind(n % 100_000 + 1)
                .push_bind("open")
                .push_bind(key_id)
                .push_bind("case-pages bench")
                .push_bind(opened)
                .push_bind(opened);
        });
        insert.build().execute(&db).await.unwrap();
        added += batch;
    }
    db.close().await;
    add_account(dir, "pages@gt.example", "supervisor", true);
    println!(
        "filled to {cases} cases in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// One page of `GET /api/v1/cases`: its ids and its `next`.
async fn page(
    client: &HttpClient,
    bearer: &str,
    limit: usize,
    cursor: Option<&str>,
) -> (Vec<String>, Option<String>) {
    let mut path = format!("/api/v1/cases?limit={limit}");
    if let Some(cursor) = cursor {
        path.push_str(&format!("&cursor={cursor}"));
    }
    let response = client
        .request(request(Method::GET, &path, ("authorization", bearer), None))
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let ids = page["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, page["next"].as_str().map(str::to_owned))
}

/// Prints the latencies of a walk: all pages, then its first and last tenth.
fn report_walk(what: &str, mut pages: Vec<Duration>, wall: Duration) {
    let tenth = (pages.len() / 10).max(1);
    let mut first = Measured {
        latencies: pages[..tenth].to_vec(),
        wall: Duration::ZERO,
        errors: 0,
    };
    let mut last = Measured {
        latencies: pages[pages.len() - tenth..].to_vec(),
        wall: Duration::ZERO,
        errors: 0,
    };
    first.latencies.sort();
    last.latencies.sort();
    pages.sort();
    let all = Measured {
        latencies: pages,
        wall,
        errors: 0,
    };
    println!(
        "| {what} | {} | {:.1} s | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
        all.latencies.len(),
        wall.as_secs_f64(),
        all.at(0.5),
        all.at(0.99),
        first.at(0.5),
        last.at(0.5),
    );
}

#[tokio::main]
async fn main() {
    let o = options();
    std::fs::create_dir_all(&o.dir).unwrap();
    let dir = o.dir.as_path();
    if !dir.join("a.db").exists() {
        fill(dir, o.cases).await;
    }
    let token = token(dir, "pages@gt.example");
    let db = pool(dir).await;
    let before: HashSet<Vec<u8>> = sqlx::query("select id from cases where country = 'GT'")
        .fetch_all(&db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<Vec<u8>, _>(0))
        .collect();
    db.close().await;
    println!("database: {} cases of GT", before.len());

    let (server, client) = serve(dir, o.writers + 1).await;
    let bearer: &'static str = Box::leak(format!("Bearer {token}").into_boxed_str());

    // Writers open cases until the walk ends.
    let stop = Arc::new(AtomicBool::new(false));
    let opened = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for _ in 0..o.writers {
        let (client, stop, opened) = (client.clone(), stop.clone(), opened.clone());
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let body = serde_json::json!({"id": uuid::Uuid::now_v7()}).to_string();
                let response = client
                    .request(request(
                        Method::POST,
                        "/api/v1/cases",
                        ("authorization", bearer),
                        Some(body),
                    ))
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
                let _ = response.into_body().collect().await;
                opened.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }

    let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(before.len());
    let (mut twice, mut pages) = (0usize, Vec::new());
    let mut cursor: Option<String> = None;
    let started = Instant::now();
    loop {
        let sent = Instant::now();
        let (ids, next) = page(&client, bearer, o.limit, cursor.as_deref()).await;
        pages.push(sent.elapsed());
        for id in ids {
            let id = uuid::Uuid::parse_str(&id).unwrap().as_bytes().to_vec();
            if !seen.insert(id) {
                twice += 1;
            }
        }
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let wall = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    drop(server);
    let missed = before.iter().filter(|id| !seen.contains(*id)).count();
    println!(
        "walk: {} cases seen, {missed} of the {} there at the start missed, {twice} seen twice; \
         {} cases opened by {} writers meanwhile",
        seen.len(),
        before.len(),
        opened.load(Ordering::Relaxed),
        o.writers
    );

    println!("| walk | pages | total | page p50 | page p99 | first tenth p50 | last tenth p50 |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    report_walk(
        &format!(
            "API, limit {}, {} writers opening cases",
            o.limit, o.writers
        ),
        pages,
        wall,
    );

    // The baseline: the same keyset walk in bare SQL on the same file.
    let db = pool(dir).await;
    let sql = format!(
        "select {CASE_COLUMNS} from cases where country = 'GT' \
         and (year, sequence) < (?1, ?2) \
         order by year desc, sequence desc limit ?3"
    );
    let (mut at, mut pages) = ((i64::MAX, 0i64), Vec::new());
    let started = Instant::now();
    loop {
        let sent = Instant::now();
        let rows = sqlx::query(&sql)
            .bind(at.0)
            .bind(at.1)
            .bind(i64::try_from(o.limit).unwrap())
            .fetch_all(&db)
            .await
            .unwrap();
        pages.push(sent.elapsed());
        match rows.last() {
            Some(last) if rows.len() == o.limit => {
                at = (last.get("year"), last.get("sequence"));
            }
            _ => break,
        }
    }
    report_walk(
        &format!("bare SQL keyset, limit {}", o.limit),
        pages,
        started.elapsed(),
    );

    println!("| `OFFSET` page at depth | time |");
    println!("| ---: | ---: |");
    let total = before.len();
    for depth in [0, total / 4, total / 2, total.saturating_sub(o.limit)] {
        let sent = Instant::now();
        sqlx::query(&format!(
            "select {CASE_COLUMNS} from cases where country = 'GT' \
             order by year desc, sequence desc limit ?1 offset ?2"
        ))
        .bind(i64::try_from(o.limit).unwrap())
        .bind(i64::try_from(depth).unwrap())
        .fetch_all(&db)
        .await
        .unwrap();
        println!(
            "| {depth} | {:.2} ms |",
            sent.elapsed().as_secs_f64() * 1000.0
        );
    }
}
