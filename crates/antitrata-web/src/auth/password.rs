//! Passwords: Argon2id with OWASP's parameters, and the rules a new password must meet.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted.
pub(crate) const MIN_LENGTH: usize = 12;
/// The longest: hashing megabytes would be a denial of service.
pub(crate) const MAX_LENGTH: usize = 256;
/// zxcvbn's score (0 to 4) a password must reach: 3 means "safely unguessable".
const MIN_SCORE: u8 = 3;

/// Why a new password is refused; each has a Fluent key `password-<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(
    clippy::enum_variant_names,
    reason = "each says what the password is too much of"
)]
pub(crate) enum PasswordProblem {
    TooShort,
    TooLong,
    /// Common, or built from the account's own name or address.
    TooGuessable,
}

impl PasswordProblem {
    pub(crate) fn message_key(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password-too-short",
            PasswordProblem::TooLong => "password-too-long",
            PasswordProblem::TooGuessable => "password-too-guessable",
        }
    }
}

/// Argon2id with 64 MiB, three passes, one lane: above OWASP's minimum (19 MiB, two passes), so
/// that one guess costs about 100 ms on the project's 2-core machine (BENCHMARKS.md). Sign-ins are
/// rare and throttled; offline guessing after a leak is what this slows down.
fn argon2() -> Argon2<'static> {
    let params = Params::new(64 * 1024, 3, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks a new password against the rules; `context` holds the account's name and address,
/// which must not make up the password.
pub(crate) fn check_new_password(password: &str, context: &[&str]) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordProblem::TooLong);
    }
    let estimate = zxcvbn::zxcvbn(password, context);
    if u8::from(estimate.score()) < MIN_SCORE {
        return Err(PasswordProblem::TooGuessable);
    }
    Ok(())
}

/// Hashes a password with a 16-byte salt from the caller's random source; returns the PHC string.
pub fn hash_password(password: &str, salt: &[u8; 16]) -> Result<String, String> {
    let salt = SaltString::encode_b64(salt).map_err(|e| e.to_string())?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC string. A malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    if password.len() > MAX_LENGTH * 4 {
        return false;
    }
    PasswordHash::new(phc)
        .is_ok_and(|hash| argon2().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash of no one's password, verified when the account does not exist so that an unknown
/// address takes as long to refuse as a wrong password.
pub(crate) fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=65536,t=3,p=1$YW50aXRyYXRhLWR1bW15$bKr2QVrMfmSHoPZ0wL/fKG/uEv7oEQKu5WUV2RWbaG0"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_use_argon2id_with_our_parameters() {
        let hash = hash_password("correct horse battery staple", &[7; 16]).unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"),
            "{hash}"
        );
        let params = |phc: &str| phc.split('$').nth(3).unwrap().to_owned();
        assert_eq!(
            params(&hash),
            params(dummy_hash()),
            "the dummy hash costs as much as a real one"
        );
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("correct horse battery stapl", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_password("anything", dummy_hash()));
        assert!(
            PasswordHash::new(dummy_hash()).is_ok(),
            "the dummy hash parses, so it costs a full verification"
        );
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert_eq!(
            check_new_password("short", &[]),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_new_password("password1234", &[]),
            Err(PasswordProblem::TooGuessable)
        );
        assert_eq!(
            check_new_password("qwertyuiop123", &[]),
            Err(PasswordProblem::TooGuessable)
        );
        assert_eq!(
            check_new_password(
                "ana.perez@example.org",
                &["ana.perez@example.org", "Ana Pérez"]
            ),
            Err(PasswordProblem::TooGuessable)
        );
        assert_eq!(
            check_new_password(&"x".repeat(300), &[]),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(check_new_password("lamp-orbit-violet-cactus", &[]), Ok(()));
    }
}
