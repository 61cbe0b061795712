//! Backups and schema versions: a SQLite backup is a whole copy that opens with the same keys
//! and holds the same rows; PostgreSQL is pointed to its own tools; a database migrated by a newer
//! antitrata is refused on both backends, with the versions named, and left as it was.

use antitrata_domain::NewPerson;
use antitrata_domain::Role;
use antitrata_store::testing::{actor, backends, sqlite_file, test_keyring};
use antitrata_store::{DatabaseUrl, Store, StoreError};
use uuid::Uuid;

#[tokio::test]
async fn a_database_migrated_by_a_newer_antitrata_is_refused() {
    for db in backends().await {
        let checksum = if db.name == "sqlite" {
            "x'00'"
        } else {
            "'\\x00'::bytea"
        };
        db.store
            .execute_raw_for_tests(&format!(
                "insert into _sqlx_migrations (version, description, success, checksum, \
                 execution_time) values (9999, 'from a newer antitrata', true, {checksum}, 0)"
            ))
            .await
            .unwrap();
        match db.store.migrate().await {
            Err(e @ StoreError::NewerSchema { found: 9999, .. }) => {
                assert!(
                    e.to_string().starts_with(
                        "the database was migrated by a newer antitrata (schema version 9999; \
                         this version knows up to "
                    ),
                    "{}: {e}",
                    db.name
                );
            }
            other => panic!("{}: expected NewerSchema, got {other:?}", db.name),
        }
        assert_eq!(
            db.store
                .count_rows_for_tests("_sqlx_migrations where version = 9999")
                .await
                .unwrap(),
            1,
            "{}: left as it was",
            db.name
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_sqlite_backup_is_a_whole_copy_that_opens_with_the_same_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_file(&dir.path().join("live.db")).await;
    db.store.seed_reference_data().await.unwrap();
    let gt = actor(Role::Caseworker, Some("GT"));
    let person = NewPerson {
        country: antitrata_domain::CountryCode::parse("GT").unwrap(),
        name: "Rosa Backup".into(),
        phone: Some("+502 5555 0101".into()),
    };
    let id = antitrata_domain::PersonId(Uuid::from_u128(7));
    db.store.insert_person(&gt, id, &person).await.unwrap();

    let copy = dir.path().join("copy.db");
    db.store.backup_into(copy.to_str().unwrap()).await.unwrap();
    // A backup never overwrites: the same path again is refused.
    assert!(db.store.backup_into(copy.to_str().unwrap()).await.is_err());

    let restored = Store::connect(&DatabaseUrl::SqliteFile(copy))
        .await
        .unwrap()
        .with_keyring(test_keyring());
    restored.migrate().await.unwrap();
    assert!(restored.integrity_problems().await.unwrap().is_empty());
    for table in ["persons", "countries", "audit_log"] {
        assert_eq!(
            restored.count_rows_for_tests(table).await.unwrap(),
            db.store.count_rows_for_tests(table).await.unwrap(),
            "{table}"
        );
    }
    // Sealed fields open with the same keys, and the blind index finds the person.
    let found = restored
        .search_persons(&gt, Some("backup"), None, None)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "Rosa Backup");
    restored.close().await;
}

#[tokio::test]
async fn a_postgres_backup_is_left_to_pg_dump() {
    for db in backends()
        .await
        .into_iter()
        .filter(|db| db.name == "postgres")
    {
        match db.store.backup_into("/tmp/never-written.db").await {
            Err(e @ StoreError::SqliteOnly(_)) => assert_eq!(
                e.to_string(),
                "backup is for SQLite databases; on PostgreSQL use pg_dump and pg_restore \
                 (docs/operations.md)"
            ),
            other => panic!("expected SqliteOnly, got {other:?}"),
        }
        db.cleanup().await;
    }
}
