//! Case work over the JSON API with service accounts' bearer tokens, on both backends: the same
//! checks, consent rule, country scope and audit as the console; and the OpenAPI description
//! covers every route.

use antitrata_domain::{CountryCode, Email, Lang, NewAccount, Role, UserId};
use antitrata_store::Store;
use antitrata_store::testing::{actor, seeded_backends};
use antitrata_web::API_ROUTES;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};
use time::Duration;
use uuid::Uuid;

use crate::console::console;
use crate::support::{Reply, get, send};

/// A service account holding `role` in `country`, and a live token for it.
pub(crate) async fn service_token(
    store: &Store,
    n: u128,
    role: Role,
    country: Option<&str>,
) -> String {
    let cli = actor(Role::Cli, None);
    let account = store
        .insert_user(
            &cli,
            UserId(Uuid::from_u128(n)),
            &NewAccount {
                email: Email::parse(&format!("service-{n}@example.org")).unwrap(),
                display_name: format!("Service {n}"),
                language: Lang::En,
                roles: vec![role],
                country: country.map(|c| CountryCode::parse(c).unwrap()),
                service: true,
            },
        )
        .await
        .unwrap();
    let token = format!("atk_test-token-{n}");
    store
        .insert_api_token(
            &cli,
            &account,
            Uuid::from_u128(n + 10_000),
            "test",
            &antitrata_app::token_hash(&token),
            cli.at + Duration::days(30),
        )
        .await
        .unwrap();
    token
}

