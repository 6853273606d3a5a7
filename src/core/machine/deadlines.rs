//! The machine's timers on one browser timeout (issue 14 point 4).
//!
//! The machine sets and clears its [`Timer`]s as effects; a check sets one and clears another
//! on each side of its round trip. One browser timeout per [`Effect::SetTimer`] would cost a
//! `setTimeout`, a `clearTimeout` and a new closure on both sides of every check. Instead the
//! glue keeps the deadlines here and one browser timeout, armed for the earliest deadline only:
//! clearing a timer forgets its deadline, and a timeout that fires with nothing due only arms the
//! next one. Pure bookkeeping over a clock the glue passes in (milliseconds, monotonic), so it
//! is tested natively.
//!
//! [`Effect::SetTimer`]: super::Effect::SetTimer

use super::Timer;

/// A browser timeout that fires up to this early still counts as on time (clock rounding).
const EARLY_MS: u64 = 1;

/// The pending deadlines, and the one the browser timeout is armed for.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Deadlines {
    due: [Option<u64>; Timer::ALL.len()],
    armed: Option<u64>,
}

/// What the glue must do with its browser timeout after [`Deadlines::arm`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arm {
    /// Keep it as it is (armed early enough, or nothing pending and nothing armed).
    Keep,
    /// Replace it with one that fires after this many milliseconds.
    After(u32),
    /// Drop it: nothing is pending.
    Drop,
}

impl Deadlines {
    /// `timer` fires `ms` after `now` (replacing its earlier deadline).
    pub fn set(&mut self, timer: Timer, ms: u32, now: u64) {
        self.due[timer.index()] = Some(now + u64::from(ms));
    }

    /// `timer` does not fire.
    pub fn clear(&mut self, timer: Timer) {
        self.due[timer.index()] = None;
    }

    /// Whether `timer` is pending.
    #[cfg(test)]
    pub fn is_set(&self, timer: Timer) -> bool {
        self.due[timer.index()].is_some()
    }

    /// The browser timeout fired: it is no longer armed.
    pub fn fired(&mut self) {
        self.armed = None;
    }

    /// The earliest timer that is due at `now`, now cleared. Call again (after feeding it) until
    /// `None`.
    pub fn take_due(&mut self, now: u64) -> Option<Timer> {
        let (timer, _) = self.earliest().filter(|&(_, at)| at <= now + EARLY_MS)?;
        self.clear(timer);
        Some(timer)
    }

    /// After the effects of an input (or a firing): what to do with the browser timeout so that
    /// it fires at the earliest deadline, or not at all when nothing is pending.
    pub fn arm(&mut self, now: u64) -> Arm {
        match (self.earliest(), self.armed) {
            (None, None) => Arm::Keep,
            (None, Some(_)) => {
                self.armed = None;
                Arm::Drop
            }
            (Some((_, at)), Some(armed)) if armed <= at => Arm::Keep,
            (Some((_, at)), _) => {
                self.armed = Some(at);
                // A deadline already past arms a timeout of 0 ms.
                Arm::After(u32::try_from(at.saturating_sub(now)).unwrap_or(u32::MAX))
            }
        }
    }

    /// The earliest pending deadline (the first timer in [`Timer::ALL`] order on a tie).
    fn earliest(&self) -> Option<(Timer, u64)> {
        let mut best: Option<(Timer, u64)> = None;
        for (timer, at) in Timer::ALL.into_iter().zip(self.due) {
            match (at, best) {
                (Some(at), Some((_, b))) if at >= b => {}
                (Some(at), _) => best = Some((timer, at)),
                (None, _) => {}
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_timeout_for_the_earliest_deadline() {
        let mut d = Deadlines::default();
        assert_eq!(d.arm(0), Arm::Keep, "nothing pending, nothing armed");
        d.set(Timer::Response, 5000, 0);
        assert_eq!(d.arm(0), Arm::After(5000));
        // A later deadline needs no new timeout; an earlier one does.
        d.set(Timer::Poll, 6000, 10);
        assert_eq!(d.arm(10), Arm::Keep);
        d.set(Timer::Load, 100, 20);
        assert_eq!(d.arm(20), Arm::After(100));
        // Nothing pending: the timeout goes.
        for t in Timer::ALL {
            d.clear(t);
        }
        assert_eq!(d.arm(30), Arm::Drop);
        assert_eq!(d.arm(30), Arm::Keep);
    }

    #[test]
    fn a_check_round_trip_arms_nothing_new() {
        // The bench's loop: checkNow clears Poll and sets Response; the answer clears Response and
        // sets Poll. The timeout armed for the first Poll stays until it fires.
        let mut d = Deadlines::default();
        d.set(Timer::Poll, 100, 0);
        assert_eq!(d.arm(0), Arm::After(100));
        for i in 1..50 {
            let now: u64 = i;
            d.clear(Timer::Poll);
            d.set(Timer::Response, 5000, now);
            assert_eq!(d.arm(now), Arm::Keep);
            d.clear(Timer::Response);
            d.set(Timer::Poll, 100, now + 1);
            assert_eq!(d.arm(now + 1), Arm::Keep);
        }
        // It fires with nothing due, and arms for the Poll now pending.
        d.fired();
        assert_eq!(d.take_due(100), None);
        assert_eq!(d.arm(100), Arm::After(50));
        d.fired();
        assert_eq!(d.take_due(149), Some(Timer::Poll));
        assert!(!d.is_set(Timer::Poll));
        assert_eq!(d.take_due(149), None);
        assert_eq!(d.arm(149), Arm::Keep);
    }

    #[test]
    fn due_timers_fire_earliest_first_and_late_ones_wait() {
        let mut d = Deadlines::default();
        d.set(Timer::Reauth, 300, 0);
        d.set(Timer::Load, 200, 0);
        d.set(Timer::Poll, 900, 0);
        assert_eq!(d.arm(0), Arm::After(200));
        // Fired a little early (clock rounding): still on time.
        d.fired();
        assert_eq!(d.take_due(199), Some(Timer::Load));
        assert_eq!(d.take_due(199), None);
        assert_eq!(d.arm(199), Arm::After(101));
        // Fired late: both due, earliest first.
        d.fired();
        assert_eq!(d.take_due(1000), Some(Timer::Reauth));
        assert_eq!(d.take_due(1000), Some(Timer::Poll));
        assert_eq!(d.take_due(1000), None);
        assert_eq!(d.arm(1000), Arm::Keep);
    }

    #[test]
    fn a_timer_fed_from_a_firing_is_armed_once() {
        // Feeding a due timer may set another: it is armed then, and stays armed.
        let mut d = Deadlines::default();
        d.set(Timer::Poll, 100, 0);
        assert_eq!(d.arm(0), Arm::After(100));
        d.fired();
        assert_eq!(d.take_due(100), Some(Timer::Poll));
        d.set(Timer::Response, 5000, 100);
        assert_eq!(d.arm(100), Arm::After(5000));
        assert_eq!(d.take_due(100), None);
        assert_eq!(d.arm(100), Arm::Keep);
    }

    #[test]
    fn setting_again_replaces_the_deadline() {
        let mut d = Deadlines::default();
        d.set(Timer::Poll, 100, 0);
        d.set(Timer::Poll, 500, 0);
        assert_eq!(d.arm(0), Arm::After(500));
        d.fired();
        assert_eq!(d.take_due(100), None);
        assert_eq!(d.take_due(500), Some(Timer::Poll));
    }
}
