//! The transitions: `Machine::handle` maps (input, phase) to the next phase and its effects.

use super::blind::{BlindPolicy, Evidence, OpSite, Sight};
use super::config::{Config, OpLocation};
use super::types::*;
use crate::core::discovery::Provider;
use crate::core::logout::{RpSessionAnswer, SignOutReason};
use crate::core::loop_guard::{Decision, LoopGuard};
use crate::core::types::{answer_preview, check_message, ClientId, OpAnswer, SessionState};

/// The monitor's state. See the module docs.
#[derive(Debug)]
pub struct Machine {
    config: Config,
    client_id: ClientId,
    /// Where the OP is, as configured.
    location: OpLocation,
    /// The OP's check_session_iframe (and endpoints), once known: at once with
    /// `checkSessionIframe`, after discovery with `issuer`.
    provider: Option<Provider>,
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
    /// The signed-in user: the `sub` option, else learnt from the ID token hint
    /// ([`Input::UserHint`]) or from the cross-tab leader; kept across `stop()`/`start()`. A
    /// renewal never teaches it.
    expected_sub: Option<String>,
    /// Messages in a row that were not answers (reported once per streak).
    unexpected: u32,
    /// `document.hidden`, as last reported.
    hidden: bool,
    /// The first-party session signal, beside the phase.
    rp: RpPoll,
    /// Tags `rpSession` requests.
    rp_generation: u32,
    /// Consecutive unusable `rpSession` answers.
    rp_failures: u32,
    /// `signedOut` was emitted since the last `start()`: later notices of the same end are dropped.
    pub(super) signed_out: bool,
    /// When the last check was posted (or, following, the last request for one): wake-ups
    /// within [`Config::wake_window_ms`] of it are answered by it.
    pub(super) last_wake: Option<u64>,
    /// Cross-tab: whether the leader's page is hidden, as it last said.
    pub(super) leader_hidden: bool,
    /// Cross-tab: the leader stayed silent too long; its last word is not trusted.
    pub(super) stale: bool,
    /// Cross-tab: a steal of the lock is under way.
    pub(super) stealing: bool,
    /// Cross-tab: a follower asked; the leader answers with its state if it says nothing else.
    pub(super) announce: bool,
    /// Whether the OP iframe has shown that it sees its cookies (see [`super::blind`]).
    sight: Sight,
}

/// Where the first-party session signal (`rpSession`) is. It runs beside the OP iframe's phases
/// (or alone, in [`Phase::FirstPartyOnly`]) with its own timer, [`Timer::RpSession`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RpPoll {
    /// Not configured, or the monitor is not running.
    Off,
    /// Waiting for the next request.
    Waiting,
    /// A request is in flight; the timer is its deadline.
    InFlight,
    /// `pauseWhenHidden` and the page is hidden: no requests until it is shown or focused.
    Hidden,
}

impl Machine {
    /// A machine in [`Phase::Idle`].
    pub fn new(client_id: ClientId, config: Config, location: OpLocation) -> Self {
        let provider = match &location {
            OpLocation::CheckSessionIframe(url) => Some(Provider {
                check_session_iframe: url.clone(),
                endpoints: None,
            }),
            OpLocation::Issuer(_) | OpLocation::FirstPartyOnly => None,
        };
        Machine {
            location,
            provider,
            guard: LoopGuard::new(config.loop_guard),
            expected_sub: config.expected_sub.clone(),
            unexpected: 0,
            config,
            client_id,
            phase: Phase::Idle,
            no_response: 0,
            read_failures: 0,
            generation: 0,
            last_posted: None,
            hidden: false,
            rp: RpPoll::Off,
            rp_generation: 0,
            rp_failures: 0,
            signed_out: false,
            last_wake: None,
            leader_hidden: false,
            stale: false,
            stealing: false,
            announce: false,
            sight: Sight::default(),
        }
    }

