//! Screening a contact for trafficking: yes/no/unknown answers to a fixed set of indicators, and
//! the rule that turns them into a result an operator can read and check.
//!
//! The indicators follow the means of control and the forms of exploitation of HTCDS and CTDC.
//! The rule is the legal definition's shape (an act of exploitation obtained by a means of
//! control; for children no means is needed) made conservative: any single indicator makes a
//! case possible, so nobody is turned away on a rule.

use super::picklist::picklist;
use super::vocabulary::{ExploitationType, MeansOfControl};

picklist! {
    /// One question of the screening.
    Indicator, "indicator" {
        Deception = "deception",
        DebtBondage = "debt-bondage",
        WithheldDocuments = "withheld-documents",
        RestrictedMovement = "restricted-movement",
        Threats = "threats",
        ThreatsToFamily = "threats-to-family",
        ThreatsOfAuthorities = "threats-of-authorities",
        PhysicalViolence = "physical-violence",
        SexualViolence = "sexual-violence",
        TakesEarnings = "takes-earnings",
        WithholdsNecessities = "withholds-necessities",
        Substances = "substances",
        ExcessiveHours = "excessive-hours",
        NoPay = "no-pay",
        CommercialSex = "commercial-sex",
        MinorInCommercialSex = "minor-in-commercial-sex",
        ChildLabour = "child-labour",
        ForcedBegging = "forced-begging",
        ForcedCriminality = "forced-criminality",
        ForcedMarriage = "forced-marriage",
        DomesticServitude = "domestic-servitude",
    }
}

/// What an indicator says about the definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorKind {
    /// How a person is held: deception, coercion, abuse of vulnerability.
    Means,
    /// What is done to them: a form of exploitation.
    Exploitation,
    /// Exploitation of a child, trafficking whatever the means.
    ChildExploitation,
}

impl Indicator {
    pub fn kind(self) -> IndicatorKind {
        use Indicator::*;
        match self {
            Deception | DebtBondage | WithheldDocuments | RestrictedMovement | Threats
            | ThreatsToFamily | ThreatsOfAuthorities | PhysicalViolence | SexualViolence
            | TakesEarnings | WithholdsNecessities | Substances => IndicatorKind::Means,
            ExcessiveHours | NoPay | CommercialSex | ForcedBegging | ForcedCriminality
            | ForcedMarriage | DomesticServitude => IndicatorKind::Exploitation,
            MinorInCommercialSex | ChildLabour => IndicatorKind::ChildExploitation,
        }
    }

    /// The HTCDS means of control a "yes" suggests for the case opened from the contact.
    pub fn means_of_control(self) -> Option<MeansOfControl> {
        use Indicator::*;
        Some(match self {
            Deception => MeansOfControl::FalsePromises,
            DebtBondage => MeansOfControl::DebtBondage,
            WithheldDocuments => MeansOfControl::WithholdsDocuments,
            RestrictedMovement => MeansOfControl::PsychologicalAbuse,
            Threats => MeansOfControl::PhysicalThreats,
            ThreatsToFamily => MeansOfControl::ThreatensChildrenFamily,
            ThreatsOfAuthorities => MeansOfControl::ThreatsLawEnforcement,
            PhysicalViolence => MeansOfControl::PhysicalAbuse,
            SexualViolence => MeansOfControl::SexualAbuse,
            TakesEarnings | NoPay => MeansOfControl::TakesEarnings,
            WithholdsNecessities => MeansOfControl::WithholdsNecessities,
            Substances => MeansOfControl::PsychoactiveSubstance,
            ExcessiveHours => MeansOfControl::ExcessiveWorkingHours,
            _ => return None,
        })
    }

    /// The HTCDS form of exploitation a "yes" suggests.
    pub fn exploitation_type(self) -> Option<ExploitationType> {
        use Indicator::*;
        Some(match self {
            CommercialSex | MinorInCommercialSex => ExploitationType::SexualExploitation,
            ChildLabour => ExploitationType::ChildLabour,
            ForcedBegging => ExploitationType::ForcedBegging,
            ForcedMarriage => ExploitationType::ForcedMarriage,
            DomesticServitude => ExploitationType::Servitude,
            ExcessiveHours | NoPay | ForcedCriminality => ExploitationType::ForcedLabour,
            _ => return None,
        })
    }
}

picklist! {
    /// An answer to one indicator.
    Answer, "answer" {
        Yes = "yes",
        No = "no",
        Unknown = "unknown",
    }
}

/// The screening's answers as the API takes them: an object whose keys are indicator codes and
/// whose values are answers; an indicator left out is unknown, and no other key is allowed.
#[cfg(feature = "openapi")]
#[derive(Debug)]
pub struct ScreeningAnswers;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ScreeningAnswers {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for indicator in Indicator::ALL {
            object = object.property(
                indicator.code(),
                <Answer as utoipa::PartialSchema>::schema(),
            );
        }
        object.into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ScreeningAnswers {}

/// The answers of one screening, one per indicator (unanswered is `Unknown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    answers: Vec<(Indicator, Answer)>,
}

picklist! {
    /// The screening's conclusion.
    ScreeningResult, "screening" {
        Likely = "likely",
        Possible = "possible",
        Unlikely = "unlikely",
        /// No indicator was answered: nothing is known yet, which is not "unlikely".
        NotScreened = "not-screened",
    }
}

