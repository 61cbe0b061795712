//! The people of a case, in the `persons` table beside the people recorded on their own: sealed
//! name, aliases, phone, address and date of birth, blind indexes of name and phone (so the
//! person search finds them), and clear fields for counting. Adding a minor flags the case.

use antitrata_domain::casework::{
    AgeBand, CaseId, CasePerson, ContactLanguage, Gender, PersonRole, join_codes, split_codes,
};
use antitrata_domain::{Actor, PersonId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::audit::{PendingEntry, SealedRead, append_audit};
use crate::contacts::{corrupt, country, scope};
use crate::error::stale_unless;
use crate::persons::{context, event, person_digests};
use crate::store::{insert_digests, with_pool};
use crate::time_columns::{date_text, parse_date, unix};
use crate::{ConflictKind, Entity, Keyring, Store, StoreError};

const COLUMNS: &str = "id, country, role, name_sealed, aliases_sealed, phone_sealed, \
     address_sealed, born_on_sealed, age_band, gender, nationality, languages, is_minor, case_id, \
     version";

/// The case of the person `$id` of the country `$home` (`NotFound` if there is none), checked
/// to be at the version `$expected` when one is given (`Stale` otherwise).
macro_rules! case_at_version {
    ($tx:expr, $id:expr, $home:expr, $expected:expr) => {{
        let row: Option<(Uuid, i64)> = sqlx::query_as(
            "select case_id, version from persons \
             where id = $1 and country = $2 and case_id is not null",
        )
        .bind($id.0)
        .bind($home)
        .fetch_optional(&mut *$tx)
        .await?;
        let (case, version) = row.ok_or(StoreError::NotFound(Entity::PersonOfTheCase))?;
        stale_unless(Entity::PersonOfTheCase, $expected, version)?;
        case
    }};
}

/// A person of the case `$case` was added, changed or removed: the case's version goes up and
/// its minor flag follows its people.
macro_rules! case_changed {
    ($tx:expr, $case:expr, $actor:expr) => {{
        sqlx::query(
            "update cases set version = version + 1, updated_at = $1, has_minor = exists \
             (select 1 from persons where case_id = $2 and is_minor) where id = $2",
        )
        .bind(unix($actor.at))
        .bind($case)
        .execute(&mut *$tx)
        .await?;
    }};
}

impl Store {
    /// Adds a person to a case of the actor's country; returns their version and the person as
    /// stored. The same id again (a form sent twice) returns the person stored and records
    /// nothing new.
    pub async fn add_case_person(
        &self,
        actor: &Actor,
        id: PersonId,
        case: CaseId,
        person: &CasePerson,
    ) -> Result<(i64, CasePerson), StoreError> {
        let keyring = self.keyring()?;
        let home = scope(actor)?;
        let sealed = SealedPerson::new(keyring, id, person)?;
        let audit = PendingEntry::new(actor, event("person.created", id))?;
        let again = PendingEntry::new(actor, event("person.resubmitted", id))?;
        let row: CasePersonRow = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let case_exists: Option<Uuid> =
                sqlx::query_scalar("select id from cases where id = $1 and country = $2")
                    .bind(case.0)
                    .bind(home.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if case_exists.is_none() {
                return Err(StoreError::NotFound(Entity::Case));
            }
            let done = sqlx::query(
                "insert into persons (id, country, key_id, name_sealed, phone_sealed, created_at, \
                 case_id, role, aliases_sealed, address_sealed, born_on_sealed, age_band, gender, \
                 nationality, languages, is_minor) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                 $10, $11, $12, $13, $14, $15, $16) on conflict (id) do nothing",
            )
            .bind(id.0)
            .bind(home.as_str())
            .bind(i64::from(keyring.current_key_id()))
            .bind(&sealed.name)
            .bind(&sealed.phone)
            .bind(
                actor
                    .at
                    .format(&time::format_description::well_known::Rfc3339)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            )
            .bind(case.0)
            .bind(person.role.code())
            .bind(&sealed.aliases)
            .bind(&sealed.address)
            .bind(&sealed.born_on)
            .bind(person.age_band.map(AgeBand::code))
            .bind(person.gender.map(Gender::code))
            .bind(person.nationality.map(|c| c.to_string()))
            .bind(join_codes(&person.languages, ContactLanguage::code))
            .bind(person.is_minor)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                insert_digests!(tx, id.0, &sealed.digests);
                case_changed!(tx, case.0, actor);
                append_audit!(tx, &audit);
            } else {
                let owner: Option<(String, Option<Uuid>)> =
                    sqlx::query_as("select country, case_id from persons where id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                if owner != Some((home.to_string(), Some(case.0))) {
                    return Err(StoreError::Conflict(ConflictKind::IdTaken(
                        Entity::PersonOfTheCase,
                    )));
                }
                append_audit!(tx, &again);
            }
            let row: CasePersonRow =
                sqlx::query_as(&format!("select {COLUMNS} from persons where id = $1"))
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row
        });
        row.open(keyring)
            .map(|(_, version, person)| (version, person))
    }

    /// The people of a case of the actor's country, in the order added, each with their version;
    /// each read is audited.
    pub async fn list_case_persons(
        &self,
        actor: &Actor,
        case: CaseId,
    ) -> Result<Vec<(PersonId, i64, CasePerson)>, StoreError> {
        let read = self.read_case_persons(actor, case).await?;
        self.open_read(actor, read).await
    }

    pub(crate) async fn read_case_persons(
        &self,
        actor: &Actor,
        case: CaseId,
    ) -> Result<SealedRead<Vec<(PersonId, i64, CasePerson)>>, StoreError> {
        let home = scope(actor)?;
        let rows: Vec<CasePersonRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "select {COLUMNS} from persons where case_id = $1 and country = $2 \
                 order by created_at, id"
            ))
            .bind(case.0)
            .bind(home.as_str())
            .fetch_all(pool)
            .await?
        });
        Ok(SealedRead::rows(
            rows,
            |row| event("person.viewed", PersonId(row.id)),
            CasePersonRow::open,
        ))
    }
}

