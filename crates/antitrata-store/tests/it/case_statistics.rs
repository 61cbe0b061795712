//! The statistical records of a country's cases: one per victim, no personal data, only within
//! the country, counted by its own roles, exported only by its supervisors with every case audited.

use antitrata_domain::casework::{
    AgeBand, CaseAction, CaseDetails, CaseId, CaseInput, CasePerson, CasePersonInput,
    ClosureReason, Gender,
};
use antitrata_domain::{CountryCode, PersonId, Role};
use antitrata_store::testing::{TestDb, actor, seeded_backends};
use antitrata_store::{OpenedBetween, RecordsUse, StoreError};
use time::Duration;
use time::macros::date;
use uuid::Uuid;

fn code(c: &str) -> CountryCode {
    CountryCode::parse(c).unwrap()
}

fn victim(gender: &str, born_on: &str, nationality: &str) -> CasePerson {
    let input = CasePersonInput {
        role: "victim".into(),
        name: "Canary Statistica".into(),
        phone: "5555 0199".into(),
        born_on: born_on.into(),
        gender: gender.into(),
        nationality: nationality.into(),
        ..CasePersonInput::default()
    };
    CasePerson::parse(&input, code("GT"), date!(2026 - 11 - 27)).unwrap()
}

fn details() -> CaseDetails {
    let input = CaseInput {
        exploitation_types: vec!["SexualExploitation".into()],
        citizenship: vec!["HN".into()],
        exploitation_countries: vec!["GT".into()],
        ..CaseInput::default()
    };
    CaseDetails::parse(&input, date!(2026 - 11 - 27)).unwrap()
}

/// Opens case `n` in `country`, `days_ago` days before the test actor's day.
async fn open(db: &TestDb, n: u128, country: &str, days_ago: i64) -> CaseId {
    let mut operator = actor(Role::Operator, Some(country));
    operator.at -= Duration::days(days_ago);
    let id = CaseId(Uuid::from_u128(n));
    db.store
        .open_case(&operator, id, &details(), None)
        .await
        .unwrap();
    id
}

async fn add(db: &TestDb, n: u128, case: CaseId, person: &CasePerson) {
    db.store
        .add_case_person(
            &actor(Role::Caseworker, Some("GT")),
            PersonId(Uuid::from_u128(n)),
            case,
            person,
        )
        .await
        .unwrap();
}

