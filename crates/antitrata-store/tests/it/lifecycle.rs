//! Connecting, migrating and pinging.

use antitrata_store::{Backend, DatabaseUrl, Store};

use antitrata_store::testing::backends;

#[tokio::test]
async fn migrations_are_idempotent_and_the_store_answers() {
    for db in backends().await {
        db.store.migrate().await.expect("second migrate is a no-op");
        db.store.ping().await.expect("ping");
        let expected = if db.name == "sqlite" {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        assert_eq!(db.store.backend(), expected);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_sqlite_file_is_created_in_wal_mode_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("antitrata.db");
    let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap();

    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.seed_reference_data().await.unwrap();
    store.close().await;
    assert!(path.exists());
    assert!(dir.path().join("antitrata.db-wal").exists() || path.metadata().unwrap().len() > 0);

    let reopened = Store::connect(&url).await.unwrap();
    reopened.migrate().await.unwrap();
    assert_eq!(reopened.list_countries().await.unwrap().len(), 11);
    let (mode,): (String,) = {
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
            "sqlite://{}",
            path.display()
        ))
        .await
        .unwrap();
        sqlx::query_as("pragma journal_mode")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(mode, "wal");
    reopened.close().await;
}
