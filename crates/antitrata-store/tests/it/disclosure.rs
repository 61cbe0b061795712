//! The people of a case, the services directory, consent and referrals: a referral is made only
//! on a consent that covers it now, or on a supervisor's audited override.

use antitrata_domain::casework::{
    Basis, CaseDetails, CaseId, CasePerson, CasePersonInput, CaseStatus, ConsentId, ConsentInput,
    NewConsent, ReferralId, ReferralStatus, ServiceCategory, ServiceDetails, ServiceId,
    ServiceInput,
};
use antitrata_domain::{CountryCode, PersonId, Role};
use antitrata_store::testing::{TestDb, actor, seeded_backends};
use antitrata_store::{ConflictKind, Entity, NewReferral, PAGE_MAX, StoreError};
use time::macros::date;
use uuid::Uuid;

fn gt() -> CountryCode {
    CountryCode::parse("GT").unwrap()
}

fn person(name: &str, born_on: &str) -> CasePerson {
    let input = CasePersonInput {
        role: "victim".into(),
        name: name.into(),
        phone: "5555 0199".into(),
        born_on: born_on.into(),
        gender: "Feminine".into(),
        nationality: "HN".into(),
        ..CasePersonInput::default()
    };
    CasePerson::parse(&input, gt(), date!(2026 - 11 - 27)).unwrap()
}

fn service(name: &str, category: &str, locality: &str) -> ServiceDetails {
    let input = ServiceInput {
        organization: "Refugio".into(),
        name: name.into(),
        categories: vec![category.into()],
        locality: locality.into(),
        ..ServiceInput::default()
    };
    ServiceDetails::parse(&input, gt()).unwrap()
}

const CASE: CaseId = CaseId(Uuid::from_u128(1));
const MARIA: PersonId = PersonId(Uuid::from_u128(10));
const SHELTER: ServiceId = ServiceId(Uuid::from_u128(20));
const CLINIC: ServiceId = ServiceId(Uuid::from_u128(21));

/// A GT case with one adult victim and two services.
async fn setup(db: &TestDb) {
    let worker = actor(Role::Caseworker, Some("GT"));
    let admin = actor(Role::CountryAdmin, Some("GT"));
    db.store
        .open_case(&worker, CASE, &CaseDetails::default(), None)
        .await
        .unwrap();
    db.store
        .add_case_person(&worker, MARIA, CASE, &person("María Canaria", "1990-05-01"))
        .await
        .unwrap();
    db.store
        .save_service(
            &admin,
            SHELTER,
            &service("Albergue", "shelter", "Quetzaltenango"),
            true,
        )
        .await
        .unwrap();
    db.store
        .save_service(
            &admin,
            CLINIC,
            &service("Clínica", "medical", "Ciudad de Guatemala"),
            true,
        )
        .await
        .unwrap();
}

fn consent(service: Option<ServiceId>) -> NewConsent {
    let input = ConsentInput {
        person: MARIA.0.to_string(),
        scope: "referral".into(),
        service: service.map(|s| s.0.to_string()).unwrap_or_default(),
        given_by: "self".into(),
        ..ConsentInput::default()
    };
    NewConsent::parse(&input, false, date!(2026 - 11 - 27)).unwrap()
}

fn referral(service: ServiceId) -> NewReferral<'static> {
    NewReferral {
        case: CASE,
        person: MARIA,
        service,
        notes: Some("Needs a bed tonight"),
        override_reason: None,
    }
}

