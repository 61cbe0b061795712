//! The same pages and answers from PostgreSQL as from SQLite, byte for byte. Runs when
//! `ANTITRATA_TEST_PG_URL` is set (CI sets it).

use antitrata_store::testing;
use antitrata_web::{AppState, WebConfig, app};

use crate::support::{FixedClock, test_runtime};

use crate::support::{get, public_pages};

#[tokio::test]
async fn postgres_serves_the_same_pages_as_sqlite() {
    let Some(pg) = testing::postgres().await else {
        testing::not_run(&format!(
            "the PostgreSQL page comparison ({} not set)",
            testing::PG_URL_VAR
        ));
        return;
    };
    let sqlite = testing::sqlite().await;
    for db in [&sqlite, &pg] {
        db.store.seed_reference_data().await.unwrap();
    }
    let from_sqlite = app(AppState::new(
        sqlite.store.clone(),
        WebConfig::default(),
        test_runtime(FixedClock::new()),
    ));
    let from_pg = app(AppState::new(
        pg.store.clone(),
        WebConfig::default(),
        test_runtime(FixedClock::new()),
    ));
    let mut uris = public_pages();
    uris.extend(
        [
            "/api/v1/countries",
            "/api/v1/hotlines",
            "/api/v1/hotlines/gt",
            "/healthz",
        ]
        .map(String::from),
    );
    for uri in uris {
        let (a, b) = (get(&from_sqlite, &uri).await, get(&from_pg, &uri).await);
        assert_eq!(a.status, 200, "{uri}");
        assert_eq!(
            (a.status, &a.body),
            (b.status, &b.body),
            "{uri} differs between backends"
        );
    }
    sqlite.cleanup().await;
    pg.cleanup().await;
}