pub(crate) async fn call(
    app: &Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if !token.is_empty() {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    send(app, request.body(body).unwrap()).await
}

fn fields(reply: &Reply) -> Vec<String> {
    reply.json()["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_service_account_works_a_case_through_the_api() {
    for db in seeded_backends().await {
        let c = console(&db);
        let app = &c.app;
        let worker = service_token(&c.store, 1, Role::Caseworker, Some("GT")).await;
        let supervisor = service_token(&c.store, 2, Role::Supervisor, Some("GT")).await;
        let admin = service_token(&c.store, 3, Role::CountryAdmin, Some("GT")).await;
        let honduras = service_token(&c.store, 4, Role::Caseworker, Some("HN")).await;
        let name = &db.name;

        // No token, or an unknown one: 401 with the scheme to use.
        let anonymous = call(app, Method::GET, "/api/v1/cases", "", None).await;
        assert_eq!(anonymous.status, 401, "{name}");
        assert!(anonymous.header("www-authenticate").starts_with("Bearer"));
        assert_eq!(anonymous.header("content-type"), "application/problem+json");
        let forged = call(app, Method::GET, "/api/v1/cases", "atk_forged", None).await;
        assert_eq!(forged.status, 401, "{name}");

        // The country administrator adds a shelter; a caseworker may not.
        let shelter_id = "00000000-0000-7000-8000-00000000a001";
        let shelter = json!({
            "id": shelter_id, "organization": "Refugio Esperanza", "name": "Albergue",
            "categories": ["shelter"], "locality": "Quetzaltenango", "languages": ["es", "mam"]
        });
        let refused = call(
            app,
            Method::POST,
            "/api/v1/services",
            &worker,
            Some(shelter.clone()),
        )
        .await;
        assert_eq!(refused.status, 403, "{name}");
        let saved = call(app, Method::POST, "/api/v1/services", &admin, Some(shelter)).await;
        assert_eq!(saved.status, 201, "{name}: {}", saved.body);
        let listed = call(
            app,
            Method::GET,
            "/api/v1/services?category=shelter",
            &worker,
            None,
        )
        .await;
        assert_eq!(
            listed.json()["services"].as_array().unwrap().len(),
            1,
            "{name}"
        );

        // A screened contact, sent twice: one contact.
        let contact_id = "00000000-0000-7000-8000-00000000c001";
        let contact = json!({
            "id": contact_id, "channel": "call", "language": "es",
            "caller_role": "potential-victim", "outcome": "case-opened-or-linked",
            "caller_country": "HN", "summary": "Retienen sus documentos en una finca",
            "screening": {"deception": "yes", "withheld-documents": "yes", "domestic-servitude": "yes"}
        });
        let first = call(
            app,
            Method::POST,
            "/api/v1/contacts",
            &worker,
            Some(contact.clone()),
        )
        .await;
        assert_eq!(first.status, 201, "{name}: {}", first.body);
        let again = call(
            app,
            Method::POST,
            "/api/v1/contacts",
            &worker,
            Some(contact),
        )
        .await;
        assert_eq!(again.status, 201, "{name}");
        assert_eq!(first.json()["id"], again.json()["id"]);
        assert_eq!(
            c.store.count_rows_for_tests("contacts").await.unwrap(),
            1,
            "{name}"
        );
        let screened = first.json();
        assert_eq!(screened["screening"]["answers"]["deception"], "yes");
        assert_eq!(screened["summary"], "Retienen sus documentos en una finca");

        // Bad fields: 422 naming each, localized; nothing stored.
        let bad = json!({"id": "00000000-0000-7000-8000-00000000c002", "channel": "pigeon",
            "language": "es", "caller_role": "anonymous", "outcome": "prank",
            "screening": {"deception": "perhaps"}});
        let refused = send(
            app,
            Request::post("/api/v1/contacts")
                .header("authorization", format!("Bearer {worker}"))
                .header("content-type", "application/json")
                .header("accept-language", "es")
                .body(Body::from(bad.to_string()))
                .unwrap(),
        )
        .await;
        assert_eq!(refused.status, 422, "{name}: {}", refused.body);
        let refused_fields = fields(&refused);
        assert!(
            refused_fields.contains(&"channel".to_owned()),
            "{refused_fields:?}"
        );
        assert_eq!(refused.header("content-language"), "es");
        assert_eq!(c.store.count_rows_for_tests("contacts").await.unwrap(), 1);
        let not_json = call(app, Method::POST, "/api/v1/contacts", &worker, None).await;
        assert_eq!(not_json.status, 400, "{name}");

        // A case from the contact starts with what the screening found.
        let case_id = "00000000-0000-7000-8000-0000000ca5e1";
        let opened = call(
            app,
            Method::POST,
            "/api/v1/cases",
            &worker,
            Some(json!({"id": case_id, "contact": contact_id})),
        )
        .await;
        assert_eq!(opened.status, 201, "{name}: {}", opened.body);
        let case = opened.json();
        let reference = case["reference"].as_str().unwrap().to_owned();
        assert!(reference.starts_with("GT-2026-"), "{reference}");
        assert_eq!(case["citizenship"], json!(["HN"]));
        assert!(
            !case["exploitation_types"].as_array().unwrap().is_empty(),
            "{case}"
        );

        // People: bad phone and a birth date to come are refused field by field.
        let person_id = "00000000-0000-7000-8000-0000000be001";
        let bad_person = json!({"id": person_id, "role": "victim", "name": "María Tzul",
            "phone": "12", "born_on": "2031-01-01"});
        let refused = call(
            app,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/persons"),
            &worker,
            Some(bad_person),
        )
        .await;
        assert_eq!(refused.status, 422, "{name}");
        let refused_fields = fields(&refused);
        assert!(
            refused_fields.contains(&"phone".to_owned())
                && refused_fields.contains(&"born_on".to_owned()),
            "{refused_fields:?}"
        );
        let person = json!({"id": person_id, "role": "victim", "name": "María Tzul",
            "phone": "+502 5555 1234", "born_on": "1999-04-02", "gender": "Feminine",
            "nationality": "HN", "languages": ["es", "mam"]});
        let added = call(
            app,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/persons"),
            &worker,
            Some(person),
        )
        .await;
        assert_eq!(added.status, 201, "{name}: {}", added.body);

        // No consent, no referral.
        let referral = |id: &str| json!({"id": id, "person": person_id, "service": shelter_id});
        let refused = call(
            app,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/referrals"),
            &worker,
            Some(referral("00000000-0000-7000-8000-0000000ef001")),
        )
        .await;
        assert_eq!(refused.status, 422, "{name}: {}", refused.body);
        assert_eq!(fields(&refused), vec!["consent"]);
        assert_eq!(c.store.count_rows_for_tests("referrals").await.unwrap(), 0);

        let consent_id = "00000000-0000-7000-8000-0000000c0001";
        let consent = call(
            app,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/consents"),
            &worker,
            Some(
                json!({"id": consent_id, "person": person_id, "scope": "referral",
                "given_by": "self"}),
            ),
        )
        .await;
        assert_eq!(consent.status, 201, "{name}: {}", consent.body);
        let referred = call(
            app,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/referrals"),
            &worker,
            Some(referral("00000000-0000-7000-8000-0000000ef001")),
        )
        .await;
        assert_eq!(referred.status, 201, "{name}: {}", referred.body);
        assert_eq!(referred.json()["consent"], consent_id);
        assert_eq!(referred.json()["version"], 1);

        // A status update from a version read before another one is refused with 412.
        let move_on = |tag: Option<&'static str>, status: &'static str| {
            let mut request = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/referrals/00000000-0000-7000-8000-0000000ef001/status")
                .header("authorization", format!("Bearer {worker}"))
                .header("content-type", "application/json");
            if let Some(tag) = tag {
                request = request.header("if-match", tag);
            }
            let body = json!({ "status": status }).to_string();
            send(app, request.body(Body::from(body)).unwrap())
        };
        let accepted = move_on(Some("\"1\""), "accepted").await;
        assert_eq!(accepted.status, 200, "{name}: {}", accepted.body);
        assert_eq!(accepted.header("etag"), "\"2\"", "{name}");
        let stale = move_on(Some("\"1\""), "in-progress").await;
        assert_eq!(stale.status, 412, "{name}: {}", stale.body);
        assert_eq!(stale.json()["current_version"], 2, "{name}");
        let unconditional = move_on(None, "in-progress").await;
        assert_eq!(unconditional.status, 200, "{name}: {}", unconditional.body);
        assert_eq!(unconditional.json()["status"], "in-progress", "{name}");
        assert_eq!(unconditional.json()["version"], 3, "{name}");

        // Withdrawing the consent blocks the next disclosure.
        let withdrawn = call(
            app,
            Method::POST,
            &format!("/api/v1/consents/{consent_id}/withdraw"),
            &worker,
            None,
        )
        .await;
        assert_eq!(withdrawn.status, 204, "{name}");
        let refused = call(
            app,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/referrals"),
            &worker,
            Some(referral("00000000-0000-7000-8000-0000000ef002")),
        )
        .await;
        assert_eq!(refused.status, 422, "{name}");
        assert_eq!(c.store.count_rows_for_tests("referrals").await.unwrap(), 1);

        let task = call(
            app,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/follow-ups"),
            &worker,
            Some(json!({"id": "00000000-0000-7000-8000-0000000f0001",
                "title": "Llamar al albergue", "due_on": "2026-11-30"})),
        )
        .await;
        assert_eq!(task.status, 201, "{name}: {}", task.body);

        // The case file holds it all; found by reference and by contact id.
        let file = call(
            app,
            Method::GET,
            &format!("/api/v1/cases/{case_id}"),
            &worker,
            None,
        )
        .await;
        assert_eq!(file.status, 200, "{name}");
        assert_eq!(
            file.header("cache-control"),
            "no-store",
            "{name}: personal data is kept by no cache"
        );
        let file = file.json();
        for (part, n) in [
            ("persons", 1),
            ("consents", 1),
            ("referrals", 1),
            ("follow_ups", 1),
            ("contacts", 1),
        ] {
            assert_eq!(file[part].as_array().unwrap().len(), n, "{name}: {part}");
        }
        assert_eq!(file["persons"][0]["name"], "María Tzul");
        assert!(file["consents"][0]["withdrawn_at"].is_string());
        for query in [
            format!("reference={reference}"),
            format!("contact={contact_id}"),
        ] {
            let found = call(
                app,
                Method::GET,
                &format!("/api/v1/cases?{query}"),
                &worker,
                None,
            )
            .await;
            assert_eq!(found.json()["cases"][0]["id"], case_id, "{name}: {query}");
        }
        let found = call(
            app,
            Method::POST,
            "/api/v1/persons/search",
            &worker,
            Some(json!({"name": "tzul"})),
        )
        .await;
        let hit = &found.json()["persons"][0];
        assert_eq!(hit["id"], person_id, "{name}: {}", found.body);
        assert_eq!(hit["case"], case_id, "{name}: {}", found.body);
        let bad_query = call(app, Method::GET, "/api/v1/cases?status=lost", &worker, None).await;
        assert_eq!(bad_query.status, 422, "{name}");

        // Another country's account sees nothing of it.
        let elsewhere = call(
            app,
            Method::GET,
            &format!("/api/v1/cases/{case_id}"),
            &honduras,
            None,
        )
        .await;
        assert_eq!(elsewhere.status, 404, "{name}");
        let elsewhere = call(
            app,
            Method::GET,
            &format!("/api/v1/cases?reference={reference}"),
            &honduras,
            None,
        )
        .await;
        assert_eq!(
            elsewhere.json(),
            json!({"cases": [], "next": null}),
            "{name}"
        );

        // Closure: the caseworker asks, only the supervisor closes.
        let status = |action: &str| json!({"action": action, "reason": "goals-met"});
        let uri = format!("/api/v1/cases/{case_id}/status");
        let no_reason = call(
            app,
            Method::POST,
            &uri,
            &worker,
            Some(json!({"action": "request-closure"})),
        )
        .await;
        assert_eq!(no_reason.status, 422, "{name}");
        let asked = call(
            app,
            Method::POST,
            &uri,
            &worker,
            Some(status("request-closure")),
        )
        .await;
        assert_eq!(asked.status, 200, "{name}: {}", asked.body);
        let queue = call(app, Method::GET, "/api/v1/queue", &worker, None).await;
        assert_eq!(queue.status, 403, "{name}");
        let queue = call(app, Method::GET, "/api/v1/queue", &supervisor, None).await;
        assert_eq!(queue.json()["closure_requests"][0]["id"], case_id, "{name}");
        let closed = call(
            app,
            Method::POST,
            &uri,
            &supervisor,
            Some(status("approve-closure")),
        )
        .await;
        assert_eq!(closed.json()["status"], "closed", "{name}: {}", closed.body);
        let late = call(
            app,
            Method::POST,
            &uri,
            &worker,
            Some(status("request-closure")),
        )
        .await;
        assert_eq!(
            late.status, 409,
            "{name}: a closed case cannot be asked closed"
        );

        // Every step was audited under the service account.
        let entries = c.store.list_audit(0, 10_000).await.unwrap();
        let service = Uuid::from_u128(1).to_string();
        assert!(
            entries
                .iter()
                .any(|e| e.actor == service && e.action == "referral.requested"),
            "{name}"
        );
        assert!(
            entries
                .iter()
                .any(|e| e.actor == service && e.action == "case.viewed"),
            "{name}"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let db = antitrata_store::testing::sqlite().await;
    let c = console(&db);
    let reply = get(&c.app, "/api/v1/openapi.json").await;
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for (method, path, access) in API_ROUTES {
        if *path == "/api/v1/openapi.json" {
            continue;
        }
        let operation = &doc["paths"][*path][method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {path} is not in the OpenAPI document"
        );
        let secured = operation["security"].is_array();
        assert_eq!(
            secured,
            *access != antitrata_web::Access::Public,
            "{method} {path}: security does not match the route table"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // An optional query parameter is optional in the document too.
    let limit = doc["paths"]["/api/v1/cases"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["required"], false, "{limit}");
    // Every UUID, in a body, a query or a path, carries the pattern the server reads.
    let mut uuids = Vec::new();
    collect_uuid_schemas(&doc, &mut uuids);
    assert!(uuids.len() > 20, "{} uuid schemas", uuids.len());
    for schema in &uuids {
        assert_eq!(
            schema["pattern"],
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            "{schema}"
        );
    }
    let case_id = &doc["components"]["schemas"]["NewCaseBody"]["properties"]["id"];
    assert!(case_id["pattern"].is_string(), "{case_id}");
    // Every reference names a schema of the document.
    let text = doc.to_string();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "the document refers to a schema it lacks: {name}"
        );
    }
    let contact = &doc["components"]["schemas"]["ContactView"]["properties"]["channel"];
    assert!(contact.to_string().contains("ContactChannel"), "{contact}");
    let channel = &doc["components"]["schemas"]["ContactChannel"]["enum"];
    assert!(
        channel.as_array().unwrap().contains(&json!("whatsapp")),
        "{channel}"
    );
    db.cleanup().await;
}

fn collect_uuid_schemas<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a serde_json::Value>) {
    match value {
        serde_json::Value::Object(fields) => {
            if fields.get("format") == Some(&json!("uuid")) {
                found.push(value);
            }
            fields.values().for_each(|v| collect_uuid_schemas(v, found));
        }
        serde_json::Value::Array(items) => {
            items.iter().for_each(|v| collect_uuid_schemas(v, found))
        }
        _ => {}
    }
}

/// Every error an operation can answer is in the document, as `application/problem+json` with
/// the one `Problem` schema; no error is documented as plain JSON.
#[tokio::test]
async fn the_document_gives_every_operation_its_problems() {
    let db = antitrata_store::testing::sqlite().await;
    let c = console(&db);
    let doc = get(&c.app, "/api/v1/openapi.json").await.json();
    let problem = json!({"$ref": "#/components/schemas/Problem"});
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let mut wanted = vec!["500", "503"];
            if operation["security"].is_array() {
                wanted.extend(["401", "403"]);
            }
            if path.contains('{') {
                wanted.extend(["400", "404"]);
            }
            if operation["requestBody"].is_object() {
                wanted.extend(["400", "413", "422"]);
            }
            if method != "get" {
                wanted.push("409");
            }
            for status in wanted {
                let response = &responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{method} {path} does not document {status}"));
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"], problem,
                    "{method} {path} {status}"
                );
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"].get("application/json").is_none(),
                        "{method} {path} documents its {status} as plain JSON"
                    );
                }
            }
        }
    }
    let schema = &doc["components"]["schemas"]["Problem"];
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["type", "title", "status", "detail"], "{schema}");
    db.cleanup().await;
}

