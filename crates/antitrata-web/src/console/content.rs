//! The public site's content pages in the console: campaign editors write each page in each
//! language as Markdown, preview it as the site will show it, save it as a new version, read the
//! history (who, what, when) and bring an earlier version back. A save never overwrites a version
//! saved meanwhile: the editor's text is kept on the page beside the newer one.

use antitrata_domain::content::{ContentPage, ContentText, ContentVersion};
use antitrata_domain::policy::Action;
use antitrata_domain::{Actor, Lang};
use antitrata_store::{ConflictKind, StoreError};
use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::casework::FieldErrors;
use super::extract::{Console, Verified};
use super::{PostedForm, console_page, format_local, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::content::{guide_href, to_html};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Template)]
#[template(path = "console/content.html")]
struct ListPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<super::menu::Menu>,
    rows: Vec<ListRow>,
}

struct ListRow {
    href: String,
    public_href: String,
    page: String,
    lang: &'static str,
    title: String,
    version: i64,
    saved: String,
}

/// Every content page in every language, with its newest version.
pub(super) async fn list_content(
    Console(state, who, lang, headers): Console,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let current = state
        .store
        .list_current_content()
        .await
        .map_err(store_error(lang, &headers))?;
    let rows = ContentPage::ALL
        .iter()
        .flat_map(|page| Lang::ALL.map(|l| (*page, l)))
        .map(|(page, l)| {
            let newest = current.iter().find(|v| v.page == page && v.lang == l);
            ListRow {
                href: edit_href(page, l),
                public_href: guide_href(page, l),
                page: tr.t(&page.label_key()),
                lang: l.code(),
                title: newest
                    .map(|v| v.text.title().to_owned())
                    .unwrap_or_default(),
                version: newest.map_or(0, |v| v.version),
                saved: newest.map(|v| saved_text(&tr, v)).unwrap_or_default(),
            }
        })
        .collect();
    let page = ListPage {
        title: tr.t("content-title"),
        switch: vec![],
        menu: super::menu::Menu::of(&tr, &who),
        rows,
        tr,
    };
    Ok(console_page(lang, page.render(), &headers))
}

#[derive(Template)]
#[template(path = "console/content_edit.html")]
struct EditPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<super::menu::Menu>,
    csrf: String,
    action: String,
    public_href: String,
    /// The language the page is written in (the text area's `lang`).
    text_lang: &'static str,
    /// The version the text in the form started from.
    base: i64,
    /// The newest version, which a revert replaces.
    newest: i64,
    body: String,
    errors: FieldErrors,
    /// A newer version was saved while this editor wrote: their text is kept in the form.
    changed_meanwhile: bool,
    /// The page as the site would show it.
    preview: Option<Preview>,
    history: Vec<HistoryRow>,
}

/// A text shown as the site would show it, under a heading saying which text it is.
struct Preview {
    heading: String,
    title: String,
    /// Sanitized by [`to_html`].
    html: String,
}

impl Preview {
    fn of(heading: String, text: &ContentText) -> Preview {
        Preview {
            heading,
            title: text.title().to_owned(),
            html: to_html(text.body()),
        }
    }
}

