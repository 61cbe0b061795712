//! The privacy-budget ledger: spends add up within the yearly limit, a release that would pass
//! it is refused and changes nothing, and each spend is audited.

use antitrata_domain::{CountryCode, Role};
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
    }
}

const LIMIT: Budget = Budget {
    epsilon_micros: 4_000_000,
    delta_femtos: 1_000_000,
};

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
