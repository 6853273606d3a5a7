//! Unit tests of the blind-iframe rules ([`super::blind`]): never a logout from an OP iframe that
//! cannot see its cookies.

use super::tests::{cfg, machine, reauth_cfg, renewed, Clocked};
use super::*;
use crate::core::logout::SignOutReason;
use crate::core::types::OpAnswer;
use Effect::*;

fn cross(config: Config) -> Config {
    Config {
        op_site: OpSite::Cross,
        ..config
    }
}

fn blocked(evidence: Evidence) -> MonitorError {
    MonitorError::ThirdPartyCookiesBlocked(evidence)
}

fn emitted(fx: &[Effect]) -> Vec<Event> {
    fx.iter()
        .filter_map(|e| match e {
            Emit(ev) => Some(ev.clone()),
            _ => None,
        })
        .collect()
}

fn stopped_blind(evidence: Evidence) -> Vec<Event> {
    vec![
        Event::Error {
            error: blocked(evidence),
            attempt: 1,
        },
        Event::Stopped(StopReason::Error(blocked(evidence))),
    ]
}

/// A started machine whose iframe has loaded, its first message in flight.
fn connecting(config: Config) -> (Machine, Clocked) {
    let mut m = machine(config);
    let mut s = Clocked {
        state: "s0",
        now: 0,
    };
    m.handle(Input::Start, &mut s);
    m.handle(Input::IframeLoaded, &mut s);
    assert_eq!(m.phase(), Phase::Connecting);
    (m, s)
}

/// The events of a real logout seen by the OP iframe.
fn logged_out() -> Vec<Event> {
    vec![
        Event::SignedOut(SignOutReason::OpIframe),
        Event::Stopped(StopReason::SignedOut(SignOutReason::OpIframe)),
    ]
}

fn signed_out(generation: u32) -> Input {
    Input::ReauthFinished {
        generation,
        outcome: ReauthOutcome::SignedOut,
    }
}

/// The report (Firefox, RP cross-site, silent re-auth on): the blind iframe says
/// `changed`, prompt=none says `login_required`. That used to be `signedOut`.
#[test]
fn login_required_after_a_first_answer_changed_is_not_a_logout_cross_site() {
    let (mut m, mut s) = connecting(cross(reauth_cfg()));
    let fx = m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(emitted(&fx), vec![Event::Changed { first_check: true }]);
    assert!(fx.contains(&StartReauth { generation: 1 }));
    let fx = m.handle(signed_out(1), &mut s);
    assert_eq!(
        emitted(&fx),
        stopped_blind(Evidence::LoginRequiredAfterFirstChanged)
    );
    assert!(fx.contains(&EndReauth) && fx.contains(&RemoveIframe));
    assert_eq!(m.phase(), Phase::Stopped);
}

/// Same-site, the OP's cookies always reach the iframe: the same sequence is a real logout
/// (the user signed out at the OP while the app was closed).
#[test]
fn login_required_after_a_first_answer_changed_is_a_logout_same_site() {
    let (mut m, mut s) = connecting(reauth_cfg());
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(emitted(&m.handle(signed_out(1), &mut s)), logged_out());
}

/// Once the iframe has answered `unchanged`, it sees its cookies: a later `changed` and
/// `login_required` are a real logout at the OP, cross-site too (Chromium's default policy).
#[test]
fn after_unchanged_a_cross_site_logout_is_reported() {
    let (mut m, mut s) = connecting(cross(reauth_cfg()));
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    m.handle(Input::TimerFired(Timer::Poll), &mut s);
    let fx = m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(emitted(&fx), vec![Event::Changed { first_check: false }]);
    assert_eq!(emitted(&m.handle(signed_out(1), &mut s)), logged_out());
}

