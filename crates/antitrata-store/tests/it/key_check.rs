//! The data key is checked at every start: a store given another key file is refused before it
//! reads or seals anything, and what older versions kept in plain text is sealed.

use std::sync::Arc;

use antitrata_domain::casework::{ContactId, ContactInput, NewContact};
use antitrata_domain::{NewPerson, PersonId, Role};
use antitrata_store::testing::{
    CountingNonces, TestDb, actor, postgres, sqlite_file, test_keyring,
};
use antitrata_store::{DatabaseUrl, KeyFile, Keyring, Store, StoreError};
use uuid::Uuid;

/// A key file other than the tests' own.
fn other_keyring() -> Arc<Keyring> {
    let file = KeyFile::generate(&CountingNonces::new(999), "2026-12-01T00:00:00Z");
    Arc::new(file.into_keyring(Arc::new(CountingNonces::new(3))).unwrap())
}

/// File-backed SQLite and, when configured, PostgreSQL: backends a second store can open again.
async fn reopenable(dir: &std::path::Path) -> Vec<TestDb> {
    let mut dbs = vec![sqlite_file(&dir.join("a.db")).await];
    dbs.extend(postgres().await);
    dbs
}

async fn reopen(db: &TestDb, keyring: Arc<Keyring>) -> Result<Store, StoreError> {
    let store = Store::connect(&DatabaseUrl::parse(&db.url).unwrap())
        .await
        .unwrap()
        .with_keyring(keyring);
    store.migrate().await.map(|()| store)
}

async fn with_a_person(db: &TestDb) {
    let gt = actor(Role::Operator, Some("GT"));
    let person = NewPerson {
        country: antitrata_domain::CountryCode::parse("GT").unwrap(),
        name: "Ana Clave".into(),
        phone: None,
    };
    db.store
        .insert_person(&gt, PersonId(Uuid::from_u128(1)), &person)
        .await
        .unwrap();
}

#[tokio::test]
async fn another_key_file_is_refused_at_start_and_says_which_the_database_expects() {
    let dir = tempfile::tempdir().unwrap();
    for db in reopenable(dir.path()).await {
        db.store.seed_reference_data().await.unwrap();
        with_a_person(&db).await;
        let expected = test_keyring().fingerprint();
        let wrong = other_keyring();
        match reopen(&db, Arc::clone(&wrong)).await {
            Err(StoreError::WrongDataKey {
                expected: said,
                found,
            }) => {
                assert_eq!(
                    (said, found),
                    (expected.clone(), wrong.fingerprint()),
                    "{}",
                    db.name
                );
            }
            other => panic!("{}: {:?}", db.name, other.map(|_| ())),
        }
        // The right keys open it, again and again.
        let right = reopen(&db, test_keyring()).await.unwrap();
        right.close().await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_database_sealed_before_the_check_is_checked_by_opening_its_data() {
    let dir = tempfile::tempdir().unwrap();
    for db in reopenable(dir.path()).await {
        db.store.seed_reference_data().await.unwrap();
        with_a_person(&db).await;
        // As a database migrated by a version without the check.
        db.store
            .execute_raw_for_tests("delete from key_check")
            .await
            .unwrap();
        assert!(
            matches!(
                reopen(&db, other_keyring()).await,
                Err(StoreError::WrongDataKey { .. })
            ),
            "{}: a new key file for a database with sealed data is refused",
            db.name
        );
        assert_eq!(db.store.count_rows_for_tests("key_check").await.unwrap(), 0);
        reopen(&db, test_keyring()).await.unwrap().close().await;
        assert_eq!(db.store.count_rows_for_tests("key_check").await.unwrap(), 1);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_empty_database_takes_the_first_keys_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    for db in reopenable(dir.path()).await {
        db.store
            .execute_raw_for_tests("delete from key_check")
            .await
            .unwrap();
        let other = reopen(&db, other_keyring()).await.unwrap();
        other.close().await;
        assert!(
            matches!(
                reopen(&db, test_keyring()).await,
                Err(StoreError::WrongDataKey { .. })
            ),
            "{}: from then on, only those",
            db.name
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_caller_locality_kept_in_plain_text_is_sealed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    for db in reopenable(dir.path()).await {
        db.store.seed_reference_data().await.unwrap();
        let gt = actor(Role::Operator, Some("GT"));
        let input = ContactInput {
            channel: "call".into(),
            language: "es".into(),
            caller_role: "community-member".into(),
            outcome: "information-given".into(),
            caller_locality: "Coatepeque".into(),
            ..ContactInput::default()
        };
        let contact = NewContact::parse(&input, gt.scope.country().unwrap(), gt.at).unwrap();
        let id = ContactId(Uuid::from_u128(5));
        db.store.insert_contact(&gt, id, &contact).await.unwrap();
        assert_eq!(
            db.store
                .count_rows_for_tests("contacts where caller_locality is not null")
                .await
                .unwrap(),
            0,
            "{}: written sealed",
            db.name
        );
        // As a database written by a version that kept it in plain text.
        db.store
            .execute_raw_for_tests(
                "update contacts set caller_locality = 'Malacatán', caller_locality_sealed = null",
            )
            .await
            .unwrap();
        let restarted = reopen(&db, test_keyring()).await.unwrap();
        assert_eq!(
            restarted
                .count_rows_for_tests("contacts where caller_locality is not null")
                .await
                .unwrap(),
            0,
            "{}",
            db.name
        );
        let back = restarted.find_contact(&gt, id).await.unwrap().unwrap();
        assert_eq!(back.details.caller_locality.as_deref(), Some("Malacatán"));
        restarted.close().await;
        db.cleanup().await;
    }
}
