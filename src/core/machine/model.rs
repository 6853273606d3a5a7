//! Model-based property test: random input sequences against a model of the glue.

use super::tests::{discovered, discovering_machine, machine, reauth_cfg, renewed, Clocked};
use super::*;
use crate::core::discovery::DiscoveryError;
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
/// are unanswered, how many discovery fetches have not reported yet.
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
    /// Discovery fetches that have not reported yet.
    fetches: u32,
    /// The user the page expects: the `sub` option, else the last non-empty hint.
    expected: Option<String>,
}

impl Model {
    /// The bookkeeping of a monitor alone and of a tab alike: the OP iframe, the message in
    /// flight, the timers and the re-authentication. False for any other effect.
    fn apply_common(&mut self, e: &Effect) -> bool {
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
            _ => return false,
        }
        true
    }

    fn apply(&mut self, fx: &[Effect]) {
        for e in fx {
            match e {
                FetchRpSession { generation } => {
                    assert!(
                        !self.timers[Timer::RpSession.index()],
                        "an rpSession request while its timer still ran"
                    );
                    self.rp_generation = Some(*generation);
                }
                Emit(Event::SignedOut(_)) => self.signed_out += 1,
                ClearSession | TellOtherTabs(_) => {}
                Discover { .. } => self.fetches += 1,
                // Issue 9 (1): never a renewal, nor a write, for a user the page did not expect.
                Emit(Event::Renewed { sub, .. }) => assert_eq!(
                    Some(sub),
                    self.expected.as_ref(),
                    "renewed without knowing the user"
                ),
                StoreSessionState(_) => {
                    assert!(self.expected.is_some(), "wrote for an unknown user")
                }
                Emit(_) => {}
                // What is left is the shared bookkeeping, or a cross-tab effect (channel, lock,
                // broadcast, relay) that a monitor alone must never ask for.
                _ => assert!(
                    self.apply_common(e),
                    "cross-tab effect of a monitor alone: {e:?}"
                ),
            }
        }
    }
}

