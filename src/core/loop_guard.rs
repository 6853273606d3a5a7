//! Loop protection for silent re-authentication.
//!
//! A broken setup (an OP that always answers `changed`, a `session_state` that is never written back,
//! a cookie the iframe cannot see) would make a naive monitor re-authenticate forever. The
//! [`LoopGuard`] watches the rhythm of check answers and renewals and says when to go on, when to
//! wait (exponential backoff, capped) and when to give up (the monitor then emits `error` with code
//! `reauth_loop` and stops).
//!
//! A renewal is *suspicious* when it returns the same `session_state` the iframe just called
//! `changed`, or when `changed` comes back within a few checks after it. A stretch of healthy
//! `unchanged` answers forgives past suspicion. The guard keeps no clock: every call takes the
//! current time in milliseconds (e.g. `Date.now()`), so tests drive it with a fake clock.

/// Tuning for [`LoopGuard`]. `LoopGuardConfig::default()` gives the values documented per field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoopGuardConfig {
    /// Delay after the first suspicious renewal, in ms; it doubles each time. Default 1000.
    pub base_delay_ms: u64,
    /// Upper bound for the delay, in ms. Default 60000.
    pub max_delay_ms: u64,
    /// Give up at this many suspicious renewals in a row (0 counts as 1). Default 3.
    pub max_suspicious: u32,
    /// How many checks after a renewal a `changed` counts as suspicious, and how many `unchanged`
    /// answers in a row forgive earlier suspicion. Default 2.
    pub window_checks: u32,
}

impl Default for LoopGuardConfig {
    fn default() -> Self {
        LoopGuardConfig {
            base_delay_ms: 1000,
            max_delay_ms: 60_000,
            max_suspicious: 3,
            window_checks: 2,
        }
    }
}

/// What the monitor should do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Go on now (start the re-auth, or resume polling).
    Proceed,
    /// Do the same thing, but only after this many milliseconds. Do not ask the guard again when the
    /// delay ends: the guard has already counted this step.
    Backoff(u64),
    /// Stop re-authenticating and polling: report `reauth_loop`. Stays so until [`LoopGuard::reset`].
    GiveUp,
}

/// Counts suspicious renewals and turns them into backoff delays or a final [`Decision::GiveUp`].
///
/// Feed it, in order, every check answer and every successful renewal (same user):
/// - [`check_answer_changed`](Self::check_answer_changed) when the iframe says `changed`, before
///   starting a re-auth;
/// - [`renewal`](Self::renewal) when a re-auth renewed the session, before resuming polling;
/// - [`check_answer_unchanged`](Self::check_answer_unchanged) for every `unchanged`.
///
/// Other outcomes (signed out, interaction required, errors) stop the monitor and need no guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopGuard {
    config: LoopGuardConfig,
    /// Suspicious renewals since the last healthy stretch.
    suspicious: u32,
    /// Checks answered since the last healthy renewal, while that renewal's window is open.
    checks_since_renewal: Option<u32>,
    /// `unchanged` answers in a row.
    healthy_streak: u32,
    /// No re-auth before this time (ms), after a backoff.
    not_before: Option<u64>,
    gave_up: bool,
}

impl Default for LoopGuard {
    fn default() -> Self {
        LoopGuard::new(LoopGuardConfig::default())
    }
}

