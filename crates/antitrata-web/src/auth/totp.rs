//! Time-based one-time passwords (RFC 6238 via `totp-rs`): secrets, codes, and the enrolment QR
//! code rendered on the server as SVG.

use qrcode::QrCode;
use qrcode::render::svg;
use time::OffsetDateTime;
use totp_rs::{Algorithm, Secret, TOTP};

/// 160-bit secrets, as RFC 4226 recommends.
pub(crate) const SECRET_LEN: usize = 20;

fn totp(secret: &[u8], account: &str) -> Option<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret.to_vec(),
        Some("antitrata".into()),
        account.to_owned(),
    )
    .ok()
}

/// The time step whose code `code` is, for `secret` at `now`, allowing one 30-second step of
/// drift either way; `None` if the code is not valid. The caller records the step so the same code
/// cannot be used twice.
pub(crate) fn matching_step(secret: &[u8], code: &str, now: OffsetDateTime) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret, "-")?;
    let now = now.unix_timestamp();
    [-1i64, 0, 1].into_iter().find_map(|drift| {
        let at = u64::try_from(now + drift * 30).ok()?;
        let expected = totp.generate(at);
        let same = expected
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        same.then(|| (now + drift * 30).div_euclid(30))
    })
}

/// The code an app shows at `now`.
#[cfg(test)]
pub(crate) fn code_at(secret: &[u8], now: OffsetDateTime) -> Option<String> {
    let seconds = u64::try_from(now.unix_timestamp()).ok()?;
    Some(totp(secret, "-")?.generate(seconds))
}

/// The enrolment: the secret in base32 for typing by hand, and an SVG QR code of the otpauth URL.
pub(crate) fn enrolment(secret: &[u8], account: &str) -> Option<(String, String)> {
    let totp = totp(secret, account)?;
    let manual = Secret::Raw(secret.to_vec()).to_encoded().to_string();
    let svg = QrCode::new(totp.get_url().as_bytes())
        .ok()?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    // Inline in HTML: drop the XML declaration.
    let svg = svg
        .split_once("<svg")
        .map(|(_, rest)| format!("<svg{rest}"))
        .unwrap_or(svg);
    Some((manual, svg))
}

/// How many recovery codes an account gets.
pub(crate) const RECOVERY_CODES: usize = 10;

/// A recovery code from 10 random bytes: 16 base32 letters in four groups (`abcd-efgh-ijkl-mnop`).
pub(crate) fn recovery_code(random: &[u8; 10]) -> String {
    let text = Secret::Raw(random.to_vec())
        .to_encoded()
        .to_string()
        .to_lowercase();
    let chars: Vec<char> = text.chars().take(16).collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A typed recovery code as stored: lowercase, without dashes or spaces.
pub(crate) fn normalize_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What is stored of a recovery code: the SHA-256 of its normalized form.
pub(crate) fn recovery_code_hash(typed: &str) -> Vec<u8> {
    antitrata_app::token_hash(&normalize_recovery_code(typed))
}

/// Whether what was typed looks like a recovery code rather than a six-digit code.
pub(crate) fn is_recovery_code(typed: &str) -> bool {
    normalize_recovery_code(typed).len() == 16
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn codes_match_within_one_step_only_and_name_their_step() {
        let secret = [7u8; SECRET_LEN];
        let now = datetime!(2026-11-27 12:00:00 UTC);
        let step = now.unix_timestamp() / 30;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(matching_step(&secret, &code, now), Some(step));
        assert_eq!(
            matching_step(&secret, &code, now + time::Duration::seconds(30)),
            Some(step)
        );
        assert_eq!(
            matching_step(&secret, &code, now + time::Duration::seconds(120)),
            None
        );
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
        assert_eq!(matching_step(&[8u8; SECRET_LEN], &code, now), None);
    }

    #[test]
    fn recovery_codes_are_readable_and_normalize() {
        let code = recovery_code(&[9u8; 10]);
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(code.matches('-').count(), 3);
        assert!(is_recovery_code(&code.to_uppercase().replace('-', " ")));
        assert!(!is_recovery_code("123456"));
        assert_eq!(
            normalize_recovery_code(&code.to_uppercase()),
            code.replace('-', "")
        );
    }

    #[test]
    fn enrolment_gives_a_base32_key_and_an_inline_svg() {
        let (manual, svg) = enrolment(&[1u8; SECRET_LEN], "ana@example.org").unwrap();
        assert!(
            manual
                .chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)),
            "{manual}"
        );
        assert!(
            svg.starts_with("<svg") && svg.contains("</svg>"),
            "{}",
            &svg[..40]
        );
        assert!(!svg.contains("<script"));
    }
}
