//! The hash-chained audit log: appends verify, and any edit, deletion or reordering is named.

use antitrata_domain::Role;
use antitrata_store::testing::{TestDb, actor, backends};
use antitrata_store::{AuditEvent, AuditProblem, Backend};

fn event(n: usize) -> AuditEvent {
    AuditEvent {
        action: "test.event",
        record_type: Some("thing"),
        record_id: Some(format!("r{n}")),
    }
}

async fn log_with(entries: usize) -> Vec<TestDb> {
    let dbs = backends().await;
    for db in &dbs {
        for n in 1..=entries {
            db.store
                .append_audit(&actor(Role::Supervisor, Some("GT")), event(n))
                .await
                .unwrap();
        }
    }
    dbs
}

/// What an attacker with database access does first: remove the append-only triggers.
async fn drop_guards(db: &TestDb) {
    match db.store.backend() {
        Backend::Sqlite => {
            db.store
                .execute_raw_for_tests("drop trigger audit_log_no_update")
                .await
                .unwrap();
            db.store
                .execute_raw_for_tests("drop trigger audit_log_no_delete")
                .await
                .unwrap();
        }
        Backend::Postgres => {
            db.store
                .execute_raw_for_tests("drop trigger audit_log_no_update on audit_log")
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn an_untouched_log_verifies() {
    for db in log_with(5).await {
        let report = db.store.verify_audit().await.unwrap();
        assert_eq!((report.entries, report.problem), (5, None), "{}", db.name);
        let entries = db.store.list_audit(0, 100).await.unwrap();
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0].role, "supervisor");
        assert_eq!(entries[0].country.as_deref(), Some("GT"));
        assert_eq!(entries[0].request_id.as_deref(), Some("req-test"));
        assert_eq!(entries[4].hash, report.head_hash);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_empty_log_verifies() {
    for db in backends().await {
        let report = db.store.verify_audit().await.unwrap();
        assert_eq!((report.entries, report.problem), (0, None));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_database_refuses_updates_and_deletes() {
    for db in log_with(2).await {
        assert!(
            db.store
                .execute_raw_for_tests("update audit_log set actor = 'x' where seq = 1")
                .await
                .is_err()
        );
        assert!(
            db.store
                .execute_raw_for_tests("delete from audit_log where seq = 2")
                .await
                .is_err()
        );
        assert_eq!(db.store.verify_audit().await.unwrap().problem, None);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_edited_entry_is_named() {
    for db in log_with(5).await {
        drop_guards(&db).await;
        db.store
            .execute_raw_for_tests("update audit_log set record_id = 'other' where seq = 3")
            .await
            .unwrap();
        let report = db.store.verify_audit().await.unwrap();
        assert_eq!(
            report.problem,
            Some(AuditProblem::Edited { seq: 3 }),
            "{}",
            db.name
        );
        assert_eq!(report.entries, 2);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_deleted_entry_is_named() {
    for db in log_with(5).await {
        drop_guards(&db).await;
        db.store
            .execute_raw_for_tests("delete from audit_log where seq = 2")
            .await
            .unwrap();
        let problem = db.store.verify_audit().await.unwrap().problem;
        assert_eq!(
            problem,
            Some(AuditProblem::Missing { seq: 2 }),
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn reordered_entries_are_named() {
    for db in log_with(5).await {
        drop_guards(&db).await;
        for sql in [
            "update audit_log set seq = 100 where seq = 2",
            "update audit_log set seq = 2 where seq = 3",
            "update audit_log set seq = 3 where seq = 100",
        ] {
            db.store.execute_raw_for_tests(sql).await.unwrap();
        }
        let problem = db.store.verify_audit().await.unwrap().problem;
        assert_eq!(
            problem,
            Some(AuditProblem::ChainBroken { seq: 2 }),
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn deleting_the_last_entries_is_detected() {
    for db in log_with(5).await {
        drop_guards(&db).await;
        db.store
            .execute_raw_for_tests("delete from audit_log where seq >= 4")
            .await
            .unwrap();
        let report = db.store.verify_audit().await.unwrap();
        assert_eq!(
            report.problem,
            Some(AuditProblem::Truncated {
                last_seq: 3,
                head_seq: 5
            })
        );
        assert!(
            report
                .problem
                .unwrap()
                .to_string()
                .contains("ends at entry 3")
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn concurrent_appends_keep_one_chain() {
    for db in backends().await {
        let mut tasks = Vec::new();
        for n in 0..20 {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .append_audit(&actor(Role::Operator, Some("HN")), event(n))
                    .await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let report = db.store.verify_audit().await.unwrap();
        assert_eq!((report.entries, report.problem), (20, None), "{}", db.name);
        db.cleanup().await;
    }
}

/// A read that returns many records audits each of them in one batch; the batch is longer than
/// one insert statement carries, and the chain still verifies entry by entry.
#[tokio::test]
async fn a_batch_of_entries_longer_than_one_insert_chains_in_order() {
    use antitrata_domain::{CountryCode, NewPerson, PersonId};
    for db in antitrata_store::testing::seeded_backends().await {
        let operator = actor(Role::Operator, Some("GT"));
        let people = 510;
        for n in 0..people {
            let person = NewPerson {
                country: CountryCode::parse("GT").unwrap(),
                name: format!("Persona {n}"),
                phone: None,
            };
            db.store
                .insert_person(&operator, PersonId(uuid::Uuid::from_u128(n + 1)), &person)
                .await
                .unwrap();
        }
        let before = db.store.verify_audit().await.unwrap().entries;
        let listed = db.store.list_recent_persons(&operator, 600).await.unwrap();
        assert_eq!(listed.len(), people as usize);
        let report = db.store.verify_audit().await.unwrap();
        assert_eq!(report.problem, None, "{}", db.name);
        assert_eq!(report.entries - before, people as i64, "{}", db.name);
        let batch = db.store.list_audit(before, 1000).await.unwrap();
        assert!(batch.iter().all(|e| e.action == "person.listed"));
        let seqs: Vec<i64> = batch.iter().map(|e| e.seq).collect();
        let expected: Vec<i64> = (before + 1..=before + people as i64).collect();
        assert_eq!(seqs, expected, "{}", db.name);
        db.cleanup().await;
    }
}

/// Reads' audit entries are committed together; when that append fails, every read waiting on it
/// is refused and returns nothing, and reads succeed again once appends do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_whose_audit_entries_cannot_be_appended_are_refused() {
    use antitrata_domain::{CountryCode, NewPerson, PersonId};
    use antitrata_store::StoreError;
    for db in antitrata_store::testing::seeded_backends().await {
        let operator = actor(Role::Operator, Some("GT"));
        let person = NewPerson {
            country: CountryCode::parse("GT").unwrap(),
            name: "Rosa Canary Cux".into(),
            phone: None,
        };
        db.store
            .insert_person(&operator, PersonId(uuid::Uuid::from_u128(1)), &person)
            .await
            .unwrap();
        let refuse = match db.store.backend() {
            Backend::Sqlite => vec![
                "create trigger audit_log_refuse before insert on audit_log \
                 begin select raise(abort, 'the disk is full'); end",
            ],
            Backend::Postgres => vec![
                "create function audit_log_refuse() returns trigger language plpgsql as \
                 $$ begin raise exception 'the disk is full'; end $$",
                "create trigger audit_log_refuse before insert on audit_log \
                 for each row execute function audit_log_refuse()",
            ],
        };
        for sql in refuse {
            db.store.execute_raw_for_tests(sql).await.unwrap();
        }
        let before = db.store.verify_audit().await.unwrap().entries;

        let searches: Vec<_> = (0..8)
            .map(|_| {
                let (store, operator) = (db.store.clone(), operator.clone());
                tokio::spawn(async move {
                    store
                        .search_persons(&operator, Some("Rosa"), None, None)
                        .await
                })
            })
            .collect();
        for search in searches {
            let refused = search.await.unwrap();
            assert!(
                matches!(refused, Err(StoreError::ReadAudit(_))),
                "{}: {refused:?}",
                db.name
            );
        }
        assert_eq!(db.store.verify_audit().await.unwrap().entries, before);

        let drop = match db.store.backend() {
            Backend::Sqlite => "drop trigger audit_log_refuse",
            Backend::Postgres => "drop trigger audit_log_refuse on audit_log",
        };
        db.store.execute_raw_for_tests(drop).await.unwrap();
        let found = db
            .store
            .search_persons(&operator, Some("Rosa"), None, None)
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{}", db.name);
        let report = db.store.verify_audit().await.unwrap();
        assert_eq!((report.entries, report.problem), (before + 1, None));
        db.cleanup().await;
    }
}
