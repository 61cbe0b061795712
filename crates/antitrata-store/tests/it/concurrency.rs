//! Many operators at once: audited reads and writes from concurrent connections all succeed, and
//! the audit chain stays whole. Runs on a SQLite file (a pool of connections competing for one
//! write lock, as in the service) and on PostgreSQL when it is configured.

use antitrata_domain::casework::{ContactId, ContactInput, NewContact};
use antitrata_domain::{CountryCode, NewPerson, PersonId, Role};
use antitrata_store::testing::{TestDb, actor, postgres, sqlite_file};
use antitrata_store::{Backend, ConflictKind, Entity, Store, StoreError};
use time::macros::datetime;
use uuid::Uuid;

const WORKERS: u128 = 16;
const ROUNDS: u128 = 8;

fn gt() -> CountryCode {
    CountryCode::parse("GT").unwrap()
}

fn contact() -> NewContact {
    let input = ContactInput {
        channel: "call".into(),
        started_at: "2026-11-27T11:50:00Z".into(),
        language: "es".into(),
        caller_role: "potential-victim".into(),
        heard_via: "poster".into(),
        outcome: "information-given".into(),
        summary: "Asked for the shelter's hours".into(),
        ..ContactInput::default()
    };
    NewContact::parse(&input, gt(), datetime!(2026-11-27 12:00 UTC)).unwrap()
}

/// One operator's turn: search a person (audited read), record a contact (audited write), open it
/// again (audited read).
async fn shift(store: Store, worker: u128) -> Result<(), StoreError> {
    let operator = actor(Role::Operator, Some("GT"));
    for round in 0..ROUNDS {
        let found = store
            .search_persons(&operator, Some("Lucía"), None, None)
            .await?;
        assert_eq!(found.len(), 1);
        let id = ContactId(Uuid::from_u128(1_000 + worker * ROUNDS + round));
        store.insert_contact(&operator, id, &contact()).await?;
        let read = store.find_contact(&operator, id).await?;
        assert!(read.is_some());
    }
    Ok(())
}

