//! Seeds the reference directory on first start from `seed/directory.json`, which is derived from
//! the project's research file by `scripts/derive-directory.py`.

use antitrata_domain::{Country, CountryCode, CountryDirectory, Hotline, HotlineId};
use serde::Deserialize;
use sqlx::types::Json;

use crate::content::{SEED_CONTENT, STARTER};
use crate::directory::{INSERT_COUNTRY, INSERT_HOTLINE, NAME_SEEDED_HOTLINE};
use crate::store::with_pool;
use crate::{Store, StoreError};

const SEED_JSON: &str = include_str!("../seed/directory.json");

/// What seeding did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    /// The directory was empty and now holds the seed.
    Seeded { countries: usize, hotlines: usize },
    /// The directory already had countries: nothing was changed, so an administrator's edits stay.
    AlreadyPresent,
}

/// The seed directory, parsed. Fails only if the committed seed file is broken.
pub fn seed_directory() -> Result<Vec<CountryDirectory>, StoreError> {
    #[derive(Deserialize)]
    struct SeedFile {
        countries: Vec<SeedCountry>,
    }
    #[derive(Deserialize)]
    struct SeedCountry {
        #[serde(flatten)]
        country: Country,
        hotlines: Vec<serde_json::Map<String, serde_json::Value>>,
    }

    let file: SeedFile =
        serde_json::from_str(SEED_JSON).map_err(|e| StoreError::Seed(e.to_string()))?;
    file.countries
        .into_iter()
        .map(|seed| {
            let code: CountryCode = seed.country.iso2;
            let hotlines = seed
                .hotlines
                .into_iter()
                .enumerate()
                .map(|(position, mut fields)| {
                    // The seed lists lines in page order; id, country and position follow from that.
                    fields.insert(
                        "id".into(),
                        serde_json::json!(HotlineId::seeded(code, position)),
                    );
                    fields.insert("country".into(), serde_json::json!(code));
                    fields.insert("position".into(), serde_json::json!(position));
                    serde_json::from_value::<Hotline>(fields.into())
                        .map_err(|e| StoreError::Seed(format!("{code} line {position}: {e}")))
                })
                .collect::<Result<_, _>>()?;
            Ok(CountryDirectory {
                country: seed.country,
                hotlines,
            })
        })
        .collect()
}

impl Store {
    /// Seeds the directory if it has no country yet, in one transaction; a directory seeded
    /// already only gets the seeded lines' names in the site's languages where none is recorded.
    /// Every content page of the site without a text gets its starter text.
    /// Safe to run from several instances at once: conflicting inserts are skipped.
    pub async fn seed_reference_data(&self) -> Result<SeedOutcome, StoreError> {
        let directories = seed_directory()?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            // Each content page without a text gets its starter text, whatever the directory.
            for (page, lang, markdown) in STARTER {
                sqlx::query(SEED_CONTENT)
                    .bind(page.code())
                    .bind(lang.code())
                    .bind(markdown.trim())
                    .execute(&mut *tx)
                    .await?;
            }
            let (count,): (i64,) = sqlx::query_as("select count(*) from countries")
                .fetch_one(&mut *tx)
                .await?;
            if count > 0 {
                // A directory seeded before lines had names in several languages gets them.
                for h in directories.iter().flat_map(|d| &d.hotlines) {
                    sqlx::query(NAME_SEEDED_HOTLINE)
                        .bind(&h.name_lang)
                        .bind(Json(&h.names))
                        .bind(h.id.0)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                return Ok(SeedOutcome::AlreadyPresent);
            }
            let mut hotline_count = 0;
            for directory in &directories {
                let c = &directory.country;
                sqlx::query(INSERT_COUNTRY)
                    .bind(c.iso2.as_str())
                    .bind(&c.calling_code)
                    .bind(&c.name_es)
                    .bind(&c.name_en)
                    .bind(&c.name_fr)
                    .bind(&c.emergency_number)
                    .bind(&c.emergency_notes)
                    .bind(Json(&c.emergency_source_urls))
                    .bind(&c.authority)
                    .bind(Json(&c.authority_source_urls))
                    .execute(&mut *tx)
                    .await?;
                for h in &directory.hotlines {
                    let channels: Vec<&str> = h.channels.iter().map(|c| c.as_str()).collect();
                    sqlx::query(INSERT_HOTLINE)
                        .bind(h.id.0)
                        .bind(h.country.as_str())
                        .bind(h.position)
                        .bind(&h.name)
                        .bind(h.scope.as_str())
                        .bind(&h.number)
                        .bind(&h.number_vanity)
                        .bind(&h.institution)
                        .bind(&h.hours)
                        .bind(h.free)
                        .bind(Json(channels))
                        .bind(Json(&h.languages))
                        .bind(h.interpretation)
                        .bind(&h.languages_note)
                        .bind(&h.email)
                        .bind(&h.sms)
                        .bind(&h.web)
                        .bind(Json(&h.source_urls))
                        .bind(h.source_year)
                        .bind(h.confidence.as_str())
                        .bind(h.verified_on)
                        .bind(&h.notes)
                        .bind(&h.name_lang)
                        .bind(Json(&h.names))
                        .execute(&mut *tx)
                        .await?;
                    hotline_count += 1;
                }
            }
            tx.commit().await?;
            Ok(SeedOutcome::Seeded {
                countries: directories.len(),
                hotlines: hotline_count,
            })
        })
    }
}
