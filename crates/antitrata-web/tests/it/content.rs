//! The public site's content pages, from the campaign editor's console to the visitor: preview
//! saves nothing, a save and a revert are on the public pages at once, a save over a version
//! saved meanwhile keeps the editor's text, bad text is refused beside the field, and only
//! campaign editors reach the editor. On both backends.

use antitrata_domain::Role;
use antitrata_store::testing::seeded_backends;

use crate::console::{console, get_as, hidden_csrf, post};
use crate::stats::session;
use crate::support::get;

const PAGE: &str = "/console/content/warning-signs/es";

#[tokio::test]
async fn an_editor_previews_saves_and_brings_back_a_page_that_visitors_see_at_once() {
    for db in seeded_backends().await {
        let name = db.name;
        let c = console(&db);
        let session = session(&c, 1, Role::CampaignEditor, None).await;

        let list = get_as(&c.app, "/console/content", &session).await;
        assert_eq!(list.status, 200, "{name}: {}", list.body);
        assert!(
            list.body
                .contains(r#"href="/console/content/when-you-call/fr""#)
        );
        let editor_page = get_as(&c.app, PAGE, &session).await;
        assert_eq!(editor_page.status, 200, "{name}: {}", editor_page.body);
        assert!(editor_page.body.contains("Starter text"), "{name}");
        let csrf = hidden_csrf(&editor_page.body);
        let starter_title = get(&c.app, "/es/guide/warning-signs")
            .await
            .body
            .split("<h1>")
            .nth(1)
            .unwrap()
            .split("</h1>")
            .next()
            .unwrap()
            .to_owned();

        // A preview shows the text as the site would, sanitized, and saves nothing.
        let text = "# Señales que importan\n\n## En el trabajo\n\n- Le quitan los **documentos**.\n\n\
                    <script>alert(1)</script>";
        let preview = post(
            &c.app,
            PAGE,
            &session,
            &[
                ("csrf", &csrf),
                ("base", "1"),
                ("body", text),
                ("intent", "preview"),
            ],
        )
        .await;
        assert_eq!(preview.status, 200, "{name}: {}", preview.body);
        assert!(
            preview.body.contains("<h1>Señales que importan</h1>"),
            "{}",
            preview.body
        );
        assert!(
            preview
                .body
                .contains("<li>Le quitan los <strong>documentos</strong>.</li>")
        );
        // Removed from the preview; escaped in the text area, where the editor wrote it.
        assert!(!preview.body.contains("<script>alert"), "{name}: sanitized");
        let typed = preview.body.split("</textarea>").next().unwrap();
        assert!(
            typed.ends_with("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{typed}"
        );
        assert_eq!(
            c.store
                .count_rows_for_tests("content_versions")
                .await
                .unwrap(),
            9
        );
        assert!(
            get(&c.app, "/es/guide/warning-signs")
                .await
                .body
                .contains(&starter_title)
        );

        // Saved: on the page and in every Spanish country page's links at once.
        let saved = post(
            &c.app,
            PAGE,
            &session,
            &[
                ("csrf", &csrf),
                ("base", "1"),
                ("body", text),
                ("intent", "save"),
            ],
        )
        .await;
        assert_eq!(saved.status, 303, "{name}: {}", saved.body);
        let public = get(&c.app, "/es/guide/warning-signs").await;
        assert_eq!(public.status, 200);
        assert!(
            public.body.contains("<h1>Señales que importan</h1>"),
            "{name}"
        );
        assert!(!public.body.contains("<script>alert"), "{name}");
        let gt = get(&c.app, "/es/gt").await.body;
        assert!(
            gt.contains(r#"<a href="/es/guide/warning-signs">Señales que importan</a>"#),
            "{name}: {gt}"
        );
        // The other languages keep their own text.
        assert!(
            !get(&c.app, "/en/guide/warning-signs")
                .await
                .body
                .contains("Señales que")
        );

        // An editor who started from version 1 meanwhile is told, and keeps their text.
        let late = post(
            &c.app,
            PAGE,
            &session,
            &[
                ("csrf", &csrf),
                ("base", "1"),
                ("body", "# Otra versión\n\nMi texto largo."),
                ("intent", "save"),
            ],
        )
        .await;
        assert_eq!(late.status, 409, "{name}: {}", late.body);
        assert!(
            late.body.contains("Mi texto largo."),
            "{name}: the text is kept"
        );
        assert!(late.body.contains("saved a newer version"), "{name}");
        assert_eq!(
            c.store
                .count_rows_for_tests("content_versions")
                .await
                .unwrap(),
            10
        );

        // A text without its title line is refused beside the field.
        let untitled = post(
            &c.app,
            PAGE,
            &session,
            &[
                ("csrf", &csrf),
                ("base", "2"),
                ("body", "Sin título"),
                ("intent", "save"),
            ],
        )
        .await;
        assert_eq!(untitled.status, 422, "{name}");
        assert!(
            untitled
                .body
                .contains(r#"id="c-body-error">Begin with the page title"#)
        );
        assert!(
            untitled.body.contains(">Sin título</textarea>"),
            "{name}: kept"
        );
        // Without the session's CSRF token nothing is saved.
        let forged = post(
            &c.app,
            PAGE,
            &session,
            &[
                ("base", "2"),
                ("body", "# Forjado\n\nx"),
                ("intent", "save"),
            ],
        )
        .await;
        assert_eq!(forged.status, 403, "{name}");

        // The history says who saved what and when; version 1 comes back.
        let history = get_as(&c.app, PAGE, &session).await.body;
        assert!(
            history.contains("u1@example.org, 2026-11-27 12:00:00 UTC"),
            "{history}"
        );
        let viewed = get_as(&c.app, &format!("{PAGE}?version=1"), &session).await;
        assert!(viewed.body.contains("Version 1"), "{name}");
        assert!(
            viewed.body.contains(&format!("<h1>{starter_title}</h1>")),
            "{name}"
        );
        let reverted = post(
            &c.app,
            &format!("{PAGE}/revert"),
            &session,
            &[("csrf", &csrf), ("base", "2"), ("version", "1")],
        )
        .await;
        assert_eq!(reverted.status, 303, "{name}: {}", reverted.body);
        let public = get(&c.app, "/es/guide/warning-signs").await.body;
        assert!(
            public.contains(&format!("<h1>{starter_title}</h1>")),
            "{name}"
        );
        let history = get_as(&c.app, PAGE, &session).await.body;
        assert!(history.contains("brought back version 1"), "{name}");
        let actions: Vec<String> = c
            .store
            .list_audit(0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.record_type.as_deref() == Some("content"))
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["content.saved", "content.reverted"], "{name}");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn only_campaign_editors_open_the_editor_and_a_wrong_address_is_not_found() {
    for db in seeded_backends().await {
        let name = db.name;
        let c = console(&db);
        let admin = session(&c, 1, Role::CountryAdmin, Some("GT")).await;
        assert_eq!(get_as(&c.app, "/console/content", &admin).await.status, 403);
        let csrf = hidden_csrf(&get_as(&c.app, "/console", &admin).await.body);
        let refused = post(
            &c.app,
            PAGE,
            &admin,
            &[
                ("csrf", &csrf),
                ("base", "1"),
                ("body", "# X\n\ny"),
                ("intent", "save"),
            ],
        )
        .await;
        assert_eq!(refused.status, 403, "{name}");
        assert_eq!(
            c.store
                .count_rows_for_tests("content_versions")
                .await
                .unwrap(),
            9
        );

        let session = session(&c, 2, Role::CampaignEditor, None).await;
        for uri in [
            "/console/content/nope/es",
            "/console/content/warning-signs/de",
        ] {
            assert_eq!(
                get_as(&c.app, uri, &session).await.status,
                404,
                "{name}: {uri}"
            );
        }
        let csrf = hidden_csrf(&get_as(&c.app, PAGE, &session).await.body);
        let bad_base = post(
            &c.app,
            PAGE,
            &session,
            &[
                ("csrf", &csrf),
                ("base", "uno"),
                ("body", "# X\n\ny"),
                ("intent", "save"),
            ],
        )
        .await;
        assert_eq!(bad_base.status, 400, "{name}");
        assert_eq!(get(&c.app, "/es/guide/nope").await.status, 404);
        assert_eq!(get(&c.app, "/de/guide/warning-signs").await.status, 404);
        db.cleanup().await;
    }
}
