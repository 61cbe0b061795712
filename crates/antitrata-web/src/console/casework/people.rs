//! The parts of a case page about people: who they are, what they consented to, and where they
//! were referred; and the forms that add to them. Referring goes through the store's consent
//! check; a supervisor may override it with a written reason.

use antitrata_domain::casework::{
    AgeBand, Basis, CaseId, CasePerson, CasePersonInput, Consent, ConsentId, ConsentInput,
    ConsentScope, ContactLanguage, Gender, GivenBy, PersonRole, Referral, ReferralId,
    ReferralStatus, ServiceId,
};
use antitrata_domain::{Actor, Person, PersonId};
use antitrata_store::{ConflictKind, Entity, StoreError};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::cases::{Shown, render_case};
use super::{FieldErrors, Opt, Pairs, casework_actor, label, options, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::casework::{self, IfSimilar, ReferralInput, Refusal};
use crate::console::extract::{Console, PathId, Verified};
use crate::console::{format_local, page_lang};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;

/// What the case page shows of its people, consents and referrals, and the choices of its forms.
pub(in crate::console) struct CasePeople {
    pub persons: Vec<PersonRow>,
    pub consents: Vec<ConsentRow>,
    pub referrals: Vec<ReferralRow>,
    /// (id, name) of the people, for the consent and referral forms.
    pub people: Vec<(String, String)>,
    /// (id, "name · place") of the active services.
    pub services: Vec<(String, String)>,
    pub roles: Vec<Opt>,
    pub genders: Vec<Opt>,
    pub bands: Vec<Opt>,
    pub languages: Vec<Opt>,
    pub scopes: Vec<Opt>,
    pub givers: Vec<Opt>,
    pub new_person_id: String,
    pub new_consent_id: String,
    pub new_referral_id: String,
}

pub(in crate::console) struct PersonRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub minor: bool,
    pub facts: String,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// A person of the country, as a link to them and to their case: one who may be the person being
/// added, or one recorded with a caller's phone.
pub(in crate::console) struct PersonLink {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub case: Option<String>,
}

impl From<Person> for PersonLink {
    fn from(p: Person) -> PersonLink {
        PersonLink {
            id: p.id.to_string(),
            name: p.name,
            phone: p.phone,
            case: p.case.map(|c| c.to_string()),
        }
    }
}

pub(in crate::console) struct ConsentRow {
    pub id: String,
    pub text: String,
    pub withdrawn: bool,
}

pub(in crate::console) struct ReferralRow {
    pub id: String,
    pub text: String,
    pub status: String,
    pub basis: String,
    pub notes: Option<String>,
    /// The version its status buttons were made from, sent back with them.
    pub version: i64,
    /// The statuses it may move to: (code, label).
    pub next: Vec<(&'static str, String)>,
}

pub(in crate::console) async fn case_people(
    state: &AppState,
    actor: &Actor,
    tr: &Tr,
    persons: Vec<(PersonId, i64, CasePerson)>,
    consents: &[Consent],
    referrals: &[Referral],
) -> Result<CasePeople, StoreError> {
    // Each person's edit page reads their version itself.
    let persons: Vec<(PersonId, CasePerson)> =
        persons.into_iter().map(|(id, _, p)| (id, p)).collect();
    let here = actor.scope.country();
    let services = state
        .store
        .list_services(actor, None, None, None, antitrata_store::PAGE_MAX)
        .await?;
    let name_of = |id: PersonId| {
        persons
            .iter()
            .find(|(p, _)| *p == id)
            .map_or_else(String::new, |(_, p)| p.name.clone())
    };
    let service_of = |id: ServiceId| {
        services
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_string(), |s| s.details.name.clone())
    };
    let consent_rows = consents
        .iter()
        .map(|c| {
            let d = &c.details;
            let mut text = format!(
                "{} · {} · {} · {}",
                name_of(d.person),
                label(tr, d.scope),
                label(tr, d.given_by),
                format_local(c.given_at, here)
            );
            if let Some(service) = d.service {
                text.push_str(&format!(" · {}", service_of(service)));
            }
            if let Some(last) = d.expires_on {
                text.push_str(&format!(" · {} {last}", tr.t("consent-until")));
            }
            if let Some(at) = c.withdrawn_at {
                text.push_str(&format!(
                    " · {} {}",
                    tr.t("consent-withdrawn"),
                    format_local(at, here)
                ));
            }
            ConsentRow {
                id: c.id.to_string(),
                text,
                withdrawn: c.withdrawn_at.is_some(),
            }
        })
        .collect();
    let referral_rows = referrals
        .iter()
        .map(|r| ReferralRow {
            id: r.id.to_string(),
            text: format!(
                "{} → {} · {}",
                name_of(r.person),
                service_of(r.service),
                format_local(r.requested_at, here)
            ),
            status: label(tr, r.status),
            basis: match &r.basis {
                Basis::Consent(_) => tr.t("referral-on-consent"),
                Basis::Override { reason, .. } => tr.t1("referral-on-override", "reason", reason),
            },
            notes: r.notes.clone(),
            version: r.version,
            next: ReferralStatus::ALL
                .iter()
                .filter(|s| r.status.may_become(**s))
                .map(|s| (s.code(), label(tr, *s)))
                .collect(),
        })
        .collect();
    Ok(CasePeople {
        people: persons
            .iter()
            .map(|(id, p)| (id.to_string(), p.name.clone()))
            .collect(),
        persons: persons
            .into_iter()
            .map(|(id, p)| PersonRow {
                id: id.to_string(),
                role: label(tr, p.role),
                minor: p.is_minor,
                facts: [
                    p.age_band.map(|b| label(tr, b)),
                    p.gender.map(|g| label(tr, g)),
                    p.nationality.map(|c| c.to_string()),
                    p.born_on.map(|b| b.to_string()),
                    p.aliases.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
                name: p.name,
                phone: p.phone,
                address: p.address,
            })
            .collect(),
        consents: consent_rows,
        referrals: referral_rows,
        services: services
            .iter()
            .map(|s| {
                (
                    s.id.to_string(),
                    format!("{} · {}", s.details.name, s.details.locality),
                )
            })
            .collect(),
        roles: options::<PersonRole>(tr, &[PersonRole::Victim.code().to_owned()]),
        genders: options::<Gender>(tr, &[]),
        bands: options::<AgeBand>(tr, &[]),
        languages: options::<ContactLanguage>(tr, &[]),
        scopes: options::<ConsentScope>(tr, &[ConsentScope::Referral.code().to_owned()]),
        givers: options::<GivenBy>(tr, &[GivenBy::Person.code().to_owned()]),
        new_person_id: state.runtime.uuid_v7().to_string(),
        new_consent_id: state.runtime.uuid_v7().to_string(),
        new_referral_id: state.runtime.uuid_v7().to_string(),
    })
}

fn form_id(pairs: &Pairs, name: &str) -> Option<Uuid> {
    Uuid::parse_str(pairs.get(name).trim()).ok()
}

/// Shows the case again after a refused form: its field problems beside its fields, or a step
/// that no longer fits as a message; nothing was stored.
pub(super) async fn refused(
    state: &AppState,
    who: &SignedIn,
    headers: &HeaderMap,
    case: CaseId,
    form: &'static str,
    refusal: Refusal,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let shown = match refusal {
        Refusal::Fields(errors) => Shown {
            errors: FieldErrors::new(&tr, &errors),
            failed_form: Some(form),
            typed_pairs: pairs,
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Shown::default()
        },
        Refusal::NotNow => Shown {
            message: Some(tr.t("case-step-not-allowed")),
            failed_form: Some(form),
            typed_pairs: pairs,
            status: StatusCode::CONFLICT,
            ..Shown::default()
        },
        // Someone else changed the record since the page was shown: the page now shows what
        // they did, and the form keeps what this person chose.
        Refusal::Store(StoreError::Stale { entity, .. }) => Shown {
            message: Some(tr.t(match entity {
                Entity::Referral => "referral-changed-meanwhile",
                _ => "case-step-changed-meanwhile",
            })),
            failed_form: Some(form),
            typed_pairs: pairs,
            status: StatusCode::CONFLICT,
            ..Shown::default()
        },
        // Taken by someone else, or closed, since the page was shown: the page says so.
        Refusal::Store(StoreError::Conflict(
            kind @ (ConflictKind::CaseAssignedTo(_) | ConflictKind::CaseClosed),
        )) => Shown {
            message: Some(match kind {
                ConflictKind::CaseAssignedTo(name) => {
                    tr.t1("error-case-assigned-to", "name", &name)
                }
                _ => tr.t("error-case-closed"),
            }),
            failed_form: Some(form),
            typed_pairs: pairs,
            status: StatusCode::CONFLICT,
            ..Shown::default()
        },
        // People of the country who may be this one: the form, as typed, lists them and adds
        // the person on a second press.
        Refusal::Similar(persons) => Shown {
            similar: persons.into_iter().map(PersonLink::from).collect(),
            failed_form: Some(form),
            typed_pairs: pairs,
            status: StatusCode::CONFLICT,
            ..Shown::default()
        },
        Refusal::Store(e) => return Err(store_error(lang, headers)(e)),
    };
    render_case(state, who, headers, case, shown).await
}

/// The case page after a form: the change stored, or the form refused.
pub(super) async fn after<T>(
    state: &AppState,
    who: &SignedIn,
    headers: &HeaderMap,
    case: CaseId,
    form: &'static str,
    done: Result<T, Refusal>,
    pairs: Pairs,
) -> Result<Response, PageError> {
    match done {
        Ok(_) => Ok(back_to(case, form)),
        Err(refusal) => refused(state, who, headers, case, form, refusal, pairs).await,
    }
}

/// The case forms whose saves the page confirms, each with the section it goes back to.
const SECTIONS: &[(&str, &str)] = &[
    ("take", ""),
    ("assign", ""),
    ("status", "#workflow"),
    ("details", "#description"),
    ("person", "#people"),
    ("person-edited", "#people"),
    ("person-removed", "#people"),
    ("consent", "#consent"),
    ("consent-withdrawn", "#consent"),
    ("referral", "#referrals"),
    ("referral-status", "#referrals"),
    ("follow-up", "#follow-ups"),
    ("follow-up-done", "#follow-ups"),
];

/// Back to the case after `form` was saved: at the section it changed, which says it was saved.
pub(in crate::console) fn back_to(case: CaseId, form: &str) -> Response {
    let anchor = SECTIONS
        .iter()
        .find(|(name, _)| *name == form)
        .map_or("", |(_, anchor)| anchor);
    Redirect::to(&format!("/console/cases/{case}?saved={form}{anchor}")).into_response()
}

/// The form a case page was sent back to after saving (`?saved=person`), if it names one.
pub(in crate::console) fn saved_form(query: Option<&str>) -> Option<&'static str> {
    let wanted = query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("saved="))?;
    SECTIONS
        .iter()
        .find(|(name, _)| *name == wanted)
        .map(|(name, _)| *name)
}

