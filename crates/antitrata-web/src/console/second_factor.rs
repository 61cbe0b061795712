//! The second factor: entering a TOTP code at sign-in, and enrolling an authenticator app.

use antitrata_domain::policy::Action;
use antitrata_store::AuditEvent;
use askama::Template;
use axum::Extension;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{console_page, page_lang, store_error};
use antitrata_app::token_hash;
use antitrata_domain::Lang;
use antitrata_store::ThrottleKey;

use crate::AppState;
use crate::auth::session::{LIMITS, SESSION_COOKIE, SignedIn, set_cookie};
use crate::auth::{throttle, totp};
use crate::console::extract::{Console, Verified};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Template)]
#[template(path = "console/totp.html")]
struct CodePage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    action: &'static str,
    intro: Option<String>,
    qr_svg: Option<String>,
    manual_key: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct CodeForm {
    csrf: String,
    #[serde(default)]
    code: String,
}

impl super::PostedForm for CodeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn code_page(
    who: &SignedIn,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let page = CodePage {
        title: tr.t("totp-title"),
        switch: vec![],
        menu: None,
        csrf: who.session.csrf_token.clone(),
        action: "/console/login/totp",
        intro: None,
        qr_svg: None,
        manual_key: None,
        error,
        tr,
    };
    (status, console_page(lang, page.render(), headers)).into_response()
}

pub(super) async fn show_code(Extension(who): Extension<SignedIn>, headers: HeaderMap) -> Response {
    if !who.account.totp_enabled {
        return Redirect::to("/console/totp/enrol").into_response();
    }
    code_page(&who, &headers, StatusCode::OK, None)
}

/// Checks the code. Every attempt is taken from the account's second-factor throttle before
/// the code is looked at, and only a right code gives it back: a correct password buys no more
/// guesses (the schedule is [`antitrata_domain::throttle::SECOND_FACTOR`]).
pub(super) async fn submit_code(
    Console(state, who, lang, headers): Console,
    Verified(form): Verified<CodeForm>,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let fail = store_error(lang, &headers);
    let now = state.runtime.now();
    let keys = [ThrottleKey::SecondFactor(who.account.id)];
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::ManageOwnAccount);
    if let Some(wait) =
        throttle::take_attempt(&state.store, &keys, &actor, Some(who.account.id), now)
            .await
            .map_err(&fail)?
    {
        return Ok(code_page(
            &who,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            Some(throttle::wait_message(&tr, wait)),
        ));
    }
    let valid = if totp::is_recovery_code(&form.code) {
        let hash = totp::recovery_code_hash(&form.code);
        state
            .store
            .consume_recovery_code(&actor, who.account.id, &hash)
            .await
            .map_err(&fail)?
    } else {
        let secret = state
            .store
            .totp_secret(who.account.id)
            .await
            .map_err(&fail)?;
        let step = secret
            .as_deref()
            .and_then(|s| totp::matching_step(s, &form.code, now));
        match step {
            // A code counts once: a replayed one is a wrong one.
            Some(step) if who.account.totp_enabled => state
                .store
                .use_totp_step(who.account.id, step)
                .await
                .map_err(&fail)?,
            _ => false,
        }
    };
    if !valid {
        let event = AuditEvent::for_user("login.totp-failed", who.account.id);
        state
            .store
            .append_audit(&actor, event)
            .await
            .map_err(&fail)?;
        return Ok(code_page(
            &who,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some(tr.t("totp-wrong")),
        ));
    }
    state.store.give_back_attempt(&keys).await.map_err(&fail)?;
    let cookie = pass_second_factor(&state, &who, lang, &headers).await?;
    let event = AuditEvent::for_user("login.succeeded", who.account.id);
    state
        .store
        .append_audit(&actor, event)
        .await
        .map_err(&fail)?;
    let mut response = Redirect::to("/console").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// Moves the session to a new token now that the second factor is passed; returns its cookie.
