//! Blind indexes: keyed HMAC-SHA-256 digests of normalized tokens. The database can match a search
//! digest against stored digests without ever holding the plaintext; without the index key the
//! digests reveal only which rows share a token.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::Keyring;

type HmacSha256 = Hmac<Sha256>;

/// Shortest prefix indexed for prefix search: one or two letters would match half the table.
const MIN_PREFIX: usize = 3;
/// Longest prefix indexed; longer tokens are matched on their first 24 characters.
const MAX_PREFIX: usize = 24;
/// Phone numbers are also indexed by their last eight digits, so a local number finds an
/// international one (`5555 0199` finds `+502 5555 0199`).
const PHONE_SUFFIX: usize = 8;

/// A searchable field and how its tokens are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlindField {
    /// Names: every prefix (3 to 24 characters) of every word, case and accents folded.
    PersonName,
    /// Phone numbers: all digits, and the last eight digits.
    PersonPhone,
    /// The number a contact's caller called from, tokenized as a person's phone.
    CallerPhone,
}

impl BlindField {
    pub fn as_str(self) -> &'static str {
        match self {
            BlindField::PersonName => "person.name",
            BlindField::PersonPhone => "person.phone",
            BlindField::CallerPhone => "contact.phone",
        }
    }
}

/// Words of a name, lowercased, accents removed (`María-José` → `maria`, `jose`).
fn name_tokens(text: &str) -> Vec<String> {
    let folded: String = text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The digits of a phone number, and its last eight digits when it is longer.
fn phone_tokens(text: &str) -> Vec<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return vec![];
    }
    let mut tokens = vec![digits.clone()];
    if digits.len() > PHONE_SUFFIX {
        tokens.push(digits[digits.len() - PHONE_SUFFIX..].to_owned());
    }
    tokens
}

impl Keyring {
    /// The digests to store for `text` in `field`, deduplicated.
    pub fn index_digests(&self, field: BlindField, text: &str) -> Vec<Vec<u8>> {
        let mut keys: Vec<String> = match field {
            BlindField::PersonName => name_tokens(text).iter().flat_map(|t| prefixes(t)).collect(),
            BlindField::PersonPhone | BlindField::CallerPhone => phone_tokens(text),
        };
        keys.sort();
        keys.dedup();
        keys.iter().map(|token| self.digest(field, token)).collect()
    }

    /// The digests to look up for a search: one per query token, which must all match, the
    /// longest (rarest) token first. Name tokens shorter than three characters cannot be searched
    /// and give no digest.
    pub fn search_digests(&self, field: BlindField, query: &str) -> Vec<Vec<u8>> {
        let mut tokens: Vec<String> = match field {
            BlindField::PersonName => name_tokens(query)
                .into_iter()
                .filter(|t| t.chars().count() >= MIN_PREFIX)
                .map(|t| t.chars().take(MAX_PREFIX).collect())
                .collect(),
            // A search by phone matches on all digits, or on the last eight.
            BlindField::PersonPhone | BlindField::CallerPhone => {
                phone_tokens(query).into_iter().last().into_iter().collect()
            }
        };
        tokens.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
        tokens
            .iter()
            .map(|token| self.digest(field, token))
            .collect()
    }

    /// A keyed digest of `text` for `purpose` (e.g. a sign-in address), under the index key and
    /// apart from every blind index: rows can be told apart without holding what they are for.
    pub(crate) fn keyed_digest(&self, purpose: &str, text: &[u8]) -> Vec<u8> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(self.index_key.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"antitrata/keyed-digest/v1\0");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(text);
        mac.finalize().into_bytes().to_vec()
    }

    fn digest(&self, field: BlindField, token: &str) -> Vec<u8> {
        // The key is 32 bytes, which HMAC always accepts.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(self.index_key.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"antitrata/blind-index/v1\0");
        mac.update(field.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(token.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

fn prefixes(token: &str) -> Vec<String> {
    let chars: Vec<char> = token.chars().take(MAX_PREFIX).collect();
    if chars.len() < MIN_PREFIX {
        return vec![chars.iter().collect()];
    }
    (MIN_PREFIX..=chars.len())
        .map(|n| chars[..n].iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::crypto::{KeyFile, NonceSource};

    struct Fixed(u8);
    impl NonceSource for Fixed {
        fn fill(&self, buf: &mut [u8]) {
            buf.fill(self.0);
        }
    }

    fn ring(byte: u8) -> Keyring {
        KeyFile::generate(&Fixed(byte), "t")
            .into_keyring(Arc::new(Fixed(byte)))
            .unwrap()
    }

    #[test]
    fn a_search_leads_with_its_longest_word() {
        let k = ring(1);
        let field = BlindField::PersonName;
        let digests = k.search_digests(field, "Ana García Cux");
        assert_eq!(digests.len(), 3);
        assert_eq!(digests[0], k.search_digests(field, "garcía")[0]);
        assert!(digests.contains(&k.search_digests(field, "ana")[0]));
    }

    #[test]
    fn names_fold_case_accents_and_punctuation() {
        assert_eq!(name_tokens("María-José  LÓPEZ"), ["maria", "jose", "lopez"]);
        assert_eq!(name_tokens("Ñandú O'Neil"), ["nandu", "o", "neil"]);
        assert!(name_tokens(" -- ").is_empty());
    }

    #[test]
    fn phones_keep_digits_and_the_local_part() {
        assert_eq!(phone_tokens("+502 5555-0199"), ["50255550199", "55550199"]);
        assert_eq!(phone_tokens("5555 0199"), ["55550199"]);
        assert!(phone_tokens("n/a").is_empty());
    }

    #[test]
    fn a_prefix_or_a_differently_written_name_finds_the_record() {
        let ring = ring(7);
        let stored = ring.index_digests(BlindField::PersonName, "María López");
        for query in ["maria", "MARÍA", "lop", "López", "mar"] {
            let wanted = ring.search_digests(BlindField::PersonName, query);
            assert_eq!(wanted.len(), 1, "{query}");
            assert!(stored.contains(&wanted[0]), "{query} should match");
        }
        for query in ["mario", "lopes", "ma"] {
            let wanted = ring.search_digests(BlindField::PersonName, query);
            assert!(
                wanted.iter().all(|d| !stored.contains(d)),
                "{query} should not match"
            );
        }
    }

    #[test]
    fn phones_match_with_or_without_the_country_code() {
        let ring = ring(3);
        let stored = ring.index_digests(BlindField::PersonPhone, "+502 5555-0199");
        for query in ["5555 0199", "+502 5555 0199", "(502) 55550199"] {
            let wanted = ring.search_digests(BlindField::PersonPhone, query);
            assert!(stored.contains(&wanted[0]), "{query}");
        }
        let other = ring.search_digests(BlindField::PersonPhone, "5555 0198");
        assert!(!stored.contains(&other[0]));
    }

    #[test]
    fn digests_depend_on_the_key_and_the_field() {
        let (a, b) = (ring(1), ring(2));
        assert_ne!(
            a.search_digests(BlindField::PersonName, "maria"),
            b.search_digests(BlindField::PersonName, "maria")
        );
        assert_ne!(
            a.search_digests(BlindField::PersonName, "12345678"),
            a.search_digests(BlindField::PersonPhone, "12345678")
        );
    }
}
