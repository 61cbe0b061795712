//! Sign-in throttling at the edge: the address a request comes from, and one call that takes an
//! attempt before a password or code is checked. The schedules are the domain's
//! ([`antitrata_domain::throttle`]); the store counts atomically ([`Store::take_attempt`]).

use std::net::{IpAddr, SocketAddr};

use antitrata_store::{Attempt, AuditEvent, Store, StoreError, ThrottleKey};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use time::{Duration, OffsetDateTime};

use crate::AppState;

/// The address a request comes from (see [`client_address`]), or `None` when the server was
/// not given its connections' peers (tests that call the router directly).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddress(pub(crate) Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientAddress, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientAddress(client_address(
            peer,
            forwarded,
            &state.config.trusted_proxies,
        )))
    }
}

impl ClientAddress {
    /// The keys an attempt on `account`'s password from this address counts under. Without a
    /// known address only the account's: never one shared key that everyone's failures fill.
    pub(crate) fn password_keys(
        self,
        account: Option<antitrata_domain::UserId>,
    ) -> Vec<ThrottleKey> {
        self.0
            .map(ThrottleKey::Address)
            .into_iter()
            .chain(account.map(ThrottleKey::Password))
            .collect()
    }
}

/// Takes an attempt under `keys`; when one of them must still wait, records the refusal in the
/// audit trail and returns how long.
pub(crate) async fn take_attempt(
    store: &Store,
    keys: &[ThrottleKey],
    actor: &antitrata_domain::Actor,
    record: Option<antitrata_domain::UserId>,
    now: OffsetDateTime,
) -> Result<Option<Duration>, StoreError> {
    match store.take_attempt(keys, now).await? {
        Attempt::Taken => Ok(None),
        Attempt::Wait(wait) => {
            let event = AuditEvent {
                action: "login.throttled",
                record_type: Some("user"),
                record_id: record.map(|id| id.to_string()),
            };
            store.append_audit(actor, event).await?;
            tracing::warn!(account = ?record, "attempt refused: too many failures");
            Ok(Some(wait))
        }
    }
}

/// "Too many failed attempts: wait N minutes", as every throttled page says it.
pub(crate) fn wait_message(tr: &crate::i18n::Tr, wait: Duration) -> String {
    let minutes = antitrata_domain::throttle::minutes_to_wait(wait).to_string();
    tr.t1("login-throttled", "minutes", &minutes)
}

/// The address a request comes from: the peer, or, when the peer is a trusted proxy, the nearest
/// address in `X-Forwarded-For` that is not itself a trusted proxy. A client cannot spoof it by
/// sending its own header, since only entries added by trusted proxies are skipped.
pub(crate) fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut nearest = peer;
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        let Ok(address) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        nearest = address;
        if !trusted.contains(&address) {
            break;
        }
    }
    Some(nearest)
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
}
