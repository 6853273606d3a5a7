//! The tabs' `BroadcastChannel`, as an owned handle: every message received is validated by
//! [`TabMessage::decode`] before anything else sees it, and whatever fails is only counted.
//!
//! One channel per OP origin and `client_id` ([`crate::core::tabs::channel_name`]) carries every
//! tab-wide notice for that client; the message shapes live in [`crate::core::tabs`], so a new
//! kind of notice is a new [`TabMessage`] variant there, decoded here like the others.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

use crate::browser::iframe::Target;
use crate::browser::listener::Listener;
use crate::browser::sharing::Feed;
use crate::core::machine::Input;
use crate::core::tabs::TabMessage;

/// An open `BroadcastChannel` and its `message` listener. Dropping it removes the listener and
/// closes the channel (a closed channel keeps no page out of the back/forward cache).
#[must_use = "the channel is closed as soon as this value is dropped"]
#[derive(Debug)]
pub struct Channel {
    channel: BroadcastChannel,
    _listener: Listener,
}

impl Channel {
    /// Opens `name` and feeds each valid message of `scope` as `Tab`. Messages that are not
    /// strings, not well-formed, of another version or of another scope are counted
    /// ([`Feed::ignored`]).
    /// `None` where `BroadcastChannel` does not exist (the caller then works alone).
    pub fn open(name: &str, scope: String, feed: &Feed) -> Option<Channel> {
        let feed = feed.clone();
        let channel = BroadcastChannel::new(name).ok()?;
        let on_message = move |event: web_sys::Event| {
            // Every getter reads `undefined` on an event of another type: no `instanceof` import.
            let data = event.unchecked_ref::<MessageEvent>().data().as_string();
            match data.map(|d| TabMessage::decode(&d, &scope)) {
                Some(Ok(message)) => feed.feed(Input::Tab(message)),
                _ => feed.ignored(),
            }
        };
        let listener = Listener::new(&channel, "message", Box::new(on_message));
        Some(Channel {
            channel,
            _listener: listener,
        })
    }

    /// Posts `message` to every other open channel of the same name (in this tab and others).
    pub fn post(&self, message: &TabMessage, scope: &str) {
        let _ = self
            .channel
            .unchecked_ref::<Target>()
            .post_message(&message.encode(scope).into(), &JsValue::UNDEFINED);
    }

    /// Whether this browser has `BroadcastChannel`.
    pub fn supported() -> bool {
        // Read through the `Reflect.get` import the glue has anyway (no `Reflect.has` import): a
        // global that is absent, or whose getter throws, reads as `undefined`.
        !crate::browser::js::get(&js_sys::global(), "BroadcastChannel").is_undefined()
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.close();
    }
}
