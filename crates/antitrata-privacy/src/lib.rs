//! Privacy protection for statistics that leave a country: k-anonymity and the exact samplers of
//! differential privacy now; noisy marginals, synthetic data and utility metrics next.
//!
//! Pure functions only: no IO, and the clock and random number generator are parameters. The
//! crate's invariant: no cell leaves it that breaks its release's guarantees (for k-anonymity,
//! no combination of quasi-identifier values shared by fewer than k output records).

pub mod dp_aggregates;
pub mod hierarchy;
pub mod kanon;
pub mod metrics;
pub mod sampling;

pub use dp_aggregates::{CountTable, Domain, DpError, exact_crosstab, noisy_crosstab};
pub use hierarchy::{Hierarchy, WITHHELD};
pub use kanon::{
    CTDC_QUASI_IDENTIFIERS, ColumnLoss, KAnonymityError, KAnonymityRequest, KAnonymous,
    QuasiIdentifier, anonymize,
};
pub use metrics::{Evaluation, MarginalDistance, evaluate, total_variation};
pub use sampling::{Rational, discrete_gaussian, discrete_laplace};
