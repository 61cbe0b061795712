//! `serve` end to end: a fresh folder, SQLite by default, PostgreSQL when asked, clean stop.

use antitrata_store::testing;

use crate::support::Server;

#[test]
fn serves_from_a_fresh_folder_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    assert!(
        dir.path().join("antitrata-data/antitrata.db").exists(),
        "database file created"
    );
    assert_eq!(server.get("/healthz"), (200, "{\"status\":\"ok\"}".into()));
    let (status, body) = server.get("/es/mx");
    assert_eq!(status, 200);
    assert!(body.contains("800 5533 000"));
    let (clean, log) = server.terminate();
    assert!(clean, "serve did not exit cleanly: {log:?}");
    assert!(log.iter().any(|l| l.contains("shutting down")), "{log:?}");
}

#[test]
fn a_second_start_keeps_the_data_and_the_log_has_no_query_strings() {
    let dir = tempfile::tempdir().unwrap();
    let first = Server::start(dir.path(), &[]);
    assert_eq!(first.get("/en/ca").0, 200);
    first.terminate();
    let second = Server::start(dir.path(), &[]);
    assert_eq!(second.get("/es/gt?nombre=secreto-canario").0, 200);
    let (_, log) = second.terminate();
    assert!(
        log.iter().any(|l| l.contains("route=/{lang}/{iso2}")),
        "requests are logged by route: {log:?}"
    );
    assert!(
        !log.iter().any(|l| l.contains("/es/gt")),
        "not by path (which country someone looked up is their business): {log:?}"
    );
    assert!(
        !log.iter().any(|l| l.contains("secreto-canario")),
        "query string logged: {log:?}"
    );
}

#[tokio::test]
async fn the_same_binary_serves_from_postgres() {
    let Some(db) = testing::postgres().await else {
        testing::not_run(&format!(
            "the PostgreSQL serve test ({} not set)",
            testing::PG_URL_VAR
        ));
        return;
    };
    // The test database took the test keys at migration; with nothing sealed under them, it lets
    // the binary's own new key file take their place.
    db.store
        .execute_raw_for_tests("delete from key_check")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.clone();
    let (pages, clean) = tokio::task::spawn_blocking(move || {
        let server = Server::start(dir.path(), &["--database", &url]);
        let pages =
            ["/es/mx", "/en/ca", "/fr/ca", "/fr/ht", "/api/v1/hotlines"].map(|p| server.get(p));
        let (clean, _) = server.terminate();
        assert!(
            !dir.path().join("antitrata-data/antitrata.db").exists(),
            "no SQLite file when on PostgreSQL"
        );
        (pages, clean)
    })
    .await
    .unwrap();
    assert!(clean);
    assert!(pages[0].1.contains("México: líneas contra la trata"));
    assert!(pages[1].1.contains("Canada: anti-trafficking lines"));
    assert!(pages[2].1.contains("Canada : lignes contre la traite"));
    assert_eq!(pages[3].0, 404);
    assert!(pages[4].1.contains("1-888-373-7888"));
    let countries = db.store.list_countries().await.unwrap();
    assert_eq!(countries.len(), 11, "serve seeded the PostgreSQL database");
    db.cleanup().await;
}

#[test]
fn a_setup_link_from_user_add_opens_on_the_served_console() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let output = crate::support::run(crate::support::antitrata().current_dir(dir.path()).args([
        "user",
        "add",
        "--email",
        "ana@example.org",
        "--role",
        "operator",
        "--country",
        "GT",
    ]));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let path = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("http://127.0.0.1:8080"))
        .unwrap()
        .to_owned();
    let (status, body) = server.get(&path);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("name=\"password\""), "{body}");
    assert_eq!(server.get("/console/setup/not-a-real-token").0, 404);
    assert_eq!(server.get("/console/login").0, 200);
    let (clean, _) = server.terminate();
    assert!(clean);
}

#[test]
fn metrics_are_served_apart_from_the_public_address() {
    let dir = tempfile::tempdir().unwrap();
    let token = crate::crash::caseworker_token(dir.path(), None, "m@gt.example");
    let server = Server::start(dir.path(), &["--metrics-addr", "127.0.0.1:0"]);
    let metrics_addr = loop {
        let line = server
            .log
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("no metrics address in the log");
        if let Some(rest) = line.split("metrics served on http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    for _ in 0..3 {
        assert_eq!(server.get("/es/gt").0, 200);
    }
    let contact = serde_json::json!({"id": "00000000-0000-7000-8000-00000000d001",
        "channel": "call", "language": "es", "caller_role": "anonymous",
        "outcome": "information-given"});
    let (status, body) = crate::support::request(
        &server.addr,
        "POST",
        "/api/v1/contacts",
        &token,
        Some(&contact),
    )
    .unwrap();
    assert_eq!(status, 201, "{body}");
    assert_eq!(server.get("/metrics").0, 404, "not on the public address");

    let (status, text) = crate::support::get(&metrics_addr, "/metrics");
    assert_eq!(status, 200);
    assert!(
        text.contains(
            r#"antitrata_http_requests_total{method="GET",route="/{lang}/{iso2}",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"antitrata_http_requests_total{method="POST",route="/api/v1/contacts",status="201"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"antitrata_http_request_duration_seconds_count{route="/{lang}/{iso2}"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(r#"antitrata_group_commit_jobs_bucket{kind="contact_writes",le="1"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"antitrata_db_pool_connections{state="open"}"#),
        "{text}"
    );
    assert!(!text.contains("/es/gt"), "paths are never labels");
    assert!(server.terminate().0);
}
