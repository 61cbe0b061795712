//! People in the records. Names and phone numbers are sealed on the way in and opened on the way
//! out; searches go through blind indexes. Every method takes the `Actor`, keeps to the actor's
//! country scope in its SQL, and audits before it returns (see `Store::audit_read` for searches).

use antitrata_domain::casework::CaseId;
use antitrata_domain::{Actor, CountryCode, NewPerson, Person, PersonId};
use sqlx::FromRow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::audit::{AuditEvent, PendingEntry, append_audit};
use crate::crypto::{BlindField, SealContext};
use crate::store::{insert_digests, with_pool};
use crate::{Keyring, Store, StoreError};

const TABLE: &str = "persons";
/// The most results one search returns.
pub const SEARCH_LIMIT: i64 = 50;
/// The most words (a phone counts as one) a search matches on.
const MAX_SEARCH_DIGESTS: usize = 8;
/// What every read of people selects, from `persons p`, into a `PersonRow`.
const PERSON_COLUMNS: &str =
    "p.id, p.country, p.name_sealed, p.phone_sealed, p.created_at, p.case_id";

impl Store {
    /// Records a person in the actor's country: seals the name and phone, stores their blind
    /// indexes, and audits the creation.
    pub async fn insert_person(
        &self,
        actor: &Actor,
        id: PersonId,
        person: &NewPerson,
    ) -> Result<Person, StoreError> {
        let keyring = self.keyring()?;
        if actor.scope.country() != Some(person.country) {
            return Err(StoreError::OutOfScope);
        }
        let name_sealed = keyring.seal_str(&person.name, context("name", id))?;
        let phone_sealed = person
            .phone
            .as_deref()
            .map(|phone| keyring.seal_str(phone, context("phone", id)))
            .transpose()?;
        let digests = person_digests(keyring, &person.name, person.phone.as_deref());
        let created_at = actor.at;
        let created_text = created_at
            .format(&Rfc3339)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let audit = PendingEntry::new(actor, event("person.created", id))?;
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            sqlx::query(
                "insert into persons (id, country, key_id, name_sealed, phone_sealed, created_at) \
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.0)
            .bind(person.country.as_str())
            .bind(keyring.current_key_id() as i64)
            .bind(&name_sealed)
            .bind(&phone_sealed)
            .bind(&created_text)
            .execute(&mut *tx)
            .await?;
            insert_digests!(tx, id.0, &digests);
            append_audit!(tx, &audit);
            tx.commit().await?;
        });
        Ok(Person {
            id,
            country: person.country,
            name: person.name.clone(),
            phone: person.phone.clone(),
            created_at,
            case: None,
        })
    }

    /// One person of the actor's country, audited as viewed; `None` if there is no such person
    /// in the actor's scope (another country's record looks exactly like a missing one).
    pub async fn find_person(
        &self,
        actor: &Actor,
        id: PersonId,
    ) -> Result<Option<Person>, StoreError> {
        let keyring = self.keyring()?;
        let Some(country) = actor.scope.country() else {
            return Err(StoreError::OutOfScope);
        };
        let audit = PendingEntry::new(actor, event("person.viewed", id))?;
        let row: Option<PersonRow> = with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            let row: Option<PersonRow> = sqlx::query_as(&format!(
                "select {PERSON_COLUMNS} from persons p \
                 where p.id = $1 and p.country = $2"
            ))
            .bind(id.0)
            .bind(country.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            if row.is_some() {
                append_audit!(tx, &audit);
            }
            tx.commit().await?;
            row
        });
        row.map(|row| row.open(keyring)).transpose()
    }

    /// People of the actor's country whose name has words starting with every word of `name`
    /// (three letters at least) and whose phone matches `phone`, through the blind indexes: up
    /// to [`SEARCH_LIMIT`] of them in id order, after the person `after` when it is given (the
    /// next page of the same search). Each person returned is audited as found.
    pub async fn search_persons(
        &self,
        actor: &Actor,
        name: Option<&str>,
        phone: Option<&str>,
        after: Option<PersonId>,
    ) -> Result<Vec<Person>, StoreError> {
        let keyring = self.keyring()?;
        let Some(country) = actor.scope.country() else {
            return Err(StoreError::OutOfScope);
        };
        // The phone first, then the longest words: the rarest digests lead the search.
        let mut wanted: Vec<(&str, Vec<u8>)> = Vec::new();
        if let Some(phone) = phone {
            let field = BlindField::PersonPhone;
            wanted.extend(
                keyring
                    .search_digests(field, phone)
                    .into_iter()
                    .map(|d| (field.as_str(), d)),
            );
        }
        if let Some(name) = name {
            let field = BlindField::PersonName;
            wanted.extend(
                keyring
                    .search_digests(field, name)
                    .into_iter()
                    .map(|d| (field.as_str(), d)),
            );
        }
        if wanted.is_empty() {
            return Ok(vec![]);
        }
        // Each digest is a join: repeated words add nothing, and past a few words a name is
        // matched on its longest ones (SQLite joins at most 64 tables).
        let mut seen = std::collections::HashSet::new();
        wanted.retain(|(field, digest)| seen.insert((*field, digest.clone())));
        wanted.truncate(MAX_SEARCH_DIGESTS);
        // One join on the blind index per digest: a person is found only when every word (and
        // the phone) matches, and the limit applies to those people, not to the first word's.
        // The first digest's entries are walked in record order, which is the result's order,
        // so the walk stops at the limit instead of sorting every match. `cross join` keeps
        // SQLite to that order of tables: each entry of the first digest is checked against the
        // other digests' entries (one index probe each) before its person is read, so a word
        // that rules most of them out saves reading those people. PostgreSQL plans it as any join.
        let mut sql = format!("select {PERSON_COLUMNS} from blind_index b0");
        let mut conditions = String::from("b0.field = $1 and b0.digest = $2");
        for n in 1..wanted.len() {
            sql.push_str(&format!(" cross join blind_index b{n}"));
            conditions.push_str(&format!(
                " and b{n}.record_id = b0.record_id and b{n}.field = ${} and b{n}.digest = ${}",
                2 * n + 1,
                2 * n + 2
            ));
        }
        let after_id = after.map(|person| person.0);
        if after_id.is_some() {
            conditions.push_str(&format!(" and b0.record_id > ${}", 2 * wanted.len() + 3));
        }
        sql.push_str(&format!(
            " cross join persons p where {conditions} and p.id = b0.record_id \
             and p.country = ${} order by b0.record_id limit ${}",
            2 * wanted.len() + 1,
            2 * wanted.len() + 2
        ));
        // The search reads outside the write turn; what it found is audited before it is opened.
        let rows: Vec<PersonRow> = with_pool!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for (field, digest) in &wanted {
                query = query.bind(*field).bind(digest);
            }
            query = query.bind(country.as_str()).bind(SEARCH_LIMIT);
            if let Some(after) = after_id {
                query = query.bind(after);
            }
            query.fetch_all(pool).await?
        });
        self.audit_read(
            actor,
            rows.iter()
                .map(|row| event("person.found", PersonId(row.id))),
        )
        .await?;
        rows.into_iter().map(|row| row.open(keyring)).collect()
    }
}

