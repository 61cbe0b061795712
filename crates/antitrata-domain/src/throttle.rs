//! Sign-in throttling rules: how many failed attempts are free under one key (an account's
//! password, an account's second factor, a source address), how long each further attempt must
//! wait, and when the failures are forgotten. The store applies them atomically; pages only say
//! how long to wait.

use time::Duration;

/// How attempts under one kind of key are slowed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Failures allowed before waiting starts.
    pub free_attempts: u32,
    /// The longest wait between two attempts.
    pub max_wait: Duration,
    /// After this long without a failure, the count starts again from zero.
    pub forget_after: Duration,
}

/// Passwords, per account and per source address: five free tries, then waits that double from
/// one second up to fifteen minutes; an hour without a failure forgives the rest.
pub const PASSWORD: Schedule = Schedule {
    free_attempts: 5,
    max_wait: Duration::minutes(15),
    forget_after: Duration::hours(1),
};

/// The second factor (TOTP codes and recovery codes), per account and across sign-ins: someone
/// who knows the password gets three free guesses, then waits that double up to an hour; only a
/// day without a failure forgives them. At most [`Schedule::most_attempts_within`] one hour
/// (fourteen) guesses of a six-digit code an hour.
pub const SECOND_FACTOR: Schedule = Schedule {
    free_attempts: 3,
    max_wait: Duration::hours(1),
    forget_after: Duration::days(1),
};

impl Schedule {
    /// How long to wait after the last of `failures` failures.
    pub fn wait_after(self, failures: u32) -> Duration {
        if failures < self.free_attempts {
            return Duration::ZERO;
        }
        let exponent = (failures - self.free_attempts).min(30);
        Duration::seconds(1i64 << exponent).min(self.max_wait)
    }

    /// The failures that still count at `now`, `failures` having been counted until `last`.
    pub fn failures_counting(
        self,
        failures: u32,
        last: time::OffsetDateTime,
        now: time::OffsetDateTime,
    ) -> u32 {
        if now - last >= self.forget_after {
            0
        } else {
            failures
        }
    }

    /// Whether an attempt may be made at `now`: `Ok(())`, or the time still to wait.
    pub fn check(
        self,
        failures: u32,
        last: time::OffsetDateTime,
        now: time::OffsetDateTime,
    ) -> Result<(), Duration> {
        let wait = last + self.wait_after(self.failures_counting(failures, last, now)) - now;
        if wait > Duration::ZERO {
            Err(wait)
        } else {
            Ok(())
        }
    }

    /// The most attempts anyone can make within `window`, each failing and each made as soon as
    /// it is allowed: the bound the tests hold the store to.
    pub fn most_attempts_within(self, window: Duration) -> u32 {
        let mut elapsed = Duration::ZERO;
        let mut failures = 0u32;
        loop {
            // The next attempt comes as soon as the wait after the failures so far allows.
            let next = if failures == 0 {
                Duration::ZERO
            } else {
                elapsed + self.wait_after(failures)
            };
            if next >= window {
                return failures;
            }
            elapsed = next;
            failures += 1;
        }
    }
}

/// A wait in whole minutes, rounded up and at least one, as the sign-in pages say it.
pub fn minutes_to_wait(wait: Duration) -> i64 {
    ((wait.whole_seconds() + 59) / 60).max(1)
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;

    #[test]
    fn password_waits_double_after_five_failures_up_to_fifteen_minutes() {
        assert_eq!(PASSWORD.wait_after(0), Duration::ZERO);
        assert_eq!(PASSWORD.wait_after(4), Duration::ZERO);
        assert_eq!(PASSWORD.wait_after(5), Duration::seconds(1));
        assert_eq!(PASSWORD.wait_after(6), Duration::seconds(2));
        assert_eq!(PASSWORD.wait_after(10), Duration::seconds(32));
        assert_eq!(PASSWORD.wait_after(20), Duration::minutes(15));
        assert_eq!(PASSWORD.wait_after(u32::MAX), Duration::minutes(15));
        assert_eq!(minutes_to_wait(Duration::seconds(1)), 1);
        assert_eq!(minutes_to_wait(Duration::seconds(61)), 2);
        assert_eq!(minutes_to_wait(Duration::minutes(15)), 15);
    }

    #[test]
    fn failures_are_forgotten_only_after_a_quiet_spell() {
        let last = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        assert_eq!(
            PASSWORD.check(5, last, last),
            Err(Duration::seconds(1)),
            "the sixth attempt waits"
        );
        assert_eq!(PASSWORD.check(5, last, last + Duration::seconds(1)), Ok(()));
        assert_eq!(
            PASSWORD.check(30, last, last + Duration::minutes(14)),
            Err(Duration::minutes(1))
        );
        assert_eq!(
            PASSWORD.failures_counting(30, last, last + Duration::hours(1)),
            0
        );
        assert_eq!(
            SECOND_FACTOR.failures_counting(30, last, last + Duration::hours(23)),
            30,
            "a day must pass before second-factor failures are forgotten"
        );
    }

    #[test]
    fn a_known_password_gives_few_second_factor_guesses_an_hour() {
        // 3 free, then waits of 1, 2, 4, …, 2048 s: the 4,095 s of waits do not fit in an hour.
        assert_eq!(SECOND_FACTOR.most_attempts_within(Duration::hours(1)), 14);
        // The fifteenth comes at 5,647 s; from then on, one guess an hour.
        let day = SECOND_FACTOR.most_attempts_within(Duration::days(1));
        assert_eq!(day, 14 + 23, "{day}");
        assert_eq!(PASSWORD.most_attempts_within(Duration::hours(1)), 17);
    }
}
