//! Tokens as the database keeps them: setup links, session cookies and API tokens are stored
//! only as their SHA-256, so a copy of the database opens no account.

use sha2::{Digest, Sha256};

/// What the database keeps of a token: its SHA-256.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
