//! Sealing: XChaCha20-Poly1305 with a random 192-bit nonce, the key id in the ciphertext, and the
//! row and column as associated data, so a ciphertext copied to another row or column fails to open.

use chacha20poly1305::XNonce;
use chacha20poly1305::aead::{Aead, Payload};
use uuid::Uuid;

use super::{CryptoError, Keyring};

const FORMAT_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN;

/// Where a sealed value lives: table, column and row. Part of the authenticated data.
#[derive(Debug, Clone, Copy)]
pub struct SealContext<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub record: Uuid,
}

impl SealContext<'_> {
    fn associated_data(&self) -> Vec<u8> {
        format!(
            "antitrata/v1/{}/{}/{}",
            self.table, self.column, self.record
        )
        .into_bytes()
    }
}

impl Keyring {
    /// Encrypts `plaintext` with the current key: `version | key id | nonce | ciphertext+tag`.
    pub fn seal(&self, plaintext: &[u8], context: SealContext<'_>) -> Result<Vec<u8>, CryptoError> {
        let cipher = self
            .ciphers
            .get(&self.current)
            .ok_or(CryptoError::UnknownKey(self.current))?;
        let mut nonce = [0u8; NONCE_LEN];
        self.nonces.fill(&mut nonce);
        let aad = context.associated_data();
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Tampered)?;
        let mut blob = Vec::with_capacity(HEADER_LEN + ciphertext.len());
        blob.push(FORMAT_VERSION);
        blob.extend_from_slice(&self.current.to_be_bytes());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        Ok(blob)
    }

    /// Decrypts a blob made by [`Keyring::seal`] for the same context, with whichever key sealed it.
    pub fn open(&self, blob: &[u8], context: SealContext<'_>) -> Result<Vec<u8>, CryptoError> {
        let key_id = sealed_key_id(blob)?;
        let cipher = self
            .ciphers
            .get(&key_id)
            .ok_or(CryptoError::UnknownKey(key_id))?;
        let nonce = XNonce::from_slice(&blob[5..HEADER_LEN]);
        let aad = context.associated_data();
        cipher
            .decrypt(
                nonce,
                Payload {
                    msg: &blob[HEADER_LEN..],
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Tampered)
    }

    /// Seals a string.
    pub fn seal_str(&self, text: &str, context: SealContext<'_>) -> Result<Vec<u8>, CryptoError> {
        self.seal(text.as_bytes(), context)
    }

    /// Opens a sealed string.
    pub fn open_str(&self, blob: &[u8], context: SealContext<'_>) -> Result<String, CryptoError> {
        String::from_utf8(self.open(blob, context)?).map_err(|_| CryptoError::Tampered)
    }
}

