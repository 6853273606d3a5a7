//! Model-based property test: random input sequences against a model of the glue.

use super::tests::{machine, reauth_cfg, renewed, Clocked};
use super::*;
use crate::core::logout::{RpSessionAnswer, SignOutReason};
use crate::core::types::OpAnswer;
use Effect::*;

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
    timers: [bool; Timer::ALL.len()],
    iframe: bool,
    unanswered: u32,
    generation: Option<u32>,
    /// The `rpSession` request in flight, if any.
    rp_generation: Option<u32>,
    /// `signedOut` events since the last `start()` that did something.
    signed_out: u32,
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
                FetchRpSession { generation } => {
                    assert!(
                        !self.timers[Timer::RpSession.index()],
                        "an rpSession request while its timer still ran"
                    );
                    self.rp_generation = Some(*generation);
                }
                Emit(Event::SignedOut(_)) => self.signed_out += 1,
                ClearSession | TellOtherTabs(_) => {}
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
            // Every fourth run has no OP iframe; half the others add the rpSession signal.
            op_iframe: seed % 4 != 1,
            rp_session: (seed % 4 != 2).then_some(RpSessionConfig {
                interval_ms: 1000,
                timeout_ms: 300,
            }),
            ..reauth_cfg()
        };
        let mut m = machine(config);
        let mut s = Clocked {
            state: "s0",
            now: 0,
        };
        let mut model = Model::default();
        let mut hidden = false;
        for step in 0..300 {
            s.now += rng.pick(3000);
            s.state = ["s0", "s1", "", "s2"][rng.pick(4) as usize];
            let input = match rng.pick(18) {
                12 => {
                    hidden = rng.pick(2) == 0;
                    Input::VisibilityChanged { hidden }
                }
                13 => Input::Focused,
                14 | 15 => {
                    let generation = match (model.rp_generation, rng.pick(4)) {
                        (Some(g), 0..=2) => g,
                        _ => rng.pick(5) as u32,
                    };
                    if Some(generation) == model.rp_generation {
                        model.rp_generation = None;
                    }
                    Input::RpSessionAnswered {
                        generation,
                        answer: [
                            RpSessionAnswer::Active,
                            RpSessionAnswer::Active,
                            RpSessionAnswer::Unavailable,
                            RpSessionAnswer::Ended,
                        ][rng.pick(4) as usize],
                    }
                }
                16 => Input::SessionEnded {
                    reason: SignOutReason::ALL[rng.pick(4) as usize],
                    from_other_tab: rng.pick(2) == 0,
                },
                0 => Input::Start,
                1 => Input::Stop,
                2 => Input::CheckNow,
                3 => Input::IframeLoaded,
                4..=6 => {
                    let t = Timer::ALL[rng.pick(Timer::ALL.len() as u64) as usize];
                    if !model.timers[t.index()] {
                        continue;
                    }
                    model.timers[t.index()] = false;
                    if t == Timer::Response {
                        model.unanswered = 0;
                    }
                    if t == Timer::RpSession {
                        model.rp_generation = None;
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
            if input == Input::Start && matches!(m.phase(), Phase::Idle | Phase::Stopped) {
                model.signed_out = 0;
            }
            let fx = m.handle(input.clone(), &mut s);
            model.apply(&fx);
            // Only an explicit answer of the RP server, or an explicit notice, signs out through
            // the rpSession channel; an unusable answer never does.
            let rp_logout = fx.contains(&Emit(Event::SignedOut(SignOutReason::RpSession)));
            if rp_logout {
                assert!(
                    matches!(
                        input,
                        Input::RpSessionAnswered {
                            answer: RpSessionAnswer::Ended,
                            ..
                        } | Input::SessionEnded {
                            reason: SignOutReason::RpSession,
                            ..
                        }
                    ),
                    "seed {seed} step {step}: rp_session logout after {input:?}"
                );
            }
            assert!(
                model.signed_out <= 1,
                "seed {seed} step {step}: signedOut twice"
            );
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
                Phase::Reauthenticating => assert!(pending(Timer::Reauth), "{}", ctx()),
                Phase::BackingOff(_) => assert!(pending(Timer::Backoff), "{}", ctx()),
                Phase::Paused | Phase::Hidden | Phase::FirstPartyOnly => {}
            }
            let running = !matches!(m.phase(), Phase::Idle | Phase::Stopped);
            if running {
                assert_eq!(model.iframe, m.config().op_iframe, "{}: iframe", ctx());
            }
            // The rpSession signal never stalls: while running, its timer is pending, except
            // while paused for a hidden page.
            if running && m.config().rp_session.is_some() {
                let paused = hidden && m.config().pause_when_hidden;
                assert!(
                    pending(Timer::RpSession) || (paused && m.rp() == RpPoll::Hidden),
                    "{}: rpSession stalled ({:?})",
                    ctx(),
                    m.rp()
                );
            } else {
                assert!(
                    !pending(Timer::RpSession),
                    "{}: rpSession timer left",
                    ctx()
                );
            }
        }
    }
}
