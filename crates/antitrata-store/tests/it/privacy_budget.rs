//! The privacy-budget ledger: spends add up within the yearly limit, a release that would pass
//! it is refused and changes nothing, and each spend is audited.

use antitrata_domain::{Actor, CountryCode, Role};
use antitrata_privacy::accountant::zcdp_epsilon_micros;
use antitrata_store::testing::{actor, seeded_backends};
use antitrata_store::{Budget, Spend, Store, StoreError};
use uuid::Uuid;

fn spend(country: &str, year: i32, epsilon_micros: i64, delta_femtos: i64) -> Spend {
    Spend {
        release_id: Uuid::now_v7(),
        country: CountryCode::parse(country).unwrap(),
        year,
        method: "dp-aggregates".into(),
        budget: Budget {
            epsilon_micros,
            delta_femtos,
        },
        rho_micros: 0,
        source: "ctdc-2017".into(),
        evaluation: Some(r#"{"exact_total": 47102}"#.into()),
    }
}

/// A zCDP release of `rho_micros` at δ = `delta_femtos`, with its own conversion as its budget.
fn zcdp_spend(country: &str, year: i32, rho_micros: i64, delta_femtos: i64) -> Spend {
    Spend {
        rho_micros,
        ..spend(
            country,
            year,
            zcdp_epsilon_micros(rho_micros, delta_femtos),
            delta_femtos,
        )
    }
}

/// Spends with no files to keep; returns the year's total spent.
async fn pay(
    store: &Store,
    actor: &Actor,
    spend: &Spend,
    limit: Budget,
) -> Result<Budget, StoreError> {
    store
        .spend_privacy_budget(actor, spend, limit, |spent| Ok((spent, Vec::new())))
        .await
        .map(|(spent, _)| spent)
}

const LIMIT: Budget = Budget {
    epsilon_micros: 4_000_000,
    delta_femtos: 1_000_000,
};

#[tokio::test]
async fn a_country_the_database_does_not_hold_is_named_and_nothing_is_spent() {
    for db in seeded_backends().await {
        let before = db.store.list_audit(0, 100).await.unwrap().len();
        let refused = pay(
            &db.store,
            &actor(Role::Cli, None),
            &spend("FR", 2026, 1_000_000, 0),
            LIMIT,
        )
        .await;
        match refused {
            Err(e @ StoreError::Conflict(_)) => assert_eq!(
                e.to_string(),
                "FR is not a country of this database; its countries come from the directory \
                 seed",
                "{}",
                db.name
            ),
            other => panic!("{}: expected UnknownCountry, got {other:?}", db.name),
        }
        let fr = CountryCode::parse("FR").unwrap();
        assert_eq!(
            db.store.privacy_budget_spent(fr, 2026).await.unwrap(),
            Budget::default()
        );
        assert_eq!(db.store.list_audit(0, 100).await.unwrap().len(), before);
    }
}

#[tokio::test]
async fn spends_add_up_until_the_limit_refuses_one() {
    for db in seeded_backends().await {
        let supervisor = actor(Role::Supervisor, Some("GT"));
        let gt = CountryCode::parse("GT").unwrap();
        let spent = pay(
            &db.store,
            &supervisor,
            &spend("GT", 2026, 1_500_000, 0),
            LIMIT,
        )
        .await
        .unwrap();
        assert_eq!(spent.epsilon_micros, 1_500_000, "{}", db.name);
        let spent = pay(
            &db.store,
            &supervisor,
            &spend("GT", 2026, 2_500_000, 500_000),
            LIMIT,
        )
        .await
        .unwrap();
        assert_eq!(
            spent,
            Budget {
                epsilon_micros: 4_000_000,
                delta_femtos: 500_000
            },
            "exactly the limit is allowed"
        );
        let before = db.store.list_audit(0, 100).await.unwrap().len();

        let refused = pay(&db.store, &supervisor, &spend("GT", 2026, 1, 0), LIMIT).await;
        match refused {
            Err(e @ StoreError::OverBudget { spent, asked, .. }) => {
                assert_eq!(spent.epsilon_micros, 4_000_000);
                assert_eq!(asked.epsilon_micros, 1);
                assert_eq!(
                    e.to_string(),
                    "GT has spent ε = 4, δ = 5e-10 of its 2026 privacy budget (ε = 4, δ = 1e-9); \
                     this release needs ε = 0.000001, δ = 0 more: it would pass the limit, so \
                     nothing was spent"
                );
            }
            other => panic!("{}: expected OverBudget, got {other:?}", db.name),
        }
        let delta_refused = pay(
            &db.store,
            &actor(Role::Cli, None),
            &spend("GT", 2027, 0, 2_000_000),
            LIMIT,
        )
        .await;
        assert!(matches!(delta_refused, Err(StoreError::OverBudget { .. })));
        // Nothing changed: the same spent budget, no new audit entry.
        assert_eq!(
            db.store
                .privacy_budget_spent(gt, 2026)
                .await
                .unwrap()
                .epsilon_micros,
            4_000_000
        );
        assert_eq!(
            db.store.privacy_budget_spent(gt, 2027).await.unwrap(),
            Budget::default()
        );
        assert_eq!(db.store.list_audit(0, 100).await.unwrap().len(), before);

        // Another year has its own budget; another country's supervisor cannot spend GT's.
        assert!(
            pay(
                &db.store,
                &supervisor,
                &spend("GT", 2027, 4_000_000, 0),
                LIMIT
            )
            .await
            .is_ok()
        );
        let foreign = pay(
            &db.store,
            &actor(Role::Supervisor, Some("HN")),
            &spend("GT", 2028, 1, 0),
            LIMIT,
        )
        .await;
        assert!(matches!(foreign, Err(StoreError::OutOfScope)));

        let actions: Vec<String> = db
            .store
            .list_audit(0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("privacy."))
            .collect();
        assert_eq!(actions.len(), 3, "one entry per spend");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn zcdp_releases_are_charged_the_conversion_of_their_summed_rho() {
    const DELTA: i64 = 1_000_000; // 10⁻⁹
    let limit = Budget {
        epsilon_micros: 4_000_000,
        delta_femtos: DELTA,
    };
    let rho = 50_000; // ρ = 0.05, ε ≈ 1.88 on its own at δ = 10⁻⁹
    for db in seeded_backends().await {
        let supervisor = actor(Role::Supervisor, Some("GT"));
        let gt = CountryCode::parse("GT").unwrap();
        // A pure release first: its ε adds to the conversion.
        pay(
            &db.store,
            &supervisor,
            &spend("GT", 2026, 500_000, 0),
            limit,
        )
        .await
        .unwrap();
        let mut releases = 0;
        while 500_000 + zcdp_epsilon_micros(rho * (releases + 1), DELTA) <= limit.epsilon_micros {
            let spent = pay(
                &db.store,
                &supervisor,
                &zcdp_spend("GT", 2026, rho, DELTA),
                limit,
            )
            .await
            .unwrap();
            releases += 1;
            assert_eq!(
                spent,
                Budget {
                    epsilon_micros: 500_000 + zcdp_epsilon_micros(rho * releases, DELTA),
                    delta_femtos: DELTA,
                },
                "{}: after {releases}",
                db.name
            );
        }
        // Adding each release's own conversion would have stopped after one; ρ's sum goes on.
        assert!(2 * zcdp_epsilon_micros(rho, DELTA) + 500_000 > limit.epsilon_micros);
        assert!(releases >= 3, "{}: {releases} zCDP releases fit", db.name);

        // The next would pass ε: refused, and nothing changes.
        let before = db.store.privacy_budget_spent(gt, 2026).await.unwrap();
        let audit = db.store.list_audit(0, 500).await.unwrap().len();
        let refused = pay(
            &db.store,
            &supervisor,
            &zcdp_spend("GT", 2026, rho, DELTA),
            limit,
        )
        .await;
        match refused {
            Err(StoreError::OverBudget { spent, asked, .. }) => {
                assert_eq!(spent, before);
                assert_eq!(asked.epsilon_micros, zcdp_epsilon_micros(rho, DELTA));
            }
            other => panic!("{}: expected OverBudget, got {other:?}", db.name),
        }
        // A pure release that would fit the sum of ε but not with the conversion: refused too.
        let pure = pay(
            &db.store,
            &supervisor,
            &spend(
                "GT",
                2026,
                limit.epsilon_micros - before.epsilon_micros + 1,
                0,
            ),
            limit,
        )
        .await;
        assert!(
            matches!(pure, Err(StoreError::OverBudget { .. })),
            "{}",
            db.name
        );
        assert_eq!(
            db.store.privacy_budget_spent(gt, 2026).await.unwrap(),
            before
        );
        assert_eq!(db.store.list_audit(0, 500).await.unwrap().len(), audit);

        // A country whose administrator lowered δ during the year: its ρ is converted at the
        // larger δ already spent, which passes the new limit, so a zCDP release is refused.
        pay(
            &db.store,
            &supervisor,
            &zcdp_spend("GT", 2027, rho, DELTA),
            limit,
        )
        .await
        .unwrap();
        let lowered = Budget {
            delta_femtos: DELTA / 2,
            ..limit
        };
        let refused = pay(
            &db.store,
            &supervisor,
            &zcdp_spend("GT", 2027, 1_000, DELTA / 2),
            lowered,
        )
        .await;
        match refused {
            Err(StoreError::OverBudget { spent, .. }) => assert_eq!(spent.delta_femtos, DELTA),
            other => panic!("{}: expected OverBudget, got {other:?}", db.name),
        }

        // The ledger lists each zCDP release with its ρ and its own conversion.
        let listed = db
            .store
            .list_spent_releases(&supervisor, gt, 2026)
            .await
            .unwrap();
        let zcdp: Vec<_> = listed.iter().filter(|r| r.rho_micros > 0).collect();
        assert_eq!(zcdp.len(), releases as usize, "{}", db.name);
        assert!(zcdp.iter().all(|r| r.rho_micros == rho
            && r.budget.epsilon_micros == zcdp_epsilon_micros(rho, DELTA)
            && r.budget.delta_femtos == DELTA));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_release_keeps_its_evaluation_for_its_own_countrys_supervisors_only() {
    for db in seeded_backends().await {
        let gt = CountryCode::parse("GT").unwrap();
        let supervisor = actor(Role::Supervisor, Some("GT"));
        let first = spend("GT", 2026, 1_000_000, 0);
        let second = spend("GT", 2026, 500_000, 0);
        for s in [&first, &second] {
            pay(&db.store, &supervisor, s, LIMIT).await.unwrap();
        }
        let listed = db
            .store
            .list_spent_releases(&supervisor, gt, 2026)
            .await
            .unwrap();
        assert_eq!(listed.len(), 2, "{}", db.name);
        assert!(
            listed.iter().all(|r| r.evaluation.is_none()),
            "a list carries no evaluation"
        );
        assert_eq!(listed[0].source, "ctdc-2017");
        let read = db
            .store
            .read_release_evaluation(&supervisor, gt, first.release_id)
            .await
            .unwrap()
            .expect("the release is GT's");
        assert_eq!(
            read.evaluation.as_deref(),
            Some(r#"{"exact_total": 47102}"#)
        );
        assert_eq!(read.budget.epsilon_micros, 1_000_000);
        let audited: Vec<_> = db
            .store
            .list_audit(0, 1_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "release.evaluation_read")
            .collect();
        assert_eq!(audited.len(), 1, "{}: every read is audited", db.name);
        assert_eq!(
            audited[0].record_id.as_deref(),
            Some(first.release_id.to_string().as_str())
        );

        assert!(
            db.store
                .read_release_evaluation(&supervisor, gt, Uuid::now_v7())
                .await
                .unwrap()
                .is_none(),
            "{}: no such release",
            db.name
        );
        for outsider in [
            actor(Role::Supervisor, Some("HN")),
            actor(Role::Caseworker, Some("GT")),
            actor(Role::RegionalAnalyst, None),
        ] {
            assert!(
                matches!(
                    db.store
                        .read_release_evaluation(&outsider, gt, first.release_id)
                        .await,
                    Err(StoreError::OutOfScope)
                ),
                "{}: {outsider:?}",
                db.name
            );
            assert!(matches!(
                db.store.list_spent_releases(&outsider, gt, 2026).await,
                Err(StoreError::OutOfScope)
            ));
        }
        db.cleanup().await;
    }
}

/// The files of a small release, the way the application layer makes them.
fn bundle_files(spent: Budget) -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "data.csv".into(),
            b"gender,count\nFemale,12\nMale,3\n".to_vec(),
        ),
        ("report.html".into(), b"<p>Female 12</p>".to_vec()),
        (
            "manifest.json".into(),
            format!(r#"{{"spent_this_year_epsilon": {}}}"#, spent.epsilon_micros).into_bytes(),
        ),
    ]
}

/// How many rows of `release_files` hold `text` in their sealed bytes (as plain bytes, at rest).
async fn rows_with_plain(db: &antitrata_store::testing::TestDb, column: &str, text: &str) -> u64 {
    let sql = if db.name == "sqlite" {
        format!(
            "update release_files set bytes = bytes \
             where instr(cast({column} as blob), cast('{text}' as blob)) > 0"
        )
    } else {
        format!(
            "update release_files set bytes = bytes \
             where position(convert_to('{text}', 'UTF8') in {column}::bytea) > 0"
        )
    };
    db.store.execute_raw_for_tests(&sql).await.unwrap()
}

#[tokio::test]
async fn a_paid_release_keeps_its_files_sealed_and_can_be_fetched_again() {
    for db in seeded_backends().await {
        let gt = CountryCode::parse("GT").unwrap();
        let supervisor = actor(Role::Supervisor, Some("GT"));
        let first = spend("GT", 2026, 1_000_000, 0);
        let (spent, files) = db
            .store
            .spend_privacy_budget(&supervisor, &first, LIMIT, |spent| {
                Ok((spent, bundle_files(spent)))
            })
            .await
            .unwrap();
        assert_eq!(spent.epsilon_micros, 1_000_000, "{}", db.name);
        assert_eq!(files, bundle_files(spent), "the files made come back");
        let listed = db
            .store
            .list_spent_releases(&supervisor, gt, 2026)
            .await
            .unwrap();
        assert!(listed[0].kept, "{}: the list says it is kept", db.name);

        let read = db
            .store
            .read_kept_release(&supervisor, gt, first.release_id)
            .await
            .unwrap()
            .expect("the release is GT's and kept");
        assert_eq!(read, files, "{}: the same files, byte for byte", db.name);
        let audited = db
            .store
            .list_audit(0, 1_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "release.downloaded")
            .count();
        assert_eq!(audited, 1, "{}: every fetch is audited", db.name);

        // Sealed at rest: no file's content is in the table as plain bytes (the name is, which
        // shows the query finds plain text where there is some).
        assert_eq!(
            rows_with_plain(&db, "contents_sealed", "Female,12").await,
            0
        );
        assert_eq!(rows_with_plain(&db, "name", "data.csv").await, 1);

        // A file renamed or moved in the database fails to open instead of passing for another.
        db.store
            .execute_raw_for_tests(
                "update release_files set name = 'table-2.csv' where position = 0",
            )
            .await
            .unwrap();
        assert!(
            matches!(
                db.store
                    .read_kept_release(&supervisor, gt, first.release_id)
                    .await,
                Err(StoreError::Crypto(_))
            ),
            "{}",
            db.name
        );

        for outsider in [
            actor(Role::Supervisor, Some("HN")),
            actor(Role::Caseworker, Some("GT")),
            actor(Role::RegionalAnalyst, None),
        ] {
            assert!(
                matches!(
                    db.store
                        .read_kept_release(&outsider, gt, first.release_id)
                        .await,
                    Err(StoreError::OutOfScope)
                ),
                "{}: {outsider:?}",
                db.name
            );
        }
        let hn = CountryCode::parse("HN").unwrap();
        assert_eq!(
            db.store
                .read_kept_release(&actor(Role::Supervisor, Some("HN")), hn, first.release_id)
                .await
                .unwrap(),
            None,
            "{}: another country's release is not found",
            db.name
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_release_whose_files_fail_spends_nothing() {
    for db in seeded_backends().await {
        let gt = CountryCode::parse("GT").unwrap();
        let supervisor = actor(Role::Supervisor, Some("GT"));
        let audit_before = db.store.list_audit(0, 1_000).await.unwrap().len();
        let refused = db
            .store
            .spend_privacy_budget(&supervisor, &spend("GT", 2026, 1_000_000, 0), LIMIT, |_| {
                Err::<((), _), _>("rendering report.html: broken template".to_owned())
            })
            .await;
        match refused {
            Err(e @ StoreError::ReleaseFiles(_)) => assert_eq!(
                e.to_string(),
                "the release's files could not be made, so nothing was spent: rendering \
                 report.html: broken template"
            ),
            other => panic!("{}: expected ReleaseFiles, got {other:?}", db.name),
        }
        assert_eq!(
            db.store.privacy_budget_spent(gt, 2026).await.unwrap(),
            Budget::default(),
            "{}",
            db.name
        );
        for table in ["privacy_spends", "release_files"] {
            assert_eq!(db.store.count_rows_for_tests(table).await.unwrap(), 0);
        }
        assert_eq!(
            db.store.list_audit(0, 1_000).await.unwrap().len(),
            audit_before
        );
        db.cleanup().await;
    }
}
