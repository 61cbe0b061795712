//! The statistical record of the hotline's cases: one row per victim per case, without personal
//! data, and how it is written in CTDC's and in HTCDS's terms. This is where the case model (the
//! HTCDS picklists in `vocabulary.rs`) meets CTDC's variables.
//!
//! # Which cases count
//! Every case of the country except those closed as *not trafficking* or as a *duplicate*. A case
//! whose victim has not been recorded yet counts as one victim whose gender, age and citizenship
//! are missing; a case with two victims is two rows.
//!
//! # Case → CTDC Global Dataset
//! | CTDC variable | from |
//! |---|---|
//! | `yearOfRegistration` | the year the case was opened (its reference's year) |
//! | `Datasource` | always `Hotline` |
//! | `gender` | `prs_Gender`: `Feminine` → `Female`, `Masculine` → `Male`, the transgender and non-conforming values → `Transgender/NonConforming`, `NonSpecifiedUnknown` → `Unknown`; none → missing |
//! | `ageBroad` | the person's age band (the same nine bands); none → missing |
//! | `majorityStatus` | `Minor` when the person is a minor (by age, band or checkbox), `Adult` when the band is an adult one, otherwise missing |
//! | `citizenship` | the person's nationality; if none, the case's citizenship when it names exactly one country; otherwise missing |
//! | `CountryOfExploitation` | the first country of exploitation recorded on the case; none → missing |
//! | `meansOfControl*` | `vic_MethodsOfControl`: each flag 1 or 0 when any means is recorded (`PhysicalThreats` and `ThreatensChildrenFamily` → `Threats`, `ThreatsLawEnforcement` → `ThreatOfLawEnforcement`, `PsychoactiveSubstance` → `PsychoactiveSubstances`, the others by name); all missing when none is |
//! | `is*` | `vic_TypeOfExploitation` when any is recorded: `ForcedLabour` and `ForcedBegging` → `isForcedLabour`, `SexualExploitation` → `isSexualExploit`, `ForcedMarriage`, `ForcedMilitaryByNonStateActors`, `OrganRemoval` by name, `Servitude` → `isSlaveryAndPractices`, `ChildLabour`, `ForcedAdoption`, `Surrogacy` and `Other` → `isOtherExploit`; `isSexAndLabour` when both forced labour and sexual exploitation are; all missing when none is recorded |
//! | `typeOfLabour*` | `vic_ForcedLabourIndustry` (ISIC sections): A → `Agriculture`, B → `MiningOrDrilling`, C → `Manufacturing`, F → `Construction`, H → `Transportation`, I → `Hospitality`, T → `DomesticWork`, the other sections → `Other`; forced begging → `Begging`; forced labour with no sector → `NotSpecified`; all missing otherwise |
//! | `RecruiterRelationship`, `recruiterRelation*` | `vic_MethodOfRecruitment`: `ThroughFamilyOrFamilyEvents` → `Family/Relative` (`recruiterRelationFamily`), `ThroughFriendsOrSocialEvents` → `Friend/Acquaintance` (`recruiterRelationFriend`); the other methods say how, not by whom, so without those two the relationship is missing |
//!
//! Every other CTDC variable (majority at exploitation and at entry, the kinds of sexual
//! exploitation, abduction, the `*Concatenated` texts) is not recorded by the console and is
//! written as missing (`-99`). Missing is written `-99`, as in CTDC's own files, so a file this
//! project writes imports back as it was.
//!
//! # Case → HTCDS
//! The HTCDS export keeps HTCDS's field names and picklist values (`cas_Status` through
//! [`CaseStatus::htcds`], `prs_Gender`, `prs_Citizenship`, `vic_MethodOfRecruitment`,
//! `vic_MethodsOfControl`, `vic_TypeOfExploitation`, `vic_ForcedLabourIndustry`, `hte_Country`),
//! adds the fields HTCDS has no name for with an `ant_` prefix (case reference, day opened, age
//! band, minority, transit countries), and leaves out every direct identifier: names, aliases,
//! phones, addresses, dates of birth and free text never leave through an export.

use std::collections::HashMap;

use time::Date;

