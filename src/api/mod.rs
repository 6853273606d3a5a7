//! The JavaScript API: `SessionMonitor`, its options and its events. Only conversions live here.

pub mod error;
pub mod logout;
pub mod options;

use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

use crate::browser::driver::Driver;
use crate::browser::js::UntypedEventTarget;
use crate::core::machine::{Input, Machine};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// The options object, typed in TypeScript as `SessionMonitorOptions`.
    #[wasm_bindgen(typescript_type = "SessionMonitorOptions")]
    pub type SessionMonitorOptions;

}

/// Follows the user's session at an OpenID Provider by OpenID Connect Session Management 1.0.
///
/// ```js
/// const monitor = new SessionMonitor({
///   checkSessionIframe: 'https://op.example/check_session',
///   clientId: 'client01',
///   sessionState: { cookie: 'session_state' },
/// });
/// monitor.addEventListener('changed', (e) => signInAgain());
/// monitor.start();
/// ```
///
/// Events: `unchanged`, `changed`, `error` (with `detail.code`), `stopped` (with `detail.reason`),
/// and with re-authentication configured: `renewed`, `signedOut`, `userChanged`,
/// `interactionRequired`.
///
/// # Security
/// Messages go only to the exact origin of `checkSessionIframe`, never `"*"`. An answer counts
/// only if it comes from that origin *and* from the monitor's own iframe window. `session_state`
/// never appears in events, errors or logs.
#[wasm_bindgen]
pub struct SessionMonitor {
    driver: Driver,
    events: UntypedEventTarget,
    client_id: String,
}

impl std::fmt::Debug for SessionMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionMonitor")
            .field("driver", &self.driver)
            .finish_non_exhaustive()
    }
}

#[wasm_bindgen]
impl SessionMonitor {
    /// Validates the options. Nothing starts until [`start`](Self::start).
    ///
    /// # Errors
    /// Throws a `SessionMonitorError` with a stable `code`: `invalid_options`, `unknown_option`,
    /// `missing_client_id`, `invalid_client_id`, `missing_option`, `invalid_url`,
    /// `unsupported_scheme`, `insecure_url`, `invalid_session_state_source`,
    /// `invalid_session_state`, `invalid_cookie_name`, `invalid_option`.
    ///
    /// Only the options object's own properties count: a property inherited from a polluted
    /// `Object.prototype` is ignored.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &SessionMonitorOptions) -> Result<SessionMonitor, JsValue> {
        let o = options::parse(options).map_err(|e| e.to_js())?;
        let events = EventTarget::new()?;
        let client_id = o.client_id.as_str().to_owned();
        let machine = Machine::new(o.client_id, o.config, o.location);
        let driver = Driver::new(
            machine,
            o.source,
            o.method,
            o.logout,
            o.answers,
            events.clone(),
        );
        Ok(SessionMonitor {
            driver,
            events: events.unchecked_into(),
            client_id,
        })
    }

    /// Adds the hidden OP iframe and starts polling once it has loaded. Resumes polling when
    /// paused after `changed`. Does nothing while already running.
    pub fn start(&self) {
        self.driver.sync_visibility();
        self.driver.feed(Input::Start);
    }

    /// Stops polling and removes the iframe, its listeners and timers at once. Emits `stopped`
    /// just after this call returns (events caused by `start()`, `stop()` and `checkNow()` are
    /// dispatched in a microtask, so a listener may call any method, `free()` included).
    /// `start()` may be called again later.
    pub fn stop(&self) {
        self.driver.feed(Input::Stop);
    }

    /// Checks now instead of at the next interval, or resumes after `changed` (like `start()`) and
    /// while paused in a hidden page. With `rpSession` it also asks the RP's server at once; in a
    /// follower tab it asks the leader to check. It does nothing, and queues nothing, while the
    /// monitor discovers the OP or loads its iframe (the first check follows `load`), while a
    /// check is in flight (its answer comes), while re-authenticating or backing off after
    /// repeated `changed` (loop protection decides when to check again), and when stopped or
    /// never started. The check's outcome arrives as the usual events: `unchanged` and `changed`
    /// from the OP, an `error` when the session_state cannot be read.
    #[wasm_bindgen(js_name = checkNow)]
    pub fn check_now(&self) {
        self.driver.feed(Input::CheckNow);
    }

    /// Whether this monitor polls the OP itself: alone, or as the leader of the monitors that
    /// share its OP, client and session_state source. `false` in a follower and when stopped.
    #[wasm_bindgen(getter)]
    pub fn leader(&self) -> bool {
        self.driver.leader()
    }

    /// How many messages on the cross-tab channel were ignored (malformed, another version or
    /// another source): a debug counter. None of them ever became an event.
    #[wasm_bindgen(getter, js_name = ignoredMessages)]
    pub fn ignored_messages(&self) -> u32 {
        self.driver.ignored_messages()
    }

    /// The current phase: `idle`, `loading`, `waiting`, `checking`, `paused`,
    /// `reauthenticating`, `hidden` or `stopped`. In a follower, the leader's phase.
    #[wasm_bindgen(getter, unchecked_return_type = "SessionMonitorState")]
    pub fn state(&self) -> JsValue {
        JsValue::from_str(self.driver.phase().name())
    }

    /// Tells a developer whether the OP iframe sees its session in this browser, from what the
    /// running monitor has seen (no extra iframe or request): `{ site, firstAnswer, seesSession,
    /// advice }`. `site` is `same-site` or `cross-site` (third-party cookie rules
    /// apply only cross-site; a framed page counts as cross-site); `firstAnswer` is the OP
    /// iframe's first answer since `start()` (`none` before it); `seesSession` is `yes`, `no` or
    /// `unknown`; `advice` says what to do.
    #[wasm_bindgen(unchecked_return_type = "SessionMonitorDiagnosis")]
    pub fn diagnose(&self) -> JsValue {
        self.driver.diagnose()
    }

    /// `EventTarget.addEventListener`, for the events listed on [`SessionMonitor`] (typed in
    /// TypeScript by `SessionMonitorEventMap`).
    #[wasm_bindgen(js_name = addEventListener, skip_typescript)]
    pub fn add_event_listener(&self, kind: &JsValue, listener: &JsValue, options: &JsValue) {
        self.driver.listen(kind);
        self.events.add_listener(kind, listener, options);
    }

    /// `EventTarget.removeEventListener`.
    #[wasm_bindgen(js_name = removeEventListener, skip_typescript)]
    pub fn remove_event_listener(&self, kind: &JsValue, listener: &JsValue, options: &JsValue) {
        self.events.remove_listener(kind, listener, options);
    }
}

impl Drop for SessionMonitor {
    /// `free()`: releases the iframe, listeners, timers and closures without emitting events.
    fn drop(&mut self) {
        self.driver.dispose();
    }
}
