//! The monitor's state machine. Inputs in, effects out; the browser glue performs the effects.
//!
//! ```text
//!            start                load                 post            answer "unchanged"
//!   Idle ───────────▶ Loading ───────────▶ (check) ───────────▶ InFlight ─────────────▶ Waiting ─┐
//!   Stopped ─────────▶   │ load timeout        ▲                  │  │ "changed"                   │
//!                        ▼                     └────── poll timer ┼──┼─────────────────────────────┘
//!                     Stopped                                     │  ▼
//!                                                                 │ Paused / Reauthenticating
//!                                          "error" / no response  ▼
//!                                              Stopped (or Waiting, per policy)
//! ```
//!
//! Invariants, each covered by a test below:
//! - at most one message is in flight; the next check is scheduled only after the answer (or its
//!   timeout), with a one-shot timer;
//! - an answer counts only while a message is in flight; after `stop()`, after a timeout, or when
//!   nothing was asked it is dropped;
//! - nothing is posted before the iframe's `load`, nor without a valid `session_state`;
//! - every timer that is set is cleared when it stops being relevant.

use crate::core::loop_guard::{Decision, LoopGuard, LoopGuardConfig};
use crate::core::types::{check_message, ClientId, OpAnswer, SessionState};

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
    /// The signed-in user's `sub`, if the host knows it; otherwise the first renewal sets it.
    pub expected_sub: Option<String>,
    /// Back-off and give-up policy for re-authentication loops.
    pub loop_guard: LoopGuardConfig,
    /// Stop polling while the page is hidden, and check at once when it is shown again.
    pub pause_when_hidden: bool,
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
        }
    }
}

/// The one-shot timers the machine uses. At most one of each is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Waits for the iframe's `load`.
    Load,
    /// Waits before the next check.
    Poll,
    /// Waits for the answer to the message in flight.
    Response,
    /// Waits for the re-authentication outcome.
    Reauth,
    /// Waits out a loop-protection back-off.
    Backoff,
}

/// Number of [`Timer`] kinds, for glue-side storage.
pub const TIMERS: usize = 5;

impl Timer {
    /// Index for glue-side storage.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where the monitor is. Exposed to JavaScript as `monitor.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Created, never started.
    Idle,
    /// The OP iframe is loading.
    Loading,
    /// The OP iframe fired `load` and the first message is posted. Browsers fire `load` for error
    /// pages too (refused connection, `X-Frame-Options`), so the iframe counts as usable only once
    /// it answers; until then the load deadline runs.
    Connecting,
    /// Waiting for the next check.
    Waiting,
    /// A message is in flight.
    InFlight,
    /// The OP said `changed` and no re-authentication is configured: waiting for `checkNow()`,
    /// `start()`, or a new `session_state` from the host.
    Paused,
    /// The OP said `changed`; a re-authentication is running.
    Reauthenticating,
    /// The page is hidden and `pauseWhenHidden` is on: no polling until it is shown again.
    Hidden,
    /// Stopped by `stop()` or by a condition that stops polling.
    Stopped,
}

impl Phase {
    /// Stable name for JavaScript.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Loading | Phase::Connecting => "loading",
            Phase::Waiting => "waiting",
            Phase::InFlight => "checking",
            Phase::Paused => "paused",
            Phase::Reauthenticating => "reauthenticating",
            Phase::Hidden => "hidden",
            Phase::Stopped => "stopped",
        }
    }

    fn is_running(self) -> bool {
        !matches!(self, Phase::Idle | Phase::Stopped)
    }
}

/// A problem the monitor reports as an `error` event. Each has a stable [`code`](Self::code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MonitorError {
    /// No `session_state` in the configured source: nothing was posted.
    NoSessionState,
    /// The configured source holds a value that is not a usable `session_state` (empty, control
    /// characters): nothing was posted.
    InvalidSessionState,
    /// The configured storage threw when read (storage disabled, sandboxed page).
    StorageUnavailable,
    /// The OP iframe did not fire `load` within `loadTimeoutMs` (OP down, blocked by
    /// `X-Frame-Options`/CSP, wrong URL).
    LoadTimeout,
    /// The OP iframe did not answer within `responseTimeoutMs`.
    NoResponse,
    /// The OP iframe answered `error` (often: third-party cookies blocked, unknown client).
    OpError,
    /// The re-authentication gave no outcome within its timeout.
    ReauthTimeout,
    /// Re-authentications kept being followed by `changed` (or returned the same
    /// session_state): after backing off, the monitor gave up instead of looping.
    ReauthLoop,
    /// Discovery of the OP's metadata failed (`not_supported`, `issuer_mismatch`,
    /// `invalid_discovery`, `invalid_endpoint`, `discovery_failed`).
    Discovery {
        /// Stable code.
        code: &'static str,
        /// Human-readable explanation.
        message: &'static str,
    },
    /// The re-authentication failed (hook threw, token exchange failed, a check on the response
    /// failed); `code` says which.
    Reauth {
        /// Stable code, e.g. `reauth_failed`, `state_mismatch`, `nonce_mismatch`.
        code: &'static str,
        /// Human-readable explanation.
        message: &'static str,
    },
}

impl MonitorError {
    /// Stable machine-readable code (`e.detail.code`).
    pub fn code(self) -> &'static str {
        match self {
            MonitorError::NoSessionState => "no_session_state",
            MonitorError::InvalidSessionState => "invalid_session_state",
            MonitorError::StorageUnavailable => "storage_unavailable",
            MonitorError::LoadTimeout => "load_timeout",
            MonitorError::NoResponse => "no_response",
            MonitorError::OpError => "op_error",
            MonitorError::ReauthTimeout => "reauth_timeout",
            MonitorError::ReauthLoop => "reauth_loop",
            MonitorError::Reauth { code, .. } | MonitorError::Discovery { code, .. } => code,
        }
    }

    /// Human-readable explanation (`e.detail.message`). Never contains the session_state.
    pub fn message(self) -> &'static str {
        match self {
            MonitorError::NoSessionState => "no session_state found in the configured source",
            MonitorError::InvalidSessionState => "the stored session_state is empty or malformed",
            MonitorError::StorageUnavailable => {
                "the configured session_state storage is unavailable"
            }
            MonitorError::LoadTimeout => "the OP check_session_iframe did not load in time",
            MonitorError::NoResponse => "the OP check_session_iframe did not answer in time",
            MonitorError::OpError => "the OP check_session_iframe answered \"error\"",
            MonitorError::ReauthTimeout => "the prompt=none re-authentication timed out",
            MonitorError::ReauthLoop => {
                "re-authentication keeps being followed by \"changed\": gave up to avoid a loop"
            }
            MonitorError::Reauth { message, .. } | MonitorError::Discovery { message, .. } => {
                message
            }
        }
    }
}