/// `error` as the very first answer, cross-site: the OP cannot find its cookie.
#[test]
fn error_from_the_start_cross_site_is_blocked_not_op_error() {
    for continue_on_error in [false, true] {
        let (mut m, mut s) = connecting(cross(Config {
            continue_on_error,
            ..cfg()
        }));
        let fx = m.handle(Input::Answer(OpAnswer::Error), &mut s);
        assert_eq!(emitted(&fx), stopped_blind(Evidence::ErrorFromStart));
        assert!(fx.contains(&ClearTimer(Timer::Load)) && fx.contains(&RemoveIframe));
    }
    // Same-site it stays `op_error`; after an `unchanged` too.
    let (mut m, mut s) = connecting(cfg());
    let fx = m.handle(Input::Answer(OpAnswer::Error), &mut s);
    assert!(fx.contains(&Emit(Event::Stopped(StopReason::Error(
        MonitorError::OpError
    )))));
    let (mut m, mut s) = connecting(cross(cfg()));
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    m.handle(Input::TimerFired(Timer::Poll), &mut s);
    let fx = m.handle(Input::Answer(OpAnswer::Error), &mut s);
    assert!(fx.contains(&Emit(Event::Stopped(StopReason::Error(
        MonitorError::OpError
    )))));
}

/// Without re-authentication nothing can tell a stale value from a blind iframe, and the app
/// would take `changed` as a logout: report the blind iframe instead.
#[test]
fn first_answer_changed_without_reauth_cross_site_is_blocked() {
    let (mut m, mut s) = connecting(cross(cfg()));
    let fx = m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(emitted(&fx), stopped_blind(Evidence::FirstAnswerChanged));
    // Same-site: `changed`, flagged as the first answer, as before.
    let (mut m, mut s) = connecting(cfg());
    let fx = m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(emitted(&fx), vec![Event::Changed { first_check: true }]);
    assert_eq!(m.phase(), Phase::Paused);
}

/// The OP has just issued a session_state to prompt=none, and its iframe calls it `changed`:
/// the iframe cannot see the cookie the OP computed it from. No re-authentication loop.
#[test]
fn changed_for_a_value_the_op_just_issued_is_blocked() {
    let (mut m, mut s) = connecting(cross(reauth_cfg()));
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    let fx = m.handle(
        Input::ReauthFinished {
            generation: 1,
            outcome: renewed("s1", "alice"),
        },
        &mut s,
    );
    assert!(fx.contains(&Post("client01 s1".into())));
    let fx = m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(emitted(&fx), stopped_blind(Evidence::ChangedAfterRenewal));
    // Where the renewed value is answered `unchanged`, the stored one was merely stale.
    let (mut m, mut s) = connecting(cross(reauth_cfg()));
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    m.handle(
        Input::ReauthFinished {
            generation: 1,
            outcome: renewed("s1", "alice"),
        },
        &mut s,
    );
    assert_eq!(
        emitted(&m.handle(Input::Answer(OpAnswer::Unchanged), &mut s)),
        vec![Event::Unchanged]
    );
}

/// Another user at the OP is proof that prompt=none saw the OP's cookies: reported as before.
#[test]
fn another_user_after_a_first_answer_changed_is_still_user_changed() {
    let (mut m, mut s) = connecting(cross(Config {
        expected_sub: Some("alice".into()),
        ..reauth_cfg()
    }));
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    let fx = m.handle(
        Input::ReauthFinished {
            generation: 1,
            outcome: renewed("s9", "bob"),
        },
        &mut s,
    );
    assert!(fx.contains(&Emit(Event::Stopped(StopReason::UserChanged))));
}

/// `start()` forgets what the previous run proved: the iframe is new.
#[test]
fn sight_is_proven_again_after_each_start() {
    let (mut m, mut s) = connecting(cross(reauth_cfg()));
    m.handle(Input::Answer(OpAnswer::Unchanged), &mut s);
    m.handle(Input::Stop, &mut s);
    m.handle(Input::Start, &mut s);
    m.handle(Input::IframeLoaded, &mut s);
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    assert_eq!(
        emitted(&m.handle(signed_out(1), &mut s)),
        stopped_blind(Evidence::LoginRequiredAfterFirstChanged)
    );
}

