//! Contacts, drafts and cases: scoped to a country, sealed where personal, audited, idempotent on
//! resubmission, and moved through the case workflow only as it allows.

use antitrata_domain::casework::{
    Answer, CaseAction, CaseDetails, CaseId, CaseInput, CaseReference, CaseStatus, ClosureReason,
    ContactId, ContactInput, ExploitationType, Indicator, NewContact, ScreeningResult,
};
use antitrata_domain::{CountryCode, Email, Lang, NewAccount, Role, UserId};
use antitrata_store::testing::{actor, seeded_backends};
use antitrata_store::{CaseFilter, ConflictKind, Entity, PAGE_MAX, StoreError};
use time::macros::{date, datetime};
use uuid::Uuid;

fn gt() -> CountryCode {
    CountryCode::parse("GT").unwrap()
}

fn contact(summary: &str) -> NewContact {
    let input = ContactInput {
        channel: "call".into(),
        started_at: "2026-11-27T11:50:00Z".into(),
        language: "es".into(),
        caller_role: "potential-victim".into(),
        heard_via: "radio-soap-opera".into(),
        outcome: "case-opened-or-linked".into(),
        summary: summary.into(),
        notes: "Canary note".into(),
        screening: vec![
            ("withheld-documents".into(), "yes".into()),
            ("no-pay".into(), "yes".into()),
        ],
        ..ContactInput::default()
    };
    NewContact::parse(&input, gt(), datetime!(2026-11-27 12:00 UTC)).unwrap()
}

fn details() -> CaseDetails {
    let input = CaseInput {
        risk: "high".into(),
        exploitation_types: vec!["ForcedLabour".into()],
        sectors: vec!["A_AgricultureForestryAndFishing".into()],
        citizenship: vec!["HN".into()],
        exploitation_countries: vec!["GT".into()],
        ..CaseInput::default()
    };
    CaseDetails::parse(&input, date!(2026 - 11 - 27)).unwrap()
}

fn cid(n: u128) -> ContactId {
    ContactId(Uuid::from_u128(n))
}

fn kid(n: u128) -> CaseId {
    CaseId(Uuid::from_u128(n))
}

#[tokio::test]
async fn contacts_are_sealed_scoped_audited_and_stored_once() {
    for db in seeded_backends().await {
        let operator = actor(Role::Operator, Some("GT"));
        let stored = db
            .store
            .insert_contact(&operator, cid(1), &contact("Canary summary"))
            .await
            .unwrap();
        assert_eq!(stored.details.summary.as_deref(), Some("Canary summary"));
        assert_eq!(stored.screening_result().0, ScreeningResult::Likely);
        assert_eq!(stored.recorded_by, operator.who);

        // A double-submitted form: the same id stores nothing new.
        let again = db
            .store
            .insert_contact(&operator, cid(1), &contact("Canary summary"))
            .await
            .unwrap();
        assert_eq!(again, stored, "{}", db.name);
        assert_eq!(db.store.count_rows_for_tests("contacts").await.unwrap(), 1);

        // Another country's operator neither reads it nor can reuse its id.
        let hn = actor(Role::Operator, Some("HN"));
        assert_eq!(db.store.find_contact(&hn, cid(1)).await.unwrap(), None);
        let mut hn_contact = contact("x");
        hn_contact.country = CountryCode::parse("HN").unwrap();
        assert!(matches!(
            db.store.insert_contact(&hn, cid(1), &hn_contact).await,
            Err(StoreError::Conflict(ConflictKind::IdTaken(Entity::Contact)))
        ));
        assert!(matches!(
            db.store.insert_contact(&hn, cid(2), &contact("x")).await,
            Err(StoreError::OutOfScope)
        ));
        let analyst = actor(Role::RegionalAnalyst, None);
        assert!(matches!(
            db.store.find_contact(&analyst, cid(1)).await,
            Err(StoreError::OutOfScope)
        ));

        let found = db.store.find_contact(&operator, cid(1)).await.unwrap();
        assert_eq!(found.as_ref(), Some(&stored));
        let actions: Vec<String> = db
            .store
            .list_audit(0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            ["contact.recorded", "contact.resubmitted", "contact.viewed"]
        );
        db.cleanup().await;
    }
}

fn from_phone(summary: &str, phone: &str, country: CountryCode) -> NewContact {
    let input = ContactInput {
        channel: "call".into(),
        started_at: "2026-11-27T11:50:00Z".into(),
        language: "es".into(),
        caller_role: "family-or-friend".into(),
        caller_phone: phone.into(),
        outcome: "information-given".into(),
        summary: summary.into(),
        ..ContactInput::default()
    };
    NewContact::parse(&input, country, datetime!(2026-11-27 12:00 UTC)).unwrap()
}

