//! Staff accounts and their one-time setup links. Who may manage which accounts is decided by the
//! permission module; the store still refuses to reach outside the actor's country.

use antitrata_domain::{Account, Actor, CountryCode, Email, Lang, NewAccount, Role, UserId};
use sqlx::FromRow;
use sqlx::types::Json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::store::with_pool;
use crate::{ConflictKind, Store, StoreError};
use antitrata_domain::policy::Action;

pub(crate) const ACCOUNT_COLUMNS: &str = "id, email, display_name, language, roles, country, \
     password_hash is not null as has_password, totp_enabled, disabled, service, created_at";

/// Which accounts an actor may manage: every account, or those of its one country.
pub(crate) fn accounts_reach(actor: &Actor) -> Result<Option<CountryCode>, StoreError> {
    if !actor.may(Action::ManageAccounts) {
        return Err(StoreError::OutOfScope);
    }
    if actor.may(Action::ManageEveryAccount) {
        return Ok(None);
    }
    actor
        .scope
        .country()
        .map(Some)
        .ok_or(StoreError::OutOfScope)
}

pub(crate) fn check_reach(actor: &Actor, country: Option<CountryCode>) -> Result<(), StoreError> {
    match accounts_reach(actor)? {
        Some(reach) if country != Some(reach) => Err(StoreError::OutOfScope),
        _ => Ok(()),
    }
}

impl Store {
    /// Creates an account without a password; audited as `user.created`. An e-mail address in
    /// use is a `Conflict`.
    pub async fn insert_user(
        &self,
        actor: &Actor,
        id: UserId,
        new: &NewAccount,
    ) -> Result<Account, StoreError> {
        check_reach(actor, new.country)?;
        let created_at = actor
            .at
            .format(&Rfc3339)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let roles: Vec<&str> = new.roles.iter().map(|r| r.as_str()).collect();
        let audit = PendingEntry::new(actor, AuditEvent::for_user("user.created", id))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let inserted = sqlx::query(
                "insert into users (id, email, display_name, language, roles, country, service, \
                 created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id.0)
            .bind(new.email.as_str())
            .bind(&new.display_name)
            .bind(new.language.code())
            .bind(Json(&roles))
            .bind(new.country.map(|c| c.to_string()))
            .bind(new.service)
            .bind(&created_at)
            .execute(&mut *tx)
            .await;
            if let Err(sqlx::Error::Database(e)) = &inserted
                && e.is_unique_violation()
            {
                return Err(StoreError::Conflict(ConflictKind::EmailTaken));
            }
            inserted?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(Account {
            id,
            email: new.email.clone(),
            display_name: new.display_name.clone(),
            language: new.language,
            roles: new.roles.clone(),
            country: new.country,
            disabled: false,
            has_password: false,
            totp_enabled: false,
            service: new.service,
            created_at: actor.at,
        })
    }

    pub async fn find_user(&self, id: UserId) -> Result<Option<Account>, StoreError> {
        let sql = format!("select {ACCOUNT_COLUMNS} from users where id = $1");
        let row: Option<AccountRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        row.map(AccountRow::into_domain).transpose()
    }

    pub async fn find_user_by_email(&self, email: &Email) -> Result<Option<Account>, StoreError> {
        let sql = format!("select {ACCOUNT_COLUMNS} from users where email = $1");
        let row: Option<AccountRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(email.as_str())
                .fetch_optional(pool)
                .await?
        });
        row.map(AccountRow::into_domain).transpose()
    }

    /// The accounts the actor may manage, by e-mail address.
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<AccountRow> = match accounts_reach(actor)? {
            None => {
                let sql = format!("select {ACCOUNT_COLUMNS} from users order by email");
                with_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await?)
            }
            Some(country) => {
                let sql = format!(
                    "select {ACCOUNT_COLUMNS} from users where country = $1 order by email"
                );
                with_pool!(self, |pool| {
                    sqlx::query_as(&sql)
                        .bind(country.as_str())
                        .fetch_all(pool)
                        .await?
                })
            }
        };
        rows.into_iter().map(AccountRow::into_domain).collect()
    }

    /// Disables an account and revokes its setup links, sessions and API tokens; audited as `user.disabled`. Returns
    /// whether an account within the actor's reach was found.
    pub async fn disable_user(&self, actor: &Actor, id: UserId) -> Result<bool, StoreError> {
        let Some(account) = self.find_user(id).await? else {
            return Ok(false);
        };
        if check_reach(actor, account.country).is_err() {
            return Ok(false);
        }
        let audit = PendingEntry::new(actor, AuditEvent::for_user("user.disabled", id))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query("update users set disabled = true where id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from setup_tokens where user_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from sessions where user_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "update api_tokens set revoked_at = $2 where user_id = $1 and revoked_at is null",
            )
            .bind(id.0)
            .bind(actor.at.unix_timestamp())
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(true)
    }

    /// Stores the hash of a one-time setup token for `user`, valid until `expires_at`; audited.
    pub async fn insert_setup_token(
        &self,
        actor: &Actor,
        user: UserId,
        token_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let audit = PendingEntry::new(actor, AuditEvent::for_user("user.setup-link-issued", user))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query(
                "insert into setup_tokens (token_hash, user_id, expires_at) values ($1, $2, $3)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(expires_at.unix_timestamp())
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The account a setup token opens, if the token exists, has not expired at `now`, and its
    /// account is not disabled.
    pub async fn find_setup_token(
        &self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, StoreError> {
        let row: Option<(Uuid,)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "select t.user_id from setup_tokens t join users u on u.id = t.user_id \
                 where t.token_hash = $1 and t.expires_at > $2 and not u.disabled",
            )
            .bind(token_hash)
            .bind(now.unix_timestamp())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(id,)| UserId(id)))
    }
}

