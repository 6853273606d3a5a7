//! Cross-tab leadership: one poller for every monitor of a scope (see [`crate::core::tabs`]).
//!
//! With [`Config::cross_tab`](super::Config::cross_tab), `start()` does not load the OP iframe: the
//! monitor opens the channel, queues for the lock and *follows* ([`Phase::Following`]). The
//! lock's holder is the leader: it runs the ordinary phases, and every event it emits is also
//! broadcast (with its phase and visibility), so followers relay it with `detail.leader: false`.
//!
//! - **Hand-off.** The leader gives the lock up on `stop()` (saying `Bye`) and on `pagehide`/
//!   `freeze` (a held lock would keep the page out of the back/forward cache); the next monitor in
//!   the lock's queue becomes leader. A closed tab's lock is released by the browser.
//! - **Stuck leader.** A follower that hears nothing for [`Config::stale_after_ms`] while the
//!   leader should be polling stops trusting what it heard last (its state turns `loading`) and,
//!   if its page is visible, steals the lock; the robbed leader gets [`Input::LockLost`] and
//!   follows. A hidden follower steals as soon as it is shown.
//! - **Visible first.** A visible follower takes over from a hidden leader when that leader is idle
//!   (waiting for its next check, or paused by `pauseWhenHidden`), never in the middle of a check
//!   or a re-authentication.
//! - **Sight.** A cross-site OP iframe whose first answer is `changed` may be blind (third-party
//!   cookies blocked, see [`blind`](super::blind)). A leader's `unchanged` proves that this
//!   browser shows the OP's cookies to the OP iframe of every monitor on the channel (they share
//!   one top-level site, so one cookie partition): a follower that heard one keeps that proof
//!   when it takes over, so a logout seen by its first answer is `changed`, not
//!   `third_party_cookies_blocked` for every tab. `start()` and `pageshow` forget it.
//! - **Asking.** `checkNow()` and wake-ups in a follower ask the leader (`Check`); a new follower
//!   asks too, and the leader answers with its state, so no follower mistakes a quiet, paused
//!   leader for a stuck one.
//!
//! Lock and channel effects are derived in one place ([`Machine::finish`]) from the phase before
//! and after each input: a monitor is *attached* (channel open, lock requested or held) exactly
//! while it runs cross-tab and is not suspended.

use super::transitions::Machine;
use super::types::*;
use crate::core::tabs::{TabEvent, TabMessage, View};

/// What [`Machine::finish`] compares.
pub(super) struct Before {
    leading: bool,
    attached: bool,
    view: View,
    hidden: bool,
}

impl Machine {
    fn leading(&self) -> bool {
        self.config().cross_tab && self.phase().is_polling()
    }

    fn attached(&self) -> bool {
        self.config().cross_tab && self.phase().is_running() && self.phase() != Phase::Suspended
    }

    pub(super) fn snapshot(&self) -> Before {
        Before {
            leading: self.leading(),
            attached: self.attached(),
            view: View::of(self.phase()),
            hidden: self.hidden(),
        }
    }

    /// Adds the cross-tab effects of what just happened: open/close the channel and queue for or
    /// release the lock when attachment changed; broadcast what a leader emitted (a `stop()` of
    /// the leader's own page is a `Bye`, not a `stopped` for everyone), or its new state.
    pub(super) fn finish(&mut self, before: Before, fx: Vec<Effect>) -> Vec<Effect> {
        let (leading, attached) = (self.leading(), self.attached());
        let announce = std::mem::take(&mut self.announce);
        if !before.attached && !attached {
            return fx;
        }
        let view = View::of(self.phase());
        let hidden = self.hidden();
        let mut out = Vec::with_capacity(fx.len() + 4);
        if !before.attached {
            out.push(Effect::OpenChannel);
            out.push(Effect::RequestLock { steal: false });
        }
        let mut told = false;
        for effect in fx {
            let tell = match &effect {
                Effect::Emit(Event::Stopped(StopReason::Caller)) if before.leading => {
                    Some(TabMessage::Bye)
                }
                Effect::Emit(event) if before.leading || leading => Some(TabMessage::Event {
                    event: TabEvent::from(event),
                    view,
                    hidden,
                }),
                _ => None,
            };
            out.push(effect);
            if let Some(message) = tell {
                told = true;
                out.push(Effect::Broadcast(message));
            }
        }
        if leading
            && !told
            && (announce || !before.leading || before.view != view || before.hidden != hidden)
        {
            out.push(Effect::Broadcast(TabMessage::State { view, hidden }));
        }
        if before.attached && !attached {
            out.push(Effect::ReleaseLock);
            out.push(Effect::CloseChannel);
        }
        out
    }

