//! `antitrata demo-data --country GT --cases N`: realistic, clearly fake hotline work (every
//! name ends in "(demo)"), so the console, the API and the benchmarks can be tried at scale.
//!
//! Everything goes through the same checks and store methods as operators' work: contacts with
//! screenings, cases opened from them, people (sealed, blind-indexed), consents, referrals to
//! the country's services, follow-ups and workflow steps, all audited as `demo-data`. The same
//! seed makes the same records with the same ids, so running it again adds nothing.

use antitrata_domain::casework::{
    Answer, CallerRole, CaseAction, CaseDetails, CaseId, CasePerson, CasePersonInput, CaseStatus,
    ClosureReason, ContactChannel, ContactId, ContactInput, ContactLanguage, ContactOutcome,
    ExploitationType, FollowUpId, FollowUpInput, GivenBy, HeardVia, Indicator, NewConsent,
    NewContact, NewFollowUp, RecruitmentMethod, Sector, ServiceDetails, ServiceId, ServiceInput,
};
use antitrata_domain::{Actor, CountryCode, CountryScope, PersonId, Role};
use antitrata_store::{NewReferral, Store};
use anyhow::Context;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use tokio::task::JoinSet;
use uuid::Uuid;

use std::io::IsTerminal;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::serve::open_store_for_bulk_load;

const GIVEN: &[&str] = &[
    "Ana", "María", "José", "Juan", "Rosa", "Carlos", "Lucía", "Pedro", "Marta", "Luis", "Elena",
    "Miguel", "Sofía", "Jorge", "Carmen", "Diego", "Isabel", "Andrés", "Julia", "Tomás",
];
const SURNAMES: &[&str] = &[
    "López",
    "García",
    "Pérez",
    "Hernández",
    "Martínez",
    "Tzul",
    "Cux",
    "Ajú",
    "Morales",
    "Ramírez",
    "Flores",
    "Reyes",
    "Castillo",
    "Ixcoy",
    "Mendoza",
    "Chávez",
    "Vásquez",
    "Cruz",
    "Ortiz",
    "Soto",
];
const PLACES: &[&str] = &[
    "Capital",
    "Puerto",
    "Frontera Norte",
    "Frontera Sur",
    "Valle Alto",
    "Costa",
    "Altiplano",
];
/// Nationalities of the region's victims, the country's own most often.
const NATIONALITIES: &[&str] = &["GT", "GT", "GT", "HN", "SV", "NI", "MX", "VE", "CO"];
/// Where the exploitation happened: mostly at home or one border away.
const EXPLOITATION_COUNTRIES: &[&str] = &["GT", "GT", "MX", "MX", "US", "BZ", "SV"];
const TASKS: &[&str] = &[
    "Llamar para seguimiento",
    "Confirmar cupo en albergue",
    "Acompañar a cita médica",
    "Revisar documentos de identidad",
    "Coordinar con el consulado",
];

/// What was made.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DemoCounts {
    pub contacts: u64,
    pub cases: u64,
    pub persons: u64,
    pub referrals: u64,
    pub follow_ups: u64,
}

impl DemoCounts {
    fn add(&mut self, other: DemoCounts) {
        self.contacts += other.contacts;
        self.cases += other.cases;
        self.persons += other.persons;
        self.referrals += other.referrals;
        self.follow_ups += other.follow_ups;
    }
}

/// Cases made at the same time: while one waits for its turn to write, the others are drawn,
/// checked and sealed.
const CASES_AT_ONCE: usize = 4;

/// The parameters of a run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DemoPlan {
    pub country: CountryCode,
    pub cases: u64,
    /// Contacts per case on average (one opens it; the others follow it up); at least 1.
    pub contacts_per_case: u32,
    pub seed: u64,
    /// The newest record's time; records spread over the year before it.
    pub now: OffsetDateTime,
}

