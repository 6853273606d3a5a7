//! The page's lifecycle as machine inputs, through owned listeners.
//!
//! | event                          | input                        |
//! |--------------------------------|------------------------------|
//! | `visibilitychange` (document)  | `VisibilityChanged{hidden}`  |
//! | `focus`, `online` (window)     | `Wake`                       |
//! | `pagehide` (window), `freeze`  | `PageHidden`                 |
//! | `pageshow` persisted, `resume` | `PageShown`                  |
//!
//! `freeze`/`resume` exist in Chromium only; elsewhere `pagehide`/`pageshow` cover the
//! back/forward cache.

use wasm_bindgen::JsCast;
use web_sys::{Event, PageTransitionEvent};

use crate::browser::listener::Listener;
use crate::browser::sharing::Feed;
use crate::core::machine::Input;

/// The listeners; dropping it removes them all.
#[must_use = "the listeners are removed as soon as this value is dropped"]
#[derive(Debug)]
pub struct Lifecycle {
    _listeners: Vec<Listener>,
}

impl Lifecycle {
    /// Listens on this page's window and document and feeds what happens to `feed`.
    pub fn new(feed: &Feed) -> Option<Lifecycle> {
        let window = web_sys::window()?;
        let document = window.document()?;
        let mut listeners = Vec::with_capacity(7);
        let doc = document.clone();
        let f = feed.clone();
        listeners.push(Listener::new(&document, "visibilitychange", move |_| {
            f(Input::VisibilityChanged {
                hidden: doc.hidden(),
            })
        }));
        // `fn() -> Input`, not a cloned `Input`: no clone code for every input variant (size).
        let wake: fn() -> Input = || Input::Wake;
        let hide: fn() -> Input = || Input::PageHidden;
        let show: fn() -> Input = || Input::PageShown;
        for (target, kind, input) in [
            (window.as_ref(), "focus", wake),
            (window.as_ref(), "online", wake),
            (window.as_ref(), "pagehide", hide),
            (document.as_ref(), "freeze", hide),
            (document.as_ref(), "resume", show),
        ] {
            let f = feed.clone();
            listeners.push(Listener::new(target, kind, move |_| f(input())));
        }
        let f = feed.clone();
        listeners.push(Listener::new(&window, "pageshow", move |event: Event| {
            // The first pageshow of a load is not a return from the back/forward cache.
            if event
                .dyn_ref::<PageTransitionEvent>()
                .is_some_and(|e| e.persisted())
            {
                f(Input::PageShown)
            }
        }));
        Some(Lifecycle {
            _listeners: listeners,
        })
    }
}