impl Store {
    /// A person of a case of the actor's country with their case and version, audited as
    /// viewed; `None` when there is no such person of a case in the actor's scope.
    pub async fn find_case_person(
        &self,
        actor: &Actor,
        id: PersonId,
    ) -> Result<Option<(CaseId, i64, CasePerson)>, StoreError> {
        let keyring = self.keyring()?;
        let home = scope(actor)?;
        let audit = PendingEntry::new(actor, event("person.viewed", id))?;
        let row: Option<CasePersonRow> = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let row: Option<CasePersonRow> = sqlx::query_as(&format!(
                "select {COLUMNS} from persons \
                 where id = $1 and country = $2 and case_id is not null"
            ))
            .bind(id.0)
            .bind(home.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if row.is_some() {
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
            row
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let (case, version) = (row.case_id, row.version);
        let (_, _, person) = row.open(keyring)?;
        let case = case.ok_or_else(|| corrupt("person's case", "none"))?;
        Ok(Some((CaseId(case), version, person)))
    }

    /// Corrects a person of a case of the actor's country: every field replaced and sealed
    /// again, the blind indexes made anew, the case's minor flag recomputed; with `expected`,
    /// only at that version (`Stale` otherwise). Returns the person's case and new version;
    /// audited as `person.updated`.
    pub async fn update_case_person(
        &self,
        actor: &Actor,
        id: PersonId,
        person: &CasePerson,
        expected: Option<i64>,
    ) -> Result<(CaseId, i64), StoreError> {
        let keyring = self.keyring()?;
        let home = scope(actor)?;
        let sealed = SealedPerson::new(keyring, id, person)?;
        let audit = PendingEntry::new(actor, event("person.updated", id))?;
        let done = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let case = case_at_version!(tx, id, home.as_str(), expected);
            let version: i64 = sqlx::query_scalar(
                "update persons set role = $1, name_sealed = $2, aliases_sealed = $3, \
                 phone_sealed = $4, address_sealed = $5, born_on_sealed = $6, age_band = $7, \
                 gender = $8, nationality = $9, languages = $10, is_minor = $11, key_id = $12, \
                 version = version + 1 where id = $13 returning version",
            )
            .bind(person.role.code())
            .bind(&sealed.name)
            .bind(&sealed.aliases)
            .bind(&sealed.phone)
            .bind(&sealed.address)
            .bind(&sealed.born_on)
            .bind(person.age_band.map(AgeBand::code))
            .bind(person.gender.map(Gender::code))
            .bind(person.nationality.map(|c| c.to_string()))
            .bind(join_codes(&person.languages, ContactLanguage::code))
            .bind(person.is_minor)
            .bind(i64::from(keyring.current_key_id()))
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("delete from blind_index where record_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            insert_digests!(tx, id.0, &sealed.digests);
            case_changed!(tx, case, actor);
            append_audit!(tx, &audit);
            tx.commit().await?;
            (CaseId(case), version)
        });
        Ok(done)
    }

    /// Removes a person from a case of the actor's country: their sealed record and blind
    /// indexes are deleted (deletion is deletion), the case's minor flag is recomputed, and the
    /// audit trail of who added, viewed and removed them stays. With `expected`, only at that
    /// version. A person with consents or referrals stays (`PersonHasRecords`). Returns the case.
    pub async fn remove_case_person(
        &self,
        actor: &Actor,
        id: PersonId,
        expected: Option<i64>,
    ) -> Result<CaseId, StoreError> {
        let home = scope(actor)?;
        let audit = PendingEntry::new(actor, event("person.removed", id))?;
        let case = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let case = case_at_version!(tx, id, home.as_str(), expected);
            let records: i64 = sqlx::query_scalar(
                "select (select count(*) from consents where person_id = $1) \
                 + (select count(*) from referrals where person_id = $1)",
            )
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
            if records > 0 {
                return Err(StoreError::Conflict(ConflictKind::PersonHasRecords));
            }
            sqlx::query("delete from blind_index where record_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from persons where id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            case_changed!(tx, case, actor);
            append_audit!(tx, &audit);
            tx.commit().await?;
            CaseId(case)
        });
        Ok(case)
    }
}