/// A person's fields as a form posted them.
pub(super) fn person_input(pairs: &Pairs) -> CasePersonInput {
    CasePersonInput {
        role: pairs.get("role").to_owned(),
        name: pairs.get("name").to_owned(),
        aliases: pairs.get("aliases").to_owned(),
        phone: pairs.get("phone").to_owned(),
        address: pairs.get("address").to_owned(),
        born_on: pairs.get("born_on").to_owned(),
        age_band: pairs.get("age_band").to_owned(),
        gender: pairs.get("gender").to_owned(),
        nationality: pairs.get("nationality").to_owned(),
        languages: pairs.all("languages"),
        minor: pairs.get("minor") == "on",
    }
}

/// Adds a person to the case.
pub(in crate::console) async fn add_person(
    Console(state, who, _, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let case = CaseId(id);
    let actor = casework_actor(&state, &who.account, &headers);
    let input = person_input(&pairs);
    let id = form_id(&pairs, "person_id");
    // The form lists similar people once; sent again from that list, it adds the person.
    let if_similar = match pairs.get("similar_seen") {
        "1" => IfSimilar::Add,
        _ => IfSimilar::Ask,
    };
    let done = casework::add_person(&state.store, &actor, case, id, &input, if_similar).await;
    after(&state, &who, &headers, case, "person", done, pairs).await
}

/// Records a consent of a person of the case.
pub(in crate::console) async fn record_consent(
    Console(state, who, _, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let case = CaseId(id);
    let actor = casework_actor(&state, &who.account, &headers);
    let input = ConsentInput {
        person: pairs.get("person").to_owned(),
        scope: pairs.get("scope").to_owned(),
        service: pairs.get("service").to_owned(),
        given_by: pairs.get("given_by").to_owned(),
        expires_on: pairs.get("expires_on").to_owned(),
    };
    let id = form_id(&pairs, "consent_id");
    let done = casework::record_consent(&state.store, &actor, case, id, &input).await;
    after(&state, &who, &headers, case, "consent", done, pairs).await
}

/// Withdraws a consent; the form names the case to go back to. The withdrawal is a consent's one
/// change, so the button names no version: pressed on a page made before someone else withdrew
/// it, it changes nothing and the case page shows it withdrawn.
pub(in crate::console) async fn withdraw_consent(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let case = form_id(&pairs, "case")
        .map(CaseId)
        .ok_or_else(|| PageError::new(lang, AppError::BadRequest, &headers))?;
    let actor = casework_actor(&state, &who.account, &headers);
    state
        .store
        .withdraw_consent(&actor, ConsentId(id), None)
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(back_to(case, "consent-withdrawn"))
}

/// Refers a person of the case to a service: refused without a consent that covers it, unless a
/// supervisor writes why it cannot wait.
pub(in crate::console) async fn refer(
    Console(state, who, _, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let case = CaseId(id);
    let actor = casework_actor(&state, &who.account, &headers);
    let input = ReferralInput {
        person: pairs.get("person").to_owned(),
        service: pairs.get("service").to_owned(),
        notes: pairs.get("notes").to_owned(),
        override_reason: pairs.get("override_reason").to_owned(),
    };
    let id = form_id(&pairs, "referral_id");
    let done = casework::refer(&state.store, &actor, case, id, &input).await;
    after(&state, &who, &headers, case, "referral", done, pairs).await
}

/// Moves a referral forward; the form names the case to go back to.
pub(in crate::console) async fn update_referral(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let case = form_id(&pairs, "case")
        .map(CaseId)
        .ok_or_else(|| PageError::new(lang, AppError::BadRequest, &headers))?;
    let actor = casework_actor(&state, &who.account, &headers);
    let done = casework::update_referral(
        &state.store,
        &actor,
        ReferralId(id),
        pairs.get("status"),
        super::cases::shown_version(&pairs),
    )
    .await;
    after(
        &state,
        &who,
        &headers,
        case,
        "referral-status",
        done,
        Pairs::default(),
    )
    .await
}
