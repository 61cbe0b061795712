//! Hotline work: contacts and their screening, cases and their workflow, the people of a case,
//! their consent, the services directory and referrals, in HTCDS terms. Plain
//! data and rules; the store keeps them and seals what is personal.

mod case;
mod consent;
mod contact;
mod followup;
mod person;
mod picklist;
mod referral;
mod screening;
mod service;
mod statistical_record;
mod validation;
mod vocabulary;

pub use case::{
    Case, CaseAction, CaseDetails, CaseId, CaseInput, CaseReference, CaseStatus, ClosureReason,
    RiskLevel, split_countries,
};
pub use consent::{Consent, ConsentId, ConsentInput, ConsentScope, GivenBy, NewConsent};
pub use contact::{
    CallerRole, Contact, ContactChannel, ContactId, ContactInput, ContactLanguage, ContactOutcome,
    DangerTaker, Direction, FRESH_DANGER, HeardVia, LOCALITY_MAX, NOTE_MAX, NewContact,
};
pub use followup::{FollowUp, FollowUpId, FollowUpInput, NewFollowUp, TITLE_MAX};
pub use person::{
    ADDRESS_MAX, AgeBand, CasePerson, CasePersonInput, Gender, NAME_MAX, PHONE_MAX, PersonRole,
    age_on, valid_phone,
};
pub(crate) use picklist::picklist;
pub use picklist::{Picklist, join_codes, split_codes};
pub use referral::{Basis, Referral, ReferralId, ReferralStatus};
#[cfg(feature = "openapi")]
pub use screening::ScreeningAnswers;
pub use screening::{Answer, Indicator, IndicatorKind, Screening, ScreeningResult, ScreeningRule};
pub use service::{Service, ServiceCategory, ServiceDetails, ServiceId, ServiceInput};
pub use statistical_record::{
    CTDC_DATA_SOURCE, CTDC_MISSING, HTCDS_FIELDS, HtcdsValue, VictimFacts, VictimRecord,
    counts_in_statistics,
};
pub use validation::{Errors, FieldError, Problem};
pub use vocabulary::{ExploitationType, MeansOfControl, RecruitmentMethod, Sector};