struct HistoryRow {
    version: i64,
    title: String,
    saved: String,
    /// "Brought back from version N", for a revert.
    note: Option<String>,
    view_href: String,
    newest: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct Viewed {
    #[serde(default)]
    version: Option<i64>,
}

/// The editor of one page in one language: its newest text in the form, the history, and a
/// version of the history shown as the site would show it when asked (`?version=N`).
pub(super) async fn show_editor(
    Console(state, who, lang, headers): Console,
    path: Result<Path<(String, String)>, PathRejection>,
    viewed: Result<Query<Viewed>, QueryRejection>,
) -> Result<Response, PageError> {
    let (page, text_lang) = page_and_lang(path, lang, &headers)?;
    let viewed = viewed.map(|Query(v)| v).unwrap_or_default();
    let history = history(&state, page, text_lang, lang, &headers).await?;
    let newest = history.first();
    let tr = Tr::new(lang);
    let preview = viewed
        .version
        .and_then(|n| history.iter().find(|v| v.version == n))
        .map(|v| {
            Preview::of(
                tr.t1("content-version", "version", &v.version.to_string()),
                &v.text,
            )
        });
    let form = Form {
        base: newest.map_or(0, |v| v.version),
        body: newest
            .map(|v| v.text.markdown().to_owned())
            .unwrap_or_default(),
        errors: FieldErrors::default(),
        changed_meanwhile: false,
        preview,
    };
    let editor = edit_page(&who, lang, page, text_lang, &history, form);
    Ok(console_page(lang, editor.render(), &headers))
}

#[derive(Deserialize)]
pub(super) struct ContentForm {
    csrf: String,
    #[serde(default)]
    base: String,
    #[serde(default)]
    body: String,
    /// `preview` shows the text as the site would, saving nothing; anything else saves.
    #[serde(default)]
    intent: String,
}

impl PostedForm for ContentForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Previews or saves an editor's text. A saved text is on the public site at once.
pub(super) async fn save_page(
    Console(state, who, lang, headers): Console,
    path: Result<Path<(String, String)>, PathRejection>,
    Verified(form): Verified<ContentForm>,
) -> Result<Response, PageError> {
    let (page, text_lang) = page_and_lang(path, lang, &headers)?;
    let base = parse_version(&form.base, lang, &headers)?;
    let tr = Tr::new(lang);
    let parsed = ContentText::parse(&form.body);
    let mut errors = FieldErrors::default();
    let mut preview = None;
    let mut changed_meanwhile = false;
    match parsed {
        Err(problems) => errors = FieldErrors::new(&tr, &problems),
        Ok(text) if form.intent == "preview" => {
            preview = Some(Preview::of(tr.t("content-preview"), &text));
        }
        Ok(text) => {
            let actor = editor_actor(&state, &who, &headers);
            match state
                .store
                .save_content(&actor, page, text_lang, base, &text)
                .await
            {
                Ok(saved) => {
                    state.invalidate_directory();
                    return Ok(saved_redirect(&saved));
                }
                Err(StoreError::Conflict(ConflictKind::ChangedMeanwhile(_))) => {
                    changed_meanwhile = true;
                }
                Err(e) => return Err(store_error(lang, &headers)(e)),
            }
        }
    }
    let status = if changed_meanwhile {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let history = history(&state, page, text_lang, lang, &headers).await?;
    let form = Form {
        // After a conflict the form moves on to the newer version, which the history shows:
        // the editor who has looked at it saves their text over it knowingly.
        base: if changed_meanwhile {
            history.first().map_or(base, |v| v.version)
        } else {
            base
        },
        body: form.body,
        errors,
        changed_meanwhile,
        preview,
    };
    let editor = edit_page(&who, lang, page, text_lang, &history, form);
    Ok((status, console_page(lang, editor.render(), &headers)).into_response())
}

#[derive(Deserialize)]
pub(super) struct RevertForm {
    csrf: String,
    #[serde(default)]
    base: String,
    #[serde(default)]
    version: String,
}

impl PostedForm for RevertForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Brings an earlier version back as the newest: on the public site at once.
pub(super) async fn revert_page(
    Console(state, who, lang, headers): Console,
    path: Result<Path<(String, String)>, PathRejection>,
    Verified(form): Verified<RevertForm>,
) -> Result<Response, PageError> {
    let (page, text_lang) = page_and_lang(path, lang, &headers)?;
    let base = parse_version(&form.base, lang, &headers)?;
    let version = parse_version(&form.version, lang, &headers)?;
    let actor = editor_actor(&state, &who, &headers);
    let reverted = state
        .store
        .revert_content(&actor, page, text_lang, base, version)
        .await
        .map_err(store_error(lang, &headers))?;
    state.invalidate_directory();
    Ok(saved_redirect(&reverted))
}

/// What the edit page shows besides the history.
struct Form {
    base: i64,
    body: String,
    errors: FieldErrors,
    changed_meanwhile: bool,
    preview: Option<Preview>,
}

fn edit_page(
    who: &SignedIn,
    lang: Lang,
    page: ContentPage,
    text_lang: Lang,
    history: &[ContentVersion],
    form: Form,
) -> EditPage {
    let tr = Tr::new(lang);
    let newest = history.first().map_or(0, |v| v.version);
    EditPage {
        title: tr.tn(
            "content-edit-title",
            &[
                ("page", &tr.t(&page.label_key())),
                ("lang", &tr.t(&format!("language-{}", text_lang.code()))),
            ],
        ),
        switch: vec![],
        menu: super::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        action: edit_href(page, text_lang),
        public_href: guide_href(page, text_lang),
        text_lang: text_lang.code(),
        base: form.base,
        newest,
        body: form.body,
        errors: form.errors,
        changed_meanwhile: form.changed_meanwhile,
        preview: form.preview,
        history: history
            .iter()
            .map(|v| HistoryRow {
                version: v.version,
                title: v.text.title().to_owned(),
                saved: saved_text(&tr, v),
                note: v
                    .reverted_from
                    .map(|n| tr.t1("content-reverted-from", "version", &n.to_string())),
                view_href: format!("{}?version={}", edit_href(page, text_lang), v.version),
                newest: v.version == newest,
            })
            .collect(),
        tr,
    }
}

async fn history(
    state: &AppState,
    page: ContentPage,
    text_lang: Lang,
    lang: Lang,
    headers: &HeaderMap,
) -> Result<Vec<ContentVersion>, PageError> {
    state
        .store
        .list_content_versions(page, text_lang)
        .await
        .map_err(store_error(lang, headers))
}

/// The page and language named by the path (`/console/content/warning-signs/es`), or a 404.
fn page_and_lang(
    path: Result<Path<(String, String)>, PathRejection>,
    lang: Lang,
    headers: &HeaderMap,
) -> Result<(ContentPage, Lang), PageError> {
    let not_found = || PageError::new(lang, AppError::NotFound, headers);
    let Path((page, text_lang)) = path.map_err(|_| not_found())?;
    let page = ContentPage::parse(&page).ok_or_else(not_found)?;
    let text_lang = Lang::parse(&text_lang).map_err(|_| not_found())?;
    Ok((page, text_lang))
}

/// A version number posted by the form (0 for a page with no version yet); anything else is a
/// form this page did not make.
fn parse_version(text: &str, lang: Lang, headers: &HeaderMap) -> Result<i64, PageError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| PageError::new(lang, AppError::BadRequest, headers))
}

fn editor_actor(state: &AppState, who: &SignedIn, headers: &HeaderMap) -> Actor {
    crate::auth::actor(state, &who.account, headers, Action::EditContent)
}

fn edit_href(page: ContentPage, lang: Lang) -> String {
    format!("/console/content/{page}/{}", lang.code())
}

/// After a save or a revert, the editor again (a reload does not post twice).
fn saved_redirect(saved: &ContentVersion) -> Response {
    Redirect::to(&edit_href(saved.page, saved.lang)).into_response()
}

/// Who saved a version and when, or that it is the starter text.
fn saved_text(tr: &Tr, version: &ContentVersion) -> String {
    match (&version.saved_by, version.saved_at) {
        (Some(by), Some(at)) => tr.tn(
            "content-saved-by",
            &[("who", by), ("when", &format_local(at, None))],
        ),
        _ => tr.t("content-starter-text"),
    }
}
