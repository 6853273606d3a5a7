//! The protocol, in plain Rust: no `wasm_bindgen`, `web_sys` or `js_sys` here, so `cargo test` checks
//! all of it natively.
//!
//! - [`types`]: validated values (`ClientId`, `SessionState`, `OpOrigin`, `CheckSessionUrl`) and the
//!   iframe's answers.
//! - [`origin`]: URL origin parsing and normalisation, as browsers compute `URL.origin`.
//! - [`percent`]: percent-decoding of cookie values.
//! - [`machine`]: the monitor's state machine: inputs in, effects out.
//! - [`pkce`], [`discovery`], [`claims`], [`authorize`], [`loop_guard`]: `prompt=none` re-authentication.

pub mod authorize;
pub mod claims;
pub mod discovery;
pub mod loop_guard;
pub mod machine;
pub mod origin;
pub mod percent;
pub mod pkce;
pub mod types;