/// Random inputs, delivered as the browser would (timers fire only when pending, a discovery
/// result only for a fetch that was asked for; answers and outcomes, stale ones included, arrive
/// at any time): the machine never panics, never has
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
            op_site: if seed % 7 < 4 {
                OpSite::Cross
            } else {
                OpSite::Same
            },
            blind_policy: if seed % 11 < 5 {
                BlindPolicy::RpSession
            } else {
                BlindPolicy::Stop
            },
            expected_sub: (seed % 13 < 8).then(|| "alice".into()),
            ..reauth_cfg()
        };
        let cross = config.op_site == OpSite::Cross;
        // An `unchanged` answer since start(): the iframe sees its cookies.
        let mut proven = false;
        // Every third seed configures an issuer: the machine discovers the OP first.
        let mut m = if seed % 3 == 1 {
            discovering_machine(config)
        } else {
            machine(config)
        };
        let mut s = Clocked {
            state: "s0",
            now: 0,
        };
        let mut model = Model {
            expected: m.config().expected_sub.clone(),
            ..Model::default()
        };
        let mut hidden = false;
        for step in 0..300 {
            s.now += rng.pick(3000);
            s.state = ["s0", "s1", "", "s2"][rng.pick(4) as usize];
            let input = match rng.pick(24) {
                21 => {
                    if model.fetches == 0 {
                        continue;
                    }
                    model.fetches -= 1;
                    match rng.pick(3) {
                        0 => Input::Discovered(Err([
                            DiscoveryError::Network,
                            DiscoveryError::NotSupported,
                        ][rng.pick(2) as usize])),
                        _ => discovered(),
                    }
                }
                22 => Input::UnexpectedAnswer(
                    ["connected", "s1", ""]
                        .get(rng.pick(4) as usize)
                        .map(|v| v.to_string()),
                ),
                23 => Input::UserHint(["alice", "bob", ""][rng.pick(3) as usize].into()),
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
                18 => Input::Wake,
                19 => Input::PageHidden,
                20 => Input::PageShown,
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
                proven = false;
            }
            let fx = m.handle(input.clone(), &mut s);
            model.apply(&fx);
            if let Input::UserHint(sub) = &input {
                if !sub.is_empty() && m.config().expected_sub.is_none() {
                    model.expected = Some(sub.clone());
                }
            }
            // A cross-site iframe's first answer is `unchanged` (sight proven), `error` (blind at
            // once) or `changed` (blind if prompt=none then says login_required): so until it has
            // answered `unchanged`, nothing it or prompt=none says may sign the user out.
            // (A `SessionEnded` notice comes from elsewhere: another tab, logout(), front-channel.)
            let op_logout = fx.contains(&Emit(Event::SignedOut(SignOutReason::OpIframe)))
                && matches!(input, Input::ReauthFinished { .. } | Input::Answer(_));
            assert!(
                !(cross && !proven && op_logout),
                "seed {seed} step {step}: signedOut from a possibly blind iframe after {input:?}"
            );
            if fx.contains(&Emit(Event::Unchanged)) {
                proven = true;
            }
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
                Phase::Loading => assert!(pending(Timer::Load), "{}", ctx()),
                Phase::Connecting => assert!(pending(Timer::Response), "{}", ctx()),
                Phase::Waiting => assert!(pending(Timer::Poll), "{}", ctx()),
                Phase::InFlight => assert!(pending(Timer::Response), "{}", ctx()),
                Phase::Reauthenticating => assert!(pending(Timer::Reauth), "{}", ctx()),
                Phase::BackingOff(_) => assert!(pending(Timer::Backoff), "{}", ctx()),
                Phase::Discovering => {
                    assert!(model.fetches > 0, "{}: no discovery under way", ctx());
                    assert!(!model.iframe, "{}: iframe before discovery", ctx());
                }
                Phase::Paused | Phase::Hidden | Phase::FirstPartyOnly => {}
                Phase::Following(_) | Phase::Suspended => panic!("{}: follows alone", ctx()),
            }
            let running = !matches!(m.phase(), Phase::Idle | Phase::Stopped);
            if running && m.phase() != Phase::Discovering {
                // A blind OP iframe is dropped when rpSession carries on (FirstPartyOnly).
                let iframe = m.config().op_iframe && m.phase() != Phase::FirstPartyOnly;
                assert_eq!(model.iframe, iframe, "{}: iframe", ctx());
            }
            if m.phase() == Phase::FirstPartyOnly {
                for t in [
                    Timer::Load,
                    Timer::Poll,
                    Timer::Response,
                    Timer::Reauth,
                    Timer::Backoff,
                ] {
                    assert!(!pending(t), "{}: OP timer {t:?} left", ctx());
                }
                assert_eq!(model.generation, None, "{}: re-auth left running", ctx());
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

/// Cross-tab model: several monitors of one scope (tabs, or monitors in one tab) with a model of
/// the browser between them: a Web Lock (FIFO queue, `steal`), a `BroadcastChannel` (delivery to
/// the other open channels, in order, through the wire format), timers, iframes and frozen tabs.
mod tabs {
    use super::*;
    use crate::core::tabs::{scope, TabMessage};
    use std::collections::VecDeque;

    /// What the browser will deliver to a tab, in order.
    #[derive(Debug)]
    enum Delivery {
        Granted(u32),
        Lost(u32),
        Message(String),
    }

    #[derive(Default)]
    struct Tab {
        glue: Model,
        channel: bool,
        /// The tab's current lock request: its id, and whether it is held.
        request: Option<(u32, bool)>,
        inbox: VecDeque<Delivery>,
        frozen: bool,
        hidden: bool,
        /// Events this tab's page saw (its own, or relayed from the leader).
        events: u32,
    }

    struct World {
        tabs: Vec<Tab>,
        machines: Vec<Machine>,
        /// FIFO of waiting (tab, request id); the holder is the tab whose request is held.
        queue: VecDeque<(usize, u32)>,
        holder: Option<usize>,
        next_id: u32,
        scope: String,
        clock: u64,
        posts: u32,
    }

    impl World {
        fn withdraw(&mut self, t: usize) {
            if let Some((id, held)) = self.tabs[t].request.take() {
                self.queue.retain(|&(tab, _)| tab != t);
                // Undelivered grants or losses of this request are no longer reported.
                self.tabs[t].inbox.retain(|d| match d {
                    Delivery::Granted(i) | Delivery::Lost(i) => *i != id,
                    Delivery::Message(_) => true,
                });
                if held {
                    self.holder = None;
                    self.grant_next();
                }
            }
        }

        fn grant_next(&mut self) {
            if self.holder.is_some() {
                return;
            }
            if let Some((t, id)) = self.queue.pop_front() {
                self.holder = Some(t);
                self.tabs[t].request = Some((id, true));
                self.tabs[t].inbox.push_back(Delivery::Granted(id));
            }
        }

        fn apply(&mut self, t: usize, fx: Vec<Effect>) {
            for e in &fx {
                match e {
                    Post(_) => {
                        assert_eq!(self.holder, Some(t), "tab {t} posts without the lock");
                        self.posts += 1;
                    }
                    OpenChannel => {
                        assert!(!self.tabs[t].channel, "tab {t}: a second channel");
                        self.tabs[t].channel = true;
                    }
                    CloseChannel => self.tabs[t].channel = false,
                    RequestLock { steal } => {
                        self.withdraw(t);
                        let id = self.next_id;
                        self.next_id += 1;
                        match (steal, self.holder) {
                            (true, Some(old)) => {
                                let (old_id, _) = self.tabs[old].request.take().unwrap();
                                // The robbed tab hears of it before anything else it would do.
                                self.tabs[old].inbox.push_front(Delivery::Lost(old_id));
                                self.holder = Some(t);
                                self.tabs[t].request = Some((id, true));
                                self.tabs[t].inbox.push_back(Delivery::Granted(id));
                            }
                            _ => {
                                self.tabs[t].request = Some((id, false));
                                self.queue.push_back((t, id));
                                self.grant_next();
                            }
                        }
                    }
                    ReleaseLock => self.withdraw(t),
                    Broadcast(message) => {
                        assert!(
                            self.tabs[t].channel,
                            "tab {t}: broadcast on a closed channel"
                        );
                        let wire = message.encode(&self.scope);
                        for (i, other) in self.tabs.iter_mut().enumerate() {
                            if i != t && other.channel {
                                other.inbox.push_back(Delivery::Message(wire.clone()));
                            }
                        }
                    }
                    Emit(_) => self.tabs[t].events += 1,
                    Relay(_) => {
                        assert!(
                            matches!(
                                self.machines[t].phase(),
                                Phase::Following(_) | Phase::Stopped
                            ) || self.machines[t].phase().is_polling(),
                            "tab {t}: relayed while suspended"
                        );
                        self.tabs[t].events += 1;
                    }
                    _ => {}
                }
            }
            self.tabs[t].glue.apply_tabs(&fx);
        }

        fn feed(&mut self, t: usize, input: Input) {
            let mut s = Clocked {
                state: "s0",
                now: self.clock,
            };
            let fx = self.machines[t].handle(input, &mut s);
            self.apply(t, fx);
        }

        /// Delivers the next thing the browser has for tab `t`, as its glue would report it.
        fn deliver(&mut self, t: usize) -> bool {
            let Some(d) = self.tabs[t].inbox.pop_front() else {
                return false;
            };
            let input = match d {
                Delivery::Granted(id) if self.tabs[t].request == Some((id, true)) => {
                    Input::LockAcquired
                }
                Delivery::Lost(_) => Input::LockLost,
                Delivery::Message(wire) if self.tabs[t].channel => {
                    Input::Tab(TabMessage::decode(&wire, &self.scope).expect("own wire format"))
                }
                _ => return true,
            };
            self.feed(t, input);
            true
        }

        fn check(&self, ctx: &str) {
            let mut leaders = 0;
            for (t, (tab, m)) in self.tabs.iter().zip(&self.machines).enumerate() {
                let phase = m.phase();
                let lost_pending = tab.inbox.iter().any(|d| matches!(d, Delivery::Lost(_)));
                match phase {
                    Phase::Idle | Phase::Stopped | Phase::Suspended => {
                        assert!(!tab.glue.iframe, "{ctx} tab {t} {phase:?}: iframe left");
                        assert!(
                            tab.glue.timers.iter().all(|p| !p),
                            "{ctx} tab {t} {phase:?}: timer left"
                        );
                        assert!(!tab.channel, "{ctx} tab {t} {phase:?}: channel left open");
                        assert_eq!(tab.request, None, "{ctx} tab {t} {phase:?}: lock left");
                    }
                    Phase::Following(_) => {
                        assert!(!tab.glue.iframe, "{ctx} tab {t}: a follower with an iframe");
                        assert!(tab.channel, "{ctx} tab {t}: a follower without its channel");
                        assert!(
                            tab.request.is_some() || lost_pending,
                            "{ctx} tab {t}: a follower out of the lock's queue"
                        );
                    }
                    _ => {
                        assert!(tab.glue.iframe, "{ctx} tab {t}: polling without an iframe");
                        assert!(tab.channel, "{ctx} tab {t}: a leader without its channel");
                        if !lost_pending {
                            assert_eq!(self.holder, Some(t), "{ctx} tab {t}: leads without lock");
                            leaders += 1;
                        }
                    }
                }
            }
            assert!(leaders <= 1, "{ctx}: {leaders} leaders");
        }

        /// `checkNow()` in follower `f` ends in an event in that tab within bounded time, also
        /// while lock grants, steals and hand-offs are still on their way (the tabs thawed): with
        /// the browser delivering everything, the OP iframe loading and answering, and only the
        /// timers that bound a step firing (load, response, re-authentication), never the next
        /// poll or the stuck-leader patience. Not while a leader backs off (its back-off is the
        /// bound, as for a monitor alone).
        fn check_now_in_a_follower_ends_in_an_event(&mut self, f: usize, ctx: &str) {
            for tab in &mut self.tabs {
                tab.frozen = false;
            }
            let backing_off = |w: &World| {
                w.machines
                    .iter()
                    .any(|m| matches!(m.phase(), Phase::BackingOff(_)))
            };
            if backing_off(self) {
                return;
            }
            let before = self.tabs[f].events;
            self.feed(f, Input::CheckNow);
            for _ in 0..1000 {
                if self.tabs[f].events > before {
                    self.check(ctx);
                    return;
                }
                if (0..self.tabs.len()).any(|t| self.deliver(t)) {
                    continue;
                }
                let step = (0..self.tabs.len()).find_map(|t| {
                    let glue = &self.tabs[t].glue;
                    if glue.iframe && self.machines[t].phase() == Phase::Loading {
                        return Some((t, Input::IframeLoaded));
                    }
                    if glue.unanswered > 0 {
                        return Some((t, Input::Answer(OpAnswer::Unchanged)));
                    }
                    [Timer::Load, Timer::Response, Timer::Reauth]
                        .into_iter()
                        .find(|timer| glue.timers[timer.index()])
                        .map(|timer| (t, Input::TimerFired(timer)))
                });
                let Some((t, input)) = step else { break };
                if backing_off(self) {
                    return;
                }
                match input {
                    Input::Answer(_) => self.tabs[t].glue.unanswered = 0,
                    Input::TimerFired(timer) => {
                        self.tabs[t].glue.timers[timer.index()] = false;
                        if timer == Timer::Response {
                            self.tabs[t].glue.unanswered = 0;
                        }
                    }
                    _ => {}
                }
                self.feed(t, input);
            }
            let phases: Vec<Phase> = self.machines.iter().map(Machine::phase).collect();
            panic!("{ctx}: checkNow() in follower tab {f} ended in no event; phases {phases:?}");
        }

        /// Thaws every tab and delivers everything pending; then every follower has a leader.
        fn settle(&mut self, ctx: &str) {
            for tab in &mut self.tabs {
                tab.frozen = false;
            }
            for _ in 0..10_000 {
                if !(0..self.tabs.len()).any(|t| self.deliver(t)) {
                    break;
                }
            }
            self.check(ctx);
            if self
                .machines
                .iter()
                .any(|m| matches!(m.phase(), Phase::Following(_)))
            {
                let holder = self.holder.expect("followers and nobody holds the lock");
                assert!(
                    self.machines[holder].phase().is_polling(),
                    "{ctx}: the lock holder (tab {holder}) does not poll: {:?}",
                    self.machines[holder].phase()
                );
            }
        }
    }

    impl Model {
        fn apply_tabs(&mut self, fx: &[Effect]) {
            for e in fx {
                self.apply_common(e);
            }
        }
    }

    /// Random sequences over 2–5 monitors: never two leaders, nobody posts without the lock, a
    /// follower holds no iframe and stays in the lock's queue, nothing is held once stopped or
    /// suspended, once the browser has delivered everything (frozen tabs thawed) every follower
    /// has a polling leader, and a follower's `checkNow()` ends in an event in its page.
    #[test]
    fn random_tabs_keep_one_leader_and_every_follower_has_one() {
        let mut total_posts = 0;
        let mut checks = 0;
        for seed in 1..=300u64 {
            let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
            let n = 2 + (seed % 4) as usize;
            let config = Config {
                cross_tab: true,
                reauth: seed % 2 == 0,
                continue_on_error: seed % 3 != 0,
                pause_when_hidden: seed % 5 == 0,
                rp_session: (seed % 7 == 0).then(RpSessionConfig::default),
                ..reauth_cfg()
            };
            let mut w = World {
                tabs: (0..n).map(|_| Tab::default()).collect(),
                machines: (0..n).map(|_| machine(config.clone())).collect(),
                queue: VecDeque::new(),
                holder: None,
                next_id: 0,
                scope: scope("https://op.example", "client01", "cookie", "s"),
                clock: 0,
                posts: 0,
            };
            for step in 0..400 {
                w.clock += rng.pick(400);
                let t = rng.pick(n as u64) as usize;
                if w.tabs[t].frozen {
                    if rng.pick(8) == 0 {
                        w.tabs[t].frozen = false;
                    }
                    continue;
                }
                // The robbed tab hears of it first.
                if matches!(w.tabs[t].inbox.front(), Some(Delivery::Lost(_))) {
                    w.deliver(t);
                    continue;
                }
                let glue = &w.tabs[t].glue;
                let input = match rng.pick(20) {
                    0 => Input::Start,
                    1 if rng.pick(3) == 0 => Input::Stop,
                    2 => Input::CheckNow,
                    3 => {
                        let hidden = rng.pick(2) == 0;
                        w.tabs[t].hidden = hidden;
                        Input::VisibilityChanged { hidden }
                    }
                    4 => Input::Wake,
                    5 if rng.pick(3) == 0 => Input::PageHidden,
                    6 => Input::PageShown,
                    7 if rng.pick(4) == 0 => {
                        w.tabs[t].frozen = true;
                        continue;
                    }
                    8 | 9 => {
                        let timer = Timer::ALL[rng.pick(Timer::ALL.len() as u64) as usize];
                        if !glue.timers[timer.index()] {
                            continue;
                        }
                        w.tabs[t].glue.timers[timer.index()] = false;
                        if timer == Timer::Response {
                            w.tabs[t].glue.unanswered = 0;
                        }
                        Input::TimerFired(timer)
                    }
                    10 if glue.iframe => Input::IframeLoaded,
                    11 | 12 if glue.iframe => {
                        w.tabs[t].glue.unanswered = 0;
                        Input::Answer(
                            [
                                OpAnswer::Unchanged,
                                OpAnswer::Unchanged,
                                OpAnswer::Changed,
                                OpAnswer::Error,
                            ][rng.pick(4) as usize],
                        )
                    }
                    13 => {
                        let generation = glue.generation.unwrap_or(rng.pick(3) as u32);
                        let outcome = match rng.pick(4) {
                            0 | 1 => renewed(["s0", "s3"][rng.pick(2) as usize], "alice"),
                            2 => ReauthOutcome::SignedOut,
                            _ => ReauthOutcome::Failed(MonitorError::ReauthTimeout),
                        };
                        Input::ReauthFinished {
                            generation,
                            outcome,
                        }
                    }
                    14 if rng.pick(4) == 0 => Input::SessionEnded {
                        reason: SignOutReason::ALL[rng.pick(4) as usize],
                        from_other_tab: rng.pick(2) == 0,
                    },
                    _ => {
                        w.deliver(t);
                        w.check(&format!("seed {seed} step {step} delivery to tab {t}"));
                        continue;
                    }
                };
                let ctx = format!("seed {seed} step {step} tab {t} after {input:?}");
                w.feed(t, input);
                w.check(&ctx);
                // A follower's checkNow(): in a settled world, and halfway between two settles
                // (grants, steals, hand-offs and words of the last leader still on their way).
                if step % 25 == 24 {
                    if step % 50 == 49 {
                        w.settle(&format!("seed {seed} step {step} settled"));
                    }
                    let following: Vec<usize> = (0..n)
                        .filter(|&t| matches!(w.machines[t].phase(), Phase::Following(_)))
                        .collect();
                    if !following.is_empty() {
                        let f = following[rng.pick(following.len() as u64) as usize];
                        w.check_now_in_a_follower_ends_in_an_event(
                            f,
                            &format!("seed {seed} step {step} checkNow"),
                        );
                        checks += 1;
                    }
                }
            }
            w.settle(&format!("seed {seed} end"));
            total_posts += w.posts;
        }
        assert!(
            total_posts > 1000,
            "the sequences hardly poll: {total_posts} posts"
        );
        assert!(checks > 600, "hardly a follower's checkNow(): {checks}");
    }
}
