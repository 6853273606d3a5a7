//! The hidden OP iframe and the two listeners that belong to it.

use js_sys::Object;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Event, HtmlIFrameElement, MessageEvent, Window};

use crate::browser::js::{get, set};
use crate::browser::listener::Listener;
use crate::browser::sharing::Feed;
use crate::core::machine::Input;
use crate::core::types::CheckSessionUrl;

/// Hides an iframe through the CSSOM. Setting `element.style.cssText` is allowed under a strict
/// `style-src` CSP, where a `style` attribute would be blocked (and the iframe shown). One
/// `Reflect` read and write: no `style`/`setProperty` imports (size).
pub fn hide(iframe: &HtmlIFrameElement) {
    set(
        &get(iframe, "style"),
        "cssText",
        "position:absolute;width:0;height:0;border:0;visibility:hidden;left:-9999px;top:-9999px",
    );
    let _ = iframe.set_attribute("aria-hidden", "true");
    let _ = iframe.set_attribute("tabindex", "-1");
}

/// A new iframe, hidden (see [`hide`]) and titled for assistive technology, not yet in the page.
pub fn hidden_iframe(document: &Document, title: &str) -> Option<HtmlIFrameElement> {
    let iframe: HtmlIFrameElement = document.create_element("iframe").ok()?.unchecked_into();
    set(&iframe, "title", title);
    hide(&iframe);
    Some(iframe)
}

/// Adds `iframe` to `document.body`, or to the root element of a page without a body.
pub fn attach(document: &Document, iframe: &HtmlIFrameElement) -> Option<()> {
    // Read through `Reflect` (cold path): no `body`/`documentElement` imports.
    let body = get(document, "body");
    let parent = match body.is_object() {
        true => body,
        false => Some(get(document, "documentElement")).filter(JsValue::is_object)?,
    };
    parent
        .unchecked_into::<web_sys::Node>()
        .append_child(iframe)
        .ok()
        .map(|_| ())
}

/// Listens on `window` for `message` events whose `origin` is exactly `origin` **and** whose
/// `source` is `iframe`'s own window, and hands their `data` to `on_data`. Everything else is
/// ignored without a trace: other frames, extensions and hostile pages post to every window.
pub fn listen_to_frame(
    window: &Window,
    iframe: &HtmlIFrameElement,
    origin: &str,
    mut on_data: Box<dyn FnMut(JsValue)>,
) -> Listener {
    let frame = iframe.clone();
    // Compared as JS strings: no copy of every message's origin into Rust.
    let origin = JsValue::from_str(origin);
    let on_message = move |event: Event| {
        // Every getter used here reads `undefined` (not our origin) on an event of another type.
        if event.unchecked_ref::<Message>().origin() != origin {
            return;
        }
        let event: &MessageEvent = event.unchecked_ref();
        let (Some(source), Some(ours)) = (event.source(), frame.content_window()) else {
            return;
        };
        if Object::is(&source, &ours) {
            on_data(event.data());
        }
    };
    Listener::new(window, "message", Box::new(on_message))
}

#[wasm_bindgen]
extern "C" {
    /// A `message` event, read with untyped getters.
    #[wasm_bindgen(js_name = MessageEvent)]
    type Message;
    /// `event.origin`, as a JS value.
    #[wasm_bindgen(method, getter)]
    fn origin(this: &Message) -> JsValue;
    /// A window, posted to with the target origin as a JS string made once; also a
    /// `BroadcastChannel` (`undefined` as the target origin, an argument it ignores): one
    /// `postMessage` import.
    #[wasm_bindgen(js_name = Window)]
    pub type Target;
    /// `window.postMessage(message, targetOrigin)`.
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    pub fn post_message(
        this: &Target,
        message: &JsValue,
        target_origin: &JsValue,
    ) -> Result<(), JsValue>;
}

/// The OP's `check_session_iframe`, hidden, with its `load` listener and the window's `message`
/// listener. Dropping it removes both listeners and the element.
#[must_use = "the iframe is removed as soon as this value is dropped"]
#[derive(Debug)]
pub struct OpFrame {
    iframe: HtmlIFrameElement,
    target_origin: JsValue,
    _on_load: Listener,
    _on_message: Listener,
}

impl OpFrame {
    /// Adds the iframe to `document.body` (or the root element) and starts listening.
    ///
    /// `on_data` is called with the `data` of messages whose `origin` is exactly the OP's origin
    /// and whose `source` is this iframe's window. Everything else is ignored without a trace:
    /// other frames, extensions and hostile pages post to every window.
    pub fn open(
        window: &Window,
        document: &Document,
        url: &CheckSessionUrl,
        feed: &Feed,
        on_data: Box<dyn FnMut(JsValue)>,
    ) -> Option<Self> {
        // Not display:none: some OP pages need layout. Off-screen and zero-sized instead.
        let iframe = hidden_iframe(document, "OpenID Provider session check")?;
        // Lets an OP page that calls document.requestStorageAccess() use the Storage Access API
        // (Chromium, Firefox, Safari); ignored where unsupported.
        let _ = iframe.set_attribute("allow", "storage-access");
        set(&iframe, "src", url.url());

        let on_load = Listener::feeding(&iframe, "load", feed, |_| Some(Input::IframeLoaded));
        let origin = url.origin().as_str();
        let on_message = listen_to_frame(window, &iframe, origin, on_data);
        attach(document, &iframe)?;
        Some(OpFrame {
            iframe,
            target_origin: origin.into(),
            _on_load: on_load,
            _on_message: on_message,
        })
    }

    /// Posts `message` to the iframe's window, addressed to the OP's exact origin (never `"*"`):
    /// if the iframe navigated elsewhere, the browser drops it.
    pub fn post(&self, message: &str) {
        if let Some(w) = self.iframe.content_window() {
            let _ = w
                .unchecked_ref::<Target>()
                .post_message(&message.into(), &self.target_origin);
        }
    }
}

impl Drop for OpFrame {
    fn drop(&mut self) {
        self.iframe.remove();
    }
}