/// The blind-index digests of a person's name and phone, tagged with their field.
pub(crate) fn person_digests(
    keyring: &Keyring,
    name: &str,
    phone: Option<&str>,
) -> Vec<(&'static str, Vec<u8>)> {
    let mut digests: Vec<(&'static str, Vec<u8>)> = keyring
        .index_digests(BlindField::PersonName, name)
        .into_iter()
        .map(|d| (BlindField::PersonName.as_str(), d))
        .collect();
    if let Some(phone) = phone {
        digests.extend(
            keyring
                .index_digests(BlindField::PersonPhone, phone)
                .into_iter()
                .map(|d| (BlindField::PersonPhone.as_str(), d)),
        );
    }
    digests
}

pub(crate) fn context(column: &'static str, id: PersonId) -> SealContext<'static> {
    SealContext {
        table: TABLE,
        column,
        record: id.0,
    }
}

pub(crate) fn event(action: &'static str, id: PersonId) -> AuditEvent {
    AuditEvent {
        action,
        record_type: Some("person"),
        record_id: Some(id.to_string()),
    }
}

#[derive(FromRow)]
struct PersonRow {
    id: Uuid,
    country: String,
    name_sealed: Vec<u8>,
    phone_sealed: Option<Vec<u8>>,
    created_at: String,
    case_id: Option<Uuid>,
}

impl PersonRow {
    fn open(self, keyring: &Keyring) -> Result<Person, StoreError> {
        let id = PersonId(self.id);
        Ok(Person {
            id,
            country: CountryCode::parse(&self.country)
                .map_err(|_| StoreError::Corrupt(format!("bad country `{}`", self.country)))?,
            name: keyring.open_str(&self.name_sealed, context("name", id))?,
            phone: self
                .phone_sealed
                .map(|blob| keyring.open_str(&blob, context("phone", id)))
                .transpose()?,
            created_at: OffsetDateTime::parse(&self.created_at, &Rfc3339)
                .map_err(|e| StoreError::Corrupt(format!("bad created_at: {e}")))?,
            case: self.case_id.map(CaseId),
        })
    }
}

impl Store {
    /// The most recently recorded people of the actor's country, newest first; each one listed is
    /// audited as `person.listed`.
    pub async fn list_recent_persons(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<Vec<Person>, StoreError> {
        let keyring = self.keyring()?;
        let Some(country) = actor.scope.country() else {
            return Err(StoreError::OutOfScope);
        };
        let rows: Vec<PersonRow> = with_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "select {PERSON_COLUMNS} from persons p \
                 where p.country = $1 order by p.created_at desc, p.id desc limit $2"
            ))
            .bind(country.as_str())
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        self.audit_read(
            actor,
            rows.iter()
                .map(|row| event("person.listed", PersonId(row.id))),
        )
        .await?;
        rows.into_iter().map(|row| row.open(keyring)).collect()
    }
}
