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

use crate::core::types::{check_message, ClientId, OpAnswer, SessionState};

/// Timing and policy. Defaults: 2 s interval, 10 s load timeout, 3 s response timeout, two
/// unanswered checks retried before polling stops, polling stops on `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

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
        }
    }

    /// Human-readable explanation (`e.detail.message`). Never contains the session_state.
    pub fn message(self) -> &'static str {
        match self {
            MonitorError::NoSessionState => "no session_state found in the configured source",
            MonitorError::InvalidSessionState => "the stored session_state is empty or malformed",
            MonitorError::StorageUnavailable => "the configured session_state storage is unavailable",
            MonitorError::LoadTimeout => "the OP check_session_iframe did not load in time",
            MonitorError::NoResponse => "the OP check_session_iframe did not answer in time",
            MonitorError::OpError => "the OP check_session_iframe answered \"error\"",
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
}

impl StopReason {
    /// Stable name for JavaScript.
    pub fn code(self) -> &'static str {
        match self {
            StopReason::Caller => "stopped",
            StopReason::Error(e) => e.code(),
        }
    }
}

/// What the monitor tells the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The OP answered `unchanged`.
    Unchanged,
    /// The OP answered `changed`.
    Changed,
    /// Something went wrong; `attempt` counts consecutive occurrences (1 for the first).
    Error {
        /// Which problem.
        error: MonitorError,
        /// 1 for the first occurrence in a row.
        attempt: u32,
    },
    /// Polling stopped and will not resume until `start()`.
    Stopped(StopReason),
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
    /// Run a `prompt=none` re-authentication and report it with [`Input::ReauthFinished`].
    StartReauth,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The re-authentication started by [`Effect::StartReauth`] ended; `resume` says whether
    /// polling goes on (a renewed session) or stops (signed out, another user, gave up).
    ReauthFinished {
        /// Whether to resume polling.
        resume: bool,
    },
}

/// Reads the current `session_state` from wherever the host keeps it, at every check.
pub trait SessionStateSource {
    /// The current value, or why there is none.
    fn read(&mut self) -> Result<SessionState, MonitorError>;
}

impl<F: FnMut() -> Result<SessionState, MonitorError>> SessionStateSource for F {
    fn read(&mut self) -> Result<SessionState, MonitorError> {
        self()
    }
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
}

