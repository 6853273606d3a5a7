//! Unit tests of cross-tab leadership, hand-off, the stuck-leader rule and page lifecycle.

use super::tests::{cfg, concat, machine, reauth_cfg, renewed, Clocked, CLEAR_ALL, HALT_REAUTH};
use super::*;
use crate::core::logout::SignOutReason;
use crate::core::tabs::{ErrorDetail, TabEvent, TabMessage, View};
use crate::core::types::OpAnswer;
use Effect::*;

fn shared() -> Config {
    Config {
        cross_tab: true,
        ..cfg()
    }
}

/// 3 × 100 ms + 50 ms response timeout.
const STALE: u32 = 350;

fn src() -> Clocked {
    Clocked {
        state: "abc.salt",
        now: 10_000,
    }
}

fn event(event: TabEvent, view: View, hidden: bool) -> Input {
    Input::Tab(TabMessage::Event {
        event,
        view,
        hidden,
    })
}

fn state(view: View, hidden: bool) -> Input {
    Input::Tab(TabMessage::State { view, hidden })
}

fn says(event: TabEvent, view: View) -> Effect {
    Broadcast(TabMessage::Event {
        event,
        view,
        hidden: false,
    })
}

/// A started follower (nothing heard yet).
fn follower(config: Config) -> (Machine, Clocked) {
    let mut m = machine(config);
    let mut s = src();
    m.handle(Input::Start, &mut s);
    (m, s)
}

/// A leader past its first answer, waiting for its next check.
fn leader(config: Config) -> (Machine, Clocked) {
    let (mut m, mut s) = follower(config);
    m.handle(Input::LockAcquired, &mut s);
    m.handle(Input::IframeLoaded, &mut s);
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    assert_eq!(m.phase(), Phase::Waiting);
    (m, s)
}

#[test]
fn start_opens_the_channel_queues_for_the_lock_and_asks_the_leader() {
    let mut m = machine(shared());
    let mut s = src();
    assert_eq!(
        m.handle(Input::Start, &mut s),
        vec![
            OpenChannel,
            RequestLock { steal: false },
            Broadcast(TabMessage::Check { explicit: false }),
            SetTimer(Timer::Leader, STALE),
        ]
    );
    assert_eq!(m.phase(), Phase::Following(View::Unknown));
    assert_eq!(m.phase().name(), "loading");
    // A follower holds no iframe: iframe, answer and poll inputs do nothing.
    for input in [
        Input::IframeLoaded,
        Input::Answer(OpAnswer::Changed),
        Input::TimerFired(Timer::Poll),
        Input::TimerFired(Timer::Load),
        Input::Start,
    ] {
        assert_eq!(m.handle(input, &mut s), vec![]);
    }
}

#[test]
fn the_lock_makes_a_leader_that_polls_and_says_everything() {
    let (mut m, mut s) = follower(shared());
    assert_eq!(
        m.handle(Input::LockAcquired, &mut s),
        vec![
            ClearTimer(Timer::Leader),
            CreateIframe,
            SetTimer(Timer::Load, 500),
            Broadcast(TabMessage::State {
                view: View::Loading,
                hidden: false
            }),
        ]
    );
    assert_eq!(
        m.handle(Input::IframeLoaded, &mut s),
        vec![
            ClearTimer(Timer::Load),
            Post("client01 abc.salt".into()),
            SetTimer(Timer::Response, 50)
        ]
    );
    assert_eq!(
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s),
        vec![
            ClearTimer(Timer::Response),
            Emit(Event::Unchanged),
            says(TabEvent::Unchanged, View::Waiting),
            SetTimer(Timer::Poll, 100),
        ]
    );
    // A check in flight is said too, so followers see `checking` and know the leader lives.
    assert_eq!(
        m.handle(Input::TimerFired(Timer::Poll), &mut s),
        vec![
            Post("client01 abc.salt".into()),
            SetTimer(Timer::Response, 50),
            Broadcast(TabMessage::State {
                view: View::Checking,
                hidden: false
            }),
        ]
    );
}

