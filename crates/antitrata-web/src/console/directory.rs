//! The hotline directory in the console: a country administrator edits their country's lines
//! (number, channels, hours, languages, institution, sources, confidence, the day it was checked,
//! and the line's name and description in every language of the site), each field checked by the
//! domain's rules and refused beside it; every edit is kept in the line's history (who, what,
//! when), and the public pages show it at once, on every instance.

use antitrata_domain::policy::Action;
use antitrata_domain::{
    Channel, Confidence, CountryDirectory, Hotline, HotlineId, HotlineInput, Lang, lang_fields,
};
use antitrata_store::{ConflictKind, HotlineChange, StoreError};
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;

use super::casework::{FieldErrors, Pairs};
use super::extract::{Console, PathId, Verified};
use super::{console_page, format_local, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Template)]
#[template(path = "console/directory.html")]
struct ListPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<super::menu::Menu>,
    public_href: String,
    lines: Vec<ListRow>,
}

struct ListRow {
    href: String,
    name: String,
    number: String,
    confidence: String,
    verified_on: String,
}

/// The administrator's country's lines, in their page order.
pub(super) async fn list_lines(
    Console(state, who, lang, headers): Console,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let directory = home_directory(&state, &who, lang, &headers).await?;
    let lines = directory
        .hotlines
        .iter()
        .map(|h| ListRow {
            href: format!("/console/directory/{}", h.id),
            name: h.name_in(lang).0.to_owned(),
            number: h.number.clone().unwrap_or_default(),
            confidence: tr.t(&format!("directory-confidence-{}", h.confidence.as_str())),
            verified_on: h
                .verified_on
                .map(antitrata_domain::time_text::day)
                .unwrap_or_default(),
        })
        .collect();
    let page = ListPage {
        title: tr.t1("directory-title", "country", directory.country.name(lang)),
        switch: vec![],
        menu: super::menu::Menu::of(&tr, &who),
        public_href: format!("/{}/{}", lang.code(), directory.country.iso2.lowercase()),
        lines,
        tr,
    };
    Ok(console_page(lang, page.render(), &headers))
}

#[derive(Template)]
#[template(path = "console/directory_edit.html")]
struct EditPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<super::menu::Menu>,
    csrf: String,
    action: String,
    public_href: String,
    version: i64,
    typed: Pairs,
    errors: FieldErrors,
    changed_meanwhile: bool,
    /// (code, label, checked) of every channel.
    channels: Vec<(&'static str, String, bool)>,
    /// (code, label) of every confidence.
    confidences: Vec<(&'static str, String)>,
    /// (language code, its name, name field, description field) of each of the site's languages.
    langs: Vec<(&'static str, String, &'static str, &'static str)>,
    history: Vec<ChangeRow>,
}

struct ChangeRow {
    version: i64,
    saved: String,
    /// (field label, before, after) of each field the edit changed.
    fields: Vec<(String, String, String)>,
}

/// A line of the administrator's country, in its form, with its history.
pub(super) async fn show_line(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let (version, line) = home_line(&state, &who, lang, &headers, HotlineId(id)).await?;
    let page = edit_page(
        &state,
        &who,
        lang,
        &headers,
        &line,
        version,
        pairs(&HotlineInput::of(&line)),
        FieldErrors::default(),
        false,
    )
    .await?;
    Ok(console_page(lang, page.render(), &headers))
}

/// Saves an administrator's edit of a line, at the version they read.
pub(super) async fn update_line(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(form): Verified<Pairs>,
) -> Result<Response, PageError> {
    let (stored_version, line) = home_line(&state, &who, lang, &headers, HotlineId(id)).await?;
    // The country the line's number must dial in.
    let directory = home_directory(&state, &who, lang, &headers).await?;
    let version: i64 = form
        .get("version")
        .trim()
        .parse()
        .map_err(|_| PageError::new(lang, AppError::BadRequest, &headers))?;
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::EditDirectory);
    let tr = Tr::new(lang);
    let input = input(&form);
    let (errors, changed_meanwhile) = match line.edited(&directory.country, &input, actor.today()) {
        Err(problems) => (FieldErrors::new(&tr, &problems), false),
        Ok(edited) => match state.store.update_hotline(&actor, version, &edited).await {
            Ok(_) => {
                state.invalidate_directory();
                return Ok(Redirect::to(&format!("/console/directory/{id}")).into_response());
            }
            Err(StoreError::Conflict(ConflictKind::ChangedMeanwhile(_))) => {
                (FieldErrors::default(), true)
            }
            Err(e) => return Err(store_error(lang, &headers)(e)),
        },
    };
    let status = if changed_meanwhile {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // After a conflict the form keeps what the administrator typed, at the newer version: its
    // history shows what the other edit changed.
    let version = if changed_meanwhile {
        stored_version
    } else {
        version
    };
    let page = edit_page(
        &state,
        &who,
        lang,
        &headers,
        &line,
        version,
        form,
        errors,
        changed_meanwhile,
    )
    .await?;
    Ok((status, console_page(lang, page.render(), &headers)).into_response())
}

#[allow(
    clippy::too_many_arguments,
    reason = "one page, all its parts; a struct would only rename them"
)]
async fn edit_page(
    state: &AppState,
    who: &SignedIn,
    lang: Lang,
    headers: &HeaderMap,
    line: &Hotline,
    version: i64,
    typed: Pairs,
    errors: FieldErrors,
    changed_meanwhile: bool,
) -> Result<EditPage, PageError> {
    let tr = Tr::new(lang);
    let changes = state
        .store
        .list_hotline_changes(line.id)
        .await
        .map_err(store_error(lang, headers))?;
    let chosen = typed.all("channels");
    Ok(EditPage {
        title: tr.t1("directory-edit-title", "line", line.name_in(lang).0),
        switch: vec![],
        menu: super::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        action: format!("/console/directory/{}", line.id),
        public_href: format!("/{}/{}", lang.code(), line.country.lowercase()),
        version,
        channels: Channel::ALL
            .into_iter()
            .map(|c| {
                (
                    c.as_str(),
                    tr.t(&format!("channel-{}", c.as_str())),
                    chosen.iter().any(|v| v == c.as_str()),
                )
            })
            .collect(),
        confidences: Confidence::ALL
            .into_iter()
            .map(|c| {
                (
                    c.as_str(),
                    tr.t(&format!("directory-confidence-{}", c.as_str())),
                )
            })
            .collect(),
        langs: Lang::ALL
            .into_iter()
            .map(|l| {
                let (name, description) = lang_fields(l);
                (
                    l.code(),
                    tr.t(&format!("language-{}", l.code())),
                    name,
                    description,
                )
            })
            .collect(),
        history: changes.iter().map(|c| change_row(&tr, c)).collect(),
        typed,
        errors,
        changed_meanwhile,
        tr,
    })
}

