//! Logout glue: the origin-wide logout channel (every tab learns that the session ended), the
//! `rpSession` request, the stored `sid` the front-channel page compares against, and the
//! post-logout page's helper. Each handle releases itself on drop.

use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent, RequestInit};

use crate::browser::js::{fetch_json, get, get_string, set};
use crate::browser::listener::Listener;
use crate::browser::sharing::Feed;
use crate::browser::source::Source;
use crate::core::logout::{
    sid_key, verify_post_logout, PostLogout, RpSessionAnswer, SignOutReason, CHANNEL_NAME,
    SIGNED_OUT_MESSAGE,
};
use crate::core::machine::Input;
/// The `sessionStorage` key of the `state` sent by `logout()`, checked by `verifyPostLogout()`.
pub const LOGOUT_STATE_KEY: &str = "oidc-session-monitor:logout-state";

/// The logout channel, open while the monitor runs. Dropping it removes the listener and closes
/// the channel.
#[must_use = "the channel closes as soon as this value is dropped"]
#[derive(Debug)]
pub struct LogoutChannel {
    channel: BroadcastChannel,
    _listener: Listener,
}

impl LogoutChannel {
    /// Opens the channel; each valid message from another tab is fed as `SessionEnded`.
    pub fn open(feed: &Feed) -> Option<Self> {
        let channel = BroadcastChannel::new(CHANNEL_NAME).ok()?;
        let listener = Listener::feeding(&channel, "message", feed, |e| {
            let reason = parse(&e.unchecked_ref::<MessageEvent>().data())?;
            Some(Input::SessionEnded {
                reason,
                from_other_tab: true,
            })
        });
        Some(LogoutChannel {
            channel,
            _listener: listener,
        })
    }
}

impl Drop for LogoutChannel {
    fn drop(&mut self) {
        self.channel.close();
    }
}

fn parse(data: &JsValue) -> Option<SignOutReason> {
    if !data.is_object() || get_string(data, "type")?.as_str() != SIGNED_OUT_MESSAGE {
        return None;
    }
    SignOutReason::parse(&get_string(data, "reason")?)
}

/// Tells every other tab (and frame) of this origin that the session ended. The one place that
/// does: switch it to the cross-tab channel when that carries sign-outs.
pub fn tell_other_tabs(reason: SignOutReason) {
    let Ok(channel) = BroadcastChannel::new(CHANNEL_NAME) else {
        return;
    };
    let message = Object::new();
    set(&message, "type", SIGNED_OUT_MESSAGE);
    set(&message, "reason", reason.as_str());
    let _ = channel
        .unchecked_ref::<crate::browser::iframe::Target>()
        .post_message(&message, &JsValue::UNDEFINED);
    channel.close();
}

/// Asks the RP's session endpoint (same origin, credentials included, `cache: 'no-store'`) and
/// feeds its answer to the request `generation`. The task itself (no nested `async fn`: one state
/// machine less).
pub async fn ask_rp_session(url: String, feed: Feed, generation: u32) {
    let (status, json) = match crate::browser::js::window() {
        Some(window) => {
            let init = RequestInit::new();
            // Reflect.set, not the typed setters: their imports bring the enums' strings into
            // the glue.
            set(&init, "cache", "no-store");
            set(&init, "credentials", "same-origin");
            fetch_json(window.fetch_with_str_and_init(&url, &init)).await
        }
        None => (None, None),
    };
    let active = match (status, json) {
        (Some(200), Some(json)) => get(&json, "active").as_bool(),
        _ => None,
    };
    // No status (a failed request) is `Unavailable`.
    let answer = RpSessionAnswer::classify(status, active);
    feed.feed(Input::RpSessionAnswered { generation, answer });
}

fn local_storage() -> Option<web_sys::Storage> {
    crate::browser::js::window_object("localStorage")
}

/// The ID token's `iss` and `sid`, read with `JSON.parse` (no claim checks: it only names the
/// session to forget or to compare a front-channel request with).
fn iss_and_sid(id_token: Option<&Source>) -> (Option<String>, Option<String>) {
    let claims = id_token
        .and_then(|s| s.read_raw().ok().flatten())
        .and_then(|t| crate::browser::reauth::payload(&t));
    match claims {
        Some(c) => (get_string(&c, "iss"), get_string(&c, "sid")),
        None => (None, None),
    }
}

/// Keeps the `sid` of the session (the renewal's, else the ID token's) under `sid_key(iss)`, for
/// the front-channel logout page. `issuer` is used when the token names none.
pub fn remember_sid(id_token: Option<&Source>, renewed_sid: Option<&str>, issuer: Option<&str>) {
    let (iss, sid) = iss_and_sid(id_token);
    let iss = iss.as_deref().or(issuer);
    let sid = renewed_sid.or(sid.as_deref());
    if let (Some(iss), Some(sid), Some(storage)) = (iss, sid, local_storage()) {
        let _ = storage.set_item(&sid_key(iss), sid);
    }
}

/// Forgets the `sid` kept for the ID token's issuer (or `issuer`).
pub fn forget_sid(id_token: Option<&Source>, issuer: Option<&str>) {
    let (iss, _) = iss_and_sid(id_token);
    if let (Some(iss), Some(storage)) = (iss.as_deref().or(issuer), local_storage()) {
        let _ = storage.remove_item(&sid_key(iss));
    }
}

/// Checks the post-logout page's `state` against the one `logout()` kept in this tab, then
/// forgets it (one use).
pub fn post_logout() -> PostLogout {
    let Some(window) = crate::browser::js::window() else {
        return PostLogout::NoRequest;
    };
    let storage: Option<web_sys::Storage> = crate::browser::js::window_object("sessionStorage");
    let stored = storage
        .as_ref()
        .and_then(|s| s.get_item(LOGOUT_STATE_KEY).ok().flatten());
    if let Some(storage) = &storage {
        let _ = storage.remove_item(LOGOUT_STATE_KEY);
    }
    let search = get(&get(&window, "location"), "search")
        .as_string()
        .unwrap_or_default();
    verify_post_logout(&search, stored.as_deref())
}
