//! The public site rendered once: every page of the directory and of the content pages, and every
//! API answer, as bytes, rebuilt when the directory or a content page changes. Public requests are then a map lookup, whatever the load.

use std::collections::HashMap;
use std::sync::Arc;

use antitrata_domain::content::{ContentPage, ContentVersion};
use antitrata_domain::{CountryCode, CountryDirectory, Lang};
use antitrata_store::Store;
use arc_swap::ArcSwapOption;
use axum::body::Bytes;
use time::OffsetDateTime;

use crate::error::AppError;
use crate::{api, content, pages};

/// Everything the public site and the API serve, pre-rendered.
#[derive(Debug)]
pub struct Snapshot {
    /// The index in each language, for a visitor of no known country (`None`) and with each
    /// country first.
    pub index_pages: HashMap<(Lang, Option<CountryCode>), Bytes>,
    pub country_pages: HashMap<(Lang, CountryCode), Bytes>,
    /// The content pages (warning signs, know your rights, …) in each language they have.
    pub guide_pages: HashMap<(Lang, ContentPage), Bytes>,
    /// The public site's 404 in each language: every country's numbers under "no such page".
    pub not_found_pages: HashMap<Lang, Bytes>,
    pub countries_json: Bytes,
    pub hotlines_json: Bytes,
    pub country_json: HashMap<CountryCode, Bytes>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("rendering a page failed: {0}")]
    Page(#[from] askama::Error),
    #[error("rendering JSON failed: {0}")]
    Json(#[from] serde_json::Error),
}

impl Snapshot {
    /// Every page of the directory and of the content pages (the newest version of each).
    pub fn build(
        directories: &[CountryDirectory],
        contents: &[ContentVersion],
    ) -> Result<Snapshot, RenderError> {
        let mut index_pages = HashMap::new();
        let mut country_pages = HashMap::new();
        let mut not_found_pages = HashMap::new();
        let mut guide_pages = HashMap::new();
        for version in contents {
            let html = content::render_guide(version, contents)?;
            guide_pages.insert((version.lang, version.page), Bytes::from(html));
        }
        for lang in Lang::ALL {
            let guides = content::guide_links(lang, contents);
            let html = pages::render_not_found(lang, directories)?;
            not_found_pages.insert(lang, Bytes::from(html));
            let firsts =
                std::iter::once(None).chain(directories.iter().map(|d| Some(d.country.iso2)));
            for first in firsts {
                let html = pages::render_index(lang, directories, first, &guides)?;
                index_pages.insert((lang, first), Bytes::from(html));
            }
            for directory in directories {
                let html = pages::render_country(lang, directory, &guides)?;
                country_pages.insert((lang, directory.country.iso2), Bytes::from(html));
            }
        }
        let mut country_json = HashMap::new();
        for directory in directories {
            country_json.insert(
                directory.country.iso2,
                Bytes::from(api::directory::render_country(directory)?),
            );
        }
        Ok(Snapshot {
            index_pages,
            country_pages,
            guide_pages,
            not_found_pages,
            countries_json: Bytes::from(api::directory::render_countries(directories)?),
            hotlines_json: Bytes::from(api::directory::render_hotlines(directories)?),
            country_json,
        })
    }
}

/// Holds the current snapshot; loads it from the store on first use and after `invalidate`, and
/// renders it again when the store's site version moved on (another instance on the same
/// database changed the directory or a content page), checked at most once per interval.
#[derive(Debug, Default)]
pub(crate) struct DirectoryCache {
    current: ArcSwapOption<Rendered>,
    /// One load or check at a time, so a burst of requests makes one query, not hundreds.
    loading: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Rendered {
    snapshot: Arc<Snapshot>,
    /// The site version the snapshot was rendered from.
    version: i64,
    /// When the store's version was last compared with it.
    checked_at: OffsetDateTime,
}

impl DirectoryCache {
    /// The snapshot, compared with the store's site version if the last comparison is older
    /// than `recheck`. When the store cannot be asked, the pages already rendered go on being
    /// served: a visitor in danger still finds the numbers.
    pub(crate) async fn get(
        &self,
        store: &Store,
        now: OffsetDateTime,
        recheck: time::Duration,
    ) -> Result<Arc<Snapshot>, AppError> {
        let fresh = |r: &Rendered| now - r.checked_at < recheck;
        if let Some(rendered) = self.current.load_full().filter(|r| fresh(r)) {
            return Ok(Arc::clone(&rendered.snapshot));
        }
        let _loading = self.loading.lock().await;
        let current = self.current.load_full();
        if let Some(rendered) = current.as_ref().filter(|r| fresh(r)) {
            return Ok(Arc::clone(&rendered.snapshot));
        }
        let version = match (store.site_version().await, &current) {
            (Ok(version), _) => version,
            (Err(e), Some(rendered)) => {
                tracing::warn!(error = %e, "checking the site's version failed; serving the pages rendered before");
                self.keep(rendered, now);
                return Ok(Arc::clone(&rendered.snapshot));
            }
            (Err(e), None) => {
                tracing::error!(error = %e, "reading the site's version failed");
                return Err(AppError::Unavailable);
            }
        };
        if let Some(rendered) = current.as_ref().filter(|r| r.version == version) {
            self.keep(rendered, now);
            return Ok(Arc::clone(&rendered.snapshot));
        }
        let directories = store.list_directories().await.map_err(|e| {
            tracing::error!(error = %e, "loading the hotline directory failed");
            AppError::Unavailable
        })?;
        let contents = store.list_current_content().await.map_err(|e| {
            tracing::error!(error = %e, "loading the site's content pages failed");
            AppError::Unavailable
        })?;
        let snapshot = Arc::new(Snapshot::build(&directories, &contents).map_err(|e| {
            tracing::error!(error = %e, "rendering the hotline directory failed");
            AppError::Internal
        })?);
        self.current.store(Some(Arc::new(Rendered {
            snapshot: Arc::clone(&snapshot),
            version,
            checked_at: now,
        })));
        Ok(snapshot)
    }

    /// Notes that `rendered` is still current at `now`.
    fn keep(&self, rendered: &Rendered, now: OffsetDateTime) {
        self.current.store(Some(Arc::new(Rendered {
            snapshot: Arc::clone(&rendered.snapshot),
            version: rendered.version,
            checked_at: now,
        })));
    }

    /// Drops the snapshot; the next request renders it again from the store. Call after any
    /// edit of the directory or of a content page (other instances notice by the site version).
    pub(crate) fn invalidate(&self) {
        self.current.store(None);
    }
}