use super::case::{CaseDetails, CaseReference, CaseStatus, ClosureReason};
use super::person::{AgeBand, Gender};
use super::vocabulary::{ExploitationType, MeansOfControl, RecruitmentMethod, Sector};
use crate::CountryCode;

/// What is counted of one victim: no name, phone, address or date of birth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VictimFacts {
    pub gender: Option<Gender>,
    pub age_band: Option<AgeBand>,
    pub nationality: Option<CountryCode>,
    pub is_minor: bool,
}

/// One victim of one case, with the case's counted fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VictimRecord {
    pub case: CaseReference,
    pub status: CaseStatus,
    pub closure_reason: Option<ClosureReason>,
    pub opened_on: Date,
    pub details: CaseDetails,
    /// `None` while the case has no victim recorded.
    pub victim: Option<VictimFacts>,
}

/// Whether a case counts in statistics: not when it was closed as not trafficking or as a
/// duplicate of another.
pub fn counts_in_statistics(status: CaseStatus, reason: Option<ClosureReason>) -> bool {
    !(status == CaseStatus::Closed
        && matches!(
            reason,
            Some(ClosureReason::NotTrafficking | ClosureReason::Duplicate)
        ))
}

/// The CTDC data source of every case of the hotline.
pub const CTDC_DATA_SOURCE: &str = "Hotline";

/// How a missing value is written in a CTDC file.
pub const CTDC_MISSING: &str = "-99";

impl VictimRecord {
    /// The record as CTDC Global Dataset values, one per column of
    /// [`crate::stats::global_columns`], `None` for missing.
    pub fn ctdc_values(&self) -> Vec<Option<String>> {
        let mut set: HashMap<&'static str, String> = HashMap::new();
        let mut put = |column: &'static str, value: &str| {
            set.insert(column, value.to_owned());
        };
        put("yearOfRegistration", &self.case.year.to_string());
        put("Datasource", CTDC_DATA_SOURCE);
        let details = &self.details;
        if let Some(victim) = &self.victim {
            if let Some(gender) = victim.gender {
                put("gender", ctdc_gender(gender));
            }
            if let Some(band) = victim.age_band {
                put("ageBroad", band.code());
            }
            if victim.is_minor {
                put("majorityStatus", "Minor");
            } else if victim.age_band.is_some() {
                put("majorityStatus", "Adult");
            }
        }
        let nationality = self.victim.as_ref().and_then(|v| v.nationality);
        let citizenship = nationality.or(match details.citizenship.as_slice() {
            [only] => Some(*only),
            _ => None,
        });
        if let Some(country) = citizenship {
            put("citizenship", country.as_str());
        }
        if let Some(country) = details.exploitation_countries.first() {
            put("CountryOfExploitation", country.as_str());
        }
        flags(
            &mut put,
            MEANS_FLAGS,
            "meansOfControlNotSpecified",
            details.means_of_control.iter().map(|m| ctdc_means(*m)),
            !details.means_of_control.is_empty(),
        );
        let types = &details.exploitation_types;
        let forced_labour = types.iter().any(|t| {
            matches!(
                t,
                ExploitationType::ForcedLabour | ExploitationType::ForcedBegging
            )
        });
        let sexual = types.contains(&ExploitationType::SexualExploitation);
        flags(
            &mut put,
            EXPLOITATION_FLAGS,
            "isSexAndLabour",
            types
                .iter()
                .map(|t| ctdc_exploitation(*t))
                .chain((forced_labour && sexual).then_some("isSexAndLabour")),
            !types.is_empty(),
        );
        let begging = types.contains(&ExploitationType::ForcedBegging);
        let labour_known = !details.sectors.is_empty() || begging;
        flags(
            &mut put,
            LABOUR_FLAGS,
            "typeOfLabourNotSpecified",
            details
                .sectors
                .iter()
                .map(|s| ctdc_labour(*s))
                .chain(begging.then_some("typeOfLabourBegging"))
                .chain((!labour_known).then_some("typeOfLabourNotSpecified")),
            labour_known || forced_labour,
        );
        let family = details.recruitment.contains(&RecruitmentMethod::Family);
        let friend = details.recruitment.contains(&RecruitmentMethod::Friends);
        if family || friend {
            let relation: Vec<&str> = [
                family.then_some("Family/Relative"),
                friend.then_some("Friend/Acquaintance"),
            ]
            .into_iter()
            .flatten()
            .collect();
            put("RecruiterRelationship", &relation.join(";"));
            flags(
                &mut put,
                RECRUITER_FLAGS,
                "recruiterRelationUnknown",
                [
                    family.then_some("recruiterRelationFamily"),
                    friend.then_some("recruiterRelationFriend"),
                ]
                .into_iter()
                .flatten(),
                true,
            );
        }
        crate::stats::global_columns()
            .map(|column| set.remove(column))
            .collect()
    }

    /// The record as HTCDS-shaped fields, in [`HTCDS_FIELDS`] order.
    pub fn htcds_values(&self) -> Vec<HtcdsValue> {
        let details = &self.details;
        let victim = self.victim.as_ref();
        let codes = |codes: Vec<&'static str>| {
            HtcdsValue::List(codes.into_iter().map(str::to_owned).collect())
        };
        let countries =
            |list: &[CountryCode]| HtcdsValue::List(list.iter().map(|c| c.to_string()).collect());
        let citizenship: Vec<CountryCode> = match victim.and_then(|v| v.nationality) {
            Some(country) => vec![country],
            None => details.citizenship.clone(),
        };
        vec![
            HtcdsValue::Text(Some(self.case.to_string())),
            HtcdsValue::Text(Some(self.opened_on.to_string())),
            HtcdsValue::Text(Some(self.status.htcds(self.closure_reason).to_owned())),
            HtcdsValue::Text(self.closure_reason.map(|r| r.code().to_owned())),
            HtcdsValue::Text(victim.and_then(|v| v.gender).map(|g| g.code().to_owned())),
            countries(&citizenship),
            HtcdsValue::Text(victim.and_then(|v| v.age_band).map(|b| b.code().to_owned())),
            HtcdsValue::Flag(victim.map(|v| v.is_minor)),
            codes(details.recruitment.iter().map(|m| m.code()).collect()),
            codes(details.means_of_control.iter().map(|m| m.code()).collect()),
            codes(
                details
                    .exploitation_types
                    .iter()
                    .map(|t| t.code())
                    .collect(),
            ),
            codes(details.sectors.iter().map(|s| s.code()).collect()),
            countries(&details.exploitation_countries),
            countries(&details.transit_countries),
        ]
    }
}

