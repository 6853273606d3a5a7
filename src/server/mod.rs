//! Server-side helpers for Relying Parties (native Rust, cargo feature `server`; never in the wasm
//! package).
//!
//! **Back-Channel Logout 1.0**: the OP POSTs a signed `logout_token` to the RP's server when a user
//! logs out — the one logout channel no browser cookie policy can block. [`validate`] checks it
//! (§2.6 and the errata): a pure function over the token's bytes, the OP's [`Jwks`], what to
//! [`Expect`] and the time. [`ReplayCache`] remembers used `jti`s, [`KeyRefresh`] rate-limits
//! fetching the JWKS again when a `kid` is unknown.
//!
//! ```
//! use oidc_session_monitor::server::{validate, Expect, Jwks, KeyRefresh, LogoutError, MemoryReplayCache};
//!
//! fn on_backchannel_logout(
//!     token: &[u8],
//!     jwks: &mut Jwks,
//!     expect: &Expect,
//!     refresh: &mut KeyRefresh,
//!     replay: &mut MemoryReplayCache,
//!     fetch_jwks: impl FnOnce() -> Option<Jwks>,
//!     now: u64,
//! ) -> Result<(), LogoutError> {
//!     let claims = match validate(token, jwks, expect, now) {
//!         Err(e) if refresh.should_refresh(e, now) => {
//!             // The OP may have rotated its keys: fetch its jwks_uri once, try again.
//!             if let Some(fresh) = fetch_jwks() { *jwks = fresh; }
//!             validate(token, jwks, expect, now)?
//!         }
//!         other => other?,
//!     };
//!     claims.check_replay(replay, now)?;
//!     // End the RP sessions of claims.sid (or, without sid, every session of claims.sub);
//!     // answer 200. On any error answer 400 (both with Cache-Control: no-store).
//!     Ok(())
//! }
//! ```
//!
//! The reference RP backend built on it (axum, Redis) is `examples/rp-server`.

mod error;
mod jwk;
mod logout;
mod replay;

pub use error::LogoutError;
pub use jwk::{Alg, Jwk, Jwks, KeyRefresh, MAX_JWKS_BYTES, MAX_RSA_BITS, MIN_RSA_BITS};
pub use logout::{validate, verify_jws, Expect, LogoutToken, BACKCHANNEL_LOGOUT_EVENT};
pub use replay::{MemoryReplayCache, ReplayCache};

#[cfg(test)]
mod tests;
