//! The account page: changing one's password. A change ends every session of the account,
//! this one included.

use antitrata_domain::policy::Action;
use askama::Template;
use axum::Extension;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{console_page, page_lang, password_hash, store_error};
use crate::auth::password::{check_new_password, verify_password};
use crate::auth::session::{SESSION_COOKIE, SignedIn, clear_cookie};
use crate::console::extract::{Console, Verified};
use crate::error::PageError;
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    csrf: String,
    message: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

impl super::PostedForm for PasswordForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn account_page(
    who: &SignedIn,
    headers: &HeaderMap,
    status: StatusCode,
    message: Option<String>,
) -> Response {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let page = AccountPage {
        title: tr.t("account-title"),
        switch: vec![],
        csrf: who.session.csrf_token.clone(),
        message,
        tr,
    };
    (status, console_page(lang, page.render(), headers)).into_response()
}

pub(super) async fn show_account(
    Extension(who): Extension<SignedIn>,
    headers: HeaderMap,
) -> Response {
    account_page(&who, &headers, StatusCode::OK, None)
}

pub(super) async fn change_password(
    Console(state, who, lang, headers): Console,
    Verified(form): Verified<PasswordForm>,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let fail = store_error(lang, &headers);
    let stored = state
        .store
        .password_hash(who.account.id)
        .await
        .map_err(&fail)?;
    if !stored.is_some_and(|hash| verify_password(&form.current, &hash)) {
        return Ok(account_page(
            &who,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some(tr.t("account-wrong-current")),
        ));
    }
    if form.password != form.confirm {
        return Ok(account_page(
            &who,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(tr.t("setup-mismatch")),
        ));
    }
    let context = [
        who.account.email.as_str(),
        who.account.display_name.as_str(),
        form.current.as_str(),
    ];
    if let Err(problem) = check_new_password(&form.password, &context) {
        return Ok(account_page(
            &who,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(tr.t(problem.message_key())),
        ));
    }
    let phc = password_hash(&state, &form.password, lang, &headers)?;
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::ManageOwnAccount);
    state
        .store
        .change_password(&actor, who.account.id, &phc)
        .await
        .map_err(&fail)?;
    let mut response = Redirect::to("/console/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE));
    Ok(response)
}
