//! API tokens of service accounts: issued within reach, found only while live, revoked, audited.

use antitrata_domain::{Account, CountryCode, Email, Lang, NewAccount, Role, UserId};
use antitrata_store::testing::{TestDb, actor, seeded_backends};
use antitrata_store::{ConflictKind, Store, StoreError};
use time::Duration;
use uuid::Uuid;

async fn account(store: &Store, n: u128, email: &str, country: &str, service: bool) -> Account {
    store
        .insert_user(
            &actor(Role::Cli, None),
            UserId(Uuid::from_u128(n)),
            &NewAccount {
                email: Email::parse(email).unwrap(),
                display_name: email.into(),
                language: Lang::Es,
                roles: vec![Role::Caseworker],
                country: Some(CountryCode::parse(country).unwrap()),
                service,
            },
        )
        .await
        .unwrap()
}

async fn audit_actions(db: &TestDb) -> Vec<String> {
    let entries = db.store.list_audit(0, 1000).await.unwrap();
    entries.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn tokens_open_the_api_only_while_live() {
    for db in seeded_backends().await {
        let store = &db.store;
        let cli = actor(Role::Cli, None);
        let bridge = account(store, 1, "bridge@gt.example", "GT", true).await;
        let person = account(store, 2, "ana@gt.example", "GT", false).await;
        let expires = cli.at + Duration::days(30);

        let refused = store
            .insert_api_token(&cli, &person, Uuid::from_u128(9), "x", b"h-person", expires)
            .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Conflict(ConflictKind::NotAServiceAccount))
            ),
            "{}: a person's account got a token",
            db.name
        );

        let issued = store
            .insert_api_token(&cli, &bridge, Uuid::from_u128(10), "bridge", b"h1", expires)
            .await
            .unwrap();
        assert_eq!(issued.user, bridge.id);

        let (found, owner) = store
            .find_api_token(b"h1", cli.at)
            .await
            .unwrap()
            .expect("a live token is found");
        assert_eq!(found.id, issued.id, "{}", db.name);
        assert_eq!(owner.id, bridge.id);
        assert_eq!(
            (found.name.as_str(), found.created_at),
            ("bridge", issued.created_at)
        );
        assert_eq!((owner.email, owner.service), (bridge.email.clone(), true));
        assert_eq!(found.last_used_at, None, "the use is noted after the read");
        let (again, _) = store.find_api_token(b"h1", cli.at).await.unwrap().unwrap();
        assert_eq!(again.last_used_at, Some(cli.at), "{}", db.name);

        assert!(
            store
                .find_api_token(b"other", cli.at)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .find_api_token(b"h1", expires)
                .await
                .unwrap()
                .is_none(),
            "{}: an expired token opened the API",
            db.name
        );

        let listed = store.list_api_tokens(&cli).await.unwrap();
        assert_eq!(listed.len(), 1);
        let hn_admin = actor(Role::CountryAdmin, Some("HN"));
        assert!(store.list_api_tokens(&hn_admin).await.unwrap().is_empty());
        assert!(
            !store.revoke_api_token(&hn_admin, issued.id).await.unwrap(),
            "{}: another country's admin revoked a token",
            db.name
        );
        let gt_admin = actor(Role::CountryAdmin, Some("GT"));
        assert!(store.revoke_api_token(&gt_admin, issued.id).await.unwrap());
        assert!(!store.revoke_api_token(&gt_admin, issued.id).await.unwrap());
        assert!(
            store.find_api_token(b"h1", cli.at).await.unwrap().is_none(),
            "{}: a revoked token opened the API",
            db.name
        );

        // Disabling the account revokes its tokens.
        store
            .insert_api_token(&cli, &bridge, Uuid::from_u128(11), "second", b"h2", expires)
            .await
            .unwrap();
        assert!(store.find_api_token(b"h2", cli.at).await.unwrap().is_some());
        store.disable_user(&cli, bridge.id).await.unwrap();
        assert!(store.find_api_token(b"h2", cli.at).await.unwrap().is_none());
        let live = store.list_api_tokens(&cli).await.unwrap();
        assert!(live.iter().all(|t| t.revoked_at.is_some()), "{}", db.name);

        let actions = audit_actions(&db).await;
        assert!(actions.contains(&"api-token.created".to_owned()));
        assert!(actions.contains(&"api-token.revoked".to_owned()));
        db.cleanup().await;
    }
}
