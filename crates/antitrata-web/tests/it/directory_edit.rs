//! A country administrator edits their country's lines in the console: the public page shows the
//! edit at once, on this instance and on another one over the same database; another country's
//! line is refused; a number that does not dial is refused beside its field; an edit over one
//! saved meanwhile keeps what was typed; the history shows who changed what. On both backends.

use antitrata_domain::{CountryCode, HotlineId, Role};
use antitrata_store::testing::seeded_backends;
use antitrata_web::{AppState, WebConfig, app};

use crate::console::{console, get_as, post};
use crate::stats::session;
use crate::support::{FixedClock, get, test_runtime};

/// The form of a line as the console shows it, with some fields replaced.
fn form_of(page: &str, replace: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let form = page.split(r#"id="line-form""#).nth(1).unwrap();
    let form = form.split("</form>").next().unwrap();
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        Some(tag[start..].split('"').next()?.to_owned())
    };
    let unescape = |s: &str| {
        s.replace("&#38;", "&")
            .replace("&amp;", "&")
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&#60;", "<")
            .replace("&#62;", ">")
    };
    for part in form.split('<').skip(1) {
        let tag = part.split('>').next().unwrap();
        if tag.starts_with("input") {
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            let checkbox = tag.contains(r#"type="checkbox""#);
            if checkbox && !tag.contains(" checked") {
                continue;
            }
            fields.push((name, unescape(&attr(tag, "value").unwrap_or_default())));
        } else if tag.starts_with("textarea") {
            let name = attr(tag, "name").unwrap();
            let text = part.split_once('>').unwrap().1;
            fields.push((name, unescape(text)));
        } else if tag.starts_with("select") {
            let name = attr(tag, "name").unwrap();
            let select = form.split(&format!(r#"name="{name}""#)).nth(1).unwrap();
            let select = select.split("</select>").next().unwrap();
            let chosen = select
                .split("<option")
                .find(|o| o.contains(" selected"))
                .and_then(|o| attr(o, "value"))
                .unwrap_or_default();
            fields.push((name, chosen));
        }
    }
    for (name, value) in replace {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn an_administrator_edits_a_line_and_every_instance_shows_it_at_once() {
    for db in seeded_backends().await {
        let name = db.name;
        let c = console(&db);
        // A second instance over the same database, comparing its pages at every request.
        let other = app(AppState::new(
            db.store.clone(),
            WebConfig {
                site_recheck: time::Duration::ZERO,
                ..WebConfig::default()
            },
            test_runtime(FixedClock::new()),
        ));
        assert!(get(&other, "/es/gt").await.body.contains("1552"));
        let admin = session(&c, 1, Role::CountryAdmin, Some("GT")).await;
        let gt = CountryCode::parse("GT").unwrap();
        let line = HotlineId::seeded(gt, 0);
        let uri = format!("/console/directory/{line}");

        let list = get_as(&c.app, "/console/directory", &admin).await;
        assert_eq!(list.status, 200, "{name}: {}", list.body);
        assert!(list.body.contains(&format!(r#"href="{uri}""#)), "{name}");
        let page = get_as(&c.app, &uri, &admin).await;
        assert_eq!(page.status, 200, "{name}: {}", page.body);
        assert!(page.body.contains("No edit yet"), "{name}");

        // A number that does not dial is refused beside its field; nothing is stored.
        let bad = form_of(&page.body, &[("number", "1552 ext. 4")]);
        let refused = post(&c.app, &uri, &admin, &as_refs(&bad)).await;
        assert_eq!(refused.status, 422, "{name}: {}", refused.body);
        assert!(
            refused
                .body
                .contains(r#"id="l-number-error">This number does not dial"#),
            "{name}"
        );
        assert!(
            refused.body.contains(r#"value="1552 ext. 4""#),
            "{name}: kept"
        );
        assert_eq!(c.store.find_hotline(line).await.unwrap().unwrap().0, 1);

        // Hours and the Spanish name: on the public page at once, here and on the other
        // instance.
        let edit = form_of(
            &page.body,
            &[
                ("hours", "Lunes a viernes, 8:00–16:00"),
                ("name_es", "Línea 1552 contra la trata"),
            ],
        );
        let saved = post(&c.app, &uri, &admin, &as_refs(&edit)).await;
        assert_eq!(saved.status, 303, "{name}: {}", saved.body);
        for (instance, site) in [("this", &c.app), ("the other", &other)] {
            let public = get(site, "/es/gt").await.body;
            assert!(
                public.contains("Línea 1552 contra la trata")
                    && public.contains("Lunes a viernes, 8:00–16:00"),
                "{name}: {instance} instance: {public}"
            );
        }
        // The history says who changed what.
        let page = get_as(&c.app, &uri, &admin).await;
        assert!(page.body.contains("u1@example.org"), "{name}");
        assert!(
            page.body
                .contains("<li>Hours: — → Lunes a viernes, 8:00–16:00</li>"),
            "{name}: {}",
            page.body
        );
        assert!(
            page.body.contains("es: Línea 1552 contra la trata"),
            "{name}"
        );

        // The form of version 1, sent again, would overwrite the edit unseen: refused, kept.
        let late = form_of(&page.body, &[("version", "1"), ("hours", "Siempre")]);
        let conflict = post(&c.app, &uri, &admin, &as_refs(&late)).await;
        assert_eq!(conflict.status, 409, "{name}: {}", conflict.body);
        assert!(conflict.body.contains(r#"value="Siempre""#), "{name}: kept");
        assert!(!get(&c.app, "/es/gt").await.body.contains("Siempre"));

        // Honduras's line is not a Guatemalan administrator's.
        let hn = HotlineId::seeded(CountryCode::parse("HN").unwrap(), 0);
        let hn_uri = format!("/console/directory/{hn}");
        assert_eq!(get_as(&c.app, &hn_uri, &admin).await.status, 403, "{name}");
        let hn_edit = form_of(&page.body, &[("hours", "Nunca")]);
        let refused = post(&c.app, &hn_uri, &admin, &as_refs(&hn_edit)).await;
        assert_eq!(refused.status, 403, "{name}");
        assert!(
            !get(&c.app, "/es/hn").await.body.contains("Nunca"),
            "{name}"
        );
        assert!(c.store.list_hotline_changes(hn).await.unwrap().is_empty());

        // A supervisor does not edit the directory.
        let supervisor = session(&c, 2, Role::Supervisor, Some("GT")).await;
        assert_eq!(get_as(&c.app, &uri, &supervisor).await.status, 403);
        db.cleanup().await;
    }
}

/// The public pages do not depend on the database answering: an instance that cannot ask for
/// the site's version goes on serving the pages it rendered, so a visitor in danger still finds
/// the numbers.
#[tokio::test]
async fn the_pages_rendered_before_are_served_when_the_database_is_gone() {
    for db in seeded_backends().await {
        let name = db.name;
        let site = app(AppState::new(
            db.store.clone(),
            WebConfig {
                site_recheck: time::Duration::ZERO,
                ..WebConfig::default()
            },
            test_runtime(FixedClock::new()),
        ));
        let before = get(&site, "/es/gt").await;
        assert_eq!(before.status, 200, "{name}");
        db.store.close().await;
        assert!(
            db.store.site_version().await.is_err(),
            "{name}: the pool is closed"
        );
        let after = get(&site, "/es/gt").await;
        assert_eq!(after.status, 200, "{name}");
        assert_eq!(after.body, before.body, "{name}");
        assert_eq!(
            get(&site, "/en/guide/when-you-call").await.status,
            200,
            "{name}"
        );
        db.cleanup().await;
    }
}
