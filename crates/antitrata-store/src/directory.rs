//! The public directory: countries and their hotlines.

use std::collections::BTreeMap;

use antitrata_domain::{
    Channel, Confidence, Country, CountryCode, CountryDirectory, Hotline, HotlineId, HotlineScope,
};
use sqlx::FromRow;
use sqlx::types::Json;
use time::Date;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::error::{account_of, require};
use crate::store::with_pool;
use crate::time_columns::{from_unix, unix};
use crate::{ConflictKind, Entity, Store, StoreError};
use antitrata_domain::Actor;
use antitrata_domain::policy::Action;

/// One edit of a line: who made it, when, and the line before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineChange {
    /// The line's version the edit made.
    pub version: i64,
    /// The e-mail address of the administrator who made it.
    pub changed_by: Option<String>,
    pub changed_at: time::OffsetDateTime,
    pub before: Hotline,
    pub after: Hotline,
}

const COUNTRY_COLUMNS: &str = "iso2, calling_code, name_es, name_en, name_fr, emergency_number, \
     emergency_notes, emergency_source_urls, authority, authority_source_urls";

const HOTLINE_COLUMNS: &str = "id, country, position, name, name_lang, names, descriptions, scope, \
     number, number_vanity, institution, hours, free, channels, languages, interpretation, \
     languages_note, email, sms, web, source_urls, source_year, confidence, verified_on, notes, \
     version";

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
                .map(|row| row.into_domain().map(|(_, line)| line))
                .collect::<Result<_, _>>()?,
        }))
    }

    /// One line with its version, whatever its country (the directory is public).
    pub async fn find_hotline(&self, id: HotlineId) -> Result<Option<(i64, Hotline)>, StoreError> {
        let sql = format!("select {HOTLINE_COLUMNS} from hotlines where id = $1");
        let row: Option<HotlineRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        row.map(HotlineRow::into_domain).transpose()
    }

    /// Saves a country administrator's edit of one of their country's lines, if it is still at
    /// `version` (else `ChangedMeanwhile`): the fields an administrator edits (`HotlineInput`'s;
    /// its id, country, position, scope and research notes stay as stored), its version raised, the line before and after kept in
    /// its history, the site's version raised so that every instance renders its pages again,
    /// and the edit audited. Another country's line is `OutOfScope`. Returns the new version.
    pub async fn update_hotline(
        &self,
        actor: &Actor,
        version: i64,
        line: &Hotline,
    ) -> Result<i64, StoreError> {
        require(actor, Action::EditDirectory)?;
        let home = actor.scope.country().ok_or(StoreError::OutOfScope)?;
        let editor = account_of(actor)?;
        let audit = PendingEntry::new(
            actor,
            AuditEvent {
                action: "hotline.updated",
                record_type: Some("hotline"),
                record_id: Some(line.id.to_string()),
            },
        )?;
        let select = format!("select {HOTLINE_COLUMNS} from hotlines where id = $1");
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let row: Option<HotlineRow> = sqlx::query_as(&select)
                .bind(line.id.0)
                .fetch_optional(&mut *tx)
                .await?;
            let (stored_version, before) = row
                .ok_or(StoreError::NotFound(Entity::Hotline))?
                .into_domain()?;
            if before.country != home || line.country != home {
                return Err(StoreError::OutOfScope);
            }
            if stored_version != version {
                return Err(StoreError::Conflict(ConflictKind::ChangedMeanwhile(
                    Entity::Hotline,
                )));
            }
            // Exactly the fields the statement below writes; the rest stays as stored.
            let after = Hotline {
                name: line.name.clone(),
                names: line.names.clone(),
                descriptions: line.descriptions.clone(),
                number: line.number.clone(),
                number_vanity: line.number_vanity.clone(),
                hours: line.hours.clone(),
                free: line.free,
                channels: line.channels.clone(),
                languages: line.languages.clone(),
                institution: line.institution.clone(),
                source_urls: line.source_urls.clone(),
                confidence: line.confidence,
                verified_on: line.verified_on,
                ..before.clone()
            };
            sqlx::query(
                "update hotlines set name = $1, names = $2, descriptions = $3, number = $4, \
                 number_vanity = $5, hours = $6, free = $7, channels = $8, languages = $9, \
                 institution = $10, source_urls = $11, confidence = $12, verified_on = $13, \
                 version = $14 where id = $15",
            )
            .bind(&after.name)
            .bind(Json(&after.names))
            .bind(Json(&after.descriptions))
            .bind(&after.number)
            .bind(&after.number_vanity)
            .bind(&after.hours)
            .bind(after.free)
            .bind(Json(
                after
                    .channels
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>(),
            ))
            .bind(Json(&after.languages))
            .bind(&after.institution)
            .bind(Json(&after.source_urls))
            .bind(after.confidence.as_str())
            .bind(after.verified_on)
            .bind(version + 1)
            .bind(after.id.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "insert into hotline_changes (hotline_id, version, changed_by, changed_at, \
                 before, after) values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(after.id.0)
            .bind(version + 1)
            .bind(editor)
            .bind(unix(actor.at))
            .bind(Json(&before))
            .bind(Json(&after))
            .execute(&mut *tx)
            .await?;
            raise_site_version!(tx);
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(version + 1)
    }

    /// Every edit of a line, newest first.
    pub async fn list_hotline_changes(
        &self,
        id: HotlineId,
    ) -> Result<Vec<HotlineChange>, StoreError> {
        let rows: Vec<ChangeRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "select c.version, u.email as changed_by, c.changed_at, c.before, c.after \
                 from hotline_changes c left join users u on u.id = c.changed_by \
                 where c.hotline_id = $1 order by c.version desc",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(HotlineChange {
                    version: r.version,
                    changed_by: r.changed_by,
                    changed_at: from_unix(r.changed_at)?,
                    before: r.before.0,
                    after: r.after.0,
                })
            })
            .collect()
    }

    /// The public site's version: raised by every change of the directory or of a content
    /// page, so an instance knows when the pages it rendered are out of date.
    pub async fn site_version(&self) -> Result<i64, StoreError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_scalar("select version from site_version where id = 1")
                .fetch_one(pool)
                .await?
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
            .map(|row| row.into_domain().map(|(_, line)| line))
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
struct ChangeRow {
    version: i64,
    changed_by: Option<String>,
    changed_at: i64,
    before: Json<Hotline>,
    after: Json<Hotline>,
}

/// Raises the public site's version inside the transaction `$tx` of a change to the directory
/// or to a content page.
macro_rules! raise_site_version {
    ($tx:expr) => {
        sqlx::query("update site_version set version = version + 1 where id = 1")
            .execute(&mut *$tx)
            .await?;
    };
}
pub(crate) use raise_site_version;

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
    descriptions: Json<BTreeMap<String, String>>,
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
    version: i64,
}

impl HotlineRow {
    /// The line and its version.
    fn into_domain(self) -> Result<(i64, Hotline), StoreError> {
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
        let version = self.version;
        Ok((
            version,
            Hotline {
                id: HotlineId(self.id),
                country: parse_country(&self.country)?,
                position: self.position,
                name: self.name,
                name_lang: self.name_lang,
                names: self.names.0,
                descriptions: self.descriptions.0,
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
            },
        ))
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
