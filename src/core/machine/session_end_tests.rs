//! Unit tests of the first-party session signal (`rpSession`) and of the end of a session
//! (`logout()`, front-channel, another tab), one behaviour each.

use super::tests::{cfg, concat, machine, CLEAR_ALL};
use super::*;
use crate::core::logout::{RpSessionAnswer, SignOutReason};
use crate::core::types::SessionState;
use Effect::*;

struct Src;
impl SessionStateSource for Src {
    fn read(&mut self) -> Result<SessionState, MonitorError> {
        SessionState::new("abc.salt").map_err(|_| MonitorError::InvalidSessionState)
    }
}

const RP: RpSessionConfig = RpSessionConfig {
    interval_ms: 1000,
    timeout_ms: 300,
};

fn rp_cfg(op_iframe: bool) -> Config {
    Config {
        op_iframe,
        rp_session: Some(RP),
        ..cfg()
    }
}

fn answered(generation: u32, answer: RpSessionAnswer) -> Input {
    Input::RpSessionAnswered { generation, answer }
}

fn fetch(generation: u32) -> [Effect; 2] {
    [
        FetchRpSession { generation },
        SetTimer(Timer::RpSession, 300),
    ]
}

fn ended(reason: SignOutReason, from_other_tab: bool) -> Input {
    Input::SessionEnded {
        reason,
        from_other_tab,
    }
}

#[test]
fn rp_session_alone_needs_no_iframe_and_polls_after_each_answer() {
    let mut m = machine(rp_cfg(false));
    assert_eq!(m.handle(Input::Start, &mut Src), fetch(1));
    assert_eq!(m.phase(), Phase::FirstPartyOnly);
    assert_eq!(m.phase().name(), "waiting");
    assert_eq!(
        m.handle(answered(1, RpSessionAnswer::Active), &mut Src),
        vec![
            ClearTimer(Timer::RpSession),
            SetTimer(Timer::RpSession, 1000)
        ]
    );
    assert_eq!(m.rp(), RpPoll::Waiting);
    assert_eq!(
        m.handle(Input::TimerFired(Timer::RpSession), &mut Src),
        fetch(2)
    );
    // stop() releases the timer; there is no iframe to remove.
    assert_eq!(
        m.handle(Input::Stop, &mut Src),
        vec![
            ClearTimer(Timer::RpSession),
            Emit(Event::Stopped(StopReason::Caller))
        ]
    );
    assert_eq!(
        m.handle(answered(2, RpSessionAnswer::Ended), &mut Src),
        vec![],
        "an answer after stop() is dropped"
    );
}

#[test]
fn rp_session_runs_beside_the_op_iframe() {
    let mut m = machine(rp_cfg(true));
    let fx = m.handle(Input::Start, &mut Src);
    assert_eq!(
        fx,
        [
            &[CreateIframe, SetTimer(Timer::Load, 500)][..],
            &fetch(1)[..]
        ]
        .concat()
    );
    m.handle(Input::IframeLoaded, &mut Src);
    // The OP iframe's timers and the rp signal's timer do not disturb each other.
    m.handle(answered(1, RpSessionAnswer::Active), &mut Src);
    assert_eq!(m.phase(), Phase::Connecting);
    assert_eq!(m.rp(), RpPoll::Waiting);
}

#[test]
fn an_ended_rp_session_signs_out_everywhere_once() {
    let mut m = machine(rp_cfg(true));
    m.handle(Input::Start, &mut Src);
    let fx = m.handle(answered(1, RpSessionAnswer::Ended), &mut Src);
    assert_eq!(
        fx,
        concat(&[
            &[ClearTimer(Timer::RpSession)],
            &CLEAR_ALL,
            &[
                ClearSession,
                TellOtherTabs(SignOutReason::RpSession),
                Emit(Event::SignedOut(SignOutReason::RpSession)),
                Emit(Event::Stopped(StopReason::SignedOut(
                    SignOutReason::RpSession
                ))),
            ]
        ])
    );
    assert_eq!(m.phase(), Phase::Stopped);
    assert_eq!(
        StopReason::SignedOut(SignOutReason::RpSession).code(),
        "rp_session"
    );
    // The same end, told by another channel or tab, is not reported twice.
    assert_eq!(
        m.handle(ended(SignOutReason::Frontchannel, true), &mut Src),
        vec![]
    );
    // A new start() is a new session.
    m.handle(Input::Start, &mut Src);
    assert!(m
        .handle(ended(SignOutReason::Frontchannel, true), &mut Src)
        .contains(&Emit(Event::SignedOut(SignOutReason::Frontchannel))));
}

