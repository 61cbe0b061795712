//! Recorded contacts, committed in groups ([`crate::group_commit`]): the operators' most frequent
//! write, made while the caller is still on the line.
//!
//! The contacts waiting go into one transaction with all their audit entries. A contact refused
//! for what it says (its case reference names no case, its id is another operator's) wrote
//! nothing and does not stop the others. Any other failure rolls the whole group back, and each
//! contact of the group is then written alone, so it fails only the contact that causes it.

use antitrata_domain::casework::{ContactId, NewContact};
use antitrata_domain::{Actor, CountryCode};
use uuid::Uuid;

use crate::audit::{PendingEntry, append_audits};
use crate::contacts::{CONTACT_COLUMNS, CONTACT_FROM, ContactRow, context, event};
use crate::crypto::BlindField;
use crate::group_commit::Grouped;
use crate::store::{insert_digests, with_pool};
use crate::time_columns::unix;
use crate::{ConflictKind, Entity, Keyring, Store, StoreError};

/// A contact ready to write: checked, sealed, its audit entries made.
pub(crate) struct ContactWrite {
    id: ContactId,
    country: CountryCode,
    recorded_by: String,
    at: i64,
    key_id: i64,
    contact: NewContact,
    summary: Option<Vec<u8>>,
    notes: Option<Vec<u8>>,
    locality: Option<Vec<u8>>,
    phone: Option<Vec<u8>>,
    /// The blind-index digests of the caller's phone.
    phone_digests: Vec<(&'static str, Vec<u8>)>,
    recorded: PendingEntry,
    resubmitted: PendingEntry,
}

/// What writing a contact found.
pub(crate) struct Written {
    /// The contact as stored before, when its id was submitted already; `None` when it is new.
    pub(crate) stored: Option<ContactRow>,
    /// The case the contact is linked to, and whether that case concerns a minor.
    pub(crate) case: Option<(Uuid, bool)>,
}

impl ContactWrite {
    /// Seals `contact` for `actor`'s country; the caller checked the scope.
    pub(crate) fn new(
        keyring: &Keyring,
        actor: &Actor,
        id: ContactId,
        contact: &NewContact,
    ) -> Result<ContactWrite, StoreError> {
        let seal = |text: &Option<String>, column| {
            text.as_deref()
                .map(|t| keyring.seal_str(t, context(column, id)))
                .transpose()
        };
        Ok(ContactWrite {
            id,
            country: contact.country,
            recorded_by: actor.who.clone(),
            at: unix(actor.at),
            key_id: i64::from(keyring.current_key_id()),
            contact: contact.clone(),
            summary: seal(&contact.summary, "summary")?,
            notes: seal(&contact.notes, "notes")?,
            locality: seal(&contact.caller_locality, "caller_locality")?,
            phone: seal(&contact.caller_phone, "caller_phone")?,
            phone_digests: contact
                .caller_phone
                .as_deref()
                .map(|phone| keyring.index_digests(BlindField::CallerPhone, phone))
                .unwrap_or_default()
                .into_iter()
                .map(|digest| (BlindField::CallerPhone.as_str(), digest))
                .collect(),
            recorded: PendingEntry::new(actor, event("contact.recorded", id))?,
            resubmitted: PendingEntry::new(actor, event("contact.resubmitted", id))?,
        })
    }
}

impl Grouped for ContactWrite {
    const KIND: &'static str = "contact_writes";

    type Done = Result<Written, StoreError>;

