//! The public site's content pages: every saved text of each page and language, kept as a
//! version. Campaign editors save new versions and bring back old ones; the site shows the newest
//! of each. Not personal data, but every change is audited.

use antitrata_domain::content::{ContentPage, ContentText, ContentVersion};
use antitrata_domain::policy::Action;
use antitrata_domain::{Actor, Lang};
use sqlx::FromRow;

use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::contacts::corrupt;
use crate::directory::raise_site_version;
use crate::error::{account_of, require};
use crate::store::with_pool;
use crate::time_columns::{from_unix, unix};
use crate::{ConflictKind, Entity, Store, StoreError};

const COLUMNS: &str = "c.page, c.lang, c.version, c.markdown, u.email as saved_by, c.saved_at, \
     c.reverted_from from content_versions c left join users u on u.id = c.saved_by";

/// The starter text of each page in each language, seeded at first start.
pub(crate) const STARTER: [(ContentPage, Lang, &str); 9] = [
    (
        ContentPage::WarningSigns,
        Lang::Es,
        include_str!("../seed/content/es/warning-signs.md"),
    ),
    (
        ContentPage::WarningSigns,
        Lang::En,
        include_str!("../seed/content/en/warning-signs.md"),
    ),
    (
        ContentPage::WarningSigns,
        Lang::Fr,
        include_str!("../seed/content/fr/warning-signs.md"),
    ),
    (
        ContentPage::KnowYourRights,
        Lang::Es,
        include_str!("../seed/content/es/know-your-rights.md"),
    ),
    (
        ContentPage::KnowYourRights,
        Lang::En,
        include_str!("../seed/content/en/know-your-rights.md"),
    ),
    (
        ContentPage::KnowYourRights,
        Lang::Fr,
        include_str!("../seed/content/fr/know-your-rights.md"),
    ),
    (
        ContentPage::WhenYouCall,
        Lang::Es,
        include_str!("../seed/content/es/when-you-call.md"),
    ),
    (
        ContentPage::WhenYouCall,
        Lang::En,
        include_str!("../seed/content/en/when-you-call.md"),
    ),
    (
        ContentPage::WhenYouCall,
        Lang::Fr,
        include_str!("../seed/content/fr/when-you-call.md"),
    ),
];

/// Gives each page and language its starter text as version 1 where it has none, inside the
/// seeding transaction; a page with versions keeps them.
pub(crate) const SEED_CONTENT: &str = "insert into content_versions (page, lang, version, \
     markdown) values ($1, $2, 1, $3) on conflict (page, lang, version) do nothing";

impl Store {
    /// Saves `text` as the next version of `page` in `lang`, if the newest is still `base`, the
    /// version the editor started from: otherwise `ChangedMeanwhile` and nothing is saved, so
    /// two editors never overwrite each other unseen. Campaign editors only; audited.
    pub async fn save_content(
        &self,
        actor: &Actor,
        page: ContentPage,
        lang: Lang,
        base: i64,
        text: &ContentText,
    ) -> Result<ContentVersion, StoreError> {
        self.write_content(actor, page, lang, base, Source::Text(text))
            .await
    }

    /// Brings back version `version` of `page` in `lang`: its text becomes the next version, if
    /// the newest is still `base`. Campaign editors only; audited.
    pub async fn revert_content(
        &self,
        actor: &Actor,
        page: ContentPage,
        lang: Lang,
        base: i64,
        version: i64,
    ) -> Result<ContentVersion, StoreError> {
        self.write_content(actor, page, lang, base, Source::Version(version))
            .await
    }