/// A person's fields sealed for their row, and the blind-index digests of name, aliases and
/// phone.
struct SealedPerson {
    name: Vec<u8>,
    aliases: Option<Vec<u8>>,
    phone: Option<Vec<u8>>,
    address: Option<Vec<u8>>,
    born_on: Option<Vec<u8>>,
    digests: Vec<(&'static str, Vec<u8>)>,
}

impl SealedPerson {
    fn new(
        keyring: &Keyring,
        id: PersonId,
        person: &CasePerson,
    ) -> Result<SealedPerson, StoreError> {
        let seal = |text: Option<&str>, column| {
            text.map(|t| keyring.seal_str(t, context(column, id)))
                .transpose()
        };
        let mut digests = person_digests(keyring, &person.name, person.phone.as_deref());
        if let Some(aliases) = &person.aliases {
            digests.extend(person_digests(keyring, aliases, None));
        }
        Ok(SealedPerson {
            name: keyring.seal_str(&person.name, context("name", id))?,
            aliases: seal(person.aliases.as_deref(), "aliases")?,
            phone: seal(person.phone.as_deref(), "phone")?,
            address: seal(person.address.as_deref(), "address")?,
            born_on: seal(person.born_on.map(date_text).as_deref(), "born_on")?,
            digests,
        })
    }
}

#[derive(FromRow)]
struct CasePersonRow {
    id: Uuid,
    country: String,
    role: Option<String>,
    name_sealed: Vec<u8>,
    aliases_sealed: Option<Vec<u8>>,
    phone_sealed: Option<Vec<u8>>,
    address_sealed: Option<Vec<u8>>,
    born_on_sealed: Option<Vec<u8>>,
    age_band: Option<String>,
    gender: Option<String>,
    nationality: Option<String>,
    languages: String,
    is_minor: bool,
    case_id: Option<Uuid>,
    version: i64,
}

impl CasePersonRow {
    fn open(self, keyring: &Keyring) -> Result<(PersonId, i64, CasePerson), StoreError> {
        let id = PersonId(self.id);
        country(&self.country)?;
        let open = |blob: Option<Vec<u8>>, column| -> Result<Option<String>, StoreError> {
            Ok(blob
                .map(|b| keyring.open_str(&b, context(column, id)))
                .transpose()?)
        };
        let role = self.role.as_deref().unwrap_or("victim");
        Ok((
            id,
            self.version,
            CasePerson {
                role: PersonRole::parse(role).ok_or_else(|| corrupt("person role", role))?,
                name: keyring.open_str(&self.name_sealed, context("name", id))?,
                aliases: open(self.aliases_sealed, "aliases")?,
                phone: open(self.phone_sealed, "phone")?,
                address: open(self.address_sealed, "address")?,
                born_on: open(self.born_on_sealed, "born_on")?
                    .as_deref()
                    .map(parse_date)
                    .transpose()?,
                age_band: self
                    .age_band
                    .as_deref()
                    .map(|b| AgeBand::parse(b).ok_or_else(|| corrupt("age band", b)))
                    .transpose()?,
                gender: self
                    .gender
                    .as_deref()
                    .map(|g| Gender::parse(g).ok_or_else(|| corrupt("gender", g)))
                    .transpose()?,
                nationality: self.nationality.as_deref().map(country).transpose()?,
                languages: split_codes(&self.languages, ContactLanguage::parse)
                    .ok_or_else(|| corrupt("languages", &self.languages))?,
                is_minor: self.is_minor,
            },
        ))
    }
}