/// API errors are worded for an integrator, in the request's language, and name what is missing.
#[tokio::test]
async fn api_errors_say_what_is_wrong() {
    let db = antitrata_store::testing::sqlite().await;
    db.store.seed_reference_data().await.unwrap();
    let c = console(&db);
    let token = service_token(&c.store, 1, Role::Caseworker, Some("GT")).await;
    let english = |method: Method, uri: &str, body: Option<&str>| {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("accept-language", "en");
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_owned()));
        send(&c.app, request.body(body).unwrap())
    };
    let detail = |reply: &Reply| reply.json()["detail"].as_str().unwrap().to_owned();

    let no_body = english(Method::POST, "/api/v1/cases", None).await;
    assert_eq!(no_body.status, 400);
    assert_eq!(no_body.header("content-type"), "application/problem+json");
    assert!(
        detail(&no_body).contains("no JSON body") && detail(&no_body).contains("Content-Type"),
        "{}",
        no_body.body
    );
    let not_json = english(Method::POST, "/api/v1/cases", Some("{id:")).await;
    assert_eq!(not_json.status, 400);
    assert!(
        detail(&not_json).contains("not valid JSON"),
        "{}",
        not_json.body
    );
    let no_id = english(Method::POST, "/api/v1/cases", Some("{}")).await;
    assert_eq!(no_id.status, 400);
    assert!(
        detail(&no_id).contains("documented shape") && detail(&no_id).contains("`id`"),
        "{}",
        no_id.body
    );

    // A body is an object: a list of the fields' values is not read as the fields in order.
    let listed = json!([Uuid::from_u128(75)]).to_string();
    let listed = english(Method::POST, "/api/v1/cases", Some(&listed)).await;
    assert_eq!(listed.status, 400, "{}", listed.body);
    assert!(
        detail(&listed).contains("expected a JSON object"),
        "{}",
        listed.body
    );
    let blank_date = english(Method::GET, "/api/v1/cases?from=%0A", None).await;
    assert_eq!(
        blank_date.status, 422,
        "a blank date is no date: {}",
        blank_date.body
    );

    // An empty string is never a value, in a body or a query; a property the document does not
    // name is ignored, whatever it holds.
    let empty = json!({"id": Uuid::from_u128(76), "contact": ""}).to_string();
    let empty = english(Method::POST, "/api/v1/cases", Some(&empty)).await;
    assert_eq!(empty.status, 400);
    assert!(
        detail(&empty).contains("`contact` is an empty string"),
        "{}",
        empty.body
    );
    let unknown = json!({"id": Uuid::from_u128(76), "note": ""}).to_string();
    let unknown = english(Method::POST, "/api/v1/cases", Some(&unknown)).await;
    assert_eq!(unknown.status, 201, "{}", unknown.body);
    let empty_query = english(Method::GET, "/api/v1/cases?status=", None).await;
    assert_eq!(empty_query.status, 400);
    assert!(
        detail(&empty_query).contains("`status`"),
        "{}",
        empty_query.body
    );

    let case = format!("/api/v1/cases/{}", Uuid::from_u128(77));
    let missing = english(Method::GET, &case, None).await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        detail(&missing),
        "There is no case with this id in your country.",
        "{}",
        missing.body
    );
    let not_a_uuid = english(Method::GET, "/api/v1/cases/GT-2026-000001", None).await;
    assert_eq!(not_a_uuid.status, 400);
    assert!(
        detail(&not_a_uuid).contains("not a UUID"),
        "{}",
        not_a_uuid.body
    );
    let withdrawn = format!("/api/v1/consents/{}/withdraw", Uuid::from_u128(78));
    let missing = english(Method::POST, &withdrawn, None).await;
    assert_eq!(
        detail(&missing),
        "There is no consent with this id in your country."
    );
    let bad_query = english(
        Method::GET,
        "/api/v1/stats?source=live:cases&by=gender&from=x",
        None,
    )
    .await;
    assert_eq!(bad_query.status, 400, "{}", bad_query.body);

    // In Spanish by default, and never the public site's "choose your country".
    let spanish = call(&c.app, Method::GET, &case, &token, None).await;
    assert_eq!(
        spanish.json()["detail"],
        "No hay ningún caso con este id en su país."
    );
    let no_route = call(&c.app, Method::GET, "/api/v1/nothing", &token, None).await;
    assert_eq!(no_route.status, 404);
    assert!(
        !no_route.body.contains("Elija su país"),
        "{}",
        no_route.body
    );
    db.cleanup().await;
}

