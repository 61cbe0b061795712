//! The route × role matrix: every console and API route, for every role and for a visitor, on both
//! backends; and every route in the code has a decision in the permission table.

use antitrata_domain::Role;
use antitrata_store::testing::seeded_backends;
use antitrata_web::{API_ROUTES, Access, CONSOLE_ROUTES, allows};
use axum::http::Method;
use sha2::{Digest, Sha256};

use crate::api_casework::{call, service_token};
use crate::console::{account, console, get_as, post};

fn concrete(path: &str) -> String {
    path.replace("{token}", "no-such-token")
        .replace("{id}", "00000000-0000-7000-8000-000000000001")
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    for db in seeded_backends().await {
        let c = console(&db);
        let now = c.clock.as_ref();
        let mut sessions = vec![(None, String::new(), String::new())];
        for (n, role) in Role::ASSIGNABLE.into_iter().enumerate() {
            let country = role.is_country_role().then_some("GT");
            let user = account(
                &c.store,
                100 + n as u128,
                &format!("{}@example.org", role.as_str()),
                role,
                country,
            )
            .await;
            let token = format!("session-{n}");
            let csrf = format!("csrf-{n}");
            c.store
                .insert_session(
                    &Sha256::digest(token.as_bytes()),
                    user,
                    &csrf,
                    true,
                    antitrata_web::Clock::now(now),
                )
                .await
                .unwrap();
            sessions.push((Some(role), format!("antitrata_session={token}"), csrf));
        }
        // Logging out ends the session, so it goes last.
        let mut routes = CONSOLE_ROUTES.to_vec();
        routes.sort_by_key(|(_, path, _)| *path == "/console/logout");
        for (method, path, access) in &routes {
            for (role, session, csrf) in &sessions {
                let uri = concrete(path);
                // Forms carry a valid CSRF token: the login one on public forms, else the session's.
                let login_csrf = "login-csrf-token-of-at-least-32-characters";
                let cookie = format!("{session}; antitrata_login_csrf={login_csrf}");
                let token = if *access == Access::Public {
                    login_csrf
                } else {
                    csrf.as_str()
                };
                let reply = match *method {
                    "GET" => get_as(&c.app, &uri, &cookie).await,
                    _ => post(&c.app, &uri, &cookie, &[("csrf", token)]).await,
                };
                let status = reply.status.as_u16();
                // Sent to sign in for want of a session (not the redirect after a logout).
                let logged_out = reply
                    .headers
                    .get_all("set-cookie")
                    .iter()
                    .any(|v| v.to_str().unwrap().starts_with("antitrata_session=;"));
                let to_login = reply.header("location") == "/console/login" && !logged_out;
                let expected = match role {
                    Some(role) => allows(*access, &[*role], true),
                    None => *access == Access::Public,
                };
                let case = format!("{} {method} {path} as {role:?}: {status}", db.name);
                if expected {
                    assert!(status != 403 && !to_login, "{case} should be allowed");
                } else if role.is_none() && *method == "GET" {
                    assert!(to_login, "{case} should send a visitor to sign in");
                } else {
                    assert_eq!(status, 403, "{case} should be forbidden");
                }
            }
        }
        db.cleanup().await;
    }
}

#[test]
fn a_regional_analyst_is_refused_every_personal_data_route() {
    let personal = CONSOLE_ROUTES.iter().filter(|(_, path, _)| {
        [
            "/console/persons",
            "/console/contacts",
            "/console/cases",
            "/console/queue",
        ]
        .iter()
        .any(|prefix| path.starts_with(prefix))
    });
    let mut count = 0;
    for (_, path, access) in personal {
        assert!(!allows(*access, &[Role::RegionalAnalyst], true), "{path}");
        assert!(!allows(*access, &[Role::CampaignEditor], true), "{path}");
        assert!(
            !allows(*access, &[Role::SystemAdmin], true),
            "{path}: no case content for system admins"
        );
        count += 1;
    }
    assert!(count >= 14, "the personal-data routes are in the table");
}

