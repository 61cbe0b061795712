//! The public directory: countries and their hotlines.

use std::collections::BTreeMap;

use antitrata_domain::{
    Channel, Confidence, Country, CountryCode, CountryDirectory, Hotline, HotlineId, HotlineScope,
};
use sqlx::FromRow;
use sqlx::types::Json;
use time::Date;
use uuid::Uuid;

use crate::store::with_pool;
use crate::{Store, StoreError};

const COUNTRY_COLUMNS: &str = "iso2, calling_code, name_es, name_en, name_fr, emergency_number, \
     emergency_notes, emergency_source_urls, authority, authority_source_urls";

const HOTLINE_COLUMNS: &str = "id, country, position, name, name_lang, names, scope, number, \
     number_vanity, institution, hours, free, channels, languages, interpretation, languages_note, \
     email, sms, web, source_urls, source_year, confidence, verified_on, notes";

impl Store {
    /// All countries of the directory, ordered by ISO code.
    pub async fn list_countries(&self) -> Result<Vec<Country>, StoreError> {
        let sql = format!("select {COUNTRY_COLUMNS} from countries order by iso2");
        let rows: Vec<CountryRow> =
            with_pool!(self, |pool| { sqlx::query_as(&sql).fetch_all(pool).await? });
        rows.into_iter().map(CountryRow::into_domain).collect()
    }

    /// One country with its lines, or `None` if the directory does not have it.
    pub async fn find_country_directory(
        &self,
        code: CountryCode,
    ) -> Result<Option<CountryDirectory>, StoreError> {
        let country_sql = format!("select {COUNTRY_COLUMNS} from countries where iso2 = $1");
        let hotline_sql =
            format!("select {HOTLINE_COLUMNS} from hotlines where country = $1 order by position");
        let (country, hotlines): (Option<CountryRow>, Vec<HotlineRow>) = with_pool!(self, |pool| {
            let country = sqlx::query_as(&country_sql)
                .bind(code.as_str())
                .fetch_optional(pool)
                .await?;
            let hotlines = sqlx::query_as(&hotline_sql)
                .bind(code.as_str())
                .fetch_all(pool)
                .await?;
            (country, hotlines)
        });
        let Some(country) = country else {
            return Ok(None);
        };
        Ok(Some(CountryDirectory {
            country: country.into_domain()?,
            hotlines: hotlines
                .into_iter()
                .map(HotlineRow::into_domain)
                .collect::<Result<_, _>>()?,
        }))
    }

    /// Every country with its lines, ordered by ISO code, lines by position.
    pub async fn list_directories(&self) -> Result<Vec<CountryDirectory>, StoreError> {
        let hotline_sql =
            format!("select {HOTLINE_COLUMNS} from hotlines order by country, position");
        let countries = self.list_countries().await?;
        let rows: Vec<HotlineRow> = with_pool!(self, |pool| {
            sqlx::query_as(&hotline_sql).fetch_all(pool).await?
        });
        let mut hotlines = rows
            .into_iter()
            .map(HotlineRow::into_domain)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .peekable();
        let mut directories = Vec::with_capacity(countries.len());
        for country in countries {
            let mut lines = Vec::new();
            while let Some(line) = hotlines.next_if(|h| h.country == country.iso2) {
                lines.push(line);
            }
            directories.push(CountryDirectory {
                country,
                hotlines: lines,
            });
        }
        Ok(directories)
    }
}

#[derive(FromRow)]
struct CountryRow {
    iso2: String,
    calling_code: String,
    name_es: String,
    name_en: String,
    name_fr: String,
    emergency_number: String,
    emergency_notes: Option<String>,
    emergency_source_urls: Json<Vec<String>>,
    authority: Option<String>,
    authority_source_urls: Json<Vec<String>>,
}

impl CountryRow {
    fn into_domain(self) -> Result<Country, StoreError> {
        Ok(Country {
            iso2: parse_country(&self.iso2)?,
            calling_code: self.calling_code,
            name_es: self.name_es,
            name_en: self.name_en,
            name_fr: self.name_fr,
            emergency_number: self.emergency_number,
            emergency_notes: self.emergency_notes,
            emergency_source_urls: self.emergency_source_urls.0,
            authority: self.authority,
            authority_source_urls: self.authority_source_urls.0,
        })
    }
}

#[derive(FromRow)]
struct HotlineRow {
    id: Uuid,
    country: String,
    position: i32,
    name: String,
    name_lang: Option<String>,
    names: Json<BTreeMap<String, String>>,
    scope: String,
    number: Option<String>,
    number_vanity: Option<String>,
    institution: Option<String>,
    hours: Option<String>,
    free: Option<bool>,
    channels: Json<Vec<String>>,
    languages: Json<Vec<String>>,
    interpretation: bool,
    languages_note: Option<String>,
    email: Option<String>,
    sms: Option<String>,
    web: Option<String>,
    source_urls: Json<Vec<String>>,
    source_year: Option<i32>,
    confidence: String,
    verified_on: Option<Date>,
    notes: Option<String>,
}

impl HotlineRow {
    fn into_domain(self) -> Result<Hotline, StoreError> {
        let scope = HotlineScope::parse(&self.scope).ok_or_else(|| {
            StoreError::Corrupt(format!("unknown hotline scope `{}`", self.scope))
        })?;
        let confidence = Confidence::parse(&self.confidence).ok_or_else(|| {
            StoreError::Corrupt(format!("unknown confidence `{}`", self.confidence))
        })?;
        let channels = self
            .channels
            .0
            .iter()
            .map(|c| {
                Channel::parse(c)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown channel `{c}`")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Hotline {
            id: HotlineId(self.id),
            country: parse_country(&self.country)?,
            position: self.position,
            name: self.name,
            name_lang: self.name_lang,
            names: self.names.0,
            scope,
            number: self.number,
            number_vanity: self.number_vanity,
            institution: self.institution,
            hours: self.hours,
            free: self.free,
            channels,
            languages: self.languages.0,
            interpretation: self.interpretation,
            languages_note: self.languages_note,
            email: self.email,
            sms: self.sms,
            web: self.web,
            source_urls: self.source_urls.0,
            source_year: self.source_year,
            confidence,
            verified_on: self.verified_on,
            notes: self.notes,
        })
    }
}

fn parse_country(code: &str) -> Result<CountryCode, StoreError> {
    CountryCode::parse(code).map_err(|_| StoreError::Corrupt(format!("bad country code `{code}`")))
}

/// Inserts a country and its lines through one executor (a transaction when seeding).
pub(crate) const INSERT_COUNTRY: &str = "insert into countries (iso2, calling_code, name_es, \
     name_en, name_fr, emergency_number, emergency_notes, emergency_source_urls, authority, \
     authority_source_urls) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
     on conflict (iso2) do nothing";

pub(crate) const INSERT_HOTLINE: &str = "insert into hotlines (id, country, position, name, scope, \
     number, number_vanity, institution, hours, free, channels, languages, interpretation, \
     languages_note, email, sms, web, source_urls, source_year, confidence, verified_on, notes, \
     name_lang, names) \
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
     $19, $20, $21, $22, $23, $24) on conflict (id) do nothing";

/// Gives a seeded line its names in the site's languages, once: a line whose name language is
/// recorded (seeded so, or set by an administrator) is left as it is.
pub(crate) const NAME_SEEDED_HOTLINE: &str =
    "update hotlines set name_lang = $1, names = $2 where id = $3 and name_lang is null";
