//! Encryption of personal fields at rest and blind indexes to search them.
//!
//! - `keyring`: the deployment's data keys, read from a key file outside the database.
//! - `sealed`: XChaCha20-Poly1305 with the key id in every ciphertext, bound to its row and column.
//! - `blind_index`: keyed HMAC-SHA-256 of normalized tokens, for exact and prefix-of-token search
//!   without decrypting the table.

mod blind_index;
mod keyring;
mod sealed;

pub use blind_index::BlindField;
pub use keyring::{KeyFile, Keyring, NonceSource};
pub use sealed::SealContext;
pub(crate) use sealed::sealed_key_id;

/// Failures of the cryptography layer. Messages never contain plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the key file is not valid: {0}")]
    KeyFile(String),
    #[error(
        "the ciphertext names key {0}, which is not in the key file: restore the key file that sealed it"
    )]
    UnknownKey(u32),
    #[error("a sealed value is malformed or was tampered with")]
    Tampered,
}