    async fn commit(store: &Store, jobs: Vec<ContactWrite>) -> Vec<Self::Done> {
        if jobs.len() > 1 {
            match store.write_contacts(&jobs).await {
                Ok(done) => return done,
                Err(e) => tracing::warn!(
                    contacts = jobs.len(),
                    error = %e,
                    "a group of contacts failed together; writing each alone"
                ),
            }
        }
        let mut done = Vec::with_capacity(jobs.len());
        for job in &jobs {
            done.extend(
                match store.write_contacts(std::slice::from_ref(job)).await {
                    Ok(one) => one,
                    Err(e) => vec![Err(e)],
                },
            );
        }
        done
    }
}

impl Store {
    /// Writes `writes` in one transaction and answers each: a contact refused for what it says
    /// wrote nothing; any other error rolls everything back and is returned alone.
    pub(crate) async fn write_contacts(
        &self,
        writes: &[ContactWrite],
    ) -> Result<Vec<Result<Written, StoreError>>, StoreError> {
        let mut done = Vec::with_capacity(writes.len());
        let mut entries = Vec::with_capacity(writes.len());
        with_pool!(self, |pool| {
            let mut tx = self.begin_write(pool).await?;
            for w in writes {
                let written: Result<Written, StoreError> = async {
                    let case: Option<(Uuid, bool)> = match &w.contact.case_reference {
                        Some(reference) => Some(
                            sqlx::query_as(
                                "select id, has_minor from cases \
                                 where country = $1 and year = $2 and sequence = $3",
                            )
                            .bind(reference.country.as_str())
                            .bind(i64::from(reference.year))
                            .bind(i64::from(reference.sequence))
                            .fetch_optional(&mut *tx)
                            .await?
                            .ok_or(StoreError::NotFound(Entity::Case))?,
                        ),
                        None => None,
                    };
                    let case_id = case.map(|(id, _)| id);
                    let contact = &w.contact;
                    let (result, _) = contact.screening.result();
                    let inserted = sqlx::query(
                        "insert into contacts (id, country, key_id, recorded_by, channel, \
                         direction, started_at, ended_at, language, caller_role, caller_country, \
                         caller_locality_sealed, heard_via, summary_sealed, notes_sealed, outcome, \
                         immediate_danger, screening, screening_result, case_id, \
                         caller_phone_sealed) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
                         on conflict (id) do nothing",
                    )
                    .bind(w.id.0)
                    .bind(w.country.as_str())
                    .bind(w.key_id)
                    .bind(&w.recorded_by)
                    .bind(contact.channel.code())
                    .bind(contact.direction.code())
                    .bind(unix(contact.started_at))
                    .bind(unix(contact.ended_at))
                    .bind(contact.language.code())
                    .bind(contact.caller_role.code())
                    .bind(contact.caller_country.map(|c| c.to_string()))
                    .bind(&w.locality)
                    .bind(contact.heard_via.map(|h| h.code()))
                    .bind(&w.summary)
                    .bind(&w.notes)
                    .bind(contact.outcome.code())
                    .bind(contact.immediate_danger)
                    .bind(contact.screening.to_stored())
                    .bind(result.code())
                    .bind(case_id)
                    .bind(&w.phone)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1;
                    if inserted {
                        insert_digests!(tx, w.id.0, &w.phone_digests);
                        if let Some(case_id) = case_id {
                            sqlx::query("update cases set version = version + 1, updated_at = $1 where id = $2")
                                .bind(w.at)
                                .bind(case_id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        return Ok(Written { stored: None, case });
                    }
                    // The id was submitted before: by the same operator, that is the same
                    // contact sent twice, and the one stored is the answer.
                    let stored: ContactRow = sqlx::query_as(&format!(
                        "select {CONTACT_COLUMNS} from {CONTACT_FROM} where c.id = $1"
                    ))
                    .bind(w.id.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    if (stored.recorded_by.as_str(), stored.country.as_str())
                        != (w.recorded_by.as_str(), w.country.as_str())
                    {
                        return Err(StoreError::Conflict(ConflictKind::IdTaken(Entity::Contact)));
                    }
                    Ok(Written {
                        stored: Some(stored),
                        case,
                    })
                }
                .await;
                match written {
                    Ok(written) => {
                        entries.push(if written.stored.is_none() {
                            w.recorded.clone()
                        } else {
                            w.resubmitted.clone()
                        });
                        done.push(Ok(written));
                    }
                    Err(refused @ (StoreError::NotFound(_) | StoreError::Conflict(_))) => {
                        done.push(Err(refused));
                    }
                    Err(e) => return Err(e),
                }
            }
            append_audits!(tx, &entries);
            tx.commit().await?;
        });
        Ok(done)
    }
}
