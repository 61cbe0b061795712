//! The console session cookie, the login CSRF cookie, and finding who is signed in.

use antitrata_domain::Account;
use antitrata_store::{Session, SessionLimits};
use axum::http::{HeaderMap, HeaderValue, header};
use time::Duration;

use crate::AppState;
use crate::error::AppError;
use antitrata_app::token_hash;

pub(crate) const SESSION_COOKIE: &str = "antitrata_session";
pub(crate) const LOGIN_CSRF_COOKIE: &str = "antitrata_login_csrf";

/// A session ends after 30 idle minutes or 12 hours, whichever comes first.
pub(crate) const LIMITS: SessionLimits = SessionLimits {
    idle: Duration::minutes(30),
    absolute: Duration::hours(12),
};

/// The value of cookie `name` in the request, if any.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value: HttpOnly, Secure, SameSite=Strict, limited to the console.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: Duration) -> HeaderValue {
    let cookie = cookie::Cookie::build((name, value))
        .http_only(true)
        .secure(true)
        .same_site(cookie::SameSite::Strict)
        .path("/console")
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that deletes cookie `name`.
pub(crate) fn clear_cookie(name: &str) -> HeaderValue {
    set_cookie(name, "", Duration::ZERO)
}

/// Compares two secrets in time that does not depend on where they differ (only their lengths,
/// which are public, may end the comparison early).
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The signed-in account behind a request.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    pub account: Account,
    pub session: Session,
    pub token_hash: Vec<u8>,
}

/// Finds the live session of the request's cookie and its enabled account.
pub(crate) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<SignedIn>, AppError> {
    let Some(token) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let now = state.runtime.now();
    let unavailable = |e: antitrata_store::StoreError| AppError::from_store(&e, "session");
    let Some(session) = state
        .store
        .find_session(&hash, now, LIMITS)
        .await
        .map_err(unavailable)?
    else {
        return Ok(None);
    };
    let Some(account) = state
        .store
        .find_user(session.user)
        .await
        .map_err(unavailable)?
    else {
        return Ok(None);
    };
    if account.disabled {
        return Ok(None);
    }
    Ok(Some(SignedIn {
        account,
        session,
        token_hash: hash,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_carry_the_protective_flags() {
        let cookie = set_cookie(SESSION_COOKIE, "abc", Duration::hours(12));
        let text = cookie.to_str().unwrap();
        for flag in [
            "antitrata_session=abc",
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/console",
            "Max-Age=43200",
        ] {
            assert!(text.contains(flag), "{text} lacks {flag}");
        }
    }

    #[test]
    fn finds_a_cookie_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; antitrata_session=tok; b=2"),
        );
        assert_eq!(
            cookie_value(&headers, SESSION_COOKIE).as_deref(),
            Some("tok")
        );
        assert_eq!(cookie_value(&headers, "missing"), None);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
