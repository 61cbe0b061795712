//! Bad input gets a clear 4xx, never a panic or a 5xx.

use axum::http::Method;

use crate::support::{get, request, test_app, test_app_with};

#[tokio::test]
async fn malformed_urls_are_400_or_404_with_a_page() {
    let app = test_app().await;
    for (uri, status) in [
        ("/es/%ff", 400),
        ("/%ff/gt", 400),
        ("/es/g%00", 400),
        ("/es/gtm", 400),
        ("/es/../gt", 404),
        ("/es/gt/extra", 404),
        ("/es/gt?x=%3Cscript%3E", 200),
        ("/es/%3Cscript%3E", 400),
        ("/api/v1/hotlines/%ff", 400),
        ("/api/v1/hotlines/toolong", 400),
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status.as_u16(), status, "{uri}");
        assert!(!reply.body.is_empty(), "{uri} explains itself");
        assert!(!reply.body.contains("<script>"), "{uri} reflects input");
    }
    let long = format!("/es/{}", "a".repeat(10_000));
    assert_eq!(get(&app, &long).await.status, 400);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let config = antitrata_web::WebConfig {
        body_limit_bytes: 1024,
        ..Default::default()
    };
    let app = test_app_with(config).await;
    let page = request(&app, Method::POST, "/es/gt", vec![b'x'; 4096]).await;
    assert_eq!(page.status, 413);
    assert!(
        page.body.contains("Envío demasiado grande"),
        "{}",
        page.body
    );
    let api = request(&app, Method::POST, "/api/v1/hotlines", vec![b'x'; 4096]).await;
    assert_eq!(api.status, 413);
    assert_eq!(api.header("content-type"), "application/problem+json");
}

#[tokio::test]
async fn wrong_methods_are_405_with_an_explanation() {
    let app = test_app().await;
    let reply = request(&app, Method::DELETE, "/en/gt", vec![]).await;
    assert_eq!(reply.status, 405);
    assert!(
        reply.body.contains("This page can only be viewed."),
        "{}",
        reply.body
    );
    let api = request(&app, Method::PUT, "/api/v1/hotlines", b"{}".to_vec()).await;
    assert_eq!(api.status, 405);
    assert_eq!(api.header("content-type"), "application/problem+json");
}