/// The fields of an HTCDS export, in order. HTCDS's own names where it has one, `ant_` where it
/// has none.
pub const HTCDS_FIELDS: &[&str] = &[
    "ant_CaseReference",
    "ant_OpenedOn",
    "cas_Status",
    "ant_ClosureReason",
    "prs_Gender",
    "prs_Citizenship",
    "ant_AgeBand",
    "ant_IsMinor",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "hte_Country",
    "ant_TransitCountries",
];

/// One field of an HTCDS record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HtcdsValue {
    Text(Option<String>),
    Flag(Option<bool>),
    /// A multi-select picklist or a list of countries, in the order recorded.
    List(Vec<String>),
}

impl HtcdsValue {
    /// The value in one CSV cell: lists joined with `;`, flags `true`/`false`, missing empty.
    pub fn csv_cell(&self) -> Option<String> {
        match self {
            HtcdsValue::Text(text) => text.clone(),
            HtcdsValue::Flag(flag) => flag.map(|f| f.to_string()),
            HtcdsValue::List(items) if items.is_empty() => None,
            HtcdsValue::List(items) => Some(items.join(";")),
        }
    }
}

/// Sets every flag of `columns` and `last` (the group's "not specified" or derived flag) to 1 or 0,
/// 1 for those in `set`, when `known`; otherwise leaves them all missing.
fn flags<'a>(
    put: &mut impl FnMut(&'static str, &str),
    columns: &[&'static str],
    last: &'static str,
    set: impl Iterator<Item = &'a str>,
    known: bool,
) {
    if !known {
        return;
    }
    let set: Vec<&str> = set.collect();
    for column in columns.iter().copied().chain([last]) {
        put(column, if set.contains(&column) { "1" } else { "0" });
    }
}

const MEANS_FLAGS: &[&str] = &[
    "meansOfControlDebtBondage",
    "meansOfControlTakesEarnings",
    "meansOfControlRestrictsFinancialAccess",
    "meansOfControlThreats",
    "meansOfControlPsychologicalAbuse",
    "meansOfControlPhysicalAbuse",
    "meansOfControlSexualAbuse",
    "meansOfControlFalsePromises",
    "meansOfControlPsychoactiveSubstances",
    "meansOfControlRestrictsMovement",
    "meansOfControlRestrictsMedicalCare",
    "meansOfControlExcessiveWorkingHours",
    "meansOfControlUsesChildren",
    "meansOfControlThreatOfLawEnforcement",
    "meansOfControlWithholdsNecessities",
    "meansOfControlWithholdsDocuments",
    "meansOfControlOther",
];

const EXPLOITATION_FLAGS: &[&str] = &[
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
];

const LABOUR_FLAGS: &[&str] = &[
    "typeOfLabourAgriculture",
    "typeOfLabourAquafarming",
    "typeOfLabourBegging",
    "typeOfLabourConstruction",
    "typeOfLabourDomesticWork",
    "typeOfLabourHospitality",
    "typeOfLabourIllicitActivities",
    "typeOfLabourManufacturing",
    "typeOfLabourMiningOrDrilling",
    "typeOfLabourPeddling",
    "typeOfLabourTransportation",
    "typeOfLabourOther",
];

const RECRUITER_FLAGS: &[&str] = &[
    "recruiterRelationIntimatePartner",
    "recruiterRelationFriend",
    "recruiterRelationFamily",
    "recruiterRelationOther",
];

fn ctdc_gender(gender: Gender) -> &'static str {
    match gender {
        Gender::Feminine => "Female",
        Gender::Masculine => "Male",
        Gender::TransgenderFeminine | Gender::TransgenderMasculine | Gender::NonConforming => {
            "Transgender/NonConforming"
        }
        Gender::Unknown => "Unknown",
    }
}

