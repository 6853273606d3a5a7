//! Unit tests of the transitions, one behaviour each.

use super::*;
use crate::core::discovery::{DiscoveryError, Endpoints, Provider};
use crate::core::logout::SignOutReason;
use crate::core::types::{CheckSessionUrl, ClientId, OpAnswer, SessionState};
use Effect::*;

/// What dropping the OP iframe does: clear its timers, remove it.
pub(super) const CLEAR_ALL: [Effect; 4] = [
    ClearTimer(Timer::Load),
    ClearTimer(Timer::Poll),
    ClearTimer(Timer::Response),
    RemoveIframe,
];

pub(super) fn cfg() -> Config {
    Config {
        interval_ms: 100,
        load_timeout_ms: 500,
        response_timeout_ms: 50,
        ..Config::default()
    }
}

pub(super) struct Src(Option<&'static str>);
impl SessionStateSource for Src {
    fn read(&mut self) -> Result<SessionState, MonitorError> {
        match self.0 {
            None => Err(MonitorError::NoSessionState),
            Some(v) => SessionState::new(v).map_err(|_| MonitorError::InvalidSessionState),
        }
    }
}

pub(super) fn machine(config: Config) -> Machine {
    Machine::new(
        ClientId::new("client01").unwrap(),
        config,
        OpLocation::CheckSessionIframe(check_session_url()),
    )
}

pub(super) const ISSUER: &str = "https://op.example";

fn check_session_url() -> CheckSessionUrl {
    CheckSessionUrl::new("https://op.example/check").unwrap()
}

/// A machine configured with an issuer: it discovers the OP at the first start().
pub(super) fn discovering_machine(config: Config) -> Machine {
    Machine::new(
        ClientId::new("client01").unwrap(),
        config,
        OpLocation::Issuer(ISSUER.into()),
    )
}

/// What a successful discovery of [`ISSUER`] reports.
pub(super) fn discovered() -> Input {
    Input::Discovered(Ok(Provider {
        check_session_iframe: check_session_url(),
        endpoints: Some(Endpoints {
            issuer: ISSUER.into(),
            authorization_endpoint: "https://op.example/authorize".into(),
            token_endpoint: None,
            end_session_endpoint: None,
        }),
    }))
}

/// `load` ends the load deadline; the first check then has the response deadline like any other.
fn first_post() -> Vec<Effect> {
    vec![
        ClearTimer(Timer::Load),
        Post("client01 abc.salt".into()),
        SetTimer(Timer::Response, 50),
    ]
}

fn post() -> Vec<Effect> {
    vec![
        Post("client01 abc.salt".into()),
        SetTimer(Timer::Response, 50),
    ]
}

/// What `start()` does with a known check_session_iframe: create it and wait for its `load`.
fn load() -> Vec<Effect> {
    vec![CreateIframe, SetTimer(Timer::Load, 500)]
}

/// What `start()` does with an issuer only: discover it.
fn discover() -> Vec<Effect> {
    vec![Discover {
        issuer: ISSUER.into(),
    }]
}

/// An `unchanged` answer with polling on: report it and schedule the next check.
fn unchanged() -> Vec<Effect> {
    vec![
        ClearTimer(Timer::Response),
        Emit(Event::Unchanged),
        SetTimer(Timer::Poll, 100),
    ]
}

/// The events of a monitor that stops on `error` (its first attempt).
fn fails(error: MonitorError) -> [Effect; 2] {
    [
        Emit(Event::Error { error, attempt: 1 }),
        Emit(Event::Stopped(StopReason::Error(error))),
    ]
}

/// A machine whose iframe has loaded, with its first message in flight.
fn loaded<S: SessionStateSource>(config: Config, mut s: S) -> (Machine, S) {
    let mut m = machine(config);
    m.handle(Input::Start, &mut s);
    m.handle(Input::IframeLoaded, &mut s);
    (m, s)
}

/// A machine past its first answer, with a message in flight.
fn in_flight(config: Config) -> (Machine, Src) {
    let (mut m, mut s) = loaded(config, Src(Some("abc.salt")));
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    m.handle(Input::TimerFired(Timer::Poll), &mut s);
    assert_eq!(m.phase(), Phase::InFlight);
    (m, s)
}

pub(super) fn concat(parts: &[&[Effect]]) -> Vec<Effect> {
    parts.iter().flat_map(|p| p.iter().cloned()).collect()
}

#[test]
fn start_creates_iframe_and_waits_for_load_before_posting() {
    let mut m = machine(cfg());
    let mut s = Src(Some("abc.salt"));
    assert_eq!(m.handle(Input::Start, &mut s), load());
    assert_eq!(m.phase(), Phase::Loading);
    // checkNow and poll timers before load post nothing.
    assert_eq!(m.handle(Input::CheckNow, &mut s), vec![]);
    assert_eq!(m.handle(Input::TimerFired(Timer::Poll), &mut s), vec![]);
    assert_eq!(m.handle(Input::IframeLoaded, &mut s), first_post());
    assert_eq!(m.phase(), Phase::Connecting);
    assert_eq!(m.phase().name(), "loading");
    assert_eq!(
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s),
        unchanged()
    );
}