picklist! {
    /// Which part of the rule decided the result: shown next to it, so the operator sees why.
    ScreeningRule, "screening-rule" {
        ChildExploitation = "child-exploitation",
        MeansAndExploitation = "means-and-exploitation",
        SomeIndicator = "some-indicator",
        NoIndicator = "no-indicator",
        NothingAnswered = "nothing-answered",
    }
}

impl Screening {
    /// Answers in indicator order; indicators not given are `Unknown`, a repeated one keeps its
    /// last answer.
    pub fn new(given: impl IntoIterator<Item = (Indicator, Answer)>) -> Screening {
        let mut answers: Vec<(Indicator, Answer)> = Indicator::ALL
            .iter()
            .map(|i| (*i, Answer::Unknown))
            .collect();
        for (indicator, answer) in given {
            if let Some(slot) = answers.iter_mut().find(|(i, _)| *i == indicator) {
                slot.1 = answer;
            }
        }
        Screening { answers }
    }

    pub fn answers(&self) -> &[(Indicator, Answer)] {
        &self.answers
    }

    pub fn answer(&self, indicator: Indicator) -> Answer {
        self.answers
            .iter()
            .find(|(i, _)| *i == indicator)
            .map_or(Answer::Unknown, |(_, a)| *a)
    }

    /// The indicators answered yes.
    pub fn yes(&self) -> impl Iterator<Item = Indicator> + '_ {
        self.answers
            .iter()
            .filter(|(_, a)| *a == Answer::Yes)
            .map(|(i, _)| *i)
    }

    /// The result and the part of the rule that gave it:
    /// 1. a child in commercial sex or child labour: likely;
    /// 2. a means of control and a form of exploitation: likely;
    /// 3. any other indicator: possible;
    /// 4. none, though some were answered: unlikely;
    /// 5. none answered at all: not screened (not asked is not "unlikely").
    pub fn result(&self) -> (ScreeningResult, ScreeningRule) {
        let has = |kind| self.yes().any(|i| i.kind() == kind);
        if has(IndicatorKind::ChildExploitation) {
            (ScreeningResult::Likely, ScreeningRule::ChildExploitation)
        } else if has(IndicatorKind::Means) && has(IndicatorKind::Exploitation) {
            (ScreeningResult::Likely, ScreeningRule::MeansAndExploitation)
        } else if self.yes().next().is_some() {
            (ScreeningResult::Possible, ScreeningRule::SomeIndicator)
        } else if self.answers.iter().any(|(_, a)| *a != Answer::Unknown) {
            (ScreeningResult::Unlikely, ScreeningRule::NoIndicator)
        } else {
            (ScreeningResult::NotScreened, ScreeningRule::NothingAnswered)
        }
    }

    /// The compact stored form: `code=answer` pairs joined by `;`, unknowns left out.
    pub fn to_stored(&self) -> String {
        self.answers
            .iter()
            .filter(|(_, a)| *a != Answer::Unknown)
            .map(|(i, a)| format!("{}={}", i.code(), a.code()))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Reads [`Screening::to_stored`]; `None` on an unknown code.
    pub fn from_stored(stored: &str) -> Option<Screening> {
        let mut given = Vec::new();
        for pair in stored.split(';').filter(|p| !p.is_empty()) {
            let (indicator, answer) = pair.split_once('=')?;
            given.push((Indicator::parse(indicator)?, Answer::parse(answer)?));
        }
        Some(Screening::new(given))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Answer::*;
    use Indicator::*;

    fn result(given: &[(Indicator, Answer)]) -> (ScreeningResult, ScreeningRule) {
        Screening::new(given.iter().copied()).result()
    }

    #[test]
    fn the_rule_follows_the_definition() {
        assert_eq!(
            result(&[(MinorInCommercialSex, Yes)]),
            (ScreeningResult::Likely, ScreeningRule::ChildExploitation)
        );
        assert_eq!(
            result(&[(WithheldDocuments, Yes), (NoPay, Yes)]),
            (ScreeningResult::Likely, ScreeningRule::MeansAndExploitation)
        );
        assert_eq!(
            result(&[(WithheldDocuments, Yes), (NoPay, No)]),
            (ScreeningResult::Possible, ScreeningRule::SomeIndicator)
        );
        assert_eq!(
            result(&[(ExcessiveHours, Yes)]),
            (ScreeningResult::Possible, ScreeningRule::SomeIndicator)
        );
        assert_eq!(
            result(&[(Deception, No), (Threats, Unknown)]),
            (ScreeningResult::Unlikely, ScreeningRule::NoIndicator)
        );
        assert_eq!(
            result(&[]),
            (ScreeningResult::NotScreened, ScreeningRule::NothingAnswered)
        );
        assert_eq!(
            result(&[(Deception, Unknown), (Threats, Unknown)]),
            (ScreeningResult::NotScreened, ScreeningRule::NothingAnswered)
        );
    }

    #[test]
    fn every_indicator_has_a_kind_and_yes_alone_is_never_unlikely() {
        for indicator in Indicator::ALL {
            let (r, _) = result(&[(*indicator, Yes)]);
            assert_ne!(r, ScreeningResult::Unlikely, "{indicator}");
        }
    }

    #[test]
    fn stored_form_round_trips() {
        let screening = Screening::new([(Threats, Yes), (NoPay, No), (Deception, Unknown)]);
        let stored = screening.to_stored();
        assert_eq!(stored, "threats=yes;no-pay=no");
        assert_eq!(Screening::from_stored(&stored), Some(screening));
        assert_eq!(Screening::from_stored("threats=maybe"), None);
        assert_eq!(Screening::from_stored(""), Some(Screening::new([])));
    }
}