#[test]
fn followers_relay_the_leaders_events_and_show_its_phase() {
    let (mut m, mut s) = follower(shared());
    assert_eq!(
        m.handle(event(TabEvent::Unchanged, View::Waiting, false), &mut s),
        vec![Relay(TabEvent::Unchanged), SetTimer(Timer::Leader, STALE)]
    );
    assert_eq!(m.phase().name(), "waiting");
    assert_eq!(
        m.handle(state(View::Checking, false), &mut s),
        vec![SetTimer(Timer::Leader, STALE)]
    );
    assert_eq!(m.phase().name(), "checking");
    // Quiet phases of the leader: a re-authentication has its own timeout; a pause has none.
    assert_eq!(
        m.handle(
            event(
                TabEvent::Changed { first_check: false },
                View::Reauthenticating,
                false
            ),
            &mut s
        ),
        vec![
            Relay(TabEvent::Changed { first_check: false }),
            SetTimer(Timer::Leader, 1000 * 10 + STALE),
        ]
    );
    assert_eq!(
        m.handle(state(View::Paused, false), &mut s),
        vec![ClearTimer(Timer::Leader)]
    );
    assert_eq!(m.phase().name(), "paused");
    // Other followers' requests are for the leader.
    assert_eq!(
        m.handle(Input::Tab(TabMessage::Check { explicit: true }), &mut s),
        vec![]
    );
}

#[test]
fn a_shared_stop_stops_every_follower() {
    let (mut l, mut s) = leader(shared());
    l.handle(Input::TimerFired(Timer::Poll), &mut s);
    let error = Event::Error {
        error: MonitorError::OpError,
        attempt: 1,
    };
    let stopped = Event::Stopped(StopReason::Error(MonitorError::OpError));
    assert_eq!(
        l.handle(Input::Answer(OpAnswer::Error), &mut s),
        concat(&[
            &[ClearTimer(Timer::Response)],
            &CLEAR_ALL,
            &[
                Emit(error.clone()),
                says(TabEvent::from(&error), View::Stopped),
                Emit(stopped.clone()),
                says(TabEvent::from(&stopped), View::Stopped),
                ReleaseLock,
                CloseChannel,
            ]
        ])
    );
    let (mut f, mut s) = follower(shared());
    f.handle(event(TabEvent::from(&error), View::Stopped, false), &mut s);
    assert_eq!(
        f.handle(
            event(TabEvent::from(&stopped), View::Stopped, false),
            &mut s
        ),
        vec![
            Relay(TabEvent::from(&stopped)),
            ClearTimer(Timer::Leader),
            ReleaseLock,
            CloseChannel,
        ]
    );
    assert_eq!(f.phase(), Phase::Stopped);
}

#[test]
fn the_leaders_own_stop_hands_over_instead_of_stopping_everyone() {
    let (mut l, mut s) = leader(shared());
    assert_eq!(
        l.handle(Input::Stop, &mut s),
        concat(&[
            &CLEAR_ALL,
            &[
                Emit(Event::Stopped(StopReason::Caller)),
                Broadcast(TabMessage::Bye),
                ReleaseLock,
                CloseChannel,
            ]
        ])
    );
    // A follower hears Bye: nothing is known until the next leader speaks.
    let (mut f, mut s) = follower(shared());
    f.handle(state(View::Waiting, false), &mut s);
    assert_eq!(
        f.handle(Input::Tab(TabMessage::Bye), &mut s),
        vec![SetTimer(Timer::Leader, STALE)]
    );
    assert_eq!(f.phase(), Phase::Following(View::Unknown));
    // A follower's own stop(): local only.
    assert_eq!(
        f.handle(Input::Stop, &mut s),
        vec![
            ClearTimer(Timer::Leader),
            Emit(Event::Stopped(StopReason::Caller)),
            ReleaseLock,
            CloseChannel,
        ]
    );
}

#[test]
fn a_silent_leader_is_stolen_from_by_a_visible_follower() {
    let (mut f, mut s) = follower(shared());
    f.handle(event(TabEvent::Unchanged, View::Waiting, false), &mut s);
    assert_eq!(f.phase().name(), "waiting");
    assert_eq!(
        f.handle(Input::TimerFired(Timer::Leader), &mut s),
        vec![RequestLock { steal: true }, SetTimer(Timer::Leader, STALE)]
    );
    // The old `unchanged` is no longer trusted.
    assert_eq!(f.phase().name(), "loading");
    // Still no steal granted: the timer fires again, no second steal.
    assert_eq!(
        f.handle(Input::TimerFired(Timer::Leader), &mut s),
        vec![SetTimer(Timer::Leader, STALE)]
    );
    assert_eq!(
        f.handle(Input::LockAcquired, &mut s)[..3],
        [
            ClearTimer(Timer::Leader),
            CreateIframe,
            SetTimer(Timer::Load, 500)
        ]
    );
}