    /// Where the first-party session signal is (for tests).
    #[cfg(test)]
    pub(super) fn rp(&self) -> RpPoll {
        self.rp
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The RP's client id, as posted in every check.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// Where the OP's check_session_iframe comes from (the option given).
    pub fn location(&self) -> &OpLocation {
        &self.location
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the page is hidden, as last reported.
    pub fn hidden(&self) -> bool {
        self.hidden
    }

    pub(super) fn set_hidden(&mut self, hidden: bool) {
        self.hidden = hidden;
    }

    pub(super) fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
    }

    /// The OP iframe's first answer since `start()`, if any (`diagnose()`).
    pub fn first_answer(&self) -> Option<OpAnswer> {
        self.sight.first_answer
    }

    /// Sets where the OP iframe stands to the page (the glue does, when it creates the iframe).
    pub fn set_op_site(&mut self, site: OpSite) {
        self.config.op_site = site;
    }

    /// The OP's check_session_iframe and endpoints, once known (the glue reads them to perform
    /// [`Effect::CreateIframe`] and [`Effect::StartReauth`]).
    pub fn provider(&self) -> Option<&Provider> {
        self.provider.as_ref()
    }

    /// Feeds one input; returns the effects to perform, in order.
    pub fn handle(&mut self, input: Input, source: &mut dyn SessionStateSource) -> Vec<Effect> {
        let before = self.snapshot();
        let mut fx = Vec::new();
        let following = matches!(self.phase, Phase::Following(_) | Phase::Suspended);
        match input {
            Input::Wake | Input::Focused => self.wake(source, &mut fx),
            Input::LockAcquired
            | Input::LockLost
            | Input::Tab(_)
            | Input::PageHidden
            | Input::PageShown
            | Input::TimerFired(Timer::Leader) => self.cross_tab(input, source, &mut fx),
            Input::Start | Input::Stop | Input::CheckNow | Input::VisibilityChanged { .. }
                if following =>
            {
                self.follower(input, source, &mut fx)
            }
            input => self.poll_input(input, source, &mut fx),
        }
        self.finish(before, fx)
    }

    /// Goes from `Idle`/`Stopped` (or, cross-tab, from following) to loading the OP iframe, or
    /// to discovering the OP first.
    pub(super) fn begin_polling(&mut self, fx: &mut Vec<Effect>) {
        self.no_response = 0;
        self.read_failures = 0;
        self.rp_failures = 0;
        self.guard.reset();
        self.unexpected = 0;
        // A new OP iframe: of what the last one proved, only that this browser shows the OP's
        // cookies to its iframe carries over (until the next `start()`, see `follow`).
        self.sight = Sight {
            proven: self.sight.proven,
            ..Sight::default()
        };
        if !self.config.op_iframe {
            self.phase = Phase::FirstPartyOnly;
        } else if let (None, OpLocation::Issuer(issuer)) = (&self.provider, &self.location) {
            // The OP is known by its issuer only: discover it first (once).
            self.phase = Phase::Discovering;
            fx.push(Effect::Discover {
                issuer: issuer.clone(),
            });
        } else {
            self.load(fx);
        }
        self.rp_fetch(fx);
    }

    /// A new run (`start()`, or a page back from the back/forward cache) proves the OP iframe's
    /// sight again.
    pub(super) fn forget_sight(&mut self) {
        self.sight = Sight::default();
    }

    /// Cross-tab: the leader's `unchanged` proves that this browser shows the OP's cookies to the
    /// OP iframe of every monitor on the channel (one top-level site, one cookie partition).
    pub(super) fn sight_proven(&mut self) {
        self.sight.proven = true;
    }

    /// Remembers the user a leader renewed, so a follower that takes over knows whom to expect.
    pub(super) fn learn_sub(&mut self, sub: &str) {
        self.expected_sub = Some(sub.to_owned());
    }

    /// The inputs of a monitor that polls (alone, or as the cross-tab leader).
    pub(super) fn poll_input(
        &mut self,
        input: Input,
        source: &mut dyn SessionStateSource,
        fx: &mut Vec<Effect>,
    ) {
        match (input, self.phase) {
            (Input::Start, Phase::Idle | Phase::Stopped) => {
                self.signed_out = false;
                self.forget_sight();
                if self.config.cross_tab {
                    self.follow(fx);
                } else {
                    self.begin_polling(fx);
                }
            }
            (Input::Discovered(result), Phase::Discovering) => match result {
                Ok(provider) => {
                    self.provider = Some(provider);
                    self.load(fx);
                }
                Err(e) => self.fail(MonitorError::Discovery(e), 1, fx),
            },
            (
                Input::SessionEnded {
                    reason,
                    from_other_tab,
                },
                _,
            ) if !self.signed_out => self.end_session(reason, !from_other_tab, fx),
            (Input::RpSessionAnswered { generation, answer }, _)
                if self.rp == RpPoll::InFlight && generation == self.rp_generation =>
            {
                fx.push(Effect::ClearTimer(Timer::RpSession));
                self.rp_answered(answer, fx);
            }
            (Input::TimerFired(Timer::RpSession), _) => match self.rp {
                RpPoll::Waiting => self.rp_fetch(fx),
                // The request took too long: its late answer will carry an old generation.
                RpPoll::InFlight => self.rp_answered(RpSessionAnswer::Unavailable, fx),
                RpPoll::Off | RpPoll::Hidden => {}
            },
            // start() or checkNow() while paused after `changed`, or while hidden: the host says go on.
            (Input::Start | Input::CheckNow, Phase::Paused | Phase::Hidden) => {
                self.check(source, fx)
            }
            (Input::VisibilityChanged { hidden }, phase) => {
                let shown = self.hidden && !hidden;
                self.hidden = hidden;
                if self.config.pause_when_hidden && hidden && self.rp == RpPoll::Waiting {
                    fx.push(Effect::ClearTimer(Timer::RpSession));
                    self.rp = RpPoll::Hidden;
                }
                if hidden {
                    if self.config.pause_when_hidden && phase == Phase::Waiting {
                        fx.push(Effect::ClearTimer(Timer::Poll));
                        self.phase = Phase::Hidden;
                    }
                } else if shown {
                    self.wake(source, fx);
                }
            }
            (Input::CheckNow, Phase::FirstPartyOnly) => self.rp_now(fx),
            (Input::CheckNow, Phase::Waiting) => {
                fx.push(Effect::ClearTimer(Timer::Poll));
                self.check(source, fx);
            }
            (Input::Stop, phase) if phase.is_running() => {
                self.halt(fx);
                fx.push(Effect::Emit(Event::Stopped(StopReason::Caller)));
            }
            // The hint read at a re-authentication: the host's `sub` option, if given, wins.
            (Input::UserHint(sub), _) if !sub.is_empty() && self.config.expected_sub.is_none() => {
                self.expected_sub = Some(sub)
            }
            (Input::UnexpectedAnswer(data), phase) if phase.is_running() => {
                self.unexpected += 1;
                if self.unexpected == 1 {
                    let value = data
                        .filter(|d| {
                            self.last_posted
                                .as_ref()
                                .is_none_or(|s| !contains(d, s.expose_secret()))
                        })
                        .map(|d| answer_preview(&d));
                    fx.push(Effect::Emit(Event::UnexpectedAnswer { value }));
                }
            }
            // `load` fired: the first check must be answered within the response timeout, like any
            // other (browsers fire `load` for error pages and cross-origin redirects too).
            (Input::IframeLoaded, Phase::Loading) => match source.read() {
                Ok(state) => {
                    fx.push(Effect::ClearTimer(Timer::Load));
                    self.post(state, fx);
                    self.phase = Phase::Connecting;
                }
                // Nothing to post, so nothing can prove the iframe works: take `load` at its word.
                Err(error) => {
                    fx.push(Effect::ClearTimer(Timer::Load));
                    self.report_read_failure(error, fx);
                }
            },
            (Input::TimerFired(Timer::Load), Phase::Loading) => {
                self.fail(MonitorError::LoadTimeout, 1, fx);
            }
            (Input::TimerFired(Timer::Poll), Phase::Waiting) => self.check(source, fx),
            (Input::TimerFired(Timer::Response), phase @ (Phase::InFlight | Phase::Connecting)) => {
                self.no_response += 1;
                let error = match phase {
                    Phase::Connecting => MonitorError::NoFirstResponse,
                    _ => MonitorError::NoResponse,
                };
                if self.no_response > self.config.max_no_response_retries {
                    self.fail(error, self.no_response, fx);
                } else {
                    fx.push(Effect::Emit(Event::Error {
                        error,
                        attempt: self.no_response,
                    }));
                    self.schedule(fx);
                }
            }
            (Input::Answer(answer), Phase::InFlight | Phase::Connecting) => {
                let connecting = self.phase == Phase::Connecting;
                fx.push(Effect::ClearTimer(Timer::Response));
                self.no_response = 0;
                self.unexpected = 0;
                let now = source.now_ms();
                let renewed = std::mem::take(&mut self.sight.renewed_in_flight);
                let first = !std::mem::replace(&mut self.sight.answered, true);
                if first {
                    self.sight.first_answer = Some(answer);
                }
                if let Some(evidence) = self.blind_evidence(&answer, first, renewed) {
                    self.blind(evidence, fx);
                    return;
                }
                match answer {
                    OpAnswer::Unchanged => {
                        self.sight = Sight {
                            proven: true,
                            answered: true,
                            first_answer: self.sight.first_answer,
                            ..Sight::default()
                        };
                        self.guard.check_answer_unchanged(now);
                        fx.push(Effect::Emit(Event::Unchanged));
                        self.schedule(fx);
                    }
                    OpAnswer::Changed => {
                        if first {
                            self.sight.first_changed = true;
                        }
                        fx.push(Effect::Emit(Event::Changed {
                            first_check: connecting,
                        }));
                        if !self.config.reauth {
                            self.phase = Phase::Paused;
                        } else {
                            match self.guard.check_answer_changed(now) {
                                Decision::Proceed => self.start_reauth(fx),
                                Decision::Backoff(ms) => {
                                    self.back_off(AfterBackoff::Reauth, ms, fx)
                                }
                                Decision::GiveUp => self.fail(MonitorError::ReauthLoop, 1, fx),
                            }
                        }
                    }
                    OpAnswer::Error if self.config.continue_on_error => {
                        fx.push(Effect::Emit(Event::Error {
                            error: MonitorError::OpError,
                            attempt: 1,
                        }));
                        self.schedule(fx);
                    }
                    OpAnswer::Error => self.fail(MonitorError::OpError, 1, fx),
                }
            }
            (Input::TimerFired(Timer::Backoff), Phase::BackingOff(then)) => match then {
                AfterBackoff::Reauth => self.start_reauth(fx),
                AfterBackoff::Resume => self.check(source, fx),
            },
            (Input::TimerFired(Timer::Reauth), Phase::Reauthenticating) => {
                self.fail(MonitorError::ReauthTimeout, 1, fx);
            }
            (
                Input::ReauthFinished {
                    generation,
                    outcome,
                },
                Phase::Reauthenticating,
            ) if generation == self.generation => {
                fx.push(Effect::ClearTimer(Timer::Reauth));
                self.finish_reauth(outcome, source, fx);
            }
            // Everything else is stale or redundant: an answer with nothing in flight, a timer that
            // lost a race, start() while running, checkNow() while a message is in flight.
            _ => {}
        }
    }

    /// A wake-up (shown, focus, online, or a follower's): one check at once, unless an earlier
    /// wake-up's check is that recent or a check is in flight.
    pub(super) fn wake(&mut self, source: &mut dyn SessionStateSource, fx: &mut Vec<Effect>) {
        // A check (or a follower's request) that recent answers for this moment too: the
        // shown/focus/online of one return give one check, and a wake from another tab right after
        // a poll adds nothing. Older ones do not count: the session may have ended since.
        let now = source.now_ms();
        let recent = self
            .last_wake
            .is_some_and(|t| now.saturating_sub(t) < self.config.wake_window_ms());
        if !recent {
            self.rp_now(fx);
        }
        match self.phase {
            Phase::Waiting if !recent => {
                fx.push(Effect::ClearTimer(Timer::Poll));
                self.check(source, fx);
            }
            // Paused while hidden: polling had stopped, so the return always checks.
            Phase::Hidden => self.check(source, fx),
            Phase::Following(_) if !recent => {
                self.last_wake = Some(now);
                self.ask(false, fx);
            }
            _ => {}
        }
    }

    /// Adds the OP iframe and waits for its `load`.
    fn load(&mut self, fx: &mut Vec<Effect>) {
        self.phase = Phase::Loading;
        fx.push(Effect::CreateIframe);
        fx.push(Effect::SetTimer(Timer::Load, self.config.load_timeout_ms));
    }

    /// Reads the session_state and posts a check, or reports why not and tries again later.
    pub(super) fn check(&mut self, source: &mut dyn SessionStateSource, fx: &mut Vec<Effect>) {
        match source.read() {
            Ok(state) => {
                self.last_wake = Some(source.now_ms());
                self.post(state, fx)
            }
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
        self.phase = Phase::BackingOff(then);
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
            // Never report `renewed` (nor store anything) without knowing whom we expect.
            ReauthOutcome::Renewed { .. } if self.expected_sub.is_none() => {
                self.fail(MonitorError::UnknownUser, 1, fx)
            }
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
                let same = self.last_posted.as_ref() == Some(&session_state);
                if !same {
                    fx.push(Effect::StoreSessionState(session_state.clone()));
                }
                fx.push(Effect::Emit(Event::Renewed { sub, sid }));
                match self.guard.renewal(source.now_ms(), same) {
                    // Post the renewed value itself: the store effect runs after this returns.
                    Decision::Proceed => {
                        self.post(session_state, fx);
                        self.sight.renewed_in_flight = true;
                    }
                    Decision::Backoff(ms) => self.back_off(AfterBackoff::Resume, ms, fx),
                    Decision::GiveUp => self.fail(MonitorError::ReauthLoop, 1, fx),
                }
            }
            // A blind silent iframe says login_required too: not a logout (see `blind_evidence`).
            ReauthOutcome::SignedOut if self.may_be_blind() && self.sight.first_changed => {
                self.blind(Evidence::LoginRequiredAfterFirstChanged, fx)
            }
            ReauthOutcome::SignedOut => self.end_session(SignOutReason::OpIframe, true, fx),
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

    /// Whether the OP iframe may be unable to see its cookies: it is cross-site and has not
    /// answered `unchanged` since `start()`.
    fn may_be_blind(&self) -> bool {
        self.config.op_site == OpSite::Cross && !self.sight.proven
    }

    /// Which evidence, if any, an answer gives that the OP iframe is blind. `first`: the
    /// iframe's first answer since `start()`; `renewed`: the value answered was issued by a
    /// renewal just now.
    fn blind_evidence(&self, answer: &OpAnswer, first: bool, renewed: bool) -> Option<Evidence> {
        if !self.may_be_blind() {
            return None;
        }
        match answer {
            OpAnswer::Error if first => Some(Evidence::ErrorFromStart),
            // With re-authentication, prompt=none tells a stale value from a blind iframe.
            OpAnswer::Changed if first && !self.config.reauth => Some(Evidence::FirstAnswerChanged),
            OpAnswer::Changed if renewed => Some(Evidence::ChangedAfterRenewal),
            _ => None,
        }
    }

    /// Reports `third_party_cookies_blocked`, then acts as `blind_policy` says: stop, or (with
    /// `rpSession` configured) drop the OP iframe and go on with the first-party signal alone.
    fn blind(&mut self, evidence: Evidence, fx: &mut Vec<Effect>) {
        let error = MonitorError::ThirdPartyCookiesBlocked(evidence);
        if self.config.blind_policy == BlindPolicy::RpSession && self.config.rp_session.is_some() {
            self.halt_op_iframe(fx);
            self.phase = Phase::FirstPartyOnly;
            fx.push(Effect::Emit(Event::Error { error, attempt: 1 }));
        } else {
            self.fail(error, 1, fx);
        }
    }

    fn fail(&mut self, error: MonitorError, attempt: u32, fx: &mut Vec<Effect>) {
        self.halt(fx);
        fx.push(Effect::Emit(Event::Error { error, attempt }));
        fx.push(Effect::Emit(Event::Stopped(StopReason::Error(error))));
    }

    /// Clears every timer, abandons a running re-authentication and removes the iframe. Events
    /// are pushed by the caller.
    pub(super) fn halt(&mut self, fx: &mut Vec<Effect>) {
        if matches!(self.phase, Phase::Following(_)) {
            fx.push(Effect::ClearTimer(Timer::Leader));
        }
        self.halt_op_iframe(fx);
        self.phase = Phase::Stopped;
        if self.rp != RpPoll::Off {
            self.rp = RpPoll::Off;
            fx.push(Effect::ClearTimer(Timer::RpSession));
        }
    }

    /// The OP iframe's side of [`halt`](Self::halt): its timers, a running re-authentication and
    /// the iframe itself (when there is one).
    fn halt_op_iframe(&mut self, fx: &mut Vec<Effect>) {
        if matches!(self.phase, Phase::Reauthenticating | Phase::BackingOff(_)) {
            fx.push(Effect::ClearTimer(Timer::Reauth));
            fx.push(Effect::ClearTimer(Timer::Backoff));
            fx.push(Effect::EndReauth);
        }
        if self.config.op_iframe && self.phase != Phase::FirstPartyOnly {
            fx.push(Effect::ClearTimer(Timer::Load));
            fx.push(Effect::ClearTimer(Timer::Poll));
            fx.push(Effect::ClearTimer(Timer::Response));
            fx.push(Effect::RemoveIframe);
        }
    }

    /// The session ended: stop everything, clear the stored session, tell the other tabs (unless
    /// they told us), and say so once.
    ///
    /// `op_iframe` (re-authentication said `login_required`) only stops and reports, as it always
    /// did: the stored values stay for the host to use (a later `start()` after signing in again),
    /// and every tab's own iframe sees the same OP session.
    fn end_session(&mut self, reason: SignOutReason, tell: bool, fx: &mut Vec<Effect>) {
        self.signed_out = true;
        let running = self.phase.is_running();
        if running {
            self.halt(fx);
        }
        if reason != SignOutReason::OpIframe {
            fx.push(Effect::ClearSession);
            if tell {
                fx.push(Effect::TellOtherTabs(reason));
            }
        }
        fx.push(Effect::Emit(Event::SignedOut(reason)));
        if running {
            fx.push(Effect::Emit(Event::Stopped(StopReason::SignedOut(reason))));
        }
    }

    /// Asks the RP's server now (focus, `checkNow()`), unless a request is in flight.
    fn rp_now(&mut self, fx: &mut Vec<Effect>) {
        match self.rp {
            RpPoll::Waiting => {
                fx.push(Effect::ClearTimer(Timer::RpSession));
                self.rp_fetch(fx);
            }
            RpPoll::Hidden => self.rp_fetch(fx),
            RpPoll::Off | RpPoll::InFlight => {}
        }
    }

    /// Sends an `rpSession` request, if that signal is configured.
    fn rp_fetch(&mut self, fx: &mut Vec<Effect>) {
        let Some(rp) = self.config.rp_session else {
            return;
        };
        self.rp = RpPoll::InFlight;
        self.rp_generation = self.rp_generation.wrapping_add(1);
        fx.push(Effect::FetchRpSession {
            generation: self.rp_generation,
        });
        fx.push(Effect::SetTimer(Timer::RpSession, rp.timeout_ms));
    }

    /// The request in flight ended (answered, or its deadline passed): its timer is not pending.
    fn rp_answered(&mut self, answer: RpSessionAnswer, fx: &mut Vec<Effect>) {
        self.rp = RpPoll::Off;
        match answer {
            RpSessionAnswer::Active => self.rp_failures = 0,
            // Only an explicit answer ends the session.
            RpSessionAnswer::Ended => return self.end_session(SignOutReason::RpSession, true, fx),
            RpSessionAnswer::Unavailable => {
                self.rp_failures = self.rp_failures.saturating_add(1);
                fx.push(Effect::Emit(Event::Error {
                    error: MonitorError::RpSessionUnavailable,
                    attempt: self.rp_failures,
                }));
            }
        }
        let Some(rp) = self.config.rp_session else {
            return;
        };
        if self.hidden && self.config.pause_when_hidden {
            self.rp = RpPoll::Hidden;
        } else {
            self.rp = RpPoll::Waiting;
            fx.push(Effect::SetTimer(Timer::RpSession, rp.interval_ms));
        }
    }
}

/// Whether `needle` occurs in `haystack` (bytes; `str::contains` pulls in the two-way searcher,
/// about 1.8 kB of wasm, for one check on a rare path).
fn contains(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w == n)
}
