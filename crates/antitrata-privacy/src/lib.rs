//! Privacy protection for statistics that leave a country: k-anonymity now; differential
//! privacy, synthetic data and their utility metrics next.
//!
//! Pure functions only: no IO, and the clock and random number generator are parameters. The
//! crate's invariant: no cell leaves it that breaks its release's guarantees (for k-anonymity,
//! no combination of quasi-identifier values shared by fewer than k output records).

pub mod hierarchy;
pub mod kanon;
mod m49;

pub use hierarchy::{Hierarchy, WITHHELD};
pub use kanon::{
    CTDC_QUASI_IDENTIFIERS, ColumnLoss, KAnonymityError, KAnonymityRequest, KAnonymous,
    QuasiIdentifier, anonymize,
};