fn ctdc_means(means: MeansOfControl) -> &'static str {
    match means {
        MeansOfControl::PhysicalThreats | MeansOfControl::ThreatensChildrenFamily => {
            "meansOfControlThreats"
        }
        MeansOfControl::ThreatsLawEnforcement => "meansOfControlThreatOfLawEnforcement",
        MeansOfControl::DebtBondage => "meansOfControlDebtBondage",
        MeansOfControl::FalsePromises => "meansOfControlFalsePromises",
        MeansOfControl::PhysicalAbuse => "meansOfControlPhysicalAbuse",
        MeansOfControl::SexualAbuse => "meansOfControlSexualAbuse",
        MeansOfControl::TakesEarnings => "meansOfControlTakesEarnings",
        MeansOfControl::RestrictsFinancialAccess => "meansOfControlRestrictsFinancialAccess",
        MeansOfControl::RestrictsMedicalCare => "meansOfControlRestrictsMedicalCare",
        MeansOfControl::WithholdsNecessities => "meansOfControlWithholdsNecessities",
        MeansOfControl::PsychologicalAbuse => "meansOfControlPsychologicalAbuse",
        MeansOfControl::PsychoactiveSubstance => "meansOfControlPsychoactiveSubstances",
        MeansOfControl::ExcessiveWorkingHours => "meansOfControlExcessiveWorkingHours",
        MeansOfControl::WithholdsDocuments => "meansOfControlWithholdsDocuments",
        MeansOfControl::Other => "meansOfControlOther",
    }
}

fn ctdc_exploitation(kind: ExploitationType) -> &'static str {
    match kind {
        ExploitationType::ForcedLabour | ExploitationType::ForcedBegging => "isForcedLabour",
        ExploitationType::SexualExploitation => "isSexualExploit",
        ExploitationType::ForcedMarriage => "isForcedMarriage",
        ExploitationType::ForcedMilitary => "isForcedMilitary",
        ExploitationType::OrganRemoval => "isOrganRemoval",
        ExploitationType::Servitude => "isSlaveryAndPractices",
        ExploitationType::ChildLabour
        | ExploitationType::ForcedAdoption
        | ExploitationType::Surrogacy
        | ExploitationType::Other => "isOtherExploit",
    }
}