/// Why polling stopped (`stopped` event, `e.detail.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The page called `stop()`.
    Caller,
    /// Polling stopped after an error (the `error` event before it says which).
    Error(MonitorError),
    /// Re-authentication said the user is signed out at the OP.
    SignedOut,
    /// Re-authentication found another user signed in at the OP.
    UserChanged,
    /// Re-authentication needs the user (consent, interaction, account selection).
    InteractionRequired,
}

impl StopReason {
    /// Stable name for JavaScript.
    pub fn code(self) -> &'static str {
        match self {
            StopReason::Caller => "stopped",
            StopReason::Error(e) => e.code(),
            StopReason::SignedOut => "signed_out",
            StopReason::UserChanged => "user_changed",
            StopReason::InteractionRequired => "interaction_required",
        }
    }
}

/// What the monitor tells the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The OP answered `unchanged`.
    Unchanged,
    /// The OP answered `changed`. `first_check` is true when it was the iframe's very first answer
    /// since `start()`: often a sign that the OP iframe cannot see its cookie (third-party cookies
    /// blocked or partitioned) rather than a real change.
    Changed {
        /// The first answer since `start()`.
        first_check: bool,
    },
    /// Something went wrong; `attempt` counts consecutive occurrences (1 for the first).
    Error {
        /// Which problem.
        error: MonitorError,
        /// 1 for the first occurrence in a row.
        attempt: u32,
    },
    /// Polling stopped and will not resume until `start()`.
    Stopped(StopReason),
    /// Re-authentication renewed the session of the same user; polling goes on.
    Renewed {
        /// The user's `sub`.
        sub: String,
        /// The OP session id, if the ID token has one.
        sid: Option<String>,
    },
    /// Re-authentication: the user is signed out at the OP (`login_required`).
    SignedOut,
    /// Re-authentication: another user is signed in at the OP.
    UserChanged {
        /// The new user's `sub`.
        sub: String,
        /// The OP session id, if the ID token has one.
        sid: Option<String>,
    },
    /// Re-authentication needs the user; the OP session may still be alive.
    InteractionRequired {
        /// `interaction_required`, `consent_required` or `account_selection_required`.
        code: &'static str,
    },
}

/// How a re-authentication ended, as reported by the glue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReauthOutcome {
    /// The OP issued a new response for a signed-in user.
    Renewed {
        /// The `session_state` of the new response.
        session_state: SessionState,
        /// The user's `sub` from the verified ID token (or the host hook).
        sub: String,
        /// The OP session id, if any.
        sid: Option<String>,
    },
    /// `login_required`.
    SignedOut,
    /// `interaction_required`, `consent_required` or `account_selection_required`.
    InteractionRequired(&'static str),
    /// Anything else.
    Failed(MonitorError),
}

/// What the glue must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Add the hidden OP iframe and listen for its `load` and for `message` events.
    CreateIframe,
    /// Remove the iframe and every listener.
    RemoveIframe,
    /// `iframe.contentWindow.postMessage(msg, opOrigin)`.
    Post(String),
    /// Start (or restart) a one-shot timer.
    SetTimer(Timer, u32),
    /// Cancel a timer if pending.
    ClearTimer(Timer),
    /// Dispatch an event to the page.
    Emit(Event),
    /// Run a `prompt=none` re-authentication and report it with [`Input::ReauthFinished`]
    /// carrying the same `generation`.
    StartReauth {
        /// Tags the outcome, so that a late outcome of an abandoned attempt is ignored.
        generation: u32,
    },
    /// End the re-authentication (finished or abandoned): release its iframe and listeners.
    EndReauth,
    /// Write the renewed `session_state` back to the configured source.
    StoreSessionState(SessionState),
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `start()`.
    Start,
    /// `stop()`, `free()`, or the monitor going away.
    Stop,
    /// `checkNow()`.
    CheckNow,
    /// The OP iframe fired `load`.
    IframeLoaded,
    /// A timer fired.
    TimerFired(Timer),
    /// A valid answer from the OP iframe's window and origin.
    Answer(OpAnswer),
    /// The page was hidden or shown (`document.hidden`).
    VisibilityChanged {
        /// `document.hidden`.
        hidden: bool,
    },
    /// The re-authentication started by [`Effect::StartReauth`] ended.
    ReauthFinished {
        /// The `generation` of the `StartReauth` it answers.
        generation: u32,
        /// What happened.
        outcome: ReauthOutcome,
    },
}

/// Reads the current `session_state` from wherever the host keeps it, at every check.
pub trait SessionStateSource {
    /// The current value, or why there is none.
    fn read(&mut self) -> Result<SessionState, MonitorError>;

    /// The current time in milliseconds (`Date.now()` in the browser, a fake clock in tests);
    /// only loop protection uses it.
    fn now_ms(&self) -> u64 {
        0
    }
}

impl<F: FnMut() -> Result<SessionState, MonitorError>> SessionStateSource for F {
    fn read(&mut self) -> Result<SessionState, MonitorError> {
        self()
    }
}

/// What a pending back-off leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterBackoff {
    Reauth,
    Resume,
}

/// The monitor's state. See the module docs.
#[derive(Debug)]
pub struct Machine {
    config: Config,
    client_id: ClientId,
    phase: Phase,
    /// Consecutive unanswered checks.
    no_response: u32,
    /// Consecutive failed reads of the session_state (reported once per streak).
    read_failures: u32,
    guard: LoopGuard,
    /// Tags re-authentication attempts.
    generation: u32,
    /// The last value posted, to tell a renewal that changed nothing.
    last_posted: Option<SessionState>,
    /// The signed-in user, once known.
    expected_sub: Option<String>,
    /// Set while a back-off timer is pending.
    backoff: Option<AfterBackoff>,
    /// `document.hidden`, as last reported.
    hidden: bool,
}

