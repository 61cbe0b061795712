//! The hotline under load, over loopback, against the real binary (issue 4's benchmark):
//!
//! 1. `antitrata demo-data` fills a fresh SQLite database with `--cases` fake cases (three
//!    contacts each), unless the folder already holds one from an earlier run;
//! 2. `antitrata serve` runs on it; a service account's API token and a supervisor's console
//!    session are made for the load;
//! 3. measured, each with its own concurrency: search by name and by phone
//!    (`POST /api/v1/persons/search`), the case page (`GET /console/cases/{id}`, HTML) and the
//!    case file (`GET /api/v1/cases/{id}`, JSON), and recording a contact
//!    (`POST /api/v1/contacts`) from `--operators` concurrent clients;
//! 4. the server stopped, the bare baseline in the same run: the same contact row copied with
//!    `INSERT … SELECT` into the same table from as many concurrent tasks, without HTTP,
//!    checks, sealing or audit.
//!
//! `cargo bench -p antitrata --bench hotline_load -- --cases 100000 --dir /tmp/hotline-load`
//! Figures go into BENCHMARKS.md by hand; nothing here asserts a time.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    reason = "a benchmark tool: it times requests and names its runs"
)]

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{Method, Request};
use http_body_util::{BodyExt, Full};
use sha2::{Digest, Sha256};
use sqlx::Row;
use tokio::sync::Mutex;

use support::{HttpClient, Measured, add_account, pool, request, run, serve, token};

struct Options {
    cases: u64,
    dir: PathBuf,
    operators: usize,
    readers: usize,
    reads: usize,
    writes: usize,
}

