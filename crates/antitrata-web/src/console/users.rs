//! Account administration: the accounts an administrator manages.

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::{account_actor, console_page, page_lang, unavailable};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    rows: Vec<UserRow>,
}

struct UserRow {
    name: String,
    email: String,
    roles: String,
    country: String,
    status: String,
}

/// The accounts within the administrator's reach (their country, or all for system admins).
pub(super) async fn list_users(
    State(state): State<AppState>,
    Extension(who): Extension<SignedIn>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = page_lang(Some(&who.account), &headers);
    let tr = Tr::new(lang);
    let actor = account_actor(&state, &who.account, &headers);
    let accounts = state
        .store
        .list_users(&actor)
        .await
        .map_err(unavailable(lang, &headers))?;
    let rows = accounts
        .into_iter()
        .map(|a| UserRow {
            roles: a
                .roles
                .iter()
                .map(|r| tr.t(&format!("role-{}", r.as_str())))
                .collect::<Vec<_>>()
                .join(", "),
            country: a
                .country
                .map_or_else(|| tr.t("home-regional"), |c| c.to_string()),
            status: tr.t(if a.disabled {
                "status-disabled"
            } else if a.has_password {
                "status-active"
            } else {
                "status-pending"
            }),
            name: a.display_name,
            email: a.email.to_string(),
        })
        .collect();
    let page = UsersPage {
        title: tr.t("users-title"),
        switch: vec![],
        rows,
        tr,
    };
    Ok(console_page(lang, page.render(), &headers))
}
