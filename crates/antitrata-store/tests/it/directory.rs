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
