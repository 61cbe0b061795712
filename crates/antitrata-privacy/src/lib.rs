//! Privacy protection for statistics that leave a country: k-anonymity (with SDS's
//! all-combinations guarantee where a release needs it), the exact samplers of differential
//! privacy, noisy cross-tabs, differentially private synthetic records and utility metrics.
//!
//! Pure functions only: no IO, and the clock and random number generator are parameters. The
//! crate's invariant: no cell leaves it that breaks its release's guarantees (for k-anonymity,
//! no combination of quasi-identifier values shared by fewer than k output records).

pub mod accountant;
pub mod combinations;
pub mod domain_selection;
pub mod dp_aggregates;
pub mod dp_synthetic;
pub mod hierarchy;
pub mod kanon;
pub mod metrics;
pub mod sampling;
pub mod workload;

pub use combinations::{
    CombinationError, CombinationMetrics, CountBucket, Guaranteed, LengthMetrics,
    combination_metrics, withhold_rare_combinations,
};
pub use domain_selection::{CellStep, DomainStep};
pub use dp_aggregates::{CountTable, Domain, DpError, exact_crosstab, noisy_crosstab};
pub use dp_synthetic::{Synthetic, synthesize};
pub use hierarchy::{Hierarchy, WITHHELD};
pub use kanon::{
    CTDC_QUASI_IDENTIFIERS, ColumnLoss, KAnonymityError, KAnonymityRequest, KAnonymous,
    QuasiIdentifier, anonymize,
};
pub use metrics::{
    Evaluation, MarginalDistance, evaluate, marginal_distances, mean_distance, total_variation,
};
pub use sampling::{
    Noise, Rational, discrete_gaussian, discrete_laplace, discrete_laplace_interval,
};
pub use workload::{Workload, noisy_workload, workload_scale, workload_variance};
