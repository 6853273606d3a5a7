//! One machine [`Timer`](super::Timer)'s browser timeout, kept across a check while the page is
//! visible (issue 14 point 4).
//!
//! A check clears one timer and sets another on each side of its round trip (`Poll` and
//! `Response`): with one browser timeout per [`Effect::SetTimer`](super::Effect::SetTimer), that
//! is a `setTimeout`, a `clearTimeout` and a closure made and freed on both sides, in the round
//! trip. While the page is **visible** a slot keeps its browser timeout instead: clearing only
//! forgets the deadline, and a later deadline is served by the timeout already armed, which
//! arms the rest when it fires. While the page is **hidden** every slot is exact (one timeout
//! per deadline, cleared when cleared, as before): browsers clamp background timeouts at each
//! arming (Firefox: to 1 s and more), so re-arming there would make a timer late by a clamp
//! each time. Each timer keeps its own timeout in both modes: a late timer never waits for
//! another's. Pure bookkeeping over a monotonic clock in milliseconds that the glue passes in.

/// What the glue does with the slot's browser timeout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arm {
    /// Leave it as it is.
    Keep,
    /// Replace it with one that fires after this many milliseconds.
    After(u32),
    /// Drop it (clears it if it is still pending).
    Drop,
}

/// What happens to a timer: the machine's effects, its browser timeout, the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// `SetTimer(ms)`.
    Set(u32),
    /// `ClearTimer`.
    Clear,
    /// The browser timeout fired (it is spent).
    Fired,
    /// The page became hidden.
    Hidden,
}

/// A timer's deadline and its browser timeout.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Slot {
    /// When the armed browser timeout fires; `None`: none is armed.
    fires: Option<f64>,
    /// When the machine wants the timer; `None`: it is cleared.
    due: Option<f64>,
}

impl Slot {
    /// Applies `change` at `now` (`exact`: the page is hidden): whether the timer fires (feed
    /// `TimerFired`), and what to do with the browser timeout.
    pub fn change(&mut self, change: Change, now: f64, exact: bool) -> (bool, Arm) {
        let mut fire = false;
        match change {
            Change::Set(ms) => self.due = Some(now + f64::from(ms)),
            Change::Clear => self.due = None,
            Change::Fired => {
                // Only a timeout armed for the deadline itself fires the timer (not the clock:
                // a browser may fire a little early or, clamped, late).
                fire = self.fires.is_some() && self.fires == self.due;
                self.fires = None;
                if fire {
                    self.due = None;
                }
            }
            Change::Hidden => {}
        }
        let arm = match (self.fires, self.due) {
            (Some(_), None) if exact => {
                self.fires = None;
                Arm::Drop
            }
            // Visible: a timeout that fires no later than the deadline serves it.
            (Some(fires), Some(due)) if fires == due || (!exact && fires <= due) => Arm::Keep,
            (_, Some(due)) => {
                self.fires = Some(due);
                // `as` truncates (up to 1 ms early: still this deadline's timeout) and
                // saturates (a deadline already past arms 0 ms).
                Arm::After((due - now) as u32)
            }
            // Nothing pending; a spent timeout is replaced by the next one.
            _ => Arm::Keep,
        };
        (fire, arm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Change::*;

    #[test]
    fn visible_a_check_round_trip_arms_nothing() {
        let (mut poll, mut response) = (Slot::default(), Slot::default());
        // The answer before: `Response` cleared, `Poll` set (2000 ms).
        assert_eq!(
            response.change(Set(3000), 0.0, false),
            (false, Arm::After(3000))
        );
        assert_eq!(response.change(Clear, 1.0, false), (false, Arm::Keep));
        assert_eq!(
            poll.change(Set(2000), 1.0, false),
            (false, Arm::After(2000))
        );
        // checkNow() at 10 ms: `Poll` cleared, `Response` set; the answer at 11 ms: the reverse.
        assert_eq!(poll.change(Clear, 10.0, false), (false, Arm::Keep));
        assert_eq!(response.change(Set(3000), 10.0, false), (false, Arm::Keep));
        assert_eq!(response.change(Clear, 11.0, false), (false, Arm::Keep));
        assert_eq!(poll.change(Set(2000), 11.0, false), (false, Arm::Keep));
        // `Response`'s timeout fires with nothing pending: nothing fires, nothing is armed.
        assert_eq!(response.change(Fired, 3000.0, false), (false, Arm::Keep));
        assert_eq!(response, Slot::default());
        // `Poll`'s fires 10 ms before its deadline: it arms the rest, then the timer fires.
        assert_eq!(poll.change(Fired, 2001.0, false), (false, Arm::After(10)));
        assert_eq!(poll.change(Fired, 2010.5, false), (true, Arm::Keep));
        assert_eq!(poll, Slot::default());
    }

    #[test]
    fn an_earlier_deadline_arms_a_new_timeout() {
        let mut s = Slot::default();
        assert_eq!(s.change(Set(5000), 0.0, false), (false, Arm::After(5000)));
        assert_eq!(s.change(Set(100), 10.0, false), (false, Arm::After(100)));
        // The timeout armed for the deadline fires the timer, whatever the clock says.
        assert_eq!(s.change(Fired, 109.5, false), (true, Arm::Keep));
        assert_eq!(s.change(Fired, 200.0, false), (false, Arm::Keep), "once");
    }

    #[test]
    fn hidden_every_deadline_has_its_own_timeout() {
        let mut s = Slot::default();
        assert_eq!(s.change(Set(3000), 0.0, true), (false, Arm::After(3000)));
        assert_eq!(s.change(Clear, 5.0, true), (false, Arm::Drop));
        assert_eq!(s.change(Set(3000), 10.0, true), (false, Arm::After(3000)));
        // A later deadline replaces the timeout rather than waiting for it to fire.
        assert_eq!(s.change(Set(3000), 20.0, true), (false, Arm::After(3000)));
        // Clamped by the browser, it fires late: the timer fires, nothing is armed.
        assert_eq!(s.change(Fired, 4020.0, true), (true, Arm::Keep));
        assert_eq!(s, Slot::default());
    }

    #[test]
    fn hiding_makes_kept_timeouts_exact() {
        let mut cleared = Slot::default();
        let _ = cleared.change(Set(3000), 0.0, false);
        let _ = cleared.change(Clear, 1.0, false);
        assert_eq!(cleared.change(Hidden, 5.0, true), (false, Arm::Drop));
        assert_eq!(cleared, Slot::default());
        let mut later = Slot::default();
        let _ = later.change(Set(2000), 0.0, false);
        assert_eq!(later.change(Set(2000), 500.0, false), (false, Arm::Keep));
        assert_eq!(later.change(Hidden, 600.0, true), (false, Arm::After(1900)));
        assert_eq!(later.change(Fired, 2500.0, true), (true, Arm::Keep));
        let mut exact = Slot::default();
        let _ = exact.change(Set(2000), 0.0, false);
        assert_eq!(exact.change(Hidden, 600.0, true), (false, Arm::Keep));
        assert_eq!(
            Slot::default().change(Hidden, 0.0, true),
            (false, Arm::Keep)
        );
    }

    #[test]
    fn a_past_deadline_arms_zero() {
        let mut s = Slot::default();
        let _ = s.change(Set(100), 0.0, false);
        assert_eq!(s.change(Set(100), 50.0, false), (false, Arm::Keep));
        // Hidden long after (a busy page): the rest is already past.
        assert_eq!(s.change(Hidden, 1000.0, true), (false, Arm::After(0)));
    }
}
