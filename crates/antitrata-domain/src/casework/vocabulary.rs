//! The HTCDS v2.0 picklists a case uses (`../shared/data/htcds/`, IOM, CC BY 4.0), with HTCDS's
//! own value names as codes so cases export without translation.

use super::picklist::picklist;

picklist! {
    /// `vic_TypeOfExploitation`.
    ExploitationType, "exploitation" {
        ForcedLabour = "ForcedLabour",
        SexualExploitation = "SexualExploitation",
        ChildLabour = "ChildLabour",
        ForcedMarriage = "ForcedMarriage",
        Servitude = "Servitude",
        ForcedMilitary = "ForcedMilitaryByNonStateActors",
        OrganRemoval = "OrganRemoval",
        ForcedBegging = "ForcedBegging",
        ForcedAdoption = "ForcedAdoption",
        Surrogacy = "Surrogacy",
        Other = "Other",
    }
}

picklist! {
    /// `vic_MethodsOfControl` (HTCDS writes `DebtBondage ` with a trailing space; the code here
    /// is trimmed).
    MeansOfControl, "control" {
        PhysicalThreats = "PhysicalThreats",
        ThreatsLawEnforcement = "ThreatsLawEnforcement",
        ThreatensChildrenFamily = "ThreatensChildrenFamily",
        DebtBondage = "DebtBondage",
        FalsePromises = "FalsePromises",
        PhysicalAbuse = "PhysicalAbuse",
        SexualAbuse = "SexualAbuse",
        TakesEarnings = "TakesEarnings",
        RestrictsFinancialAccess = "RestrictsFinancialAccess",
        RestrictsMedicalCare = "RestrictsMedicalCare",
        WithholdsNecessities = "WithholdsNecessities",
        PsychologicalAbuse = "PsychologicalAbuse",
        PsychoactiveSubstance = "PsychoactiveSubstance",
        ExcessiveWorkingHours = "ExcessiveWorkingHours",
        WithholdsDocuments = "WithholdsDocuments",
        Other = "Other",
    }
}

picklist! {
    /// `vic_ForcedLabourIndustry`: ISIC rev. 4 sections.
    Sector, "sector" {
        Agriculture = "A_AgricultureForestryAndFishing",
        Mining = "B_MiningAndQuarrying",
        Manufacturing = "C_Manufacturing",
        Energy = "D_ElectricityGasSteamAndAirConditioningSupply",
        Water = "E_WaterSupplySewerageWasteManagement",
        Construction = "F_Construction",
        Trade = "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
        Transport = "H_TransportationAndStorage",
        Hospitality = "I_AccommodationAndFoodServiceActivities",
        Information = "J_InformationAndCommunication",
        Finance = "K_FinancialAndInsuranceActivities",
        RealEstate = "L_RealEstateActivities",
        Professional = "M_ProfessionalScientificAndTechnicalActivities",
        Administrative = "N_AdministrativeAndSupportServiceActivities",
        PublicAdministration = "O_PublicAdministrationAndDefence",
        Education = "P_Education",
        Health = "Q_HumanHealthAndSocialWorkActivities",
        Arts = "R_ArtsEntertainmentAndRecreation",
        OtherServices = "S_OtherServiceActivities",
        Households = "T_ActivitiesOfHouseholdsAsEmployers",
        Extraterritorial = "U_ActivitiesOfExtraterritorialOrganizations",
    }
}

picklist! {
    /// `vic_MethodOfRecruitment`.
    RecruitmentMethod, "recruitment" {
        PlaceOfBusiness = "AtAPlaceOfBusiness",
        EducationalInstitution = "AtAnEducationalInstitution",
        AtWork = "AtWork",
        OnlineSocialNetworks = "ThroughOnlineSocialNetworks",
        OnlineAdvertisement = "ThroughAnOnlineAdvertisement",
        TelevisionAdvert = "ThroughATelevisionAdvert",
        NewspaperAdvert = "ThroughANewspaperAdvert",
        Family = "ThroughFamilyOrFamilyEvents",
        Friends = "ThroughFriendsOrSocialEvents",
        Other = "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The codes are HTCDS's value names: read them from the standard when the shared data is
    /// present, so a typo here fails. As the other opt-in tests do: `ANTITRATA_SHARED_DATA` set
    /// (as CI sets it) must hold the file; unset, the folder beside the checkout is tried, and
    /// without it the test says it did not run.
    #[test]
    fn codes_are_the_htcds_value_names() {
        let from_env = std::env::var_os("ANTITRATA_SHARED_DATA").map(std::path::PathBuf::from);
        let required = from_env.is_some();
        let path = from_env
            .unwrap_or_else(|| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
            })
            .join("htcds/htcds-field-standards-2.0.csv");
        if !path.exists() {
            assert!(
                !required,
                "ANTITRATA_SHARED_DATA is set but {} is absent",
                path.display()
            );
            // Written past the test harness's capture, so the skip shows in the normal output.
            let _ = writeln!(
                std::io::stderr(),
                "NOT RUN: the HTCDS comparison ({} absent)",
                path.display()
            );
            return;
        }
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let mut picklists = std::collections::HashMap::new();
        for row in reader.records() {
            let row = row.unwrap();
            let values: Vec<String> = row[9].lines().map(|v| v.trim().to_owned()).collect();
            picklists.insert(row[6].to_owned(), values);
        }
        let check = |field: &str, codes: Vec<&str>| {
            assert_eq!(picklists[field], codes, "{field}");
        };
        check(
            "vic_TypeOfExploitation",
            ExploitationType::ALL.iter().map(|v| v.code()).collect(),
        );
        check(
            "vic_MethodsOfControl",
            MeansOfControl::ALL.iter().map(|v| v.code()).collect(),
        );
        check(
            "vic_ForcedLabourIndustry",
            Sector::ALL.iter().map(|v| v.code()).collect(),
        );
        check(
            "vic_MethodOfRecruitment",
            RecruitmentMethod::ALL.iter().map(|v| v.code()).collect(),
        );
    }
}