#[tokio::test]
async fn a_caller_phone_is_sealed_and_finds_the_earlier_contacts_of_its_country_only() {
    for db in seeded_backends().await {
        let operator = actor(Role::Operator, Some("GT"));
        let hn = CountryCode::parse("HN").unwrap();
        db.store
            .insert_contact(
                &operator,
                cid(1),
                &from_phone("first", "+502 5555 0199", gt()),
            )
            .await
            .unwrap();
        db.store
            .insert_contact(&operator, cid(2), &from_phone("other", "5555 0100", gt()))
            .await
            .unwrap();
        let hn_operator = actor(Role::Operator, Some("HN"));
        db.store
            .insert_contact(
                &hn_operator,
                cid(3),
                &from_phone("Honduras", "+502 5555 0199", hn),
            )
            .await
            .unwrap();
        let later = antitrata_domain::Actor {
            at: datetime!(2026-11-27 12:30 UTC),
            ..operator.clone()
        };
        let mut second = from_phone("second", "5555-0199", gt());
        second.started_at = datetime!(2026-11-27 12:20 UTC);
        second.ended_at = datetime!(2026-11-27 12:30 UTC);
        let stored = db
            .store
            .insert_contact(&later, cid(4), &second)
            .await
            .unwrap();
        assert_eq!(stored.details.caller_phone.as_deref(), Some("5555-0199"));
        assert_eq!(
            db.store
                .find_contact(&operator, cid(4))
                .await
                .unwrap()
                .unwrap()
                .details
                .caller_phone
                .as_deref(),
            Some("5555-0199"),
            "{}",
            db.name
        );
        // Four phones are stored, none of them in the clear.
        let touch =
            |condition: &str| format!("update contacts set channel = channel where {condition}");
        let stored = db
            .store
            .execute_raw_for_tests(&touch("caller_phone_sealed is not null"))
            .await
            .unwrap();
        assert_eq!(stored, 4, "{}", db.name);
        let plain = db
            .store
            .execute_raw_for_tests(&touch(if db.name == "sqlite" {
                "instr(caller_phone_sealed, cast('5555' as blob)) > 0"
            } else {
                "position(convert_to('5555', 'UTF8') in caller_phone_sealed) > 0"
            }))
            .await
            .unwrap();
        assert_eq!(plain, 0, "{}", db.name);

        // Written spaced, dashed or with the country code, the number finds the same contacts,
        // newest first, but never the other country's nor the one being shown.
        for typed in ["55550199", "+502 5555 0199", "5555-0199"] {
            let found: Vec<ContactId> = db
                .store
                .list_caller_contacts(&operator, typed, None)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect();
            assert_eq!(found, [cid(4), cid(1)], "{typed} on {}", db.name);
        }
        let except: Vec<ContactId> = db
            .store
            .list_caller_contacts(&operator, "5555 0199", Some(cid(4)))
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(except, [cid(1)]);
        let honduras: Vec<ContactId> = db
            .store
            .list_caller_contacts(&hn_operator, "5555 0199", None)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(honduras, [cid(3)]);
        assert!(
            db.store
                .list_caller_contacts(&operator, "no digits", None)
                .await
                .unwrap()
                .is_empty()
        );
        let analyst = actor(Role::RegionalAnalyst, None);
        assert!(matches!(
            db.store
                .list_caller_contacts(&analyst, "5555 0199", None)
                .await,
            Err(StoreError::OutOfScope)
        ));

        // Each contact found is audited as found, before it is opened.
        let found = db
            .store
            .list_audit(0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "contact.found")
            .count();
        assert_eq!(found, 3 * 2 + 1 + 1, "{}", db.name);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_contact_links_only_to_an_existing_case_of_its_country() {
    for db in seeded_backends().await {
        let operator = actor(Role::Operator, Some("GT"));
        let mut linked = contact("s");
        linked.case_reference = CaseReference::parse("GT-2026-000001");
        let err = db
            .store
            .insert_contact(&operator, cid(1), &linked)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(Entity::Case)), "{err}");
        assert_eq!(db.store.count_rows_for_tests("contacts").await.unwrap(), 0);

        let case = db
            .store
            .open_case(&operator, kid(1), &details(), None)
            .await
            .unwrap();
        assert_eq!(case.reference.to_string(), "GT-2026-000001");
        let stored = db
            .store
            .insert_contact(&operator, cid(1), &linked)
            .await
            .unwrap();
        assert_eq!(stored.case, Some((kid(1), case.reference)));
        let of_case = db
            .store
            .list_case_contacts(&operator, kid(1))
            .await
            .unwrap();
        assert_eq!(of_case, vec![stored]);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn cases_number_per_country_and_year_and_take_their_contact() {
    for db in seeded_backends().await {
        let gt_op = actor(Role::Operator, Some("GT"));
        let hn_op = actor(Role::Operator, Some("HN"));
        db.store
            .insert_contact(&gt_op, cid(1), &contact("s"))
            .await
            .unwrap();
        let first = db
            .store
            .open_case(&gt_op, kid(1), &details(), Some(cid(1)))
            .await
            .unwrap();
        let second = db
            .store
            .open_case(&gt_op, kid(2), &CaseDetails::default(), None)
            .await
            .unwrap();
        let honduran = db
            .store
            .open_case(&hn_op, kid(3), &CaseDetails::default(), None)
            .await
            .unwrap();
        let mut next_year = gt_op.clone();
        next_year.at = datetime!(2027-01-01 00:00 UTC);
        let third = db
            .store
            .open_case(&next_year, kid(4), &CaseDetails::default(), None)
            .await
            .unwrap();
        let refs: Vec<String> = [&first, &second, &honduran, &third]
            .iter()
            .map(|c| c.reference.to_string())
            .collect();
        assert_eq!(
            refs,
            [
                "GT-2026-000001",
                "GT-2026-000002",
                "HN-2026-000001",
                "GT-2027-000001"
            ],
            "{}",
            db.name
        );
        assert_eq!(first.status, CaseStatus::Open);
        assert_eq!(first.details, details());

        // Resubmitting the same case stores nothing new; the contact is linked once.
        let again = db
            .store
            .open_case(&gt_op, kid(1), &details(), Some(cid(1)))
            .await
            .unwrap();
        assert_eq!(again, first);
        assert_eq!(db.store.count_rows_for_tests("cases").await.unwrap(), 4);
        let linked = db
            .store
            .find_contact(&gt_op, cid(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(linked.case.map(|(id, _)| id), Some(kid(1)));
        // A contact already linked cannot be taken by another case, and nothing is stored.
        let err = db
            .store
            .open_case(&gt_op, kid(5), &details(), Some(cid(1)))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err}");
        assert_eq!(db.store.count_rows_for_tests("cases").await.unwrap(), 4);

        let by_ref = db
            .store
            .find_case_by_reference(&gt_op, &first.reference)
            .await
            .unwrap();
        assert_eq!(by_ref.as_ref(), Some(&first));
        assert_eq!(
            db.store
                .find_case_by_reference(&hn_op, &first.reference)
                .await
                .unwrap(),
            None
        );
        assert_eq!(db.store.find_case(&hn_op, kid(1)).await.unwrap(), None);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_workflow_needs_a_supervisor_to_close_and_refuses_wrong_steps() {
    for db in seeded_backends().await {
        let worker = actor(Role::Caseworker, Some("GT"));
        let supervisor = actor(Role::Supervisor, Some("GT"));
        db.store
            .open_case(&worker, kid(1), &details(), None)
            .await
            .unwrap();
        let close = CaseAction::Close(ClosureReason::GoalsMet);
        assert!(matches!(
            db.store
                .change_case_status(&worker, kid(1), close, None, None)
                .await,
            Err(StoreError::RoleNotAllowed { .. })
        ));
        assert!(matches!(
            db.store
                .change_case_status(&worker, kid(1), CaseAction::Reopen, None, None)
                .await,
            Err(StoreError::NotAllowedNow { status: "open", .. })
        ));
        let active = db
            .store
            .change_case_status(&worker, kid(1), CaseAction::Activate, None, None)
            .await
            .unwrap();
        assert_eq!(active.status, CaseStatus::Active);
        let requested = db
            .store
            .change_case_status(
                &worker,
                kid(1),
                CaseAction::RequestClosure(ClosureReason::GoalsMet),
                Some("Canary closure note"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(requested.status, CaseStatus::ClosureRequested);
        assert_eq!(
            requested.closure_note.as_deref(),
            Some("Canary closure note")
        );
        let closed = db
            .store
            .change_case_status(&supervisor, kid(1), close, None, None)
            .await
            .unwrap();
        assert_eq!(closed.status, CaseStatus::Closed);
        assert_eq!(closed.closure_reason, Some(ClosureReason::GoalsMet));
        let reopened = db
            .store
            .change_case_status(&worker, kid(1), CaseAction::Reopen, None, None)
            .await
            .unwrap();
        assert_eq!(reopened.status, CaseStatus::Active);
        assert_eq!(reopened.closure_reason, None);
        // Another country's supervisor reaches nothing.
        let hn = actor(Role::Supervisor, Some("HN"));
        assert!(matches!(
            db.store
                .change_case_status(&hn, kid(1), close, None, None)
                .await,
            Err(StoreError::NotFound(Entity::Case))
        ));
        let actions: Vec<String> = db
            .store
            .list_audit(0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "case.opened",
                "case.activated",
                "case.closure-requested",
                "case.closed",
                "case.reopened"
            ]
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn cases_are_assigned_within_the_country_and_listed_by_filter() {
    for db in seeded_backends().await {
        let cli = actor(Role::Cli, None);
        let account = |email: &str, roles: &[Role], country: &str| NewAccount {
            email: Email::parse(email).unwrap(),
            display_name: "Worker".into(),
            language: Lang::Es,
            roles: roles.to_vec(),
            country: Some(CountryCode::parse(country).unwrap()),
            service: false,
        };
        let worker = UserId(Uuid::from_u128(100));
        let foreign = UserId(Uuid::from_u128(101));
        let operator_account = UserId(Uuid::from_u128(102));
        db.store
            .insert_user(
                &cli,
                worker,
                &account("w@example.org", &[Role::Caseworker], "GT"),
            )
            .await
            .unwrap();
        db.store
            .insert_user(
                &cli,
                foreign,
                &account("f@example.org", &[Role::Caseworker], "HN"),
            )
            .await
            .unwrap();
        db.store
            .insert_user(
                &cli,
                operator_account,
                &account("o@example.org", &[Role::Operator], "GT"),
            )
            .await
            .unwrap();
        let supervisor = actor(Role::Supervisor, Some("GT"));
        let operator = actor(Role::Operator, Some("GT"));
        db.store
            .open_case(&operator, kid(1), &details(), None)
            .await
            .unwrap();
        db.store
            .open_case(&operator, kid(2), &CaseDetails::default(), None)
            .await
            .unwrap();
        assert!(matches!(
            db.store
                .assign_case(&operator, kid(1), Some(worker), None)
                .await,
            Err(StoreError::RoleNotAllowed { .. })
        ));
        for wrong in [foreign, operator_account, UserId(Uuid::from_u128(999))] {
            assert!(matches!(
                db.store
                    .assign_case(&supervisor, kid(1), Some(wrong), None)
                    .await,
                Err(StoreError::NotFound(Entity::Caseworker))
            ));
        }
        let workers = db.store.list_case_workers(&supervisor).await.unwrap();
        assert_eq!(workers, [(worker, "Worker".to_owned())], "{}", db.name);
        let assigned = db
            .store
            .assign_case(&supervisor, kid(1), Some(worker), None)
            .await
            .unwrap();
        assert_eq!(assigned.assigned_to, Some(worker));

        let list = |filter: CaseFilter| {
            let store = db.store.clone();
            let supervisor = supervisor.clone();
            async move {
                let cases = store
                    .list_cases(
                        &supervisor,
                        &CaseFilter {
                            limit: 50,
                            ..filter
                        },
                    )
                    .await
                    .unwrap();
                cases.into_iter().map(|c| c.id).collect::<Vec<_>>()
            }
        };
        assert_eq!(list(CaseFilter::default()).await.len(), 2);
        assert_eq!(
            list(CaseFilter {
                unassigned: true,
                ..CaseFilter::default()
            })
            .await,
            [kid(2)]
        );
        assert_eq!(
            list(CaseFilter {
                assigned_to: Some(worker),
                ..CaseFilter::default()
            })
            .await,
            [kid(1)]
        );
        assert_eq!(
            list(CaseFilter {
                exploitation_type: Some(ExploitationType::ForcedLabour),
                ..CaseFilter::default()
            })
            .await,
            [kid(1)]
        );
        assert!(
            list(CaseFilter {
                exploitation_type: Some(ExploitationType::OrganRemoval),
                ..CaseFilter::default()
            })
            .await
            .is_empty()
        );
        assert_eq!(
            list(CaseFilter {
                opened_from: Some(date!(2026 - 11 - 27)),
                opened_to: Some(date!(2026 - 11 - 27)),
                ..CaseFilter::default()
            })
            .await
            .len(),
            2
        );
        assert!(
            list(CaseFilter {
                opened_from: Some(date!(2026 - 11 - 28)),
                ..CaseFilter::default()
            })
            .await
            .is_empty()
        );
        let hn = actor(Role::Supervisor, Some("HN"));
        assert!(
            db.store
                .list_cases(
                    &hn,
                    &CaseFilter {
                        limit: 50,
                        ..CaseFilter::default()
                    }
                )
                .await
                .unwrap()
                .is_empty()
        );

        let updated = db
            .store
            .update_case_details(&operator, kid(2), &details(), None)
            .await
            .unwrap();
        assert_eq!(updated.details, details());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn immediate_dangers_wait_for_a_supervisor() {
    for db in seeded_backends().await {
        let operator = actor(Role::Operator, Some("GT"));
        let supervisor = actor(Role::Supervisor, Some("GT"));
        let mut danger = contact("s");
        danger.immediate_danger = true;
        db.store
            .insert_contact(&operator, cid(1), &danger)
            .await
            .unwrap();
        db.store
            .insert_contact(&operator, cid(2), &contact("calm"))
            .await
            .unwrap();
        let open: Vec<ContactId> = db
            .store
            .list_open_dangers(&supervisor, NOW, None, PAGE_MAX)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(open, [cid(1)], "{}", db.name);
        assert!(matches!(
            db.store.mark_danger_handled(&operator, cid(1)).await,
            Err(StoreError::RoleNotAllowed { .. })
        ));
        assert!(
            db.store
                .mark_danger_handled(&supervisor, cid(1))
                .await
                .unwrap()
        );
        assert!(
            !db.store
                .mark_danger_handled(&supervisor, cid(1))
                .await
                .unwrap()
        );
        assert!(
            db.store
                .list_open_dangers(&supervisor, NOW, None, PAGE_MAX)
                .await
                .unwrap()
                .is_empty()
        );
        db.cleanup().await;
    }
}

/// Dangers of the last day come most severe first (a minor in the case, then trafficking
/// likely), each severity newest first; older ones follow newest first whatever their severity,
/// and paging one by one sees the same order.
#[tokio::test]
async fn fresh_dangers_rank_by_severity_and_older_ones_follow_newest_first() {
    for db in seeded_backends().await {
        let name = &db.name;
        let worker = actor(Role::Caseworker, Some("GT"));
        let boss = actor(Role::Supervisor, Some("GT"));
        let child_case = db
            .store
            .open_case(&worker, kid(1), &details(), None)
            .await
            .unwrap();
        let child = antitrata_domain::casework::CasePersonInput {
            role: "victim".into(),
            name: "Niña".into(),
            born_on: "2015-03-01".into(),
            ..Default::default()
        };
        let child =
            antitrata_domain::casework::CasePerson::parse(&child, gt(), NOW.date()).unwrap();
        db.store
            .add_case_person(
                &worker,
                antitrata_domain::PersonId(Uuid::from_u128(9)),
                kid(1),
                &child,
            )
            .await
            .unwrap();
        // (id, hours ago, trafficking likely on screening, of the case with a child)
        let dangers = [
            (1, 30 * 24, true, true),
            (2, 2, true, false),
            (3, 1, false, false),
            (4, 5, false, true),
            (5, 0, false, false),
            (6, 25, true, false),
        ];
        for (n, hours, likely, of_child_case) in dangers {
            let mut danger = contact("s");
            if !likely {
                danger = NewContact::parse(
                    &ContactInput {
                        channel: "call".into(),
                        started_at: "2026-11-27T11:50:00Z".into(),
                        language: "es".into(),
                        caller_role: "potential-victim".into(),
                        outcome: "emergency-escalated".into(),
                        summary: "s".into(),
                        ..ContactInput::default()
                    },
                    gt(),
                    NOW,
                )
                .unwrap();
            }
            assert_eq!(
                danger.screening.result().0 == ScreeningResult::Likely,
                likely
            );
            danger.immediate_danger = true;
            danger.started_at = NOW - time::Duration::hours(hours);
            if of_child_case {
                danger.case_reference = Some(child_case.reference);
            }
            db.store
                .insert_contact(&worker, cid(n), &danger)
                .await
                .unwrap();
        }
        let expected = [4, 2, 5, 3, 6, 1].map(cid);
        let all: Vec<ContactId> = db
            .store
            .list_open_dangers(&boss, NOW, None, PAGE_MAX)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(all, expected, "{name}");
        let mut paged: Vec<ContactId> = Vec::new();
        loop {
            let page = db
                .store
                .list_open_dangers(&boss, NOW, paged.last().copied(), 1)
                .await
                .unwrap();
            let Some(danger) = page.first() else { break };
            paged.push(danger.id);
        }
        assert_eq!(paged, expected, "{name}: paging keeps the order");
        // A day later every one of them is old news: newest first.
        let later = db
            .store
            .list_open_dangers(&boss, NOW + time::Duration::days(2), None, PAGE_MAX)
            .await
            .unwrap();
        let later: Vec<ContactId> = later.iter().map(|c| c.id).collect();
        assert_eq!(later, [5, 3, 2, 4, 6, 1].map(cid), "{name}");
        db.cleanup().await;
    }
}

/// The instant every test actor acts at.
const NOW: time::OffsetDateTime = datetime!(2026-11-27 12:00 UTC);

/// An account of `country` with `role`, named "Worker {n}", acting as itself (its id).
async fn account_actor(
    db: &antitrata_store::testing::TestDb,
    n: u128,
    role: Role,
    country: &str,
) -> antitrata_domain::Actor {
    let id = UserId(Uuid::from_u128(0xacc0 + n));
    let account = NewAccount {
        email: Email::parse(&format!("worker{n}@example.org")).unwrap(),
        display_name: format!("Worker {n}"),
        language: Lang::Es,
        roles: vec![role],
        country: Some(CountryCode::parse(country).unwrap()),
        service: false,
    };
    db.store
        .insert_user(&actor(Role::Cli, None), id, &account)
        .await
        .unwrap();
    antitrata_domain::Actor {
        who: id.to_string(),
        ..actor(role, Some(country))
    }
}

#[tokio::test]
async fn the_newest_danger_comes_first_and_one_worker_takes_it() {
    for db in seeded_backends().await {
        let name = &db.name;
        let ana = account_actor(&db, 0xa, Role::Operator, "GT").await;
        let boss = account_actor(&db, 0xb, Role::Supervisor, "GT").await;
        let hn = account_actor(&db, 0xc, Role::Supervisor, "HN").await;
        // Twenty dangers over the past days, then one now.
        for n in 0..21u8 {
            let mut danger = contact("s");
            danger.immediate_danger = true;
            danger.started_at = NOW - time::Duration::hours(i64::from(20 - n) * 12);
            db.store
                .insert_contact(&ana, cid(u128::from(n) + 1), &danger)
                .await
                .unwrap();
        }
        let newest = cid(21);
        let first = db
            .store
            .list_open_dangers(&boss, NOW, None, 5)
            .await
            .unwrap();
        assert_eq!(
            first[0].id, newest,
            "{name}: the danger just reported is first"
        );
        assert!(
            first
                .windows(2)
                .all(|w| w[0].details.started_at >= w[1].details.started_at)
        );
        // Paged on from the last row, every danger is seen once.
        let mut seen: Vec<ContactId> = first.iter().map(|c| c.id).collect();
        loop {
            let page = db
                .store
                .list_open_dangers(&boss, NOW, seen.last().copied(), 5)
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            seen.extend(page.iter().map(|c| c.id));
        }
        let expected: Vec<ContactId> = (1..=21u128).rev().map(cid).collect();
        assert_eq!(seen, expected, "{name}");
        assert_eq!(db.store.count_open_dangers(&boss).await.unwrap(), (21, 21));

        db.store.take_danger(&ana, newest).await.unwrap();
        db.store.take_danger(&ana, newest).await.unwrap();
        let taken = db.store.find_contact(&boss, newest).await.unwrap().unwrap();
        let taker = taken.danger_taken.expect("taken");
        assert_eq!(taker.name, "Worker 10", "{name}");
        assert_eq!(taker.at, NOW);
        assert!(matches!(
            db.store.take_danger(&boss, newest).await,
            Err(StoreError::Conflict(ConflictKind::DangerTakenBy(who))) if who == "Worker 10"
        ));
        assert!(matches!(
            db.store.take_danger(&hn, newest).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            db.store
                .take_danger(&actor(Role::Operator, Some("GT")), cid(20))
                .await,
            Err(StoreError::Conflict(ConflictKind::NotAWorker))
        ));
        assert_eq!(db.store.count_open_dangers(&boss).await.unwrap(), (21, 20));
        assert!(db.store.mark_danger_handled(&boss, newest).await.unwrap());
        assert!(matches!(
            db.store.take_danger(&ana, newest).await,
            Err(StoreError::Conflict(ConflictKind::NotAnOpenDanger))
        ));
        assert_eq!(db.store.count_open_dangers(&boss).await.unwrap(), (20, 20));
        // Taking is audited, with who took what.
        let trail = db.store.list_audit(0, 10_000).await.unwrap();
        assert_eq!(
            trail
                .iter()
                .filter(|e| e.action == "contact.danger-taken")
                .count(),
            1,
            "{name}: taking one's own again records nothing new"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn drafts_are_kept_per_operator_and_sealed() {
    for db in seeded_backends().await {
        let ana = actor(Role::Operator, Some("GT"));
        let mut ben = ana.clone();
        ben.who = "other-operator".into();
        assert_eq!(db.store.contact_draft(&ana).await.unwrap(), None);
        db.store
            .save_contact_draft(&ana, "summary=Canary draft")
            .await
            .unwrap();
        db.store
            .save_contact_draft(&ana, "summary=Canary draft 2")
            .await
            .unwrap();
        assert_eq!(
            db.store.contact_draft(&ana).await.unwrap().as_deref(),
            Some("summary=Canary draft 2")
        );
        assert_eq!(db.store.contact_draft(&ben).await.unwrap(), None);
        // A draft moved to another owner's row does not open.
        db.store.save_contact_draft(&ben, "mine").await.unwrap();
        db.store
            .execute_raw_for_tests(
                "update contact_drafts set draft_sealed = \
                 (select draft_sealed from contact_drafts where owner = 'test-operator') \
                 where owner = 'other-operator'",
            )
            .await
            .unwrap();
        assert!(db.store.contact_draft(&ben).await.is_err());
        db.store.discard_contact_draft(&ana).await.unwrap();
        assert_eq!(db.store.contact_draft(&ana).await.unwrap(), None);
        db.cleanup().await;
    }
}

#[test]
fn screening_answers_survive_the_contact_form() {
    let stored = contact("s");
    assert_eq!(
        stored.screening.answer(Indicator::WithheldDocuments),
        Answer::Yes
    );
    assert_eq!(stored.screening.answer(Indicator::Threats), Answer::Unknown);
}

#[tokio::test]
async fn follow_ups_are_sealed_listed_for_their_person_and_overdue_for_supervisors() {
    use antitrata_domain::casework::{FollowUpId, FollowUpInput, NewFollowUp};
    for db in seeded_backends().await {
        let cli = actor(Role::Cli, None);
        let worker_id = UserId(Uuid::from_u128(100));
        db.store
            .insert_user(
                &cli,
                worker_id,
                &NewAccount {
                    email: Email::parse("w@example.org").unwrap(),
                    display_name: "Worker".into(),
                    language: Lang::Es,
                    roles: vec![Role::Caseworker],
                    country: Some(gt()),
                    service: false,
                },
            )
            .await
            .unwrap();
        let operator = actor(Role::Operator, Some("GT"));
        let supervisor = actor(Role::Supervisor, Some("GT"));
        db.store
            .open_case(&operator, kid(1), &CaseDetails::default(), None)
            .await
            .unwrap();
        let today = operator.at.date();
        let task = |title: &str, due: &str, assignee: Option<UserId>| {
            NewFollowUp::parse(
                &FollowUpInput {
                    title: title.into(),
                    due_on: due.into(),
                    assignee: assignee.map(|u| u.0.to_string()).unwrap_or_default(),
                },
                today,
            )
            .unwrap()
        };
        let fid = |n: u128| FollowUpId(Uuid::from_u128(n));
        let yesterday = db
            .store
            .add_follow_up(
                &operator,
                fid(1),
                kid(1),
                &task("Call Canary back", "2026-11-26", Some(worker_id)),
            )
            .await
            .unwrap();
        assert_eq!(yesterday.details.title, "Call Canary back");
        assert_eq!(yesterday.reference.to_string(), "GT-2026-000001");
        db.store
            .add_follow_up(
                &operator,
                fid(2),
                kid(1),
                &task("Own task", "2026-11-27", None),
            )
            .await
            .unwrap();
        db.store
            .add_follow_up(
                &operator,
                fid(3),
                kid(1),
                &task("Next week", "2026-12-04", Some(worker_id)),
            )
            .await
            .unwrap();
        // Assigning to someone of another country, or to nobody known, is refused.
        assert!(matches!(
            db.store
                .add_follow_up(
                    &operator,
                    fid(4),
                    kid(1),
                    &task("x", "2026-11-27", Some(UserId(Uuid::from_u128(999))))
                )
                .await,
            Err(StoreError::NotFound(Entity::Caseworker))
        ));
        let mut worker = actor(Role::Caseworker, Some("GT"));
        worker.who = worker_id.to_string();
        let ids = |tasks: Vec<antitrata_domain::casework::FollowUp>| {
            tasks.into_iter().map(|t| t.id).collect::<Vec<_>>()
        };
        assert_eq!(
            ids(db
                .store
                .list_my_follow_ups(&worker, worker_id, today, None, PAGE_MAX)
                .await
                .unwrap()),
            [fid(1)],
            "{}",
            db.name
        );
        assert_eq!(
            ids(db
                .store
                .list_my_follow_ups(&operator, UserId(Uuid::from_u128(5)), today, None, PAGE_MAX)
                .await
                .unwrap()),
            [fid(2)],
            "the operator's own unassigned task"
        );
        assert_eq!(
            ids(db
                .store
                .list_overdue_follow_ups(&supervisor, today, None, PAGE_MAX)
                .await
                .unwrap()),
            [fid(1)]
        );
        assert!(matches!(
            db.store.complete_follow_up(&worker, fid(1), Some(2)).await,
            Err(StoreError::Stale {
                entity: Entity::FollowUp,
                current: 1
            })
        ));
        assert!(
            db.store
                .complete_follow_up(&worker, fid(1), Some(1))
                .await
                .unwrap()
        );
        assert!(
            !db.store
                .complete_follow_up(&worker, fid(1), None)
                .await
                .unwrap()
        );
        let done = db
            .store
            .list_case_follow_ups(&worker, kid(1))
            .await
            .unwrap();
        assert_eq!(done.iter().find(|t| t.id == fid(1)).unwrap().version, 2);
        assert!(
            db.store
                .list_overdue_follow_ups(&supervisor, today, None, PAGE_MAX)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            db.store
                .list_case_follow_ups(&worker, kid(1))
                .await
                .unwrap()
                .len(),
            3
        );
        let hn = actor(Role::Supervisor, Some("HN"));
        assert!(
            db.store
                .list_case_follow_ups(&hn, kid(1))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            db.store.complete_follow_up(&hn, fid(2), None).await,
            Err(StoreError::NotFound(Entity::FollowUp))
        ));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_unassigned_case_is_taken_by_one_worker() {
    for db in seeded_backends().await {
        let name = &db.name;
        let ana = account_actor(&db, 0xa, Role::Operator, "GT").await;
        let boss = account_actor(&db, 0xb, Role::Supervisor, "GT").await;
        let hn = account_actor(&db, 0xc, Role::Operator, "HN").await;
        let opened = db
            .store
            .open_case(&ana, kid(1), &details(), None)
            .await
            .unwrap();
        assert_eq!(opened.assigned_to, None, "{name}: cases open unassigned");
        assert!(matches!(
            db.store
                .take_case(&ana, kid(1), Some(opened.version + 1))
                .await,
            Err(StoreError::Stale { .. })
        ));
        let taken = db
            .store
            .take_case(&ana, kid(1), Some(opened.version))
            .await
            .unwrap();
        assert_eq!(
            taken.assigned_to.map(|u| u.to_string()),
            Some(ana.who.clone())
        );
        assert_eq!(taken.version, opened.version + 1);
        let again = db.store.take_case(&ana, kid(1), None).await.unwrap();
        assert_eq!(
            again.version, taken.version,
            "{name}: taking one's own changes nothing"
        );
        assert!(matches!(
            db.store.take_case(&boss, kid(1), None).await,
            Err(StoreError::Conflict(ConflictKind::CaseAssignedTo(who))) if who == "Worker 10"
        ));
        assert!(matches!(
            db.store.take_case(&hn, kid(1), None).await,
            Err(StoreError::NotFound(Entity::Case))
        ));
        let analyst = actor(Role::RegionalAnalyst, None);
        assert!(db.store.take_case(&analyst, kid(1), None).await.is_err());
        // My cases now hold it.
        let mine = db
            .store
            .list_cases(
                &ana,
                &CaseFilter {
                    assigned_to: taken.assigned_to,
                    limit: 10,
                    ..CaseFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(mine.len(), 1, "{name}");
        let trail = db.store.list_audit(0, 10_000).await.unwrap();
        assert_eq!(
            trail.iter().filter(|e| e.action == "case.taken").count(),
            1,
            "{name}"
        );
        db.cleanup().await;
    }
}