#[test]
fn an_issuer_is_discovered_at_the_first_start_then_the_iframe_loads() {
    let mut m = discovering_machine(cfg());
    let mut s = Src(Some("abc.salt"));
    assert_eq!(m.provider(), None);
    assert_eq!(m.handle(Input::Start, &mut s), discover());
    assert_eq!(m.phase(), Phase::Discovering);
    assert_eq!(m.phase().name(), "loading");
    assert_eq!(m.handle(Input::Start, &mut s), vec![], "start() again");
    assert_eq!(m.handle(Input::CheckNow, &mut s), vec![]);
    assert_eq!(
        m.handle(Input::IframeLoaded, &mut s),
        vec![],
        "no iframe yet"
    );
    assert_eq!(m.handle(discovered(), &mut s), load());
    assert_eq!(m.phase(), Phase::Loading);
    assert!(m.provider().unwrap().endpoints.is_some());
    assert_eq!(m.handle(discovered(), &mut s), vec![], "a second result");
    assert_eq!(m.handle(Input::IframeLoaded, &mut s), first_post());
    // Discovery happens once: start() after stop() loads the iframe at once.
    m.handle(Input::Stop, &mut s);
    assert_eq!(m.handle(Input::Start, &mut s), load());
}

#[test]
fn a_failed_discovery_reports_its_code_and_stops() {
    let mut m = discovering_machine(cfg());
    let mut s = Src(Some("abc.salt"));
    m.handle(Input::Start, &mut s);
    let error = MonitorError::Discovery(DiscoveryError::NotSupported);
    assert_eq!(
        m.handle(Input::Discovered(Err(DiscoveryError::NotSupported)), &mut s),
        concat(&[&CLEAR_ALL, &fails(error)])
    );
    assert_eq!(error.code().as_str(), "not_supported");
    assert_eq!(m.phase(), Phase::Stopped);
    // start() tries again.
    assert_eq!(m.handle(Input::Start, &mut s), discover());
}

#[test]
fn stop_during_discovery_stops_and_the_late_result_is_dropped() {
    let mut m = discovering_machine(cfg());
    let mut s = Src(Some("abc.salt"));
    m.handle(Input::Start, &mut s);
    assert_eq!(
        m.handle(Input::Stop, &mut s),
        concat(&[&CLEAR_ALL, &[Emit(Event::Stopped(StopReason::Caller))]])
    );
    assert_eq!(m.handle(discovered(), &mut s), vec![]);
    assert_eq!(
        m.handle(Input::Discovered(Err(DiscoveryError::Network)), &mut s),
        vec![]
    );
    assert_eq!(m.phase(), Phase::Stopped);
}

#[test]
fn the_page_hidden_during_discovery_pauses_polling_after_the_first_answer() {
    let mut m = discovering_machine(Config {
        pause_when_hidden: true,
        ..cfg()
    });
    let mut s = Src(Some("abc.salt"));
    m.handle(Input::Start, &mut s);
    assert_eq!(
        m.handle(Input::VisibilityChanged { hidden: true }, &mut s),
        vec![]
    );
    m.handle(discovered(), &mut s);
    m.handle(Input::IframeLoaded, &mut s);
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    assert_eq!(m.phase(), Phase::Hidden, "the visibility change was kept");
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
        unchanged()
    );
}