    /// Starts following: the channel and the lock request come from [`finish`](Self::finish).
    pub(super) fn follow(&mut self, fx: &mut Vec<Effect>) {
        self.set_phase(Phase::Following(View::Unknown));
        self.stale = false;
        self.stealing = false;
        // Back from the back/forward cache, the page proves again what the OP iframe sees.
        self.forget_sight();
        // Ask the leader to speak: a fresh check for a new tab (coalesced), and its state.
        fx.push(Effect::Broadcast(TabMessage::Check { explicit: false }));
        self.watch(fx);
    }

    /// Host calls and page events while following or suspended.
    pub(super) fn follower(
        &mut self,
        input: Input,
        source: &mut dyn SessionStateSource,
        fx: &mut Vec<Effect>,
    ) {
        let following = matches!(self.phase(), Phase::Following(_));
        match input {
            Input::Stop => {
                if following {
                    fx.push(Effect::ClearTimer(Timer::Leader));
                }
                self.set_phase(Phase::Stopped);
                fx.push(Effect::Emit(Event::Stopped(StopReason::Caller)));
            }
            // start() resumes a leader paused after `changed` (or hidden), as it would alone.
            Input::Start
                if matches!(self.phase(), Phase::Following(View::Paused | View::Hidden)) =>
            {
                self.ask(true, fx)
            }
            Input::CheckNow if following => self.ask(true, fx),
            Input::VisibilityChanged { hidden } => {
                let shown = self.hidden() && !hidden;
                self.set_hidden(hidden);
                if shown {
                    self.wake(source, fx);
                }
            }
            // Iframe, timer and re-authentication inputs from before this monitor followed.
            _ => {}
        }
    }

    /// Lock, channel and page-lifecycle inputs, and the follower's patience timer.
    pub(super) fn cross_tab(
        &mut self,
        input: Input,
        source: &mut dyn SessionStateSource,
        fx: &mut Vec<Effect>,
    ) {
        let shared = self.config().cross_tab;
        match (input, self.phase()) {
            (Input::LockAcquired, Phase::Following(_)) => {
                self.stealing = false;
                fx.push(Effect::ClearTimer(Timer::Leader));
                self.begin_polling(fx);
            }
            // A grant nobody waits for any more (stopped, suspended, already leading): give it back.
            (Input::LockAcquired, phase) if !phase.is_polling() || !shared => {
                fx.push(Effect::ReleaseLock)
            }
            (Input::LockLost, phase) if shared && phase.is_polling() => {
                self.halt(fx);
                self.set_phase(Phase::Following(View::Unknown));
                self.stealing = false;
                fx.push(Effect::RequestLock { steal: false });
                self.watch(fx);
            }
            // Stolen between the grant and its report: back into the queue.
            (Input::LockLost, Phase::Following(_)) => {
                self.stealing = false;
                fx.push(Effect::RequestLock { steal: false });
            }
            (Input::PageHidden, phase) if shared && phase.is_polling() => {
                self.halt(fx);
                fx.push(Effect::Broadcast(TabMessage::Bye));
                self.set_phase(Phase::Suspended);
            }
            (Input::PageHidden, Phase::Following(_)) => {
                fx.push(Effect::ClearTimer(Timer::Leader));
                self.set_phase(Phase::Suspended);
            }
            (Input::PageShown, Phase::Suspended) => self.follow(fx),
            // Alone, the page may have slept in the back/forward cache: look at once.
            (Input::PageShown, phase) if phase.is_polling() => self.wake(source, fx),
            (Input::TimerFired(Timer::Leader), Phase::Following(_)) => {
                self.stale = true;
                self.set_phase(Phase::Following(View::Unknown));
                if !self.hidden() {
                    self.steal(fx);
                }
            }
            (Input::Tab(message), Phase::Following(_)) => self.hear(message, fx),
            (Input::Tab(TabMessage::Check { explicit }), phase) if phase.is_polling() => {
                self.announce = true;
                if explicit {
                    self.poll_input(Input::CheckNow, source, fx);
                } else {
                    self.wake(source, fx);
                }
            }
            // A leader that has not had its first answer yet still relays the last words of the
            // leader before it (hand-off races), and stops with it.
            (Input::Tab(TabMessage::Event { event, .. }), Phase::Loading | Phase::Connecting) => {
                let stop = matches!(event, TabEvent::Stopped { .. });
                match event {
                    TabEvent::SignedOut(_) => self.signed_out = true,
                    TabEvent::Unchanged => self.sight_proven(),
                    _ => {}
                }
                fx.push(Effect::Relay(event));
                if stop {
                    self.halt(fx);
                }
            }
            _ => {}
        }
    }