impl LoopGuard {
    /// A fresh guard with `config`.
    pub fn new(config: LoopGuardConfig) -> Self {
        LoopGuard {
            config,
            suspicious: 0,
            checks_since_renewal: None,
            healthy_streak: 0,
            not_before: None,
            gave_up: false,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &LoopGuardConfig {
        &self.config
    }

    /// How many suspicious renewals have been counted since the last healthy stretch.
    pub fn suspicious_count(&self) -> u32 {
        self.suspicious
    }

    /// Forgets everything, including a [`Decision::GiveUp`] (for a new `start()`).
    pub fn reset(&mut self) {
        *self = LoopGuard::new(self.config);
    }

    /// The iframe answered `changed`. Returns whether to start the re-auth now, later, or never.
    ///
    /// Suspicious if it comes within `window_checks` checks after a renewal.
    pub fn check_answer_changed(&mut self, now_ms: u64) -> Decision {
        if self.gave_up {
            return Decision::GiveUp;
        }
        self.healthy_streak = 0;
        let in_window =
            matches!(self.checks_since_renewal, Some(k) if k < self.config.window_checks);
        self.checks_since_renewal = None;
        if in_window {
            self.suspicious_event(now_ms)
        } else {
            self.wait_for_backoff(now_ms)
        }
    }

    /// A re-auth renewed the session for the same user. `same_session_state` says whether the OP
    /// returned the very `session_state` the iframe had just called `changed`. Returns whether to
    /// resume polling now, later, or to stop.
    pub fn renewal(&mut self, now_ms: u64, same_session_state: bool) -> Decision {
        if self.gave_up {
            return Decision::GiveUp;
        }
        self.healthy_streak = 0;
        if same_session_state {
            // Counted now, so the `changed` that will surely follow is not counted twice.
            self.checks_since_renewal = None;
            self.suspicious_event(now_ms)
        } else {
            self.checks_since_renewal = Some(0);
            self.wait_for_backoff(now_ms)
        }
    }

    /// The iframe answered `unchanged`. `window_checks` of these in a row forgive past suspicion.
    /// Returns [`Decision::Proceed`] (keep polling), or [`Decision::GiveUp`] after giving up.
    pub fn check_answer_unchanged(&mut self, _now_ms: u64) -> Decision {
        if self.gave_up {
            return Decision::GiveUp;
        }
        if let Some(k) = self.checks_since_renewal {
            let k = k.saturating_add(1);
            self.checks_since_renewal = (k < self.config.window_checks).then_some(k);
        }
        self.healthy_streak = self.healthy_streak.saturating_add(1);
        if self.healthy_streak >= self.config.window_checks.max(1) {
            self.suspicious = 0;
            self.not_before = None;
        }
        Decision::Proceed
    }

    fn suspicious_event(&mut self, now_ms: u64) -> Decision {
        self.suspicious = self.suspicious.saturating_add(1);
        if self.suspicious >= self.config.max_suspicious.max(1) {
            self.gave_up = true;
            return Decision::GiveUp;
        }
        let delay = self.delay_for(self.suspicious);
        self.not_before = Some(now_ms.saturating_add(delay));
        Decision::Backoff(delay)
    }

    /// `base * 2^(n-1)`, capped at `max_delay_ms`.
    fn delay_for(&self, n: u32) -> u64 {
        let factor = 2u64.checked_pow(n.saturating_sub(1)).unwrap_or(u64::MAX);
        self.config
            .base_delay_ms
            .saturating_mul(factor)
            .min(self.config.max_delay_ms)
    }

    /// Honour a backoff still running from an earlier suspicious step.
    fn wait_for_backoff(&self, now_ms: u64) -> Decision {
        match self.not_before {
            Some(t) if now_ms < t => Decision::Backoff(t - now_ms),
            _ => Decision::Proceed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::{Backoff, GiveUp, Proceed};

    #[derive(Clone, Copy, Debug)]
    enum Ev {
        Changed,
        Unchanged,
        Renewed,
        RenewedSame,
        Reset,
    }
    use Ev::*;

    /// At a time in ms, an event and the decision expected.
    type Step = (u64, Ev, Decision);

    /// `changed` at 0 ms, a renewal at 500 ms: nothing suspicious yet.
    const RENEWED: [Step; 2] = [(0, Changed, Proceed), (500, Renewed, Proceed)];

    /// [`RENEWED`], then `changed` at once (2500 ms: back off 1 s) and a renewal at 4000 ms.
    const ONE_BACKOFF: [Step; 4] = [
        RENEWED[0],
        RENEWED[1],
        (2500, Changed, Backoff(1000)),
        (4000, Renewed, Proceed),
    ];

    /// [`ONE_BACKOFF`], then `changed` again (6000 ms: back off 2 s) and a renewal at 9000 ms.
    const TWO_BACKOFFS: [Step; 6] = [
        ONE_BACKOFF[0],
        ONE_BACKOFF[1],
        ONE_BACKOFF[2],
        ONE_BACKOFF[3],
        (6000, Changed, Backoff(2000)),
        (9000, Renewed, Proceed),
    ];

    /// `start` then `rest`.
    fn then(start: &[Step], rest: &[Step]) -> Vec<Step> {
        [start, rest].concat()
    }

    /// Runs `steps` of (time in ms, event, expected decision) on a guard with `config`.
    fn run(name: &str, config: LoopGuardConfig, steps: &[Step]) {
        let mut guard = LoopGuard::new(config);
        for (i, &(now, ev, expected)) in steps.iter().enumerate() {
            let got = match ev {
                Changed => guard.check_answer_changed(now),
                Unchanged => guard.check_answer_unchanged(now),
                Renewed => guard.renewal(now, false),
                RenewedSame => guard.renewal(now, true),
                Reset => {
                    guard.reset();
                    Proceed
                }
            };
            assert_eq!(got, expected, "{name}: step {i} ({ev:?} at {now} ms)");
        }
    }

    #[test]
    fn scenarios_with_default_config() {
        let d = LoopGuardConfig::default();
        let table: Vec<(&str, Vec<Step>)> = vec![
            (
                "healthy: one change, one renewal, quiet afterwards",
                vec![
                    (0, Changed, Proceed),
                    (800, Renewed, Proceed),
                    (2800, Unchanged, Proceed),
                    (4800, Unchanged, Proceed),
                    (6800, Changed, Proceed),
                    (7500, Renewed, Proceed),
                ],
            ),
            (
                "fake OP always changed, new session_state each time: backoff 1s, 2s, then give up",
                then(
                    &TWO_BACKOFFS,
                    &[
                        (11_000, Changed, GiveUp),
                        (12_000, Unchanged, GiveUp),
                        (13_000, Renewed, GiveUp),
                        (14_000, Changed, GiveUp),
                    ],
                ),
            ),
            (
                "OP returns the same session_state: each renewal is suspicious, counted once",
                vec![
                    (0, Changed, Proceed),
                    (500, RenewedSame, Backoff(1000)),
                    (3500, Changed, Proceed),
                    (4000, RenewedSame, Backoff(2000)),
                    (8000, Changed, Proceed),
                    (8500, RenewedSame, GiveUp),
                ],
            ),
            (
                "changed at the 2nd check after a renewal is still suspicious",
                then(
                    &RENEWED,
                    &[(2500, Unchanged, Proceed), (4500, Changed, Backoff(1000))],
                ),
            ),
            (
                "changed at the 3rd check after a renewal is not",
                then(
                    &RENEWED,
                    &[
                        (2500, Unchanged, Proceed),
                        (4500, Unchanged, Proceed),
                        (6500, Changed, Proceed),
                    ],
                ),
            ),
            (
                "a healthy stretch forgives: the delay starts over at 1s, no give-up",
                then(
                    &TWO_BACKOFFS,
                    &[
                        (11_000, Unchanged, Proceed),
                        (13_000, Unchanged, Proceed),
                        (15_000, Changed, Proceed),
                        (15_500, Renewed, Proceed),
                        (17_500, Changed, Backoff(1000)),
                        (19_000, Renewed, Proceed),
                        (21_000, Changed, Backoff(2000)),
                    ],
                ),
            ),
            (
                "one unchanged is not a healthy stretch",
                then(
                    &ONE_BACKOFF,
                    &[
                        (6000, Unchanged, Proceed),
                        (8000, Changed, Backoff(2000)),
                        (10_500, Renewed, Proceed),
                        (12_500, Changed, GiveUp),
                    ],
                ),
            ),
            (
                "a running backoff is honoured by the next steps",
                vec![
                    (0, Changed, Proceed),
                    (100, RenewedSame, Backoff(1000)),
                    (600, Changed, Backoff(500)),
                    (1100, Changed, Proceed),
                    (1200, Renewed, Proceed),
                ],
            ),
            (
                "a backoff still running when the renewal lands delays polling",
                vec![
                    (0, Changed, Proceed),
                    (100, RenewedSame, Backoff(1000)),
                    (400, Renewed, Backoff(700)),
                ],
            ),
            (
                "reset forgets a give-up",
                vec![
                    (0, Changed, Proceed),
                    (1, RenewedSame, Backoff(1000)),
                    (2, RenewedSame, Backoff(2000)),
                    (3, RenewedSame, GiveUp),
                    (4, Changed, GiveUp),
                    (5, Reset, Proceed),
                    (6, Changed, Proceed),
                    (7, RenewedSame, Backoff(1000)),
                ],
            ),
        ];
        for (name, steps) in table {
            run(name, d, &steps);
        }
    }

    #[test]
    fn delay_doubles_and_is_capped() {
        let config = LoopGuardConfig {
            base_delay_ms: 1000,
            max_delay_ms: 5000,
            max_suspicious: 100,
            window_checks: 2,
        };
        let mut guard = LoopGuard::new(config);
        let mut now = 0;
        let mut delays = Vec::new();
        for _ in 0..8 {
            match guard.renewal(now, true) {
                Backoff(ms) => {
                    delays.push(ms);
                    now += ms;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(delays, [1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000]);
        assert_eq!(guard.suspicious_count(), 8);
    }

    #[test]
    fn give_up_bound_is_configurable() {
        for (max, backoffs_before_give_up) in [(0u32, 0usize), (1, 0), (2, 1), (3, 2), (5, 4)] {
            let mut guard = LoopGuard::new(LoopGuardConfig {
                max_suspicious: max,
                ..Default::default()
            });
            let mut backoffs = 0;
            let mut now = 0u64;
            loop {
                match guard.renewal(now, true) {
                    Backoff(ms) => {
                        backoffs += 1;
                        now += ms;
                    }
                    GiveUp => break,
                    Proceed => panic!("a same-session_state renewal never proceeds"),
                }
                assert!(backoffs <= 10);
            }
            assert_eq!(backoffs, backoffs_before_give_up, "max_suspicious = {max}");
        }
    }

    #[test]
    fn window_size_is_configurable() {
        let wide = LoopGuardConfig {
            window_checks: 4,
            ..Default::default()
        };
        run(
            "window of 4: changed at check 4 is suspicious",
            wide,
            &[
                (0, Changed, Proceed),
                (1, Renewed, Proceed),
                (2, Unchanged, Proceed),
                (3, Unchanged, Proceed),
                (4, Unchanged, Proceed),
                (5, Changed, Backoff(1000)),
            ],
        );
        run(
            "window of 4: 4 unchanged forgive",
            wide,
            &[
                (0, RenewedSame, Backoff(1000)),
                (2000, Unchanged, Proceed),
                (2001, Unchanged, Proceed),
                (2002, Unchanged, Proceed),
                (2003, Unchanged, Proceed),
                (2004, RenewedSame, Backoff(1000)),
            ],
        );
        let none = LoopGuardConfig {
            window_checks: 0,
            ..Default::default()
        };
        run(
            "window of 0: only same session_state is suspicious; one unchanged forgives",
            none,
            &[
                (0, Changed, Proceed),
                (1, Renewed, Proceed),
                (2, Changed, Proceed),
                (3, RenewedSame, Backoff(1000)),
                (1003, Unchanged, Proceed),
                (1004, RenewedSame, Backoff(1000)),
            ],
        );
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let config = LoopGuardConfig {
            base_delay_ms: u64::MAX / 2,
            max_delay_ms: u64::MAX,
            max_suspicious: u32::MAX,
            window_checks: u32::MAX,
        };
        let mut guard = LoopGuard::new(config);
        assert_eq!(guard.renewal(u64::MAX - 1, true), Backoff(u64::MAX / 2));
        assert_eq!(guard.renewal(u64::MAX, true), Backoff(u64::MAX - 1));
        for _ in 0..100 {
            assert!(matches!(guard.renewal(u64::MAX, true), Backoff(_)));
        }
        assert_eq!(guard.check_answer_changed(u64::MAX), Proceed);
        assert_eq!(guard.check_answer_unchanged(0), Proceed);
    }

    #[test]
    fn defaults() {
        let guard = LoopGuard::default();
        assert_eq!(guard.config(), &LoopGuardConfig::default());
        assert_eq!(guard.config().base_delay_ms, 1000);
        assert_eq!(guard.config().max_delay_ms, 60_000);
        assert_eq!(guard.config().max_suspicious, 3);
        assert_eq!(guard.config().window_checks, 2);
        assert_eq!(guard.suspicious_count(), 0);
    }
}