#[test]
fn a_hidden_follower_steals_from_a_stuck_leader_once_shown() {
    let (mut f, mut s) = follower(shared());
    f.handle(Input::VisibilityChanged { hidden: true }, &mut s);
    f.handle(event(TabEvent::Unchanged, View::Waiting, false), &mut s);
    assert_eq!(f.handle(Input::TimerFired(Timer::Leader), &mut s), vec![]);
    assert_eq!(f.phase().name(), "loading");
    assert_eq!(
        f.handle(Input::VisibilityChanged { hidden: false }, &mut s),
        vec![RequestLock { steal: true }, SetTimer(Timer::Leader, STALE)]
    );
}

#[test]
fn the_robbed_leader_follows_quietly() {
    let (mut l, mut s) = leader(reauth_cfg_shared());
    l.handle(Input::TimerFired(Timer::Poll), &mut s);
    l.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(l.phase(), Phase::Reauthenticating);
    assert_eq!(
        l.handle(Input::LockLost, &mut s),
        concat(&[
            &HALT_REAUTH,
            &[RequestLock { steal: false }, SetTimer(Timer::Leader, STALE)]
        ])
    );
    assert_eq!(l.phase(), Phase::Following(View::Unknown));
    // The abandoned re-authentication's outcome is dropped.
    assert_eq!(
        l.handle(
            Input::ReauthFinished {
                generation: 1,
                outcome: ReauthOutcome::SignedOut
            },
            &mut s
        ),
        vec![]
    );
}

fn reauth_cfg_shared() -> Config {
    Config {
        cross_tab: true,
        ..reauth_cfg()
    }
}

#[test]
fn a_visible_follower_takes_over_from_an_idle_hidden_leader_only() {
    let (mut f, mut s) = follower(shared());
    // Hidden leader in the middle of a re-authentication: not now.
    assert_eq!(
        f.handle(
            event(
                TabEvent::Changed { first_check: false },
                View::Reauthenticating,
                true
            ),
            &mut s
        ),
        vec![
            Relay(TabEvent::Changed { first_check: false }),
            SetTimer(Timer::Leader, 10_000 + STALE),
        ]
    );
    assert_eq!(
        f.handle(state(View::Checking, true), &mut s),
        vec![SetTimer(Timer::Leader, STALE)]
    );
    // Idle: now.
    assert_eq!(
        f.handle(event(TabEvent::Unchanged, View::Waiting, true), &mut s),
        vec![
            Relay(TabEvent::Unchanged),
            RequestLock { steal: true },
            SetTimer(Timer::Leader, STALE),
        ]
    );
    // A hidden follower never takes over from a hidden leader.
    let (mut h, mut s) = follower(shared());
    h.handle(Input::VisibilityChanged { hidden: true }, &mut s);
    assert_eq!(
        h.handle(state(View::Hidden, true), &mut s),
        vec![ClearTimer(Timer::Leader)]
    );
}

#[test]
fn a_leader_says_when_it_is_hidden() {
    let (mut l, mut s) = leader(shared());
    assert_eq!(
        l.handle(Input::VisibilityChanged { hidden: true }, &mut s),
        vec![Broadcast(TabMessage::State {
            view: View::Waiting,
            hidden: true
        })]
    );
}

#[test]
fn check_now_in_a_follower_asks_the_leader() {
    let (mut f, mut s) = follower(shared());
    f.handle(state(View::Waiting, false), &mut s);
    assert_eq!(
        f.handle(Input::CheckNow, &mut s),
        vec![Broadcast(TabMessage::Check { explicit: true })]
    );
    let (mut l, mut s) = leader(shared());
    assert_eq!(
        l.handle(Input::Tab(TabMessage::Check { explicit: true }), &mut s),
        vec![
            ClearTimer(Timer::Poll),
            Post("client01 abc.salt".into()),
            SetTimer(Timer::Response, 50),
            Broadcast(TabMessage::State {
                view: View::Checking,
                hidden: false
            }),
        ]
    );
    // While in flight: nothing to do but say so (a new follower learns the leader lives).
    assert_eq!(
        l.handle(Input::Tab(TabMessage::Check { explicit: false }), &mut s),
        vec![Broadcast(TabMessage::State {
            view: View::Checking,
            hidden: false
        })]
    );
}