#[derive(FromRow)]
pub(crate) struct AccountRow {
    id: Uuid,
    email: String,
    display_name: String,
    language: String,
    roles: Json<Vec<String>>,
    country: Option<String>,
    has_password: bool,
    totp_enabled: bool,
    disabled: bool,
    service: bool,
    created_at: String,
}

impl AccountRow {
    pub(crate) fn into_domain(self) -> Result<Account, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("user {}: bad {what}", self.id));
        Ok(Account {
            id: UserId(self.id),
            email: Email::parse(&self.email).map_err(|_| corrupt("email"))?,
            display_name: self.display_name.clone(),
            language: Lang::parse(&self.language).map_err(|_| corrupt("language"))?,
            roles: self
                .roles
                .0
                .iter()
                .map(|r| Role::parse(r).ok_or_else(|| corrupt("role")))
                .collect::<Result<_, _>>()?,
            country: self
                .country
                .as_deref()
                .map(|c| CountryCode::parse(c).map_err(|_| corrupt("country")))
                .transpose()?,
            disabled: self.disabled,
            has_password: self.has_password,
            totp_enabled: self.totp_enabled,
            service: self.service,
            created_at: OffsetDateTime::parse(&self.created_at, &Rfc3339)
                .map_err(|_| corrupt("created_at"))?,
        })
    }
}

impl Store {
    /// The stored password hash (PHC string) of an account, if it has a password and is enabled.
    pub async fn password_hash(&self, user: UserId) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = with_pool!(self, |pool| {
            sqlx::query_as("select password_hash from users where id = $1 and not disabled")
                .bind(user.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(hash,)| hash))
    }

    /// Sets a password through a valid setup token: the token and every other setup token of the
    /// account stop working, every session of the account ends, and it is audited. Returns the
    /// account, or `None` if the token is unknown, expired or its account disabled.
    pub async fn set_password_with_setup_token(
        &self,
        token_hash: &[u8],
        password_hash: &str,
        now: OffsetDateTime,
        request_id: Option<String>,
    ) -> Result<Option<UserId>, StoreError> {
        let Some(user) = self.find_setup_token(token_hash, now).await? else {
            return Ok(None);
        };
        let actor = Actor::visitor(user.to_string(), request_id, now);
        let audit = PendingEntry::new(&actor, AuditEvent::for_user("password.set", user))?;
        self.replace_password(user, password_hash, &audit).await?;
        Ok(Some(user))
    }

    /// Sets the language the console speaks to an account; audited as `language.changed`.
    pub async fn set_user_language(
        &self,
        actor: &Actor,
        user: UserId,
        language: Lang,
    ) -> Result<(), StoreError> {
        let audit = PendingEntry::new(actor, AuditEvent::for_user("language.changed", user))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query("update users set language = $1 where id = $2")
                .bind(language.code())
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Changes an account's password and ends all its sessions; audited as `password.changed`.
    pub async fn change_password(
        &self,
        actor: &Actor,
        user: UserId,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        let audit = PendingEntry::new(actor, AuditEvent::for_user("password.changed", user))?;
        self.replace_password(user, password_hash, &audit).await
    }

    async fn replace_password(
        &self,
        user: UserId,
        password_hash: &str,
        audit: &PendingEntry,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query("update users set password_hash = $1 where id = $2")
                .bind(password_hash)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from setup_tokens where user_id = $1")
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from sessions where user_id = $1")
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }
}

/// Where an account's TOTP secret is sealed.
fn totp_context(user: UserId) -> crate::SealContext<'static> {
    crate::SealContext {
        table: "users",
        column: "totp",
        record: user.0,
    }
}