impl Machine {
    /// A machine in [`Phase::Idle`].
    pub fn new(client_id: ClientId, config: Config) -> Self {
        Machine {
            guard: LoopGuard::new(config.loop_guard),
            expected_sub: config.expected_sub.clone(),
            config,
            client_id,
            phase: Phase::Idle,
            no_response: 0,
            read_failures: 0,
            generation: 0,
            last_posted: None,
            backoff: None,
            hidden: false,
        }
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Feeds one input; returns the effects to perform, in order.
    pub fn handle(&mut self, input: Input, source: &mut dyn SessionStateSource) -> Vec<Effect> {
        let mut fx = Vec::new();
        match (input, self.phase) {
            (Input::Start, Phase::Idle | Phase::Stopped) => {
                self.no_response = 0;
                self.read_failures = 0;
                self.guard.reset();
                self.expected_sub = self.config.expected_sub.clone();
                self.phase = Phase::Loading;
                fx.push(Effect::CreateIframe);
                fx.push(Effect::SetTimer(Timer::Load, self.config.load_timeout_ms));
            }
            // start() or checkNow() while paused after `changed`, or while hidden: the host says go on.
            (Input::Start | Input::CheckNow, Phase::Paused | Phase::Hidden) => {
                self.check(source, &mut fx)
            }
            (Input::VisibilityChanged { hidden }, phase) => {
                self.hidden = hidden;
                if self.config.pause_when_hidden {
                    if hidden && phase == Phase::Waiting {
                        fx.push(Effect::ClearTimer(Timer::Poll));
                        self.phase = Phase::Hidden;
                    } else if !hidden && phase == Phase::Hidden {
                        self.check(source, &mut fx);
                    }
                }
            }
            (Input::CheckNow, Phase::Waiting) => {
                fx.push(Effect::ClearTimer(Timer::Poll));
                self.check(source, &mut fx);
            }
            (Input::Stop, phase) if phase.is_running() => {
                self.halt(&mut fx);
                fx.push(Effect::Emit(Event::Stopped(StopReason::Caller)));
            }
            (Input::IframeLoaded, Phase::Loading) => match source.read() {
                Ok(state) => {
                    self.read_failures = 0;
                    self.phase = Phase::Connecting;
                    fx.push(Effect::Post(check_message(&self.client_id, &state)));
                    self.last_posted = Some(state);
                }
                // Nothing to post, so nothing can prove the iframe works: take `load` at its word.
                Err(error) => {
                    fx.push(Effect::ClearTimer(Timer::Load));
                    self.report_read_failure(error, &mut fx);
                }
            },
            (Input::TimerFired(Timer::Load), Phase::Loading | Phase::Connecting) => {
                self.fail(MonitorError::LoadTimeout, 1, &mut fx);
            }
            (Input::TimerFired(Timer::Poll), Phase::Waiting) => self.check(source, &mut fx),
            (Input::TimerFired(Timer::Response), Phase::InFlight) => {
                self.no_response += 1;
                if self.no_response > self.config.max_no_response_retries {
                    self.fail(MonitorError::NoResponse, self.no_response, &mut fx);
                } else {
                    fx.push(Effect::Emit(Event::Error {
                        error: MonitorError::NoResponse,
                        attempt: self.no_response,
                    }));
                    self.schedule(&mut fx);
                }
            }
            (Input::Answer(answer), Phase::InFlight | Phase::Connecting) => {
                let connecting = self.phase == Phase::Connecting;
                fx.push(Effect::ClearTimer(if connecting {
                    Timer::Load
                } else {
                    Timer::Response
                }));
                self.no_response = 0;
                let now = source.now_ms();
                match answer {
                    OpAnswer::Unchanged => {
                        self.guard.check_answer_unchanged(now);
                        fx.push(Effect::Emit(Event::Unchanged));
                        self.schedule(&mut fx);
                    }
                    OpAnswer::Changed => {
                        fx.push(Effect::Emit(Event::Changed {
                            first_check: connecting,
                        }));
                        if !self.config.reauth {
                            self.phase = Phase::Paused;
                        } else {
                            match self.guard.check_answer_changed(now) {
                                Decision::Proceed => self.start_reauth(&mut fx),
                                Decision::Backoff(ms) => {
                                    self.back_off(AfterBackoff::Reauth, ms, &mut fx)
                                }
                                Decision::GiveUp => self.fail(MonitorError::ReauthLoop, 1, &mut fx),
                            }
                        }
                    }
                    OpAnswer::Error if self.config.continue_on_error => {
                        fx.push(Effect::Emit(Event::Error {
                            error: MonitorError::OpError,
                            attempt: 1,
                        }));
                        self.schedule(&mut fx);
                    }
                    OpAnswer::Error => self.fail(MonitorError::OpError, 1, &mut fx),
                }
            }
            (Input::TimerFired(Timer::Backoff), Phase::Reauthenticating) => {
                match self.backoff.take() {
                    Some(AfterBackoff::Reauth) => self.start_reauth(&mut fx),
                    Some(AfterBackoff::Resume) => self.check(source, &mut fx),
                    None => {}
                }
            }
            (Input::TimerFired(Timer::Reauth), Phase::Reauthenticating)
                if self.backoff.is_none() =>
            {
                self.fail(MonitorError::ReauthTimeout, 1, &mut fx);
            }
            (
                Input::ReauthFinished {
                    generation,
                    outcome,
                },
                Phase::Reauthenticating,
            ) if generation == self.generation && self.backoff.is_none() => {
                fx.push(Effect::ClearTimer(Timer::Reauth));
                self.finish_reauth(outcome, source, &mut fx);
            }
            // Everything else is stale or redundant: an answer with nothing in flight, a timer that
            // lost a race, start() while running, checkNow() while a message is in flight.
            _ => {}
        }
        fx
    }

    /// Reads the session_state and posts a check, or reports why not and tries again later.
    fn check(&mut self, source: &mut dyn SessionStateSource, fx: &mut Vec<Effect>) {
        match source.read() {
            Ok(state) => self.post(state, fx),
            Err(error) => self.report_read_failure(error, fx),
        }
    }

    fn post(&mut self, state: SessionState, fx: &mut Vec<Effect>) {
        self.read_failures = 0;
        self.phase = Phase::InFlight;
        fx.push(Effect::Post(check_message(&self.client_id, &state)));
        fx.push(Effect::SetTimer(
            Timer::Response,
            self.config.response_timeout_ms,
        ));
        self.last_posted = Some(state);
    }

    fn start_reauth(&mut self, fx: &mut Vec<Effect>) {
        self.phase = Phase::Reauthenticating;
        self.generation = self.generation.wrapping_add(1);
        fx.push(Effect::StartReauth {
            generation: self.generation,
        });
        fx.push(Effect::SetTimer(
            Timer::Reauth,
            self.config.reauth_timeout_ms,
        ));
    }

    fn back_off(&mut self, then: AfterBackoff, ms: u64, fx: &mut Vec<Effect>) {
        self.phase = Phase::Reauthenticating;
        self.backoff = Some(then);
        fx.push(Effect::SetTimer(
            Timer::Backoff,
            u32::try_from(ms).unwrap_or(u32::MAX),
        ));
    }

    fn finish_reauth(
        &mut self,
        outcome: ReauthOutcome,
        source: &mut dyn SessionStateSource,
        fx: &mut Vec<Effect>,
    ) {
        match outcome {
            ReauthOutcome::Renewed { sub, sid, .. }
                if self
                    .expected_sub
                    .as_ref()
                    .is_some_and(|known| *known != sub) =>
            {
                self.halt(fx);
                fx.push(Effect::Emit(Event::UserChanged { sub, sid }));
                fx.push(Effect::Emit(Event::Stopped(StopReason::UserChanged)));
            }
            ReauthOutcome::Renewed {
                session_state,
                sub,
                sid,
            } => {
                // The attempt is over: its silent iframe and listener go now, not at the next one.
                fx.push(Effect::EndReauth);
                self.expected_sub = Some(sub.clone());
                let same = self.last_posted.as_ref() == Some(&session_state);
                if !same {
                    fx.push(Effect::StoreSessionState(session_state.clone()));
                }
                fx.push(Effect::Emit(Event::Renewed { sub, sid }));
                match self.guard.renewal(source.now_ms(), same) {
                    // Post the renewed value itself: the store effect runs after this returns.
                    Decision::Proceed => self.post(session_state, fx),
                    Decision::Backoff(ms) => self.back_off(AfterBackoff::Resume, ms, fx),
                    Decision::GiveUp => self.fail(MonitorError::ReauthLoop, 1, fx),
                }
            }
            ReauthOutcome::SignedOut => {
                self.halt(fx);
                fx.push(Effect::Emit(Event::SignedOut));
                fx.push(Effect::Emit(Event::Stopped(StopReason::SignedOut)));
            }
            ReauthOutcome::InteractionRequired(code) => {
                self.halt(fx);
                fx.push(Effect::Emit(Event::InteractionRequired { code }));
                fx.push(Effect::Emit(Event::Stopped(
                    StopReason::InteractionRequired,
                )));
            }
            ReauthOutcome::Failed(error) => self.fail(error, 1, fx),
        }
    }

    /// Keeps polling: the host may store a session_state later (after a login). Reports the first
    /// failure of a streak only, so a signed-out page is not flooded.
    fn report_read_failure(&mut self, error: MonitorError, fx: &mut Vec<Effect>) {
        self.read_failures += 1;
        if self.read_failures == 1 {
            fx.push(Effect::Emit(Event::Error { error, attempt: 1 }));
        }
        self.schedule(fx);
    }

    fn schedule(&mut self, fx: &mut Vec<Effect>) {
        if self.hidden && self.config.pause_when_hidden {
            self.phase = Phase::Hidden;
            return;
        }
        self.phase = Phase::Waiting;
        fx.push(Effect::SetTimer(Timer::Poll, self.config.interval_ms));
    }

    fn fail(&mut self, error: MonitorError, attempt: u32, fx: &mut Vec<Effect>) {
        self.halt(fx);
        fx.push(Effect::Emit(Event::Error { error, attempt }));
        fx.push(Effect::Emit(Event::Stopped(StopReason::Error(error))));
    }

    /// Clears every timer, abandons a running re-authentication and removes the iframe. Events
    /// are pushed by the caller.
    fn halt(&mut self, fx: &mut Vec<Effect>) {
        if self.phase == Phase::Reauthenticating {
            fx.push(Effect::ClearTimer(Timer::Reauth));
            fx.push(Effect::ClearTimer(Timer::Backoff));
            fx.push(Effect::EndReauth);
            self.backoff = None;
        }
        self.phase = Phase::Stopped;
        fx.push(Effect::ClearTimer(Timer::Load));
        fx.push(Effect::ClearTimer(Timer::Poll));
        fx.push(Effect::ClearTimer(Timer::Response));
        fx.push(Effect::RemoveIframe);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Effect::*;

    const CLEAR_ALL: [Effect; 4] = [
        ClearTimer(Timer::Load),
        ClearTimer(Timer::Poll),
        ClearTimer(Timer::Response),
        RemoveIframe,
    ];

    fn cfg() -> Config {
        Config {
            interval_ms: 100,
            load_timeout_ms: 500,
            response_timeout_ms: 50,
            ..Config::default()
        }
    }

    struct Src(Option<&'static str>);
    impl SessionStateSource for Src {
        fn read(&mut self) -> Result<SessionState, MonitorError> {
            match self.0 {
                None => Err(MonitorError::NoSessionState),
                Some(v) => SessionState::new(v).map_err(|_| MonitorError::InvalidSessionState),
            }
        }
    }

    fn machine(config: Config) -> Machine {
        Machine::new(ClientId::new("client01").unwrap(), config)
    }

    fn first_post() -> Vec<Effect> {
        vec![Post("client01 abc.salt".into())]
    }

    fn post() -> Vec<Effect> {
        vec![
            Post("client01 abc.salt".into()),
            SetTimer(Timer::Response, 50),
        ]
    }

    /// A machine past its first answer, with a message in flight.
    fn in_flight(config: Config) -> (Machine, Src) {
        let mut m = machine(config);
        let mut s = Src(Some("abc.salt"));
        m.handle(Input::Start, &mut s);
        m.handle(Input::IframeLoaded, &mut s);
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        m.handle(Input::TimerFired(Timer::Poll), &mut s);
        assert_eq!(m.phase(), Phase::InFlight);
        (m, s)
    }

    fn concat(parts: &[&[Effect]]) -> Vec<Effect> {
        parts.iter().flat_map(|p| p.iter().cloned()).collect()
    }

    #[test]
    fn start_creates_iframe_and_waits_for_load_before_posting() {
        let mut m = machine(cfg());
        let mut s = Src(Some("abc.salt"));
        assert_eq!(
            m.handle(Input::Start, &mut s),
            vec![CreateIframe, SetTimer(Timer::Load, 500)]
        );
        assert_eq!(m.phase(), Phase::Loading);
        // checkNow and poll timers before load post nothing.
        assert_eq!(m.handle(Input::CheckNow, &mut s), vec![]);
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), vec![]);
        assert_eq!(m.handle(Input::IframeLoaded, &mut s), first_post());
        assert_eq!(m.phase(), Phase::Connecting);
        assert_eq!(m.phase().name(), "loading");
        // The first answer proves the iframe works and ends the load deadline.
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Unchanged), &mut s),
            vec![
                ClearTimer(Timer::Load),
                Emit(Event::Unchanged),
                SetTimer(Timer::Poll, 100)
            ]
        );
    }

    #[test]
    fn hidden_pages_pause_polling_and_check_when_shown() {
        let (mut m, mut s) = in_flight(Config {
            pause_when_hidden: true,
            ..cfg()
        });
        // Hidden while a message is in flight: its answer still counts, then polling pauses.
        assert_eq!(
            m.handle(Input::VisibilityChanged { hidden: true }, &mut s),
            vec![]
        );
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Unchanged), &mut s),
            vec![ClearTimer(Timer::Response), Emit(Event::Unchanged)]
        );
        assert_eq!(m.phase(), Phase::Hidden);
        assert_eq!(m.phase().name(), "hidden");
        assert_eq!(
            m.handle(Input::VisibilityChanged { hidden: true }, &mut s),
            vec![]
        );
        // Shown again: check at once.
        assert_eq!(
            m.handle(Input::VisibilityChanged { hidden: false }, &mut s),
            post()
        );
        // Hidden while waiting: the poll timer is cleared.
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        assert_eq!(
            m.handle(Input::VisibilityChanged { hidden: true }, &mut s),
            vec![ClearTimer(Timer::Poll)]
        );
        assert_eq!(
            m.handle(Input::CheckNow, &mut s),
            post(),
            "checkNow() checks even when hidden"
        );
    }

    #[test]
    fn visibility_is_ignored_unless_asked_for() {
        let (mut m, mut s) = in_flight(cfg());
        m.handle(Input::VisibilityChanged { hidden: true }, &mut s);
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Unchanged), &mut s),
            vec![
                ClearTimer(Timer::Response),
                Emit(Event::Unchanged),
                SetTimer(Timer::Poll, 100)
            ]
        );
    }

    #[test]
    fn changed_as_the_very_first_answer_is_flagged() {
        let mut m = machine(cfg());
        let mut s = Src(Some("abc.salt"));
        m.handle(Input::Start, &mut s);
        m.handle(Input::IframeLoaded, &mut s);
        assert!(m
            .handle(Input::Answer(OpAnswer::Changed), &mut s)
            .contains(&Emit(Event::Changed { first_check: true })));
        let (mut m, mut s) = in_flight(cfg());
        assert!(m
            .handle(Input::Answer(OpAnswer::Changed), &mut s)
            .contains(&Emit(Event::Changed { first_check: false })));
    }

    #[test]
    fn load_of_an_error_page_that_never_answers_is_a_load_timeout() {
        let mut m = machine(cfg());
        let mut s = Src(Some("abc.salt"));
        m.handle(Input::Start, &mut s);
        m.handle(Input::IframeLoaded, &mut s);
        assert_eq!(
            m.handle(Input::CheckNow, &mut s),
            vec![],
            "first message still in flight"
        );
        assert_eq!(
            m.handle(Input::TimerFired(Timer::Response), &mut s),
            vec![],
            "no response timer yet"
        );
        let fx = m.handle(Input::TimerFired(Timer::Load), &mut s);
        assert!(fx.contains(&Emit(Event::Error {
            error: MonitorError::LoadTimeout,
            attempt: 1
        })));
        assert_eq!(m.phase(), Phase::Stopped);
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Unchanged), &mut s),
            vec![],
            "too late"
        );
    }

    #[test]
    fn second_start_while_running_is_a_no_op() {
        let (mut m, mut s) = in_flight(cfg());
        assert_eq!(m.handle(Input::Start, &mut s), vec![]);
        assert_eq!(m.phase(), Phase::InFlight);
    }

    #[test]
    fn unchanged_schedules_next_check_after_the_answer() {
        let (mut m, mut s) = in_flight(cfg());
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Unchanged), &mut s),
            vec![
                ClearTimer(Timer::Response),
                Emit(Event::Unchanged),
                SetTimer(Timer::Poll, 100)
            ]
        );
        assert_eq!(m.phase(), Phase::Waiting);
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), post());
    }

    #[test]
    fn only_one_message_in_flight() {
        let (mut m, mut s) = in_flight(cfg());
        assert_eq!(m.handle(Input::CheckNow, &mut s), vec![]);
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), vec![]);
        assert_eq!(
            m.handle(Input::IframeLoaded, &mut s),
            vec![],
            "a reload of the OP iframe"
        );
    }

    #[test]
    fn check_now_while_waiting_cancels_the_poll_timer() {
        let (mut m, mut s) = in_flight(cfg());
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        assert_eq!(
            m.handle(Input::CheckNow, &mut s),
            concat(&[&[ClearTimer(Timer::Poll)], &post()])
        );
    }

    #[test]
    fn answers_with_nothing_in_flight_are_dropped() {
        let mut m = machine(cfg());
        let mut s = Src(Some("abc.salt"));
        for a in [OpAnswer::Unchanged, OpAnswer::Changed, OpAnswer::Error] {
            assert_eq!(m.handle(Input::Answer(a), &mut s), vec![], "idle");
        }
        m.handle(Input::Start, &mut s);
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Changed), &mut s),
            vec![],
            "loading"
        );
        m.handle(Input::IframeLoaded, &mut s);
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Unchanged), &mut s),
            vec![],
            "duplicate"
        );
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Changed), &mut s),
            vec![],
            "waiting"
        );
        assert_eq!(m.phase(), Phase::Waiting);
    }

    #[test]
    fn answers_after_stop_are_dropped() {
        let (mut m, mut s) = in_flight(cfg());
        assert_eq!(
            m.handle(Input::Stop, &mut s),
            concat(&[&CLEAR_ALL, &[Emit(Event::Stopped(StopReason::Caller))]])
        );
        assert_eq!(m.phase(), Phase::Stopped);
        for a in [OpAnswer::Unchanged, OpAnswer::Changed, OpAnswer::Error] {
            assert_eq!(m.handle(Input::Answer(a), &mut s), vec![]);
        }
        for t in [Timer::Load, Timer::Poll, Timer::Response] {
            assert_eq!(m.handle(Input::TimerFired(t), &mut s), vec![]);
        }
        assert_eq!(m.handle(Input::Stop, &mut s), vec![], "stop twice");
        assert_eq!(m.handle(Input::IframeLoaded, &mut s), vec![]);
    }

    #[test]
    fn start_after_stop_starts_over() {
        let (mut m, mut s) = in_flight(cfg());
        m.handle(Input::Stop, &mut s);
        assert_eq!(
            m.handle(Input::Start, &mut s),
            vec![CreateIframe, SetTimer(Timer::Load, 500)]
        );
        assert_eq!(m.handle(Input::IframeLoaded, &mut s), first_post());
    }

    #[test]
    fn changed_pauses_until_the_host_resumes() {
        let (mut m, mut s) = in_flight(cfg());
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Changed), &mut s),
            vec![
                ClearTimer(Timer::Response),
                Emit(Event::Changed { first_check: false })
            ]
        );
        assert_eq!(m.phase(), Phase::Paused);
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), vec![]);
        assert_eq!(m.handle(Input::CheckNow, &mut s), post());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        assert_eq!(
            m.handle(Input::Start, &mut s),
            post(),
            "start() resumes too"
        );
    }

    fn reauth_cfg() -> Config {
        Config {
            reauth: true,
            reauth_timeout_ms: 1000,
            ..cfg()
        }
    }

    fn renewed(state: &str, sub: &str) -> ReauthOutcome {
        ReauthOutcome::Renewed {
            session_state: SessionState::new(state).unwrap(),
            sub: sub.into(),
            sid: Some("sid-1".into()),
        }
    }

    fn finished(generation: u32, outcome: ReauthOutcome) -> Input {
        Input::ReauthFinished {
            generation,
            outcome,
        }
    }

    const HALT_REAUTH: [Effect; 7] = [
        ClearTimer(Timer::Reauth),
        ClearTimer(Timer::Backoff),
        EndReauth,
        ClearTimer(Timer::Load),
        ClearTimer(Timer::Poll),
        ClearTimer(Timer::Response),
        RemoveIframe,
    ];

    #[test]
    fn changed_starts_reauth_when_configured() {
        let (mut m, mut s) = in_flight(reauth_cfg());
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Changed), &mut s),
            vec![
                ClearTimer(Timer::Response),
                Emit(Event::Changed { first_check: false }),
                StartReauth { generation: 1 },
                SetTimer(Timer::Reauth, 1000)
            ]
        );
        assert_eq!(m.phase(), Phase::Reauthenticating);
        assert_eq!(
            m.handle(Input::CheckNow, &mut s),
            vec![],
            "no checks while re-authenticating"
        );
        assert_eq!(
            m.handle(finished(0, renewed("new", "alice")), &mut s),
            vec![],
            "stale generation"
        );
    }

    #[test]
    fn renewal_for_the_same_user_stores_the_new_state_and_resumes() {
        let (mut m, mut s) = in_flight(reauth_cfg());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        assert_eq!(
            m.handle(finished(1, renewed("new-state", "alice")), &mut s),
            vec![
                ClearTimer(Timer::Reauth),
                EndReauth,
                StoreSessionState(SessionState::new("new-state").unwrap()),
                Emit(Event::Renewed {
                    sub: "alice".into(),
                    sid: Some("sid-1".into())
                }),
                Post("client01 new-state".into()),
                SetTimer(Timer::Response, 50)
            ]
        );
        assert_eq!(
            m.handle(finished(1, renewed("x", "alice")), &mut s),
            vec![],
            "duplicate outcome"
        );
    }

    #[test]
    fn another_sub_is_user_changed_and_stops() {
        let (mut m, mut s) = in_flight(Config {
            expected_sub: Some("alice".into()),
            ..reauth_cfg()
        });
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        let fx = m.handle(finished(1, renewed("new", "mallory")), &mut s);
        assert_eq!(
            fx,
            concat(&[
                &[ClearTimer(Timer::Reauth)],
                &HALT_REAUTH,
                &[
                    Emit(Event::UserChanged {
                        sub: "mallory".into(),
                        sid: Some("sid-1".into())
                    }),
                    Emit(Event::Stopped(StopReason::UserChanged))
                ]
            ])
        );
        assert_eq!(m.phase(), Phase::Stopped);
    }

    #[test]
    fn the_first_renewal_learns_the_sub_when_the_host_did_not_give_it() {
        let (mut m, mut s) = in_flight(reauth_cfg());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        m.handle(finished(1, renewed("s2", "alice")), &mut s);
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        m.handle(Input::TimerFired(Timer::Poll), &mut s);
        let fx = m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        // `changed` right after a renewal is suspicious: the re-auth waits out a back-off first.
        assert!(
            fx.iter().any(|f| matches!(f, SetTimer(Timer::Backoff, _))),
            "{fx:?}"
        );
        assert!(m
            .handle(Input::TimerFired(Timer::Backoff), &mut s)
            .contains(&StartReauth { generation: 2 }));
        let fx = m.handle(finished(2, renewed("s3", "bob")), &mut s);
        assert!(fx.contains(&Emit(Event::UserChanged {
            sub: "bob".into(),
            sid: Some("sid-1".into())
        })));
    }

    #[test]
    fn signed_out_and_interaction_required_stop_polling() {
        let (mut m, mut s) = in_flight(reauth_cfg());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        let fx = m.handle(finished(1, ReauthOutcome::SignedOut), &mut s);
        assert_eq!(
            &fx[fx.len() - 2..],
            &[
                Emit(Event::SignedOut),
                Emit(Event::Stopped(StopReason::SignedOut))
            ]
        );
        assert!(fx.contains(&EndReauth));
        assert_eq!(m.phase(), Phase::Stopped);

        let (mut m, mut s) = in_flight(reauth_cfg());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        let fx = m.handle(
            finished(1, ReauthOutcome::InteractionRequired("consent_required")),
            &mut s,
        );
        assert_eq!(
            &fx[fx.len() - 2..],
            &[
                Emit(Event::InteractionRequired {
                    code: "consent_required"
                }),
                Emit(Event::Stopped(StopReason::InteractionRequired))
            ]
        );
    }

    #[test]
    fn reauth_timeout_cancels_and_reports() {
        let (mut m, mut s) = in_flight(reauth_cfg());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        let fx = m.handle(Input::TimerFired(Timer::Reauth), &mut s);
        assert_eq!(
            fx,
            concat(&[
                &HALT_REAUTH,
                &[
                    Emit(Event::Error {
                        error: MonitorError::ReauthTimeout,
                        attempt: 1
                    }),
                    Emit(Event::Stopped(StopReason::Error(
                        MonitorError::ReauthTimeout
                    )))
                ]
            ])
        );
        assert_eq!(
            m.handle(finished(1, renewed("late", "alice")), &mut s),
            vec![],
            "late outcome"
        );
    }

    #[test]
    fn failed_reauth_is_an_error_not_a_logout() {
        let (mut m, mut s) = in_flight(reauth_cfg());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        let e = MonitorError::Reauth {
            code: "state_mismatch",
            message: "m",
        };
        let fx = m.handle(finished(1, ReauthOutcome::Failed(e)), &mut s);
        assert!(fx.contains(&Emit(Event::Error {
            error: e,
            attempt: 1
        })));
        assert!(!fx.iter().any(|f| matches!(f, Emit(Event::SignedOut))));
    }

    #[test]
    fn stop_during_reauth_cancels_it() {
        let (mut m, mut s) = in_flight(reauth_cfg());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        let fx = m.handle(Input::Stop, &mut s);
        assert_eq!(
            fx,
            concat(&[&HALT_REAUTH, &[Emit(Event::Stopped(StopReason::Caller))]])
        );
        assert_eq!(
            m.handle(finished(1, renewed("late", "alice")), &mut s),
            vec![]
        );
    }

    /// A session_state source with a fake clock.
    struct Clocked {
        state: &'static str,
        now: u64,
    }
    impl SessionStateSource for Clocked {
        fn read(&mut self) -> Result<SessionState, MonitorError> {
            SessionState::new(self.state).map_err(|_| MonitorError::InvalidSessionState)
        }
        fn now_ms(&self) -> u64 {
            self.now
        }
    }

    /// The OP iframe always says `changed` and every renewal "works" with a new value: the
    /// machine must back off exponentially and give up with `reauth_loop`, never loop forever.
    #[test]
    fn an_op_that_always_says_changed_ends_in_reauth_loop_after_backing_off() {
        let mut m = machine(reauth_cfg());
        let mut s = Clocked {
            state: "s0",
            now: 0,
        };
        m.handle(Input::Start, &mut s);
        m.handle(Input::IframeLoaded, &mut s);
        let mut backoffs = Vec::new();
        let mut reauths = 0u32;
        let mut gave_up = false;
        for step in 0..50 {
            s.now += 100;
            let mut fx = m.handle(Input::Answer(OpAnswer::Changed), &mut s);
            // Drive timers and outcomes until the next post (or the end).
            for _ in 0..10 {
                if fx.contains(&Emit(Event::Error {
                    error: MonitorError::ReauthLoop,
                    attempt: 1,
                })) {
                    gave_up = true;
                    break;
                }
                if let Some(SetTimer(Timer::Backoff, ms)) =
                    fx.iter().find(|f| matches!(f, SetTimer(Timer::Backoff, _)))
                {
                    backoffs.push(*ms);
                    s.now += u64::from(*ms);
                    fx = m.handle(Input::TimerFired(Timer::Backoff), &mut s);
                    continue;
                }
                if let Some(StartReauth { generation }) =
                    fx.iter().find(|f| matches!(f, StartReauth { .. })).cloned()
                {
                    reauths += 1;
                    let fresh: &'static str = Box::leak(format!("s{step}").into_boxed_str());
                    fx = m.handle(finished(generation, renewed(fresh, "alice")), &mut s);
                    continue;
                }
                break;
            }
            if gave_up {
                break;
            }
            assert_eq!(m.phase(), Phase::InFlight, "step {step}: polling resumed");
        }
        assert!(
            gave_up,
            "never gave up: {reauths} re-auths, back-offs {backoffs:?}"
        );
        assert!(
            reauths <= 6,
            "too many re-authentications before giving up: {reauths}"
        );
        assert!(
            backoffs
                .windows(2)
                .all(|w| w[1] >= w[0] * 2 || w[1] == 60_000),
            "{backoffs:?}"
        );
        assert!(!backoffs.is_empty());
        assert_eq!(m.phase(), Phase::Stopped);
    }

    #[test]
    fn a_renewal_with_the_same_session_state_is_suspicious() {
        let mut m = machine(reauth_cfg());
        let mut s = Clocked {
            state: "same",
            now: 0,
        };
        m.handle(Input::Start, &mut s);
        m.handle(Input::IframeLoaded, &mut s);
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        let fx = m.handle(finished(1, renewed("same", "alice")), &mut s);
        assert!(
            !fx.iter().any(|f| matches!(f, StoreSessionState(_))),
            "nothing new to store"
        );
        assert!(
            fx.iter().any(|f| matches!(f, SetTimer(Timer::Backoff, _))),
            "backs off instead of posting the same value at once: {fx:?}"
        );
    }

    #[test]
    fn op_error_stops_polling_by_default() {
        let (mut m, mut s) = in_flight(cfg());
        let err = Event::Error {
            error: MonitorError::OpError,
            attempt: 1,
        };
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Error), &mut s),
            concat(&[
                &[ClearTimer(Timer::Response)],
                &CLEAR_ALL,
                &[
                    Emit(err),
                    Emit(Event::Stopped(StopReason::Error(MonitorError::OpError)))
                ]
            ])
        );
        assert_eq!(m.phase(), Phase::Stopped);
    }

    #[test]
    fn op_error_continues_when_configured() {
        let (mut m, mut s) = in_flight(Config {
            continue_on_error: true,
            ..cfg()
        });
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Error), &mut s),
            vec![
                ClearTimer(Timer::Response),
                Emit(Event::Error {
                    error: MonitorError::OpError,
                    attempt: 1
                }),
                SetTimer(Timer::Poll, 100)
            ]
        );
    }

    #[test]
    fn load_timeout_reports_and_stops() {
        let mut m = machine(cfg());
        let mut s = Src(Some("abc.salt"));
        m.handle(Input::Start, &mut s);
        assert_eq!(
            m.handle(Input::TimerFired(Timer::Load), &mut s),
            concat(&[
                &CLEAR_ALL,
                &[
                    Emit(Event::Error {
                        error: MonitorError::LoadTimeout,
                        attempt: 1
                    }),
                    Emit(Event::Stopped(StopReason::Error(MonitorError::LoadTimeout)))
                ]
            ])
        );
        assert_eq!(
            m.handle(Input::IframeLoaded, &mut s),
            vec![],
            "load after the timeout"
        );
    }

    #[test]
    fn no_response_retries_then_stops() {
        let (mut m, mut s) = in_flight(Config {
            max_no_response_retries: 2,
            ..cfg()
        });
        for attempt in 1..=2 {
            assert_eq!(
                m.handle(Input::TimerFired(Timer::Response), &mut s),
                vec![
                    Emit(Event::Error {
                        error: MonitorError::NoResponse,
                        attempt
                    }),
                    SetTimer(Timer::Poll, 100)
                ]
            );
            // The late answer to the timed-out message is dropped.
            assert_eq!(m.handle(Input::Answer(OpAnswer::Unchanged), &mut s), vec![]);
            assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), post());
        }
        let fx = m.handle(Input::TimerFired(Timer::Response), &mut s);
        assert!(fx.contains(&Emit(Event::Error {
            error: MonitorError::NoResponse,
            attempt: 3
        })));
        assert!(fx.contains(&Emit(Event::Stopped(StopReason::Error(
            MonitorError::NoResponse
        )))));
        assert_eq!(m.phase(), Phase::Stopped);
    }

    #[test]
    fn an_answer_resets_the_no_response_streak() {
        let (mut m, mut s) = in_flight(Config {
            max_no_response_retries: 1,
            ..cfg()
        });
        m.handle(Input::TimerFired(Timer::Response), &mut s);
        m.handle(Input::TimerFired(Timer::Poll), &mut s);
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        m.handle(Input::TimerFired(Timer::Poll), &mut s);
        let fx = m.handle(Input::TimerFired(Timer::Response), &mut s);
        assert!(fx.contains(&Emit(Event::Error {
            error: MonitorError::NoResponse,
            attempt: 1
        })));
        assert_eq!(m.phase(), Phase::Waiting);
    }

    #[test]
    fn timeout_racing_an_answer_counts_once() {
        // Answer first: the response timer is cleared, a timer callback that still fires is stale.
        let (mut m, mut s) = in_flight(cfg());
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        assert_eq!(m.handle(Input::TimerFired(Timer::Response), &mut s), vec![]);
        // Timeout first: the answer that arrives after it is dropped.
        let (mut m, mut s) = in_flight(cfg());
        m.handle(Input::TimerFired(Timer::Response), &mut s);
        assert_eq!(m.handle(Input::Answer(OpAnswer::Changed), &mut s), vec![]);
    }

    #[test]
    fn missing_session_state_posts_nothing_reports_once_and_keeps_polling() {
        let mut m = machine(cfg());
        let mut s = Src(None);
        m.handle(Input::Start, &mut s);
        assert_eq!(
            m.handle(Input::IframeLoaded, &mut s),
            vec![
                ClearTimer(Timer::Load),
                Emit(Event::Error {
                    error: MonitorError::NoSessionState,
                    attempt: 1
                }),
                SetTimer(Timer::Poll, 100)
            ]
        );
        assert_eq!(
            m.handle(Input::TimerFired(Timer::Poll), &mut s),
            vec![SetTimer(Timer::Poll, 100)]
        );
        // The host stores a session_state (a login): the next check posts it.
        s.0 = Some("abc.salt");
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), post());
        // Lost again: reported again.
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        s.0 = None;
        assert!(m
            .handle(Input::TimerFired(Timer::Poll), &mut s)
            .contains(&Emit(Event::Error {
                error: MonitorError::NoSessionState,
                attempt: 1
            })));
    }

    #[test]
    fn session_state_is_read_at_every_check() {
        let (mut m, _) = in_flight(cfg());
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut Src(None));
        let mut relogin = Src(Some("new-value"));
        assert_eq!(
            m.handle(Input::TimerFired(Timer::Poll), &mut relogin)[0],
            Post("client01 new-value".into())
        );
    }

    #[test]
    fn invalid_stored_value_is_reported() {
        let mut m = machine(cfg());
        let mut s = Src(Some(""));
        m.handle(Input::Start, &mut s);
        assert!(m
            .handle(Input::IframeLoaded, &mut s)
            .contains(&Emit(Event::Error {
                error: MonitorError::InvalidSessionState,
                attempt: 1
            })));
    }

    #[test]
    fn phase_names_are_stable() {
        assert_eq!(Phase::InFlight.name(), "checking");
        assert_eq!(StopReason::Caller.code(), "stopped");
        assert_eq!(
            StopReason::Error(MonitorError::LoadTimeout).code(),
            "load_timeout"
        );
    }

    /// A deterministic pseudo-random sequence (xorshift), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// The glue, as a model: which timers are pending, whether the iframe exists, how many posts
    /// are unanswered.
    #[derive(Default)]
    struct Model {
        timers: [bool; TIMERS],
        iframe: bool,
        unanswered: u32,
        generation: Option<u32>,
    }

    impl Model {
        fn apply(&mut self, fx: &[Effect]) {
            for e in fx {
                match e {
                    CreateIframe => {
                        assert!(!self.iframe, "a second iframe");
                        self.iframe = true;
                    }
                    RemoveIframe => {
                        self.iframe = false;
                        self.unanswered = 0;
                    }
                    Post(_) => {
                        assert!(self.iframe, "posted without an iframe");
                        assert_eq!(self.unanswered, 0, "two messages in flight");
                        self.unanswered = 1;
                    }
                    SetTimer(t, _) => self.timers[t.index()] = true,
                    ClearTimer(t) => self.timers[t.index()] = false,
                    StartReauth { generation } => self.generation = Some(*generation),
                    EndReauth => self.generation = None,
                    Emit(_) | StoreSessionState(_) => {}
                }
            }
        }
    }

    /// Random inputs, delivered as the browser would (timers fire only when pending; answers and
    /// outcomes, stale ones included, arrive at any time): the machine never panics, never has
    /// two messages in flight, never posts without an iframe, holds nothing once stopped, and
    /// while running always has the timer that moves it on (polling never stalls silently).
    #[test]
    fn random_input_sequences_keep_every_invariant() {
        for seed in 1..=400u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let config = Config {
                reauth: seed % 2 == 0,
                continue_on_error: seed % 3 == 0,
                pause_when_hidden: seed % 5 < 3,
                max_no_response_retries: (seed % 4) as u32,
                ..reauth_cfg()
            };
            let mut m = machine(config);
            let mut s = Clocked {
                state: "s0",
                now: 0,
            };
            let mut model = Model::default();
            for step in 0..300 {
                s.now += rng.pick(3000);
                s.state = ["s0", "s1", "", "s2"][rng.pick(4) as usize];
                let input = match rng.pick(13) {
                    12 => Input::VisibilityChanged {
                        hidden: rng.pick(2) == 0,
                    },
                    0 => Input::Start,
                    1 => Input::Stop,
                    2 => Input::CheckNow,
                    3 => Input::IframeLoaded,
                    4..=6 => {
                        let t = [
                            Timer::Load,
                            Timer::Poll,
                            Timer::Response,
                            Timer::Reauth,
                            Timer::Backoff,
                        ][rng.pick(5) as usize];
                        if !model.timers[t.index()] {
                            continue;
                        }
                        model.timers[t.index()] = false;
                        if t == Timer::Response {
                            model.unanswered = 0;
                        }
                        Input::TimerFired(t)
                    }
                    7..=9 => {
                        model.unanswered = 0;
                        Input::Answer(
                            [OpAnswer::Unchanged, OpAnswer::Changed, OpAnswer::Error]
                                [rng.pick(3) as usize],
                        )
                    }
                    _ => {
                        let generation = match (model.generation, rng.pick(4)) {
                            (Some(g), 0..=2) => g,
                            _ => rng.pick(5) as u32,
                        };
                        let outcome = match rng.pick(5) {
                            0 => renewed(["s0", "s3", "s4"][rng.pick(3) as usize], "alice"),
                            1 => renewed("s5", "bob"),
                            2 => ReauthOutcome::SignedOut,
                            3 => ReauthOutcome::InteractionRequired("consent_required"),
                            _ => ReauthOutcome::Failed(MonitorError::ReauthTimeout),
                        };
                        Input::ReauthFinished {
                            generation,
                            outcome,
                        }
                    }
                };
                let fx = m.handle(input.clone(), &mut s);
                model.apply(&fx);
                let ctx = || {
                    format!(
                        "seed {seed} step {step} after {input:?}: phase {:?}",
                        m.phase()
                    )
                };
                let pending = |t: Timer| model.timers[t.index()];
                match m.phase() {
                    Phase::Idle | Phase::Stopped => {
                        assert!(!model.iframe, "{}: iframe left", ctx());
                        assert!(model.timers.iter().all(|t| !t), "{}: timer left", ctx());
                        assert_eq!(model.generation, None, "{}: re-auth left running", ctx());
                    }
                    Phase::Loading | Phase::Connecting => {
                        assert!(pending(Timer::Load), "{}", ctx())
                    }
                    Phase::Waiting => assert!(pending(Timer::Poll), "{}", ctx()),
                    Phase::InFlight => assert!(pending(Timer::Response), "{}", ctx()),
                    Phase::Reauthenticating => {
                        assert!(
                            pending(Timer::Reauth) || pending(Timer::Backoff),
                            "{}",
                            ctx()
                        )
                    }
                    Phase::Paused | Phase::Hidden => {}
                }
                if m.phase() != Phase::Idle && m.phase() != Phase::Stopped {
                    assert!(model.iframe, "{}: running without an iframe", ctx());
                }
            }
        }
    }
}
