//! Privacy protection for statistics that leave a country: k-anonymity, differential privacy,
//! synthetic data and their utility metrics.
//!
//! Pure functions only: no IO, and the clock and random number generator are parameters. Nothing
//! is here yet; the regional-release issue fills it. The crate exists now so that its invariant
//! (no cell leaves it that breaks its release's guarantees) has a home from the start.
