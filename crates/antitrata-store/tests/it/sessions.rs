//! Passwords set through setup links, sessions with idle and absolute limits, login throttling.

use antitrata_domain::throttle;
use antitrata_domain::{CountryCode, Email, Lang, NewAccount, Role, UserId};
use antitrata_store::testing::{TestDb, actor, seeded_backends};
use antitrata_store::{Attempt, SessionLimits, ThrottleKey};
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
async fn passing_the_second_factor_moves_the_session_to_a_new_token() {
    for db in seeded_backends().await {
        let user = with_account(&db).await;
        let start = actor(Role::Cli, None).at;
        db.store
            .insert_session(b"before", user, "csrf-1", false, start)
            .await
            .unwrap();
        let moved = db
            .store
            .pass_second_factor(b"before", b"after", "csrf-2")
            .await
            .unwrap();
        assert!(moved, "{}", db.name);
        let later = start + Duration::minutes(1);
        assert_eq!(
            db.store
                .find_session(b"before", later, LIMITS)
                .await
                .unwrap(),
            None,
            "the token seen before the second factor no longer works"
        );
        let session = db
            .store
            .find_session(b"after", later, LIMITS)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                session.user,
                session.csrf_token.as_str(),
                session.second_factor_done
            ),
            (user, "csrf-2", true)
        );
        assert_eq!(
            session.created_at, start,
            "the absolute limit still counts from sign-in"
        );
        assert!(
            !db.store
                .pass_second_factor(b"before", b"again", "csrf-3")
                .await
                .unwrap(),
            "a session gone cannot be moved"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn attempts_are_taken_under_every_key_and_refused_ones_count_nowhere() {
    for db in seeded_backends().await {
        let now = actor(Role::Cli, None).at;
        let account = ThrottleKey::Password(UserId(Uuid::from_u128(1)));
        let address = ThrottleKey::Address("198.51.100.7".parse().unwrap());
        let other_address = ThrottleKey::Address("203.0.113.9".parse().unwrap());
        for n in 0..5 {
            let at = now + Duration::seconds(n);
            assert_eq!(
                db.store
                    .take_attempt(&[address, account], at)
                    .await
                    .unwrap(),
                Attempt::Taken,
                "{}: attempt {n} is free",
                db.name
            );
        }
        let last = now + Duration::seconds(4);
        assert_eq!(
            db.store.attempts_counted(account).await.unwrap(),
            Some((5, last))
        );
        assert_eq!(
            db.store.attempts_counted(address).await.unwrap(),
            Some((5, last))
        );
        // The sixth waits a second after the fifth, and is not counted.
        assert_eq!(
            db.store
                .take_attempt(&[other_address, account], last)
                .await
                .unwrap(),
            Attempt::Wait(Duration::seconds(1))
        );
        assert_eq!(
            db.store.attempts_counted(account).await.unwrap(),
            Some((5, last))
        );
        assert_eq!(
            db.store.attempts_counted(other_address).await.unwrap(),
            None,
            "a refused attempt leaves no row behind"
        );
        // Another account from the same address waits too; from another address it does not.
        let ben = ThrottleKey::Password(UserId(Uuid::from_u128(2)));
        assert!(matches!(
            db.store.take_attempt(&[address, ben], last).await.unwrap(),
            Attempt::Wait(_)
        ));
        assert_eq!(
            db.store
                .take_attempt(&[other_address, ben], last)
                .await
                .unwrap(),
            Attempt::Taken
        );
        // A success clears the account and gives the address its attempt back.
        db.store
            .give_back_attempt(&[other_address, ben])
            .await
            .unwrap();
        assert_eq!(db.store.attempts_counted(ben).await.unwrap(), None);
        assert_eq!(
            db.store.attempts_counted(other_address).await.unwrap(),
            Some((0, last))
        );
        // An hour without failures forgives them.
        let later = last + Duration::hours(1);
        assert_eq!(
            db.store
                .take_attempt(&[address, account], later)
                .await
                .unwrap(),
            Attempt::Taken
        );
        assert_eq!(
            db.store.attempts_counted(account).await.unwrap(),
            Some((1, later))
        );
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_attempts_at_once_take_only_the_free_ones() {
    for db in seeded_backends().await {
        let now = actor(Role::Cli, None).at;
        let address = ThrottleKey::Address("198.51.100.7".parse().unwrap());
        let attempts = (0..16).map(|n| {
            let store = db.store.clone();
            let account = ThrottleKey::Password(UserId(Uuid::from_u128(n % 3)));
            tokio::spawn(async move { store.take_attempt(&[account, address], now).await })
        });
        let mut taken = 0;
        for attempt in attempts.collect::<Vec<_>>() {
            if attempt.await.unwrap().unwrap() == Attempt::Taken {
                taken += 1;
            }
        }
        assert_eq!(
            taken,
            throttle::PASSWORD.free_attempts,
            "{}: only the free attempts go ahead",
            db.name
        );
        assert_eq!(
            db.store.attempts_counted(address).await.unwrap().unwrap().0,
            throttle::PASSWORD.free_attempts
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn addresses_are_kept_only_as_keyed_digests() {
    for db in seeded_backends().await {
        let now = actor(Role::Cli, None).at;
        let address = ThrottleKey::Address("198.51.100.7".parse().unwrap());
        db.store.take_attempt(&[address], now).await.unwrap();
        assert_eq!(
            db.store
                .count_rows_for_tests("login_throttle where key like '%198.51.100.7%'")
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            db.store
                .count_rows_for_tests("login_throttle where key like 'address:%'")
                .await
                .unwrap(),
            1
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
