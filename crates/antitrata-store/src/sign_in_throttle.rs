//! Sign-in throttling: failed attempts counted per account, per second factor and per source
//! address, under the domain's [`throttle`](antitrata_domain::throttle) schedules.
//!
//! An attempt is taken (counted as a failure) *before* the password or code is checked, in one
//! transaction over all its keys, so that attempts racing each other cannot all be checked: the
//! sixth of sixteen concurrent wrong passwords already waits. A success gives the attempt back.
//! Addresses are kept as keyed digests, never as addresses.

use std::net::IpAddr;

use antitrata_domain::UserId;
use antitrata_domain::throttle::{self, Schedule};
use time::{Duration, OffsetDateTime};

use crate::accounts::to_hex;
use crate::store::with_pool;
use crate::time_columns::{from_unix, unix};
use crate::{Store, StoreError};

/// What failed sign-in attempts are counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleKey {
    /// An account's password: at sign-in, and when the password is confirmed to change it.
    Password(UserId),
    /// An account's second factor (TOTP and recovery codes), across sign-ins: a correct password
    /// does not forgive wrong codes.
    SecondFactor(UserId),
    /// The address an attempt comes from, whichever account it names.
    Address(IpAddr),
}

impl ThrottleKey {
    pub fn schedule(self) -> Schedule {
        match self {
            ThrottleKey::Password(_) | ThrottleKey::Address(_) => throttle::PASSWORD,
            ThrottleKey::SecondFactor(_) => throttle::SECOND_FACTOR,
        }
    }

    /// The key's row in `login_throttle`: an address only as an HMAC under the index key.
    fn row_key(self, store: &Store) -> Result<String, StoreError> {
        Ok(match self {
            ThrottleKey::Password(id) => format!("account:{id}"),
            ThrottleKey::SecondFactor(id) => format!("second-factor:{id}"),
            ThrottleKey::Address(ip) => {
                let digest = store
                    .keyring()?
                    .keyed_digest("sign-in.address", ip.to_string().as_bytes());
                format!("address:{}", to_hex(&digest))
            }
        })
    }
}

/// Whether an attempt may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted as a failure under every key until [`Store::give_back_attempt`] says it succeeded.
    Taken,
    /// Refused, and not counted: one of the keys must still wait this long.
    Wait(Duration),
}

impl Store {
    /// Takes one attempt under every key at `now`, unless one of them must still wait; then
    /// nothing is counted. Concurrent callers are serialized on the keys' rows.
    pub async fn take_attempt(
        &self,
        keys: &[ThrottleKey],
        now: OffsetDateTime,
    ) -> Result<Attempt, StoreError> {
        let mut rows = keys
            .iter()
            .map(|key| Ok((key.row_key(self)?, key.schedule())))
            .collect::<Result<Vec<_>, StoreError>>()?;
        // One order for every caller, so two transactions never wait for each other's rows.
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.dedup_by(|a, b| a.0 == b.0);
        let now_s = unix(now);
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let mut counted = Vec::with_capacity(rows.len());
            for (key, schedule) in &rows {
                sqlx::query(
                    "insert into login_throttle (key, failures, last_failure_at) \
                     values ($1, 0, $2) on conflict (key) do nothing",
                )
                .bind(key)
                .bind(now_s)
                .execute(&mut *tx)
                .await?;
                // An update that changes nothing takes the row's lock on PostgreSQL; SQLite's
                // writers already take turns.
                let (failures, last): (i64, i64) = sqlx::query_as(
                    "update login_throttle set key = key where key = $1 \
                     returning failures, last_failure_at",
                )
                .bind(key)
                .fetch_one(&mut *tx)
                .await?;
                let failures = u32::try_from(failures).unwrap_or(u32::MAX);
                let last = from_unix(last)?;
                if let Err(wait) = schedule.check(failures, last, now) {
                    // Nothing written is kept: the rows inserted above go with the rollback.
                    tx.rollback().await?;
                    return Ok(Attempt::Wait(wait));
                }
                counted.push(
                    schedule
                        .failures_counting(failures, last, now)
                        .saturating_add(1),
                );
            }
            for ((key, _), failures) in rows.iter().zip(counted) {
                sqlx::query(
                    "update login_throttle set failures = $2, last_failure_at = $3 where key = $1",
                )
                .bind(key)
                .bind(i64::from(failures))
                .bind(now_s)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(Attempt::Taken)
    }

    /// After a success: an account's password or second factor starts again from zero, and an
    /// address gets back the one attempt taken (its other failures still count).
    pub async fn give_back_attempt(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        for key in keys {
            let row = key.row_key(self)?;
            with_pool!(self, |pool| {
                let _turn = self.write_turn().await?;
                let sql = match key {
                    ThrottleKey::Address(_) => {
                        "update login_throttle set failures = failures - 1 \
                         where key = $1 and failures > 0"
                    }
                    ThrottleKey::Password(_) | ThrottleKey::SecondFactor(_) => {
                        "delete from login_throttle where key = $1"
                    }
                };
                sqlx::query(sql).bind(&row).execute(pool).await?;
            });
        }
        Ok(())
    }

    /// The failures counted under `key` and when the last was.
    pub async fn attempts_counted(
        &self,
        key: ThrottleKey,
    ) -> Result<Option<(u32, OffsetDateTime)>, StoreError> {
        let row_key = key.row_key(self)?;
        let row: Option<(i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as("select failures, last_failure_at from login_throttle where key = $1")
                .bind(&row_key)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(failures, last)| {
            Ok((
                u32::try_from(failures).unwrap_or(u32::MAX),
                from_unix(last)?,
            ))
        })
        .transpose()
    }
}
