//! Upgrades: a database that an older antitrata migrated and filled is migrated by this one and
//! keeps what it held. The older version's migrations are this repository's first ones, copied
//! into a folder of their own and applied with sqlx's own migrator, on both backends.

use antitrata_domain::content::ContentPage;
use antitrata_domain::{CountryCode, HotlineId, Lang};
use antitrata_store::SeedOutcome;
use antitrata_store::testing::{TestDb, unmigrated_backends};
use uuid::Uuid;

/// Applies this backend's migrations up to `version` only, as the antitrata of that schema did.
async fn migrate_up_to(db: &TestDb, version: i64) {
    let backend = match db.store.backend() {
        antitrata_store::Backend::Sqlite => "sqlite",
        antitrata_store::Backend::Postgres => "postgres",
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let older = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let number: i64 = name.split('_').next().unwrap().parse().unwrap();
        if number <= version {
            std::fs::copy(&path, older.path().join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(older.path()).await.unwrap();
    db.store.run_migrator_for_tests(&migrator).await.unwrap();
}

/// A line's id as the backend stores it, written into SQL.
fn id_literal(db: &TestDb, id: Uuid) -> String {
    match db.store.backend() {
        antitrata_store::Backend::Sqlite => format!("X'{}'", id.simple()),
        antitrata_store::Backend::Postgres => format!("'{id}'::uuid"),
    }
}

/// A directory filled by the antitrata before content pages and directory edits (schema 0023)
/// upgrades: its lines keep every field and start at version 1 with no description, the site's
/// version starts at 1, and the next start gives every content page its starter text while the
/// directory stays as it was.
#[tokio::test]
async fn a_directory_of_the_version_before_content_pages_upgrades_intact() {
    for db in unmigrated_backends().await {
        let name = db.name;
        migrate_up_to(&db, 23).await;
        let gt = CountryCode::parse("GT").unwrap();
        let line = HotlineId::seeded(gt, 0);
        for sql in [
            "insert into countries (iso2, calling_code, name_es, name_en, name_fr, \
             emergency_number, emergency_notes, emergency_source_urls, authority, \
             authority_source_urls) values ('GT', '502', 'Guatemala', 'Guatemala', 'Guatemala', \
             '110', null, '[]', null, '[]')"
                .to_owned(),
            format!(
                "insert into hotlines (id, country, position, name, scope, number, \
                 number_vanity, institution, hours, free, channels, languages, interpretation, \
                 languages_note, email, sms, web, source_urls, source_year, confidence, \
                 verified_on, notes, name_lang, names) values ({}, 'GT', 0, 'Línea 1552', \
                 'trafficking_specific', '1552', null, 'MINGOB', '24/7', true, '[\"phone\"]', \
                 '[\"es\"]', false, null, null, null, null, '[\"https://www.mingob.gob.gt/\"]', \
                 2024, 'confirmed', '2026-01-15', null, 'es', '{{\"en\": \"Line 1552\"}}')",
                id_literal(&db, line.0)
            ),
        ] {
            db.store.execute_raw_for_tests(&sql).await.unwrap();
        }

        db.store.migrate().await.unwrap();
        let (version, upgraded) = db.store.find_hotline(line).await.unwrap().unwrap();
        assert_eq!(version, 1, "{name}");
        assert_eq!(upgraded.name, "Línea 1552");
        assert_eq!(upgraded.names["en"], "Line 1552", "{name}");
        assert!(upgraded.descriptions.is_empty(), "{name}");
        assert_eq!(
            (upgraded.number.as_deref(), upgraded.hours.as_deref()),
            (Some("1552"), Some("24/7"))
        );
        assert_eq!(upgraded.source_urls, ["https://www.mingob.gob.gt/"]);
        assert_eq!(
            upgraded.verified_on,
            Some(time::macros::date!(2026 - 01 - 15)),
            "{name}"
        );
        assert_eq!(db.store.site_version().await.unwrap(), 1, "{name}");
        assert!(
            db.store
                .list_hotline_changes(line)
                .await
                .unwrap()
                .is_empty()
        );

        // The next start seeds what the new tables need and leaves the directory alone.
        assert_eq!(
            db.store.seed_reference_data().await.unwrap(),
            SeedOutcome::AlreadyPresent,
            "{name}"
        );
        let pages = db.store.list_current_content().await.unwrap();
        assert_eq!(
            pages.len(),
            ContentPage::ALL.len() * Lang::ALL.len(),
            "{name}"
        );
        let directories = db.store.list_directories().await.unwrap();
        assert_eq!(directories.len(), 1, "{name}");
        assert_eq!(
            directories[0].hotlines.len(),
            1,
            "{name}: no seeded line added"
        );
        db.cleanup().await;
    }
}
