//! The JSON API and health check.

use crate::support::{get, get_with, test_app};

fn numbers(country: &serde_json::Value) -> Vec<String> {
    country["hotlines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["number"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn hotlines_lists_the_eleven_countries_with_their_numbers() {
    let app = test_app().await;
    let reply = get(&app, "/api/v1/hotlines").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), "application/json");
    let json = reply.json();
    let countries = json["countries"].as_array().unwrap();
    assert_eq!(countries.len(), 11);
    let country = |iso2: &str| {
        countries
            .iter()
            .find(|c| c["iso2"] == iso2)
            .unwrap()
            .clone()
    };
    assert!(numbers(&country("US")).contains(&"1-888-373-7888".into()));
    assert!(numbers(&country("CA")).contains(&"1-833-900-1010".into()));
    assert!(numbers(&country("MX")).contains(&"800 5533 000".into()));
    assert!(numbers(&country("HN")).contains(&"145".into()));

    let belize = country("BZ");
    assert_eq!(belize["has_confirmed_dedicated_line"], false);
    let dedicated = &belize["hotlines"][0];
    assert_eq!(dedicated["scope"], "trafficking_specific");
    assert_eq!(dedicated["number"], serde_json::Value::Null);
    assert_eq!(dedicated["confidence"], "not_found");
    assert_eq!(country("US")["has_confirmed_dedicated_line"], true);

    let us_line = &country("US")["hotlines"][0];
    assert_eq!(us_line["dial"][0]["tel"], "tel:+18883737888");
    assert_eq!(us_line["unverified"], false);
    assert!(us_line["source_urls"].as_array().unwrap().len() > 1);
    assert!(
        us_line.get("verified_on").is_some(),
        "verified_on is part of the record"
    );
}

#[tokio::test]
async fn countries_and_one_country() {
    let app = test_app().await;
    let countries = get(&app, "/api/v1/countries").await.json();
    let list = countries["countries"].as_array().unwrap();
    assert_eq!(list.len(), 11);
    assert!(list.iter().all(|c| c.get("hotlines").is_none()));
    let gt = list.iter().find(|c| c["iso2"] == "GT").unwrap();
    assert_eq!(gt["name"]["fr"], "Guatemala");
    assert_eq!(gt["emergency_number"], "110");

    for path in ["/api/v1/hotlines/hn", "/api/v1/hotlines/HN"] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, 200, "{path}");
        let hn = reply.json();
        assert_eq!(hn["iso2"], "HN");
        assert!(numbers(&hn).contains(&"145".into()));
    }
}

#[tokio::test]
async fn errors_are_problem_details() {
    let app = test_app().await;
    let ht = get_with(&app, "/api/v1/hotlines/ht", "accept-language", "fr").await;
    assert_eq!(ht.status, 404);
    assert_eq!(ht.header("content-type"), "application/problem+json");
    let problem = ht.json();
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["title"], "Not Found");
    assert_eq!(problem["type"], "about:blank");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Cette opération de l'API ou cet enregistrement n'existe pas"),
        "{}",
        ht.body
    );

    let bad = get(&app, "/api/v1/hotlines/g1").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["status"], 400);

    let unknown = get(&app, "/api/v2/hotlines").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.header("content-type"), "application/problem+json");
}

#[tokio::test]
async fn healthz_answers_once_the_database_does() {
    let app = test_app().await;
    let reply = get(&app, "/healthz").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), serde_json::json!({"status": "ok"}));
}