fn ctdc_labour(sector: Sector) -> &'static str {
    match sector {
        Sector::Agriculture => "typeOfLabourAgriculture",
        Sector::Mining => "typeOfLabourMiningOrDrilling",
        Sector::Manufacturing => "typeOfLabourManufacturing",
        Sector::Construction => "typeOfLabourConstruction",
        Sector::Transport => "typeOfLabourTransportation",
        Sector::Hospitality => "typeOfLabourHospitality",
        Sector::Households => "typeOfLabourDomesticWork",
        Sector::Energy
        | Sector::Water
        | Sector::Trade
        | Sector::Information
        | Sector::Finance
        | Sector::RealEstate
        | Sector::Professional
        | Sector::Administrative
        | Sector::PublicAdministration
        | Sector::Education
        | Sector::Health
        | Sector::Arts
        | Sector::OtherServices
        | Sector::Extraterritorial => "typeOfLabourOther",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::global_columns;

    fn gt(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn record(details: CaseDetails, victim: Option<VictimFacts>) -> VictimRecord {
        VictimRecord {
            case: CaseReference {
                country: gt("GT"),
                year: 2026,
                sequence: 7,
            },
            status: CaseStatus::Active,
            closure_reason: None,
            opened_on: time::macros::date!(2026 - 03 - 04),
            details,
            victim,
        }
    }

    fn value<'a>(values: &'a [Option<String>], column: &str) -> Option<&'a str> {
        let index = global_columns().position(|c| c == column).unwrap();
        values[index].as_deref()
    }

    #[test]
    fn a_case_becomes_one_ctdc_row_with_every_global_column() {
        let details = CaseDetails {
            exploitation_types: vec![
                ExploitationType::SexualExploitation,
                ExploitationType::ForcedBegging,
            ],
            means_of_control: vec![
                MeansOfControl::ThreatensChildrenFamily,
                MeansOfControl::DebtBondage,
            ],
            recruitment: vec![RecruitmentMethod::Friends, RecruitmentMethod::AtWork],
            citizenship: vec![gt("HN"), gt("SV")],
            exploitation_countries: vec![gt("MX"), gt("GT")],
            ..CaseDetails::default()
        };
        let victim = VictimFacts {
            gender: Some(Gender::TransgenderFeminine),
            age_band: Some(AgeBand::From9To17),
            nationality: Some(gt("HN")),
            is_minor: true,
        };
        let values = record(details, Some(victim)).ctdc_values();
        assert_eq!(values.len(), global_columns().count());
        let v = |c| value(&values, c);
        assert_eq!(v("yearOfRegistration"), Some("2026"));
        assert_eq!(v("Datasource"), Some("Hotline"));
        assert_eq!(v("gender"), Some("Transgender/NonConforming"));
        assert_eq!(v("ageBroad"), Some("9--17"));
        assert_eq!(v("majorityStatus"), Some("Minor"));
        assert_eq!(v("citizenship"), Some("HN"));
        assert_eq!(v("CountryOfExploitation"), Some("MX"));
        assert_eq!(v("meansOfControlThreats"), Some("1"));
        assert_eq!(v("meansOfControlDebtBondage"), Some("1"));
        assert_eq!(v("meansOfControlSexualAbuse"), Some("0"));
        assert_eq!(v("meansOfControlNotSpecified"), Some("0"));
        assert_eq!(v("isSexualExploit"), Some("1"));
        assert_eq!(v("isForcedLabour"), Some("1"));
        assert_eq!(v("isSexAndLabour"), Some("1"));
        assert_eq!(v("isOrganRemoval"), Some("0"));
        assert_eq!(v("typeOfLabourBegging"), Some("1"));
        assert_eq!(v("typeOfLabourNotSpecified"), Some("0"));
        assert_eq!(v("RecruiterRelationship"), Some("Friend/Acquaintance"));
        assert_eq!(v("recruiterRelationFriend"), Some("1"));
        assert_eq!(v("recruiterRelationFamily"), Some("0"));
        assert_eq!(v("majorityEntry"), None);
        assert_eq!(v("typeOfSexProstitution"), None);
    }

    #[test]
    fn what_was_not_recorded_is_missing_not_zero() {
        let values = record(CaseDetails::default(), None).ctdc_values();
        let v = |c| value(&values, c);
        for column in [
            "gender",
            "ageBroad",
            "majorityStatus",
            "citizenship",
            "CountryOfExploitation",
            "meansOfControlThreats",
            "isForcedLabour",
            "typeOfLabourOther",
            "RecruiterRelationship",
            "recruiterRelationFamily",
        ] {
            assert_eq!(v(column), None, "{column}");
        }
        assert_eq!(v("yearOfRegistration"), Some("2026"));

        // The case's citizenship stands in for an unknown nationality only when it is one country.
        let one = CaseDetails {
            citizenship: vec![gt("SV")],
            exploitation_types: vec![ExploitationType::ForcedLabour],
            ..CaseDetails::default()
        };
        let values = record(one, None).ctdc_values();
        assert_eq!(value(&values, "citizenship"), Some("SV"));
        // Forced labour in no recorded sector.
        assert_eq!(value(&values, "typeOfLabourNotSpecified"), Some("1"));
        assert_eq!(value(&values, "typeOfLabourAgriculture"), Some("0"));
        assert_eq!(value(&values, "isSexAndLabour"), Some("0"));
    }

    #[test]
    fn every_htcds_value_maps_to_a_ctdc_flag_of_the_codebook() {
        let columns: Vec<&str> = global_columns().collect();
        for m in MeansOfControl::ALL {
            assert!(columns.contains(&ctdc_means(*m)), "{m:?}");
        }
        for t in ExploitationType::ALL {
            assert!(columns.contains(&ctdc_exploitation(*t)), "{t:?}");
        }
        for s in Sector::ALL {
            assert!(columns.contains(&ctdc_labour(*s)), "{s:?}");
        }
        for flag in MEANS_FLAGS
            .iter()
            .chain(EXPLOITATION_FLAGS)
            .chain(LABOUR_FLAGS)
            .chain(RECRUITER_FLAGS)
        {
            assert!(columns.contains(flag), "{flag}");
        }
    }

    #[test]
    fn cases_closed_as_not_trafficking_or_duplicates_do_not_count() {
        assert!(counts_in_statistics(CaseStatus::Active, None));
        assert!(counts_in_statistics(
            CaseStatus::Closed,
            Some(ClosureReason::GoalsMet)
        ));
        // A closure asked for as not trafficking still counts until a supervisor closes it.
        assert!(counts_in_statistics(
            CaseStatus::ClosureRequested,
            Some(ClosureReason::NotTrafficking)
        ));
        assert!(!counts_in_statistics(
            CaseStatus::Closed,
            Some(ClosureReason::NotTrafficking)
        ));
        assert!(!counts_in_statistics(
            CaseStatus::Closed,
            Some(ClosureReason::Duplicate)
        ));
    }

    #[test]
    fn htcds_values_keep_htcds_codes_and_no_identifier() {
        let details = CaseDetails {
            exploitation_types: vec![ExploitationType::ForcedLabour],
            sectors: vec![Sector::Agriculture],
            citizenship: vec![gt("GT")],
            ..CaseDetails::default()
        };
        let victim = VictimFacts {
            gender: Some(Gender::Feminine),
            age_band: Some(AgeBand::From24To26),
            nationality: None,
            is_minor: false,
        };
        let values = record(details, Some(victim)).htcds_values();
        assert_eq!(values.len(), HTCDS_FIELDS.len());
        let cells: Vec<Option<String>> = values.iter().map(HtcdsValue::csv_cell).collect();
        let cell = |field: &str| {
            let index = HTCDS_FIELDS.iter().position(|f| *f == field).unwrap();
            cells[index].as_deref()
        };
        assert_eq!(cell("ant_CaseReference"), Some("GT-2026-000007"));
        assert_eq!(cell("cas_Status"), Some("Active"));
        assert_eq!(cell("prs_Gender"), Some("Feminine"));
        assert_eq!(cell("prs_Citizenship"), Some("GT"));
        assert_eq!(cell("vic_TypeOfExploitation"), Some("ForcedLabour"));
        assert_eq!(
            cell("vic_ForcedLabourIndustry"),
            Some("A_AgricultureForestryAndFishing")
        );
        assert_eq!(cell("ant_IsMinor"), Some("false"));
        assert_eq!(cell("hte_Country"), None);
    }
}