/// `thirdPartyCookiesBlocked: 'rpSession'`: the error is reported, the OP iframe and its
/// timers go, and the first-party signal carries on alone; `stop()` ends it.
#[test]
fn rp_session_policy_drops_the_iframe_and_keeps_the_first_party_signal() {
    let (mut m, mut s) = connecting(cross(Config {
        blind_policy: BlindPolicy::RpSession,
        rp_session: Some(RpSessionConfig::default()),
        ..reauth_cfg()
    }));
    m.handle(Input::Answer(OpAnswer::Changed), &mut s);
    let fx = m.handle(signed_out(1), &mut s);
    assert_eq!(
        emitted(&fx),
        vec![Event::Error {
            error: blocked(Evidence::LoginRequiredAfterFirstChanged),
            attempt: 1
        }]
    );
    assert!(fx.contains(&RemoveIframe) && fx.contains(&EndReauth));
    assert!(
        !fx.contains(&ClearTimer(Timer::RpSession)),
        "rpSession goes on"
    );
    assert_eq!(m.phase(), Phase::FirstPartyOnly);
    for input in [
        Input::Start,
        Input::IframeLoaded,
        Input::Answer(OpAnswer::Changed),
        signed_out(1),
    ] {
        assert_eq!(m.handle(input, &mut s), vec![], "nothing more from the OP");
    }
    let fx = m.handle(Input::Stop, &mut s);
    assert_eq!(emitted(&fx), vec![Event::Stopped(StopReason::Caller)]);
    assert!(fx.contains(&ClearTimer(Timer::RpSession)));
    assert_eq!(m.phase(), Phase::Stopped);
    // Without rpSession configured there is nothing to fall back to: stop.
    let (mut m, mut s) = connecting(cross(Config {
        blind_policy: BlindPolicy::RpSession,
        ..cfg()
    }));
    let fx = m.handle(Input::Answer(OpAnswer::Error), &mut s);
    assert_eq!(emitted(&fx), stopped_blind(Evidence::ErrorFromStart));
}

#[test]
fn evidence_names_are_distinct_snake_case() {
    let names: Vec<_> = Evidence::ALL.iter().map(|e| e.as_str()).collect();
    for (i, n) in names.iter().enumerate() {
        assert!(n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        assert!(!names[..i].contains(n), "{n} twice");
    }
    assert_eq!(
        blocked(Evidence::ErrorFromStart).code().as_str(),
        "third_party_cookies_blocked"
    );
}

#[test]
fn op_site_from_two_origins() {
    use OpSite::*;
    for (page, op, framed, want) in [
        (
            "http://127.0.0.1:9030",
            "http://127.0.0.1:9010",
            false,
            Same,
        ),
        (
            "http://localhost:9030",
            "http://127.0.0.1:9010",
            false,
            Cross,
        ),
        (
            "https://localhost:9130",
            "https://localhost:9110",
            false,
            Same,
        ),
        (
            "https://app.example.com",
            "https://login.example.com",
            false,
            Cross,
        ),
        (
            "https://example.com",
            "https://login.example.com",
            false,
            Same,
        ),
        (
            "https://a.b.example.com",
            "https://example.com:8443",
            false,
            Same,
        ),
        (
            "https://notexample.com",
            "https://example.com",
            false,
            Cross,
        ),
        ("https://foo.com", "https://com", false, Cross),
        ("http://example.com", "https://example.com", false, Cross),
        ("https://example.com", "https://example.com", true, Cross),
        ("http://[::1]:9030", "http://[::1]:9010", false, Same),
        ("http://[::1]:9030", "http://127.0.0.1:9010", false, Cross),
        ("http://1.127.0.0.1", "http://127.0.0.1", false, Cross),
        ("null", "https://example.com", false, Cross),
        // Hosts compare ASCII case aside (serialised origins are lower case anyway).
        ("https://EXAMPLE.com", "https://example.COM", false, Same),
        (
            "https://Example.com",
            "https://login.EXAMPLE.com",
            false,
            Same,
        ),
        ("https://x.example.com", "https://EXAMPLE.COM", false, Same),
        ("https://xexample.com", "https://EXAMPLE.COM", false, Cross),
    ] {
        assert_eq!(
            OpSite::of(page, op, framed),
            want,
            "{page} {op} framed={framed}"
        );
    }
}
