//! Passwords set through setup links, sessions with idle and absolute limits, login throttling.

use antitrata_domain::{CountryCode, Email, Lang, NewAccount, Role, UserId};
use antitrata_store::SessionLimits;
use antitrata_store::testing::{TestDb, actor, seeded_backends};
use time::Duration;
use uuid::Uuid;

const LIMITS: SessionLimits = SessionLimits {
    idle: Duration::minutes(30),
    absolute: Duration::hours(12),
};

async fn with_account(db: &TestDb) -> UserId {
    let cli = actor(Role::Cli, None);
    let id = UserId(Uuid::from_u128(1));
    let new = NewAccount {
        email: Email::parse("ana@example.org").unwrap(),
        display_name: "Ana".into(),
        language: Lang::En,
        roles: vec![Role::Caseworker],
        country: CountryCode::parse("GT").ok(),
        service: false,
    };
    db.store.insert_user(&cli, id, &new).await.unwrap();
    db.store
        .insert_setup_token(&cli, id, b"setup", cli.at + Duration::hours(72))
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_setup_link_sets_the_password_once() {
    for db in seeded_backends().await {
        let user = with_account(&db).await;
        let now = actor(Role::Cli, None).at;
        assert_eq!(db.store.password_hash(user).await.unwrap(), None);
        let set = db
            .store
            .set_password_with_setup_token(b"setup", "$argon2id$fake", now, None)
            .await
            .unwrap();
        assert_eq!(set, Some(user), "{}", db.name);
        assert_eq!(
            db.store.password_hash(user).await.unwrap().as_deref(),
            Some("$argon2id$fake")
        );
        assert!(
            db.store
                .find_user(user)
                .await
                .unwrap()
                .unwrap()
                .has_password
        );
        let again = db
            .store
            .set_password_with_setup_token(b"setup", "$argon2id$other", now, None)
            .await
            .unwrap();
        assert_eq!(again, None, "a setup link works once");
        let log = db.store.list_audit(0, 10).await.unwrap();
        assert_eq!(log.last().unwrap().action, "password.set");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn sessions_expire_when_idle_or_old_and_end_with_the_password() {
    for db in seeded_backends().await {
        let user = with_account(&db).await;
        let start = actor(Role::Cli, None).at;
        db.store
            .insert_session(b"s1", user, "csrf-1", true, start)
            .await
            .unwrap();
        let session = db
            .store
            .find_session(b"s1", start + Duration::minutes(20), LIMITS)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                session.user,
                session.csrf_token.as_str(),
                session.second_factor_done
            ),
            (user, "csrf-1", true)
        );
        // Within a minute of the last touch, a request does not write the session again.
        let soon = db
            .store
            .find_session(b"s1", start + Duration::seconds(20 * 60 + 30), LIMITS)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            soon.last_seen_at,
            start + Duration::minutes(20),
            "{}",
            db.name
        );
        // Touched at +20 min, so +45 min is only 25 minutes idle.
        assert!(
            db.store
                .find_session(b"s1", start + Duration::minutes(45), LIMITS)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            db.store
                .find_session(b"s1", start + Duration::minutes(80), LIMITS)
                .await
                .unwrap()
                .is_none(),
            "idle"
        );
        assert!(
            db.store
                .find_session(b"s1", start + Duration::minutes(81), LIMITS)
                .await
                .unwrap()
                .is_none(),
            "deleted"
        );

        // Absolute limit: active every 20 minutes, still ends after 12 hours.
        db.store
            .insert_session(b"s2", user, "csrf-2", true, start)
            .await
            .unwrap();
        let mut now = start;
        while now - start < Duration::hours(12) {
            now += Duration::minutes(20);
            let alive = db
                .store
                .find_session(b"s2", now, LIMITS)
                .await
                .unwrap()
                .is_some();
            assert_eq!(
                alive,
                now - start <= Duration::hours(12),
                "{} at {}",
                db.name,
                now - start
            );
        }

        db.store
            .insert_session(b"s3", user, "csrf-3", true, start)
            .await
            .unwrap();
        db.store
            .change_password(&actor(Role::Caseworker, Some("GT")), user, "$argon2id$new")
            .await
            .unwrap();
        assert!(
            db.store
                .find_session(b"s3", start, LIMITS)
                .await
                .unwrap()
                .is_none(),
            "password change ends sessions"
        );

        db.store
            .insert_session(b"s4", user, "csrf-4", true, start)
            .await
            .unwrap();
        db.store.delete_session(b"s4").await.unwrap();
        assert!(
            db.store
                .find_session(b"s4", start, LIMITS)
                .await
                .unwrap()
                .is_none(),
            "logout"
        );

        db.store
            .insert_session(b"s5", user, "csrf-5", true, start)
            .await
            .unwrap();
        db.store
            .disable_user(&actor(Role::Cli, None), user)
            .await
            .unwrap();
        assert!(
            db.store
                .find_session(b"s5", start, LIMITS)
                .await
                .unwrap()
                .is_none(),
            "disabling ends sessions"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn failed_logins_are_counted_per_key_until_reset() {
    for db in seeded_backends().await {
        let now = actor(Role::Cli, None).at;
        for n in 1..=3 {
            assert_eq!(
                db.store
                    .record_login_failure("account:1", now + Duration::seconds(n))
                    .await
                    .unwrap(),
                n as u32
            );
        }
        assert_eq!(
            db.store
                .record_login_failure("address:127.0.0.1", now)
                .await
                .unwrap(),
            1
        );
        let (failures, last) = db.store.login_failures("account:1").await.unwrap().unwrap();
        assert_eq!(
            (failures, last),
            (3, now + Duration::seconds(3)),
            "{}",
            db.name
        );
        db.store.reset_login_failures("account:1").await.unwrap();
        assert_eq!(db.store.login_failures("account:1").await.unwrap(), None);
        assert!(
            db.store
                .login_failures("address:127.0.0.1")
                .await
                .unwrap()
                .is_some()
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    for db in seeded_backends().await {
        let user = with_account(&db).await;
        let who = actor(Role::Caseworker, Some("GT"));
        db.store
            .set_recovery_codes(&who, user, &[b"h1".to_vec(), b"h2".to_vec()])
            .await
            .unwrap();
        assert!(
            db.store
                .consume_recovery_code(&who, user, b"h1")
                .await
                .unwrap(),
            "{}",
            db.name
        );
        assert!(
            !db.store
                .consume_recovery_code(&who, user, b"h1")
                .await
                .unwrap(),
            "used up"
        );
        assert!(
            !db.store
                .consume_recovery_code(&who, user, b"zz")
                .await
                .unwrap()
        );
        assert!(
            db.store
                .consume_recovery_code(&who, user, b"h2")
                .await
                .unwrap()
        );
        let log = db.store.list_audit(0, 100).await.unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.action == "login.recovery-code-used")
                .count(),
            2
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_totp_step_is_used_once() {
    for db in seeded_backends().await {
        let user = with_account(&db).await;
        assert!(
            db.store.use_totp_step(user, 100).await.unwrap(),
            "{}",
            db.name
        );
        assert!(
            !db.store.use_totp_step(user, 100).await.unwrap(),
            "the same step again"
        );
        assert!(
            !db.store.use_totp_step(user, 99).await.unwrap(),
            "an earlier step"
        );
        assert!(db.store.use_totp_step(user, 101).await.unwrap());
        db.cleanup().await;
    }
}