#[test]
fn changed_as_the_very_first_answer_is_flagged() {
    let (mut m, mut s) = loaded(cfg(), Src(Some("abc.salt")));
    assert!(m
        .handle(Input::Answer(OpAnswer::Changed), &mut s)
        .contains(&Emit(Event::Changed { first_check: true })));
    let (mut m, mut s) = in_flight(cfg());
    assert!(m
        .handle(Input::Answer(OpAnswer::Changed), &mut s)
        .contains(&Emit(Event::Changed { first_check: false })));
}

/// Issue 9 (9): an iframe that loaded an error page (or was redirected to another origin) is
/// reported after `responseTimeoutMs` as `no_response` with `firstCheck`, not after the load
/// timeout; `load_timeout` only means `load` never fired.
#[test]
fn load_of_an_error_page_that_never_answers_is_a_first_check_no_response() {
    let config = Config {
        max_no_response_retries: 1,
        ..cfg()
    };
    let (mut m, mut s) = loaded(config, Src(Some("abc.salt")));
    assert_eq!(
        m.handle(Input::CheckNow, &mut s),
        vec![],
        "first message still in flight"
    );
    assert_eq!(
        m.handle(Input::TimerFired(Timer::Load), &mut s),
        vec![],
        "the load deadline ended with `load`"
    );
    let fx = m.handle(Input::TimerFired(Timer::Response), &mut s);
    assert_eq!(
        fx,
        vec![
            Emit(Event::Error {
                error: MonitorError::NoFirstResponse,
                attempt: 1
            }),
            SetTimer(Timer::Poll, 100)
        ]
    );
    assert!(MonitorError::NoFirstResponse.first_check());
    assert_eq!(MonitorError::NoFirstResponse.code().as_str(), "no_response");
    m.handle(Input::TimerFired(Timer::Poll), &mut s);
    let fx = m.handle(Input::TimerFired(Timer::Response), &mut s);
    assert!(fx.contains(&Emit(Event::Error {
        error: MonitorError::NoResponse,
        attempt: 2
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
        unchanged()
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
    assert_eq!(m.handle(Input::Start, &mut s), load());
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

pub(super) fn reauth_cfg() -> Config {
    Config {
        reauth: true,
        expected_sub: Some("alice".into()),
        reauth_timeout_ms: 1000,
        ..cfg()
    }
}

pub(super) fn renewed(state: &str, sub: &str) -> ReauthOutcome {
    ReauthOutcome::Renewed {
        session_state: SessionState::new(state).unwrap(),
        sub: sub.into(),
        sid: Some("sid-1".into()),
    }
}

/// A machine re-authenticating (generation 1) after an answer `changed`.
fn reauthenticating(config: Config) -> (Machine, Src) {
    let (mut m, mut s) = in_flight(config);
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(m.phase(), Phase::Reauthenticating);
    (m, s)
}

fn finished(generation: u32, outcome: ReauthOutcome) -> Input {
    Input::ReauthFinished {
        generation,
        outcome,
    }
}

/// What ending a re-authentication and dropping the OP iframe does.
pub(super) const HALT_REAUTH: [Effect; 7] = [
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
    let (mut m, mut s) = reauthenticating(reauth_cfg());
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
    let (mut m, mut s) = reauthenticating(Config {
        expected_sub: Some("alice".into()),
        ..reauth_cfg()
    });
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

/// Issue 9 (1): without a `sub` option and without a hint, a renewal cannot be told apart from
/// another user's: it ends in `unknown_user`, writes nothing and reports no `renewed`.
#[test]
fn a_renewal_for_an_unknown_user_is_unknown_user_and_writes_nothing() {
    let (mut m, mut s) = reauthenticating(Config {
        expected_sub: None,
        ..reauth_cfg()
    });
    let fx = m.handle(finished(1, renewed("mallory-state", "mallory")), &mut s);
    assert_eq!(
        fx,
        concat(&[
            &[ClearTimer(Timer::Reauth)],
            &HALT_REAUTH,
            &fails(MonitorError::UnknownUser)
        ])
    );
    assert_eq!(MonitorError::UnknownUser.code().as_str(), "unknown_user");
}

/// Issue 9 (1): the hint read at an attempt teaches the expected user, an empty one teaches
/// nothing, and what was learnt survives `stop()`/`start()`.
#[test]
fn the_hint_teaches_the_user_and_it_is_kept_across_stop_and_start() {
    let (mut m, mut s) = in_flight(Config {
        expected_sub: None,
        ..reauth_cfg()
    });
    assert_eq!(m.handle(Input::UserHint(String::new()), &mut s), vec![]);
    assert_eq!(m.handle(Input::UserHint("alice".into()), &mut s), vec![]);
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(m.handle(Input::UserHint(String::new()), &mut s), vec![]);
    let fx = m.handle(finished(1, renewed("s2", "alice")), &mut s);
    assert!(fx.contains(&StoreSessionState(SessionState::new("s2").unwrap())));
    assert!(fx.iter().any(|f| matches!(f, Emit(Event::Renewed { .. }))));
    // Stopped and started again: alice is still the expected user, so mallory is a change.
    m.handle(Input::Stop, &mut s);
    m.handle(Input::Start, &mut s);
    m.handle(Input::IframeLoaded, &mut s);
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    let fx = m.handle(finished(2, renewed("s3", "mallory")), &mut s);
    assert!(fx.contains(&Emit(Event::UserChanged {
        sub: "mallory".into(),
        sid: Some("sid-1".into())
    })));
    assert!(!fx.iter().any(|f| matches!(f, StoreSessionState(_))));
}

/// The host's `sub` option wins over a hint for another user.
#[test]
fn the_sub_option_wins_over_the_hint() {
    let (mut m, mut s) = in_flight(reauth_cfg());
    m.handle(Input::UserHint("mallory".into()), &mut s);
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    let fx = m.handle(finished(1, renewed("s2", "mallory")), &mut s);
    assert!(fx.contains(&Emit(Event::Stopped(StopReason::UserChanged))));
}

/// Issue 9 (10): a message from the OP window that is no answer is reported once per streak,
/// with a short preview that never holds the session_state; the check stays in flight.
#[test]
fn unexpected_answers_are_reported_once_per_streak() {
    let (mut m, mut s) = in_flight(cfg());
    let junk = |d: &str| Input::UnexpectedAnswer(Some(d.into()));
    assert_eq!(
        m.handle(junk("connected"), &mut s),
        vec![Emit(Event::UnexpectedAnswer {
            value: Some("connected".into())
        })]
    );
    assert_eq!(m.handle(junk("connected"), &mut s), vec![], "same streak");
    assert_eq!(m.handle(Input::UnexpectedAnswer(None), &mut s), vec![]);
    assert_eq!(m.phase(), Phase::InFlight, "still waiting for the answer");
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    m.handle(Input::TimerFired(Timer::Poll), &mut s);
    // A new streak; the OP echoing the message never puts the session_state in an event.
    assert_eq!(
        m.handle(junk("echo: client01 abc.salt"), &mut s),
        vec![Emit(Event::UnexpectedAnswer { value: None })]
    );
    m.handle(Input::Stop, &mut s);
    assert_eq!(m.handle(junk("late"), &mut s), vec![], "not while stopped");
}

#[test]
fn signed_out_and_interaction_required_stop_polling() {
    let (mut m, mut s) = reauthenticating(reauth_cfg());
    let fx = m.handle(finished(1, ReauthOutcome::SignedOut), &mut s);
    assert_eq!(
        &fx[fx.len() - 2..],
        &[
            Emit(Event::SignedOut(SignOutReason::OpIframe)),
            Emit(Event::Stopped(StopReason::SignedOut(
                SignOutReason::OpIframe
            )))
        ]
    );
    assert!(
        !fx.iter()
            .any(|f| matches!(f, ClearSession | TellOtherTabs(_))),
        "login_required keeps the stored values and tells no tab (each iframe sees the OP)"
    );
    assert!(fx.contains(&EndReauth));
    assert_eq!(m.phase(), Phase::Stopped);

    let (mut m, mut s) = reauthenticating(reauth_cfg());
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
    let (mut m, mut s) = reauthenticating(reauth_cfg());
    let fx = m.handle(Input::TimerFired(Timer::Reauth), &mut s);
    assert_eq!(
        fx,
        concat(&[&HALT_REAUTH, &fails(MonitorError::ReauthTimeout)])
    );
    assert_eq!(
        m.handle(finished(1, renewed("late", "alice")), &mut s),
        vec![],
        "late outcome"
    );
}

#[test]
fn failed_reauth_is_an_error_not_a_logout() {
    let (mut m, mut s) = reauthenticating(reauth_cfg());
    let e = MonitorError::Reauth {
        code: crate::core::error_code::ErrorCode::StateMismatch,
        message: "m",
    };
    let fx = m.handle(finished(1, ReauthOutcome::Failed(e)), &mut s);
    assert!(fx.contains(&Emit(Event::Error {
        error: e,
        attempt: 1
    })));
    assert!(!fx
        .iter()
        .any(|f| matches!(f, Emit(Event::SignedOut(_)) | ClearSession)));
}

#[test]
fn stop_during_reauth_cancels_it() {
    let (mut m, mut s) = reauthenticating(reauth_cfg());
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
pub(super) struct Clocked {
    pub(super) state: &'static str,
    pub(super) now: u64,
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
    let clock = Clocked {
        state: "s0",
        now: 0,
    };
    let (mut m, mut s) = loaded(reauth_cfg(), clock);
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

/// `checkNow()` is for a monitor that waits for its next check: while a back-off runs it changes
/// nothing (the back-off is loop protection), and after `stop()` it does nothing at all.
#[test]
fn check_now_waits_for_a_back_off_and_does_nothing_when_stopped() {
    let clock = Clocked {
        state: "s0",
        now: 0,
    };
    let (mut m, mut s) = loaded(reauth_cfg(), clock);
    let mut backing_off = false;
    for step in 0..10 {
        s.now += 100;
        let fx = m.handle(Input::Answer(OpAnswer::Changed), &mut s);
        if fx.iter().any(|f| matches!(f, SetTimer(Timer::Backoff, _))) {
            backing_off = true;
            break;
        }
        let Some(StartReauth { generation }) =
            fx.iter().find(|f| matches!(f, StartReauth { .. })).cloned()
        else {
            panic!("step {step}: neither a re-authentication nor a back-off: {fx:?}");
        };
        let fresh: &'static str = Box::leak(format!("s{step}").into_boxed_str());
        let fx = m.handle(finished(generation, renewed(fresh, "alice")), &mut s);
        if fx.iter().any(|f| matches!(f, SetTimer(Timer::Backoff, _))) {
            backing_off = true;
            break;
        }
    }
    assert!(backing_off, "never backed off");
    let phase = m.phase();
    assert!(matches!(phase, Phase::BackingOff(_)), "{phase:?}");
    assert_eq!(
        m.handle(Input::CheckNow, &mut s),
        vec![],
        "checkNow() while backing off"
    );
    assert_eq!(m.phase(), phase);
    assert_ne!(
        m.handle(Input::TimerFired(Timer::Backoff), &mut s),
        vec![],
        "the back-off's own timer goes on"
    );
    m.handle(Input::Stop, &mut s);
    assert_eq!(m.phase(), Phase::Stopped);
    assert_eq!(
        m.handle(Input::CheckNow, &mut s),
        vec![],
        "checkNow() when stopped"
    );
    assert_eq!(m.phase(), Phase::Stopped);
}

#[test]
fn a_renewal_with_the_same_session_state_is_suspicious() {
    let clock = Clocked {
        state: "same",
        now: 0,
    };
    let (mut m, mut s) = loaded(reauth_cfg(), clock);
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
    assert_eq!(
        m.handle(Input::Answer(OpAnswer::Error), &mut s),
        concat(&[
            &[ClearTimer(Timer::Response)],
            &CLEAR_ALL,
            &fails(MonitorError::OpError)
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
        concat(&[&CLEAR_ALL, &fails(MonitorError::LoadTimeout)])
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
