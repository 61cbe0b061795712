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
        eprintln!(
            "{} not set: PostgreSQL serve test not run",
            testing::PG_URL_VAR
        );
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
