//! An event listener that removes itself when dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::js::UntypedEventTarget;
use web_sys::{Event, EventTarget};

use crate::browser::sharing::Feed;
use crate::core::machine::Input;

/// A registered listener. Dropping it calls `removeEventListener` with the same type, callback and
/// capture flag (`false`), then frees the closure.
#[must_use = "the listener is removed as soon as this value is dropped"]
#[derive(Debug)]
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// `target.addEventListener(kind, callback)`. Boxed: one copy of this for every listener
    /// (size).
    pub fn new(target: &EventTarget, kind: &'static str, callback: Box<dyn FnMut(Event)>) -> Self {
        let callback = Closure::wrap(callback);
        // The untyped binding the monitor's `addEventListener` uses too: one import.
        target.unchecked_ref::<UntypedEventTarget>().add_listener(
            &kind.into(),
            callback.as_ref(),
            &JsValue::UNDEFINED,
        );
        Listener {
            target: target.clone(),
            kind,
            callback,
        }
    }
}

impl Listener {
    /// Feeds `input(event)` to the machine (nothing for `None`). Every listener that only turns
    /// an event into an input is this one closure type: one set of shims, not one per listener
    /// (size).
    pub fn feeding(
        target: &EventTarget,
        kind: &'static str,
        feed: &Feed,
        input: fn(&Event) -> Option<Input>,
    ) -> Self {
        let feed = feed.clone();
        Listener::new(
            target,
            kind,
            Box::new(move |event| {
                if let Some(input) = input(&event) {
                    feed.feed(input)
                }
            }),
        )
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.target
            .unchecked_ref::<UntypedEventTarget>()
            .remove_listener(
                &self.kind.into(),
                self.callback.as_ref(),
                &JsValue::UNDEFINED,
            );
    }
}
