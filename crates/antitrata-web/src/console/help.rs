//! The help page: the console's keyboard shortcuts.

use askama::Template;
use axum::Extension;
use axum::http::HeaderMap;
use axum::response::Response;

use super::{console_page, page_lang};
use crate::auth::session::SignedIn;
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Template)]
#[template(path = "console/help.html")]
struct HelpPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    /// (keys, what they do).
    shortcuts: Vec<(&'static str, String)>,
}

pub(super) async fn show_help(Extension(who): Extension<SignedIn>, headers: HeaderMap) -> Response {
    let lang = page_lang(Some(&who.account), &headers);
    let tr = Tr::new(lang);
    let shortcuts = [
        ("Alt+Shift+N", "help-key-new-contact"),
        ("Alt+Shift+F", "help-key-search"),
        ("Tab / Shift+Tab", "help-key-tab"),
        ("Space", "help-key-space"),
        ("Ctrl+Enter", "help-key-send"),
        ("Alt+Shift+S", "help-key-save"),
    ]
    .into_iter()
    .map(|(keys, key)| (keys, tr.t(key)))
    .collect();
    let page = HelpPage {
        title: tr.t("menu-help"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, &who),
        shortcuts,
        tr,
    };
    console_page(lang, page.render(), &headers)
}