/// The id of the key a blob was sealed with.
pub(crate) fn sealed_key_id(blob: &[u8]) -> Result<u32, CryptoError> {
    if blob.len() < HEADER_LEN + 16 || blob[0] != FORMAT_VERSION {
        return Err(CryptoError::Tampered);
    }
    Ok(u32::from_be_bytes([blob[1], blob[2], blob[3], blob[4]]))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU8, Ordering};

    use super::*;
    use crate::crypto::{KeyFile, NonceSource};

    /// Different bytes on every call; enough for tests, never for production.
    #[derive(Default)]
    struct Counter(AtomicU8);
    impl NonceSource for Counter {
        fn fill(&self, buf: &mut [u8]) {
            let n = self.0.fetch_add(1, Ordering::Relaxed);
            for (i, b) in buf.iter_mut().enumerate() {
                *b = n.wrapping_mul(31).wrapping_add(i as u8);
            }
        }
    }

    fn keyring() -> (KeyFile, Arc<Counter>) {
        let random = Arc::new(Counter::default());
        (
            KeyFile::generate(random.as_ref(), "2026-01-01T00:00:00Z"),
            random,
        )
    }

    fn context(column: &str, record: u128) -> SealContext<'_> {
        SealContext {
            table: "persons",
            column,
            record: Uuid::from_u128(record),
        }
    }

    #[test]
    fn seals_and_opens_and_hides_the_plaintext() {
        let (file, random) = keyring();
        let ring = file.into_keyring(random).unwrap();
        let blob = ring.seal_str("María López", context("name", 1)).unwrap();
        assert!(!blob.windows(5).any(|w| w == b"Mar\xc3\xad"));
        assert_eq!(sealed_key_id(&blob).unwrap(), 1);
        assert_eq!(
            ring.open_str(&blob, context("name", 1)).unwrap(),
            "María López"
        );
        // Same plaintext, fresh nonce: different ciphertext.
        assert_ne!(
            blob,
            ring.seal_str("María López", context("name", 1)).unwrap()
        );
    }

    #[test]
    fn a_ciphertext_moved_or_altered_does_not_open() {
        let (file, random) = keyring();
        let ring = file.into_keyring(random).unwrap();
        let blob = ring.seal_str("secret", context("name", 1)).unwrap();
        assert!(matches!(
            ring.open(&blob, context("name", 2)),
            Err(CryptoError::Tampered)
        ));
        assert!(matches!(
            ring.open(&blob, context("phone", 1)),
            Err(CryptoError::Tampered)
        ));
        let mut flipped = blob.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(
            ring.open(&flipped, context("name", 1)),
            Err(CryptoError::Tampered)
        ));
        assert!(matches!(
            ring.open(&blob[..10], context("name", 1)),
            Err(CryptoError::Tampered)
        ));
    }

    #[test]
    fn old_keys_still_open_after_rotation() {
        let (mut file, random) = keyring();
        let text = file.to_text().unwrap();
        let old = KeyFile::parse(&text)
            .unwrap()
            .into_keyring(random.clone())
            .unwrap();
        let blob = old.seal_str("before rotation", context("name", 7)).unwrap();
        assert_eq!(file.add_key(random.as_ref(), "2026-06-01T00:00:00Z"), 2);
        let new = KeyFile::parse(&file.to_text().unwrap())
            .unwrap()
            .into_keyring(random)
            .unwrap();
        assert_eq!(new.current_key_id(), 2);
        assert_eq!(
            new.open_str(&blob, context("name", 7)).unwrap(),
            "before rotation"
        );
        assert_eq!(
            sealed_key_id(&new.seal_str("after", context("name", 7)).unwrap()).unwrap(),
            2
        );
    }

    #[test]
    fn a_missing_key_is_named() {
        let (mut file, random) = keyring();
        file.add_key(random.as_ref(), "later");
        let ring = KeyFile::parse(&file.to_text().unwrap())
            .unwrap()
            .into_keyring(random.clone())
            .unwrap();
        let blob = ring.seal_str("x", context("name", 1)).unwrap();
        file.keys.retain(|k| k.id == 1);
        file.current = 1;
        let older = file.into_keyring(random).unwrap();
        let err = older.open(&blob, context("name", 1)).unwrap_err();
        assert!(err.to_string().contains("key 2"), "{err}");
    }

    #[test]
    fn broken_key_files_say_what_is_wrong() {
        let random: Arc<dyn NonceSource> = Arc::new(Counter::default());
        let bad = KeyFile::parse("current = 1\nindex_key = \"AAAA\"\nkeys = []\n").unwrap();
        let err = bad.into_keyring(random.clone()).unwrap_err().to_string();
        assert!(err.contains("current key 1"), "{err}");
        assert!(KeyFile::parse("nonsense").is_err());
        let short = "current = 1\nindex_key = \"AAAA\"\n[[keys]]\nid = 1\nkey = \"AAAA\"\ncreated = \"x\"\n";
        let err = KeyFile::parse(short)
            .unwrap()
            .into_keyring(random)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not 32 bytes"), "{err}");
    }
}
