//! Attacks on signing in, as an attacker would make them: wrong passwords from one address
//! against everyone, passwords raced past the throttle, a known password used to guess the
//! second factor, and a burst of sign-ins against the public directory. Where the address
//! matters, through a real socket from two loopback addresses.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use antitrata_domain::Role;
use antitrata_domain::throttle::SECOND_FACTOR;
use antitrata_store::ThrottleKey;
use antitrata_store::testing::{TestDb, seeded_backends};
use antitrata_web::{AppState, Clock, WebConfig, app};
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use time::Duration;
use tower::ServiceExt;

use crate::console::{
    PASSWORD, account, code, console, cookie, hidden_csrf, login, set_password,
    sign_in_with_enrolment,
};
use crate::support::{FixedClock, test_runtime};

/// A client of the real server that connects from one loopback address.
struct From {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl From {
    fn new(base: &str, address: &str) -> From {
        let mut connector = HttpConnector::new();
        connector.set_local_address(Some(address.parse().unwrap()));
        From {
            client: Client::builder(TokioExecutor::new()).build(connector),
            base: base.to_owned(),
        }
    }

    async fn send(&self, request: Request<Full<Bytes>>) -> Answer {
        let response = self.client.request(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Posts the sign-in form with a fresh login CSRF token.
    async fn sign_in(&self, email: &str, password: &str) -> Answer {
        let page = self
            .send(
                Request::get(format!("{}/console/login", self.base))
                    .body(Full::default())
                    .unwrap(),
            )
            .await;
        let csrf = hidden_csrf(&page.body);
        let form = format!(
            "csrf={csrf}&email={}&password={}",
            email.replace('@', "%40"),
            password
        );
        self.send(
            Request::post(format!("{}/console/login", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", format!("antitrata_login_csrf={csrf}"))
                .header("accept-language", "en")
                .body(Full::new(Bytes::from(form)))
                .unwrap(),
        )
        .await
    }
}

/// The real server over `db`, on a port of its own; stops when the sender is dropped.
async fn serve(db: &TestDb, clock: Arc<FixedClock>) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(db.store.clone(), WebConfig::default(), test_runtime(clock));
    tokio::spawn(antitrata_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    (base, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_from_one_address_do_not_lock_out_another() {
    for db in seeded_backends().await {
        let c = console(&db);
        account(&c.store, 1, "ana@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;
        let (base, _stop) = serve(&db, Arc::clone(&c.clock)).await;
        let attacker = From::new(&base, "127.0.0.2");
        let ana = From::new(&base, "127.0.0.1");

        for n in 0..5 {
            let wrong = attacker
                .sign_in(&format!("someone-{n}@example.org"), "guess-guess-guess")
                .await;
            assert_eq!(wrong.status, 401, "{}: guess {n}", db.name);
        }
        let sixth = attacker.sign_in("someone@example.org", "guess").await;
        assert_eq!(
            sixth.status, 429,
            "{}: the attacker's address waits",
            db.name
        );

        let right = ana.sign_in("ana@example.org", PASSWORD).await;
        assert_eq!(
            right.status, 303,
            "{}: a sign-in from another address goes ahead: {}",
            db.name, right.body
        );
        assert!(
            right.headers["location"] == "/console/totp/enrol",
            "{:?}",
            right.headers
        );
        // The addresses are counted apart, and neither is stored as an address.
        for address in ["127.0.0.1", "127.0.0.2"] {
            let like = format!("login_throttle where key like '%{address}%'");
            assert_eq!(c.store.count_rows_for_tests(&like).await.unwrap(), 0);
        }
        let attacker_key = ThrottleKey::Address("127.0.0.2".parse().unwrap());
        assert_eq!(
            c.store
                .attempts_counted(attacker_key)
                .await
                .unwrap()
                .unwrap()
                .0,
            5
        );
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_wrong_passwords_at_once_get_only_the_free_attempts_checked() {
    for db in seeded_backends().await {
        let c = console(&db);
        account(&c.store, 1, "ana@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;
        let (base, _stop) = serve(&db, Arc::clone(&c.clock)).await;
        let attacker = Arc::new(From::new(&base, "127.0.0.3"));
        let guesses: Vec<_> = (0..16)
            .map(|n| {
                let attacker = Arc::clone(&attacker);
                tokio::spawn(async move {
                    attacker
                        .sign_in("ana@example.org", &format!("guess-number-{n}"))
                        .await
                        .status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for guess in guesses {
            statuses.push(guess.await.unwrap().as_u16());
        }
        let checked = statuses.iter().filter(|s| **s == 401).count();
        let throttled = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((checked, throttled), (5, 11), "{}: {statuses:?}", db.name);
        db.cleanup().await;
    }
}

/// A six-digit code that is none of the codes valid around now.
fn wrong_code(secret: &[u8], c: &crate::console::Console) -> String {
    let valid: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|offset| {
            c.clock.advance(Duration::seconds(*offset));
            let code = code(secret, c);
            c.clock.advance(Duration::seconds(-*offset));
            code
        })
        .collect();
    (0..10)
        .map(|d| d.to_string().repeat(6))
        .find(|candidate| !valid.contains(candidate))
        .unwrap()
}

#[tokio::test]
async fn a_known_password_buys_only_the_scheduled_second_factor_guesses_an_hour() {
    for db in seeded_backends().await {
        let c = console(&db);
        let user = account(&c.store, 1, "ana@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;
        sign_in_with_enrolment(&c, user, "ana@example.org").await;
        let secret = c.store.totp_secret(user).await.unwrap().unwrap();
        let start = c.clock.now();

        // The attacker knows the password: signs in again and again, guessing codes until told
        // to wait, then waits a minute and signs in afresh.
        let mut guesses = 0;
        let mut sign_ins = 0;
        while c.clock.now() - start < Duration::hours(1) {
            let reply = login(&c, "ana@example.org", PASSWORD).await;
            assert_eq!(
                reply.header("location"),
                "/console/login/totp",
                "{}",
                db.name
            );
            sign_ins += 1;
            let pending = format!(
                "antitrata_session={}",
                cookie(&reply, "antitrata_session").unwrap()
            );
            let page = crate::console::get_as(&c.app, "/console/login/totp", &pending).await;
            loop {
                let guess = crate::console::post(
                    &c.app,
                    "/console/login/totp",
                    &pending,
                    &[
                        ("csrf", &hidden_csrf(&page.body)),
                        ("code", &wrong_code(&secret, &c)),
                    ],
                )
                .await;
                match guess.status.as_u16() {
                    401 => guesses += 1,
                    429 => break,
                    other => panic!("{other}: {}", guess.body),
                }
            }
            c.clock.advance(Duration::minutes(1));
        }
        let most = SECOND_FACTOR.most_attempts_within(Duration::hours(1));
        assert!(
            guesses <= most,
            "{}: {guesses} guesses in an hour over {sign_ins} sign-ins (at most {most})",
            db.name
        );
        assert!(
            guesses >= SECOND_FACTOR.free_attempts,
            "{}: the free guesses were checked ({guesses})",
            db.name
        );
        assert!(sign_ins > 30, "{}: the password kept working", db.name);
        let log = c.store.list_audit(0, 2000).await.unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.action == "login.totp-failed")
                .count(),
            guesses as usize
        );
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_sign_ins_queues_for_argon2_and_the_rest_are_told_to_come_back() {
    for db in seeded_backends().await {
        let clock = FixedClock::new();
        // On a loaded machine the last in the queue may wait long: no request time limit may
        // answer for the queue.
        let config = WebConfig {
            request_timeout: std::time::Duration::from_secs(600),
            ..WebConfig::default()
        };
        let state = AppState::new(db.store.clone(), config, test_runtime(clock));
        state.warm_up().await.unwrap();
        let app = app(state);
        let page = crate::support::get(&app, "/console/login").await;
        let csrf = cookie(&page, "antitrata_login_csrf").unwrap();

        // 32 sign-ins from 32 addresses (no throttle applies), each costing a full Argon2 check.
        let address = |n: u8| IpAddr::from([198, 51, 100, n]);
        let sign_ins: Vec<_> = (0..32u8)
            .map(|n| {
                let (app, csrf) = (app.clone(), csrf.clone());
                tokio::spawn(async move {
                    let mut request = Request::post("/console/login")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("cookie", format!("antitrata_login_csrf={csrf}"))
                        .body(Body::from(format!(
                            "csrf={csrf}&email=nobody-{n}%40example.org&password=guess"
                        )))
                        .unwrap();
                    let peer = SocketAddr::new(address(n), 40_000);
                    request.extensions_mut().insert(ConnectInfo(peer));
                    let reply = app.oneshot(request).await.unwrap();
                    let retry = reply.headers().get("retry-after").cloned();
                    (n, reply.status().as_u16(), retry)
                })
            })
            .collect();
        // A visitor during the burst, as a task on the same workers like a connection's.
        let visitor = tokio::spawn({
            let app = app.clone();
            async move { crate::support::get(&app, "/es/gt").await.status }
        });
        assert_eq!(visitor.await.unwrap(), 200);

        let mut checked = 0;
        let mut busy = 0;
        for sign_in in sign_ins {
            let (n, status, retry) = sign_in.await.unwrap();
            let counted = db
                .store
                .attempts_counted(ThrottleKey::Address(address(n)))
                .await
                .unwrap();
            match status {
                401 => {
                    checked += 1;
                    assert_eq!(counted.map(|c| c.0), Some(1));
                }
                503 => {
                    busy += 1;
                    assert_eq!(
                        retry.as_ref().map(|v| v.to_str().unwrap()),
                        Some("1"),
                        "{}: a 503 that is not the queue's 'busy'",
                        db.name
                    );
                    assert_eq!(counted, None, "a sign-in told to come back counts nowhere");
                }
                other => panic!("{}: {other}", db.name),
            }
        }
        // At most one running and sixteen waiting (Hashing::WORKERS and QUEUE).
        assert!(checked >= 17, "{}: {checked} checked", db.name);
        assert!(busy >= 1, "{}: the queue was full at some point", db.name);
        assert_eq!(checked + busy, 32);
        db.cleanup().await;
    }
}

/// A session of a new account `n` with `role`, past its second factor, whose forms carry `csrf`:
/// the `Cookie` header that opens it.
async fn signed_in_as(
    c: &crate::console::Console,
    n: u128,
    role: Role,
    country: Option<&str>,
    csrf: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let email = format!("{}-{n}@example.org", role.as_str());
    let user = account(&c.store, n, &email, role, country).await;
    let token = format!("session-of-{n}");
    c.store
        .insert_session(
            &Sha256::digest(token.as_bytes()),
            user,
            csrf,
            true,
            c.clock.now(),
        )
        .await
        .unwrap();
    format!("antitrata_session={token}")
}

#[tokio::test]
async fn a_whole_console_session_logs_no_secret_and_no_personal_field() {
    let log = antitrata_store::testing::captured_log();
    for db in seeded_backends().await {
        let c = console(&db);
        // The setup token is `setup-4242` (see `account`).
        let user = account(
            &c.store,
            4242,
            "zqx.logcanary@example.org",
            Role::Operator,
            Some("GT"),
        )
        .await;
        set_password(&c, 4242).await;
        let session = sign_in_with_enrolment(&c, user, "zqx.logcanary@example.org").await;
        let secret = c.store.totp_secret(user).await.unwrap().unwrap();
        // As the enrolment page shows it to type by hand (base32).
        let manual_key = totp_rs::Secret::Raw(secret.clone())
            .to_encoded()
            .to_string();

        let page = crate::console::get_as(&c.app, "/console/contacts/new", &session).await;
        let csrf = hidden_csrf(&page.body);
        let mut form = crate::casework::contact_form(&page.body, &csrf);
        for (name, value) in &mut form {
            match *name {
                "summary" => *value = "Zqxsummary locked in a bar".into(),
                "caller_locality" => *value = "Zqxlocality".into(),
                _ => {}
            }
        }
        form.push(("caller_locality", "Zqxlocality".into()));
        form.push(("notes", "Zqxnotes".into()));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let saved = crate::console::post(&c.app, "/console/contacts", &session, &pairs).await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let contact = crate::console::get_as(&c.app, saved.header("location"), &session).await;
        assert!(
            contact.body.contains("Zqxlocality"),
            "the locality is shown back"
        );
        let search = crate::console::post(
            &c.app,
            "/console/persons/search",
            &session,
            &[
                ("csrf", &csrf),
                ("name", "Zqxsearched Person"),
                ("phone", "7391 4826"),
            ],
        )
        .await;
        assert_eq!(search.status, 200, "{}", search.body);
        // A case with a person of the case: name, aliases, phone, address.
        let case = crate::casework::open_case(&c, &session, 4343).await;
        let added = crate::console::post(
            &c.app,
            &format!("{case}/persons"),
            &session,
            &[
                ("csrf", &csrf),
                ("person_id", &uuid::Uuid::from_u128(4344).to_string()),
                ("role", "victim"),
                ("name", "Zqxpersonname Wobble"),
                ("aliases", "Zqxalias"),
                ("phone", "5555 0377"),
                ("address", "Zqxaddress 12"),
                ("born_on", "1990-03-04"),
            ],
        )
        .await;
        assert_eq!(added.status, 303, "{}", added.body);
        let case_page = crate::console::get_as(&c.app, &case, &session).await;
        assert!(
            case_page.body.contains("Zqxpersonname"),
            "the person is shown back"
        );
        // A wrong password and a wrong code are logged as failures, never as what was typed.
        crate::console::login(&c, "zqx.logcanary@example.org", "Zqxwrongpassword-1").await;

        let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
        assert!(
            text.contains("route=/console/setup/{token}"),
            "{}: the capture sees the session's requests, by route",
            db.name
        );
        for secret in [
            "setup-4242",
            crate::console::PASSWORD,
            "Zqxwrongpassword",
            &manual_key,
            "zqx.logcanary",
            "Zqxsummary",
            "Zqxlocality",
            "Zqxnotes",
            "Zqxsearched",
            "7391 4826",
            "73914826",
            "Zqxpersonname",
            "Zqxalias",
            "Zqxaddress",
            "5555 0377",
            "55550377",
        ] {
            assert!(
                !text.contains(secret),
                "{}: the log holds {secret:?}",
                db.name
            );
        }
        let session_token = session.trim_start_matches("antitrata_session=");
        assert!(
            !text.contains(session_token),
            "the session token is not logged"
        );
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_never_finish_their_headers_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let db = antitrata_store::testing::sqlite().await;
    db.store.seed_reference_data().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = WebConfig {
        header_read_timeout: std::time::Duration::from_secs(1),
        ..WebConfig::default()
    };
    let state = AppState::new(db.store.clone(), config, test_runtime(FixedClock::new()));
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(antitrata_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));

    // Fifty clients start a request and never finish its headers.
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /es/gt HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1")
            .await
            .unwrap();
        slow.push(stream);
    }
    // Meanwhile a visitor is served.
    let visitor = From::new(&format!("http://{address}"), "127.0.0.1")
        .send(
            Request::get(format!("http://{address}/es/gt"))
                .body(Full::default())
                .unwrap(),
        )
        .await;
    assert_eq!(visitor.status, 200);
    // Each slow connection is closed by the server (the guard only stops a hung test).
    for (n, mut stream) in slow.into_iter().enumerate() {
        let mut buf = [0u8; 1024];
        let read = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    // hyper may answer 408 before closing: read on to the end.
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(read.is_ok(), "connection {n} was still open after 20 s");
    }
    db.cleanup().await;
}

/// Every state-changing console route, from the route table: a form without the right CSRF token
/// is refused (403) and changes nothing, for an account whose roles may use the route. A route
/// added to the table is covered the day it is added.
#[tokio::test]
async fn every_console_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    use antitrata_web::{Access, CONSOLE_ROUTES, allows};

    for db in seeded_backends().await {
        let c = console(&db);
        // An account of each role, signed in with its second factor.
        let mut sessions = Vec::new();
        for (n, role) in Role::ASSIGNABLE.into_iter().enumerate() {
            let country = role.is_country_role().then_some("GT");
            let csrf = format!("the-right-csrf-token-{n}");
            sessions.push((
                role,
                signed_in_as(&c, 500 + n as u128, role, country, &csrf).await,
            ));
        }
        let posts: Vec<_> = CONSOLE_ROUTES
            .iter()
            .filter(|(method, path, _)| *method == "POST" && *path != "/console/logout")
            .collect();
        assert!(posts.len() >= 15, "the table's forms: {}", posts.len());
        for (_, path, access) in posts {
            let uri = path
                .replace("{token}", "setup-501")
                .replace("{id}", "00000000-0000-7000-8000-000000000001");
            let session = match access {
                Access::Public => String::new(),
                _ => sessions
                    .iter()
                    .find(|(role, _)| allows(*access, &[*role], true))
                    .map(|(_, s)| s.clone())
                    .unwrap_or_else(|| panic!("no role may use {path}")),
            };
            let audit_before = c.store.verify_audit().await.unwrap().entries;
            // No token at all (a malformed form, 400, or a refused one, 403), and a wrong one.
            for (form, refusals) in [
                (vec![], &[400, 403][..]),
                (vec![("csrf", "not-the-token")], &[403][..]),
            ] {
                let cookie =
                    format!("{session}; antitrata_login_csrf=a-login-token-of-at-least-32-chars");
                let reply = crate::console::post(&c.app, &uri, &cookie, &form).await;
                assert!(
                    refusals.contains(&reply.status.as_u16()),
                    "{}: POST {path} with {form:?} must be refused, got {}",
                    db.name,
                    reply.status
                );
            }
            assert_eq!(
                c.store.verify_audit().await.unwrap().entries,
                audit_before,
                "{}: a refused POST {path} wrote nothing to the audit trail",
                db.name
            );
        }
        db.cleanup().await;
    }
}

/// Every API route that is not public, from the route table: a console session cookie opens
/// nothing (the API takes bearer tokens only, so a page on another site cannot act through a
/// signed-in browser).
#[tokio::test]
async fn the_api_takes_no_session_cookie_for_any_route() {
    use antitrata_web::{API_ROUTES, Access};

    for db in seeded_backends().await {
        let c = console(&db);
        let session = signed_in_as(&c, 601, Role::Supervisor, Some("GT"), "cookie-csrf").await;
        for (method, path, access) in API_ROUTES {
            if *access == Access::Public {
                continue;
            }
            let uri = path.replace("{id}", "00000000-0000-7000-8000-000000000001");
            let request = Request::builder()
                .method(*method)
                .uri(&uri)
                .header("cookie", &session)
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let reply = crate::support::send(&c.app, request).await;
            assert_eq!(
                reply.status, 401,
                "{}: {method} {path} with only a session cookie: {}",
                db.name, reply.body
            );
        }
        db.cleanup().await;
    }
}

/// One record of each kind in Guatemala, made through the store: the ids another country's
/// accounts will aim at.
struct Guatemala {
    case: uuid::Uuid,
    person: uuid::Uuid,
    contact: uuid::Uuid,
    consent: uuid::Uuid,
    referral: uuid::Uuid,
    service: uuid::Uuid,
    follow_up: uuid::Uuid,
    user: uuid::Uuid,
    /// A differentially private release paid from Guatemala's budget, with its evaluation.
    release: uuid::Uuid,
}

/// Every free-text field holds `text`.
async fn guatemala(store: &antitrata_store::Store, text: &str) -> Guatemala {
    use antitrata_domain::PersonId;
    use antitrata_domain::casework::*;
    use antitrata_store::testing::actor;
    use uuid::Uuid;

    let gt = antitrata_domain::CountryCode::parse("GT").unwrap();
    let operator = actor(Role::Operator, Some("GT"));
    let worker = actor(Role::Caseworker, Some("GT"));
    let admin = actor(Role::CountryAdmin, Some("GT"));
    let ids = Guatemala {
        case: Uuid::from_u128(701),
        person: Uuid::from_u128(702),
        contact: Uuid::from_u128(703),
        consent: Uuid::from_u128(704),
        referral: Uuid::from_u128(705),
        service: Uuid::from_u128(706),
        follow_up: Uuid::from_u128(707),
        release: Uuid::from_u128(709),
        user: account(
            store,
            708,
            "gt-worker@example.org",
            Role::Caseworker,
            Some("GT"),
        )
        .await
        .0,
    };
    let input = ContactInput {
        channel: "call".into(),
        language: "es".into(),
        caller_role: "potential-victim".into(),
        outcome: "case-opened-or-linked".into(),
        immediate_danger: true,
        summary: text.into(),
        notes: text.into(),
        caller_locality: text.into(),
        ..ContactInput::default()
    };
    let contact = NewContact::parse(&input, gt, operator.at).unwrap();
    store
        .insert_contact(&operator, ContactId(ids.contact), &contact)
        .await
        .unwrap();
    store
        .open_case(
            &worker,
            CaseId(ids.case),
            &CaseDetails::default(),
            Some(ContactId(ids.contact)),
        )
        .await
        .unwrap();
    let person = CasePersonInput {
        role: "victim".into(),
        name: text.into(),
        aliases: text.into(),
        address: text.into(),
        born_on: "1990-01-01".into(),
        ..CasePersonInput::default()
    };
    store
        .add_case_person(
            &worker,
            PersonId(ids.person),
            CaseId(ids.case),
            &CasePerson::parse(&person, gt, worker.at.date()).unwrap(),
        )
        .await
        .unwrap();
    let service = ServiceInput {
        organization: text.into(),
        name: text.into(),
        categories: vec!["shelter".into()],
        locality: text.into(),
        ..ServiceInput::default()
    };
    store
        .save_service(
            &admin,
            ServiceId(ids.service),
            &ServiceDetails::parse(&service, gt).unwrap(),
            true,
        )
        .await
        .unwrap();
    let consent = ConsentInput {
        person: ids.person.to_string(),
        scope: "referral".into(),
        given_by: "self".into(),
        ..ConsentInput::default()
    };
    store
        .record_consent(
            &worker,
            ConsentId(ids.consent),
            CaseId(ids.case),
            &NewConsent::parse(&consent, false, worker.at.date()).unwrap(),
        )
        .await
        .unwrap();
    store
        .refer_case(
            &worker,
            ReferralId(ids.referral),
            antitrata_store::NewReferral {
                case: CaseId(ids.case),
                person: PersonId(ids.person),
                service: ServiceId(ids.service),
                notes: Some(text),
                override_reason: None,
            },
        )
        .await
        .unwrap();
    let task = NewFollowUp {
        title: text.into(),
        due_on: worker.at.date(),
        assignee: None,
    };
    store
        .add_follow_up(&worker, FollowUpId(ids.follow_up), CaseId(ids.case), &task)
        .await
        .unwrap();
    let spend = antitrata_store::Spend {
        release_id: ids.release,
        country: gt,
        year: worker.at.year(),
        method: "dp-aggregates".into(),
        budget: antitrata_store::Budget {
            epsilon_micros: 1_000_000,
            delta_femtos: 0,
        },
        rho_micros: 0,
        source: "cases-GT".into(),
        evaluation: Some(r#"{"exact_total": 1}"#.into()),
    };
    store
        .spend_privacy_budget(
            &actor(Role::Supervisor, Some("GT")),
            &spend,
            antitrata_app::releases::DEFAULT_YEARLY_LIMIT,
            |_| Ok(((), Vec::new())),
        )
        .await
        .unwrap();
    ids
}

impl Guatemala {
    /// The Guatemalan record a route's `{id}` names, by the path segment before it.
    fn id_for(&self, path: &str) -> uuid::Uuid {
        let kind = path
            .split("/{id}")
            .next()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap();
        match kind {
            "cases" => self.case,
            "persons" => self.person,
            "contacts" => self.contact,
            "consents" => self.consent,
            "referrals" => self.referral,
            "services" => self.service,
            "follow-ups" => self.follow_up,
            "users" => self.user,
            "releases" => self.release,
            other => panic!("{path}: which record is a `{other}`? Add it to Guatemala"),
        }
    }

    /// Everything about the records, as Guatemala's own roles read them.
    async fn snapshot(&self, store: &antitrata_store::Store) -> String {
        use antitrata_domain::casework::{CaseId, ContactId, ServiceId};
        use antitrata_store::testing::actor;
        let worker = actor(Role::Caseworker, Some("GT"));
        let file = store.case_file(&worker, CaseId(self.case)).await.unwrap();
        let contact = store
            .find_contact(&worker, ContactId(self.contact))
            .await
            .unwrap();
        let admin = actor(Role::CountryAdmin, Some("GT"));
        let service = store
            .find_service(&admin, ServiceId(self.service))
            .await
            .unwrap();
        let user = store
            .find_user(antitrata_domain::UserId(self.user))
            .await
            .unwrap();
        format!("{file:?}\n{contact:?}\n{service:?}\n{user:?}")
    }
}

/// Horizontal access over the route table: Honduras's accounts, each with the role a route
/// needs, aim every console and API route that names a record at Guatemala's records. The
/// answer is the one a record that does not exist gets (so ids do not tell where a case lives),
/// it is never a success, and Guatemala's records do not change.
#[tokio::test]
async fn another_countrys_records_answer_every_route_like_records_that_do_not_exist() {
    use antitrata_web::{API_ROUTES, Access, CONSOLE_ROUTES, allows};

    for db in seeded_backends().await {
        let c = console(&db);
        let gt = guatemala(&c.store, "Ana Horizontal").await;
        let before = gt.snapshot(&c.store).await;

        // Honduras: a console session and an API token per country role.
        let mut sessions = Vec::new();
        let mut tokens = Vec::new();
        for (n, role) in Role::ASSIGNABLE
            .into_iter()
            .filter(|r| r.is_country_role())
            .enumerate()
        {
            let session = signed_in_as(&c, 800 + n as u128, role, Some("HN"), "hn-csrf").await;
            sessions.push((role, session));
            let bearer =
                crate::api_casework::service_token(&c.store, 900 + n as u128, role, Some("HN"))
                    .await;
            tokens.push((role, bearer));
        }
        let missing = "00000000-0000-7000-8000-0000000000ff";
        let mut checked = 0;
        for (method, path, access) in CONSOLE_ROUTES {
            // The directory's lines are public (the API lists them with their ids): another
            // country's line is refused as such, 403 (tests/it/directory_edit.rs).
            if !path.contains("{id}") || path.starts_with("/console/directory/") {
                continue;
            }
            let Some((_, session)) = sessions.iter().find(|(r, _)| allows(*access, &[*r], true))
            else {
                continue;
            };
            let case = gt.case.to_string();
            let answer = async |id: &str| {
                let uri = path.replace("{id}", id);
                let reply = match *method {
                    "GET" => crate::console::get_as(&c.app, &uri, session).await,
                    _ => {
                        let form = [("csrf", "hn-csrf"), ("case", case.as_str())];
                        crate::console::post(&c.app, &uri, session, &form).await
                    }
                };
                reply.status.as_u16()
            };
            let theirs = answer(&gt.id_for(path).to_string()).await;
            let nobodys = answer(missing).await;
            assert_eq!(
                theirs, nobodys,
                "{}: {method} {path} tells Guatemala's record from a missing one",
                db.name
            );
            assert!(
                theirs >= 400,
                "{}: {method} {path} answered {theirs}",
                db.name
            );
            checked += 1;
        }
        for (method, path, access) in API_ROUTES {
            if !path.contains("{id}") || *access == Access::Public {
                continue;
            }
            let Some((_, token)) = tokens.iter().find(|(r, _)| allows(*access, &[*r], true)) else {
                continue;
            };
            let method = axum::http::Method::from_bytes(method.as_bytes()).unwrap();
            let answer = async |id: &str| {
                let uri = path.replace("{id}", id);
                let body = (method != axum::http::Method::GET).then(|| serde_json::json!({}));
                crate::api_casework::call(&c.app, method.clone(), &uri, token, body)
                    .await
                    .status
                    .as_u16()
            };
            let theirs = answer(&gt.id_for(path).to_string()).await;
            let nobodys = answer(missing).await;
            assert_eq!(
                theirs, nobodys,
                "{}: {method} {path} tells Guatemala's record from a missing one",
                db.name
            );
            assert!(
                theirs >= 400,
                "{}: {method} {path} answered {theirs}",
                db.name
            );
            checked += 1;
        }
        assert!(checked >= 25, "{checked} routes checked");
        assert_eq!(
            gt.snapshot(&c.store).await,
            before,
            "{}: Guatemala's records did not change",
            db.name
        );
        db.cleanup().await;
    }
}

/// Markup typed into every free-text field comes back escaped on every page that shows it.
#[tokio::test]
async fn markup_in_every_free_text_field_is_shown_as_text() {
    const PAYLOAD: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    for db in seeded_backends().await {
        let c = console(&db);
        let gt = guatemala(&c.store, PAYLOAD).await;
        let mut sessions = Vec::new();
        for (n, role) in [Role::Caseworker, Role::Supervisor, Role::CountryAdmin]
            .into_iter()
            .enumerate()
        {
            sessions.push(signed_in_as(&c, 950 + n as u128, role, Some("GT"), "xss").await);
        }
        // (session, page, whether the page shows the text)
        let pages = [
            (0, format!("/console/cases/{}", gt.case), true),
            (0, format!("/console/contacts/{}", gt.contact), true),
            (0, "/console/work".to_owned(), false),
            (1, "/console/queue".to_owned(), false),
            (2, "/console/services".to_owned(), true),
            (2, format!("/console/services/{}", gt.service), true),
        ];
        for (who, page, shows) in pages {
            let reply = crate::console::get_as(&c.app, &page, &sessions[who]).await;
            assert_eq!(reply.status, 200, "{}: {page}", db.name);
            for raw in ["<script>alert", "<img src=x", "onerror=alert(2)>"] {
                assert!(
                    !reply.body.contains(raw),
                    "{}: {page} shows {raw:?} unescaped",
                    db.name
                );
            }
            // askama writes `<` as `&#60;` and `>` as `&#62;`.
            if shows {
                assert!(
                    reply.body.contains("&#60;script&#62;alert(1)"),
                    "{}: {page} shows the text, escaped",
                    db.name
                );
            }
        }
        db.cleanup().await;
    }
}

/// Confirming the current password to change it is a password attempt like a sign-in: a session
/// left open does not let anyone guess the password behind it.
#[tokio::test]
async fn the_current_password_check_is_throttled_like_a_sign_in() {
    for db in seeded_backends().await {
        let c = console(&db);
        let user = account(&c.store, 1, "ana@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;
        let session = sign_in_with_enrolment(&c, user, "ana@example.org").await;
        let page = crate::console::get_as(&c.app, "/console/account", &session).await;
        let csrf = hidden_csrf(&page.body);
        let mut statuses = Vec::new();
        for n in 0..8 {
            let guess = format!("guess-number-{n}");
            let reply = crate::console::post(
                &c.app,
                "/console/account",
                &session,
                &[
                    ("csrf", &csrf),
                    ("current", &guess),
                    ("password", "lamp-orbit-violet-cactus-2"),
                    ("confirm", "lamp-orbit-violet-cactus-2"),
                ],
            )
            .await;
            statuses.push(reply.status.as_u16());
        }
        assert_eq!(
            statuses,
            [401, 401, 401, 401, 401, 429, 429, 429],
            "{}: five guesses, then waits",
            db.name
        );
        let log = c.store.list_audit(0, 1000).await.unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.action == "account.password-check-failed")
                .count(),
            5
        );
        db.cleanup().await;
    }
}

/// A client's `X-Request-Id` never becomes the request id of the audit trail.
#[tokio::test]
async fn a_client_chosen_request_id_is_not_written_into_the_audit_trail() {
    for db in seeded_backends().await {
        let c = console(&db);
        account(&c.store, 1, "ana@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;
        let page = crate::console::get_as(&c.app, "/console/login", "").await;
        let csrf = cookie(&page, "antitrata_login_csrf").unwrap();
        let request = Request::post("/console/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("antitrata_login_csrf={csrf}"))
            .header("x-request-id", "planted-request-id")
            .body(Body::from(format!(
                "csrf={csrf}&email=ana%40example.org&password=wrong-wrong-wrong"
            )))
            .unwrap();
        let reply = crate::support::send(&c.app, request).await;
        assert_eq!(reply.status, 401);
        let ours = reply.header("x-request-id").to_owned();
        assert!(
            uuid::Uuid::parse_str(&ours).is_ok(),
            "the answer carries the server's own id: {ours:?}"
        );
        let log = c.store.list_audit(0, 1000).await.unwrap();
        let failed = log.iter().find(|e| e.action == "login.failed").unwrap();
        assert_eq!(
            failed.request_id.as_deref(),
            Some(ours.as_str()),
            "{}",
            db.name
        );
        assert!(
            log.iter()
                .all(|e| e.request_id.as_deref() != Some("planted-request-id"))
        );
        db.cleanup().await;
    }
}

/// Markup sent in a form or a query string comes back escaped where the page repeats it.
#[tokio::test]
async fn markup_sent_in_a_request_is_repeated_only_escaped() {
    const PAYLOAD: &str = "<script>alert(3)</script>\"><svg onload=alert(4)>";
    for db in seeded_backends().await {
        let c = console(&db);
        let session = signed_in_as(&c, 990, Role::Caseworker, Some("GT"), "reflected").await;
        let encoded: String = PAYLOAD.bytes().map(|b| format!("%{b:02X}")).collect();
        let replies = [
            login(&c, PAYLOAD, "whatever-it-is").await,
            crate::console::get_as(
                &c.app,
                &format!("/console/cases?reference={encoded}"),
                &session,
            )
            .await,
            crate::console::post(
                &c.app,
                "/console/persons/search",
                &session,
                &[("csrf", "reflected"), ("name", PAYLOAD), ("phone", "")],
            )
            .await,
            crate::support::get(&c.app, &format!("/es/{encoded}")).await,
            crate::support::get(&c.app, &format!("/api/v1/cases?reference={encoded}")).await,
        ];
        for (n, reply) in replies.iter().enumerate() {
            for raw in ["<script>alert(3)", "<svg onload"] {
                assert!(
                    !reply.body.contains(raw),
                    "{}: reply {n} ({}) repeats {raw:?} unescaped",
                    db.name,
                    reply.status
                );
            }
        }
        assert!(
            replies[0].body.contains("&#60;script&#62;alert(3)"),
            "the sign-in page gives the address typed back, escaped"
        );
        db.cleanup().await;
    }
}
