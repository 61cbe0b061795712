//! The crash harness (issue 25): `antitrata serve` is killed with SIGKILL at random moments while
//! workers record contacts, open cases from them, add people and record their consents over the
//! JSON API, and started again after each kill. In the end every write that got a success answer
//! must be there and intact: the contact's summary opens (a sealed field), the case file holds its
//! contact, person and consent, the person is found by a word of the name and by phone (the blind
//! indexes), the newest case files of the country all open (nothing half-written), and
//! `audit verify` passes.
//!
//! Short profile in `cargo test`: 10 kills per backend, a fixed seed, a bounded number of
//! requests per round. The long one by hand: `scripts/crash-soak.sh` (100 kills per backend).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use antitrata_store::testing;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::datasets::cli;
use crate::support::{Server, request};

/// How many times each backend is killed, unless `ANTITRATA_CRASH_KILLS` says otherwise.
const DEFAULT_KILLS: usize = 10;
const SEED: u64 = 25;
const WORKERS: usize = 4;
/// Requests per round at most, so the harness is bounded whatever the machine's speed.
const ROUND_REQUESTS: usize = 300;
/// How long the server runs before it is killed, in milliseconds: drawn in this range.
const KILL_AFTER_MS: std::ops::Range<u64> = 50..600;

/// A write the server acknowledged with a success status.
#[derive(Debug, Clone)]
pub(crate) enum Acked {
    Contact {
        id: Uuid,
        summary: String,
    },
    Case {
        id: Uuid,
        contact: Uuid,
    },
    Person {
        id: Uuid,
        case: Uuid,
        word: String,
        phone: String,
    },
    Consent {
        id: Uuid,
        case: Uuid,
    },
}

/// What a run saw.
#[derive(Debug, Default)]
struct Tally {
    acknowledged: usize,
    present: usize,
    /// Answers other than success and other than a dead connection, by status.
    refused: Vec<u16>,
    /// Requests cut by a kill: taken by the server, which died before answering.
    cut: usize,
}