    /// What a follower does with the leader's word.
    fn hear(&mut self, message: TabMessage, fx: &mut Vec<Effect>) {
        match message {
            TabMessage::Event {
                event,
                view,
                hidden,
            } => {
                match &event {
                    TabEvent::Unchanged => self.sight_proven(),
                    TabEvent::Renewed { sub, .. } => self.learn_sub(sub),
                    // The same end told on the logout channel too is not said twice.
                    TabEvent::SignedOut(_) => self.signed_out = true,
                    _ => {}
                }
                let stop = matches!(event, TabEvent::Stopped { .. });
                fx.push(Effect::Relay(event));
                if stop {
                    fx.push(Effect::ClearTimer(Timer::Leader));
                    self.set_phase(Phase::Stopped);
                } else {
                    self.heard(view, hidden, fx);
                }
            }
            TabMessage::State { view, hidden } => self.heard(view, hidden, fx),
            TabMessage::Bye => {
                // The next in the lock's queue takes over; until it speaks, nothing is known.
                self.set_phase(Phase::Following(View::Unknown));
                self.watch(fx);
            }
            TabMessage::Check { .. } => {}
        }
    }

    fn heard(&mut self, view: View, hidden: bool, fx: &mut Vec<Effect>) {
        self.set_phase(Phase::Following(view));
        self.leader_hidden = hidden;
        self.stale = false;
        let idle = matches!(view, View::Waiting | View::Hidden);
        if hidden && idle && !self.hidden() {
            self.steal(fx);
        } else {
            self.watch(fx);
        }
    }

    /// A follower asks the leader to check (`checkNow()` or a wake-up), or takes over when the
    /// leader is taken for stuck and this page is visible.
    pub(super) fn ask(&mut self, explicit: bool, fx: &mut Vec<Effect>) {
        if self.stale && !self.hidden() {
            self.steal(fx);
        } else {
            fx.push(Effect::Broadcast(TabMessage::Check { explicit }));
        }
    }

    fn steal(&mut self, fx: &mut Vec<Effect>) {
        if !self.stealing {
            self.stealing = true;
            fx.push(Effect::RequestLock { steal: true });
        }
        // If the steal never completes, the patience timer fires again.
        fx.push(Effect::SetTimer(
            Timer::Leader,
            self.config().stale_after_ms(),
        ));
    }

    /// Arms the patience timer for what the leader is doing; no timer while silence is expected.
    fn watch(&mut self, fx: &mut Vec<Effect>) {
        let Phase::Following(view) = self.phase() else {
            return;
        };
        let c = self.config();
        let stale = c.stale_after_ms();
        let ms = match view {
            View::Unknown | View::Loading | View::Waiting | View::Checking => Some(stale),
            View::Reauthenticating => Some(c.reauth_timeout_ms.saturating_add(stale)),
            View::BackingOff => Some(
                u32::try_from(c.loop_guard.max_delay_ms)
                    .unwrap_or(u32::MAX)
                    .saturating_add(stale),
            ),
            View::Paused | View::Hidden | View::Stopped => None,
        };
        fx.push(match ms {
            Some(ms) => Effect::SetTimer(Timer::Leader, ms),
            None => Effect::ClearTimer(Timer::Leader),
        });
    }
}
