//! Console sessions. The store keeps only hashes of session tokens and
//! decides nothing about time limits: callers pass `now` and the limits.

use antitrata_domain::UserId;
use sqlx::FromRow;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::store::with_pool;
use crate::{Store, StoreError};

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: UserId,
    pub csrf_token: String,
    pub second_factor_done: bool,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// How stale a session's last activity may be before a request writes it down again: every
/// console request would otherwise be a write, and the idle limit is counted in tens of minutes.
const TOUCH_GRANULARITY: time::Duration = time::Duration::minutes(1);

/// How long sessions live: idle and absolute limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle: time::Duration,
    pub absolute: time::Duration,
}

#[derive(FromRow)]
struct SessionRow {
    user_id: Uuid,
    csrf_token: String,
    second_factor_done: bool,
    created_at: i64,
    last_seen_at: i64,
}

fn at(seconds: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Starts a session for `user`.
    pub async fn insert_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        csrf_token: &str,
        second_factor_done: bool,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            let _turn = self.write_turn().await?;
            sqlx::query(
                "insert into sessions (token_hash, user_id, csrf_token, second_factor_done, \
                 created_at, last_seen_at) values ($1, $2, $3, $4, $5, $5)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(csrf_token)
            .bind(second_factor_done)
            .bind(now.unix_timestamp())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The live session with this token hash, touched at `now` (to the minute); `None` (and the session deleted)
    /// if it has been idle or alive too long, or its account is disabled.
    pub async fn find_session(
        &self,
        token_hash: &[u8],
        now: OffsetDateTime,
        limits: SessionLimits,
    ) -> Result<Option<Session>, StoreError> {
        let row: Option<SessionRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "select s.user_id, s.csrf_token, s.second_factor_done, s.created_at, s.last_seen_at \
                 from sessions s join users u on u.id = s.user_id \
                 where s.token_hash = $1 and not u.disabled",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        let session = Session {
            user: UserId(row.user_id),
            csrf_token: row.csrf_token,
            second_factor_done: row.second_factor_done,
            created_at: at(row.created_at)?,
            last_seen_at: at(row.last_seen_at)?,
        };
        if now - session.last_seen_at > limits.idle || now - session.created_at > limits.absolute {
            self.delete_session(token_hash).await?;
            return Ok(None);
        }
        if now - session.last_seen_at < TOUCH_GRANULARITY {
            return Ok(Some(session));
        }
        with_pool!(self, |pool| {
            let _turn = self.write_turn().await?;
            sqlx::query("update sessions set last_seen_at = $1 where token_hash = $2")
                .bind(now.unix_timestamp())
                .bind(token_hash)
                .execute(pool)
                .await?;
        });
        Ok(Some(Session {
            last_seen_at: now,
            ..session
        }))
    }

    /// Ends one session (logout).
    pub async fn delete_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            let _turn = self.write_turn().await?;
            sqlx::query("delete from sessions where token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends every session of an account (password change, disabling); returns how many.
    pub async fn delete_sessions_of(&self, user: UserId) -> Result<u64, StoreError> {
        let done = with_pool!(self, |pool| {
            let _turn = self.write_turn().await?;
            sqlx::query("delete from sessions where user_id = $1")
                .bind(user.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }
}
