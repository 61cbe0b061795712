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