/// The `(method, path)` of every `.route(…)` call in these source files.
fn routes_in(files: &[&str]) -> Vec<(&'static str, String)> {
    let mut registered = Vec::new();
    for file in files {
        let code =
            std::fs::read_to_string(format!("{}/src/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        registered.extend(routes_of(&code));
    }
    registered
}

fn routes_of(code: &str) -> Vec<(&'static str, String)> {
    let mut registered = Vec::new();
    // Each `.route(` call, however rustfmt wrapped it, up to the next call.
    for call in code.split(".route(").skip(1) {
        let call = call.split(".route_layer(").next().unwrap();
        let path = call.split('"').nth(1).unwrap();
        for (marker, method) in [
            ("get(", "GET"),
            ("post(", "POST"),
            ("put(", "PUT"),
            ("delete(", "DELETE"),
            ("patch(", "PATCH"),
        ] {
            if call.contains(marker) {
                registered.push((method, path.to_owned()));
            }
        }
    }
    registered
}

/// Every `.route("/console…", get(…).post(…))` in the console's code has a table entry for each
/// method, and every table entry is registered: a route added without a decision fails here.
#[test]
fn every_console_route_in_the_code_has_a_decision() {
    let registered = routes_in(&["console/mod.rs"]);
    assert!(registered.len() >= 10, "found {registered:?}");
    for (method, path) in &registered {
        assert!(
            CONSOLE_ROUTES
                .iter()
                .any(|(m, p, _)| m == method && p == path),
            "{method} {path} has no access decision in auth/permissions.rs"
        );
    }
    for (method, path, _) in CONSOLE_ROUTES {
        assert!(
            registered.contains(&(*method, (*path).to_owned())),
            "{method} {path} is in the table but not routed"
        );
    }
    let other_routes: Vec<&str> = ["api/mod.rs", "hotlines.rs", "health.rs", "assets.rs"]
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(format!("{}/src/{f}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|l| l.contains(".route(\"/console"))
        .map(|_| "console route outside console/mod.rs")
        .collect();
    assert!(
        other_routes.is_empty(),
        "console routes must be registered in console/mod.rs"
    );
}

/// The same for the JSON API: every route in `api/` has an entry in `API_ROUTES`, and back.
#[test]
fn every_api_route_in_the_code_has_a_decision() {
    let registered = routes_in(&["api/mod.rs", "api/directory.rs"]);
    assert!(registered.len() >= 20, "found {registered:?}");
    for (method, path) in &registered {
        assert!(
            API_ROUTES.iter().any(|(m, p, _)| m == method && p == path),
            "{method} {path} has no access decision in auth/permissions.rs"
        );
    }
    for (method, path, _) in API_ROUTES {
        assert!(
            registered.contains(&(*method, (*path).to_owned())),
            "{method} {path} is in the table but not routed"
        );
    }
}

/// Every API route for a service account of every role, and without a token: open routes
/// answer anyone, the others 401 without a token and 403 to roles the table does not name.
#[tokio::test]
async fn every_api_route_answers_every_role_as_the_table_says() {
    for db in seeded_backends().await {
        let c = console(&db);
        let mut callers = vec![(None, String::new())];
        for (n, role) in Role::ASSIGNABLE.into_iter().enumerate() {
            let country = role.is_country_role().then_some("GT");
            let token = service_token(&c.store, 300 + n as u128, role, country).await;
            callers.push((Some(role), token));
        }
        for (method, path, access) in API_ROUTES {
            let uri = concrete(path).replace("{iso2}", "gt");
            for (role, token) in &callers {
                let method = Method::from_bytes(method.as_bytes()).unwrap();
                let body = (method != Method::GET).then(|| serde_json::json!({}));
                let reply = call(&c.app, method.clone(), &uri, token, body).await;
                let status = reply.status.as_u16();
                let case = format!("{} {method} {path} as {role:?}: {status}", db.name);
                let expected = match role {
                    Some(role) => allows(*access, &[*role], true),
                    None => *access == Access::Public,
                };
                if expected {
                    assert!(status != 401 && status != 403, "{case} should be allowed");
                } else if role.is_none() {
                    assert_eq!(status, 401, "{case} should ask for a token");
                } else {
                    assert_eq!(status, 403, "{case} should be forbidden");
                }
            }
        }
        db.cleanup().await;
    }
}
