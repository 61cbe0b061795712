//! Service accounts on the JSON API: `Authorization: Bearer <token>`, looked up by its SHA-256.

use antitrata_domain::Account;
use axum::http::{HeaderMap, header};

use crate::AppState;
use crate::error::AppError;
use antitrata_app::token_hash;

/// The service account behind an API request.
#[derive(Debug, Clone)]
pub(crate) struct ApiCaller {
    pub account: Account,
}

/// The token of an `Authorization: Bearer` header, if the request has one.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The live token's service account, or `None` when the request has no token or one that is
/// unknown, revoked, expired or of a disabled account (all alike to the caller).
pub(crate) async fn bearer_caller(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<ApiCaller>, AppError> {
    let Some(token) = bearer_token(headers) else {
        return Ok(None);
    };
    let found = state
        .store
        .find_api_token(&token_hash(token), state.runtime.now())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading an API token failed");
            AppError::Unavailable
        })?;
    Ok(found.map(|(_, account)| ApiCaller { account }))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn reads_the_bearer_scheme_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer atk_x"),
        );
        assert_eq!(bearer_token(&headers), Some("atk_x"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  atk_y "),
        );
        assert_eq!(bearer_token(&headers), Some("atk_y"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic dXNlcg=="),
        );
        assert_eq!(bearer_token(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), None);
    }
}
