//! The account page: the language the console speaks, and changing one's password. A password
//! change ends every session of the account, this one included.

use antitrata_domain::Lang;
use antitrata_domain::policy::Action;
use askama::Template;
use axum::Extension;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{console_page, page_lang, password_hash, store_error};
use antitrata_store::AuditEvent;

use crate::auth::password::check_new_password;
use crate::auth::session::{SESSION_COOKIE, SignedIn, clear_cookie};
use crate::auth::throttle::{self, ClientAddress};
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
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    message: Option<String>,
    /// Each console language, named in itself: (code, name, chosen).
    languages: Vec<(&'static str, String, bool)>,
}

#[derive(Deserialize)]
pub(super) struct LanguageForm {
    csrf: String,
    #[serde(default)]
    language: String,
}

impl super::PostedForm for LanguageForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
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
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        message,
        languages: Lang::ALL
            .into_iter()
            .map(|l| {
                let name = Tr::new(l).t(&format!("language-{}", l.code()));
                (l.code(), name, l == who.account.language)
            })
            .collect(),
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

/// Sets the language the console speaks to the account, from the next page on (this one's
/// answer already speaks it).
pub(super) async fn change_language(
    Console(state, who, lang, headers): Console,
    Verified(form): Verified<LanguageForm>,
) -> Result<Response, PageError> {
    let Ok(language) = Lang::parse(&form.language) else {
        let message = Tr::new(lang).t("account-language-unknown");
        return Ok(account_page(
            &who,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
        ));
    };
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::ManageOwnAccount);
    state
        .store
        .set_user_language(&actor, who.account.id, language)
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(Redirect::to("/console/account").into_response())
}

/// Changes the password once the current one is confirmed. Confirming it is a password attempt
/// like a sign-in: throttled per account and address, so a session left open does not let
/// anyone guess the password behind it.
pub(super) async fn change_password(
    Console(state, who, lang, headers): Console,
    address: ClientAddress,
    Verified(form): Verified<PasswordForm>,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let fail = store_error(lang, &headers);
    let page_error = |e| PageError::new(lang, e, &headers);
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::ManageOwnAccount);
    let keys = address.password_keys(Some(who.account.id));
    let turn = state.hashing.admit().map_err(page_error)?;
    let now = state.runtime.now();
    if let Some(wait) =
        throttle::take_attempt(&state.store, &keys, &actor, Some(who.account.id), now)
            .await
            .map_err(&fail)?
    {
        return Ok(account_page(
            &who,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            Some(throttle::wait_message(&tr, wait)),
        ));
    }
    let stored = state
        .store
        .password_hash(who.account.id)
        .await
        .map_err(&fail)?;
    let current_ok = match &stored {
        Some(hash) => turn.verify(&form.current, hash).await.map_err(page_error)?,
        None => false,
    };
    if !current_ok {
        let event = AuditEvent::for_user("account.password-check-failed", who.account.id);
        state
            .store
            .append_audit(&actor, event)
            .await
            .map_err(&fail)?;
        return Ok(account_page(
            &who,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some(tr.t("account-wrong-current")),
        ));
    }
    state.store.give_back_attempt(&keys).await.map_err(&fail)?;
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
    let phc = password_hash(&state, &form.password, lang, &headers).await?;
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