impl Store {
    /// Stores a new TOTP secret, sealed, not yet enabled (enrolment in progress).
    pub async fn set_totp_secret(&self, user: UserId, secret: &[u8]) -> Result<(), StoreError> {
        let sealed = self.keyring()?.seal(secret, totp_context(user))?;
        with_pool!(self, |pool| {
            let _turn = self.write_turn().await?;
            sqlx::query("update users set totp_sealed = $1, totp_enabled = false where id = $2")
                .bind(&sealed)
                .bind(user.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The account's TOTP secret, opened, if one is stored.
    pub async fn totp_secret(&self, user: UserId) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(Option<Vec<u8>>,)> = with_pool!(self, |pool| {
            sqlx::query_as("select totp_sealed from users where id = $1")
                .bind(user.0)
                .fetch_optional(pool)
                .await?
        });
        let Some((Some(sealed),)) = row else {
            return Ok(None);
        };
        Ok(Some(self.keyring()?.open(&sealed, totp_context(user))?))
    }

    /// Turns the stored TOTP secret on after the account proved it can generate codes; audited.
    pub async fn enable_totp(&self, actor: &Actor, user: UserId) -> Result<(), StoreError> {
        let audit = PendingEntry::new(actor, AuditEvent::for_user("totp.enabled", user))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query(
                "update users set totp_enabled = true where id = $1 and totp_sealed is not null",
            )
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records that a session passed its second factor, under a new token: the token someone
    /// may have seen before the second factor ends here. The session keeps its age (the
    /// absolute limit still counts from the password) and takes a new CSRF token. Returns
    /// whether the old session still existed.
    pub async fn pass_second_factor(
        &self,
        old_token_hash: &[u8],
        new_token_hash: &[u8],
        new_csrf_token: &str,
    ) -> Result<bool, StoreError> {
        let moved = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let moved = sqlx::query(
                "insert into sessions (token_hash, user_id, csrf_token, second_factor_done, \
                 created_at, last_seen_at) \
                 select $2, user_id, $3, true, created_at, last_seen_at from sessions \
                 where token_hash = $1",
            )
            .bind(old_token_hash)
            .bind(new_token_hash)
            .bind(new_csrf_token)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query("delete from sessions where token_hash = $1")
                .bind(old_token_hash)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            moved == 1
        });
        Ok(moved)
    }
}

impl Store {
    /// Replaces an account's recovery codes (their SHA-256 hashes); audited.
    pub async fn set_recovery_codes(
        &self,
        actor: &Actor,
        user: UserId,
        hashes: &[Vec<u8>],
    ) -> Result<(), StoreError> {
        let hex: Vec<String> = hashes.iter().map(|h| to_hex(h)).collect();
        let audit = PendingEntry::new(actor, AuditEvent::for_user("recovery-codes.issued", user))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query("update users set recovery_hashes = $1 where id = $2")
                .bind(Json(&hex))
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Uses up one recovery code: true if its hash was among the account's, which no longer holds
    /// it; audited when used.
    pub async fn consume_recovery_code(
        &self,
        actor: &Actor,
        user: UserId,
        hash: &[u8],
    ) -> Result<bool, StoreError> {
        let wanted = to_hex(hash);
        let audit = PendingEntry::new(
            actor,
            AuditEvent::for_user("login.recovery-code-used", user),
        )?;
        let used = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            // Writing first takes the row (or database) lock, so one code cannot be used twice.
            sqlx::query("update users set recovery_hashes = recovery_hashes where id = $1")
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
            let row: Option<(Json<Vec<String>>,)> =
                sqlx::query_as("select recovery_hashes from users where id = $1")
                    .bind(user.0)
                    .fetch_optional(&mut *tx)
                    .await?;
            let mut codes = row.map(|(Json(codes),)| codes).unwrap_or_default();
            let before = codes.len();
            codes.retain(|c| *c != wanted);
            let used = codes.len() < before;
            if used {
                sqlx::query("update users set recovery_hashes = $1 where id = $2")
                    .bind(Json(&codes))
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?;
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
            used
        });
        Ok(used)
    }
}

impl Store {
    /// Re-encrypts every TOTP secret not sealed with the current key; returns how many. Staff
    /// accounts are few, so one pass reads them all; running it again does nothing.
    pub async fn reseal_totp_secrets(&self, actor: &Actor) -> Result<usize, StoreError> {
        let keyring = self.keyring()?;
        let current = keyring.current_key_id();
        let rows: Vec<(Uuid, Vec<u8>)> = with_pool!(self, |pool| {
            sqlx::query_as("select id, totp_sealed from users where totp_sealed is not null")
                .fetch_all(pool)
                .await?
        });
        let stale: Vec<(Uuid, Vec<u8>)> = rows
            .into_iter()
            .filter(|(_, blob)| crate::crypto::sealed_key_id(blob).is_ok_and(|id| id != current))
            .collect();
        if stale.is_empty() {
            return Ok(0);
        }
        let audit = PendingEntry::new(
            actor,
            AuditEvent {
                action: "keys.resealed",
                record_type: Some("user"),
                record_id: None,
            },
        )?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            for (id, blob) in &stale {
                let context = totp_context(UserId(*id));
                let resealed = keyring.seal(&keyring.open(blob, context)?, context)?;
                sqlx::query("update users set totp_sealed = $1 where id = $2")
                    .bind(&resealed)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(stale.len())
    }
}

impl Store {
    /// Records that an account used the TOTP code of time step `step`; false if that step or a
    /// later one was used already (a replayed code). One statement, so two requests racing with
    /// the same code cannot both win.
    pub async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool, StoreError> {
        let done = with_pool!(self, |pool| {
            let _turn = self.write_turn().await?;
            sqlx::query(
                "update users set totp_last_step = $1 where id = $2 \
                 and (totp_last_step is null or totp_last_step < $1)",
            )
            .bind(step)
            .bind(user.0)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }
}

/// Recovery-code hashes are stored as lowercase hex strings in a JSON list.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
