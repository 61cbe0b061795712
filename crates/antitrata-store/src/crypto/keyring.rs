//! The deployment's data keys and the key file that holds them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::CryptoError;

/// Where nonces come from. The binary passes the operating system's random source; tests may pass
/// a deterministic one. Nothing in this crate calls a global RNG.
pub trait NonceSource: Send + Sync + 'static {
    fn fill(&self, buf: &mut [u8]);
}

const KEY_LEN: usize = 32;

/// The key file as written on disk (TOML). Keys are base64; `current` names the key new values are
/// sealed with. The index key never rotates: blind indexes must stay comparable.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub current: u32,
    pub index_key: String,
    pub keys: Vec<KeyEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    pub id: u32,
    pub key: String,
    /// When the key was made (RFC 3339), for the operator's records.
    pub created: String,
}

const KEY_FILE_HEADER: &str = "\
# antitrata data keys. Keep this file secret (mode 0600), outside the database and its backups,
# and back it up offline: without it no sealed field can ever be read again.
# `antitrata keys rotate` adds a key and re-encrypts everything with it.
";

impl KeyFile {
    /// A new key file with one encryption key and the index key, from `random`.
    pub fn generate(random: &dyn NonceSource, created: &str) -> KeyFile {
        KeyFile {
            current: 1,
            index_key: fresh_key(random),
            keys: vec![KeyEntry {
                id: 1,
                key: fresh_key(random),
                created: created.to_owned(),
            }],
        }
    }

    /// Adds a key and makes it current; returns its id.
    pub fn add_key(&mut self, random: &dyn NonceSource, created: &str) -> u32 {
        let id = self.keys.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        self.keys.push(KeyEntry {
            id,
            key: fresh_key(random),
            created: created.to_owned(),
        });
        self.current = id;
        id
    }

    pub fn parse(text: &str) -> Result<KeyFile, CryptoError> {
        toml::from_str(text).map_err(|e| CryptoError::KeyFile(e.message().to_owned()))
    }

    pub fn to_text(&self) -> Result<String, CryptoError> {
        let body = toml::to_string(self).map_err(|e| CryptoError::KeyFile(e.to_string()))?;
        Ok(format!("{KEY_FILE_HEADER}{body}"))
    }

    /// Checks every key and builds the keyring.
    pub fn into_keyring(self, nonces: Arc<dyn NonceSource>) -> Result<Keyring, CryptoError> {
        let mut ciphers = BTreeMap::new();
        for entry in &self.keys {
            let key = decode_key(&entry.key, &format!("key {}", entry.id))?;
            let cipher = XChaCha20Poly1305::new_from_slice(key.as_slice()).map_err(|_| {
                CryptoError::KeyFile(format!("key {} has the wrong length", entry.id))
            })?;
            if ciphers.insert(entry.id, cipher).is_some() {
                return Err(CryptoError::KeyFile(format!(
                    "key id {} appears twice",
                    entry.id
                )));
            }
        }
        if !ciphers.contains_key(&self.current) {
            return Err(CryptoError::KeyFile(format!(
                "current key {} is not in the file",
                self.current
            )));
        }
        let index_key = decode_key(&self.index_key, "index_key")?;
        Ok(Keyring {
            current: self.current,
            ciphers,
            index_key,
            nonces,
        })
    }
}

fn fresh_key(random: &dyn NonceSource) -> String {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    random.fill(key.as_mut_slice());
    BASE64.encode(key.as_slice())
}

fn decode_key(text: &str, name: &str) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
    let bytes = Zeroizing::new(
        BASE64
            .decode(text.trim())
            .map_err(|_| CryptoError::KeyFile(format!("{name} is not base64")))?,
    );
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    if bytes.len() != KEY_LEN {
        return Err(CryptoError::KeyFile(format!(
            "{name} is not {KEY_LEN} bytes"
        )));
    }
    key.copy_from_slice(&bytes);
    Ok(key)
}

/// The data keys in memory: one cipher per key id, the current id, the blind-index key and the
/// nonce source.
pub struct Keyring {
    pub(super) current: u32,
    pub(super) ciphers: BTreeMap<u32, XChaCha20Poly1305>,
    pub(super) index_key: Zeroizing<[u8; KEY_LEN]>,
    pub(super) nonces: Arc<dyn NonceSource>,
}

impl Keyring {
    /// The id of the key new values are sealed with.
    pub fn current_key_id(&self) -> u32 {
        self.current
    }
}

/// Never shows key material.
impl fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyFile")
            .field("current", &self.current)
            .field(
                "key_ids",
                &self.keys.iter().map(|k| k.id).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyEntry")
            .field("id", &self.id)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

/// Never shows key material.
impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current)
            .field("key_ids", &self.ciphers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
