//! The public directory, read back after seeding.

use antitrata_domain::{Confidence, CountryCode, RCM_MEMBERS};
use antitrata_store::{SeedOutcome, seed_directory};

use antitrata_store::testing::{backends, seeded_backends};

fn code(s: &str) -> CountryCode {
    CountryCode::parse(s).unwrap()
}

#[tokio::test]
async fn seeding_fills_an_empty_directory_once() {
    let expected_lines: usize = seed_directory()
        .unwrap()
        .iter()
        .map(|d| d.hotlines.len())
        .sum();
    for db in backends().await {
        let first = db.store.seed_reference_data().await.unwrap();
        assert_eq!(
            first,
            SeedOutcome::Seeded {
                countries: 11,
                hotlines: expected_lines
            },
            "{}",
            db.name
        );
        let second = db.store.seed_reference_data().await.unwrap();
        assert_eq!(second, SeedOutcome::AlreadyPresent, "{}", db.name);
        assert_eq!(db.store.list_countries().await.unwrap().len(), 11);
        db.cleanup().await;
    }
}

/// A directory seeded before lines had names in several languages gets them at the next start;
/// a line whose name language is already recorded keeps its names.
#[tokio::test]
async fn an_older_directory_gets_the_seeded_names_once() {
    for db in seeded_backends().await {
        let name = &db.name;
        let before = db.store.list_directories().await.unwrap();
        let gt = before
            .iter()
            .find(|d| d.country.iso2 == code("GT"))
            .unwrap();
        assert_eq!(
            gt.hotlines[1].names.get("es").map(String::as_str),
            Some("Línea de denuncias de la PDH"),
            "{name}: seeded with its names"
        );
        db.store
            .execute_raw_for_tests("update hotlines set name_lang = null, names = '{}'")
            .await
            .unwrap();
        // One line an administrator named meanwhile (a recorded language) is left alone.
        db.store
            .execute_raw_for_tests(
                "update hotlines set name_lang = 'es', names = '{\"es\": \"Línea del PDH\"}' \
             where country = 'GT' and position = 1",
            )
            .await
            .unwrap();
        let stripped = db
            .store
            .find_country_directory(code("US"))
            .await
            .unwrap()
            .unwrap();
        assert!(
            stripped
                .hotlines
                .iter()
                .all(|h| h.names.is_empty() && h.name_lang.is_none())
        );

        let again = db.store.seed_reference_data().await.unwrap();
        assert_eq!(again, SeedOutcome::AlreadyPresent, "{name}");
        let after = db.store.list_directories().await.unwrap();
        for (now, seeded) in after.iter().zip(&before) {
            for (line, want) in now.hotlines.iter().zip(&seeded.hotlines) {
                if line.country == code("GT") && line.position == 1 {
                    assert_eq!(
                        line.names.get("es").map(String::as_str),
                        Some("Línea del PDH")
                    );
                    assert_eq!(line.names.len(), 1, "{name}");
                } else {
                    assert_eq!(line, want, "{name}");
                }
            }
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn lists_the_eleven_rcm_countries() {
    for db in seeded_backends().await {
        let countries = db.store.list_countries().await.unwrap();
        let mut codes: Vec<&str> = countries.iter().map(|c| c.iso2.as_str()).collect();
        let mut expected = RCM_MEMBERS.to_vec();
        expected.sort();
        codes.sort();
        assert_eq!(codes, expected, "{}", db.name);
        let mx = countries.iter().find(|c| c.iso2 == code("MX")).unwrap();
        assert_eq!(
            (
                mx.name_es.as_str(),
                mx.name_en.as_str(),
                mx.name_fr.as_str()
            ),
            ("México", "Mexico", "Mexique")
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn reads_back_exactly_what_was_seeded() {
    let seed = seed_directory().unwrap();
    for db in seeded_backends().await {
        let mut stored = db.store.list_directories().await.unwrap();
        let mut expected = seed.clone();
        stored.sort_by_key(|d| d.country.iso2);
        expected.sort_by_key(|d| d.country.iso2);
        assert_eq!(stored, expected, "{}", db.name);
        for directory in &expected {
            let one = db
                .store
                .find_country_directory(directory.country.iso2)
                .await
                .unwrap();
            assert_eq!(one.as_ref(), Some(directory), "{}", db.name);
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn key_numbers_are_the_published_ones() {
    for db in seeded_backends().await {
        let numbers = |iso2: &str| {
            let store = db.store.clone();
            let iso2 = code(iso2);
            async move {
                let directory = store.find_country_directory(iso2).await.unwrap().unwrap();
                directory
                    .hotlines
                    .into_iter()
                    .filter_map(|h| h.number)
                    .collect::<Vec<_>>()
            }
        };
        assert!(numbers("US").await.contains(&"1-888-373-7888".to_owned()));
        assert!(numbers("CA").await.contains(&"1-833-900-1010".to_owned()));
        assert!(numbers("MX").await.contains(&"800 5533 000".to_owned()));
        assert!(numbers("HN").await.contains(&"145".to_owned()));

        let belize = db
            .store
            .find_country_directory(code("BZ"))
            .await
            .unwrap()
            .unwrap();
        assert!(
            !belize.has_confirmed_dedicated_line(),
            "Belize has no confirmed dedicated line"
        );
        let dedicated = &belize.hotlines[0];
        assert_eq!(
            (dedicated.number.as_deref(), dedicated.confidence),
            (None, Confidence::NotFound)
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_unknown_country_is_none() {
    for db in seeded_backends().await {
        assert_eq!(
            db.store.find_country_directory(code("HT")).await.unwrap(),
            None,
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}

/// Every seeded number dials as the edit rule wants it: an administrator who saves a line
/// unchanged is never refused for its number.
#[test]
fn every_seeded_number_dials_in_its_country() {
    for directory in seed_directory().unwrap() {
        for line in &directory.hotlines {
            if let Some(number) = &line.number {
                assert!(
                    antitrata_domain::dials_in(number, &directory.country),
                    "{}: {number}",
                    directory.country.iso2
                );
            }
        }
    }
}

/// A country administrator's edit: at the version read only, their own country only, the line
/// before and after in its history, the site's version raised, audited.
#[tokio::test]
async fn an_administrator_edits_a_line_of_their_country_at_the_version_read() {
    use antitrata_domain::{Email, HotlineId, Lang, NewAccount, Role, UserId};
    use antitrata_store::testing::actor;
    use antitrata_store::{ConflictKind, Entity, StoreError};

    for db in seeded_backends().await {
        let name = db.name;
        let admin_id = uuid::Uuid::from_u128(5);
        db.store
            .insert_user(
                &actor(Role::Cli, None),
                UserId(admin_id),
                &NewAccount {
                    email: Email::parse("admin.gt@example.org").unwrap(),
                    display_name: "Admin".into(),
                    language: Lang::Es,
                    roles: vec![Role::CountryAdmin],
                    country: Some(code("GT")),
                    service: false,
                },
            )
            .await
            .unwrap();
        let mut admin = actor(Role::CountryAdmin, Some("GT"));
        admin.who = admin_id.to_string();
        let id = HotlineId::seeded(code("GT"), 0);
        let (version, line) = db.store.find_hotline(id).await.unwrap().unwrap();
        assert_eq!(version, 1, "{name}");
        let site_before = db.store.site_version().await.unwrap();

        let mut edited = line.clone();
        edited.hours = Some("Lunes a viernes, 8:00–16:00".into());
        edited
            .names
            .insert("es".into(), "Línea contra la trata".into());
        edited.position = 9; // not the administrator's to change
        assert_eq!(
            db.store.update_hotline(&admin, 1, &edited).await.unwrap(),
            2
        );
        let (version, stored) = db.store.find_hotline(id).await.unwrap().unwrap();
        assert_eq!(version, 2);
        assert_eq!(stored.hours, edited.hours);
        assert_eq!(stored.names["es"], "Línea contra la trata");
        assert_eq!(stored.position, line.position, "{name}: the position stays");
        assert_eq!(db.store.site_version().await.unwrap(), site_before + 1);

        // An edit from version 1 again would overwrite version 2 unseen: refused.
        let stale = db.store.update_hotline(&admin, 1, &edited).await;
        assert!(
            matches!(
                stale,
                Err(StoreError::Conflict(ConflictKind::ChangedMeanwhile(
                    Entity::Hotline
                )))
            ),
            "{name}: {stale:?}"
        );
        // Honduras's line is not theirs.
        let hn = HotlineId::seeded(code("HN"), 0);
        let (hn_version, hn_line) = db.store.find_hotline(hn).await.unwrap().unwrap();
        let mut hn_edit = hn_line.clone();
        hn_edit.hours = Some("nunca".into());
        assert!(matches!(
            db.store.update_hotline(&admin, hn_version, &hn_edit).await,
            Err(StoreError::OutOfScope)
        ));
        assert_eq!(db.store.find_hotline(hn).await.unwrap().unwrap().1, hn_line);
        // A supervisor may not edit the directory.
        assert!(matches!(
            db.store
                .update_hotline(&actor(Role::Supervisor, Some("GT")), 2, &edited)
                .await,
            Err(StoreError::RoleNotAllowed { .. })
        ));

        let changes = db.store.list_hotline_changes(id).await.unwrap();
        assert_eq!(changes.len(), 1, "{name}");
        assert_eq!(changes[0].version, 2);
        assert_eq!(
            changes[0].changed_by.as_deref(),
            Some("admin.gt@example.org")
        );
        assert_eq!(changes[0].changed_at, admin.at);
        assert_eq!(changes[0].before, line);
        assert_eq!(changes[0].after, stored);
        let audited = db
            .store
            .list_audit(0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "hotline.updated")
            .count();
        assert_eq!(audited, 1, "{name}");
        db.cleanup().await;
    }
}
