//! Statistical datasets: written in chunks inside one transaction, listed, found, loaded back as
//! the same table, refused twice, rolled back when abandoned, dropped with an audit entry.

use antitrata_domain::Role;
use antitrata_domain::stats::{DatasetId, Table, TableEncoder, cross_tabulate};
use antitrata_store::testing::{actor, backends};
use antitrata_store::{ConflictKind, NewDataset, StoreError};
use uuid::Uuid;

fn new_dataset(name: &str) -> NewDataset {
    NewDataset {
        id: DatasetId(Uuid::now_v7()),
        name: name.into(),
        format: "ctdc-global".into(),
        file_name: format!("{name}.csv"),
        columns: vec!["yearOfRegistration".into(), "gender".into()],
        ignored_columns: vec!["nacionalidade_lat".into()],
    }
}

/// Five rows in chunks of two, so the last chunk is short.
fn encoded() -> (TableEncoder, Vec<Vec<Vec<u16>>>) {
    let mut encoder = TableEncoder::new(vec!["yearOfRegistration".into(), "gender".into()], 2);
    let rows = [
        [Some("2016"), Some("Female")],
        [Some("2016"), Some("Male")],
        [Some("2017"), Some("Female")],
        [None, Some("Female")],
        [Some("2017"), None],
    ];
    let mut chunks = Vec::new();
    for row in rows {
        if let Some(chunk) = encoder.push_row(&row).unwrap() {
            chunks.push(chunk);
        }
    }
    chunks.push(encoder.take_chunk());
    (encoder, chunks)
}

#[tokio::test]
async fn a_dataset_round_trips_through_chunks() {
    for db in backends().await {
        let cli = actor(Role::Cli, None);
        let new = new_dataset("ctdc-2017");
        let id = new.id;
        let (encoder, chunks) = encoded();
        let mut writer = db.store.begin_dataset(&cli, new).await.unwrap();
        for chunk in &chunks {
            writer.write_chunk(chunk).await.unwrap();
        }
        assert_eq!(writer.rows(), 5);
        let dataset = writer
            .finish(encoder.dictionaries(), 1, [1; 32])
            .await
            .unwrap();
        assert_eq!(dataset.rows, 5, "{}", db.name);
        assert_eq!(dataset.skipped_rows, 1);

        let listed = db.store.list_datasets().await.unwrap();
        assert_eq!(listed, vec![dataset.clone()], "{}", db.name);
        assert_eq!(
            db.store.find_dataset("ctdc-2017").await.unwrap(),
            Some(dataset.clone())
        );
        assert_eq!(
            db.store.find_dataset(&id.to_string()).await.unwrap(),
            Some(dataset.clone())
        );
        assert_eq!(
            db.store.find_dataset_by_content(&[1; 32]).await.unwrap(),
            Some(dataset.clone())
        );
        assert_eq!(dataset.content_sha256, "01".repeat(32));
        assert_eq!(dataset.ignored_columns, vec!["nacionalidade_lat"]);

        let table = db.store.load_dataset(id).await.unwrap().unwrap();
        let expected = Table::from_chunks(encoder.dictionaries(), chunks).unwrap();
        assert_eq!(table, expected, "{}", db.name);
        let tab = cross_tabulate(&table, &["yearOfRegistration", "gender"], &[]).unwrap();
        assert_eq!(tab.count(&[Some("2016"), Some("Female")]), 1);
        assert_eq!(tab.count(&[None, Some("Female")]), 1);
        assert_eq!(tab.total, 5);

        let audit = db.store.list_audit(0, 10).await.unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "dataset.imported");
        assert_eq!(audit[0].record_id.as_deref(), Some(id.to_string().as_str()));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_same_name_or_content_is_refused() {
    for db in backends().await {
        let cli = actor(Role::Cli, None);
        let (encoder, chunks) = encoded();
        let mut writer = db
            .store
            .begin_dataset(&cli, new_dataset("a"))
            .await
            .unwrap();
        writer.write_chunk(&chunks[0]).await.unwrap();
        writer
            .finish(encoder.dictionaries(), 0, [1; 32])
            .await
            .unwrap();

        let same_name = db.store.begin_dataset(&cli, new_dataset("a")).await;
        assert!(
            matches!(&same_name, Err(StoreError::Conflict(ConflictKind::DatasetNameTaken(name))) if name == "a"),
            "{}",
            db.name
        );
        let mut same_content = db
            .store
            .begin_dataset(&cli, new_dataset("b"))
            .await
            .unwrap();
        same_content.write_chunk(&chunks[0]).await.unwrap();
        let refused = same_content
            .finish(encoder.dictionaries(), 0, [1; 32])
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Conflict(ConflictKind::SameContentAs(name))) if name == "a"),
            "{}: {refused:?}",
            db.name
        );
        assert_eq!(db.store.list_datasets().await.unwrap().len(), 1);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_abandoned_import_leaves_nothing() {
    for db in backends().await {
        let cli = actor(Role::Cli, None);
        let new = new_dataset("half");
        let id = new.id;
        let (_, chunks) = encoded();
        let mut writer = db.store.begin_dataset(&cli, new).await.unwrap();
        writer.write_chunk(&chunks[0]).await.unwrap();
        drop(writer);

        assert!(
            db.store.list_datasets().await.unwrap().is_empty(),
            "{}",
            db.name
        );
        assert_eq!(db.store.load_dataset(id).await.unwrap(), None);
        assert!(db.store.list_audit(0, 10).await.unwrap().is_empty());
        // The name and content are free again.
        let writer = db.store.begin_dataset(&cli, new_dataset("half")).await;
        assert!(writer.is_ok(), "{}", db.name);
        drop(writer);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_dropped_dataset_is_gone_and_audited() {
    for db in backends().await {
        let cli = actor(Role::Cli, None);
        let new = new_dataset("gone");
        let id = new.id;
        let (encoder, chunks) = encoded();
        let mut writer = db.store.begin_dataset(&cli, new).await.unwrap();
        for chunk in &chunks {
            writer.write_chunk(chunk).await.unwrap();
        }
        writer
            .finish(encoder.dictionaries(), 0, [1; 32])
            .await
            .unwrap();

        assert!(db.store.drop_dataset(&cli, id).await.unwrap());
        assert!(!db.store.drop_dataset(&cli, id).await.unwrap());
        assert!(db.store.list_datasets().await.unwrap().is_empty());
        assert_eq!(
            db.store.load_dataset(id).await.unwrap(),
            None,
            "{}",
            db.name
        );
        let actions: Vec<String> = db
            .store
            .list_audit(0, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, vec!["dataset.imported", "dataset.dropped"]);
        assert!(db.store.verify_audit().await.unwrap().problem.is_none());
        db.cleanup().await;
    }
}