fn kills() -> usize {
    std::env::var("ANTITRATA_CRASH_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_KILLS)
}

/// A word of six letters for story `n`, unique per story: the name search finds it alone.
fn word(n: usize) -> String {
    let mut n = n;
    let mut word = String::new();
    for _ in 0..6 {
        word.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
    }
    word
}

fn id(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// Sends `body` to `path`: `Ok(true)` acknowledged, `Ok(false)` answered otherwise (recorded),
/// `Err` the server is gone: `Err(true)` if it took the request and died before answering.
fn post(
    addr: &str,
    token: &str,
    path: &str,
    body: &Value,
    refused: &Mutex<Vec<u16>>,
) -> Result<bool, bool> {
    match request(addr, "POST", path, token, Some(body)) {
        Ok((200 | 201, _)) => Ok(true),
        Ok((status, _)) => {
            refused.lock().unwrap().push(status);
            Ok(false)
        }
        Err(e) => Err(e.kind() != std::io::ErrorKind::ConnectionRefused),
    }
}

/// What the workers share: the stories begun, the writes acknowledged, the other answers.
#[derive(Default)]
pub(crate) struct Shared {
    stories: AtomicUsize,
    pub(crate) acked: Mutex<Vec<Acked>>,
    refused: Mutex<Vec<u16>>,
}

/// One worker until the server dies or `limit` requests of `sent` are used: contact, case,
/// person, consent, again and again. Returns whether a kill cut one of its requests in flight.
pub(crate) fn work(
    addr: &str,
    token: &str,
    rng: &mut StdRng,
    shared: &Shared,
    (sent, limit): (&AtomicUsize, usize),
) -> bool {
    let Shared {
        stories,
        acked,
        refused,
    } = shared;
    let within = || sent.fetch_add(1, Ordering::Relaxed) < limit;
    while within() {
        let n = stories.fetch_add(1, Ordering::Relaxed);
        let contact = id(rng);
        let summary = format!("Historia {n}: retienen sus documentos en una finca");
        let body = json!({
            "id": contact, "channel": "call", "language": "es",
            "caller_role": "potential-victim", "outcome": "case-opened-or-linked",
            "caller_country": "HN", "summary": summary,
            "screening": {"deception": "yes", "withheld-documents": "yes"}
        });
        match post(addr, token, "/api/v1/contacts", &body, refused) {
            Ok(true) => acked.lock().unwrap().push(Acked::Contact {
                id: contact,
                summary,
            }),
            Ok(false) => continue,
            Err(in_flight) => return in_flight,
        }
        if !within() {
            return false;
        }
        let case = id(rng);
        let body = json!({"id": case, "contact": contact});
        match post(addr, token, "/api/v1/cases", &body, refused) {
            Ok(true) => acked
                .lock()
                .unwrap()
                .push(Acked::Case { id: case, contact }),
            Ok(false) => continue,
            Err(in_flight) => return in_flight,
        }
        if !within() {
            return false;
        }
        let person = id(rng);
        let word = word(n);
        let phone = format!("+502 5{:07}", n % 10_000_000);
        let body = json!({"id": person, "role": "victim", "name": format!("María {word}"),
            "phone": phone, "gender": "Feminine", "nationality": "HN"});
        let path = format!("/api/v1/cases/{case}/persons");
        match post(addr, token, &path, &body, refused) {
            Ok(true) => acked.lock().unwrap().push(Acked::Person {
                id: person,
                case,
                word,
                phone,
            }),
            Ok(false) => continue,
            Err(in_flight) => return in_flight,
        }
        if !within() {
            return false;
        }
        let consent = id(rng);
        let body = json!({"id": consent, "person": person, "scope": "referral",
            "given_by": "self"});
        let path = format!("/api/v1/cases/{case}/consents");
        match post(addr, token, &path, &body, refused) {
            Ok(true) => acked
                .lock()
                .unwrap()
                .push(Acked::Consent { id: consent, case }),
            Ok(false) => continue,
            Err(in_flight) => return in_flight,
        }
    }
    false
}

/// The ids of a JSON list's objects.
fn ids_in(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["id"].as_str().map(str::to_owned))
        .collect()
}

/// The writes of `acked` that the server at `addr` does not hold whole.
pub(crate) fn lost(addr: &str, token: &str, name: &str, acked: &[Acked]) -> Vec<Acked> {
    let get = |path: &str| {
        let (status, body) = request(addr, "GET", path, token, None).unwrap();
        (
            status,
            serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
        )
    };
    let search = |query: Value| {
        let (status, body) =
            request(addr, "POST", "/api/v1/persons/search", token, Some(&query)).unwrap();
        assert_eq!(status, 200, "{name}: {body}");
        serde_json::from_str::<Value>(&body).unwrap()
    };
    let mut lost = Vec::new();
    for write in acked {
        let here = match write {
            Acked::Contact { id, summary } => {
                let (status, contact) = get(&format!("/api/v1/contacts/{id}"));
                status == 200 && contact["summary"] == json!(summary)
            }
            Acked::Case { id, contact } => {
                let (status, file) = get(&format!("/api/v1/cases/{id}"));
                status == 200 && ids_in(&file["contacts"]).contains(&contact.to_string())
            }
            Acked::Person {
                id,
                case,
                word,
                phone,
            } => {
                let (status, file) = get(&format!("/api/v1/cases/{case}"));
                let by_name = search(json!({ "name": word }));
                let by_phone = search(json!({ "phone": phone }));
                status == 200
                    && ids_in(&file["persons"]).contains(&id.to_string())
                    && ids_in(&by_name["persons"]).contains(&id.to_string())
                    && ids_in(&by_phone["persons"]).contains(&id.to_string())
            }
            Acked::Consent { id, case } => {
                let (status, file) = get(&format!("/api/v1/cases/{case}"));
                status == 200 && ids_in(&file["consents"]).contains(&id.to_string())
            }
        };
        if !here {
            lost.push(write.clone());
        }
    }
    lost
}

/// The CLI in `dir`, on `database` if given; panics unless it succeeds, returns its output.
pub(crate) fn admin(dir: &Path, database: Option<&str>, args: &[&str]) -> String {
    let mut all = args.to_vec();
    if let Some(url) = database {
        all.extend(["--database", url]);
    }
    let (ok, out, err) = cli(dir, &all);
    assert!(ok, "{args:?}: {err}");
    out
}

/// A GT caseworker service account `email` made with the CLI in `dir`, and an API token of it.
pub(crate) fn caseworker_token(dir: &Path, database: Option<&str>, email: &str) -> String {
    admin(
        dir,
        database,
        &[
            "user",
            "add",
            "--email",
            email,
            "--role",
            "caseworker",
            "--country",
            "GT",
            "--service",
        ],
    );
    let created = admin(
        dir,
        database,
        &[
            "token", "create", "--email", email, "--name", "tests", "--days", "1",
        ],
    );
    created
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("atk_"))
        .expect("a token")
        .to_owned()
}