impl Machine {
    /// A machine in [`Phase::Idle`].
    pub fn new(client_id: ClientId, config: Config) -> Self {
        Machine { config, client_id, phase: Phase::Idle, no_response: 0, read_failures: 0 }
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
                self.phase = Phase::Loading;
                fx.push(Effect::CreateIframe);
                fx.push(Effect::SetTimer(Timer::Load, self.config.load_timeout_ms));
            }
            // start() or checkNow() while paused after `changed`: the host says go on.
            (Input::Start | Input::CheckNow, Phase::Paused) => self.check(source, &mut fx),
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
                fx.push(Effect::ClearTimer(if self.phase == Phase::Connecting {
                    Timer::Load
                } else {
                    Timer::Response
                }));
                self.no_response = 0;
                match answer {
                    OpAnswer::Unchanged => {
                        fx.push(Effect::Emit(Event::Unchanged));
                        self.schedule(&mut fx);
                    }
                    OpAnswer::Changed => {
                        fx.push(Effect::Emit(Event::Changed));
                        if self.config.reauth {
                            self.phase = Phase::Reauthenticating;
                            fx.push(Effect::StartReauth);
                        } else {
                            self.phase = Phase::Paused;
                        }
                    }
                    OpAnswer::Error if self.config.continue_on_error => {
                        fx.push(Effect::Emit(Event::Error { error: MonitorError::OpError, attempt: 1 }));
                        self.schedule(&mut fx);
                    }
                    OpAnswer::Error => self.fail(MonitorError::OpError, 1, &mut fx),
                }
            }
            (Input::ReauthFinished { resume }, Phase::Reauthenticating) => {
                if resume {
                    self.check(source, &mut fx);
                } else {
                    self.halt(&mut fx);
                }
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
            Ok(state) => {
                self.read_failures = 0;
                self.phase = Phase::InFlight;
                fx.push(Effect::Post(check_message(&self.client_id, &state)));
                fx.push(Effect::SetTimer(Timer::Response, self.config.response_timeout_ms));
            }
            Err(error) => self.report_read_failure(error, fx),
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
        self.phase = Phase::Waiting;
        fx.push(Effect::SetTimer(Timer::Poll, self.config.interval_ms));
    }

    fn fail(&mut self, error: MonitorError, attempt: u32, fx: &mut Vec<Effect>) {
        self.halt(fx);
        fx.push(Effect::Emit(Event::Error { error, attempt }));
        fx.push(Effect::Emit(Event::Stopped(StopReason::Error(error))));
    }

    /// Clears every timer and removes the iframe. Events are pushed by the caller.
    fn halt(&mut self, fx: &mut Vec<Effect>) {
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
        Config { interval_ms: 100, load_timeout_ms: 500, response_timeout_ms: 50, ..Config::default() }
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
        vec![Post("client01 abc.salt".into()), SetTimer(Timer::Response, 50)]
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
        assert_eq!(m.handle(Input::Start, &mut s), vec![CreateIframe, SetTimer(Timer::Load, 500)]);
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
            vec![ClearTimer(Timer::Load), Emit(Event::Unchanged), SetTimer(Timer::Poll, 100)]
        );
    }

    #[test]
    fn load_of_an_error_page_that_never_answers_is_a_load_timeout() {
        let mut m = machine(cfg());
        let mut s = Src(Some("abc.salt"));
        m.handle(Input::Start, &mut s);
        m.handle(Input::IframeLoaded, &mut s);
        assert_eq!(m.handle(Input::CheckNow, &mut s), vec![], "first message still in flight");
        assert_eq!(m.handle(Input::TimerFired(Timer::Response), &mut s), vec![], "no response timer yet");
        let fx = m.handle(Input::TimerFired(Timer::Load), &mut s);
        assert!(fx.contains(&Emit(Event::Error { error: MonitorError::LoadTimeout, attempt: 1 })));
        assert_eq!(m.phase(), Phase::Stopped);
        assert_eq!(m.handle(Input::Answer(OpAnswer::Unchanged), &mut s), vec![], "too late");
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
            vec![ClearTimer(Timer::Response), Emit(Event::Unchanged), SetTimer(Timer::Poll, 100)]
        );
        assert_eq!(m.phase(), Phase::Waiting);
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), post());
    }

    #[test]
    fn only_one_message_in_flight() {
        let (mut m, mut s) = in_flight(cfg());
        assert_eq!(m.handle(Input::CheckNow, &mut s), vec![]);
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), vec![]);
        assert_eq!(m.handle(Input::IframeLoaded, &mut s), vec![], "a reload of the OP iframe");
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
        assert_eq!(m.handle(Input::Answer(OpAnswer::Changed), &mut s), vec![], "loading");
        m.handle(Input::IframeLoaded, &mut s);
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        assert_eq!(m.handle(Input::Answer(OpAnswer::Unchanged), &mut s), vec![], "duplicate");
        assert_eq!(m.handle(Input::Answer(OpAnswer::Changed), &mut s), vec![], "waiting");
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
        assert_eq!(m.handle(Input::Start, &mut s), vec![CreateIframe, SetTimer(Timer::Load, 500)]);
        assert_eq!(m.handle(Input::IframeLoaded, &mut s), first_post());
    }

    #[test]
    fn changed_pauses_until_the_host_resumes() {
        let (mut m, mut s) = in_flight(cfg());
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Changed), &mut s),
            vec![ClearTimer(Timer::Response), Emit(Event::Changed)]
        );
        assert_eq!(m.phase(), Phase::Paused);
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), vec![]);
        assert_eq!(m.handle(Input::CheckNow, &mut s), post());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        assert_eq!(m.handle(Input::Start, &mut s), post(), "start() resumes too");
    }

    #[test]
    fn changed_starts_reauth_when_configured() {
        let (mut m, mut s) = in_flight(Config { reauth: true, ..cfg() });
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Changed), &mut s),
            vec![ClearTimer(Timer::Response), Emit(Event::Changed), StartReauth]
        );
        assert_eq!(m.phase(), Phase::Reauthenticating);
        assert_eq!(m.handle(Input::CheckNow, &mut s), vec![], "no checks while re-authenticating");
        assert_eq!(m.handle(Input::ReauthFinished { resume: true }, &mut s), post());
        m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        assert_eq!(m.handle(Input::ReauthFinished { resume: false }, &mut s), CLEAR_ALL.to_vec());
        assert_eq!(m.phase(), Phase::Stopped);
        assert_eq!(m.handle(Input::ReauthFinished { resume: true }, &mut s), vec![], "late outcome");
    }

    #[test]
    fn op_error_stops_polling_by_default() {
        let (mut m, mut s) = in_flight(cfg());
        let err = Event::Error { error: MonitorError::OpError, attempt: 1 };
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Error), &mut s),
            concat(&[
                &[ClearTimer(Timer::Response)],
                &CLEAR_ALL,
                &[Emit(err), Emit(Event::Stopped(StopReason::Error(MonitorError::OpError)))]
            ])
        );
        assert_eq!(m.phase(), Phase::Stopped);
    }

    #[test]
    fn op_error_continues_when_configured() {
        let (mut m, mut s) = in_flight(Config { continue_on_error: true, ..cfg() });
        assert_eq!(
            m.handle(Input::Answer(OpAnswer::Error), &mut s),
            vec![
                ClearTimer(Timer::Response),
                Emit(Event::Error { error: MonitorError::OpError, attempt: 1 }),
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
                    Emit(Event::Error { error: MonitorError::LoadTimeout, attempt: 1 }),
                    Emit(Event::Stopped(StopReason::Error(MonitorError::LoadTimeout)))
                ]
            ])
        );
        assert_eq!(m.handle(Input::IframeLoaded, &mut s), vec![], "load after the timeout");
    }

    #[test]
    fn no_response_retries_then_stops() {
        let (mut m, mut s) = in_flight(Config { max_no_response_retries: 2, ..cfg() });
        for attempt in 1..=2 {
            assert_eq!(
                m.handle(Input::TimerFired(Timer::Response), &mut s),
                vec![
                    Emit(Event::Error { error: MonitorError::NoResponse, attempt }),
                    SetTimer(Timer::Poll, 100)
                ]
            );
            // The late answer to the timed-out message is dropped.
            assert_eq!(m.handle(Input::Answer(OpAnswer::Unchanged), &mut s), vec![]);
            assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), post());
        }
        let fx = m.handle(Input::TimerFired(Timer::Response), &mut s);
        assert!(fx.contains(&Emit(Event::Error { error: MonitorError::NoResponse, attempt: 3 })));
        assert!(fx.contains(&Emit(Event::Stopped(StopReason::Error(MonitorError::NoResponse)))));
        assert_eq!(m.phase(), Phase::Stopped);
    }

    #[test]
    fn an_answer_resets_the_no_response_streak() {
        let (mut m, mut s) = in_flight(Config { max_no_response_retries: 1, ..cfg() });
        m.handle(Input::TimerFired(Timer::Response), &mut s);
        m.handle(Input::TimerFired(Timer::Poll), &mut s);
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        m.handle(Input::TimerFired(Timer::Poll), &mut s);
        let fx = m.handle(Input::TimerFired(Timer::Response), &mut s);
        assert!(fx.contains(&Emit(Event::Error { error: MonitorError::NoResponse, attempt: 1 })));
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
                Emit(Event::Error { error: MonitorError::NoSessionState, attempt: 1 }),
                SetTimer(Timer::Poll, 100)
            ]
        );
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), vec![SetTimer(Timer::Poll, 100)]);
        // The host stores a session_state (a login): the next check posts it.
        s.0 = Some("abc.salt");
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), post());
        // Lost again: reported again.
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        s.0 = None;
        assert!(m
            .handle(Input::TimerFired(Timer::Poll), &mut s)
            .contains(&Emit(Event::Error { error: MonitorError::NoSessionState, attempt: 1 })));
    }

    #[test]
    fn session_state_is_read_at_every_check() {
        let (mut m, _) = in_flight(cfg());
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut Src(None));
        let mut relogin = Src(Some("new-value"));
        assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut relogin)[0], Post("client01 new-value".into()));
    }

    #[test]
    fn invalid_stored_value_is_reported() {
        let mut m = machine(cfg());
        let mut s = Src(Some(""));
        m.handle(Input::Start, &mut s);
        assert!(m
            .handle(Input::IframeLoaded, &mut s)
            .contains(&Emit(Event::Error { error: MonitorError::InvalidSessionState, attempt: 1 })));
    }

    #[test]
    fn phase_names_are_stable() {
        assert_eq!(Phase::InFlight.name(), "checking");
        assert_eq!(StopReason::Caller.code(), "stopped");
        assert_eq!(StopReason::Error(MonitorError::LoadTimeout).code(), "load_timeout");
    }
}
