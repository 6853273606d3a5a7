//! Timing and policy of the monitor.

use super::blind::{BlindPolicy, OpSite};
use crate::core::loop_guard::LoopGuardConfig;
use crate::core::types::CheckSessionUrl;

/// Where the OP's `check_session_iframe` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpLocation {
    /// Given directly (the `checkSessionIframe` option).
    CheckSessionIframe(CheckSessionUrl),
    /// Discovered from the issuer (the `issuer` option) at the first `start()`.
    Issuer(String),
    /// No OP iframe (neither option): only the first-party session signal, `rpSession`.
    FirstPartyOnly,
}

/// Timing and policy. Defaults: 2 s interval, 10 s load timeout, 3 s response timeout, two
/// unanswered checks retried before polling stops, polling stops on `error`.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Delay between an answer and the next check, in milliseconds.
    pub interval_ms: u32,
    /// How long the OP iframe may take to fire `load`.
    pub load_timeout_ms: u32,
    /// How long the OP iframe may take to answer one message.
    pub response_timeout_ms: u32,
    /// How many unanswered checks in a row are retried (each reported as `no_response`) before
    /// polling stops. `0` stops at the first.
    pub max_no_response_retries: u32,
    /// Whether polling goes on after the OP answers `error`.
    pub continue_on_error: bool,
    /// Whether `changed` starts a re-authentication (the glue runs it and reports the outcome).
    pub reauth: bool,
    /// How long one re-authentication may take before `reauth_timeout`.
    pub reauth_timeout_ms: u32,
    /// The signed-in user's `sub` (the `sub` option), if the host gave it. Otherwise the
    /// machine learns it from [`Input::UserHint`](super::Input::UserHint); a renewal never
    /// teaches it (an unknown user ends the attempt in `unknown_user`).
    pub expected_sub: Option<String>,
    /// Back-off and give-up policy for re-authentication loops.
    pub loop_guard: LoopGuardConfig,
    /// Stop polling while the page is hidden, and check at once when it is shown again.
    pub pause_when_hidden: bool,
    /// Whether the OP's check-session iframe is used (`false`: only `rpSession` runs).
    pub op_iframe: bool,
    /// The first-party session signal, if configured.
    pub rp_session: Option<RpSessionConfig>,
    /// Share one poller with the other monitors of the same scope (other tabs, or this tab):
    /// leadership by Web Lock, results by `BroadcastChannel`. The glue sets it only where both
    /// APIs exist.
    pub cross_tab: bool,
    /// Whether the OP iframe is same-site with the page; the glue sets it from the two origins.
    pub op_site: OpSite,
    /// What happens once the OP iframe is found blind (`third_party_cookies_blocked`).
    pub blind_policy: BlindPolicy,
    /// Accept `http:` URLs on hosts other than loopback (`allowInsecureHttp`), for option URLs
    /// and discovered ones alike.
    pub allow_insecure_http: bool,
}

/// Timing of the first-party session signal (`rpSession`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpSessionConfig {
    /// Delay between an answer and the next request, in milliseconds.
    pub interval_ms: u32,
    /// How long one request may take before it counts as `rp_session_unavailable`.
    pub timeout_ms: u32,
}

impl Default for RpSessionConfig {
    fn default() -> Self {
        RpSessionConfig {
            interval_ms: 5000,
            timeout_ms: 10_000,
        }
    }
}

impl Config {
    /// How long a follower waits for a word from a leader that should be polling before taking
    /// it for stuck: three intervals, plus the response timeout so a slow but live OP is not
    /// mistaken for a stuck leader.
    pub fn stale_after_ms(&self) -> u32 {
        self.interval_ms
            .saturating_mul(3)
            .saturating_add(self.response_timeout_ms)
    }

    /// A wake-up (shown, focus, online, a follower's request) this soon after a check started
    /// gives no second check: 250 ms (the events of one return to a tab come within a few ms), or
    /// the interval if shorter.
    pub fn wake_window_ms(&self) -> u64 {
        u64::from(self.interval_ms.min(250))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            interval_ms: 2000,
            load_timeout_ms: 10_000,
            response_timeout_ms: 3000,
            max_no_response_retries: 2,
            continue_on_error: false,
            reauth: false,
            reauth_timeout_ms: 10_000,
            expected_sub: None,
            loop_guard: LoopGuardConfig::default(),
            pause_when_hidden: false,
            op_iframe: true,
            rp_session: None,
            cross_tab: false,
            op_site: OpSite::Same,
            blind_policy: BlindPolicy::Stop,
            allow_insecure_http: false,
        }
    }
}