#[test]
fn a_paused_leader_is_resumed_by_a_followers_start() {
    let (mut f, mut s) = follower(shared());
    f.handle(state(View::Paused, false), &mut s);
    assert_eq!(
        f.handle(Input::Start, &mut s),
        vec![Broadcast(TabMessage::Check { explicit: true })]
    );
}

#[test]
fn wake_ups_check_at_once_but_only_once() {
    let (mut m, mut s) = {
        let mut m = machine(cfg());
        let mut s = src();
        m.handle(Input::Start, &mut s);
        m.handle(Input::IframeLoaded, &mut s);
        m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
        (m, s)
    };
    let check = vec![
        ClearTimer(Timer::Poll),
        Post("client01 abc.salt".into()),
        SetTimer(Timer::Response, 50),
    ];
    // Shown, then focus, then online: one check. (Visible already: not a change, no check.)
    assert_eq!(
        m.handle(Input::VisibilityChanged { hidden: false }, &mut s),
        vec![]
    );
    m.handle(Input::VisibilityChanged { hidden: true }, &mut s);
    assert_eq!(
        m.handle(Input::VisibilityChanged { hidden: false }, &mut s),
        check
    );
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    s.now += 20;
    assert_eq!(m.handle(Input::Wake, &mut s), vec![]);
    s.now += 20;
    assert_eq!(m.handle(Input::Wake, &mut s), vec![]);
    // Later (a window of min(interval, 1 s) = 100 ms): another wake-up checks again.
    s.now += 100;
    assert_eq!(m.handle(Input::Wake, &mut s), check);
    // While a check is in flight, nothing more.
    s.now += 1000;
    assert_eq!(m.handle(Input::Wake, &mut s), vec![]);
    // Paused after `changed`: a wake-up does not resume (the host decides).
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    s.now += 1000;
    assert_eq!(m.handle(Input::Wake, &mut s), vec![]);
}

#[test]
fn wake_ups_in_followers_ask_the_leader_once() {
    let (mut f, mut s) = follower(shared());
    f.handle(state(View::Waiting, false), &mut s);
    assert_eq!(
        f.handle(Input::Wake, &mut s),
        vec![Broadcast(TabMessage::Check { explicit: false })]
    );
    s.now += 10;
    assert_eq!(f.handle(Input::Wake, &mut s), vec![]);
}

#[test]
fn pagehide_gives_up_the_lock_and_pageshow_contests_again() {
    let (mut l, mut s) = leader(shared());
    assert_eq!(
        l.handle(Input::PageHidden, &mut s),
        concat(&[
            &CLEAR_ALL,
            &[Broadcast(TabMessage::Bye), ReleaseLock, CloseChannel]
        ])
    );
    assert_eq!(l.phase(), Phase::Suspended);
    assert_eq!(l.handle(Input::PageHidden, &mut s), vec![]);
    assert_eq!(l.handle(Input::LockAcquired, &mut s), vec![ReleaseLock]);
    assert_eq!(
        l.handle(Input::PageShown, &mut s),
        vec![
            OpenChannel,
            RequestLock { steal: false },
            Broadcast(TabMessage::Check { explicit: false }),
            SetTimer(Timer::Leader, STALE),
        ]
    );
    // A follower holds less.
    let (mut f, mut s) = follower(shared());
    assert_eq!(
        f.handle(Input::PageHidden, &mut s),
        vec![ClearTimer(Timer::Leader), ReleaseLock, CloseChannel]
    );
    assert_eq!(
        f.handle(Input::Stop, &mut s),
        vec![Emit(Event::Stopped(StopReason::Caller))]
    );
    assert_eq!(f.handle(Input::PageShown, &mut s), vec![]);
}