/// The administrator's own country with its lines.
async fn home_directory(
    state: &AppState,
    who: &SignedIn,
    lang: Lang,
    headers: &HeaderMap,
) -> Result<CountryDirectory, PageError> {
    let home = who
        .account
        .country
        .ok_or_else(|| PageError::new(lang, AppError::Forbidden, headers))?;
    state
        .store
        .find_country_directory(home)
        .await
        .map_err(store_error(lang, headers))?
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, headers))
}

/// A line of the administrator's country with its version: another country's line is refused
/// (403), a line that does not exist is not found.
async fn home_line(
    state: &AppState,
    who: &SignedIn,
    lang: Lang,
    headers: &HeaderMap,
    id: HotlineId,
) -> Result<(i64, Hotline), PageError> {
    let (version, line) = state
        .store
        .find_hotline(id)
        .await
        .map_err(store_error(lang, headers))?
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, headers))?;
    if who.account.country != Some(line.country) {
        return Err(PageError::new(lang, AppError::Forbidden, headers));
    }
    Ok((version, line))
}

/// The form's fields as the domain's input.
fn input(form: &Pairs) -> HotlineInput {
    let by_lang = |pick: fn((&'static str, &'static str)) -> &'static str| {
        Lang::ALL
            .into_iter()
            .map(|l| (l, form.get(pick(lang_fields(l))).to_owned()))
            .collect()
    };
    HotlineInput {
        name: form.get("name").to_owned(),
        names: by_lang(|(name, _)| name),
        descriptions: by_lang(|(_, description)| description),
        number: form.get("number").to_owned(),
        number_vanity: form.get("number_vanity").to_owned(),
        hours: form.get("hours").to_owned(),
        free: form.get("free").to_owned(),
        channels: form.all("channels"),
        languages: form.get("languages").to_owned(),
        institution: form.get("institution").to_owned(),
        sources: form.get("sources").to_owned(),
        confidence: form.get("confidence").to_owned(),
        verified_on: form.get("verified_on").to_owned(),
    }
}

/// A line's input as the form's fields.
fn pairs(input: &HotlineInput) -> Pairs {
    let mut pairs: Vec<(String, String)> = vec![
        ("name".into(), input.name.clone()),
        ("number".into(), input.number.clone()),
        ("number_vanity".into(), input.number_vanity.clone()),
        ("hours".into(), input.hours.clone()),
        ("free".into(), input.free.clone()),
        ("languages".into(), input.languages.clone()),
        ("institution".into(), input.institution.clone()),
        ("sources".into(), input.sources.clone()),
        ("confidence".into(), input.confidence.clone()),
        ("verified_on".into(), input.verified_on.clone()),
    ];
    for lang in Lang::ALL {
        let (name, description) = lang_fields(lang);
        if let Some(n) = input.names.get(&lang) {
            pairs.push((name.into(), n.clone()));
        }
        if let Some(d) = input.descriptions.get(&lang) {
            pairs.push((description.into(), d.clone()));
        }
    }
    pairs.extend(
        input
            .channels
            .iter()
            .map(|c| ("channels".into(), c.clone())),
    );
    Pairs(pairs)
}

/// An edit as the history shows it: who and when, and each field it changed, before and after.
fn change_row(tr: &Tr, change: &HotlineChange) -> ChangeRow {
    let as_map = |line: &Hotline| match serde_json::to_value(line) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (before, after) = (as_map(&change.before), as_map(&change.after));
    let fields = after
        .iter()
        .filter(|(key, value)| before.get(*key) != Some(*value))
        .map(|(key, value)| {
            (
                tr.t(&format!("directory-field-{}", key.replace('_', "-"))),
                value_text(before.get(key).unwrap_or(&Value::Null)),
                value_text(value),
            )
        })
        .collect();
    ChangeRow {
        version: change.version,
        saved: tr.tn(
            "content-saved-by",
            &[
                ("who", change.changed_by.as_deref().unwrap_or("?")),
                (
                    "when",
                    &format_local(change.changed_at, Some(change.after.country)),
                ),
            ],
        ),
        fields,
    }
}

/// A field's value as the history shows it.
fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", value_text(v)))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