async fn run(db: TestDb) {
    db.store.seed_reference_data().await.unwrap();
    let operator = actor(Role::Operator, Some("GT"));
    let person = NewPerson {
        country: gt(),
        name: "Lucía Canary Ramírez".into(),
        phone: None,
    };
    db.store
        .insert_person(&operator, PersonId(Uuid::from_u128(1)), &person)
        .await
        .unwrap();
    let before = db.store.verify_audit().await.unwrap().entries;

    let shifts: Vec<_> = (0..WORKERS)
        .map(|worker| tokio::spawn(shift(db.store.clone(), worker)))
        .collect();
    let mut failures = Vec::new();
    for shift in shifts {
        if let Err(e) = shift.await.unwrap() {
            failures.push(e.to_string());
        }
    }
    assert!(failures.is_empty(), "{}: {failures:?}", db.name);

    let calls = i64::try_from(WORKERS * ROUNDS).unwrap();
    assert_eq!(
        db.store.count_rows_for_tests("contacts").await.unwrap(),
        calls,
        "{}",
        db.name
    );
    let report = db.store.verify_audit().await.unwrap();
    assert!(report.problem.is_none(), "{}: {report:?}", db.name);
    // Each round audits one person found, one contact recorded and one contact viewed.
    assert_eq!(report.entries - before, 3 * calls, "{}", db.name);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_operators_all_succeed_and_the_audit_chain_holds() {
    let dir = tempfile::tempdir().unwrap();
    run(sqlite_file(&dir.path().join("hotline.db")).await).await;
    if let Some(db) = postgres().await {
        run(db).await;
    }
}

/// Every transaction begins through `Store::begin_write`, which takes the SQLite write turn: a
/// plain `begin()` anywhere else would bring back the locked-database failures above.
#[test]
fn transactions_begin_only_through_begin_write() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut folders = vec![src.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("store.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains(".begin()") || text.contains(".begin_with(") {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "begin a write with begin_write: {offenders:?}"
    );
}

fn contact_from(locality: &str, case_reference: &str) -> NewContact {
    let input = ContactInput {
        channel: "call".into(),
        started_at: "2026-11-27T11:50:00Z".into(),
        language: "es".into(),
        caller_role: "community-member".into(),
        caller_locality: locality.into(),
        case_reference: case_reference.into(),
        outcome: "information-given".into(),
        ..ContactInput::default()
    };
    NewContact::parse(&input, gt(), datetime!(2026-11-27 12:00 UTC)).unwrap()
}

/// The contact the test's trigger refuses: the only one from a Belizean caller (the locality is
/// sealed, so the trigger cannot read it).
fn refused_contact() -> NewContact {
    let input = ContactInput {
        channel: "call".into(),
        started_at: "2026-11-27T11:50:00Z".into(),
        language: "es".into(),
        caller_role: "community-member".into(),
        caller_country: "BZ".into(),
        outcome: "information-given".into(),
        ..ContactInput::default()
    };
    NewContact::parse(&input, gt(), datetime!(2026-11-27 12:00 UTC)).unwrap()
}

/// Contacts recorded at the same moment share a commit, yet each is answered for itself: one that
/// names no case, one whose id is another operator's and one the database refuses fail alone,
/// and every other is stored and audited once.
async fn group(db: TestDb) {
    db.store.seed_reference_data().await.unwrap();
    let operator = actor(Role::Operator, Some("GT"));
    let mut other = actor(Role::Operator, Some("GT"));
    other.who = "another-operator".into();
    let taken = ContactId(Uuid::from_u128(99));
    db.store
        .insert_contact(&other, taken, &contact())
        .await
        .unwrap();
    let refuse = match db.store.backend() {
        Backend::Sqlite => vec![
            "create trigger contacts_refuse before insert on contacts \
             when new.caller_country = 'BZ' begin select raise(abort, 'refused'); end",
        ],
        Backend::Postgres => vec![
            "create function contacts_refuse() returns trigger language plpgsql as \
             $$ begin if new.caller_country = 'BZ' then raise exception 'refused'; end if; \
             return new; end $$",
            "create trigger contacts_refuse before insert on contacts \
             for each row execute function contacts_refuse()",
        ],
    };
    for sql in refuse {
        db.store.execute_raw_for_tests(sql).await.unwrap();
    }
    let before = db.store.verify_audit().await.unwrap().entries;

    let writes: Vec<_> = (0..48u128)
        .map(|n| {
            let (store, operator) = (db.store.clone(), operator.clone());
            let (id, contact) = match n {
                7 => (
                    ContactId(Uuid::from_u128(2_000 + n)),
                    contact_from("Capital", "GT-2026-999999"),
                ),
                20 => (taken, contact()),
                33 => (ContactId(Uuid::from_u128(2_000 + n)), refused_contact()),
                // The same contact twice: stored once.
                41 => (
                    ContactId(Uuid::from_u128(2_000 + 40)),
                    contact_from("Capital", ""),
                ),
                _ => (
                    ContactId(Uuid::from_u128(2_000 + n)),
                    contact_from("Capital", ""),
                ),
            };
            tokio::spawn(async move { (n, store.insert_contact(&operator, id, &contact).await) })
        })
        .collect();
    for write in writes {
        let (n, written) = write.await.unwrap();
        match n {
            7 => assert!(
                matches!(written, Err(StoreError::NotFound(Entity::Case))),
                "{}: {written:?}",
                db.name
            ),
            20 => assert!(
                matches!(
                    written,
                    Err(StoreError::Conflict(ConflictKind::IdTaken(Entity::Contact)))
                ),
                "{}: {written:?}",
                db.name
            ),
            33 => assert!(
                matches!(written, Err(StoreError::Database(_))),
                "{}: {written:?}",
                db.name
            ),
            _ => assert_eq!(
                written.unwrap().details.caller_locality.as_deref(),
                Some("Capital")
            ),
        }
    }
    // 48 submissions: three refused, two of them the same contact.
    assert_eq!(
        db.store.count_rows_for_tests("contacts").await.unwrap(),
        1 + 44,
        "{}",
        db.name
    );
    let report = db.store.verify_audit().await.unwrap();
    assert!(report.problem.is_none(), "{}: {report:?}", db.name);
    // One entry per answered contact: 44 recorded and one resubmitted.
    assert_eq!(report.entries - before, 45, "{}", db.name);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contacts_committed_together_are_answered_each_for_itself() {
    let dir = tempfile::tempdir().unwrap();
    group(sqlite_file(&dir.path().join("hotline.db")).await).await;
    if let Some(db) = postgres().await {
        group(db).await;
    }
}