#[test]
fn alone_the_page_lifecycle_only_wakes() {
    let mut m = machine(cfg());
    let mut s = src();
    m.handle(Input::Start, &mut s);
    m.handle(Input::IframeLoaded, &mut s);
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    assert_eq!(m.handle(Input::PageHidden, &mut s), vec![]);
    assert_eq!(m.phase(), Phase::Waiting);
    assert_eq!(
        m.handle(Input::PageShown, &mut s),
        vec![
            ClearTimer(Timer::Poll),
            Post("client01 abc.salt".into()),
            SetTimer(Timer::Response, 50),
        ]
    );
    assert_eq!(m.handle(Input::LockAcquired, &mut s), vec![ReleaseLock]);
    assert_eq!(m.handle(Input::LockLost, &mut s), vec![]);
    assert_eq!(
        m.handle(Input::Tab(TabMessage::Check { explicit: true }), &mut s),
        vec![]
    );
}

#[test]
fn a_follower_that_takes_over_remembers_the_user() {
    let (mut f, mut s) = follower(reauth_cfg_shared());
    f.handle(
        event(
            TabEvent::Renewed {
                sub: "alice".into(),
                sid: None,
            },
            View::Checking,
            false,
        ),
        &mut s,
    );
    f.handle(Input::LockAcquired, &mut s);
    f.handle(Input::IframeLoaded, &mut s);
    f.handle(Input::Answer(OpAnswer::Changed), &mut s);
    let fx = f.handle(
        Input::ReauthFinished {
            generation: 1,
            outcome: renewed("s9", "bob"),
        },
        &mut s,
    );
    assert!(fx.contains(&Emit(Event::UserChanged {
        sub: "bob".into(),
        sid: Some("sid-1".into())
    })));
}

#[test]
fn a_new_leader_relays_the_last_words_of_the_one_before() {
    let (mut m, mut s) = follower(shared());
    m.handle(Input::LockAcquired, &mut s);
    assert_eq!(m.phase(), Phase::Loading);
    let stopped = TabEvent::Stopped {
        reason: "signed_out".into(),
    };
    assert_eq!(
        m.handle(
            event(
                TabEvent::SignedOut(SignOutReason::OpIframe),
                View::Stopped,
                false
            ),
            &mut s
        ),
        vec![Relay(TabEvent::SignedOut(SignOutReason::OpIframe))]
    );
    let fx = m.handle(event(stopped.clone(), View::Stopped, false), &mut s);
    assert_eq!(fx[0], Relay(stopped));
    assert!(fx.ends_with(&[RemoveIframe, ReleaseLock, CloseChannel]));
    assert_eq!(m.phase(), Phase::Stopped);
}

#[test]
fn a_leader_ignores_other_leaders_words_once_it_polls() {
    let (mut l, mut s) = leader(shared());
    assert_eq!(
        l.handle(
            event(
                TabEvent::SignedOut(SignOutReason::OpIframe),
                View::Stopped,
                false
            ),
            &mut s
        ),
        vec![]
    );
    assert_eq!(l.handle(state(View::Waiting, false), &mut s), vec![]);
    assert_eq!(l.handle(Input::Tab(TabMessage::Bye), &mut s), vec![]);
}

#[test]
fn a_wake_right_after_a_poll_is_answered_by_it_a_later_one_checks() {
    let mut m = machine(cfg());
    let mut s = src();
    m.handle(Input::Start, &mut s);
    m.handle(Input::IframeLoaded, &mut s);
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    s.now += 100;
    m.handle(Input::TimerFired(Timer::Poll), &mut s);
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    // 50 ms after the poll started (window: min(interval 100, 250) ms): that check answers it.
    s.now += 50;
    assert_eq!(m.handle(Input::Wake, &mut s), vec![]);
    // Later the session may have ended since: check.
    s.now += 60;
    assert_eq!(
        m.handle(Input::Wake, &mut s),
        vec![
            ClearTimer(Timer::Poll),
            Post("client01 abc.salt".into()),
            SetTimer(Timer::Response, 50),
        ]
    );
}

