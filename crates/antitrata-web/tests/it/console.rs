//! The console on both backends: setup links, sign-in with password and TOTP, throttling, CSRF,
//! sessions, and the country scope of personal data.

use std::sync::Arc;

use antitrata_domain::policy::Action;
use antitrata_domain::{CountryCode, Email, Lang, NewAccount, NewPerson, PersonId, Role, UserId};
use antitrata_store::Store;
use antitrata_store::testing::{TestDb, actor, seeded_backends};
use antitrata_web::{AppState, WebConfig, app};
use axum::Router;
use axum::body::Body;
use axum::http::Request;
use sha2::{Digest, Sha256};
use time::Duration;
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

use crate::support::{FixedClock, Reply, get, send, test_runtime};

pub(crate) const PASSWORD: &str = "lamp-orbit-violet-cactus";

pub(crate) struct Console {
    pub app: Router,
    pub clock: Arc<FixedClock>,
    pub store: Store,
}

pub(crate) fn console(db: &TestDb) -> Console {
    let clock = FixedClock::new();
    let state = AppState::new(
        db.store.clone(),
        WebConfig::default(),
        test_runtime(clock.clone()),
    );
    Console {
        app: app(state),
        clock,
        store: db.store.clone(),
    }
}

/// An account with a known setup token `setup-<n>`.
pub(crate) async fn account(
    store: &Store,
    n: u128,
    email: &str,
    role: Role,
    country: Option<&str>,
) -> UserId {
    account_with_roles(store, n, email, &[role], country).await
}

/// An account holding every one of `roles` (e.g. a supervisor who is also the country's
/// administrator, for whom every console page opens), with the setup token `setup-{n}`.
pub(crate) async fn account_with_roles(
    store: &Store,
    n: u128,
    email: &str,
    roles: &[Role],
    country: Option<&str>,
) -> UserId {
    let cli = actor(Role::Cli, None);
    let id = UserId(Uuid::from_u128(n));
    let new = NewAccount {
        email: Email::parse(email).unwrap(),
        display_name: format!("User {n}"),
        language: Lang::En,
        roles: roles.to_vec(),
        country: country.map(|c| CountryCode::parse(c).unwrap()),
        service: false,
    };
    store.insert_user(&cli, id, &new).await.unwrap();
    let token = format!("setup-{n}");
    store
        .insert_setup_token(
            &cli,
            id,
            &Sha256::digest(token.as_bytes()),
            cli.at + Duration::days(3),
        )
        .await
        .unwrap();
    id
}

/// `name=value` pairs of the Set-Cookie headers.
pub(crate) fn cookies(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect()
}

pub(crate) fn cookie(reply: &Reply, name: &str) -> Option<String> {
    cookies(reply)
        .into_iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(str::to_owned))
        .filter(|v| !v.is_empty())
}

pub(crate) fn hidden_csrf(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

pub(crate) async fn post(
    app: &Router,
    uri: &str,
    cookie_header: &str,
    form: &[(&str, &str)],
) -> Reply {
    let body: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    let request = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie_header)
        .header("accept-language", "en")
        .body(Body::from(body.join("&")))
        .unwrap();
    send(app, request).await
}

