//! The console's home page: who is signed in, with which roles.

use askama::Template;
use axum::Extension;
use axum::http::HeaderMap;
use axum::response::Response;

use super::{console_page, page_lang};

use crate::auth::session::SignedIn;
use crate::i18n::Tr;
use crate::pages::LangLink;
use antitrata_domain::policy::Action;

#[derive(Template)]
#[template(path = "console/home.html")]
struct HomePage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    welcome: String,
    roles: String,
    country: String,
    csrf: String,
    /// Whether the account may open the statistics page.
    show_stats: bool,
    /// Whether the account does hotline work (contacts, cases).
    show_casework: bool,
    /// Whether the account has a supervisor's queue and releases.
    show_queue: bool,
}

pub(super) async fn show_home(Extension(who): Extension<SignedIn>, headers: HeaderMap) -> Response {
    let lang = page_lang(Some(&who.account), &headers);
    let tr = Tr::new(lang);
    let roles: Vec<String> = who
        .account
        .roles
        .iter()
        .map(|r| tr.t(&format!("role-{}", r.as_str())))
        .collect();
    let holds = |action| who.account.may(action);
    let page = HomePage {
        title: tr.t("console-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, &who),
        welcome: tr.t1("home-welcome", "name", &who.account.display_name),
        roles: roles.join(", "),
        country: who
            .account
            .country
            .map_or_else(|| tr.t("home-regional"), |c| c.to_string()),
        csrf: who.session.csrf_token.clone(),
        show_stats: holds(Action::ReadStatistics),
        show_casework: holds(Action::WorkCases),
        show_queue: holds(Action::SeeQueue),
        tr,
    };
    console_page(lang, page.render(), &headers)
}