/// Issue 9 (9, 10): what a leader tells its followers of a first-check `no_response` and of an
/// unexpected answer carries the same `detail` as its own event (`firstCheck`, `value`), and a
/// follower relays it as heard.
#[test]
fn followers_hear_first_check_and_the_unexpected_value() {
    let (mut l, mut s) = follower(shared());
    l.handle(Input::LockAcquired, &mut s);
    l.handle(Input::IframeLoaded, &mut s);
    let no_first = TabEvent::from(&Event::Error {
        error: MonitorError::NoFirstResponse,
        attempt: 1,
    });
    assert!(matches!(
        &no_first,
        TabEvent::Error { code, detail: ErrorDetail::FirstCheck, .. } if code == "no_response"
    ));
    let fx = l.handle(Input::TimerFired(Timer::Response), &mut s);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Broadcast(TabMessage::Event { event, .. }) if *event == no_first)),
        "{fx:?}"
    );
    let (mut l, mut s) = leader(shared());
    let fx = l.handle(Input::UnexpectedAnswer(Some("connected".into())), &mut s);
    let unexpected = TabEvent::Error {
        code: "unexpected_answer".into(),
        message: MonitorError::UnexpectedAnswer.message().into(),
        attempt: 1,
        detail: ErrorDetail::Value("connected".into()),
    };
    assert_eq!(
        fx,
        vec![
            Emit(Event::UnexpectedAnswer {
                value: Some("connected".into())
            }),
            says(unexpected.clone(), View::Waiting),
        ]
    );
    // The follower's event is the leader's, detail included.
    let (mut f, mut s) = follower(shared());
    for heard in [no_first, unexpected] {
        let fx = f.handle(event(heard.clone(), View::Waiting, false), &mut s);
        assert_eq!(fx[0], Relay(heard));
    }
}

/// A leader on its first answer after taking over, the OP cross-site.
fn first_answer_of_a_new_leader(f: &mut Machine, s: &mut Clocked) -> Vec<Effect> {
    f.handle(Input::LockAcquired, s);
    f.handle(Input::IframeLoaded, s);
    f.handle(Input::Answer(OpAnswer::Changed), s)
}

/// The bench's focus case (bench/tabs.mjs), OP cross-site: the user logs out at the OP, then
/// brings a background tab to the front; that visible follower takes over from the now hidden
/// leader, and its new OP iframe's first answer is `changed`. The leader's `unchanged` it heard
/// proved that this browser shows the OP's cookies to the OP iframe (every tab on the channel
/// shares one top-level site, so one cookie partition): it is the logout, `changed`, not
/// `third_party_cookies_blocked` stopping every tab.
#[test]
fn a_new_leader_keeps_the_proof_that_the_op_iframe_sees_its_cookies() {
    let cross = Config {
        op_site: OpSite::Cross,
        ..shared()
    };
    let blind = Emit(Event::Error {
        error: MonitorError::ThirdPartyCookiesBlocked(Evidence::FirstAnswerChanged),
        attempt: 1,
    });
    let (mut f, mut s) = follower(cross.clone());
    // The leader went to the background between two checks: this visible follower steals.
    let fx = f.handle(event(TabEvent::Unchanged, View::Waiting, true), &mut s);
    assert!(fx.contains(&RequestLock { steal: true }));
    let fx = first_answer_of_a_new_leader(&mut f, &mut s);
    assert!(
        fx.contains(&Emit(Event::Changed { first_check: true })),
        "{fx:?}"
    );
    assert!(!fx.contains(&blind));
    assert_eq!(f.phase(), Phase::Paused);

    // Without an `unchanged` heard, a first `changed` may be blindness, as in a lone monitor.
    let (mut f, mut s) = follower(cross.clone());
    f.handle(state(View::Waiting, false), &mut s);
    assert!(first_answer_of_a_new_leader(&mut f, &mut s).contains(&blind));
    // The proof goes at `stop()`/`start()` ...
    let (mut f, mut s) = follower(cross.clone());
    f.handle(event(TabEvent::Unchanged, View::Waiting, false), &mut s);
    f.handle(Input::Stop, &mut s);
    f.handle(Input::Start, &mut s);
    assert!(first_answer_of_a_new_leader(&mut f, &mut s).contains(&blind));
    // ... and after the back/forward cache.
    let (mut f, mut s) = follower(cross);
    f.handle(event(TabEvent::Unchanged, View::Waiting, false), &mut s);
    f.handle(Input::PageHidden, &mut s);
    f.handle(Input::PageShown, &mut s);
    assert!(first_answer_of_a_new_leader(&mut f, &mut s).contains(&blind));
}
