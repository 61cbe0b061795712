//! The binary as an administrator uses it: configuration checks, migrate, serve and stop.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes,
    clippy::print_stderr,
    clippy::disallowed_methods,
    reason = "test helpers fail loudly, say what they skip, kill what they spawn, and may read \
              the clock"
)]

mod backup;
mod cli;
mod crash;
mod ctdc_reference;
mod datasets;
mod export;
mod protected;
mod release;
mod serve;
mod support;
mod users;