fn uuid(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn actor(plan: &DemoPlan, role: Role, at: OffsetDateTime) -> Actor {
    Actor {
        who: "demo-data".into(),
        role,
        scope: CountryScope::Country(plan.country),
        request_id: None,
        at,
    }
}

fn pick<T: Copy>(rng: &mut StdRng, values: &[T]) -> T {
    *values.choose(rng).unwrap_or(&values[0])
}

fn fake_name(rng: &mut StdRng) -> String {
    format!(
        "{} {} {} (demo)",
        pick(rng, GIVEN),
        pick(rng, SURNAMES),
        pick(rng, SURNAMES)
    )
}

/// The country's services the demo refers to: one per main category, made once.
async fn services(store: &Store, plan: &DemoPlan) -> anyhow::Result<Vec<ServiceId>> {
    let admin = actor(plan, Role::CountryAdmin, plan.now);
    let mut ids = Vec::new();
    for (n, category) in ["shelter", "medical", "psychological", "legal", "consular"]
        .into_iter()
        .enumerate()
    {
        let input = ServiceInput {
            organization: format!("Organización {} (demo)", n + 1),
            name: format!("Servicio {category} (demo)"),
            categories: vec![category.to_owned()],
            locality: PLACES[n % PLACES.len()].to_owned(),
            languages: vec!["es".into()],
            ..ServiceInput::default()
        };
        let details = ServiceDetails::parse(&input, plan.country)
            .map_err(|e| anyhow::anyhow!("demo service: {e:?}"))?;
        let id = ServiceId(Uuid::new_v5(
            &Uuid::NAMESPACE_OID,
            format!("antitrata-demo-service-{}-{category}", plan.country).as_bytes(),
        ));
        store.save_service(&admin, id, &details, true).await?;
        ids.push(id);
    }
    Ok(ids)
}

fn contact_input(rng: &mut StdRng, started: OffsetDateTime, screened: bool) -> ContactInput {
    let indicators = Indicator::ALL;
    let mut screening = Vec::new();
    if screened {
        for _ in 0..rng.random_range(1..=4) {
            let indicator = pick(rng, indicators);
            screening.push((indicator.code().to_owned(), Answer::Yes.code().to_owned()));
        }
    }
    ContactInput {
        channel: pick(rng, ContactChannel::ALL).code().to_owned(),
        started_at: started.format(&Rfc3339).unwrap_or_default(),
        language: pick(
            rng,
            &[
                ContactLanguage::Spanish,
                ContactLanguage::Spanish,
                ContactLanguage::Kiche,
                ContactLanguage::Mam,
                ContactLanguage::English,
            ],
        )
        .code()
        .to_owned(),
        caller_role: pick(rng, CallerRole::ALL).code().to_owned(),
        caller_locality: pick(rng, PLACES).to_owned(),
        heard_via: pick(rng, HeardVia::ALL).code().to_owned(),
        summary: "Llamada de demostración: datos ficticios (demo).".to_owned(),
        outcome: if screened {
            ContactOutcome::CaseOpenedOrLinked
        } else {
            pick(rng, ContactOutcome::ALL)
        }
        .code()
        .to_owned(),
        immediate_danger: rng.random_ratio(1, 50),
        screening,
        ..ContactInput::default()
    }
}

fn person_input(rng: &mut StdRng, calling_code: &str, today: time::Date) -> CasePersonInput {
    let minor = rng.random_ratio(1, 5);
    let age = if minor {
        rng.random_range(9..18)
    } else {
        rng.random_range(18..60)
    };
    let born = today - Duration::days(age * 365 + rng.random_range(0..365));
    CasePersonInput {
        role: "victim".into(),
        name: fake_name(rng),
        phone: format!("+{calling_code} 5{:07}", rng.random_range(0..10_000_000)),
        born_on: born.to_string(),
        gender: pick(rng, &["Feminine", "Masculine", "NonSpecifiedUnknown"]).into(),
        nationality: pick(rng, NATIONALITIES).to_owned(),
        languages: vec!["es".into()],
        minor,
        ..CasePersonInput::default()
    }
}

/// What a case opened from the contact records: its screening's answers, and where the person
/// comes from, where they were exploited, in which sector and how they were recruited.
fn case_details(rng: &mut StdRng, contact: &NewContact) -> CaseDetails {
    let mut details = CaseDetails::from_contact(contact);
    let country = |code: &str| CountryCode::parse(code).ok();
    details.citizenship = country(pick(rng, NATIONALITIES)).into_iter().collect();
    details.exploitation_countries = country(pick(rng, EXPLOITATION_COUNTRIES))
        .into_iter()
        .collect();
    if details
        .exploitation_types
        .contains(&ExploitationType::ForcedLabour)
        && rng.random_ratio(3, 4)
    {
        details.sectors = vec![pick(rng, Sector::ALL)];
    }
    if rng.random_ratio(1, 2) {
        details.recruitment = vec![pick(rng, RecruitmentMethod::ALL)];
    }
    details
}

/// Makes the demo records, calling `progress` after each case.
pub(crate) async fn generate(
    store: &Store,
    plan: &DemoPlan,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<DemoCounts> {
    let directory = store
        .find_country_directory(plan.country)
        .await?
        .with_context(|| format!("{} is not in the directory", plan.country))?;
    let calling_code: Arc<str> = directory
        .country
        .calling_code
        .trim_start_matches('+')
        .into();
    let services: Arc<[ServiceId]> = services(store, plan).await?.into();
    let mut counts = DemoCounts::default();
    let mut running = JoinSet::new();
    let (mut next, mut made) = (0, 0);
    loop {
        while next < plan.cases && running.len() < CASES_AT_ONCE {
            let (store, plan) = (store.clone(), *plan);
            let (services, calling_code) = (services.clone(), calling_code.clone());
            let n = next;
            running
                .spawn(async move { one_case(&store, &plan, &services, &calling_code, n).await });
            next += 1;
        }
        let Some(case) = running.join_next().await else {
            break;
        };
        counts.add(case.context("a demo case's task")??);
        made += 1;
        progress(made);
    }
    Ok(counts)
}

/// One case and everything around it, drawn from its own random numbers (the seed's and the
/// case's number), so the same seed makes the same records whatever order the cases finish in.
async fn one_case(
    store: &Store,
    plan: &DemoPlan,
    services: &[ServiceId],
    calling_code: &str,
    n: u64,
) -> anyhow::Result<DemoCounts> {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&plan.seed.to_le_bytes());
    seed[8..16].copy_from_slice(&n.to_le_bytes());
    let mut rng = StdRng::from_seed(seed);
    let mut counts = DemoCounts::default();
    let opened = plan.now - Duration::minutes(rng.random_range(60..365 * 24 * 60));
    let operator = actor(plan, Role::Operator, opened);
    let parsed = NewContact::parse(
        &contact_input(&mut rng, opened - Duration::minutes(15), true),
        plan.country,
        opened,
    )
    .map_err(|e| anyhow::anyhow!("demo contact: {e:?}"))?;
    let contact = store
        .insert_contact(&operator, ContactId(uuid(&mut rng)), &parsed)
        .await?;
    counts.contacts += 1;
    let case_id = CaseId(uuid(&mut rng));
    let details = case_details(&mut rng, &contact.details);
    let case = store
        .open_case(&operator, case_id, &details, Some(contact.id))
        .await?;
    counts.cases += 1;
    // Most cases move on; a third of them end closed. The dice are thrown either way, so a
    // second run with the same seed makes the same ids; only a new case takes the steps.
    let fresh = case.status == CaseStatus::Open;
    let activate = rng.random_ratio(2, 3);
    let close = rng.random_ratio(1, 3);
    let reason = pick(&mut rng, ClosureReason::ALL);

    let worker = actor(plan, Role::Caseworker, opened + Duration::hours(1));
    if fresh && activate {
        store
            .change_case_status(&worker, case_id, CaseAction::Activate, None, None)
            .await?;
    }
    let input = person_input(&mut rng, calling_code, worker.today());
    let person = CasePerson::parse(&input, plan.country, worker.today())
        .or_else(|_| {
            let without_phone = CasePersonInput {
                phone: String::new(),
                ..input
            };
            CasePerson::parse(&without_phone, plan.country, worker.today())
        })
        .map_err(|e| anyhow::anyhow!("demo person: {e:?}"))?;
    let person_id = PersonId(uuid(&mut rng));
    store
        .add_case_person(&worker, person_id, case_id, &person)
        .await?;
    counts.persons += 1;

    // Later contacts about the same case: the hotline follows up.
    for extra in 1..plan.contacts_per_case.max(1) {
        let at = worker.at + Duration::days(i64::from(extra));
        let mut input = contact_input(&mut rng, at.min(plan.now), false);
        input.case_reference = case.reference.to_string();
        input.outcome = ContactOutcome::CaseOpenedOrLinked.code().to_owned();
        let follow = actor(plan, Role::Operator, at.min(plan.now));
        let parsed = NewContact::parse(&input, plan.country, follow.at)
            .map_err(|e| anyhow::anyhow!("demo contact: {e:?}"))?;
        store
            .insert_contact(&follow, ContactId(uuid(&mut rng)), &parsed)
            .await?;
        counts.contacts += 1;
    }

    let consent_id = antitrata_domain::casework::ConsentId(uuid(&mut rng));
    let referral_id = antitrata_domain::casework::ReferralId(uuid(&mut rng));
    let service = pick(&mut rng, services);
    if rng.random_ratio(3, 5) {
        let given_by = if person.is_minor {
            GivenBy::Guardian
        } else {
            GivenBy::Person
        };
        let consent = NewConsent::parse(
            &antitrata_domain::casework::ConsentInput {
                person: person_id.to_string(),
                scope: "referral".into(),
                given_by: given_by.code().into(),
                ..Default::default()
            },
            person.is_minor,
            worker.today(),
        )
        .map_err(|e| anyhow::anyhow!("demo consent: {e:?}"))?;
        store
            .record_consent(&worker, consent_id, case_id, &consent)
            .await?;
        let referral = NewReferral {
            case: case_id,
            person: person_id,
            service,
            notes: None,
            override_reason: None,
        };
        store.refer_case(&worker, referral_id, referral).await?;
        counts.referrals += 1;
    }

    let task = NewFollowUp::parse(
        &FollowUpInput {
            title: pick(&mut rng, TASKS).to_owned(),
            due_on: (worker.today() + Duration::days(rng.random_range(1..30))).to_string(),
            assignee: String::new(),
        },
        worker.today(),
    )
    .map_err(|e| anyhow::anyhow!("demo follow-up: {e:?}"))?;
    store
        .add_follow_up(&worker, FollowUpId(uuid(&mut rng)), case_id, &task)
        .await?;
    counts.follow_ups += 1;

    if fresh && close {
        let supervisor = actor(plan, Role::Supervisor, worker.at + Duration::hours(2));
        store
            .change_case_status(&supervisor, case_id, CaseAction::Close(reason), None, None)
            .await?;
    }
    Ok(counts)
}

/// `antitrata demo-data`.
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn run(
    config: &Config,
    country: &str,
    cases: u64,
    contacts_per_case: u32,
    seed: u64,
) -> anyhow::Result<()> {
    let country = CountryCode::parse(country).context("--country")?;
    if !country.is_rcm_member() {
        anyhow::bail!("--country: {country} is not one of the eleven RCM countries");
    }
    // Demo records can be made again: commits need not wait for the disk.
    let store = open_store_for_bulk_load(config).await?;
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(cases)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} cases ({per_sec}, {eta})")
    {
        bar.set_style(style);
    }
    let plan = DemoPlan {
        country,
        cases,
        contacts_per_case,
        seed,
        now: OffsetDateTime::now_utc(),
    };
    let started = std::time::Instant::now();
    let counts = generate(&store, &plan, |n| bar.set_position(n)).await;
    bar.finish_and_clear();
    store.close().await;
    let counts = counts?;
    println!(
        "{country}: {} cases, {} contacts, {} people, {} referrals, {} follow-ups in {:.1} s \
         (all names end in \"(demo)\")",
        counts.cases,
        counts.contacts,
        counts.persons,
        counts.referrals,
        counts.follow_ups,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use antitrata_store::testing::seeded_backends;
    use time::macros::datetime;

    use super::*;

    #[tokio::test]
    async fn makes_fake_hotline_work_once_per_seed() {
        for db in seeded_backends().await {
            let plan = DemoPlan {
                country: CountryCode::parse("GT").unwrap(),
                cases: 12,
                contacts_per_case: 3,
                seed: 7,
                now: datetime!(2026-11-27 12:00:00 UTC),
            };
            let counts = generate(&db.store, &plan, |_| {}).await.unwrap();
            assert_eq!(counts.cases, 12, "{}", db.name);
            assert_eq!(counts.contacts, 36);
            assert_eq!(db.store.count_rows_for_tests("cases").await.unwrap(), 12);
            assert_eq!(db.store.count_rows_for_tests("contacts").await.unwrap(), 36);
            assert_eq!(
                db.store.count_rows_for_tests("referrals").await.unwrap(),
                i64::try_from(counts.referrals).unwrap()
            );
            // Every name says it is fake, and people are found by name like real ones.
            let gt = actor(&plan, Role::Caseworker, plan.now);
            let found = db
                .store
                .search_persons(&gt, Some("demo"), None, None)
                .await
                .unwrap();
            assert_eq!(found.len(), 12, "{}", db.name);
            assert!(found.iter().all(|p| p.name.ends_with("(demo)")));
            // The same seed again adds nothing.
            generate(&db.store, &plan, |_| {}).await.unwrap();
            assert_eq!(db.store.count_rows_for_tests("cases").await.unwrap(), 12);
            assert_eq!(db.store.count_rows_for_tests("contacts").await.unwrap(), 36);
            db.cleanup().await;
        }
    }
}