/// Two clients read one case and both replace its description: the second is refused with 412
/// and the version to read again, and the first one's change stays. A replacing update without
/// `If-Match` is a 428; any other write to the case moves its version on.
#[tokio::test]
async fn a_stale_update_is_refused_with_the_current_version() {
    for db in seeded_backends().await {
        let c = console(&db);
        let token = service_token(&c.store, 1, Role::Caseworker, Some("GT")).await;
        let case = Uuid::from_u128(900);
        let uri = format!("/api/v1/cases/{case}");
        let opened = call(
            &c.app,
            Method::POST,
            "/api/v1/cases",
            &token,
            Some(json!({"id": case})),
        )
        .await;
        assert_eq!(opened.status, 201, "{}", opened.body);
        assert_eq!(opened.json()["version"], 1);

        let read = call(&c.app, Method::GET, &uri, &token, None).await;
        let tag = read.header("etag").to_owned();
        assert_eq!(tag, "\"1\"");
        let put = |tag: Option<&str>, risk: &str| {
            let mut request = Request::builder()
                .method(Method::PUT)
                .uri(&uri)
                .header("authorization", format!("Bearer {token}"))
                .header("accept-language", "en")
                .header("content-type", "application/json");
            if let Some(tag) = tag {
                request = request.header("if-match", tag);
            }
            let body = json!({"risk": risk, "exploitation_types": ["ForcedLabour"]}).to_string();
            send(&c.app, request.body(Body::from(body)).unwrap())
        };

        let first = put(Some(&tag), "high").await;
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!(first.header("etag"), "\"2\"");
        assert_eq!(first.json()["version"], 2);

        let second = put(Some(&tag), "low").await;
        assert_eq!(second.status, 412, "{}", second.body);
        assert_eq!(second.header("content-type"), "application/problem+json");
        assert_eq!(second.header("etag"), "\"2\"");
        assert_eq!(second.json()["current_version"], 2);
        assert!(
            second.json()["detail"]
                .as_str()
                .unwrap()
                .contains("version 2"),
            "{}",
            second.body
        );
        let now = call(&c.app, Method::GET, &uri, &token, None).await.json();
        assert_eq!(
            now["case"]["risk"], "high",
            "the first client's change stays"
        );

        assert_eq!(put(None, "low").await.status, 428);
        assert_eq!(put(Some(""), "low").await.status, 428);
        assert_eq!(put(Some("\"two\""), "low").await.status, 400);
        assert_eq!(put(Some("W/\"2\""), "medium").await.status, 200);

        // A workflow step is a write to the case too: the version read before it is stale.
        let status = format!("{uri}/status");
        let step = call(
            &c.app,
            Method::POST,
            &status,
            &token,
            Some(json!({"action": "activate"})),
        )
        .await;
        assert_eq!(step.status, 200, "{}", step.body);
        assert_eq!(step.json()["version"], 4);
        assert_eq!(put(Some("\"3\""), "low").await.status, 412);
        db.cleanup().await;
    }
}

