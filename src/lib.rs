//! oidc-session-monitor (crate root; documentation follows)
pub mod core;
