//! The public directory pages.

use crate::support::{get, get_with, public_pages, test_app};

#[tokio::test]
async fn root_redirects_to_the_visitors_language() {
    let app = test_app().await;
    for (accept, target) in [
        (None, "/es/"),
        (Some("en-US,en;q=0.9"), "/en/"),
        (Some("fr-CA,fr;q=0.8"), "/fr/"),
        (Some("de-DE"), "/es/"),
        (Some("pt-BR, en;q=0.5"), "/en/"),
    ] {
        let reply = match accept {
            Some(accept) => get_with(&app, "/", "accept-language", accept).await,
            None => get(&app, "/").await,
        };
        assert!(
            reply.status.is_redirection(),
            "{accept:?}: {}",
            reply.status
        );
        assert_eq!(reply.header("location"), target, "{accept:?}");
        assert_eq!(reply.header("vary"), "Accept-Language");
    }
}

#[tokio::test]
async fn country_pages_speak_their_language() {
    let app = test_app().await;
    let mx = get(&app, "/es/mx").await;
    assert_eq!(mx.status, 200);
    assert!(mx.body.contains("<html lang=\"es\">"));
    assert!(mx.body.contains("México: líneas contra la trata"));
    assert!(mx.body.contains("¿Peligro inmediato?"));
    assert_eq!(mx.header("content-language"), "es");

    let ca = get(&app, "/en/ca").await;
    assert!(ca.body.contains("<html lang=\"en\">"));
    assert!(ca.body.contains("Canada: anti-trafficking lines"));
    assert!(ca.body.contains("In immediate danger?"));

    let ca_fr = get(&app, "/fr/ca").await;
    assert!(ca_fr.body.contains("<html lang=\"fr\">"));
    assert!(ca_fr.body.contains("Canada : lignes contre la traite"));
    assert!(ca_fr.body.contains("Danger immédiat ?"));
}

#[tokio::test]
async fn numbers_dial_on_tap() {
    let app = test_app().await;
    let cases = [
        ("/en/us", "href=\"tel:+18883737888\">1-888-373-7888<"),
        ("/fr/ca", "href=\"tel:+18339001010\">1-833-900-1010<"),
        ("/es/mx", "href=\"tel:+528005533000\">800 5533 000<"),
        ("/es/hn", "href=\"tel:145\">145<"),
        ("/es/gt", "href=\"tel:110\">Llame al 110<"),
    ];
    for (page, link) in cases {
        let reply = get(&app, page).await;
        assert!(reply.body.contains(link), "{page} lacks {link}");
    }
}

#[tokio::test]
async fn unconfirmed_facts_are_marked_and_belize_has_no_dedicated_line() {
    let app = test_app().await;
    let bz = get(&app, "/en/bz").await;
    assert!(
        bz.body
            .contains("No dedicated anti-trafficking line is confirmed in this country")
    );
    assert!(bz.body.contains("No number confirmed"));
    let us = get(&app, "/en/us").await;
    assert!(!us.body.contains("No dedicated anti-trafficking line"));
    // The DHS tip line has one source only.
    let dhs = us
        .body
        .split("<h3>DHS tip line</h3>")
        .nth(1)
        .expect("DHS line listed");
    let dhs = dhs.split("</article>").next().unwrap();
    assert!(dhs.contains("class=\"unverified\""), "{dhs}");
    // The national hotline is confirmed.
    let nhth = us
        .body
        .split("<h3>National Human Trafficking Hotline</h3>")
        .nth(1)
        .unwrap();
    assert!(
        !nhth
            .split("</article>")
            .next()
            .unwrap()
            .contains("class=\"unverified\"")
    );
    let es = get(&app, "/es/us").await;
    assert!(es.body.contains(">Sin verificar<"));
}

#[tokio::test]
async fn the_index_lists_the_eleven_countries_in_the_readers_language() {
    let app = test_app().await;
    let reply = get(&app, "/fr/").await;
    assert_eq!(reply.status, 200);
    let links = reply.body.matches("class=\"country\"").count();
    assert_eq!(links, 11);
    for name in ["République dominicaine", "États-Unis", "Mexique", "Belize"] {
        assert!(reply.body.contains(name), "{name}");
    }
    let position = |name: &str| reply.body.find(name).unwrap();
    assert!(position("Costa Rica") < position("États-Unis"));
    assert!(position("États-Unis") < position("Guatemala"));
}

#[tokio::test]
async fn the_index_puts_the_country_the_browser_names_first_and_the_rest_in_order() {
    let app = test_app().await;
    let names = |body: &str| -> Vec<String> {
        body.split("class=\"country\" href=\"/es/")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_owned())
            .collect()
    };
    let plain = get(&app, "/es/").await;
    assert!(!plain.body.contains("your-country"));
    assert_eq!(plain.header("vary"), "Accept-Language");
    let alphabetical = names(&plain.body);
    assert_eq!(alphabetical.len(), 11);
    let guatemalan = get_with(&app, "/es/", "accept-language", "es-GT,es;q=0.9").await;
    assert_eq!(guatemalan.status, 200);
    assert!(
        guatemalan
            .body
            .contains(r#"<li class="yours" id="your-country">"#)
    );
    let mut expected: Vec<String> = alphabetical.into_iter().filter(|c| c != "gt").collect();
    expected.insert(0, "gt".into());
    assert_eq!(names(&guatemalan.body), expected);
    // A region outside the RCM, or none, changes nothing.
    let spanish = get_with(&app, "/es/", "accept-language", "es-ES,es").await;
    assert_eq!(spanish.body, plain.body);
}

