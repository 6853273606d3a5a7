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

use web_sys::Event;

use crate::browser::js::get;

use crate::browser::listener::Listener;
use crate::browser::sharing::Feed;
use crate::core::machine::Input;

/// The listeners; dropping it removes them all.
#[must_use = "the listeners are removed as soon as this value is dropped"]
#[derive(Debug)]
pub struct Lifecycle {
    _listeners: Vec<Listener>,
}

/// Whether the page is hidden now, as an input.
pub fn visibility() -> Option<Input> {
    let document = crate::browser::js::window()?.document()?;
    Some(Input::VisibilityChanged {
        hidden: get(&document, "hidden").as_bool().unwrap_or(false),
    })
}

impl Lifecycle {
    /// Listens on this page's window and document and feeds what happens to `feed`.
    pub fn new(feed: &Feed) -> Option<Lifecycle> {
        let window = crate::browser::js::window()?;
        let document = window.document()?;
        // `fn(&Event) -> Option<Input>`: one listener closure type for all (size).
        let visibility: fn(&Event) -> Option<Input> = |_| visibility();
        let wake: fn(&Event) -> Option<Input> = |_| Some(Input::Wake);
        let hide: fn(&Event) -> Option<Input> = |_| Some(Input::PageHidden);
        let show: fn(&Event) -> Option<Input> = |_| Some(Input::PageShown);
        // The first pageshow of a load is not a return from the back/forward cache.
        let returned: fn(&Event) -> Option<Input> = |event| {
            // `persisted` reads `undefined` (false) on another event type.
            get(event, "persisted")
                .as_bool()
                .unwrap_or(false)
                .then_some(Input::PageShown)
        };
        let mut listeners = Vec::with_capacity(7);
        for (target, kind, input) in [
            (document.as_ref(), "visibilitychange", visibility),
            (window.as_ref(), "focus", wake),
            (window.as_ref(), "online", wake),
            (window.as_ref(), "pagehide", hide),
            (document.as_ref(), "freeze", hide),
            (document.as_ref(), "resume", show),
            (window.as_ref(), "pageshow", returned),
        ] {
            listeners.push(Listener::feeding(target, kind, feed, input));
        }
        Some(Lifecycle {
            _listeners: listeners,
        })
    }
}
