//! Who is signed in, and what they may do: passwords, sessions, CSRF, throttling, second factor,
//! service accounts' bearer tokens
//! and the one permission table.

pub mod bearer;
pub mod password;
pub mod permissions;
pub mod session;
pub mod throttle;
pub mod totp;
