//! The privacy-budget ledger: spends add up within the yearly limit, a release that would pass
//! it is refused and changes nothing, and each spend is audited.

use antitrata_domain::{CountryCode, Role};
use antitrata_privacy::accountant::zcdp_epsilon_micros;
use antitrata_store::testing::{actor, seeded_backends};
use antitrata_store::{Budget, Spend, StoreError};
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

const LIMIT: Budget = Budget {
    epsilon_micros: 4_000_000,
    delta_femtos: 1_000_000,
};

#[tokio::test]
async fn a_country_the_database_does_not_hold_is_named_and_nothing_is_spent() {
    for db in seeded_backends().await {
        let before = db.store.list_audit(0, 100).await.unwrap().len();
        let refused = db
            .store
            .spend_privacy_budget(
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
        let spent = db
            .store
            .spend_privacy_budget(&supervisor, &spend("GT", 2026, 1_500_000, 0), LIMIT)
            .await
            .unwrap();
        assert_eq!(spent.epsilon_micros, 1_500_000, "{}", db.name);
        let spent = db
            .store
            .spend_privacy_budget(&supervisor, &spend("GT", 2026, 2_500_000, 500_000), LIMIT)
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

        let refused = db
            .store
            .spend_privacy_budget(&supervisor, &spend("GT", 2026, 1, 0), LIMIT)
            .await;
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
        let delta_refused = db
            .store
            .spend_privacy_budget(
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
            db.store
                .spend_privacy_budget(&supervisor, &spend("GT", 2027, 4_000_000, 0), LIMIT)
                .await
                .is_ok()
        );
        let foreign = db
            .store
            .spend_privacy_budget(
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
        db.store
            .spend_privacy_budget(&supervisor, &spend("GT", 2026, 500_000, 0), limit)
            .await
            .unwrap();
        let mut releases = 0;
        while 500_000 + zcdp_epsilon_micros(rho * (releases + 1), DELTA) <= limit.epsilon_micros {
            let spent = db
                .store
                .spend_privacy_budget(&supervisor, &zcdp_spend("GT", 2026, rho, DELTA), limit)
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
        let refused = db
            .store
            .spend_privacy_budget(&supervisor, &zcdp_spend("GT", 2026, rho, DELTA), limit)
            .await;
        match refused {
            Err(StoreError::OverBudget { spent, asked, .. }) => {
                assert_eq!(spent, before);
                assert_eq!(asked.epsilon_micros, zcdp_epsilon_micros(rho, DELTA));
            }
            other => panic!("{}: expected OverBudget, got {other:?}", db.name),
        }
        // A pure release that would fit the sum of ε but not with the conversion: refused too.
        let pure = db
            .store
            .spend_privacy_budget(
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
        db.store
            .spend_privacy_budget(&supervisor, &zcdp_spend("GT", 2027, rho, DELTA), limit)
            .await
            .unwrap();
        let lowered = Budget {
            delta_femtos: DELTA / 2,
            ..limit
        };
        let refused = db
            .store
            .spend_privacy_budget(
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
            db.store
                .spend_privacy_budget(&supervisor, s, LIMIT)
                .await
                .unwrap();
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