#[tokio::test]
async fn every_emergency_number_on_the_index_dials_on_tap() {
    let app = test_app().await;
    for lang in ["es", "en", "fr"] {
        let index = get(&app, &format!("/{lang}/")).await;
        assert_eq!(index.status, 200);
        // One dialable emergency number per country: Guatemala's 110, Nicaragua's 118, the
        // others' 911.
        assert_eq!(
            index.body.matches("class=\"tel emergency-tel\"").count(),
            11,
            "{lang}"
        );
        assert_eq!(
            index
                .body
                .matches(r#"emergency-tel" href="tel:911""#)
                .count(),
            9
        );
        assert!(
            index
                .body
                .contains(r#"emergency-tel" href="tel:110">110</a>"#)
        );
        assert!(
            index
                .body
                .contains(r#"emergency-tel" href="tel:118">118</a>"#)
        );
    }
}

#[tokio::test]
async fn every_page_is_light_and_secured() {
    let app = test_app().await;
    let css = get(&app, "/static/site.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    for page in public_pages() {
        let reply = get(&app, &page).await;
        assert_eq!(reply.status, 200, "{page}");
        let weight = reply.body.len() + css.body.len();
        assert!(
            weight < 30 * 1024,
            "{page} weighs {weight} bytes with its CSS"
        );
        assert!(
            reply
                .header("content-security-policy")
                .contains("default-src 'self'"),
            "{page}"
        );
        assert_eq!(reply.header("set-cookie"), "", "{page} sets a cookie");
        // One script, ours, for the quick exit; the exit itself is a plain link.
        assert_eq!(
            reply.body.matches("<script").count(),
            1,
            "{page} has another script"
        );
        assert!(
            reply
                .body
                .contains(r#"<script src="/static/exit.js" defer></script>"#),
            "{page}"
        );
        assert!(
            reply.body.contains(
                r#"<a class="quick-exit" id="quick-exit" href="https://www.google.com/" rel="noreferrer">"#
            ),
            "{page} has no quick exit"
        );
        assert!(
            !reply.body.contains("style=\""),
            "{page} has an inline style"
        );
        assert!(
            !reply.body.contains("<style"),
            "{page} has an inline stylesheet"
        );
        assert!(
            !reply.body.contains("src=\"http"),
            "{page} loads from another host"
        );
        assert!(
            reply
                .body
                .contains("<link rel=\"stylesheet\" href=\"/static/site.css\">"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = test_app().await;
    for uri in [
        "/es/gt",
        "/fr/ht",
        "/api/v1/hotlines",
        "/api/v1/hotlines/zz",
        "/nope",
        "/healthz",
        "/",
    ] {
        let reply = get(&app, uri).await;
        let csp = reply.header("content-security-policy");
        assert!(
            csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"),
            "{uri}"
        );
        assert_eq!(reply.header("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(reply.header("referrer-policy"), "no-referrer", "{uri}");
        assert!(
            reply.header("permissions-policy").contains("camera=()"),
            "{uri}"
        );
        assert_eq!(
            reply.header("strict-transport-security"),
            "",
            "no HSTS without TLS: {uri}"
        );
        assert!(!reply.header("x-request-id").is_empty(), "{uri}");
    }
}

#[tokio::test]
async fn hsts_is_sent_when_configured_for_tls() {
    let config = antitrata_web::WebConfig {
        hsts: true,
        ..Default::default()
    };
    let app = crate::support::test_app_with(config).await;
    let reply = get(&app, "/es/gt").await;
    assert!(
        reply
            .header("strict-transport-security")
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn unknown_language_or_country_gets_a_localized_404() {
    let app = test_app().await;
    let ht = get(&app, "/fr/ht").await;
    assert_eq!(ht.status, 404);
    assert!(ht.body.contains("<html lang=\"fr\">") && ht.body.contains("Page introuvable"));
    let xx = get(&app, "/en/xx").await;
    assert_eq!(xx.status, 404);
    assert!(xx.body.contains("Page not found"));
    let de = get_with(&app, "/de/gt", "accept-language", "en").await;
    assert_eq!(de.status, 404);
    assert!(de.body.contains("Page not found"));
    let de = get(&app, "/de/").await;
    assert_eq!(de.status, 404);
    assert!(de.body.contains("Página no encontrada"));
    assert!(de.header("content-type").starts_with("text/html"));
    // Each public 404 lists every country with its dialable emergency number, in its language.
    let nowhere = get(&app, "/fr/nowhere/at/all").await;
    for page in [&ht, &xx, &de, &nowhere] {
        assert_eq!(page.status, 404);
        assert_eq!(
            page.body.matches(r#"class="country""#).count(),
            11,
            "{}",
            page.body
        );
        assert!(page.body.matches("emergency-tel").count() >= 11);
    }
    assert!(nowhere.body.contains("Page introuvable") && nowhere.body.contains("Guatemala"));
    // The API keeps its own answer.
    let api = get(&app, "/api/v1/nowhere").await;
    assert_eq!(api.status, 404);
    assert!(
        api.header("content-type")
            .starts_with("application/problem+json")
    );
}

#[tokio::test]
async fn sources_are_named_by_the_site_that_publishes_them() {
    let app = test_app().await;
    let us = get(&app, "/en/us").await;
    let source = us.body.split(r#"<p class="source">"#).nth(1).unwrap();
    let source = source.split("</p>").next().unwrap();
    assert!(source.contains(r#"rel="noreferrer nofollow">"#), "{source}");
    assert!(!source.contains("[1]"), "{source}");
    let named = source
        .split(r#"rel="noreferrer nofollow">"#)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(
        named.contains('.') && !named.starts_with("http") && !named.starts_with("www."),
        "{named}"
    );
}

#[tokio::test]
async fn other_spellings_lead_to_the_canonical_page() {
    let app = test_app().await;
    let upper = get(&app, "/es/GT").await;
    assert!(upper.status.is_redirection());
    assert_eq!(upper.header("location"), "/es/gt");
    let no_slash = get(&app, "/en").await;
    assert!(no_slash.status.is_redirection());
    assert_eq!(no_slash.header("location"), "/en/");
    assert_eq!(get(&app, "/es/HT").await.status, 404);
}

/// The first card of a country's lines can be dialled: on every page, every line with a number
/// comes before any line without one (Guatemala's page starts with its lines that take reports,
/// and the SVET app, which has no number, comes last).
#[tokio::test]
async fn lines_with_a_number_come_first() {
    let app = test_app().await;
    for page in public_pages()
        .into_iter()
        .filter(|p| p.len() > 4 && !p.contains("/guide/"))
    {
        let body = get(&app, &page).await.body;
        let dialable: Vec<bool> = body
            .split(r#"<article class="line">"#)
            .skip(1)
            .map(|card| {
                card.split("</article>")
                    .next()
                    .unwrap()
                    .contains("href=\"tel:")
            })
            .collect();
        assert!(
            dialable.first() == Some(&true),
            "{page}: the first line has no number"
        );
        let mut sorted = dialable.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(
            dialable, sorted,
            "{page}: a line without a number comes first"
        );
    }
    let gt = get(&app, "/es/gt").await.body;
    let first = gt.split(r#"<article class="line">"#).nth(1).unwrap();
    assert!(first.contains(r#"href="tel:1555""#), "{first}");
    let last = gt.rsplit(r#"<article class="line">"#).next().unwrap();
    assert!(last.contains("SVET"), "{last}");
    assert!(gt.contains("Líneas sin número confirmado"));
}

/// A line's name is in the page's language where it has one; a proper name kept as it is says
/// which language it is in, so a screen reader speaks it right.
#[tokio::test]
async fn line_names_are_in_the_pages_language_or_marked_with_theirs() {
    let app = test_app().await;
    let cases = [
        (
            "/es/gt",
            r#"<h3>Línea de denuncias de la PDH</h3>"#,
            "PDH complaints line",
        ),
        (
            "/fr/gt",
            r#"<h3>Ligne de plaintes de la PDH</h3>"#,
            "PDH complaints line",
        ),
        (
            "/en/gt",
            r#"<h3>PDH complaints line</h3>"#,
            "Línea de denuncias",
        ),
        (
            "/es/us",
            r#"<h3 lang="en">National Human Trafficking Hotline</h3>"#,
            "<h3>National Human",
        ),
        (
            "/en/hn",
            r#"<h3 lang="es">Línea Nacional de Denuncias contra la Trata de Personas</h3>"#,
            "<h3>Línea Nacional",
        ),
        (
            "/fr/ca",
            "<h3>Ligne d’urgence canadienne contre la traite des personnes</h3>",
            "Canadian Human Trafficking Hotline",
        ),
        (
            "/es/ca",
            r#"<h3 lang="en">Canadian Human Trafficking Hotline</h3>"#,
            "<h3>Canadian",
        ),
    ];
    for (page, shown, not_shown) in cases {
        let body = get(&app, page).await.body;
        assert!(body.contains(shown), "{page}: no {shown}");
        assert!(!body.contains(not_shown), "{page}: {not_shown}");
    }
    // A name in the page's own language carries no lang attribute of its own.
    let es = get(&app, "/es/hn").await.body;
    assert!(es.contains("<h3>Línea Nacional de Denuncias contra la Trata de Personas</h3>"));
}