#[tokio::test]
async fn people_of_a_case_are_sealed_searchable_and_flag_minors() {
    for db in seeded_backends().await {
        setup(&db).await;
        let worker = actor(Role::Caseworker, Some("GT"));
        let people = db.store.list_case_persons(&worker, CASE).await.unwrap();
        assert_eq!(people.len(), 1, "{}", db.name);
        assert_eq!(people[0].2.name, "María Canaria");
        assert!(
            !db.store
                .find_case(&worker, CASE)
                .await
                .unwrap()
                .unwrap()
                .has_minor
        );

        let child = PersonId(Uuid::from_u128(11));
        let stored = db
            .store
            .add_case_person(&worker, child, CASE, &person("Niña Canaria", "2015-02-02"))
            .await
            .unwrap();
        assert_eq!(stored.0, 1, "a new person is at version 1");
        assert!(stored.1.is_minor);
        // Sent twice, stored once.
        db.store
            .add_case_person(&worker, child, CASE, &person("Niña Canaria", "2015-02-02"))
            .await
            .unwrap();
        assert_eq!(
            db.store
                .list_case_persons(&worker, CASE)
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(
            db.store
                .find_case(&worker, CASE)
                .await
                .unwrap()
                .unwrap()
                .has_minor
        );
        let found = db
            .store
            .search_persons(&worker, Some("canaria"), None, None)
            .await
            .unwrap();
        assert_eq!(
            found.len(),
            2,
            "the person search finds the people of cases"
        );

        let hn = actor(Role::Caseworker, Some("HN"));
        let err = db
            .store
            .add_case_person(&hn, PersonId(Uuid::from_u128(12)), CASE, &person("X", ""))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(Entity::Case)), "{err}");
        assert!(
            db.store
                .list_case_persons(&hn, CASE)
                .await
                .unwrap()
                .is_empty()
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_person_of_a_case_is_corrected_at_their_version_and_removed_unless_consents_keep_them() {
    for db in seeded_backends().await {
        setup(&db).await;
        let worker = actor(Role::Caseworker, Some("GT"));
        let case_of = |db: &TestDb| {
            let store = db.store.clone();
            let worker = worker.clone();
            async move { store.find_case(&worker, CASE).await.unwrap().unwrap() }
        };
        let (case, version, stored) = db
            .store
            .find_case_person(&worker, MARIA)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((case, version), (CASE, 1), "{}", db.name);
        assert_eq!(stored.name, "María Canaria");
        let before = case_of(&db).await.version;

        // Corrected: a child now, with another name and phone; the old ones find her no more.
        let corrected = CasePerson::parse(
            &CasePersonInput {
                role: "victim".into(),
                name: "Marisol Canaria".into(),
                phone: "4444 0101".into(),
                born_on: "2014-03-03".into(),
                ..CasePersonInput::default()
            },
            gt(),
            date!(2026 - 11 - 27),
        )
        .unwrap();
        let stale = db
            .store
            .update_case_person(&worker, MARIA, &corrected, Some(7))
            .await
            .unwrap_err();
        assert!(
            matches!(stale, StoreError::Stale { current: 1, .. }),
            "{stale}"
        );
        let version = db
            .store
            .update_case_person(&worker, MARIA, &corrected, Some(1))
            .await
            .unwrap();
        assert_eq!(version, (CASE, 2));
        let (_, _, now) = db
            .store
            .find_case_person(&worker, MARIA)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now, corrected);
        let case = case_of(&db).await;
        assert!(case.has_minor, "a child now: the case says so");
        assert!(case.version > before);
        let search = |name: Option<&'static str>, phone: Option<&'static str>| {
            let store = db.store.clone();
            let worker = worker.clone();
            async move {
                store
                    .search_persons(&worker, name, phone, None)
                    .await
                    .unwrap()
                    .len()
            }
        };
        assert_eq!(search(Some("maría"), None).await, 0);
        assert_eq!(search(None, Some("5555 0199")).await, 0);
        assert_eq!(search(Some("marisol"), None).await, 1);
        assert_eq!(search(None, Some("44440101")).await, 1);

        // Another country's worker neither corrects nor removes her.
        let hn = actor(Role::Caseworker, Some("HN"));
        assert!(matches!(
            db.store
                .update_case_person(&hn, MARIA, &corrected, None)
                .await,
            Err(StoreError::NotFound(Entity::PersonOfTheCase))
        ));
        assert!(matches!(
            db.store.remove_case_person(&hn, MARIA, None).await,
            Err(StoreError::NotFound(Entity::PersonOfTheCase))
        ));
        assert_eq!(db.store.find_case_person(&hn, MARIA).await.unwrap(), None);

        // With a consent she stays; a person with none is removed, sealed data and indexes gone.
        let consent = NewConsent::parse(
            &ConsentInput {
                person: MARIA.to_string(),
                scope: "assistance".into(),
                given_by: "guardian".into(),
                ..ConsentInput::default()
            },
            true,
            date!(2026 - 11 - 27),
        )
        .unwrap();
        db.store
            .record_consent(&worker, ConsentId(Uuid::from_u128(40)), CASE, &consent)
            .await
            .unwrap();
        assert!(matches!(
            db.store.remove_case_person(&worker, MARIA, Some(2)).await,
            Err(StoreError::Conflict(ConflictKind::PersonHasRecords))
        ));
        let child = PersonId(Uuid::from_u128(11));
        db.store
            .add_case_person(
                &worker,
                child,
                CASE,
                &person("Niño Equivocado", "2016-01-01"),
            )
            .await
            .unwrap();
        let digests_before = db.store.count_rows_for_tests("blind_index").await.unwrap();
        assert_eq!(
            db.store
                .remove_case_person(&worker, child, Some(1))
                .await
                .unwrap(),
            CASE
        );
        assert_eq!(
            db.store.find_case_person(&worker, child).await.unwrap(),
            None
        );
        assert!(db.store.count_rows_for_tests("blind_index").await.unwrap() < digests_before);
        assert_eq!(search(Some("equivocado"), None).await, 0);
        assert!(matches!(
            db.store.remove_case_person(&worker, child, None).await,
            Err(StoreError::NotFound(Entity::PersonOfTheCase))
        ));
        let actions: Vec<String> = db
            .store
            .list_audit(0, 500)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.record_id.as_deref() == Some(child.to_string().as_str()))
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            ["person.created", "person.removed"],
            "the trail stays"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_directory_is_kept_by_country_admins_and_searched_by_category_and_place() {
    for db in seeded_backends().await {
        setup(&db).await;
        let worker = actor(Role::Caseworker, Some("GT"));
        assert!(matches!(
            db.store
                .save_service(
                    &worker,
                    ServiceId(Uuid::from_u128(30)),
                    &service("x", "legal", "y"),
                    true
                )
                .await,
            Err(StoreError::RoleNotAllowed { .. })
        ));
        let names = |services: Vec<antitrata_domain::casework::Service>| {
            services
                .into_iter()
                .map(|s| s.details.name)
                .collect::<Vec<_>>()
        };
        let all = db
            .store
            .list_services(&worker, None, None, None, antitrata_store::PAGE_MAX)
            .await
            .unwrap();
        assert_eq!(names(all), ["Clínica", "Albergue"], "{}", db.name);
        let shelters = db
            .store
            .list_services(
                &worker,
                Some(ServiceCategory::Shelter),
                None,
                None,
                antitrata_store::PAGE_MAX,
            )
            .await
            .unwrap();
        assert_eq!(names(shelters), ["Albergue"]);
        let by_place = db
            .store
            .list_services(
                &worker,
                None,
                Some("quetzal"),
                None,
                antitrata_store::PAGE_MAX,
            )
            .await
            .unwrap();
        assert_eq!(names(by_place), ["Albergue"]);
        let hn = actor(Role::Caseworker, Some("HN"));
        assert!(
            db.store
                .list_services(&hn, None, None, None, antitrata_store::PAGE_MAX)
                .await
                .unwrap()
                .is_empty()
        );
        // Deactivated services leave the list but stay readable.
        let admin = actor(Role::CountryAdmin, Some("GT"));
        db.store
            .save_service(
                &admin,
                CLINIC,
                &service("Clínica", "medical", "Ciudad de Guatemala"),
                false,
            )
            .await
            .unwrap();
        assert_eq!(
            names(
                db.store
                    .list_services(&worker, None, None, None, antitrata_store::PAGE_MAX)
                    .await
                    .unwrap()
            ),
            ["Albergue"]
        );
        assert!(
            !db.store
                .find_service(&worker, CLINIC)
                .await
                .unwrap()
                .unwrap()
                .active
        );
        assert_eq!(
            names(db.store.list_deactivated_services(&admin).await.unwrap()),
            ["Clínica"],
            "{}",
            db.name
        );
        assert!(
            db.store
                .list_deactivated_services(&actor(Role::CountryAdmin, Some("HN")))
                .await
                .unwrap()
                .is_empty()
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_referral_needs_a_covering_consent_and_withdrawal_blocks_the_next() {
    for db in seeded_backends().await {
        setup(&db).await;
        let worker = actor(Role::Caseworker, Some("GT"));
        let refused = db
            .store
            .refer_case(&worker, ReferralId(Uuid::from_u128(40)), referral(SHELTER))
            .await
            .unwrap_err();
        assert!(matches!(refused, StoreError::NoConsent), "{refused}");
        assert_eq!(db.store.count_rows_for_tests("referrals").await.unwrap(), 0);
        let case = db.store.find_case(&worker, CASE).await.unwrap().unwrap();
        assert_eq!(case.status, CaseStatus::Open, "nothing changed");

        // Consent naming the shelter covers the shelter, not the clinic.
        let given = db
            .store
            .record_consent(
                &worker,
                ConsentId(Uuid::from_u128(50)),
                CASE,
                &consent(Some(SHELTER)),
            )
            .await
            .unwrap();
        let made = db
            .store
            .refer_case(&worker, ReferralId(Uuid::from_u128(41)), referral(SHELTER))
            .await
            .unwrap();
        assert_eq!(made.basis, Basis::Consent(given.id), "{}", db.name);
        assert_eq!(made.status, ReferralStatus::Requested);
        assert_eq!(made.notes.as_deref(), Some("Needs a bed tonight"));
        let case = db.store.find_case(&worker, CASE).await.unwrap().unwrap();
        assert_eq!(case.status, CaseStatus::Referred);
        // Sent again, the same referral is the one stored.
        let again = db
            .store
            .refer_case(&worker, ReferralId(Uuid::from_u128(41)), referral(SHELTER))
            .await
            .unwrap();
        assert_eq!(again.id, made.id);
        // An id another country holds is a conflict like any other id taken (it was an unhandled
        // constraint, a 503, where a fresh id gave 201: an oracle of where ids live).
        db.store
            .execute_raw_for_tests(&format!(
                "update referrals set country = 'HN' where id = {}",
                match db.store.backend() {
                    antitrata_store::Backend::Sqlite => format!("x'{:032x}'", 41u128),
                    antitrata_store::Backend::Postgres => format!("'{}'", Uuid::from_u128(41)),
                }
            ))
            .await
            .unwrap();
        let again = db
            .store
            .refer_case(&worker, ReferralId(Uuid::from_u128(41)), referral(SHELTER))
            .await;
        assert!(
            matches!(
                again,
                Err(StoreError::Conflict(ConflictKind::IdTaken(
                    Entity::Referral
                )))
            ),
            "{}: {again:?}",
            db.name
        );
        assert_eq!(db.store.count_rows_for_tests("referrals").await.unwrap(), 1);
        db.store
            .execute_raw_for_tests("update referrals set country = 'GT'")
            .await
            .unwrap();
        assert!(matches!(
            db.store
                .refer_case(&worker, ReferralId(Uuid::from_u128(42)), referral(CLINIC))
                .await,
            Err(StoreError::NoConsent)
        ));

        // Withdrawn: the next disclosure is refused. From a version it is not at, a withdrawal is
        // refused as stale; once withdrawn, its version moved on.
        assert_eq!(given.version, 1);
        assert!(matches!(
            db.store.withdraw_consent(&worker, given.id, Some(7)).await,
            Err(StoreError::Stale {
                entity: Entity::Consent,
                current: 1
            })
        ));
        assert!(
            db.store
                .withdraw_consent(&worker, given.id, Some(given.version))
                .await
                .unwrap()
        );
        assert!(matches!(
            db.store.withdraw_consent(&worker, given.id, Some(1)).await,
            Err(StoreError::Stale { current: 2, .. })
        ));
        assert!(
            !db.store
                .withdraw_consent(&worker, given.id, None)
                .await
                .unwrap()
        );
        assert!(matches!(
            db.store
                .refer_case(&worker, ReferralId(Uuid::from_u128(43)), referral(SHELTER))
                .await,
            Err(StoreError::NoConsent)
        ));
        let consents = db.store.list_case_consents(&worker, CASE).await.unwrap();
        assert!(consents[0].withdrawn_at.is_some());
        // The same referral sent again is the one stored.
        let again = db
            .store
            .refer_case(&worker, ReferralId(Uuid::from_u128(41)), referral(SHELTER))
            .await
            .unwrap();
        assert_eq!(again, made);
        assert_eq!(db.store.count_rows_for_tests("referrals").await.unwrap(), 1);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn only_a_supervisor_overrides_missing_consent_and_it_is_audited() {
    for db in seeded_backends().await {
        setup(&db).await;
        let worker = actor(Role::Caseworker, Some("GT"));
        let supervisor = actor(Role::Supervisor, Some("GT"));
        let with_reason = NewReferral {
            override_reason: Some("Life at risk tonight; the person cannot be reached"),
            ..referral(SHELTER)
        };
        assert!(matches!(
            db.store
                .refer_case(&worker, ReferralId(Uuid::from_u128(40)), with_reason)
                .await,
            Err(StoreError::RoleNotAllowed { .. })
        ));
        let made = db
            .store
            .refer_case(&supervisor, ReferralId(Uuid::from_u128(41)), with_reason)
            .await
            .unwrap();
        assert_eq!(
            made.basis,
            Basis::Override {
                by: supervisor.who.clone(),
                reason: "Life at risk tonight; the person cannot be reached".into()
            }
        );
        let actions: Vec<String> = db
            .store
            .list_audit(0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(
            actions.contains(&"consent.overridden".to_owned()),
            "{actions:?}"
        );
        // A blank reason is no override.
        let blank = NewReferral {
            override_reason: Some("  "),
            ..referral(CLINIC)
        };
        assert!(matches!(
            db.store
                .refer_case(&supervisor, ReferralId(Uuid::from_u128(42)), blank)
                .await,
            Err(StoreError::NoConsent)
        ));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn referrals_move_forward_and_stale_ones_are_listed() {
    for db in seeded_backends().await {
        setup(&db).await;
        let worker = actor(Role::Caseworker, Some("GT"));
        db.store
            .record_consent(
                &worker,
                ConsentId(Uuid::from_u128(50)),
                CASE,
                &consent(None),
            )
            .await
            .unwrap();
        let id = ReferralId(Uuid::from_u128(41));
        db.store
            .refer_case(&worker, id, referral(SHELTER))
            .await
            .unwrap();
        let later = worker.at + time::Duration::days(5);
        let stale = db
            .store
            .list_stale_referrals(&worker, later, None, PAGE_MAX)
            .await
            .unwrap();
        assert_eq!(stale.len(), 1, "{}", db.name);
        assert!(
            db.store
                .list_stale_referrals(&worker, worker.at, None, PAGE_MAX)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            db.store
                .update_referral(&worker, id, ReferralStatus::Completed, None)
                .await,
            Err(StoreError::NotAllowedNow { .. })
        ));
        let accepted = db
            .store
            .update_referral(&worker, id, ReferralStatus::Accepted, None)
            .await
            .unwrap();
        assert_eq!(accepted.status, ReferralStatus::Accepted);
        db.store
            .update_referral(&worker, id, ReferralStatus::Completed, None)
            .await
            .unwrap();
        assert!(
            db.store
                .list_stale_referrals(&worker, later, None, PAGE_MAX)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            db.store
                .list_case_referrals(&worker, CASE)
                .await
                .unwrap()
                .len(),
            1
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_minor_consents_through_a_guardian() {
    for db in seeded_backends().await {
        setup(&db).await;
        let worker = actor(Role::Caseworker, Some("GT"));
        let child = PersonId(Uuid::from_u128(11));
        db.store
            .add_case_person(&worker, child, CASE, &person("Niño Canario", "2016-01-01"))
            .await
            .unwrap();
        let by_self = NewConsent {
            person: child,
            ..consent(None)
        };
        assert!(matches!(
            db.store
                .record_consent(&worker, ConsentId(Uuid::from_u128(51)), CASE, &by_self)
                .await,
            Err(StoreError::Conflict(ConflictKind::MinorNeedsGuardian))
        ));
        let by_guardian = NewConsent {
            given_by: antitrata_domain::casework::GivenBy::Guardian,
            ..by_self
        };
        db.store
            .record_consent(&worker, ConsentId(Uuid::from_u128(52)), CASE, &by_guardian)
            .await
            .unwrap();
        db.cleanup().await;
    }
}

#[tokio::test]
async fn acting_on_another_countrys_record_is_told_as_no_such_record_and_changes_nothing() {
    use antitrata_domain::casework::{
        ContactId, ContactInput, FollowUpId, NewContact, NewFollowUp,
    };
    for db in seeded_backends().await {
        setup(&db).await;
        let worker = actor(Role::Caseworker, Some("GT"));
        let consent_id = ConsentId(Uuid::from_u128(30));
        db.store
            .record_consent(&worker, consent_id, CASE, &consent(None))
            .await
            .unwrap();
        let task = NewFollowUp {
            title: "Call back".into(),
            due_on: date!(2026 - 11 - 30),
            assignee: None,
        };
        let follow_up = FollowUpId(Uuid::from_u128(31));
        db.store
            .add_follow_up(&worker, follow_up, CASE, &task)
            .await
            .unwrap();
        let input = ContactInput {
            channel: "call".into(),
            language: "es".into(),
            caller_role: "potential-victim".into(),
            outcome: "case-opened-or-linked".into(),
            immediate_danger: true,
            ..ContactInput::default()
        };
        let operator = actor(Role::Operator, Some("GT"));
        let contact = NewContact::parse(&input, gt(), operator.at).unwrap();
        let danger = ContactId(Uuid::from_u128(32));
        db.store
            .insert_contact(&operator, danger, &contact)
            .await
            .unwrap();

        // Honduras acts on Guatemala's records, and on records that do not exist at all: the
        // same answer for both, so the answer does not tell where an id lives.
        let hn_worker = actor(Role::Caseworker, Some("HN"));
        let hn_supervisor = actor(Role::Supervisor, Some("HN"));
        for id in [30, 99] {
            let withdrawn = db
                .store
                .withdraw_consent(&hn_worker, ConsentId(Uuid::from_u128(id)), None)
                .await;
            assert!(
                matches!(withdrawn, Err(StoreError::NotFound(Entity::Consent))),
                "{}: {withdrawn:?}",
                db.name
            );
        }
        for id in [31, 99] {
            let done = db
                .store
                .complete_follow_up(&hn_worker, FollowUpId(Uuid::from_u128(id)), None)
                .await;
            assert!(
                matches!(done, Err(StoreError::NotFound(Entity::FollowUp))),
                "{}: {done:?}",
                db.name
            );
        }
        for id in [32, 99] {
            let handled = db
                .store
                .mark_danger_handled(&hn_supervisor, ContactId(Uuid::from_u128(id)))
                .await;
            assert!(
                matches!(handled, Err(StoreError::NotFound(Entity::Contact))),
                "{}: {handled:?}",
                db.name
            );
        }
        // Nothing changed in Guatemala; there, done twice is done once.
        assert!(
            db.store
                .withdraw_consent(&worker, consent_id, None)
                .await
                .unwrap()
        );
        assert!(
            !db.store
                .withdraw_consent(&worker, consent_id, None)
                .await
                .unwrap()
        );
        assert!(
            db.store
                .complete_follow_up(&worker, follow_up, None)
                .await
                .unwrap()
        );
        let gt_supervisor = actor(Role::Supervisor, Some("GT"));
        assert!(
            db.store
                .mark_danger_handled(&gt_supervisor, danger)
                .await
                .unwrap()
        );
        db.cleanup().await;
    }
}