fn options() -> Options {
    let mut o = Options {
        cases: 10_000,
        dir: std::env::temp_dir().join("antitrata-hotline-load"),
        operators: 64,
        readers: 8,
        reads: 2_000,
        writes: 10_000,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--cases" => o.cases = value().parse().expect("--cases N"),
            "--dir" => o.dir = PathBuf::from(value()),
            "--operators" => o.operators = value().parse().expect("--operators N"),
            "--readers" => o.readers = value().parse().expect("--readers N"),
            "--reads" => o.reads = value().parse().expect("--reads N"),
            "--writes" => o.writes = value().parse().expect("--writes N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

/// Sends `count` requests made by `make(n)` from `concurrency` tasks; any status but `ok` counts
/// as an error.
async fn load(
    client: &HttpClient,
    concurrency: usize,
    count: usize,
    ok: u16,
    make: impl Fn(usize) -> Request<Full<Bytes>> + Send + Sync + 'static,
) -> Measured {
    let make = Arc::new(make);
    let next = Arc::new(Mutex::new(0usize));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, make, next) = (client.clone(), make.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            loop {
                let n = {
                    let mut next = next.lock().await;
                    if *next >= count {
                        break;
                    }
                    *next += 1;
                    *next
                };
                let request = make(n);
                let sent = Instant::now();
                match client.request(request).await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.into_body().collect().await;
                        latencies.push(sent.elapsed());
                        if status != ok {
                            errors += 1;
                        }
                    }
                    Err(_) => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut measured = Measured {
        latencies: Vec::new(),
        wall: Duration::ZERO,
        errors: 0,
    };
    for task in tasks {
        let (latencies, errors) = task.await.unwrap();
        measured.latencies.extend(latencies);
        measured.errors += errors;
    }
    measured.wall = started.elapsed();
    measured
}

#[tokio::main]
async fn main() {
    let o = options();
    std::fs::create_dir_all(&o.dir).unwrap();
    let dir = o.dir.as_path();
    let fresh = !dir.join("a.db").exists();
    if fresh {
        let started = Instant::now();
        let cases = o.cases.to_string();
        print!(
            "{}",
            run(dir, &["demo-data", "--country", "GT", "--cases", &cases])
        );
        println!("generated in {:.0} s", started.elapsed().as_secs_f64());
        add_account(dir, "load@gt.example", "supervisor", true);
        add_account(dir, "sup@gt.example", "supervisor", false);
    }
    let token = token(dir, "load@gt.example");

    // A console session for the supervisor, as signing in with password and TOTP would leave.
    let db = pool(dir).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let session = "load-session-token";
    sqlx::query(
        "insert or replace into sessions (token_hash, user_id, csrf_token, second_factor_done, \
         created_at, last_seen_at) select ?1, id, 'csrf', 1, ?2, ?2 from users where email = ?3",
    )
    .bind(Sha256::digest(session.as_bytes()).to_vec())
    .bind(now)
    .bind("sup@gt.example")
    .execute(&db)
    .await
    .unwrap();
    let counts: (i64, i64) =
        sqlx::query_as("select (select count(*) from cases), (select count(*) from contacts)")
            .fetch_one(&db)
            .await
            .unwrap();
    println!("database: {} cases, {} contacts", counts.0, counts.1);
    let case_ids: Vec<String> = sqlx::query("select id from cases order by random() limit 2000")
        .fetch_all(&db)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            uuid::Uuid::from_slice(&r.get::<Vec<u8>, _>(0))
                .unwrap()
                .to_string()
        })
        .collect();
    db.close().await;

    let (server, client) = serve(dir, o.operators).await;
    let bearer = format!("Bearer {token}");
    let bearer: &'static str = Box::leak(bearer.into_boxed_str());

    // Phones to search for, read from case files.
    let mut phones = Vec::new();
    for id in case_ids.iter().take(200) {
        let response = client
            .request(request(
                Method::GET,
                &format!("/api/v1/cases/{id}"),
                ("authorization", bearer),
                None,
            ))
            .await
            .unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let file: serde_json::Value = serde_json::from_slice(&body).unwrap();
        if let Some(phone) = file["persons"][0]["phone"].as_str() {
            phones.push(phone.to_owned());
        }
    }
    let phones = Arc::new(phones);
    let case_ids = Arc::new(case_ids);
    const NAMES: &[&str] = &[
        "Tzul",
        "Ana García",
        "Ixcoy",
        "Rosa Cux",
        "Mendoza",
        "Lucía Ajú",
    ];

    println!("| what | requests | throughput | p50 | p99 | errors |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    load(&client, o.readers, o.reads, 200, move |n| {
        let body = serde_json::json!({"name": NAMES[n % NAMES.len()]}).to_string();
        request(
            Method::POST,
            "/api/v1/persons/search",
            ("authorization", bearer),
            Some(body),
        )
    })
    .await
    .report(&format!("search by name, {} clients", o.readers));
    let p = phones.clone();
    load(&client, o.readers, o.reads, 200, move |n| {
        let body = serde_json::json!({"phone": p[n % p.len()]}).to_string();
        request(
            Method::POST,
            "/api/v1/persons/search",
            ("authorization", bearer),
            Some(body),
        )
    })
    .await
    .report(&format!("search by phone, {} clients", o.readers));
    let ids = case_ids.clone();
    load(&client, o.readers, o.reads, 200, move |n| {
        let cookie = format!("antitrata_session={session}");
        let mut r = request(
            Method::GET,
            &format!("/console/cases/{}", ids[n % ids.len()]),
            ("cookie", &cookie),
            None,
        );
        r.headers_mut()
            .insert("accept-language", "es".parse().unwrap());
        r
    })
    .await
    .report(&format!("case page (HTML), {} clients", o.readers));
    let ids = case_ids.clone();
    load(&client, o.readers, o.reads, 200, move |n| {
        request(
            Method::GET,
            &format!("/api/v1/cases/{}", ids[n % ids.len()]),
            ("authorization", bearer),
            None,
        )
    })
    .await
    .report(&format!("case file (JSON), {} clients", o.readers));
    let run_id = uuid::Uuid::now_v7().as_u128();
    load(&client, o.operators, o.writes, 201, move |n| {
        let id = uuid::Uuid::from_u128(run_id + n as u128);
        let body = serde_json::json!({
            "id": id, "channel": "call", "language": "es", "caller_role": "anonymous",
            "outcome": "information-given", "heard_via": "radio-spot",
            "summary": "Llamada de carga (demo)", "screening": {"deception": "yes"}
        })
        .to_string();
        request(
            Method::POST,
            "/api/v1/contacts",
            ("authorization", bearer),
            Some(body),
        )
    })
    .await
    .report(&format!(
        "record a contact (API), {} operators",
        o.operators
    ));
    drop(server);

    // The baseline: the same row, copied by a bare INSERT … SELECT, from as many tasks.
    let db = pool(dir).await;
    let columns: Vec<String> = sqlx::query("select name from pragma_table_info('contacts')")
        .fetch_all(&db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .filter(|c| c != "id")
        .collect();
    let columns = columns.join(", ");
    let template: Vec<u8> = sqlx::query("select id from contacts order by rowid desc limit 1")
        .fetch_one(&db)
        .await
        .unwrap()
        .get(0);
    let sql: &'static str = Box::leak(
        format!(
            "insert into contacts (id, {columns}) select ?1, {columns} from contacts where id = ?2"
        )
        .into_boxed_str(),
    );
    let next = Arc::new(Mutex::new(0usize));
    let started = Instant::now();
    let mut tasks = Vec::new();
    let base = uuid::Uuid::now_v7().as_u128();
    for _ in 0..o.operators {
        let (db, next, template) = (db.clone(), next.clone(), template.clone());
        let count = o.writes;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = {
                    let mut next = next.lock().await;
                    if *next >= count {
                        break;
                    }
                    *next += 1;
                    *next
                };
                let id = uuid::Uuid::from_u128(base + n as u128);
                let sent = Instant::now();
                sqlx::query(sql)
                    .bind(id.as_bytes().to_vec())
                    .bind(&template)
                    .execute(&db)
                    .await
                    .unwrap();
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut bare = Measured {
        latencies: Vec::new(),
        wall: Duration::ZERO,
        errors: 0,
    };
    for task in tasks {
        bare.latencies.extend(task.await.unwrap());
    }
    bare.wall = started.elapsed();
    bare.report(&format!(
        "bare INSERT of the same row, {} tasks",
        o.operators
    ));
}
