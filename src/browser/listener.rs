//! An event listener that removes itself when dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
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
    /// `target.addEventListener(kind, callback)`.
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        callback: impl FnMut(Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(Event)>::new(callback);
        // Only fails for a non-function callback, which cannot happen here.
        let _ = target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref());
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
        Listener::new(target, kind, move |event| {
            if let Some(input) = input(&event) {
                feed(input)
            }
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}
