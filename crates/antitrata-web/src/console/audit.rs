//! The audit trail as supervisors see it: their country's entries, newest first, with account
//! names instead of ids. Also the "who viewed this record" list of record pages.

use std::collections::HashMap;

use antitrata_domain::{CountryCode, UserId};
use antitrata_store::{AuditEntry, Store, StoreError};
use askama::Template;
use axum::response::Response;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{console_page, store_error};
use crate::console::extract::Console;
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

/// How many entries one page shows.
const PAGE_SIZE: i64 = 200;

/// One entry as shown.
pub(super) struct EntryRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub record: String,
}

/// Who read a record: one row per reader and kind of read, newest first, with how many times
/// and when first and last (of the reads listed), so repeat views do not bury the others.
pub(super) struct ReaderRow {
    pub who: String,
    pub action: String,
    pub times: usize,
    pub first: String,
    pub last: String,
}

/// The reads of a record (newest first, as the store lists them), grouped by reader and action.
pub(super) async fn reader_rows(
    store: &Store,
    reads: Vec<AuditEntry>,
) -> Result<Vec<ReaderRow>, StoreError> {
    let mut grouped: Vec<ReaderRow> = Vec::new();
    for entry in rows(store, reads).await? {
        match grouped
            .iter_mut()
            .find(|g| g.who == entry.who && g.action == entry.action)
        {
            Some(group) => {
                group.times += 1;
                group.first = entry.at;
            }
            None => grouped.push(ReaderRow {
                who: entry.who,
                action: entry.action,
                times: 1,
                first: entry.at.clone(),
                last: entry.at,
            }),
        }
    }
    Ok(grouped)
}

/// Entries with each account id replaced by the account's name and address.
pub(super) async fn rows(
    store: &Store,
    entries: Vec<AuditEntry>,
) -> Result<Vec<EntryRow>, StoreError> {
    let mut names: HashMap<String, String> = HashMap::new();
    for entry in &entries {
        if names.contains_key(&entry.actor) {
            continue;
        }
        let name = match entry.actor.parse::<Uuid>() {
            Ok(id) => store
                .find_user(UserId(id))
                .await?
                .map(|a| format!("{} <{}>", a.display_name, a.email))
                .unwrap_or_else(|| entry.actor.clone()),
            Err(_) => entry.actor.clone(),
        };
        names.insert(entry.actor.clone(), name);
    }
    Ok(entries
        .into_iter()
        .map(|e| EntryRow {
            // Stored to the nanosecond, shown to the second in the entry's country's time.
            at: time::OffsetDateTime::parse(&e.at, &Rfc3339).map_or_else(
                |_| e.at.clone(),
                |at| {
                    let country = e
                        .country
                        .as_deref()
                        .and_then(|c| CountryCode::parse(c).ok());
                    super::format_local(at, country)
                },
            ),
            who: format!(
                "{} ({})",
                names.get(&e.actor).cloned().unwrap_or_default(),
                e.role
            ),
            action: e.action,
            record: match (e.record_type, e.record_id) {
                (Some(kind), Some(id)) => format!("{kind} {id}"),
                _ => String::new(),
            },
        })
        .collect())
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    rows: Vec<EntryRow>,
}

pub(super) async fn show_audit(
    Console(state, who, lang, headers): Console,
) -> Result<Response, PageError> {
    let Some(country) = who.account.scope().country() else {
        return Err(PageError::new(lang, AppError::Forbidden, &headers));
    };
    let fail = store_error(lang, &headers);
    let entries = state
        .store
        .list_country_audit(country, i64::MAX, PAGE_SIZE)
        .await
        .map_err(&fail)?;
    let rows = rows(&state.store, entries).await.map_err(&fail)?;
    let tr = Tr::new(lang);
    let page = AuditPage {
        title: tr.t("audit-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, &who),
        rows,
        tr,
    };
    Ok(console_page(lang, page.render(), &headers))
}
