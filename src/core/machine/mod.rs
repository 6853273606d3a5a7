//! The monitor's state machine. Inputs in, effects out; the browser glue performs the effects.
//!
//! - [`config`]: timing and policy ([`Config`]);
//! - [`types`]: what goes in and out ([`Input`], [`Effect`], [`Event`]), where the machine is
//!   ([`Phase`]), its timers ([`Timer`]) and errors ([`MonitorError`]);
//! - `transitions`: [`Machine::handle`], the one place that maps (input, phase) to the next phase;
//! - `tests` and `model` (test builds only): one unit test per behaviour, and a model-based
//!   property test that feeds random input sequences and checks the invariants below.
//!
//! # Phase × input → next phase
//!
//! `·` means the input is dropped in that phase (stale or redundant: an answer with nothing in
//! flight, a timer that lost a race, a discovery result after `stop()`, `start()` while running).
//! `stop()` takes every running phase to `Stopped`; a timer column names the timer that must
//! fire.
//!
//! ```text
//!  phase \ input   │ Start     │ CheckNow │ Discovered   │ IframeLoaded │ TimerFired          │ Answer │ VisibilityChanged │ ReauthFinished
//! ─────────────────┼───────────┼──────────┼──────────────┼──────────────┼─────────────────────┼────────┼───────────────────┼───────────────
//!  Idle            │ ⁰         │ ·        │ ·            │ ·            │ ·                   │ ·      │ ·                 │ ·
//!  Discovering     │ ·         │ ·        │ ok: Loading  │ ·            │ ·                   │ ·      │ ·                 │ ·
//!                  │           │          │ err: Stopped │              │                     │        │                   │
//!  Loading         │ ·         │ ·        │ ·            │ Connecting¹  │ Load: Stopped       │ ·      │ ·                 │ ·
//!  Connecting      │ ·         │ ·        │ ·            │ ·            │ Response: Waiting⁴  │ ²      │ ·                 │ ·
//!  Waiting         │ ·         │ check¹   │ ·            │ ·            │ Poll: check¹        │ ·      │ hidden: Hidden³   │ ·
//!  InFlight        │ ·         │ ·        │ ·            │ ·            │ Response: Waiting⁴  │ ²      │ ·                 │ ·
//!  Paused          │ check¹    │ check¹   │ ·            │ ·            │ ·                   │ ·      │ ·                 │ ·
//!  Reauthenticating│ ·         │ ·        │ ·            │ ·            │ Reauth: Stopped     │ ·      │ ·                 │ ⁵
//!  BackingOff(then)│ ·         │ ·        │ ·            │ ·            │ Backoff: ⁶          │ ·      │ ·                 │ ·
//!  Hidden          │ check¹    │ check¹   │ ·            │ ·            │ ·                   │ ·      │ shown: check¹³    │ ·
//!  Stopped         │ ⁰         │ ·        │ ·            │ ·            │ ·                   │ ·      │ ·                 │ ·
//! ```
//!
//! 0. `Discovering` (effect [`Effect::Discover`]) when the OP is given by its issuer and not yet
//!    discovered; otherwise `Loading` (effects `CreateIframe` and the load timer).
//! 1. A check reads the `session_state`: `InFlight` once posted (`Connecting` for the first
//!    message after `load`); if it cannot be read, `Waiting` (or `Hidden`), reported once per streak.
//! 2. `unchanged`: `Waiting` (or `Hidden`). `changed`: `Paused` without re-authentication, else
//!    `Reauthenticating`, `BackingOff(Reauth)` or `Stopped` (`reauth_loop`), as loop protection
//!    decides. `error`: `Stopped`, or `Waiting` with `continueOnError`. A cross-site iframe that
//!    has not yet answered `unchanged` may be blind ([`blind`]): its first `error`, a first
//!    `changed` without re-authentication, `changed` for a just-renewed value, and
//!    `login_required` after a first `changed` are `third_party_cookies_blocked` instead
//!    (`Stopped`, or `FirstPartyOnly` with `thirdPartyCookiesBlocked: 'rpSession'`).
//! 3. Only with `pauseWhenHidden`; the input is always recorded, so a later check knows.
//! 4. `Stopped` once more than `maxNoResponseRetries` checks in a row went unanswered. From
//!    `Connecting` (the first check after `load`: an error page, a redirect elsewhere) the error
//!    is `no_response` with `firstCheck`; `load_timeout` only means `load` never fired.
//! 5. Only the current attempt's `generation` counts. Renewed for the expected user (the `sub`
//!    option, else the last `UserHint`): a check of the renewed value, or `BackingOff(Resume)`,
//!    or `Stopped` (`reauth_loop`). No expected user: `Stopped` (`unknown_user`), nothing
//!    stored. Anything else (another user, signed out, interaction required, failure): `Stopped`.
//!
//! `UnexpectedAnswer` (a message from the OP window that is no answer) emits `unexpected_answer`
//! once per streak in any running phase and changes nothing else; `UserHint` only records.
//! 6. `BackingOff(Reauth)`: `Reauthenticating`; `BackingOff(Resume)`: a check¹.
//!
//! `FirstPartyOnly` (no OP iframe: [`Config::op_iframe`] off, or a blind iframe dropped with
//! `thirdPartyCookiesBlocked: 'rpSession'`) takes none of the OP-iframe inputs above. The
//! first-party `rpSession` signal is a region beside the phase, in every running phase:
//! `TimerFired(RpSession)`, `RpSessionAnswered` and `Focused` drive it, and an ended session
//! (`RpSessionAnswered` ended, or `SessionEnded` from `logout()`, the front-channel page or another
//! tab) goes to `Stopped` after `signedOut`, once per `start()`.
//!
//! Cross-tab ([`Config::cross_tab`]) adds two phases, `Following(view)` and `Suspended`, and the
//! inputs `LockAcquired`, `LockLost`, `Tab(message)`, `PageHidden`, `PageShown` and the timer
//! `Leader`; `leadership` documents them. `Wake` (shown, focus, online) checks at once in
//! `Waiting`/`Hidden`, asks the leader when following, and is coalesced.
//!
//! # Invariants
//!
//! Each is covered by a unit test and by the property test:
//! - at most one message is in flight; the next check is scheduled only after the answer (or its
//!   timeout), with a one-shot timer;
//! - an answer counts only while a message is in flight; after `stop()`, after a timeout, or when
//!   nothing was asked it is dropped;
//! - nothing is posted before the iframe's `load`, nor without a valid `session_state`;
//! - every timer that is set is cleared when it stops being relevant; while running, the timer
//!   that moves the machine on is pending (polling never stalls silently);
//! - cross-tab (a second property test, over several monitors and a model of the lock and the
//!   channel): never two leaders, nobody posts without the lock, followers hold no iframe and
//!   stay in the lock's queue, once everything is delivered every follower has a leader, and a
//!   follower's `checkNow()` ends in an event without waiting for a poll (hand-offs included).

pub mod blind;
pub mod config;
pub mod slot;
pub mod types;

mod leadership;
mod transitions;

#[cfg(test)]
mod blind_tests;
#[cfg(test)]
mod model;
#[cfg(test)]
mod session_end_tests;
#[cfg(test)]
mod tabs_tests;
#[cfg(test)]
mod tests;

pub use blind::{BlindPolicy, Evidence, OpSite};
pub use config::{Config, OpLocation, RpSessionConfig};
pub use transitions::Machine;
#[cfg(test)]
use transitions::RpPoll;
pub use types::*;
