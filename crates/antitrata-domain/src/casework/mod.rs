//! Hotline work: contacts and their screening, cases and their workflow, in HTCDS terms. Plain
//! data and rules; the store keeps them and seals what is personal.

mod case;
mod contact;
mod picklist;
mod screening;
mod validation;
mod vocabulary;

pub use case::{
    Case, CaseAction, CaseDetails, CaseId, CaseInput, CaseReference, CaseStatus, ClosureReason,
    RiskLevel, split_countries,
};
pub use contact::{
    CallerRole, Contact, ContactChannel, ContactId, ContactInput, ContactLanguage, ContactOutcome,
    Direction, HeardVia, LOCALITY_MAX, NOTE_MAX, NewContact,
};
pub use picklist::{Picklist, join_codes, split_codes};
pub use screening::{Answer, Indicator, IndicatorKind, Screening, ScreeningResult, ScreeningRule};
pub use validation::{Errors, FieldError, Problem};
pub use vocabulary::{ExploitationType, MeansOfControl, RecruitmentMethod, Sector};
