//! The public site's content pages: starter texts seeded once, versions saved and brought back by
//! campaign editors only, never over a version saved meanwhile, and each change audited.

use antitrata_domain::content::{ContentPage, ContentText};
use antitrata_domain::{Email, Lang, NewAccount, Role, UserId};
use antitrata_store::testing::{actor, seeded_backends};
use antitrata_store::{ConflictKind, Entity, StoreError};
use uuid::Uuid;

fn text(markdown: &str) -> ContentText {
    ContentText::parse(markdown).unwrap()
}

#[tokio::test]
async fn every_page_starts_with_its_starter_text_in_every_language_once() {
    for db in seeded_backends().await {
        let name = db.name;
        let current = db.store.list_current_content().await.unwrap();
        assert_eq!(
            current.len(),
            ContentPage::ALL.len() * Lang::ALL.len(),
            "{name}"
        );
        for page in ContentPage::ALL {
            for lang in Lang::ALL {
                let v = current
                    .iter()
                    .find(|v| v.page == *page && v.lang == lang)
                    .unwrap_or_else(|| panic!("{name}: {page} {lang:?}"));
                assert_eq!(v.version, 1);
                assert!(v.saved_by.is_none() && v.saved_at.is_none(), "{name}");
                assert!(
                    v.text.body().len() > 1000,
                    "{name}: {page} {lang:?} has its text"
                );
            }
        }
        let es = current
            .iter()
            .find(|v| v.page == ContentPage::WarningSigns && v.lang == Lang::Es)
            .unwrap();
        assert!(es.text.markdown().contains("Salir de este sitio"), "{name}");
        // Seeding again adds nothing.
        db.store.seed_reference_data().await.unwrap();
        assert_eq!(
            db.store
                .count_rows_for_tests("content_versions")
                .await
                .unwrap(),
            9
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_editor_saves_versions_and_brings_an_old_one_back() {
    for db in seeded_backends().await {
        let name = db.name;
        let editor_id = Uuid::from_u128(7);
        db.store
            .insert_user(
                &actor(Role::Cli, None),
                UserId(editor_id),
                &NewAccount {
                    email: Email::parse("editora@example.org").unwrap(),
                    display_name: "Editora".into(),
                    language: Lang::Es,
                    roles: vec![Role::CampaignEditor],
                    country: None,
                    service: false,
                },
            )
            .await
            .unwrap();
        let mut editor = actor(Role::CampaignEditor, None);
        editor.who = editor_id.to_string();
        let page = ContentPage::WhenYouCall;

        let saved = db
            .store
            .save_content(
                &editor,
                page,
                Lang::Es,
                1,
                &text("# Al llamar\n\nTe escuchamos."),
            )
            .await
            .unwrap();
        assert_eq!(saved.version, 2);
        assert_eq!(saved.saved_by.as_deref(), Some("editora@example.org"));
        assert_eq!(saved.saved_at, Some(editor.at));

        // A second editor who started from version 1 does not overwrite version 2.
        let stale = db
            .store
            .save_content(&editor, page, Lang::Es, 1, &text("# Otra\n\nOtra cosa."))
            .await;
        assert!(
            matches!(
                stale,
                Err(StoreError::Conflict(ConflictKind::ChangedMeanwhile(
                    Entity::Content
                )))
            ),
            "{name}: {stale:?}"
        );

        let reverted = db
            .store
            .revert_content(&editor, page, Lang::Es, 2, 1)
            .await
            .unwrap();
        assert_eq!((reverted.version, reverted.reverted_from), (3, Some(1)));
        let history = db
            .store
            .list_content_versions(page, Lang::Es)
            .await
            .unwrap();
        assert_eq!(
            history.iter().map(|v| v.version).collect::<Vec<_>>(),
            [3, 2, 1],
            "{name}: newest first"
        );
        assert_eq!(
            history[0].text, history[2].text,
            "{name}: version 1's text is back"
        );
        assert_ne!(history[0].text, history[1].text);
        // The other languages of the page are untouched.
        let en = db
            .store
            .list_content_versions(page, Lang::En)
            .await
            .unwrap();
        assert_eq!(en.len(), 1, "{name}");
        let current = db.store.list_current_content().await.unwrap();
        let shown = current
            .iter()
            .find(|v| v.page == page && v.lang == Lang::Es)
            .unwrap();
        assert_eq!(shown.version, 3, "{name}");

        assert!(matches!(
            db.store.revert_content(&editor, page, Lang::Es, 3, 9).await,
            Err(StoreError::NotFound(Entity::Content))
        ));
        let entries: Vec<(String, Option<String>)> = db
            .store
            .list_audit(0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.record_type.as_deref() == Some("content"))
            .map(|e| (e.action, e.record_id))
            .collect();
        assert_eq!(
            entries,
            [
                ("content.saved".into(), Some("when-you-call/es/2".into())),
                ("content.reverted".into(), Some("when-you-call/es/3".into())),
            ],
            "{name}: the refused save is not in the trail"
        );
        assert!(db.store.verify_audit().await.unwrap().problem.is_none());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn only_campaign_editors_change_pages() {
    for db in seeded_backends().await {
        for role in [
            Role::CountryAdmin,
            Role::Supervisor,
            Role::SystemAdmin,
            Role::RegionalAnalyst,
        ] {
            let country = role.is_country_role().then_some("GT");
            let refused = db
                .store
                .save_content(
                    &actor(role, country),
                    ContentPage::WarningSigns,
                    Lang::En,
                    1,
                    &text("# Signs\n\nx"),
                )
                .await;
            assert!(
                matches!(refused, Err(StoreError::RoleNotAllowed { .. })),
                "{}: {role:?} {refused:?}",
                db.name
            );
        }
        assert_eq!(
            db.store
                .count_rows_for_tests("content_versions")
                .await
                .unwrap(),
            9
        );
        db.cleanup().await;
    }
}