async fn audit_actions(db: &TestDb) -> Vec<String> {
    let entries = db.store.list_audit(0, 1000).await.unwrap();
    entries.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn one_record_per_victim_of_the_cases_that_count() {
    for db in seeded_backends().await {
        let two_victims = open(&db, 1, "GT", 30).await;
        add(
            &db,
            11,
            two_victims,
            &victim("Feminine", "2012-05-01", "HN"),
        )
        .await;
        add(&db, 12, two_victims, &victim("Masculine", "1990-01-01", "")).await;
        let no_victim_yet = open(&db, 2, "GT", 1).await;
        let not_trafficking = open(&db, 3, "GT", 1).await;
        add(
            &db,
            13,
            not_trafficking,
            &victim("Feminine", "1990-01-01", "GT"),
        )
        .await;
        db.store
            .change_case_status(
                &actor(Role::Supervisor, Some("GT")),
                not_trafficking,
                CaseAction::Close(ClosureReason::NotTrafficking),
                None,
                None,
            )
            .await
            .unwrap();
        open(&db, 4, "HN", 1).await;

        let before = audit_actions(&db).await.len();
        let operator = actor(Role::Operator, Some("GT"));
        let records = db
            .store
            .victim_records(
                &operator,
                code("GT"),
                OpenedBetween::default(),
                RecordsUse::Statistics,
            )
            .await
            .unwrap();
        assert_eq!(records.len(), 3, "{}", db.name);
        assert_eq!(records[0].case, records[1].case);
        let girl = records[0].victim.as_ref().unwrap();
        assert_eq!(girl.gender, Some(Gender::Feminine));
        assert_eq!(girl.age_band, Some(AgeBand::From9To17));
        assert!(girl.is_minor);
        assert_eq!(girl.nationality, Some(code("HN")));
        let man = records[1].victim.as_ref().unwrap();
        assert_eq!(man.nationality, None);
        assert!(!man.is_minor);
        assert_eq!(records[2].victim, None, "the case without a victim yet");
        assert_eq!(records[2].details.exploitation_countries, [code("GT")]);
        assert_eq!(
            audit_actions(&db).await.len(),
            before,
            "counting reads no personal data and is not audited"
        );

        // Opened within the last week: the 30-day-old case is left out.
        let week = OpenedBetween {
            from: Some(date!(2026 - 11 - 20)),
            to: Some(date!(2026 - 11 - 27)),
        };
        let recent = db
            .store
            .victim_records(&operator, code("GT"), week, RecordsUse::Statistics)
            .await
            .unwrap();
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].victim, None);
        let _ = no_victim_yet;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn only_the_countrys_supervisors_export_or_release_and_every_case_is_audited() {
    for db in seeded_backends().await {
        let first = open(&db, 1, "GT", 2).await;
        add(&db, 11, first, &victim("Feminine", "1990-01-01", "GT")).await;
        open(&db, 2, "GT", 1).await;
        let all = OpenedBetween::default();
        let gt = code("GT");

        for (who, country, why) in [
            (actor(Role::Caseworker, Some("GT")), gt, "a caseworker"),
            (
                actor(Role::Operator, Some("GT")),
                code("HN"),
                "GT's operator, HN's cases",
            ),
            (
                actor(Role::Supervisor, Some("HN")),
                gt,
                "another country's supervisor",
            ),
            (
                actor(Role::Supervisor, Some("GT")),
                code("HN"),
                "another country's cases",
            ),
            (actor(Role::RegionalAnalyst, None), gt, "a regional analyst"),
            (actor(Role::SystemAdmin, None), gt, "a system administrator"),
        ] {
            let before = audit_actions(&db).await.len();
            let refused = db
                .store
                .victim_records(&who, country, all, RecordsUse::Export)
                .await;
            assert!(
                matches!(
                    refused,
                    Err(StoreError::OutOfScope | StoreError::RoleNotAllowed { .. })
                ),
                "{why} on {}: {refused:?}",
                db.name
            );
            assert_eq!(audit_actions(&db).await.len(), before, "{why}");
        }
        for (who, why) in [
            (actor(Role::RegionalAnalyst, None), "a regional analyst"),
            (actor(Role::CampaignEditor, Some("GT")), "a campaign editor"),
            (
                actor(Role::Operator, Some("HN")),
                "another country's operator",
            ),
        ] {
            assert!(
                db.store
                    .victim_records(&who, gt, all, RecordsUse::Statistics)
                    .await
                    .is_err(),
                "{why} counts GT's cases"
            );
        }

        let supervisor = actor(Role::Supervisor, Some("GT"));
        assert!(matches!(
            db.store
                .victim_records(
                    &actor(Role::Caseworker, Some("GT")),
                    gt,
                    all,
                    RecordsUse::Release
                )
                .await,
            Err(StoreError::RoleNotAllowed { .. })
        ));
        let released = db
            .store
            .victim_records(&supervisor, gt, all, RecordsUse::Release)
            .await
            .unwrap();
        assert_eq!(released.len(), 2);
        let entries = db.store.list_audit(0, 1000).await.unwrap();
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "case.released" && e.actor == supervisor.who)
                .count(),
            2,
            "{}",
            db.name
        );
        let exported = db
            .store
            .victim_records(&supervisor, gt, all, RecordsUse::Export)
            .await
            .unwrap();
        assert_eq!(exported.len(), 2);
        let entries = db.store.list_audit(0, 1000).await.unwrap();
        let audited: Vec<_> = entries
            .iter()
            .filter(|e| e.action == "case.exported")
            .map(|e| (e.actor.clone(), e.record_id.clone()))
            .collect();
        assert_eq!(
            audited,
            [
                (supervisor.who.clone(), Some(first.to_string())),
                (
                    supervisor.who.clone(),
                    Some(CaseId(Uuid::from_u128(2)).to_string())
                ),
            ],
            "{}",
            db.name
        );
        db.cleanup().await;
    }
}