/// Runs the harness in `dir` on SQLite (`database` `None`) or the PostgreSQL database given.
#[allow(
    clippy::print_stdout,
    reason = "the harness prints its tally, the figure the issue asks for"
)]
fn harness(name: &str, dir: &Path, database: Option<&str>) -> Tally {
    let token = caseworker_token(dir, database, "crash@gt.example");
    let args: Vec<&str> = database.map_or_else(Vec::new, |url| vec!["--database", url]);

    let mut rng = StdRng::seed_from_u64(SEED);
    let shared = Arc::new(Shared::default());
    let mut cut = 0;
    for round in 0..kills() {
        let mut server = Server::start(dir, &args);
        let requests = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                let (addr, token) = (server.addr.clone(), token.clone());
                let (shared, requests) = (shared.clone(), requests.clone());
                let mut rng = StdRng::seed_from_u64(SEED ^ ((round * WORKERS + w) as u64) << 8);
                std::thread::spawn(move || {
                    work(
                        &addr,
                        &token,
                        &mut rng,
                        &shared,
                        (&requests, ROUND_REQUESTS),
                    )
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(rng.random_range(KILL_AFTER_MS)));
        server.child.kill().expect("SIGKILL the server");
        server.child.wait().expect("reap the server");
        for worker in workers {
            cut += usize::from(worker.join().expect("a worker panicked"));
        }
    }

    // Started once more: every acknowledged write must be there, whole.
    let server = Server::start(dir, &args);
    let acked = shared.acked.lock().unwrap().clone();
    let lost = lost(&server.addr, &token, name, &acked);
    let present = acked.len() - lost.len();
    let get = |path: &str| {
        let (status, body) = request(&server.addr, "GET", path, &token, None).unwrap();
        (
            status,
            serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
        )
    };
    // Nothing half-written: the hundred newest case files of the country (the list's first page),
    // acknowledged or not, open whole (every sealed field of their people and contacts).
    let (status, newest) = get("/api/v1/cases");
    assert_eq!(status, 200, "{name}: {newest}");
    let newest = ids_in(&newest["cases"]);
    assert!(!newest.is_empty(), "{name}: no case stored");
    for case in &newest {
        let (status, file) = get(&format!("/api/v1/cases/{case}"));
        assert_eq!(status, 200, "{name}: case {case} does not open: {file}");
    }
    let (clean, _) = server.terminate();
    assert!(clean, "{name}: the last start did not stop cleanly");
    admin(dir, database, &["audit", "verify"]);

    let refused = shared.refused.lock().unwrap().clone();
    println!(
        "{name}: {} acknowledged, {present} present, {} lost ({} kills cutting {cut} requests in flight, {} \
         case files opened, {} answers other than success: {refused:?})",
        acked.len(),
        lost.len(),
        kills(),
        newest.len(),
        refused.len(),
    );
    assert!(lost.is_empty(), "{name}: acknowledged and lost: {lost:?}");
    Tally {
        acknowledged: acked.len(),
        present,
        refused,
        cut,
    }
}

/// A server busy at a kill may answer 503; anything else it refused is the harness's mistake.
fn check(name: &str, tally: &Tally) {
    assert!(tally.acknowledged > 0, "{name}: nothing was acknowledged");
    assert!(
        tally.cut > 0,
        "{name}: no kill came while a write was in flight"
    );
    assert_eq!(tally.present, tally.acknowledged, "{name}");
    assert!(
        tally.refused.iter().all(|status| *status == 503),
        "{name}: refused {:?}",
        tally.refused
    );
}

#[test]
fn no_acknowledged_write_is_lost_when_sqlite_serve_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let tally = harness("sqlite", dir.path(), None);
    check("sqlite", &tally);
}

#[tokio::test]
async fn no_acknowledged_write_is_lost_when_postgres_serve_is_killed() {
    let Some(db) = testing::postgres().await else {
        testing::not_run(&format!(
            "the PostgreSQL crash harness ({} not set)",
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
    let url = db.url.clone();
    let tally = tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        harness("postgres", dir.path(), Some(&url))
    })
    .await
    .unwrap();
    check("postgres", &tally);
    db.cleanup().await;
}