/// A workflow step or an assignment sent with `If-Match` is taken only from the case's current
/// version: from a stale one it is a 412 with the current version and changes nothing. Without
/// `If-Match` it applies to whatever version the case is at; each answer carries the new `ETag`.
#[tokio::test]
async fn a_step_or_an_assignment_from_a_stale_version_is_refused() {
    for db in seeded_backends().await {
        let c = console(&db);
        let supervisor = service_token(&c.store, 1, Role::Supervisor, Some("GT")).await;
        let worker_token = service_token(&c.store, 2, Role::Caseworker, Some("GT")).await;
        let worker = Uuid::from_u128(2);
        let case = Uuid::from_u128(901);
        let uri = format!("/api/v1/cases/{case}");
        let opened = call(
            &c.app,
            Method::POST,
            "/api/v1/cases",
            &supervisor,
            Some(json!({"id": case})),
        )
        .await;
        assert_eq!(opened.status, 201, "{}", opened.body);
        let post = |path: &'static str, tag: Option<&'static str>, body: Value| {
            let mut request = Request::builder()
                .method(Method::POST)
                .uri(format!("{uri}/{path}"))
                .header("authorization", format!("Bearer {supervisor}"))
                .header("accept-language", "en")
                .header("content-type", "application/json");
            if let Some(tag) = tag {
                request = request.header("if-match", tag);
            }
            send(&c.app, request.body(Body::from(body.to_string())).unwrap())
        };

        let assigned = post("assign", Some("\"1\""), json!({"assignee": worker})).await;
        assert_eq!(assigned.status, 200, "{}", assigned.body);
        assert_eq!(assigned.header("etag"), "\"2\"");

        // Both read version 1; the assignment above moved the case to 2.
        let step = post("status", Some("\"1\""), json!({"action": "activate"})).await;
        assert_eq!(step.status, 412, "{}", step.body);
        assert_eq!(step.header("etag"), "\"2\"");
        assert_eq!(step.json()["current_version"], 2);
        let again = post("assign", Some("\"1\""), json!({"assignee": null})).await;
        assert_eq!(again.status, 412, "{}", again.body);
        assert_eq!(again.json()["current_version"], 2);
        let now = call(&c.app, Method::GET, &uri, &supervisor, None).await;
        assert_eq!(now.json()["case"]["status"], "open", "{}", now.body);
        assert_eq!(
            now.json()["case"]["assigned_to"],
            json!(worker),
            "{}",
            now.body
        );
        assert_eq!(now.header("etag"), "\"2\"");
        // The lists of whose cases they are.
        let app = &c.app;
        let listed = |token: &str, assigned: &str| {
            let uri = format!("/api/v1/cases?assigned={assigned}");
            let token = token.to_owned();
            async move { call(app, Method::GET, &uri, &token, None).await }
        };
        let mine = listed(&worker_token, "me").await.json();
        assert_eq!(mine["cases"][0]["id"], json!(case), "{mine}");
        let unassigned = listed(&supervisor, "none").await.json();
        assert!(
            !unassigned["cases"].to_string().contains(&case.to_string()),
            "{unassigned}"
        );
        assert_eq!(listed(&supervisor, "somebody").await.status, 422);
        assert_eq!(
            listed(&supervisor, "%20").await.status,
            422,
            "blank is no filter"
        );

        let step = post("status", Some("\"2\""), json!({"action": "activate"})).await;
        assert_eq!(step.status, 200, "{}", step.body);
        assert_eq!(step.header("etag"), "\"3\"");
        let unconditional = post("assign", None, json!({"assignee": null})).await;
        assert_eq!(unconditional.status, 200, "{}", unconditional.body);
        assert_eq!(unconditional.header("etag"), "\"4\"");
        assert_eq!(
            post("status", Some("three"), json!({"action": "reopen"}))
                .await
                .status,
            400
        );
        // An empty If-Match names no version: the step is taken as if it were left out.
        let closing = json!({"action": "request-closure", "reason": "goals-met"});
        let empty = post("status", Some(""), closing).await;
        assert_eq!(empty.status, 200, "{}", empty.body);
        assert_eq!(empty.header("etag"), "\"5\"");
        db.cleanup().await;
    }
}

/// The directory's services and the people a search finds come page by page too: each page's
/// `next` is the following page's `cursor`, the last page's is `null`, and the walk sees every
/// record once.
#[tokio::test]
async fn services_and_people_found_are_listed_page_by_page() {
    for db in seeded_backends().await {
        let c = console(&db);
        let admin = service_token(&c.store, 1, Role::CountryAdmin, Some("GT")).await;
        let worker = service_token(&c.store, 2, Role::Caseworker, Some("GT")).await;
        let mut saved = Vec::new();
        for n in 0..5u128 {
            let id = Uuid::from_u128(0xa000 + n);
            let service = json!({
                "id": id, "organization": "Red de apoyo", "name": format!("Oficina {n}"),
                "categories": ["legal"], "locality": "Zacapa"
            });
            let reply = call(
                &c.app,
                Method::POST,
                "/api/v1/services",
                &admin,
                Some(service),
            )
            .await;
            assert_eq!(reply.status, 201, "{}", reply.body);
            saved.push(id.to_string());
        }
        let mut walked = Vec::new();
        let mut uri = "/api/v1/services?category=legal&limit=2".to_owned();
        loop {
            let page = call(&c.app, Method::GET, &uri, &worker, None).await;
            assert_eq!(page.status, 200, "{}", page.body);
            let page = page.json();
            let services = page["services"].as_array().unwrap();
            assert!(services.len() <= 2, "{page}");
            walked.extend(
                services
                    .iter()
                    .map(|s| s["id"].as_str().unwrap().to_owned()),
            );
            match page["next"].as_str() {
                Some(next) => {
                    uri = format!("/api/v1/services?category=legal&limit=2&cursor={next}")
                }
                None => break,
            }
        }
        assert_eq!(walked, saved, "by locality and name, each once");
        let bad = call(
            &c.app,
            Method::GET,
            "/api/v1/services?limit=0",
            &worker,
            None,
        )
        .await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        let bad = call(
            &c.app,
            Method::GET,
            "/api/v1/services?cursor=zacapa",
            &worker,
            None,
        )
        .await;
        assert_eq!(bad.status, 422, "{}", bad.body);

        // 51 people of one surname: a page of 50, then the one left.
        let case = Uuid::from_u128(950);
        let opened = call(
            &c.app,
            Method::POST,
            "/api/v1/cases",
            &worker,
            Some(json!({"id": case})),
        )
        .await;
        assert_eq!(opened.status, 201, "{}", opened.body);
        for n in 0..51u128 {
            let person = json!({
                "id": Uuid::from_u128(0xb000 + n), "role": "victim",
                "name": format!("Persona{n} Paginadez")
            });
            let uri = format!("/api/v1/cases/{case}/persons");
            let added = call(&c.app, Method::POST, &uri, &worker, Some(person)).await;
            assert_eq!(added.status, 201, "{}", added.body);
        }
        let search = |cursor: Option<String>| {
            let mut query = json!({"name": "paginadez"});
            if let Some(cursor) = cursor {
                query["cursor"] = json!(cursor);
            }
            call(
                &c.app,
                Method::POST,
                "/api/v1/persons/search",
                &worker,
                Some(query),
            )
        };
        let first = search(None).await.json();
        assert_eq!(first["persons"].as_array().unwrap().len(), 50, "{first}");
        let next = first["next"].as_str().unwrap().to_owned();
        let second = search(Some(next)).await.json();
        assert_eq!(second["persons"].as_array().unwrap().len(), 1, "{second}");
        assert_eq!(second["next"], Value::Null, "{second}");
        let mut found: Vec<String> = first["persons"]
            .as_array()
            .unwrap()
            .iter()
            .chain(second["persons"].as_array().unwrap())
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect();
        found.sort();
        found.dedup();
        assert_eq!(found.len(), 51, "every person once");
        db.cleanup().await;
    }
}

