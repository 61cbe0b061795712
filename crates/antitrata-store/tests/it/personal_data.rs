//! People in the records: sealed at rest, searchable by blind index, scoped to a country, audited.

use antitrata_domain::{NewPerson, PersonId, Role};
use antitrata_store::testing::{actor, backends, seeded_backends, test_keyring};
use antitrata_store::{DatabaseUrl, Store, StoreError};
use uuid::Uuid;

fn gt_person(name: &str, phone: Option<&str>) -> NewPerson {
    NewPerson {
        country: antitrata_domain::CountryCode::parse("GT").unwrap(),
        name: name.into(),
        phone: phone.map(str::to_owned),
    }
}

fn id(n: u128) -> PersonId {
    PersonId(Uuid::from_u128(n))
}

#[tokio::test]
async fn a_person_is_read_back_only_in_their_country_and_every_read_is_audited() {
    for db in seeded_backends().await {
        let gt = actor(Role::Caseworker, Some("GT"));
        let hn = actor(Role::Supervisor, Some("HN"));
        let created = db
            .store
            .insert_person(
                &gt,
                id(1),
                &gt_person("María López", Some("+502 5555-0199")),
            )
            .await
            .unwrap();

        let found = db
            .store
            .find_person(&gt, id(1))
            .await
            .unwrap()
            .expect("found in GT");
        assert_eq!(found, created, "{}", db.name);
        assert_eq!(
            db.store.find_person(&hn, id(1)).await.unwrap(),
            None,
            "HN must not see GT"
        );
        assert_eq!(db.store.find_person(&gt, id(2)).await.unwrap(), None);

        let analyst = actor(Role::RegionalAnalyst, None);
        assert!(matches!(
            db.store.find_person(&analyst, id(1)).await,
            Err(StoreError::OutOfScope)
        ));

        let log = db.store.list_audit(0, 100).await.unwrap();
        let actions: Vec<(&str, &str)> = log
            .iter()
            .map(|e| (e.action.as_str(), e.actor.as_str()))
            .collect();
        assert_eq!(
            actions,
            [
                ("person.created", "test-caseworker"),
                ("person.viewed", "test-caseworker")
            ]
        );
        assert_eq!(
            log[1].record_id.as_deref(),
            Some(id(1).to_string().as_str())
        );
        assert_eq!(db.store.verify_audit().await.unwrap().problem, None);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_person_is_recorded_only_in_the_actors_country() {
    for db in seeded_backends().await {
        let hn = actor(Role::Operator, Some("HN"));
        let err = db
            .store
            .insert_person(&hn, id(1), &gt_person("X Y", None))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::OutOfScope), "{}", db.name);
        assert_eq!(
            db.store.list_audit(0, 10).await.unwrap().len(),
            0,
            "nothing written"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn search_finds_by_name_prefix_and_phone_within_the_country() {
    for db in seeded_backends().await {
        let gt = actor(Role::Operator, Some("GT"));
        db.store
            .insert_person(
                &gt,
                id(1),
                &gt_person("María López García", Some("+502 5555-0199")),
            )
            .await
            .unwrap();
        db.store
            .insert_person(&gt, id(2), &gt_person("Mario Lopera", None))
            .await
            .unwrap();
        db.store
            .insert_person(&gt, id(3), &gt_person("Ana Pérez", Some("4444 1234")))
            .await
            .unwrap();

        let names = |people: Vec<antitrata_domain::Person>| {
            let mut names: Vec<String> = people.into_iter().map(|p| p.name).collect();
            names.sort();
            names
        };
        let search = |name: Option<&'static str>, phone: Option<&'static str>| {
            let (store, gt) = (db.store.clone(), gt.clone());
            async move { names(store.search_persons(&gt, name, phone, None).await.unwrap()) }
        };
        assert_eq!(
            search(Some("mar"), None).await,
            ["Mario Lopera", "María López García"]
        );
        assert_eq!(
            search(Some("MARIA lop"), None).await,
            ["María López García"]
        );
        assert_eq!(
            search(Some("lope"), None).await,
            ["Mario Lopera", "María López García"]
        );
        assert_eq!(search(Some("perez"), None).await, ["Ana Pérez"]);
        assert_eq!(
            search(None, Some("5555 0199")).await,
            ["María López García"]
        );
        assert_eq!(search(Some("ana"), Some("44441234")).await, ["Ana Pérez"]);
        assert!(search(Some("ana"), Some("5555 0199")).await.is_empty());
        assert!(
            search(Some("ma"), None).await.is_empty(),
            "two letters are not searchable"
        );

        let hn = actor(Role::Supervisor, Some("HN"));
        assert!(
            db.store
                .search_persons(&hn, Some("maria"), None, None)
                .await
                .unwrap()
                .is_empty()
        );

        let found = db.store.list_audit(0, 100).await.unwrap();
        assert!(found.iter().any(|e| e.action == "person.found"));
        assert_eq!(db.store.verify_audit().await.unwrap().problem, None);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_search_of_several_words_finds_people_beyond_the_first_matches_of_one_word() {
    for db in seeded_backends().await {
        let gt = actor(Role::Operator, Some("GT"));
        // More people named Ana than one search returns, and the one Ana García made last.
        let limit = u128::try_from(antitrata_store::SEARCH_LIMIT).unwrap();
        for n in 1..=limit + 10 {
            db.store
                .insert_person(&gt, id(n), &gt_person(&format!("Ana Tzul{n:03}"), None))
                .await
                .unwrap();
        }
        db.store
            .insert_person(&gt, id(limit + 11), &gt_person("Ana García Cux", None))
            .await
            .unwrap();
        let found = db
            .store
            .search_persons(&gt, Some("ana garcía"), None, None)
            .await
            .unwrap();
        let names: Vec<&str> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Ana García Cux"], "{}", db.name);
        // Repeated words count once; a query of many words is matched on its first ones
        // rather than failing.
        let repeated = format!("ana ana garcía {}", "cux ".repeat(80));
        let found = db
            .store
            .search_persons(&gt, Some(&repeated), None, None)
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{}", db.name);
        let words: Vec<String> = (0..80).map(|n| format!("cux{n:02}")).collect();
        let long = format!("ana garcía {}", words.join(" "));
        let found = db
            .store
            .search_persons(&gt, Some(&long), None, None)
            .await
            .unwrap();
        assert!(found.is_empty(), "{}", db.name);
        let many = db
            .store
            .search_persons(&gt, Some("ana"), None, None)
            .await
            .unwrap();
        assert_eq!(many.len(), limit as usize, "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn without_the_keys_personal_data_is_refused() {
    for db in seeded_backends().await {
        let store = Store::connect(&DatabaseUrl::SqliteMemory).await.unwrap();
        let gt = actor(Role::Operator, Some("GT"));
        assert!(matches!(
            store.find_person(&gt, id(1)).await,
            Err(StoreError::NoKeyring)
        ));
        db.cleanup().await;
    }
}

const CANARY_NAME: &str = "Zqxcanary Wobblethorpe";
const CANARY_PHONE: &str = "+502 7391-4826";

/// What must not appear anywhere: the canary in the forms a search of a dump would try.
fn canary_forms() -> Vec<Vec<u8>> {
    [
        "Zqxcanary",
        "zqxcanary",
        "ZQXCANARY",
        "Wobblethorpe",
        "wobblethorpe",
        "7391-4826",
        "73914826",
        "50273914826",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Writes the canary through the normal write path, reads and searches it back, and returns the
/// log captured so far.
async fn write_canary(store: &Store) -> String {
    let log = antitrata_store::testing::captured_log();
    let gt = actor(Role::Operator, Some("GT"));
    store
        .insert_person(&gt, id(77), &gt_person(CANARY_NAME, Some(CANARY_PHONE)))
        .await
        .unwrap();
    let back = store.find_person(&gt, id(77)).await.unwrap().unwrap();
    assert_eq!(back.name, CANARY_NAME);
    assert_eq!(
        store
            .search_persons(&gt, Some("zqxcan"), None, None)
            .await
            .unwrap()
            .len(),
        1
    );
    write_casework_canary(store).await;
    let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        text.contains("insert into persons"),
        "the capture sees the write path's statements"
    );
    text
}

/// The canary in every sealed field of hotline work: a contact's summary, notes and caller's
/// locality, a case's
/// closure note and an operator's draft, each read back through the store.
async fn write_casework_canary(store: &Store) {
    use antitrata_domain::casework::{
        CaseAction, CaseDetails, CaseId, ClosureReason, ContactId, ContactInput, NewContact,
    };
    let gt = actor(Role::Operator, Some("GT"));
    let canary = format!("{CANARY_NAME} {CANARY_PHONE}");
    let input = ContactInput {
        channel: "call".into(),
        language: "es".into(),
        caller_role: "potential-victim".into(),
        outcome: "case-opened-or-linked".into(),
        summary: canary.clone(),
        notes: canary.clone(),
        caller_locality: CANARY_NAME.into(),
        ..ContactInput::default()
    };
    let contact = NewContact::parse(&input, gt.scope.country().unwrap(), gt.at).unwrap();
    let contact_id = ContactId(Uuid::from_u128(78));
    store
        .insert_contact(&gt, contact_id, &contact)
        .await
        .unwrap();
    let case_id = CaseId(Uuid::from_u128(79));
    store
        .open_case(&gt, case_id, &CaseDetails::default(), Some(contact_id))
        .await
        .unwrap();
    store.save_contact_draft(&gt, &canary).await.unwrap();
    assert_eq!(
        store.contact_draft(&gt).await.unwrap(),
        Some(canary.clone())
    );
    let back = store.find_contact(&gt, contact_id).await.unwrap().unwrap();
    assert_eq!(back.details.notes.as_deref(), Some(canary.as_str()));
    assert_eq!(back.details.caller_locality.as_deref(), Some(CANARY_NAME));

    // A person of the case with every sealed field, and a referral whose notes and override
    // reason carry the canary.
    use antitrata_domain::casework::{
        CasePerson, CasePersonInput, ReferralId, ServiceDetails, ServiceId, ServiceInput,
    };
    let person_input = CasePersonInput {
        role: "victim".into(),
        name: CANARY_NAME.into(),
        aliases: CANARY_NAME.into(),
        phone: CANARY_PHONE.into(),
        address: canary.clone(),
        born_on: "1991-07-03".into(),
        ..CasePersonInput::default()
    };
    let home = gt.scope.country().unwrap();
    let person = CasePerson::parse(&person_input, home, gt.at.date()).unwrap();
    let person_id = PersonId(Uuid::from_u128(80));
    store
        .add_case_person(&gt, person_id, case_id, &person)
        .await
        .unwrap();
    let mut admin = gt.clone();
    admin.role = Role::CountryAdmin;
    let service_input = ServiceInput {
        organization: "Refugio".into(),
        name: "Albergue".into(),
        categories: vec!["shelter".into()],
        locality: "Xela".into(),
        ..ServiceInput::default()
    };
    let service = ServiceId(Uuid::from_u128(81));
    store
        .save_service(
            &admin,
            service,
            &ServiceDetails::parse(&service_input, home).unwrap(),
            true,
        )
        .await
        .unwrap();
    let mut supervisor = gt.clone();
    supervisor.role = Role::Supervisor;
    let referral = store
        .refer_case(
            &supervisor,
            ReferralId(Uuid::from_u128(82)),
            antitrata_store::NewReferral {
                case: case_id,
                person: person_id,
                service,
                notes: Some(&canary),
                override_reason: Some(&canary),
            },
        )
        .await
        .unwrap();
    assert_eq!(referral.notes.as_deref(), Some(canary.as_str()));
    let people = store.list_case_persons(&gt, case_id).await.unwrap();
    assert_eq!(people[0].2.address.as_deref(), Some(canary.as_str()));
    let task = antitrata_domain::casework::NewFollowUp {
        title: canary.clone(),
        due_on: gt.at.date(),
        assignee: None,
    };
    let stored = store
        .add_follow_up(
            &gt,
            antitrata_domain::casework::FollowUpId(Uuid::from_u128(83)),
            case_id,
            &task,
        )
        .await
        .unwrap();
    assert_eq!(stored.details.title, canary);
    let closing = store
        .change_case_status(
            &gt,
            case_id,
            CaseAction::RequestClosure(ClosureReason::Other),
            Some(&canary),
            None,
        )
        .await
        .unwrap();
    assert_eq!(closing.closure_note.as_deref(), Some(canary.as_str()));
}

#[tokio::test]
async fn the_canary_is_in_no_sqlite_file_and_no_log() {
    let dir = tempfile::tempdir().unwrap();
    let url =
        DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("a.db").display())).unwrap();
    let store = Store::connect(&url)
        .await
        .unwrap()
        .with_keyring(test_keyring());
    store.migrate().await.unwrap();
    store.seed_reference_data().await.unwrap();
    let log = write_canary(&store).await;
    for form in canary_forms() {
        assert!(
            !contains(log.as_bytes(), &form),
            "log contains {}",
            String::from_utf8_lossy(&form)
        );
    }
    // Read the files while the pool is open (WAL not yet checkpointed) and after closing.
    for moment in ["open", "closed"] {
        if moment == "closed" {
            store.close().await;
        }
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            // A journal file may vanish between listing and reading; one that exists is read.
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            for form in canary_forms() {
                assert!(
                    !contains(&bytes, &form),
                    "{} ({moment}) contains {}",
                    path.display(),
                    String::from_utf8_lossy(&form)
                );
            }
        }
    }
}

#[tokio::test]
async fn the_canary_is_not_in_a_postgres_dump() {
    let dbs = backends().await;
    for db in dbs {
        if db.name == "postgres" {
            db.store.seed_reference_data().await.unwrap();
            let log = write_canary(&db.store).await;
            for form in canary_forms() {
                assert!(
                    !contains(log.as_bytes(), &form),
                    "log contains {}",
                    String::from_utf8_lossy(&form)
                );
            }
            let dump = std::process::Command::new("pg_dump")
                .arg("--dbname")
                .arg(&db.url)
                .output()
                .expect("run pg_dump (Debian package postgresql-client)");
            assert!(
                dump.status.success(),
                "{}",
                String::from_utf8_lossy(&dump.stderr)
            );
            assert!(
                contains(&dump.stdout, b"COPY public.persons"),
                "the dump has the persons table"
            );
            for form in canary_forms() {
                assert!(
                    !contains(&dump.stdout, &form),
                    "dump contains {}",
                    String::from_utf8_lossy(&form)
                );
            }
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn rotation_reseals_every_row_in_resumable_batches() {
    use std::sync::Arc;

    use antitrata_store::testing::{CountingNonces, test_key_file};

    for db in seeded_backends().await {
        let gt = actor(Role::Caseworker, Some("GT"));
        for n in 1..=5 {
            let phone = (n % 2 == 0).then_some("5555 0000");
            db.store
                .insert_person(&gt, id(n), &gt_person(&format!("Person {n}"), phone))
                .await
                .unwrap();
        }
        let mut file = test_key_file();
        let random = Arc::new(CountingNonces::new(99));
        assert_eq!(file.add_key(random.as_ref(), "2026-06-01T00:00:00Z"), 2);
        let rotated = db
            .store
            .clone()
            .with_keyring(Arc::new(file.into_keyring(random.clone()).unwrap()));

        let cli = actor(Role::Cli, None);
        assert_eq!(
            rotated.reseal_batch(&cli, 2).await.unwrap(),
            2,
            "{}",
            db.name
        );
        // Half-way: old and new keys both open their rows.
        assert_eq!(
            rotated.find_person(&gt, id(5)).await.unwrap().unwrap().name,
            "Person 5"
        );
        assert_eq!(rotated.reseal_batch(&cli, 2).await.unwrap(), 2);
        // The last person and the data-key check value.
        assert_eq!(rotated.reseal_batch(&cli, 2).await.unwrap(), 2);
        assert_eq!(rotated.reseal_batch(&cli, 2).await.unwrap(), 0);

        // Every row is now on key 2: a key file holding only key 2 reads them all.
        let mut only_new = test_key_file();
        only_new.add_key(&CountingNonces::new(99), "2026-06-01T00:00:00Z");
        only_new.keys.retain(|k| k.id == 2);
        let new_only = db
            .store
            .clone()
            .with_keyring(Arc::new(only_new.into_keyring(random).unwrap()));
        for n in 1..=5 {
            let person = new_only.find_person(&gt, id(n)).await.unwrap().unwrap();
            assert_eq!(person.name, format!("Person {n}"));
            assert_eq!(person.phone.is_some(), n % 2 == 0);
        }
        assert_eq!(
            new_only
                .search_persons(&gt, Some("person"), Some("55550000"), None)
                .await
                .unwrap()
                .len(),
            2
        );
        new_only
            .check_data_key()
            .await
            .expect("after a full reseal, a key file without the old key still passes the check");
        let log = db.store.list_audit(0, 1000).await.unwrap();
        assert_eq!(
            log.iter().filter(|e| e.action == "keys.resealed").count(),
            4,
            "persons in three batches, the check in one"
        );
        assert_eq!(db.store.verify_audit().await.unwrap().problem, None);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn listing_shows_only_the_actors_country_and_audits_each_person() {
    for db in seeded_backends().await {
        let gt = actor(Role::Caseworker, Some("GT"));
        let hn = actor(Role::Caseworker, Some("HN"));
        db.store
            .insert_person(&gt, id(1), &gt_person("Uno", None))
            .await
            .unwrap();
        db.store
            .insert_person(&gt, id(2), &gt_person("Dos", None))
            .await
            .unwrap();
        let honduran = NewPerson {
            country: antitrata_domain::CountryCode::parse("HN").unwrap(),
            name: "Tres".into(),
            phone: None,
        };
        db.store.insert_person(&hn, id(3), &honduran).await.unwrap();

        let listed: Vec<String> = db
            .store
            .list_recent_persons(&gt, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(listed.len(), 2, "{}", db.name);
        assert!(!listed.contains(&"Tres".to_owned()));
        let analyst = actor(Role::RegionalAnalyst, None);
        assert!(matches!(
            db.store.list_recent_persons(&analyst, 10).await,
            Err(StoreError::OutOfScope)
        ));
        let log = db.store.list_audit(0, 100).await.unwrap();
        assert_eq!(
            log.iter().filter(|e| e.action == "person.listed").count(),
            2
        );
        db.cleanup().await;
    }
}

/// Rotation reaches every sealed column of hotline work: after `reseal_batch` runs dry, a key
/// file holding only the new key opens contacts, case notes, drafts, people, referrals,
/// follow-ups and the files of a paid release.
#[tokio::test]
async fn rotation_reseals_hotline_work_too() {
    use std::sync::Arc;

    use antitrata_domain::casework::{CaseId, ContactId};
    use antitrata_store::testing::{CountingNonces, test_key_file};

    for db in seeded_backends().await {
        write_casework_canary(&db.store).await;
        let supervisor = actor(Role::Supervisor, Some("GT"));
        let release = antitrata_store::Spend {
            release_id: Uuid::from_u128(90),
            country: antitrata_domain::CountryCode::parse("GT").unwrap(),
            year: 2026,
            method: "dp-aggregates".into(),
            budget: antitrata_store::Budget {
                epsilon_micros: 1_000_000,
                delta_femtos: 0,
            },
            rho_micros: 0,
            source: "cases-GT".into(),
            evaluation: None,
        };
        let files = vec![
            ("data.csv".to_owned(), b"gender,count\nFemale,4\n".to_vec()),
            ("manifest.json".to_owned(), b"{}".to_vec()),
        ];
        db.store
            .spend_privacy_budget(
                &supervisor,
                &release,
                antitrata_store::Budget {
                    epsilon_micros: 4_000_000,
                    delta_femtos: 0,
                },
                |_| Ok(((), files.clone())),
            )
            .await
            .unwrap();
        let mut file = test_key_file();
        let random = Arc::new(CountingNonces::new(99));
        file.add_key(random.as_ref(), "2026-06-01T00:00:00Z");
        let rotated = db
            .store
            .clone()
            .with_keyring(Arc::new(file.into_keyring(random.clone()).unwrap()));
        let cli = actor(Role::Cli, None);
        let mut total = 0;
        loop {
            let done = rotated.reseal_batch(&cli, 3).await.unwrap();
            assert!(done <= 3);
            if done == 0 {
                break;
            }
            total += done;
        }
        // A person, a contact, a case, a referral, a follow-up, a draft, the data-key check and
        // the release's two files.
        assert_eq!(total, 9, "{}", db.name);

        let mut only_new = test_key_file();
        only_new.add_key(&CountingNonces::new(99), "2026-06-01T00:00:00Z");
        only_new.keys.retain(|k| k.id == 2);
        let store = db
            .store
            .clone()
            .with_keyring(Arc::new(only_new.into_keyring(random).unwrap()));
        let gt = actor(Role::Operator, Some("GT"));
        let canary = format!("{CANARY_NAME} {CANARY_PHONE}");
        let contact = store
            .find_contact(&gt, ContactId(Uuid::from_u128(78)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(contact.details.summary.as_deref(), Some(canary.as_str()));
        let case_id = CaseId(Uuid::from_u128(79));
        let case = store.find_case(&gt, case_id).await.unwrap().unwrap();
        assert_eq!(case.closure_note.as_deref(), Some(canary.as_str()));
        assert_eq!(
            store.contact_draft(&gt).await.unwrap(),
            Some(canary.clone())
        );
        let people = store.list_case_persons(&gt, case_id).await.unwrap();
        assert_eq!(people[0].2.address.as_deref(), Some(canary.as_str()));
        let referrals = store.list_case_referrals(&gt, case_id).await.unwrap();
        assert_eq!(referrals[0].notes.as_deref(), Some(canary.as_str()));
        let tasks = store.list_case_follow_ups(&gt, case_id).await.unwrap();
        assert_eq!(tasks[0].details.title, canary);
        let kept = store
            .read_kept_release(&supervisor, release.country, release.release_id)
            .await
            .unwrap();
        assert_eq!(kept, Some(files), "{}", db.name);
        db.cleanup().await;
    }
}

/// A case's file is what `find_case` and the lists give one by one, with the same audit entries,
/// appended in one batch; another country sees no case and adds nothing.
#[tokio::test]
async fn a_case_file_is_the_case_and_its_lists_audited_together() {
    use antitrata_domain::casework::CaseId;

    for db in seeded_backends().await {
        write_casework_canary(&db.store).await;
        let store = &db.store;
        let gt = actor(Role::Operator, Some("GT"));
        let case = CaseId(Uuid::from_u128(79));
        let before = store.list_audit(0, 1000).await.unwrap().len();
        let (found, records) = store.case_file(&gt, case).await.unwrap().unwrap();
        let appended: Vec<(String, Option<String>)> = store
            .list_audit(0, 1000)
            .await
            .unwrap()
            .into_iter()
            .skip(before)
            .map(|e| (e.action, e.record_id))
            .collect();
        let id = |n: u128| Some(Uuid::from_u128(n).to_string());
        // The canary's case (79), person (80), referral (82), follow-up (83) and contact (78).
        assert_eq!(
            appended,
            [
                ("case.viewed".to_owned(), id(79)),
                ("person.viewed".to_owned(), id(80)),
                ("referral.viewed".to_owned(), id(82)),
                ("follow-up.listed".to_owned(), id(83)),
                ("contact.listed".to_owned(), id(78)),
            ],
            "{}",
            db.name
        );
        assert!(found == store.find_case(&gt, case).await.unwrap().unwrap());
        assert!(records.persons == store.list_case_persons(&gt, case).await.unwrap());
        assert!(records.consents == store.list_case_consents(&gt, case).await.unwrap());
        assert!(records.referrals == store.list_case_referrals(&gt, case).await.unwrap());
        assert!(records.follow_ups == store.list_case_follow_ups(&gt, case).await.unwrap());
        assert!(records.contacts == store.list_case_contacts(&gt, case).await.unwrap());
        assert_eq!(records.persons.len(), 1);
        assert_eq!(records.contacts.len(), 1);

        let hn = actor(Role::Operator, Some("HN"));
        let before = store.list_audit(0, 1000).await.unwrap().len();
        assert!(store.case_file(&hn, case).await.unwrap().is_none());
        assert!(
            store
                .case_file(&gt, CaseId(Uuid::from_u128(1)))
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(store.list_audit(0, 1000).await.unwrap().len(), before);
        let analyst = actor(Role::RegionalAnalyst, None);
        assert!(matches!(
            store.case_file(&analyst, case).await,
            Err(StoreError::OutOfScope)
        ));
        db.cleanup().await;
    }
}
