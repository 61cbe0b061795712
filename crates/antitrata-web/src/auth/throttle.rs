//! Login throttling: after five failures under one key (an account, or a source address), each
//! further attempt must wait twice as long as the last, up to fifteen minutes.

use antitrata_store::Store;
use time::{Duration, OffsetDateTime};

/// Failures allowed before waiting starts.
pub(crate) const FREE_ATTEMPTS: u32 = 5;
/// The longest wait.
pub(crate) const MAX_WAIT: Duration = Duration::minutes(15);

/// How long to wait after the last of `failures` failures.
pub(crate) fn wait_after(failures: u32) -> Duration {
    if failures < FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let exponent = (failures - FREE_ATTEMPTS).min(20);
    Duration::seconds(1i64 << exponent).min(MAX_WAIT)
}

/// The address a request comes from: the peer, or, when the peer is a trusted proxy, the nearest
/// address in `X-Forwarded-For` that is not itself a trusted proxy. A client cannot spoof it by
/// sending its own header, since only entries added by trusted proxies are skipped.
pub(crate) fn client_address(
    peer: Option<std::net::IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut nearest = peer;
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        let Ok(address) = hop.trim().parse::<std::net::IpAddr>() else {
            break;
        };
        nearest = address;
        if !trusted.contains(&address) {
            break;
        }
    }
    Some(nearest)
}

/// A wait in whole minutes, rounded up and at least one, as the sign-in pages say it.
pub(crate) fn minutes_to_wait(wait: Duration) -> i64 {
    ((wait.whole_seconds() + 59) / 60).max(1)
}

pub(crate) fn account_key(id: impl std::fmt::Display) -> String {
    format!("account:{id}")
}

pub(crate) fn address_key(address: impl std::fmt::Display) -> String {
    format!("address:{address}")
}

/// The time left to wait before another attempt under any of `keys`, if any.
pub(crate) async fn time_to_wait(
    store: &Store,
    keys: &[String],
    now: OffsetDateTime,
) -> Result<Option<Duration>, antitrata_store::StoreError> {
    let mut longest = Duration::ZERO;
    for key in keys {
        if let Some((failures, last)) = store.login_failures(key).await? {
            longest = longest.max(last + wait_after(failures) - now);
        }
    }
    Ok((longest > Duration::ZERO).then_some(longest))
}

/// Counts a failure under every key.
pub(crate) async fn record_failure(
    store: &Store,
    keys: &[String],
    now: OffsetDateTime,
) -> Result<(), antitrata_store::StoreError> {
    for key in keys {
        store.record_login_failure(key, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_address_is_believed_only_from_trusted_proxies() {
        let proxy = [ip("10.0.0.1")];
        // Direct connection: the peer, whatever the header says.
        assert_eq!(
            client_address(Some(ip("203.0.113.9")), Some("1.2.3.4"), &proxy),
            Some(ip("203.0.113.9"))
        );
        // Through the proxy: the address it appended.
        assert_eq!(
            client_address(Some(ip("10.0.0.1")), Some("1.2.3.4, 198.51.100.7"), &proxy),
            Some(ip("198.51.100.7"))
        );
        // A chain of trusted proxies is walked back to the first untrusted hop.
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_address(
                Some(ip("10.0.0.1")),
                Some("198.51.100.7, 10.0.0.2"),
                &proxies
            ),
            Some(ip("198.51.100.7"))
        );
        // Garbage stops the walk at the last good hop.
        assert_eq!(
            client_address(Some(ip("10.0.0.1")), Some("nonsense"), &proxy),
            Some(ip("10.0.0.1"))
        );
        assert_eq!(client_address(None, None, &proxy), None);
    }

    #[test]
    fn waits_double_after_five_failures_up_to_fifteen_minutes() {
        assert_eq!(wait_after(0), Duration::ZERO);
        assert_eq!(wait_after(4), Duration::ZERO);
        assert_eq!(wait_after(5), Duration::seconds(1));
        assert_eq!(wait_after(6), Duration::seconds(2));
        assert_eq!(wait_after(10), Duration::seconds(32));
        assert_eq!(wait_after(20), MAX_WAIT);
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
        assert_eq!(minutes_to_wait(Duration::seconds(1)), 1);
        assert_eq!(minutes_to_wait(Duration::seconds(61)), 2);
        assert_eq!(minutes_to_wait(MAX_WAIT), 15);
    }
}