/// A country's cases read page by page while new ones are opened: every case there when the walk
/// began is seen once, none twice, newest reference first; a bad limit or cursor is a 422.
#[tokio::test]
async fn cases_are_listed_page_by_page_with_a_stable_cursor() {
    for db in seeded_backends().await {
        let c = console(&db);
        let token = service_token(&c.store, 1, Role::Caseworker, Some("GT")).await;
        let open = |n: u128| {
            call(
                &c.app,
                Method::POST,
                "/api/v1/cases",
                &token,
                Some(json!({"id": Uuid::from_u128(1_000 + n)})),
            )
        };
        let mut before = Vec::new();
        for n in 0..23 {
            let opened = open(n).await;
            assert_eq!(opened.status, 201, "{}", opened.body);
            before.push(opened.json()["reference"].as_str().unwrap().to_owned());
        }
        let mut seen = Vec::new();
        let mut cursor = String::new();
        let mut pages = 0;
        loop {
            let uri = match cursor.as_str() {
                "" => "/api/v1/cases?limit=5".to_owned(),
                at => format!("/api/v1/cases?limit=5&cursor={at}"),
            };
            let page = call(&c.app, Method::GET, &uri, &token, None).await;
            assert_eq!(page.status, 200, "{}: {}", db.name, page.body);
            let page = page.json();
            seen.extend(
                page["cases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|case| case["reference"].as_str().unwrap().to_owned()),
            );
            pages += 1;
            // Two cases are opened while the walk goes on.
            if pages <= 2 {
                assert_eq!(open(100 + pages).await.status, 201);
            }
            match page["next"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        assert_eq!(pages, 5, "{}", db.name);
        let mut newest_first = before.clone();
        newest_first.reverse();
        assert_eq!(
            seen, newest_first,
            "{}: each case once, newest first",
            db.name
        );

        for bad in ["limit=0", "limit=501", "cursor=XX-0000-000000x"] {
            let reply = call(
                &c.app,
                Method::GET,
                &format!("/api/v1/cases?{bad}"),
                &token,
                None,
            )
            .await;
            assert_eq!(reply.status, 422, "{bad}: {}", reply.body);
        }
        db.cleanup().await;
    }
}

/// Every row of a paged list at `path`, `limit` a page, following `next`: the ids in the order
/// the pages gave them.
async fn walk(app: &Router, token: &str, path: &str, items: &str, limit: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut uri = format!("{path}?limit={limit}");
    loop {
        let page = call(app, Method::GET, &uri, token, None).await;
        assert_eq!(page.status, 200, "{uri}: {}", page.body);
        let page = page.json();
        let rows = page[items].as_array().unwrap();
        assert!(rows.len() <= limit, "{page}");
        seen.extend(rows.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        match page["next"].as_str() {
            Some(next) => uri = format!("{path}?limit={limit}&cursor={next}"),
            None => return seen,
        }
    }
}

#[tokio::test]
async fn what_waits_is_listed_in_full_page_by_page() {
    for db in seeded_backends().await {
        let c = console(&db);
        let app = &c.app;
        let name = &db.name;
        let operator = service_token(&c.store, 1, Role::Operator, Some("GT")).await;
        let worker = service_token(&c.store, 2, Role::Caseworker, Some("GT")).await;
        let supervisor = service_token(&c.store, 3, Role::Supervisor, Some("GT")).await;
        let admin = service_token(&c.store, 4, Role::CountryAdmin, Some("GT")).await;
        let post = |token: &str, uri: String, body: Value| {
            let (token, uri) = (token.to_owned(), uri);
            async move {
                let reply = call(app, Method::POST, &uri, &token, Some(body)).await;
                assert_eq!(reply.status, 201, "{uri}: {}", reply.body);
            }
        };

        // Five contacts in immediate danger, recorded in the same second: newest first, so ties
        // go by id, highest first.
        let mut dangers = Vec::new();
        for n in 0..5u128 {
            let id = Uuid::from_u128(0xd000 + n).to_string();
            let contact = json!({
                "id": id, "channel": "call", "language": "es", "caller_role": "potential-victim",
                "outcome": "emergency-escalated", "immediate_danger": true
            });
            post(&operator, "/api/v1/contacts".into(), contact).await;
            dangers.push(id);
        }
        // A case with five overdue follow-ups its caseworker wrote, and three referrals.
        let case = Uuid::from_u128(0xca5e);
        post(&worker, "/api/v1/cases".into(), json!({"id": case})).await;
        let mut tasks = Vec::new();
        for n in 0..5u128 {
            let id = Uuid::from_u128(0xf000 + n).to_string();
            let task = json!({"id": id, "title": format!("Llamada {n}"), "due_on": "2026-11-20"});
            post(&worker, format!("/api/v1/cases/{case}/follow-ups"), task).await;
            tasks.push(id);
        }
        let shelter = Uuid::from_u128(0x5e1f);
        let service = json!({"id": shelter, "organization": "Refugio", "name": "Albergue",
            "categories": ["shelter"], "locality": "Cobán"});
        post(&admin, "/api/v1/services".into(), service).await;
        let person = Uuid::from_u128(0x9e);
        let victim = json!({"id": person, "role": "victim", "name": "Ana Caal"});
        post(&worker, format!("/api/v1/cases/{case}/persons"), victim).await;
        let consent = json!({"id": Uuid::from_u128(0xc0), "person": person, "scope": "referral",
            "given_by": "self"});
        post(&worker, format!("/api/v1/cases/{case}/consents"), consent).await;
        let mut referrals = Vec::new();
        for n in 0..3u128 {
            let id = Uuid::from_u128(0xe000 + n).to_string();
            let referral = json!({"id": id, "person": person, "service": shelter});
            post(&worker, format!("/api/v1/cases/{case}/referrals"), referral).await;
            referrals.push(id);
        }
        // Three days without news: the referrals are waiting too long.
        c.clock.advance(Duration::hours(73));

        let dangers_walked = walk(app, &supervisor, "/api/v1/queue/dangers", "contacts", 2).await;
        let newest_first: Vec<String> = dangers.iter().rev().cloned().collect();
        assert_eq!(
            dangers_walked, newest_first,
            "{name}: newest first, each once"
        );
        let overdue = walk(
            app,
            &supervisor,
            "/api/v1/queue/overdue-follow-ups",
            "follow_ups",
            2,
        )
        .await;
        assert_eq!(overdue, tasks, "{name}");
        let mine = walk(app, &worker, "/api/v1/work/follow-ups", "follow_ups", 3).await;
        assert_eq!(mine, tasks, "{name}");
        let stale = walk(
            app,
            &supervisor,
            "/api/v1/queue/stale-referrals",
            "referrals",
            1,
        )
        .await;
        assert_eq!(stale, referrals, "{name}");
        // The summaries show the same rows first.
        let queue = call(app, Method::GET, "/api/v1/queue", &supervisor, None)
            .await
            .json();
        assert_eq!(queue["dangers"].as_array().unwrap().len(), 5, "{queue}");
        // Each part says how many it holds in all.
        let counts = &queue["counts"];
        assert_eq!(counts["dangers"], 5, "{queue}");
        assert_eq!(counts["dangers_untaken"], 5, "{queue}");
        assert_eq!(counts["overdue_follow_ups"], tasks.len(), "{queue}");
        assert_eq!(counts["stale_referrals"], referrals.len(), "{queue}");
        assert_eq!(counts["unassigned"], 1, "{queue}: the one case");
        assert_eq!(counts["closure_requests"], 0, "{queue}");
        assert_eq!(queue["stale_referrals"][0]["id"], referrals[0], "{queue}");

        // Taken in hand, a danger leaves the list.
        let handled = call(
            app,
            Method::POST,
            &format!("/api/v1/contacts/{}/danger-handled", dangers[0]),
            &supervisor,
            None,
        )
        .await;
        assert!(handled.status.is_success(), "{name}: {}", handled.body);
        let left = walk(app, &supervisor, "/api/v1/queue/dangers", "contacts", 500).await;
        assert_eq!(left, newest_first[..4], "{name}");

        // The operator on the line takes the newest danger: the queue names them, and the
        // supervisor cannot take it from them; a caseworker may not take one at all.
        let take = |token: &str, id: &str| {
            let (token, uri) = (
                token.to_owned(),
                format!("/api/v1/contacts/{id}/take-danger"),
            );
            async move { call(app, Method::POST, &uri, &token, None).await }
        };
        let taken = take(&operator, &newest_first[0]).await;
        assert_eq!(taken.status, 204, "{name}: {}", taken.body);
        assert_eq!(
            take(&operator, &newest_first[0]).await.status,
            204,
            "{name}: again"
        );
        let refused = take(&supervisor, &newest_first[0]).await;
        assert_eq!(refused.status, 409, "{name}: {}", refused.body);
        assert!(
            refused.body.contains("Service 1"),
            "names who has it: {}",
            refused.body
        );
        assert_eq!(take(&worker, &newest_first[1]).await.status, 403, "{name}");
        let handled_one = take(&operator, &dangers[0]).await;
        assert_eq!(
            handled_one.status, 409,
            "{name}: a handled danger is not taken"
        );
        let queue = call(app, Method::GET, "/api/v1/queue/dangers", &supervisor, None)
            .await
            .json();
        let first = &queue["contacts"][0];
        assert_eq!(first["id"], newest_first[0], "{queue}");
        assert!(first["danger_taken"]["name"].is_string(), "{queue}");
        assert!(queue["contacts"][1]["danger_taken"].is_null(), "{queue}");
        let counts = call(app, Method::GET, "/api/v1/queue", &supervisor, None)
            .await
            .json()["counts"]
            .clone();
        assert_eq!(
            (counts["dangers"].clone(), counts["dangers_untaken"].clone()),
            (4.into(), 3.into())
        );

        // The queue's lists are the supervisor's; a bad page is a 422 naming its field.
        let refused = call(app, Method::GET, "/api/v1/queue/dangers", &operator, None).await;
        assert_eq!(refused.status, 403, "{name}");
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("cursor=x", "cursor"),
        ] {
            let uri = format!("/api/v1/queue/stale-referrals?{query}");
            let bad = call(app, Method::GET, &uri, &supervisor, None).await;
            assert_eq!(bad.status, 422, "{name} {query}: {}", bad.body);
            assert_eq!(fields(&bad), [field], "{query}");
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_withdrawal_or_a_done_from_a_stale_version_is_refused() {
    for db in seeded_backends().await {
        let c = console(&db);
        let app = &c.app;
        let worker = service_token(&c.store, 1, Role::Caseworker, Some("GT")).await;
        let case = Uuid::from_u128(0xca5e);
        let person = Uuid::from_u128(0x9e);
        let consent = Uuid::from_u128(0xc0);
        let task = Uuid::from_u128(0xf0);
        let create = |uri: String, body: Value| {
            let worker = worker.clone();
            async move {
                let reply = call(app, Method::POST, &uri, &worker, Some(body)).await;
                assert_eq!(reply.status, 201, "{uri}: {}", reply.body);
                reply.json()
            }
        };
        create("/api/v1/cases".into(), json!({"id": case})).await;
        let victim = json!({"id": person, "role": "victim", "name": "Ana Caal"});
        create(format!("/api/v1/cases/{case}/persons"), victim).await;
        let given = json!({"id": consent, "person": person, "scope": "referral",
            "given_by": "self"});
        let given = create(format!("/api/v1/cases/{case}/consents"), given).await;
        assert_eq!(given["version"], 1, "{given}");
        let due = json!({"id": task, "title": "Llamar", "due_on": "2026-11-30"});
        let due = create(format!("/api/v1/cases/{case}/follow-ups"), due).await;
        assert_eq!(due["version"], 1, "{due}");
        let post = |uri: String, tag: &'static str| {
            let request = Request::builder()
                .method(Method::POST)
                .uri(uri)
                .header("authorization", format!("Bearer {worker}"))
                .header("if-match", tag);
            send(app, request.body(Body::empty()).unwrap())
        };
        for uri in [
            format!("/api/v1/consents/{consent}/withdraw"),
            format!("/api/v1/follow-ups/{task}/done"),
        ] {
            // Read at a version it is not at: refused, with the current one; nothing changes.
            let stale = post(uri.clone(), "\"5\"").await;
            assert_eq!(stale.status, 412, "{uri}: {}", stale.body);
            assert_eq!(stale.header("etag"), "\"1\"");
            assert_eq!(stale.json()["current_version"], 1);
            let done = post(uri.clone(), "\"1\"").await;
            assert_eq!(done.status, 204, "{uri}: {}", done.body);
            // The one change raised the version: a client that read 1 is told so.
            let again = post(uri.clone(), "\"1\"").await;
            assert_eq!(again.status, 412, "{uri}: {}", again.body);
            assert_eq!(again.json()["current_version"], 2);
        }
        let file = call(
            app,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            &worker,
            None,
        )
        .await;
        let file = file.json();
        assert_eq!(file["consents"][0]["version"], 2, "{file}");
        assert!(file["consents"][0]["withdrawn_at"].is_string(), "{file}");
        assert_eq!(file["follow_ups"][0]["version"], 2, "{file}");
        assert!(file["follow_ups"][0]["done_at"].is_string(), "{file}");
        db.cleanup().await;
    }
}

/// A person of a case is read with their version, corrected only at it, and removed only at it
/// and only without consents or referrals; another country's token finds no such person.
#[tokio::test]
async fn a_person_is_corrected_and_removed_at_their_version() {
    for db in seeded_backends().await {
        let c = console(&db);
        let token = service_token(&c.store, 1, Role::Caseworker, Some("GT")).await;
        let honduras = service_token(&c.store, 2, Role::Caseworker, Some("HN")).await;
        let case = Uuid::from_u128(910);
        let opened = call(
            &c.app,
            Method::POST,
            "/api/v1/cases",
            &token,
            Some(json!({"id": case})),
        )
        .await;
        assert_eq!(opened.status, 201, "{}", opened.body);
        let person = Uuid::from_u128(911);
        let added = call(
            &c.app,
            Method::POST,
            &format!("/api/v1/cases/{case}/persons"),
            &token,
            Some(
                json!({"id": person, "role": "victim", "name": "Ana Pérez", "phone": "5555 0199"}),
            ),
        )
        .await;
        assert_eq!(added.status, 201, "{}", added.body);
        assert_eq!(added.json()["version"], 1, "{}", added.body);
        let uri = format!("/api/v1/persons/{person}");
        let read = call(&c.app, Method::GET, &uri, &token, None).await;
        assert_eq!(read.status, 200, "{}", read.body);
        assert_eq!(read.header("etag"), "\"1\"");
        assert_eq!(read.json()["name"], "Ana Pérez");
        assert_eq!(
            call(&c.app, Method::GET, &uri, &honduras, None)
                .await
                .status,
            404
        );

        let send_with = |method: Method, tag: Option<&str>, body: Option<Value>| {
            let mut request = Request::builder()
                .method(method)
                .uri(&uri)
                .header("authorization", format!("Bearer {token}"));
            if let Some(tag) = tag {
                request = request.header("if-match", tag);
            }
            let body = match body {
                Some(json) => {
                    request = request.header("content-type", "application/json");
                    Body::from(json.to_string())
                }
                None => Body::empty(),
            };
            send(&c.app, request.body(body).unwrap())
        };
        let corrected = json!({"role": "victim", "name": "Ana María Pérez", "phone": "4444 0101"});
        assert_eq!(
            send_with(Method::PUT, None, Some(corrected.clone()))
                .await
                .status,
            428
        );
        let bad = send_with(
            Method::PUT,
            Some("\"1\""),
            Some(json!({"role": "victim", "name": "Ana", "phone": "12"})),
        )
        .await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert_eq!(fields(&bad), ["phone"]);
        let put = send_with(Method::PUT, Some("\"1\""), Some(corrected.clone())).await;
        assert_eq!(put.status, 200, "{}", put.body);
        assert_eq!(put.header("etag"), "\"2\"");
        assert_eq!(put.json()["name"], "Ana María Pérez");
        let stale = send_with(Method::PUT, Some("\"1\""), Some(corrected)).await;
        assert_eq!(stale.status, 412, "{}", stale.body);
        assert_eq!(stale.json()["current_version"], 2);
        // The case file names each person's version, so a client can correct from it.
        let file = call(
            &c.app,
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            &token,
            None,
        )
        .await;
        let file = file.json();
        assert_eq!(file["persons"][0]["version"], 2, "{file}");
        assert_eq!(put.json()["version"], 2, "{file}");

        assert_eq!(send_with(Method::DELETE, None, None).await.status, 428);
        assert_eq!(
            send_with(Method::DELETE, Some("\"1\""), None).await.status,
            412
        );
        let consent = call(
            &c.app,
            Method::POST,
            &format!("/api/v1/cases/{case}/consents"),
            &token,
            Some(json!({"id": Uuid::from_u128(912), "person": person, "scope": "assistance", "given_by": "self"})),
        )
        .await;
        assert_eq!(consent.status, 201, "{}", consent.body);
        let kept = send_with(Method::DELETE, Some("\"2\""), None).await;
        assert_eq!(kept.status, 409, "{}", kept.body);
        let other = Uuid::from_u128(913);
        let added = call(
            &c.app,
            Method::POST,
            &format!("/api/v1/cases/{case}/persons"),
            &token,
            Some(json!({"id": other, "role": "victim", "name": "Added Twice"})),
        )
        .await;
        assert_eq!(added.status, 201);
        let other_uri = format!("/api/v1/persons/{other}");
        let mut request = Request::builder()
            .method(Method::DELETE)
            .uri(&other_uri)
            .header("authorization", format!("Bearer {token}"))
            .header("if-match", "\"1\"");
        request = request.header("accept-language", "en");
        let removed = send(&c.app, request.body(Body::empty()).unwrap()).await;
        assert_eq!(removed.status, 204, "{}", removed.body);
        assert_eq!(
            call(&c.app, Method::GET, &other_uri, &token, None)
                .await
                .status,
            404
        );
        db.cleanup().await;
    }
}

/// A person added through the API comes back with the people of the country already recorded
/// under the same name (accents and spacing aside) or phone, as the console warns; Honduras's
/// namesake is never among them, and someone new has none.
#[tokio::test]
async fn an_added_person_names_the_similar_people_of_the_country() {
    for db in seeded_backends().await {
        let c = console(&db);
        let gt = service_token(&c.store, 1, Role::Caseworker, Some("GT")).await;
        let hn = service_token(&c.store, 2, Role::Caseworker, Some("HN")).await;
        let add = |token: String, case: u128, person: u128, name: &'static str| {
            let app = c.app.clone();
            async move {
                let case = Uuid::from_u128(case);
                let opened = call(
                    &app,
                    Method::POST,
                    "/api/v1/cases",
                    &token,
                    Some(json!({"id": case})),
                )
                .await;
                assert_eq!(opened.status, 201, "{}", opened.body);
                let body = json!({"id": Uuid::from_u128(person), "role": "victim", "name": name});
                let added = call(
                    &app,
                    Method::POST,
                    &format!("/api/v1/cases/{case}/persons"),
                    &token,
                    Some(body),
                )
                .await;
                assert_eq!(added.status, 201, "{}", added.body);
                added.json()
            }
        };
        let first = add(gt.clone(), 920, 921, "María José López").await;
        assert_eq!(first["similar"], json!([]), "{first}");
        let namesake = add(hn.clone(), 930, 931, "María José López").await;
        assert_eq!(
            namesake["similar"],
            json!([]),
            "{}: another country's",
            db.name
        );
        let again = add(gt.clone(), 940, 941, "maria  jose LOPEZ").await;
        let similar = again["similar"].as_array().unwrap();
        assert_eq!(similar.len(), 1, "{}: {again}", db.name);
        assert_eq!(similar[0]["id"], Uuid::from_u128(921).to_string());
        assert_eq!(similar[0]["name"], "María José López");
        assert_eq!(similar[0]["case"], Uuid::from_u128(920).to_string());
        assert_eq!(again["name"], "maria  jose LOPEZ");
        assert_eq!(again["version"], 1);
        let other = add(gt, 950, 951, "Rosa Tzul Ixcoy").await;
        assert_eq!(other["similar"], json!([]), "{other}");
        db.cleanup().await;
    }
}
