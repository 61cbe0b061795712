//! Property tests of the domain's validation and state machines (issue 25's fuzzing, run by
//! `cargo test` with proptest's default 256 cases each, a fixed seed per failure persisted by
//! proptest): no input panics, a submission's every field error is reported at once and only
//! those, and a case's status moves only as the workflow says.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

mod contacts;
mod workflow;