#[test]
fn an_unusable_rp_answer_is_an_error_never_a_logout() {
    let mut m = machine(rp_cfg(false));
    m.handle(Input::Start, &mut Src);
    let fx = m.handle(answered(1, RpSessionAnswer::Unavailable), &mut Src);
    assert_eq!(
        fx,
        vec![
            ClearTimer(Timer::RpSession),
            Emit(Event::Error {
                error: MonitorError::RpSessionUnavailable,
                attempt: 1
            }),
            SetTimer(Timer::RpSession, 1000)
        ]
    );
    assert_eq!(
        MonitorError::RpSessionUnavailable.code().as_str(),
        "rp_session_unavailable"
    );
    // A request that never answers times out the same way; its late answer is dropped.
    m.handle(Input::TimerFired(Timer::RpSession), &mut Src);
    let fx = m.handle(Input::TimerFired(Timer::RpSession), &mut Src);
    assert_eq!(
        fx,
        vec![
            Emit(Event::Error {
                error: MonitorError::RpSessionUnavailable,
                attempt: 2
            }),
            SetTimer(Timer::RpSession, 1000)
        ]
    );
    assert_eq!(
        m.handle(answered(2, RpSessionAnswer::Ended), &mut Src),
        vec![]
    );
    assert_eq!(m.phase(), Phase::FirstPartyOnly);
    // An answer that works resets the count.
    m.handle(Input::TimerFired(Timer::RpSession), &mut Src);
    m.handle(answered(3, RpSessionAnswer::Active), &mut Src);
    m.handle(Input::TimerFired(Timer::RpSession), &mut Src);
    assert!(m
        .handle(answered(4, RpSessionAnswer::Unavailable), &mut Src)
        .contains(&Emit(Event::Error {
            error: MonitorError::RpSessionUnavailable,
            attempt: 1
        })));
}

#[test]
fn focus_and_check_now_ask_the_rp_server_at_once() {
    let mut m = machine(rp_cfg(false));
    m.handle(Input::Start, &mut Src);
    assert_eq!(m.handle(Input::Focused, &mut Src), vec![], "one in flight");
    m.handle(answered(1, RpSessionAnswer::Active), &mut Src);
    let fx = m.handle(Input::Focused, &mut Src);
    assert_eq!(
        fx,
        [&[ClearTimer(Timer::RpSession)][..], &fetch(2)[..]].concat()
    );
    m.handle(answered(2, RpSessionAnswer::Active), &mut Src);
    let fx = m.handle(Input::CheckNow, &mut Src);
    assert_eq!(
        fx,
        [&[ClearTimer(Timer::RpSession)][..], &fetch(3)[..]].concat()
    );
    m.handle(Input::Stop, &mut Src);
    assert_eq!(
        m.handle(Input::Focused, &mut Src),
        vec![],
        "not after stop()"
    );
}

#[test]
fn hidden_pages_pause_the_rp_signal_when_asked() {
    let mut m = machine(Config {
        pause_when_hidden: true,
        ..rp_cfg(false)
    });
    m.handle(Input::Start, &mut Src);
    m.handle(answered(1, RpSessionAnswer::Active), &mut Src);
    assert_eq!(
        m.handle(Input::VisibilityChanged { hidden: true }, &mut Src),
        vec![ClearTimer(Timer::RpSession)]
    );
    assert_eq!(m.rp(), RpPoll::Hidden);
    assert_eq!(
        m.handle(Input::VisibilityChanged { hidden: false }, &mut Src),
        fetch(2)
    );
    // Hidden while a request is in flight: its answer counts, then the signal pauses.
    m.handle(Input::VisibilityChanged { hidden: true }, &mut Src);
    assert_eq!(
        m.handle(answered(2, RpSessionAnswer::Active), &mut Src),
        vec![ClearTimer(Timer::RpSession)]
    );
    assert_eq!(m.rp(), RpPoll::Hidden);
}

#[test]
fn logout_in_this_tab_tells_the_others_and_a_told_tab_does_not_echo() {
    let mut m = machine(cfg());
    m.handle(Input::Start, &mut Src);
    let fx = m.handle(ended(SignOutReason::RpInitiated, false), &mut Src);
    assert!(fx.contains(&TellOtherTabs(SignOutReason::RpInitiated)));
    assert!(fx.contains(&ClearSession));
    assert!(fx.contains(&RemoveIframe));
    assert_eq!(
        &fx[fx.len() - 2..],
        &[
            Emit(Event::SignedOut(SignOutReason::RpInitiated)),
            Emit(Event::Stopped(StopReason::SignedOut(
                SignOutReason::RpInitiated
            )))
        ]
    );

    let mut other = machine(cfg());
    other.handle(Input::Start, &mut Src);
    let fx = other.handle(ended(SignOutReason::RpInitiated, true), &mut Src);
    assert!(!fx.iter().any(|f| matches!(f, TellOtherTabs(_))));
    assert!(fx.contains(&ClearSession));
    assert_eq!(other.phase(), Phase::Stopped);
}

#[test]
fn a_stopped_or_idle_monitor_still_says_signed_out_but_not_stopped() {
    let mut m = machine(cfg());
    assert_eq!(
        m.handle(ended(SignOutReason::Frontchannel, true), &mut Src),
        vec![
            ClearSession,
            Emit(Event::SignedOut(SignOutReason::Frontchannel))
        ]
    );
    assert_eq!(m.phase(), Phase::Idle);
    let mut m = machine(cfg());
    m.handle(Input::Start, &mut Src);
    m.handle(Input::Stop, &mut Src);
    assert_eq!(
        m.handle(ended(SignOutReason::RpInitiated, false), &mut Src),
        vec![
            ClearSession,
            TellOtherTabs(SignOutReason::RpInitiated),
            Emit(Event::SignedOut(SignOutReason::RpInitiated))
        ]
    );
}