async fn pass_second_factor(
    state: &AppState,
    who: &SignedIn,
    lang: Lang,
    headers: &HeaderMap,
) -> Result<HeaderValue, PageError> {
    let token = state.runtime.token();
    let csrf = state.runtime.token();
    let moved = state
        .store
        .pass_second_factor(&who.token_hash, &token_hash(&token), &csrf)
        .await
        .map_err(store_error(lang, headers))?;
    if !moved {
        // Signed out meanwhile (another tab): this sign-in ends here.
        return Err(PageError::new(lang, AppError::Unauthorized, headers));
    }
    Ok(set_cookie(SESSION_COOKIE, &token, LIMITS.absolute))
}

fn enrolment_page(
    who: &SignedIn,
    headers: &HeaderMap,
    secret: &[u8],
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let (manual, svg) = totp::enrolment(secret, who.account.email.as_str()).unzip();
    let page = CodePage {
        title: tr.t("enrol-title"),
        switch: vec![],
        menu: None,
        csrf: who.session.csrf_token.clone(),
        action: "/console/totp/enrol",
        intro: Some(tr.t("enrol-intro")),
        qr_svg: svg,
        manual_key: manual,
        error,
        tr,
    };
    (status, console_page(lang, page.render(), headers)).into_response()
}

/// Shows a new secret as a QR code. Enrolment is for accounts without TOTP; a session that passed
/// its second factor cannot replace it here.
pub(super) async fn show_enrolment(
    Console(state, who, lang, headers): Console,
) -> Result<Response, PageError> {
    if who.account.totp_enabled {
        return Ok(Redirect::to("/console/login/totp").into_response());
    }
    let mut secret = [0u8; totp::SECRET_LEN];
    state.runtime.random.fill(&mut secret);
    state
        .store
        .set_totp_secret(who.account.id, &secret)
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(enrolment_page(
        &who,
        &headers,
        &secret,
        StatusCode::OK,
        None,
    ))
}

/// Turns TOTP on once the account types a valid code from the new secret.
pub(super) async fn submit_enrolment(
    Console(state, who, lang, headers): Console,
    Verified(form): Verified<CodeForm>,
) -> Result<Response, PageError> {
    if who.account.totp_enabled {
        return Ok(Redirect::to("/console/login/totp").into_response());
    }
    let fail = store_error(lang, &headers);
    let now = state.runtime.now();
    let Some(secret) = state
        .store
        .totp_secret(who.account.id)
        .await
        .map_err(&fail)?
    else {
        return Ok(Redirect::to("/console/totp/enrol").into_response());
    };
    let step = totp::matching_step(&secret, &form.code, now);
    let fresh = match step {
        Some(step) => state
            .store
            .use_totp_step(who.account.id, step)
            .await
            .map_err(&fail)?,
        None => false,
    };
    if !fresh {
        let error = Some(Tr::new(lang).t("totp-wrong"));
        return Ok(enrolment_page(
            &who,
            &headers,
            &secret,
            StatusCode::UNAUTHORIZED,
            error,
        ));
    }
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::ManageOwnAccount);
    state
        .store
        .enable_totp(&actor, who.account.id)
        .await
        .map_err(&fail)?;
    let cookie = pass_second_factor(&state, &who, lang, &headers).await?;

    // Recovery codes, shown once; only their hashes are kept.
    let codes: Vec<String> = (0..totp::RECOVERY_CODES)
        .map(|_| {
            let mut random = [0u8; 10];
            state.runtime.random.fill(&mut random);
            totp::recovery_code(&random)
        })
        .collect();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
    state
        .store
        .set_recovery_codes(&actor, who.account.id, &hashes)
        .await
        .map_err(&fail)?;
    let tr = Tr::new(lang);
    let page = RecoveryPage {
        title: tr.t("recovery-title"),
        switch: vec![],
        menu: None,
        codes,
        tr,
    };
    let mut response = console_page(lang, page.render(), &headers).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

#[derive(Template)]
#[template(path = "console/recovery.html")]
struct RecoveryPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    codes: Vec<String>,
}
