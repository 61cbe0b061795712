//! Bearer tokens of service accounts for the JSON API. Only the SHA-256 of a token is stored; the
//! token itself is shown once, when it is made. Issuing and revoking are audited; a token of a
//! disabled account, a revoked or an expired one opens nothing.

use antitrata_domain::{Account, Actor, UserId};
use sqlx::FromRow;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::accounts::{ACCOUNT_COLUMNS, AccountRow, check_reach};
use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::store::with_pool;
use crate::time_columns::{from_unix, unix};
use crate::{ConflictKind, Store, StoreError};

/// How often the last use of a token is written down: a busy client does not turn every read
/// into a write.
const LAST_USE_GRANULARITY: Duration = Duration::minutes(5);

/// A token as administrators see it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub user: UserId,
    /// What the token is for, to tell tokens apart.
    pub name: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

#[derive(FromRow)]
struct TokenRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    created_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
}

impl TokenRow {
    fn into_domain(self) -> Result<ApiToken, StoreError> {
        Ok(ApiToken {
            id: self.id,
            user: UserId(self.user_id),
            name: self.name,
            created_at: from_unix(self.created_at)?,
            expires_at: from_unix(self.expires_at)?,
            revoked_at: self.revoked_at.map(from_unix).transpose()?,
            last_used_at: self.last_used_at.map(from_unix).transpose()?,
        })
    }
}

/// A token's row with its account's (`find_api_token`); the token's columns that share a name
/// with the account's are renamed.
#[derive(FromRow)]
struct TokenAccountRow {
    token_id: Uuid,
    user_id: Uuid,
    token_name: String,
    token_created_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
    #[sqlx(flatten)]
    account: AccountRow,
}

fn token_event(action: &'static str, id: Uuid) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("api-token"),
        record_id: Some(id.to_string()),
    }
}

impl Store {
    /// Issues a token for a service account within the actor's reach; audited as
    /// `api-token.created`. A person's account gets no token (it signs in with a second factor);
    /// that is a `Conflict`.
    pub async fn insert_api_token(
        &self,
        actor: &Actor,
        account: &Account,
        id: Uuid,
        name: &str,
        token_hash: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<ApiToken, StoreError> {
        check_reach(actor, account.country)?;
        if !account.service {
            return Err(StoreError::Conflict(ConflictKind::NotAServiceAccount));
        }
        if account.disabled {
            return Err(StoreError::Conflict(ConflictKind::AccountDisabled));
        }
        let audit = PendingEntry::new(actor, token_event("api-token.created", id))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query(
                "insert into api_tokens (id, user_id, name, token_hash, created_at, expires_at) \
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(account.id.0)
            .bind(name)
            .bind(token_hash)
            .bind(unix(actor.at))
            .bind(unix(expires_at))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(ApiToken {
            id,
            user: account.id,
            name: name.to_owned(),
            created_at: from_unix(actor.at.unix_timestamp())?,
            expires_at: from_unix(expires_at.unix_timestamp())?,
            revoked_at: None,
            last_used_at: None,
        })
    }

    /// The token with this hash and its account, if the token is live at `now` (not revoked,
    /// not expired) and the account is an enabled service account. Notes the use.
    pub async fn find_api_token(
        &self,
        token_hash: &[u8],
        now: OffsetDateTime,
    ) -> Result<Option<(ApiToken, Account)>, StoreError> {
        // The token and its account in one query: every API request asks this first.
        let sql = format!(
            "select t.id as token_id, t.user_id, t.name as token_name, \
             t.created_at as token_created_at, t.expires_at, t.revoked_at, t.last_used_at, u.* \
             from api_tokens t join (select {ACCOUNT_COLUMNS} from users) u on u.id = t.user_id \
             where t.token_hash = $1 and t.revoked_at is null and t.expires_at > $2"
        );
        let row: Option<TokenAccountRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(token_hash)
                .bind(unix(now))
                .fetch_optional(pool)
                .await?
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let token = TokenRow {
            id: row.token_id,
            user_id: row.user_id,
            name: row.token_name,
            created_at: row.token_created_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            last_used_at: row.last_used_at,
        }
        .into_domain()?;
        let account = row.account.into_domain()?;
        if account.disabled || !account.service {
            return Ok(None);
        }
        let stale = token
            .last_used_at
            .is_none_or(|at| now - at >= LAST_USE_GRANULARITY);
        if stale {
            with_pool!(self, |pool| {
                let _turn = self.write_turn().await?;
                sqlx::query("update api_tokens set last_used_at = $2 where id = $1")
                    .bind(token.id)
                    .bind(unix(now))
                    .execute(pool)
                    .await?;
            });
        }
        Ok(Some((token, account)))
    }

    /// The tokens of the accounts within the actor's reach, newest first.
    pub async fn list_api_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, StoreError> {
        let reach = crate::accounts::accounts_reach(actor)?;
        let sql = "select t.id, t.user_id, t.name, t.created_at, t.expires_at, t.revoked_at, \
             t.last_used_at from api_tokens t join users u on u.id = t.user_id \
             where (cast($1 as text) is null or u.country = $1) \
             order by t.created_at desc, t.id desc";
        let rows: Vec<TokenRow> = with_pool!(self, |pool| {
            sqlx::query_as(sql)
                .bind(reach.map(|c| c.to_string()))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(TokenRow::into_domain).collect()
    }

    /// Revokes a token of an account within the actor's reach; audited as `api-token.revoked`.
    /// Returns whether a live token was revoked.
    pub async fn revoke_api_token(&self, actor: &Actor, id: Uuid) -> Result<bool, StoreError> {
        let owner: Option<(Option<String>,)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "select u.country from api_tokens t join users u on u.id = t.user_id \
                 where t.id = $1 and t.revoked_at is null",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        let Some((country,)) = owner else {
            return Ok(false);
        };
        let country = country
            .as_deref()
            .map(antitrata_domain::CountryCode::parse)
            .transpose()
            .map_err(|_| StoreError::Corrupt(format!("api token {id}: bad country")))?;
        if check_reach(actor, country).is_err() {
            return Ok(false);
        }
        let audit = PendingEntry::new(actor, token_event("api-token.revoked", id))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query(
                "update api_tokens set revoked_at = $2 where id = $1 and revoked_at is null",
            )
            .bind(id)
            .bind(unix(actor.at))
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(true)
    }
}
