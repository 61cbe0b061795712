//! The clock and the random source, injected by the binary so tests can fix them.

use std::fmt;
use std::sync::Arc;

use antitrata_store::NonceSource;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::OffsetDateTime;

/// Tells the time. The binary passes the system clock; tests pass one they can move.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// What the web layer needs from the outside world besides the store.
#[derive(Clone)]
pub struct Runtime {
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn NonceSource>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime").finish_non_exhaustive()
    }
}

impl Runtime {
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// A fresh 256-bit secret, URL-safe base64 (session tokens, CSRF tokens).
    pub fn token(&self) -> String {
        let mut bytes = [0u8; 32];
        self.random.fill(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A new UUIDv7 from this clock and random source.
    pub fn uuid_v7(&self) -> uuid::Uuid {
        let millis = u64::try_from(self.now().unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        let mut random = [0u8; 10];
        self.random.fill(&mut random);
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }

    pub fn salt(&self) -> [u8; 16] {
        let mut salt = [0u8; 16];
        self.random.fill(&mut salt);
        salt
    }
}