pub(crate) async fn get_as(app: &Router, uri: &str, cookie_header: &str) -> Reply {
    let request = Request::get(uri)
        .header("cookie", cookie_header)
        .header("accept-language", "en");
    send(app, request.body(Body::empty()).unwrap()).await
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Opens the setup link and sets `PASSWORD`.
pub(crate) async fn set_password(c: &Console, n: u128) {
    let page = get_as(&c.app, &format!("/console/setup/setup-{n}"), "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = cookie(&page, "antitrata_login_csrf").unwrap();
    let cookie_header = format!("antitrata_login_csrf={csrf}");
    let done = post(
        &c.app,
        &format!("/console/setup/setup-{n}"),
        &cookie_header,
        &[
            ("csrf", &csrf),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Password saved"), "{}", done.body);
}

/// Posts the login form; returns the reply and the login CSRF cookie used.
pub(crate) async fn login(c: &Console, email: &str, password: &str) -> Reply {
    let page = get_as(&c.app, "/console/login", "").await;
    let csrf = cookie(&page, "antitrata_login_csrf").unwrap();
    assert_eq!(hidden_csrf(&page.body), csrf);
    post(
        &c.app,
        "/console/login",
        &format!("antitrata_login_csrf={csrf}"),
        &[("csrf", &csrf), ("email", email), ("password", password)],
    )
    .await
}

pub(crate) fn code(secret: &[u8], c: &Console) -> String {
    let totp = TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret.to_vec(),
        None,
        String::new(),
    )
    .unwrap();
    totp.generate(crate::support::now(&c.clock))
}

/// Signs in an account that needs a second factor, enrolling it: returns the session cookie.
pub(crate) async fn sign_in_with_enrolment(c: &Console, user: UserId, email: &str) -> String {
    let reply = login(c, email, PASSWORD).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(reply.header("location"), "/console/totp/enrol");
    let session = format!(
        "antitrata_session={}",
        cookie(&reply, "antitrata_session").unwrap()
    );
    let enrol = get_as(&c.app, "/console/totp/enrol", &session).await;
    assert_eq!(enrol.status, 200);
    assert!(enrol.body.contains("<svg"), "a QR code is shown");
    let secret = c.store.totp_secret(user).await.unwrap().unwrap();
    let done = post(
        &c.app,
        "/console/totp/enrol",
        &session,
        &[
            ("csrf", &hidden_csrf(&enrol.body)),
            ("code", &code(&secret, c)),
        ],
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("Recovery codes"),
        "recovery codes are shown once"
    );
    assert_eq!(recovery_codes(&done.body).len(), 10);
    session_cookie(&done)
}

/// The session cookie a reply sets, as a `Cookie` header; passing the second factor sets a new
/// one.
pub(crate) fn session_cookie(reply: &Reply) -> String {
    format!(
        "antitrata_session={}",
        cookie(reply, "antitrata_session").expect("a session cookie")
    )
}

/// The recovery codes on the page shown after enrolment.
fn recovery_codes(body: &str) -> Vec<String> {
    body.split("<code>")
        .skip(1)
        .map(|c| c.split("</code>").next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_setup_link_sets_a_strong_password_once() {
    for db in seeded_backends().await {
        let c = console(&db);
        account(&c.store, 1, "ana@example.org", Role::Operator, Some("GT")).await;
        let page = get_as(&c.app, "/console/setup/setup-1", "").await;
        let csrf = cookie(&page, "antitrata_login_csrf").unwrap();
        let jar = format!("antitrata_login_csrf={csrf}");
        let weak = post(
            &c.app,
            "/console/setup/setup-1",
            &jar,
            &[
                ("csrf", &csrf),
                ("password", "password1234"),
                ("confirm", "password1234"),
            ],
        )
        .await;
        assert_eq!(weak.status, 422);
        assert!(weak.body.contains("easy to guess"), "{}", weak.body);
        let mismatch = post(
            &c.app,
            "/console/setup/setup-1",
            &jar,
            &[
                ("csrf", &csrf),
                ("password", PASSWORD),
                ("confirm", "other"),
            ],
        )
        .await;
        assert!(mismatch.body.contains("do not match"));
        let no_csrf = post(
            &c.app,
            "/console/setup/setup-1",
            &jar,
            &[
                ("csrf", "forged"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
        assert_eq!(no_csrf.status, 403);
        set_password(&c, 1).await;
        assert_eq!(
            get_as(&c.app, "/console/setup/setup-1", "").await.status,
            404,
            "{}: used links die",
            db.name
        );
        assert_eq!(
            get_as(&c.app, "/console/setup/never-issued", "")
                .await
                .status,
            404
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn sign_in_needs_the_password_then_the_second_factor() {
    for db in seeded_backends().await {
        let c = console(&db);
        let user = account(&c.store, 1, "ana@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;

        let wrong = login(&c, "ana@example.org", "wrong-password-here").await;
        let unknown = login(&c, "nobody@example.org", PASSWORD).await;
        assert_eq!((wrong.status.as_u16(), unknown.status.as_u16()), (401, 401));
        assert!(
            wrong
                .body
                .contains("The e-mail address or password is wrong.")
        );
        assert!(
            unknown
                .body
                .contains("The e-mail address or password is wrong."),
            "no user enumeration"
        );

        let session = sign_in_with_enrolment(&c, user, "ana@example.org").await;
        let home = get_as(&c.app, "/console", &session).await;
        assert_eq!(home.status, 200, "{}", db.name);
        assert!(home.body.contains("Hello, User 1.") && home.body.contains("Operator"));
        assert_eq!(home.header("cache-control"), "no-store");

        // Next time the code is asked for, and a wrong code does not open the console.
        let again = login(&c, "ana@example.org", PASSWORD).await;
        assert_eq!(again.header("location"), "/console/login/totp");
        let pending = format!(
            "antitrata_session={}",
            cookie(&again, "antitrata_session").unwrap()
        );
        assert_ne!(pending, session, "every sign-in gets a new session token");
        let redirect = get_as(&c.app, "/console", &pending).await;
        assert_eq!(redirect.header("location"), "/console/login/totp");
        let page = get_as(&c.app, "/console/login/totp", &pending).await;
        let wrong = post(
            &c.app,
            "/console/login/totp",
            &pending,
            &[("csrf", &hidden_csrf(&page.body)), ("code", "000000")],
        )
        .await;
        assert_eq!(wrong.status, 401);
        assert_eq!(get_as(&c.app, "/console", &pending).await.status, 303);
        let secret = c.store.totp_secret(user).await.unwrap().unwrap();
        // The code used at enrolment, in the same 30 seconds, is a replay.
        let replay = post(
            &c.app,
            "/console/login/totp",
            &pending,
            &[
                ("csrf", &hidden_csrf(&page.body)),
                ("code", &code(&secret, &c)),
            ],
        )
        .await;
        assert_eq!(
            replay.status, 401,
            "{}: a used code does not work twice",
            db.name
        );
        c.clock.advance(Duration::seconds(30));
        let right = post(
            &c.app,
            "/console/login/totp",
            &pending,
            &[
                ("csrf", &hidden_csrf(&page.body)),
                ("code", &code(&secret, &c)),
            ],
        )
        .await;
        assert_eq!(right.header("location"), "/console");
        let signed_in = session_cookie(&right);
        assert_ne!(
            signed_in, pending,
            "passing the second factor gives a new token"
        );
        assert_eq!(get_as(&c.app, "/console", &signed_in).await.status, 200);
        assert_eq!(
            get_as(&c.app, "/console", &pending)
                .await
                .header("location"),
            "/console/login?expired=1",
            "the token from before the second factor no longer opens anything"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn session_cookies_are_protected_and_logout_needs_the_csrf_token() {
    for db in seeded_backends().await {
        let c = console(&db);
        let user = account(&c.store, 1, "ana@example.org", Role::Caseworker, Some("GT")).await;
        set_password(&c, 1).await;
        let reply = login(&c, "ana@example.org", PASSWORD).await;
        let set_cookie = reply
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|v| v.starts_with("antitrata_session="))
            .unwrap();
        for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/console"] {
            assert!(set_cookie.contains(flag), "{set_cookie} lacks {flag}");
        }
        let session = sign_in_with_enrolment(&c, user, "ana@example.org").await;
        let home = get_as(&c.app, "/console", &session).await;
        let forged = post(&c.app, "/console/logout", &session, &[("csrf", "forged")]).await;
        assert_eq!(forged.status, 403, "{}", db.name);
        let missing = post(&c.app, "/console/logout", &session, &[]).await;
        assert_eq!(missing.status, 403);
        assert_eq!(
            get_as(&c.app, "/console", &session).await.status,
            200,
            "still signed in"
        );
        let out = post(
            &c.app,
            "/console/logout",
            &session,
            &[("csrf", &hidden_csrf(&home.body))],
        )
        .await;
        assert_eq!(out.header("location"), "/console/login");
        // The old cookie (a browser clears it on signing out) leads to a login page that says
        // the session ended.
        assert_eq!(
            get_as(&c.app, "/console", &session)
                .await
                .header("location"),
            "/console/login?expired=1"
        );
        // Idle sessions end, and the login page says so; a fresh visit is not told.
        let session = sign_in_with_enrolment_again(&c, user).await;
        c.clock.advance(Duration::minutes(31));
        let ended = get_as(&c.app, "/console/contacts/new", &session).await;
        assert_eq!(ended.header("location"), "/console/login?expired=1");
        let login = get(&c.app, "/console/login?expired=1").await;
        assert!(
            login.body.contains("30 minutos sin actividad"),
            "{}",
            login.body
        );
        let fresh = get(&c.app, "/console/login").await;
        assert!(!fresh.body.contains("30 minutos sin actividad"));
        // A form posted after the session ended is not refused blankly: the same login page.
        let posted = post(
            &c.app,
            "/console/contacts/draft",
            &session,
            &[("csrf", "x")],
        )
        .await;
        assert_eq!(posted.header("location"), "/console/login?expired=1");
        db.cleanup().await;
    }
}

async fn sign_in_with_enrolment_again(c: &Console, user: UserId) -> String {
    // A fresh TOTP step: the last code was used already.
    c.clock.advance(Duration::seconds(30));
    let reply = login(c, "ana@example.org", PASSWORD).await;
    let session = format!(
        "antitrata_session={}",
        cookie(&reply, "antitrata_session").unwrap()
    );
    let page = get_as(&c.app, "/console/login/totp", &session).await;
    let secret = c.store.totp_secret(user).await.unwrap().unwrap();
    let done = post(
        &c.app,
        "/console/login/totp",
        &session,
        &[
            ("csrf", &hidden_csrf(&page.body)),
            ("code", &code(&secret, c)),
        ],
    )
    .await;
    session_cookie(&done)
}

#[tokio::test]
async fn twenty_wrong_passwords_are_slowed_and_logged_and_the_right_one_still_needs_totp() {
    for db in seeded_backends().await {
        let c = console(&db);
        let user = account(&c.store, 1, "ana@example.org", Role::Supervisor, Some("GT")).await;
        set_password(&c, 1).await;
        sign_in_with_enrolment(&c, user, "ana@example.org").await;

        let mut throttled = 0;
        let mut failed = 0;
        while failed < 20 {
            let reply = login(&c, "ana@example.org", "not-the-password").await;
            match reply.status.as_u16() {
                401 => failed += 1,
                429 => {
                    throttled += 1;
                    assert!(
                        reply.body.contains("Too many failed attempts"),
                        "{}",
                        reply.body
                    );
                    // Wait as long as asked, then try again.
                    c.clock.advance(Duration::minutes(15));
                }
                other => panic!("unexpected {other}"),
            }
        }
        assert!(
            throttled >= 14,
            "{}: attempts after the fifth were slowed ({throttled})",
            db.name
        );
        let log = c.store.list_audit(0, 1000).await.unwrap();
        assert_eq!(
            log.iter().filter(|e| e.action == "login.failed").count(),
            20
        );
        assert_eq!(
            log.iter().filter(|e| e.action == "login.throttled").count(),
            throttled
        );
        assert!(
            log.iter().all(|e| !e.actor.contains('@')),
            "no e-mail address in the audit log"
        );

        c.clock.advance(Duration::minutes(15));
        let right = login(&c, "ana@example.org", PASSWORD).await;
        assert_eq!(
            right.header("location"),
            "/console/login/totp",
            "{}",
            right.body
        );
        let session = format!(
            "antitrata_session={}",
            cookie(&right, "antitrata_session").unwrap()
        );
        assert_eq!(
            get_as(&c.app, "/console", &session)
                .await
                .header("location"),
            "/console/login/totp"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_operator_of_guatemala_cannot_reach_a_person_of_honduras() {
    for db in seeded_backends().await {
        let c = console(&db);
        let hn_person = PersonId(Uuid::from_u128(500));
        let gt_person = PersonId(Uuid::from_u128(501));
        let new = |country: &str, name: &str| NewPerson {
            country: CountryCode::parse(country).unwrap(),
            name: name.into(),
            phone: Some("5555 1234".into()),
        };
        c.store
            .insert_person(
                &actor(Role::Operator, Some("HN")),
                hn_person,
                &new("HN", "Hondureña Canaria"),
            )
            .await
            .unwrap();
        c.store
            .insert_person(
                &actor(Role::Operator, Some("GT")),
                gt_person,
                &new("GT", "Guatemalteca Canaria"),
            )
            .await
            .unwrap();

        let user = account(&c.store, 1, "gt@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;
        let session = sign_in_with_enrolment(&c, user, "gt@example.org").await;

        let own = get_as(&c.app, &format!("/console/persons/{gt_person}"), &session).await;
        assert_eq!(own.status, 200, "{}", db.name);
        assert!(own.body.contains("Guatemalteca Canaria"));
        let other = get_as(&c.app, &format!("/console/persons/{hn_person}"), &session).await;
        assert_eq!(other.status, 404, "{}", db.name);
        assert!(!other.body.contains("Hondureña"));

        let form = get_as(&c.app, "/console/persons", &session).await;
        let results = post(
            &c.app,
            "/console/persons/search",
            &session,
            &[
                ("csrf", &hidden_csrf(&form.body)),
                ("name", "canaria"),
                ("phone", ""),
            ],
        )
        .await;
        assert_eq!(results.status, 200);
        assert!(
            results.body.contains("Guatemalteca Canaria"),
            "{}",
            results.body
        );
        assert!(
            !results.body.contains("Hondureña"),
            "{}: search stays in GT",
            db.name
        );
        let by_phone = post(
            &c.app,
            "/console/persons/search",
            &session,
            &[
                ("csrf", &hidden_csrf(&form.body)),
                ("name", ""),
                ("phone", "55551234"),
            ],
        )
        .await;
        assert!(!by_phone.body.contains("Hondureña"));

        let recent = get_as(&c.app, "/console/persons/recent", &session).await;
        assert_eq!(recent.status, 200, "{}", db.name);
        assert!(recent.body.contains("Guatemalteca Canaria"));
        assert!(
            !recent.body.contains("Hondureña"),
            "{}: the list stays in GT",
            db.name
        );

        let viewed: Vec<_> = c
            .store
            .list_audit(0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "person.viewed")
            .collect();
        assert_eq!(viewed.len(), 1, "only the GT read happened");
        assert_eq!(viewed[0].actor, user.to_string());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn supervisors_see_their_countrys_audit_trail_and_records_show_their_readers() {
    for db in seeded_backends().await {
        let c = console(&db);
        let person = PersonId(Uuid::from_u128(600));
        let new = NewPerson {
            country: CountryCode::parse("GT").unwrap(),
            name: "Persona Uno".into(),
            phone: None,
        };
        c.store
            .insert_person(&actor(Role::Operator, Some("GT")), person, &new)
            .await
            .unwrap();
        let hn = NewPerson {
            country: CountryCode::parse("HN").unwrap(),
            name: "Persona Dos".into(),
            phone: None,
        };
        c.store
            .insert_person(
                &actor(Role::Operator, Some("HN")),
                PersonId(Uuid::from_u128(601)),
                &hn,
            )
            .await
            .unwrap();

        let operator = account(&c.store, 1, "op@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;
        let op_session = sign_in_with_enrolment(&c, operator, "op@example.org").await;
        let page = get_as(&c.app, &format!("/console/persons/{person}"), &op_session).await;
        let readers = page.body.split("Who viewed this record").nth(1).unwrap();
        assert!(
            readers.contains("User 1 &#60;op@example.org&#62; (operator)"),
            "{}: {readers}",
            db.name
        );
        assert!(readers.contains("person.viewed"));
        // Viewed again and again, the reader is one row that counts the views.
        c.clock.advance(Duration::minutes(2));
        get_as(&c.app, &format!("/console/persons/{person}"), &op_session).await;
        let page = get_as(&c.app, &format!("/console/persons/{person}"), &op_session).await;
        let readers = page.body.split("Who viewed this record").nth(1).unwrap();
        assert_eq!(readers.matches("(operator)</td>").count(), 1, "{readers}");
        assert!(
            readers.contains("<td>person.viewed</td><td>3</td>"),
            "{readers}"
        );

        let supervisor =
            account(&c.store, 2, "sup@example.org", Role::Supervisor, Some("GT")).await;
        set_password(&c, 2).await;
        let sup_session = sign_in_with_enrolment(&c, supervisor, "sup@example.org").await;
        let trail = get_as(&c.app, "/console/audit", &sup_session).await;
        assert_eq!(trail.status, 200, "{}", db.name);
        assert!(
            trail.body.contains(&format!("person {person}")),
            "GT entries are listed"
        );
        assert!(
            !trail
                .body
                .contains(&PersonId(Uuid::from_u128(601)).to_string()),
            "HN entries are not"
        );
        assert_eq!(
            get_as(&c.app, "/console/audit", &op_session).await.status,
            403,
            "operators do not see it"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_recovery_code_replaces_a_lost_authenticator_once() {
    for db in seeded_backends().await {
        let c = console(&db);
        let user = account(&c.store, 1, "ana@example.org", Role::Caseworker, Some("GT")).await;
        set_password(&c, 1).await;
        // Enrol by hand to keep the page with the codes.
        let reply = login(&c, "ana@example.org", PASSWORD).await;
        let session = format!(
            "antitrata_session={}",
            cookie(&reply, "antitrata_session").unwrap()
        );
        let enrol = get_as(&c.app, "/console/totp/enrol", &session).await;
        let secret = c.store.totp_secret(user).await.unwrap().unwrap();
        let done = post(
            &c.app,
            "/console/totp/enrol",
            &session,
            &[
                ("csrf", &hidden_csrf(&enrol.body)),
                ("code", &code(&secret, &c)),
            ],
        )
        .await;
        let codes = recovery_codes(&done.body);
        assert_eq!(codes.len(), 10, "{}", db.name);

        for attempt in 0..2 {
            let again = login(&c, "ana@example.org", PASSWORD).await;
            let pending = format!(
                "antitrata_session={}",
                cookie(&again, "antitrata_session").unwrap()
            );
            let page = get_as(&c.app, "/console/login/totp", &pending).await;
            let typed = codes[3].to_uppercase();
            let reply = post(
                &c.app,
                "/console/login/totp",
                &pending,
                &[("csrf", &hidden_csrf(&page.body)), ("code", &typed)],
            )
            .await;
            if attempt == 0 {
                assert_eq!(
                    reply.header("location"),
                    "/console",
                    "{}: the code works",
                    db.name
                );
            } else {
                assert_eq!(
                    reply.status, 401,
                    "{}: a used code does not work again",
                    db.name
                );
            }
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    for db in seeded_backends().await {
        let c = console(&db);
        let user = account(&c.store, 1, "ana@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;
        let session = sign_in_with_enrolment(&c, user, "ana@example.org").await;
        let page = get_as(&c.app, "/console/account", &session).await;
        let csrf = hidden_csrf(&page.body);
        let new_password = "quartz-meadow-lantern-owl";
        let wrong = post(
            &c.app,
            "/console/account",
            &session,
            &[
                ("csrf", &csrf),
                ("current", "nope"),
                ("password", new_password),
                ("confirm", new_password),
            ],
        )
        .await;
        assert_eq!(wrong.status, 401, "{}", db.name);
        let weak = post(
            &c.app,
            "/console/account",
            &session,
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("password", "password1234"),
                ("confirm", "password1234"),
            ],
        )
        .await;
        assert_eq!(weak.status, 422);
        let done = post(
            &c.app,
            "/console/account",
            &session,
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("password", new_password),
                ("confirm", new_password),
            ],
        )
        .await;
        assert_eq!(done.header("location"), "/console/login");
        assert_eq!(
            get_as(&c.app, "/console", &session)
                .await
                .header("location"),
            "/console/login?expired=1",
            "session ended"
        );
        assert_eq!(
            login(&c, "ana@example.org", PASSWORD).await.status,
            401,
            "old password refused"
        );
        assert_eq!(
            login(&c, "ana@example.org", new_password).await.status,
            303,
            "new password accepted"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn administrators_create_and_disable_accounts_within_their_reach() {
    for db in seeded_backends().await {
        let c = console(&db);
        let admin = account(
            &c.store,
            1,
            "admin-gt@example.org",
            Role::CountryAdmin,
            Some("GT"),
        )
        .await;
        set_password(&c, 1).await;
        let session = sign_in_with_enrolment(&c, admin, "admin-gt@example.org").await;
        let page = get_as(&c.app, "/console/users", &session).await;
        assert_eq!(page.status, 200, "{}", db.name);
        assert!(
            !page.body.contains("value=\"system-admin\""),
            "country admins cannot give regional roles"
        );
        let csrf = hidden_csrf(&page.body);

        let created = post(
            &c.app,
            "/console/users",
            &session,
            &[
                ("csrf", &csrf),
                ("email", "new@example.org"),
                ("name", "Nueva"),
                ("role", "caseworker"),
                ("country", "GT"),
                ("language", "es"),
            ],
        )
        .await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert!(
            created
                .body
                .contains("http://127.0.0.1:8080/console/setup/"),
            "the link is built on the configured public address, not the request's Host: {}",
            created.body
        );
        let link = created
            .body
            .split("/console/setup/")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned();
        let setup = get_as(&c.app, &format!("/console/setup/{link}"), "").await;
        assert_eq!(
            setup.status, 200,
            "the link shown once opens the setup page"
        );

        let elsewhere = post(
            &c.app,
            "/console/users",
            &session,
            &[
                ("csrf", &csrf),
                ("email", "hn@example.org"),
                ("name", "X"),
                ("role", "operator"),
                ("country", "HN"),
                ("language", "es"),
            ],
        )
        .await;
        assert_eq!(elsewhere.status, 403, "{}: not in another country", db.name);
        let regional = post(
            &c.app,
            "/console/users",
            &session,
            &[
                ("csrf", &csrf),
                ("email", "sa@example.org"),
                ("name", "X"),
                ("role", "system-admin"),
                ("country", ""),
                ("language", "es"),
            ],
        )
        .await;
        assert_eq!(regional.status, 403, "not a regional role");
        let duplicate = post(
            &c.app,
            "/console/users",
            &session,
            &[
                ("csrf", &csrf),
                ("email", "new@example.org"),
                ("name", "Y"),
                ("role", "operator"),
                ("country", "GT"),
                ("language", "es"),
            ],
        )
        .await;
        assert_eq!(duplicate.status, 409);
        let bad = post(
            &c.app,
            "/console/users",
            &session,
            &[
                ("csrf", &csrf),
                ("email", "not-an-address"),
                ("name", "Y"),
                ("role", "operator"),
                ("country", "GT"),
                ("language", "es"),
            ],
        )
        .await;
        assert_eq!(bad.status, 422);

        let new_user = c
            .store
            .find_user_by_email(&Email::parse("new@example.org").unwrap())
            .await
            .unwrap()
            .unwrap();
        let hn_user = account(
            &c.store,
            9,
            "someone-hn@example.org",
            Role::Operator,
            Some("HN"),
        )
        .await;
        let out_of_reach = post(
            &c.app,
            &format!("/console/users/{hn_user}/disable"),
            &session,
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(out_of_reach.status, 404);
        assert!(!c.store.find_user(hn_user).await.unwrap().unwrap().disabled);
        let disabled = post(
            &c.app,
            &format!("/console/users/{}/disable", new_user.id),
            &session,
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(disabled.header("location"), "/console/users");
        assert!(
            c.store
                .find_user(new_user.id)
                .await
                .unwrap()
                .unwrap()
                .disabled
        );
        assert_eq!(
            get_as(&c.app, &format!("/console/setup/{link}"), "")
                .await
                .status,
            404,
            "its link died"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_worker_picks_the_language_of_the_console() {
    for db in seeded_backends().await {
        let c = console(&db);
        let user = account(&c.store, 1, "ana@example.org", Role::Operator, Some("GT")).await;
        set_password(&c, 1).await;
        let session = sign_in_with_enrolment(&c, user, "ana@example.org").await;
        let page = get_as(&c.app, "/console/account", &session).await;
        assert!(
            page.body.contains("Language of the console"),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains(r#"<option value="fr" lang="fr">français</option>"#)
        );
        let csrf = hidden_csrf(&page.body);

        let refused = post(
            &c.app,
            "/console/account/language",
            &session,
            &[("csrf", &csrf), ("language", "de")],
        )
        .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused
                .body
                .contains("Choose one of the languages in the list.")
        );

        let chosen = post(
            &c.app,
            "/console/account/language",
            &session,
            &[("csrf", &csrf), ("language", "es")],
        )
        .await;
        assert_eq!(chosen.status, 303, "{}", chosen.body);
        let page = get_as(&c.app, "/console/account", &session).await;
        assert!(page.body.contains("Idioma de la consola"), "{}", page.body);
        assert!(
            page.body
                .contains(r#"<option value="es" lang="es" selected>español</option>"#)
        );
        let log = c.store.list_audit(0, 1000).await.unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.action == "language.changed")
                .count(),
            1
        );
        db.cleanup().await;
    }
}

/// Every console page a signed-in worker can open carries the menu bar and the search box: each
/// GET route of the table is visited by an account holding every country role, the routes with
/// an id with a record of each kind. Only what is not a page is left out, by name.
#[tokio::test]
async fn every_console_page_has_the_menu_and_the_search_box() {
    use antitrata_web::{Access, CONSOLE_ROUTES};
    for db in seeded_backends().await {
        let c = console(&db);
        let user = account_with_roles(
            &c.store,
            1,
            "all@example.org",
            &[Role::Supervisor, Role::CountryAdmin],
            Some("GT"),
        )
        .await;
        set_password(&c, 1).await;
        let session = sign_in_with_enrolment(&c, user, "all@example.org").await;
        // The site's pages are a regional role's, which no country role holds.
        let editor_session = crate::stats::session(&c, 2, Role::CampaignEditor, None).await;

        // One record of each kind a page shows.
        let person = PersonId(Uuid::from_u128(77));
        let gt = CountryCode::parse("GT").unwrap();
        let someone = NewPerson {
            country: gt,
            name: "Persona Canaria".into(),
            phone: None,
        };
        let operator = actor(Role::Operator, Some("GT"));
        c.store
            .insert_person(&operator, person, &someone)
            .await
            .unwrap();
        let home = get_as(&c.app, "/console/contacts/new", &session).await;
        let csrf = hidden_csrf(&home.body);
        let form = crate::casework::contact_form(&home.body, &csrf);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let contact = post(&c.app, "/console/contacts", &session, &form).await;
        let contact = contact.header("location").to_owned();
        let case = post(
            &c.app,
            "/console/cases",
            &session,
            &[
                ("csrf", &csrf),
                ("id", "0190b2b2-0000-7000-8000-0000000000c1"),
            ],
        )
        .await;
        let case = case.header("location").to_owned();
        let case_person = "0190b2b2-0000-7000-8000-0000000000e2";
        let added = post(
            &c.app,
            &format!("{case}/persons"),
            &session,
            &[
                ("csrf", &csrf),
                ("person_id", case_person),
                ("role", "victim"),
                ("name", "Persona del caso"),
            ],
        )
        .await;
        assert_eq!(added.status, 303, "{}", added.body);
        let service = post(
            &c.app,
            "/console/services",
            &session,
            &[
                ("csrf", &csrf),
                ("id", "0190b2b2-0000-7000-8000-0000000000e1"),
                ("organization", "Refugio"),
                ("name", "Albergue"),
                ("categories", "shelter"),
                ("locality", "Cobán"),
            ],
        )
        .await;
        assert_eq!(service.status, 303, "{}", service.body);
        let filled = |route: &str| -> Option<String> {
            Some(match route {
                "/console/contacts/{id}" => contact.clone(),
                "/console/cases/{id}" => case.clone(),
                "/console/persons/{id}" => format!("/console/persons/{}", person.0),
                "/console/persons/{id}/edit" => format!("/console/persons/{case_person}/edit"),
                "/console/services/{id}" => {
                    "/console/services/0190b2b2-0000-7000-8000-0000000000e1".to_owned()
                }
                // Its page is checked where a release is made (releases.rs).
                "/console/releases/{id}" => return None,
                "/console/content/{page}/{lang}" => "/console/content/warning-signs/fr".to_owned(),
                "/console/directory/{id}" => format!(
                    "/console/directory/{}",
                    antitrata_domain::HotlineId::seeded(gt, 1)
                ),
                other => other.to_owned(),
            })
        };
        // Not pages: a CSV download and a release's ZIP archive.
        let not_pages = ["/console/stats.csv", "/console/releases/{id}/archive"];
        let mut visited = 0;
        for (method, route, access) in CONSOLE_ROUTES {
            if *method != "GET"
                || matches!(access, Access::Public | Access::PasswordDone)
                || not_pages.contains(route)
            {
                continue;
            }
            let Some(uri) = filled(route) else { continue };
            assert!(!uri.contains('{'), "no record for {route}: add one above");
            let editors = matches!(access, Access::May(Action::EditContent));
            let page = get_as(
                &c.app,
                &uri,
                if editors { &editor_session } else { &session },
            )
            .await;
            assert_eq!(page.status, 200, "{}: {uri}: {}", db.name, page.body);
            assert!(
                page.body.contains(r#"id="console-menu""#),
                "{uri}: {}",
                page.body
            );
            // The search box reaches personal data: campaign editors have none.
            assert_eq!(
                page.body.contains(r#"action="/console/search""#),
                !editors,
                "{uri}"
            );
            visited += 1;
        }
        assert!(visited >= 15, "{visited} pages visited");

        // The search box finds a case by reference, a contact by id, people by name or phone.
        let reference = get_as(&c.app, &case, &session).await;
        let reference = reference
            .body
            .split("GT-2026-")
            .nth(1)
            .map(|rest| format!("GT-2026-{}", &rest[..6]))
            .unwrap();
        let search = |q: String| {
            let (app, session, csrf) = (&c.app, &session, &csrf);
            async move {
                post(
                    app,
                    "/console/search",
                    session,
                    &[("csrf", csrf), ("q", &q)],
                )
                .await
            }
        };
        assert_eq!(search(reference).await.header("location"), case);
        let contact_id = contact.trim_start_matches("/console/contacts/").to_owned();
        assert_eq!(search(contact_id).await.header("location"), contact);
        let by_name = search("persona canaria".into()).await;
        assert_eq!(by_name.status, 200);
        assert!(by_name.body.contains("Persona Canaria"), "{}", by_name.body);
        db.cleanup().await;
    }
}
