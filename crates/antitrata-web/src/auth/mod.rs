//! Who is signed in, and what they may do: passwords, sessions, CSRF, throttling, second factor,
//! service accounts' bearer tokens, the one route table, and the actor an account is.

use antitrata_domain::policy::{Action, acting_role};
use antitrata_domain::{Account, Actor};
use axum::http::HeaderMap;

use crate::AppState;

pub(crate) mod bearer;
pub(crate) mod hashing;
pub(crate) mod password;
pub(crate) mod permissions;
pub(crate) mod session;
pub(crate) mod throttle;
pub(crate) mod totp;

/// The actor a signed-in account (or a service account) is for `action`: the role the
/// permission policy lets take it ([`acting_role`], the one rule), its country, the request and
/// the time. Handlers never choose or change the role themselves.
pub(crate) fn actor(
    state: &AppState,
    account: &Account,
    headers: &HeaderMap,
    action: Action,
) -> Actor {
    Actor {
        who: account.id.to_string(),
        role: acting_role(&account.roles, action),
        scope: account.scope(),
        request_id: crate::error::request_id(headers),
        at: state.runtime.now(),
    }
}
