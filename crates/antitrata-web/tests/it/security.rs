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
        let state = AppState::new(db.store.clone(), WebConfig::default(), test_runtime(clock));
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
                    assert_eq!(retry.unwrap(), "1", "told when to come back");
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

/// Everything logged by any thread of this test binary, at every level, from the first call on.
fn captured_log() -> &'static std::sync::Mutex<Vec<u8>> {
    use std::sync::{Mutex, OnceLock};

    static LOG: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log: &'static Mutex<Vec<u8>> = Box::leak(Box::new(Mutex::new(Vec::new())));
        struct Writer(&'static Mutex<Vec<u8>>);
        impl std::io::Write for Writer {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Writer(log))
            .init();
        log
    })
}

#[tokio::test]
async fn a_whole_console_session_logs_no_secret_and_no_personal_field() {
    let log = captured_log();
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