    async fn write_content(
        &self,
        actor: &Actor,
        page: ContentPage,
        lang: Lang,
        base: i64,
        source: Source<'_>,
    ) -> Result<ContentVersion, StoreError> {
        require(actor, Action::EditContent)?;
        let editor = account_of(actor)?;
        let next = base + 1;
        let (action, reverted_from) = match source {
            Source::Text(_) => ("content.saved", None),
            Source::Version(v) => ("content.reverted", Some(v)),
        };
        let audit = PendingEntry::new(
            actor,
            AuditEvent {
                action,
                record_type: Some("content"),
                record_id: Some(format!("{page}/{lang}/{next}", lang = lang.code())),
            },
        )?;
        let (markdown, email): (String, Option<String>) = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let newest: Option<i64> = sqlx::query_scalar(
                "select max(version) from content_versions where page = $1 and lang = $2",
            )
            .bind(page.code())
            .bind(lang.code())
            .fetch_one(&mut *tx)
            .await?;
            if newest.unwrap_or(0) != base {
                return Err(StoreError::Conflict(ConflictKind::ChangedMeanwhile(
                    Entity::Content,
                )));
            }
            let markdown = match source {
                Source::Text(text) => text.markdown().to_owned(),
                Source::Version(version) => sqlx::query_scalar(
                    "select markdown from content_versions where page = $1 and lang = $2 \
                     and version = $3",
                )
                .bind(page.code())
                .bind(lang.code())
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound(Entity::Content))?,
            };
            sqlx::query(
                "insert into content_versions (page, lang, version, markdown, saved_by, \
                 saved_at, reverted_from) values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(page.code())
            .bind(lang.code())
            .bind(next)
            .bind(&markdown)
            .bind(editor)
            .bind(unix(actor.at))
            .bind(reverted_from)
            .execute(&mut *tx)
            .await?;
            let email = sqlx::query_scalar("select email from users where id = $1")
                .bind(editor)
                .fetch_optional(&mut *tx)
                .await?;
            raise_site_version!(tx);
            append_audit!(tx, &audit);
            tx.commit().await?;
            (markdown, email)
        });
        Ok(ContentVersion {
            page,
            lang,
            version: next,
            text: ContentText::parse(&markdown).map_err(|_| corrupt("page text", page.code()))?,
            saved_by: email,
            saved_at: Some(actor.at),
            reverted_from,
        })
    }

    /// Every version of `page` in `lang`, newest first.
    pub async fn list_content_versions(
        &self,
        page: ContentPage,
        lang: Lang,
    ) -> Result<Vec<ContentVersion>, StoreError> {
        let rows: Vec<ContentRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "select {COLUMNS} where c.page = $1 and c.lang = $2 order by c.version desc"
            ))
            .bind(page.code())
            .bind(lang.code())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(ContentRow::open).collect()
    }

    /// The newest version of every page in every language that has one: what the site shows.
    pub async fn list_current_content(&self) -> Result<Vec<ContentVersion>, StoreError> {
        let rows: Vec<ContentRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "select {COLUMNS} where c.version = (select max(n.version) from \
                 content_versions n where n.page = c.page and n.lang = c.lang) \
                 order by c.page, c.lang"
            ))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(ContentRow::open).collect()
    }
}

/// Where a new version's text comes from.
enum Source<'a> {
    Text(&'a ContentText),
    /// An earlier version, brought back.
    Version(i64),
}

#[derive(FromRow)]
struct ContentRow {
    page: String,
    lang: String,
    version: i64,
    markdown: String,
    saved_by: Option<String>,
    saved_at: Option<i64>,
    reverted_from: Option<i64>,
}

impl ContentRow {
    fn open(self) -> Result<ContentVersion, StoreError> {
        Ok(ContentVersion {
            page: ContentPage::parse(&self.page).ok_or_else(|| corrupt("page", &self.page))?,
            lang: Lang::parse(&self.lang).map_err(|_| corrupt("language", &self.lang))?,
            version: self.version,
            text: ContentText::parse(&self.markdown)
                .map_err(|_| corrupt("page text", &self.page))?,
            saved_by: self.saved_by,
            saved_at: self.saved_at.map(from_unix).transpose()?,
            reverted_from: self.reverted_from,
        })
    }
}
