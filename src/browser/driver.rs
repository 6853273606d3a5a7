//! Runs the state machine in the page: feeds it DOM events and timer callbacks, performs its effects.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, EventTarget};

use crate::browser::iframe::OpFrame;
use crate::browser::source::Source;
use crate::core::machine::{Effect, Event, Input, Machine, Phase};
use crate::core::types::CheckSessionUrl;

struct Inner {
    machine: Machine,
    url: CheckSessionUrl,
    source: Source,
    frame: Option<OpFrame>,
    timers: [Option<Timeout>; 3],
}

/// Owns the machine and every browser resource it uses. Dropping it (or [`Driver::dispose`])
/// releases the iframe, the listeners, the timers and their closures, without emitting events.
pub struct Driver {
    inner: Rc<RefCell<Inner>>,
    events: EventTarget,
}

impl Driver {
    /// A driver in the `idle` phase; events go to `events`.
    pub fn new(machine: Machine, url: CheckSessionUrl, source: Source, events: EventTarget) -> Self {
        let inner = Inner { machine, url, source, frame: None, timers: [None, None, None] };
        Driver { inner: Rc::new(RefCell::new(inner)), events }
    }

    /// Feeds an input, performs the effects, then dispatches the events with no borrow held, so a
    /// listener may call `stop()`, `checkNow()` or `start()` from inside an event.
    pub fn feed(&self, input: Input) {
        feed(&self.inner, &self.events, input);
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.inner.try_borrow().map(|i| i.machine.phase()).unwrap_or(Phase::Stopped)
    }

    /// Releases everything now, silently.
    pub fn dispose(&self) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.frame = None;
            inner.timers = [None, None, None];
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.dispose();
    }
}

fn feed(inner: &Rc<RefCell<Inner>>, events: &EventTarget, input: Input) {
    let emitted = {
        let Ok(mut guard) = inner.try_borrow_mut() else { return };
        let state = &mut *guard;
        let effects = state.machine.handle(input, &mut state.source);
        let mut emitted = Vec::new();
        for effect in effects {
            match effect {
                Effect::Emit(event) => emitted.push(event),
                other => perform(state, inner, events, other),
            }
        }
        emitted
    };
    for event in emitted {
        dispatch(events, event);
    }
}

fn perform(state: &mut Inner, rc: &Rc<RefCell<Inner>>, events: &EventTarget, effect: Effect) {
    match effect {
        Effect::CreateIframe => {
            let (Some(window), weak) = (web_sys::window(), Rc::downgrade(rc)) else { return };
            let Some(document) = window.document() else { return };
            let (w1, e1, w2, e2) = (weak.clone(), events.clone(), weak, events.clone());
            state.frame = OpFrame::open(
                &window,
                &document,
                &state.url,
                move || feed_weak(&w1, &e1, Input::IframeLoaded),
                move |answer| feed_weak(&w2, &e2, Input::Answer(answer)),
            );
            // If the page has no document body to attach to, the load deadline reports it.
        }
        Effect::RemoveIframe => state.frame = None,
        Effect::Post(message) => {
            if let Some(frame) = &state.frame {
                frame.post(&message);
            }
        }
        Effect::SetTimer(timer, ms) => {
            let (weak, events) = (Rc::downgrade(rc), events.clone());
            state.timers[timer.index()] =
                Some(Timeout::new(ms, move || feed_weak(&weak, &events, Input::TimerFired(timer))));
        }
        Effect::ClearTimer(timer) => state.timers[timer.index()] = None,
        Effect::StartReauth => {
            // Re-authentication is wired in by the API layer in a later step; until then the
            // machine is never configured to ask for it.
        }
        Effect::Emit(_) => {}
    }
}

fn feed_weak(weak: &Weak<RefCell<Inner>>, events: &EventTarget, input: Input) {
    if let Some(inner) = weak.upgrade() {
        feed(&inner, events, input);
    }
}

/// Event names, as used with `addEventListener`.
pub fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Unchanged => "unchanged",
        Event::Changed => "changed",
        Event::Error { .. } => "error",
        Event::Stopped(_) => "stopped",
    }
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

fn dispatch(target: &EventTarget, event: Event) {
    let name = event_name(&event);
    let detail = Object::new();
    set(&detail, "type", name);
    set(&detail, "timestamp", js_sys::Date::now());
    match event {
        Event::Error { error, attempt } => {
            set(&detail, "code", error.code());
            set(&detail, "message", error.message());
            set(&detail, "attempt", attempt);
        }
        Event::Stopped(reason) => set(&detail, "reason", reason.code()),
        Event::Unchanged | Event::Changed => {}
    }
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    if let Ok(e) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = target.dispatch_event(&e);
    }
}
