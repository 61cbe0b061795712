//! Staff accounts and setup links, within the actor's reach.

use antitrata_domain::{CountryCode, Email, Lang, NewAccount, Role, UserId};
use antitrata_store::testing::{actor, seeded_backends};
use antitrata_store::{ConflictKind, StoreError};
use time::Duration;
use uuid::Uuid;

fn new_account(email: &str, roles: &[Role], country: Option<&str>) -> NewAccount {
    NewAccount {
        email: Email::parse(email).unwrap(),
        display_name: "Ana Pérez".into(),
        language: Lang::Es,
        roles: roles.to_vec(),
        country: country.map(|c| CountryCode::parse(c).unwrap()),
        service: false,
    }
}

fn uid(n: u128) -> UserId {
    UserId(Uuid::from_u128(n))
}

#[tokio::test]
async fn accounts_are_created_found_listed_and_disabled() {
    for db in seeded_backends().await {
        let cli = actor(Role::Cli, None);
        let created = db
            .store
            .insert_user(
                &cli,
                uid(1),
                &new_account("ana@example.org", &[Role::Operator], Some("GT")),
            )
            .await
            .unwrap();
        assert!(!created.has_password && !created.disabled);
        let found = db
            .store
            .find_user_by_email(&Email::parse("ANA@example.org").unwrap())
            .await
            .unwrap();
        assert_eq!(found.as_ref(), Some(&created), "{}", db.name);
        assert_eq!(
            db.store.find_user(uid(1)).await.unwrap(),
            Some(created.clone())
        );

        let duplicate = db
            .store
            .insert_user(
                &cli,
                uid(2),
                &new_account("ana@example.org", &[Role::Caseworker], Some("GT")),
            )
            .await;
        assert!(
            matches!(
                duplicate,
                Err(StoreError::Conflict(ConflictKind::EmailTaken))
            ),
            "{}",
            db.name
        );

        db.store
            .insert_user(
                &cli,
                uid(3),
                &new_account("bo@example.org", &[Role::Supervisor], Some("HN")),
            )
            .await
            .unwrap();
        db.store
            .insert_user(
                &cli,
                uid(4),
                &new_account("cy@example.org", &[Role::RegionalAnalyst], None),
            )
            .await
            .unwrap();
        assert_eq!(db.store.list_users(&cli).await.unwrap().len(), 3);

        assert!(db.store.disable_user(&cli, uid(1)).await.unwrap());
        assert!(db.store.find_user(uid(1)).await.unwrap().unwrap().disabled);
        assert!(!db.store.disable_user(&cli, uid(99)).await.unwrap());

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
                "user.created",
                "user.created",
                "user.created",
                "user.disabled"
            ]
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_country_admin_reaches_only_their_country() {
    for db in seeded_backends().await {
        let cli = actor(Role::Cli, None);
        db.store
            .insert_user(
                &cli,
                uid(1),
                &new_account("gt@example.org", &[Role::Operator], Some("GT")),
            )
            .await
            .unwrap();
        db.store
            .insert_user(
                &cli,
                uid(2),
                &new_account("hn@example.org", &[Role::Operator], Some("HN")),
            )
            .await
            .unwrap();

        let gt_admin = actor(Role::CountryAdmin, Some("GT"));
        let listed: Vec<String> = db
            .store
            .list_users(&gt_admin)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.email.to_string())
            .collect();
        assert_eq!(listed, ["gt@example.org"], "{}", db.name);
        assert!(
            !db.store.disable_user(&gt_admin, uid(2)).await.unwrap(),
            "HN is out of reach"
        );
        assert!(!db.store.find_user(uid(2)).await.unwrap().unwrap().disabled);
        let hn_user = new_account("new@example.org", &[Role::Operator], Some("HN"));
        assert!(matches!(
            db.store.insert_user(&gt_admin, uid(3), &hn_user).await,
            Err(StoreError::OutOfScope)
        ));

        for role in [
            Role::Operator,
            Role::Supervisor,
            Role::RegionalAnalyst,
            Role::CampaignEditor,
        ] {
            let someone = actor(
                role,
                if role.is_country_role() {
                    Some("GT")
                } else {
                    None
                },
            );
            assert!(
                matches!(
                    db.store.list_users(&someone).await,
                    Err(StoreError::OutOfScope)
                ),
                "{role:?}"
            );
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn setup_links_expire_and_die_with_the_account() {
    for db in seeded_backends().await {
        let cli = actor(Role::Cli, None);
        db.store
            .insert_user(
                &cli,
                uid(1),
                &new_account("ana@example.org", &[Role::Operator], Some("GT")),
            )
            .await
            .unwrap();
        let expires = cli.at + Duration::hours(72);
        db.store
            .insert_setup_token(&cli, uid(1), b"hash-of-token", expires)
            .await
            .unwrap();

        let before = cli.at + Duration::hours(71);
        assert_eq!(
            db.store
                .find_setup_token(b"hash-of-token", before)
                .await
                .unwrap(),
            Some(uid(1))
        );
        assert_eq!(
            db.store
                .find_setup_token(b"other-hash", before)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            db.store
                .find_setup_token(b"hash-of-token", expires)
                .await
                .unwrap(),
            None,
            "expired"
        );

        db.store.disable_user(&cli, uid(1)).await.unwrap();
        assert_eq!(
            db.store
                .find_setup_token(b"hash-of-token", before)
                .await
                .unwrap(),
            None
        );
        db.cleanup().await;
    }
}
