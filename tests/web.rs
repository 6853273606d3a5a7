//! The browser glue in real browsers (`wasm-pack test --headless --chrome --firefox`), with real
//! iframes and real cross-origin `postMessage` against a fake OP served on other loopback origins by
//! `tests/support/fake-op/server.mjs` (started by scripts/test.sh; port from `FAKE_OP_PORT`, default 9040).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Object, Reflect};
use oidc_session_monitor::api::{SessionMonitor, SessionMonitorOptions};
use oidc_session_monitor::core::origin::CASES;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn port() -> &'static str {
    option_env!("FAKE_OP_PORT").unwrap_or("9040")
}
/// The fake OP on an origin other than the test page's.
fn op(path_and_query: &str) -> String {
    ["http://127.0.0.1:", port(), path_and_query].concat()
}
/// The same server under another origin (`localhost` instead of `127.0.0.1`).
fn other_op(path_and_query: &str) -> String {
    ["http://localhost:", port(), path_and_query].concat()
}

// Every JS helper of this file is in this one inline_js module. Each inline_js block is a module
// the page fetches at start-up, all at once; wasm-bindgen-test-runner's HTTP server (tiny_http 0.12)
// can lose a connection of such a burst (its task pool counts a thread woken for one connection as
// still idle, and each keep-alive connection holds its thread), and Chromium then waits on that
// module until its idle sockets close: the run hangs at start-up with "Timed out receiving message
// from renderer". Five modules hung 2 of 7 page loads; keep one.
#[wasm_bindgen(inline_js = r#"
let adds = 0, removes = 0;
export function install_counter() {
  if (window.__countingInstalled) return;
  window.__countingInstalled = true;
  const add = EventTarget.prototype.addEventListener, rm = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (t, ...r) { if (this === window && t === 'message') adds++; return add.call(this, t, ...r); };
  EventTarget.prototype.removeEventListener = function (t, ...r) { if (this === window && t === 'message') removes++; return rm.call(this, t, ...r); };
}
export function message_listeners() { return adds - removes; }
export function iframe_count() { return document.querySelectorAll('iframe').length; }
export function enforce_style_csp() {
  if (window.__styleCsp) return;
  window.__styleCsp = true; window.__styleViolations = 0;
  document.addEventListener('securitypolicyviolation', (e) => { if (e.effectiveDirective.startsWith('style-src')) window.__styleViolations++; });
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy'; meta.content = "style-src 'self'";
  document.head.appendChild(meta);
}
export function style_violations() { return window.__styleViolations || 0; }
export function all_iframes_hidden() {
  return [...document.querySelectorAll('iframe[aria-hidden="true"]')].every((f) => {
    const cs = getComputedStyle(f);
    return cs.visibility === 'hidden' && f.offsetWidth === 0 && f.offsetHeight === 0;
  }) && document.querySelectorAll('iframe[aria-hidden="true"]').length > 0;
}
export function set_hidden(h) {
  if (h === null) { delete document.hidden; } else { Object.defineProperty(document, 'hidden', { configurable: true, get: () => h }); }
  document.dispatchEvent(new Event('visibilitychange'));
}
export function string_object(s) { return new String(s); }
export function add_frame(src) { const f = document.createElement('iframe'); f.src = src; document.body.appendChild(f); return f; }
// --- cross-tab sharing
export function post_on_channel(name, data) { const c = new BroadcastChannel(name); c.postMessage(data); c.close(); }
export function page_transition(kind, persisted) {
  window.dispatchEvent(new PageTransitionEvent(kind, { persisted }));
}
// --- Web Locks
export function hide_web_locks(hide) {
  if (hide) Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
  else delete navigator.locks;
}
// --- issue 9 (hardening)
export async function free_inside(m, kind, trigger) {
  // free() from inside a listener of an event that `trigger` emits synchronously.
  let threw = null, freed = false;
  m.addEventListener(kind, () => { try { m.free(); freed = true; } catch (e) { threw = String(e && e.message || e); } }, { once: true });
  try { m[trigger](); } catch (e) { threw = 'outer: ' + String(e && e.message || e); }
  await new Promise((r) => setTimeout(r, 0));
  return threw === null ? (freed ? 'freed' : 'no event') : threw;
}
export function methods_inside(m, kind) {
  // stop(), start(), checkNow() from inside a listener; returns what threw, if anything.
  let threw = null;
  m.addEventListener(kind, () => {
    try { m.stop(); m.start(); m.checkNow(); m.stop(); m.start(); } catch (e) { threw = String(e && e.message || e); }
  }, { once: true });
  return () => threw;
}
export function pollute(key, value) { Object.prototype[key] = value; }
export function unpollute(key) { delete Object.prototype[key]; }
export function throwing_getter(o, key) { Object.defineProperty(o, key, { enumerable: true, get() { throw new Error('getter'); } }); }
export function deep_json(depth) {
  // JSON.parse builds any depth; the deserializer must refuse it cleanly.
  return JSON.parse('{"sub":"a","x":' + '['.repeat(depth) + ']'.repeat(depth) + '}');
}
export function set_cookie(c) { document.cookie = c; }
export function page_cookies() { return document.cookie; }
// --- the silent re-authentication (issue 9 points 1, 7; tests at the end of this file)
export function watch_iframes() {
  const seen = [];
  const mo = new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.tagName === 'IFRAME') seen.push([n.title, n.getAttribute('referrerpolicy') || '']);
    }
  });
  mo.observe(document.documentElement, { childList: true, subtree: true });
  return { seen, stop: () => mo.disconnect() };
}
// Registered before the monitor's own listener, so it runs first, while the callback frame is still
// in the page: what the silent-callback page left in its URL, and a request made from its document
// (a beacon: it is sent even though the monitor removes the frame right after this listener).
export function spy_silent_callback(recordUrl) {
  const spy = { seen: 0, url: '', search: null, hash: null, beacon: null };
  const on = (e) => {
    if (!e.data || e.data.type !== 'oidc-session-monitor:silent-callback') return;
    spy.seen++;
    spy.url = String(e.data.url);
    try {
      const w = e.source;
      spy.search = w.location.search;
      spy.hash = w.location.hash;
      spy.beacon = w.navigator.sendBeacon(recordUrl);
    } catch (err) { spy.beacon = String(err); }
  };
  window.addEventListener('message', on);
  spy.stop = () => window.removeEventListener('message', on);
  return spy;
}
export async function op_log(url) { return (await fetch(url, { cache: 'no-store' })).json(); }
export function page_origin() { return location.origin; }
"#)]
extern "C" {
    fn install_counter();
    fn message_listeners() -> i32;
    fn iframe_count() -> u32;
    fn add_frame(src: &str) -> web_sys::Element;
    fn string_object(s: &str) -> JsValue;
    fn enforce_style_csp();
    fn set_hidden(hidden: JsValue);
    fn style_violations() -> u32;
    fn all_iframes_hidden() -> bool;
    // cross-tab sharing
    fn post_on_channel(name: &str, data: &JsValue);
    fn page_transition(kind: &str, persisted: bool);
    // Web Locks
    fn hide_web_locks(hide: bool);
    // issue 9 (hardening); the silent re-authentication
    fn free_inside(m: &JsValue, kind: &str, trigger: &str) -> js_sys::Promise;
    fn methods_inside(m: &JsValue, kind: &str) -> js_sys::Function;
    fn pollute(key: &str, value: &JsValue);
    fn unpollute(key: &str);
    fn throwing_getter(o: &JsValue, key: &str);
    fn deep_json(depth: u32) -> JsValue;
    fn set_cookie(c: &str);
    fn page_cookies() -> String;
    fn watch_iframes() -> JsValue;
    fn spy_silent_callback(record_url: &str) -> JsValue;
    async fn op_log(url: &str) -> JsValue;
    fn page_origin() -> String;
}

fn options(pairs: &[(&str, JsValue)]) -> SessionMonitorOptions {
    with(Object::new().unchecked_into(), pairs)
}

/// `o` with `pairs` set on it (a pair replaces an option already there).
fn with(o: SessionMonitorOptions, pairs: &[(&str, JsValue)]) -> SessionMonitorOptions {
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o
}

/// Timers for tests: a check every 100 ms, 400 ms for an answer, 3 s for the iframe to load.
fn fast_timers() -> [(&'static str, JsValue); 3] {
    [
        ("intervalMs", 100.into()),
        ("responseTimeoutMs", 400.into()),
        ("loadTimeoutMs", 3000.into()),
    ]
}

fn fast(url: &str, state: JsValue) -> SessionMonitorOptions {
    let o = options(&[
        ("checkSessionIframe", url.into()),
        ("clientId", "client01".into()),
        ("sessionState", state),
    ]);
    with(o, &fast_timers())
}

/// [`fast`] options for the fake OP's check_session_iframe, `/check.html`.
fn checked(state: JsValue) -> SessionMonitorOptions {
    fast(&op("/check.html"), state)
}

/// A monitor built from `o` with a [`Recorder`] attached, not started.
fn recorded(o: &SessionMonitorOptions) -> (SessionMonitor, Recorder) {
    let m = SessionMonitor::new(o).unwrap();
    let r = Recorder::attach(&m);
    (m, r)
}

/// [`recorded`], started.
fn started(o: &SessionMonitorOptions) -> (SessionMonitor, Recorder) {
    let (m, r) = recorded(o);
    m.start();
    (m, r)
}

/// `monitor.state`.
fn state(m: &SessionMonitor) -> String {
    m.state().as_string().unwrap()
}

fn obj(key: &str, value: &str) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &key.into(), &value.into()).unwrap();
    o.into()
}

/// Records every event as `type` or `type:code`, and checks each detail never carries a secret.
struct Recorder {
    log: Rc<RefCell<Vec<String>>>,
    _closures: Vec<Closure<dyn FnMut(web_sys::CustomEvent)>>,
}

impl Recorder {
    fn attach(m: &SessionMonitor) -> Recorder {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut closures = Vec::new();
        for kind in [
            "unchanged",
            "changed",
            "error",
            "stopped",
            "renewed",
            "signedOut",
            "userChanged",
            "interactionRequired",
        ] {
            let log = log.clone();
            let c =
                Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
                    let d = e.detail();
                    let get =
                        |k: &str| Reflect::get(&d, &k.into()).ok().and_then(|v| v.as_string());
                    assert_eq!(
                        get("type").as_deref(),
                        Some(e.type_().as_str()),
                        "detail.type"
                    );
                    assert!(Reflect::get(&d, &"timestamp".into())
                        .unwrap()
                        .as_f64()
                        .is_some());
                    let json = js_sys::JSON::stringify(&d).unwrap().as_string().unwrap();
                    assert!(
                        !json.contains("secret"),
                        "a detail leaked the session_state: {json}"
                    );
                    let first = Reflect::get(&d, &"firstCheck".into())
                        .ok()
                        .and_then(|v| v.as_bool());
                    if e.type_() == "changed" {
                        assert!(first.is_some(), "changed carries firstCheck");
                    }
                    let entry = match (get("code"), get("reason"), get("sub")) {
                        (Some(code), _, _) if first == Some(true) => {
                            [e.type_(), code, "first".into()].join(":")
                        }
                        _ if first == Some(true) => "changed:first".to_string(),
                        (Some(code), _, _) => [e.type_(), code].join(":"),
                        (_, Some(reason), _) => [e.type_(), reason].join(":"),
                        (_, _, Some(sub)) => [e.type_(), sub].join(":"),
                        _ => e.type_(),
                    };
                    log.borrow_mut().push(entry);
                });
            m.add_event_listener(&kind.into(), c.as_ref(), &JsValue::UNDEFINED);
            closures.push(c);
        }
        Recorder {
            log,
            _closures: closures,
        }
    }

    fn events(&self) -> Vec<String> {
        self.log.borrow().clone()
    }

    fn count(&self, e: &str) -> usize {
        self.log.borrow().iter().filter(|x| *x == e).count()
    }

    /// The events but `unchanged`.
    fn without_unchanged(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter(|e| e != "unchanged")
            .collect()
    }

    /// Waits until `e` was seen `n` times, up to `ms`.
    async fn wait_for(&self, e: &str, n: usize, ms: u32) -> bool {
        until(ms, || self.count(e) >= n).await
    }

    /// [`Recorder::wait_for`], failing the test (with the events seen) if `e` does not come.
    async fn expect(&self, e: &str, n: usize, ms: u32) {
        let seen = self.wait_for(e, n, ms).await;
        assert!(seen, "{n} × {e} within {ms} ms: {:?}", self.events());
    }
}

async fn sleep(ms: u32) {
    TimeoutFuture::new(ms).await;
}

/// Waits until `f()` holds, up to `ms`; whether it held.
async fn until(ms: u32, mut f: impl FnMut() -> bool) -> bool {
    let mut waited = 0;
    while !f() {
        if waited >= ms {
            return false;
        }
        sleep(20).await;
        waited += 20;
    }
    true
}

/// The page's iframes and `window` `message` listeners (counted from [`install_counter`]) before a
/// test, to compare with after.
struct Page {
    frames: u32,
    listeners: i32,
}

impl Page {
    fn now() -> Page {
        install_counter();
        Page {
            frames: iframe_count(),
            listeners: message_listeners(),
        }
    }

    /// Asserts the page holds `more` iframes and as many message listeners more than at [`Page::now`].
    fn holds(&self, more: u32, what: &str) {
        assert_eq!(iframe_count(), self.frames + more, "iframes: {what}");
        let listeners = self.listeners + more as i32;
        assert_eq!(message_listeners(), listeners, "message listeners: {what}");
    }
}

/// `"ok"` if a monitor can be built from `o`, else the `code` of the typed error it throws.
fn outcome(o: &JsValue) -> String {
    match SessionMonitor::new(o.unchecked_ref()) {
        Ok(_) => "ok".into(),
        Err(e) => error_code(&e),
    }
}

/// The `code` of a thrown error, which is a JS `Error`.
fn error_code(e: &JsValue) -> String {
    assert!(e.is_instance_of::<js_sys::Error>(), "{e:?}");
    js_get(e, "code").as_string().unwrap()
}

fn js_get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap()
}

/// An unsigned JWT (`alg: none`) with these claims.
fn unsigned_jwt(claims: &str) -> String {
    let b64 = js_sys::global()
        .unchecked_into::<web_sys::Window>()
        .btoa(claims)
        .unwrap()
        .replace('+', "-")
        .replace('/', "_")
        .replace('=', "");
    ["eyJhbGciOiJub25lIn0.", &b64, ".c2ln"].concat()
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
fn origins_agree_with_the_browsers_url_parser() {
    for (url, want) in CASES {
        let browser = web_sys::Url::new(url).unwrap().origin();
        assert_eq!(&browser, want, "new URL({url:?}).origin");
    }
}

#[wasm_bindgen_test]
async fn happy_path_unchanged_then_stop() {
    let page = Page::now();
    let (m, r) = recorded(&checked("unchanged-secret".into()));
    assert_eq!(state(&m), "idle");
    m.start();
    page.holds(1, "one hidden iframe");
    r.expect("unchanged", 3, 5000).await;
    m.stop();
    assert_eq!(state(&m), "stopped");
    page.holds(0, "removed by stop()");
    // Events of a method call are dispatched once the call has returned (a microtask later).
    assert_ne!(r.events().last().unwrap(), "stopped:stopped");
    sleep(0).await;
    assert_eq!(r.events().last().unwrap(), "stopped:stopped");
    let seen = r.events().len();
    sleep(400).await;
    assert_eq!(
        r.events().len(),
        seen,
        "no event after stop(): {:?}",
        r.events()
    );
    assert_eq!(r.events().last().unwrap(), "stopped:stopped");
}

#[wasm_bindgen_test]
async fn message_is_client_id_space_session_state_byte_for_byte_from_a_cookie() {
    let doc: web_sys::HtmlDocument = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .unchecked_into();
    // Standard base64 with + / =, stored percent-encoded, as some OPs' values arrive.
    doc.set_cookie("oidcsm_test_ss=q%2B%2Fw%3D%3D.s4lt; path=/")
        .unwrap();
    let expect = js_sys::encode_uri_component("client01 q+/w==.s4lt");
    let url = op(&["/check.html?expect=", &String::from(expect)].concat());
    let (m, r) = started(&fast(&url, obj("cookie", "oidcsm_test_ss")));
    r.expect("unchanged", 1, 5000).await; // the exact message
    assert_eq!(r.count("error:op_error"), 0);
    drop(m);
    doc.set_cookie("oidcsm_test_ss=; max-age=0; path=/")
        .unwrap();
}

#[wasm_bindgen_test]
async fn session_state_is_reread_at_every_check() {
    storage()
        .set_item("oidcsm_ss", "unchanged-secret1")
        .unwrap();
    let (m, r) = started(&checked(obj("localStorage", "oidcsm_ss")));
    r.expect("unchanged", 1, 5000).await;
    storage().set_item("oidcsm_ss", "changed-secret2").unwrap();
    r.expect("changed", 1, 2000).await;
    assert_eq!(state(&m), "paused", "changed pauses polling");
    let seen = r.events().len();
    sleep(400).await;
    assert_eq!(r.events().len(), seen, "paused: no checks");
    // The host re-authenticated and stored a new value: checkNow() resumes.
    storage()
        .set_item("oidcsm_ss", "unchanged-secret3")
        .unwrap();
    m.check_now();
    r.expect("unchanged", 2, 2000).await;
    drop(m);
    storage().remove_item("oidcsm_ss").unwrap();
}

#[wasm_bindgen_test]
async fn missing_session_state_posts_nothing_and_reports_once() {
    storage().remove_item("oidcsm_absent").unwrap();
    let url = op("/check.html?answer=changed");
    let (_m, r) = started(&fast(&url, obj("sessionStorage", "oidcsm_absent")));
    r.expect("error:no_session_state", 1, 5000).await;
    sleep(500).await;
    assert_eq!(
        r.events(),
        vec!["error:no_session_state"],
        "reported once, nothing posted (else: changed)"
    );
}

#[wasm_bindgen_test]
async fn op_error_stops_polling() {
    let (m, r) = started(&checked("error-secret".into()));
    r.expect("stopped:op_error", 1, 5000).await;
    assert_eq!(r.events(), vec!["error:op_error", "stopped:op_error"]);
    assert_eq!(state(&m), "stopped");
}

#[wasm_bindgen_test]
async fn op_error_continues_when_asked() {
    let o = checked("error-secret".into());
    let (_m, r) = started(&with(o, &[("continueOnError", true.into())]));
    r.expect("error:op_error", 3, 5000).await;
    assert_eq!(r.count("stopped:op_error"), 0);
}

/// Starts a monitor on `url` that can never answer and expects exactly `load_timeout`, then stop.
async fn expect_load_timeout(url: &str, load_timeout_ms: u32) {
    let o = fast(url, "unchanged-secret".into());
    let (_m, r) = started(&with(o, &[("loadTimeoutMs", load_timeout_ms.into())]));
    let within = load_timeout_ms + 3000;
    assert!(
        r.wait_for("stopped:load_timeout", 1, within).await,
        "{url}: {:?}",
        r.events()
    );
    assert_eq!(
        r.events(),
        vec!["error:load_timeout", "stopped:load_timeout"],
        "{url}"
    );
}

#[wasm_bindgen_test]
async fn load_timeout_when_the_iframe_never_loads() {
    expect_load_timeout(&op("/hang"), 500).await;
}

/// Issue 9 (9): a closed port gives `load_timeout` where the browser fires no `load` (Firefox),
/// and a first-check `no_response` after `responseTimeoutMs` where it loads its own error page
/// (Chromium), never a wait of `loadTimeoutMs` after a `load`.
#[wasm_bindgen_test]
async fn a_closed_op_port_is_load_timeout_or_a_first_check_no_response() {
    let o = fast("http://127.0.0.1:9/check", "unchanged-secret".into());
    let extra = [
        ("loadTimeoutMs", 1500.into()),
        ("maxNoResponseRetries", 0.into()),
    ];
    let (_m, r) = started(&with(o, &extra));
    let t0 = js_sys::Date::now();
    until(4000, || r.events().iter().any(|e| e.starts_with("stopped"))).await;
    let ms = js_sys::Date::now() - t0;
    let events = r.events();
    if events.first().map(String::as_str) == Some("error:no_response:first") {
        assert!(ms < 1400.0, "first-check no_response took {ms} ms");
        assert_eq!(events, ["error:no_response:first", "stopped:no_response"]);
    } else {
        assert!(ms >= 1450.0, "load_timeout after {ms} ms");
        assert_eq!(events, ["error:load_timeout", "stopped:load_timeout"]);
    }
}

/// Issue 9 (9): an iframe that loads a page which is no check_session_iframe (here a 404 page of
/// the OP's origin) is reported after `responseTimeoutMs`, with `firstCheck`, not after the load
/// timeout.
#[wasm_bindgen_test]
async fn a_loaded_page_that_never_answers_is_a_first_check_no_response() {
    let o = fast(&op("/blank.html"), "unchanged-secret".into());
    let extra = [
        ("loadTimeoutMs", 10_000.into()),
        ("maxNoResponseRetries", 0.into()),
    ];
    let (_m, r) = started(&with(o, &extra));
    assert!(
        r.wait_for("stopped:no_response", 1, 4000).await,
        "reported after responseTimeoutMs (400 ms), not loadTimeoutMs (10 s): {:?}",
        r.events()
    );
    assert_eq!(
        r.events(),
        ["error:no_response:first", "stopped:no_response"]
    );
}

#[wasm_bindgen_test]
async fn no_response_is_retried_then_stops() {
    storage().set_item("oidcsm_nr", "unchanged-secret").unwrap();
    let o = checked(obj("localStorage", "oidcsm_nr"));
    let (_m, r) = started(&with(o, &[("maxNoResponseRetries", 1.into())]));
    r.expect("unchanged", 1, 5000).await;
    storage().set_item("oidcsm_nr", "silent-secret").unwrap();
    r.expect("stopped:no_response", 1, 4000).await;
    assert_eq!(
        r.without_unchanged(),
        vec![
            "error:no_response",
            "error:no_response",
            "stopped:no_response"
        ]
    );
    storage().remove_item("oidcsm_nr").unwrap();
}

#[wasm_bindgen_test]
async fn answers_from_the_right_origin_but_another_window_are_ignored() {
    storage().set_item("oidcsm_ww", "unchanged-secret").unwrap();
    let (_m, r) = started(&checked(obj("localStorage", "oidcsm_ww")));
    r.expect("unchanged", 1, 5000).await;
    // Our iframe falls silent; a sibling frame of the same OP origin floods answers.
    storage().set_item("oidcsm_ww", "silent-secret").unwrap();
    let rogue = add_frame(&op("/rogue.html"));
    r.expect("error:no_response", 1, 3000).await;
    let events = r.events();
    let first_silence = events
        .iter()
        .position(|e| e == "error:no_response")
        .unwrap();
    assert!(
        events[..first_silence]
            .iter()
            .filter(|e| *e == "unchanged")
            .count()
            <= 3
            && !events
                .iter()
                .any(|e| e == "changed" || e == "error:op_error"),
        "rogue answers were counted: {events:?}"
    );
    rogue.remove();
    storage().remove_item("oidcsm_ww").unwrap();
}

/// Issue 9 (10): junk from the monitor's own iframe is reported once (`unexpected_answer`), never
/// counted as an answer; valid answers from a frame on another origin are not heard at all.
#[wasm_bindgen_test]
async fn answers_from_another_origin_are_ignored_and_junk_is_reported_once() {
    let o = checked("junk-secret".into());
    let (m, r) = recorded(&with(o, &[("responseTimeoutMs", 1000.into())]));
    let rogue = add_frame(&other_op("/rogue.html"));
    let value = Rc::new(RefCell::new(JsValue::UNDEFINED));
    let v2 = value.clone();
    let grab = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        *v2.borrow_mut() = Reflect::get(&e.detail(), &"value".into()).unwrap();
    });
    m.add_event_listener(&"error".into(), grab.as_ref(), &JsValue::UNDEFINED);
    m.start();
    r.expect("error:unexpected_answer", 1, 3000).await;
    sleep(500).await;
    assert_eq!(r.events(), ["error:unexpected_answer"], "once per streak");
    // The first junk value of check.html is the string "Unchanged".
    assert_eq!(value.borrow().as_string().as_deref(), Some("Unchanged"));
    assert_eq!(state(&m), "loading");
    rogue.remove();
}

/// Issue 9 (10): `answers` maps an OP dialect (OAuthSD's "connected") to `unchanged`.
#[wasm_bindgen_test]
async fn the_answers_option_maps_an_op_dialect() {
    let url = op("/check.html?answer=connected");
    let (m, r) = started(&fast(&url, "s".into()));
    r.expect("error:unexpected_answer", 1, 3000).await;
    drop(m);
    let dialect = [("answers", obj("connected", "unchanged"))];
    let (_m, r) = started(&with(fast(&url, "s".into()), &dialect));
    r.expect("unchanged", 2, 3000).await;
    assert!(
        !r.events().iter().any(|e| e.starts_with("error")),
        "{:?}",
        r.events()
    );
}

#[wasm_bindgen_test]
async fn two_monitors_on_one_page_hear_only_their_own_iframe() {
    let (_a, ra) = started(&checked("unchanged-secret".into()));
    let (_b, rb) = started(&fast(&other_op("/check.html"), "changed-secret".into()));
    let (_c, rc) = started(&checked("error-secret".into()));
    ra.expect("unchanged", 4, 5000).await;
    // `localhost` is cross-site to `127.0.0.1`: b's first answer `changed` says the iframe cannot
    // see its cookies (issue 13), which b, and only b, reports.
    rb.expect("stopped:third_party_cookies_blocked", 1, 5000)
        .await;
    rc.expect("stopped:op_error", 1, 5000).await;
    assert!(
        ra.events().iter().all(|e| e == "unchanged"),
        "{:?}",
        ra.events()
    );
    assert_eq!(
        rb.events(),
        vec![
            "error:third_party_cookies_blocked",
            "stopped:third_party_cookies_blocked"
        ]
    );
    assert_eq!(rc.events(), vec!["error:op_error", "stopped:op_error"]);
}

#[wasm_bindgen_test]
async fn many_start_stop_cycles_and_free_leave_nothing_behind() {
    let page = Page::now();
    let (m, r) = recorded(&checked("unchanged-secret".into()));
    for i in 1..=10 {
        m.start();
        r.expect("unchanged", i, 5000).await;
        m.stop();
        page.holds(0, &format!("after cycle {i}"));
    }
    m.start();
    r.expect("unchanged", 11, 5000).await;
    page.holds(1, "started again");
    drop(m); // what free() does
    page.holds(0, "free() removes the iframe and the listener");
    let seen = r.events().len();
    sleep(400).await;
    assert_eq!(r.events().len(), seen, "no late events after free()");
}

#[wasm_bindgen_test]
async fn a_listener_may_stop_the_monitor_inside_an_event() {
    let (m, r) = recorded(&checked("unchanged-secret".into()));
    let m = Rc::new(m);
    let m2 = m.clone();
    let stopper = Closure::<dyn FnMut()>::new(move || m2.stop());
    m.add_event_listener(&"unchanged".into(), stopper.as_ref(), &JsValue::UNDEFINED);
    m.start();
    r.expect("stopped:stopped", 1, 5000).await;
    sleep(300).await;
    assert_eq!(r.events(), vec!["unchanged", "stopped:stopped"]);
}

#[wasm_bindgen_test]
fn bad_options_throw_typed_errors() {
    for o in [JsValue::NULL, JsValue::UNDEFINED, "https://op".into()] {
        assert_eq!(outcome(&o), "invalid_options", "{o:?}");
    }
    assert_eq!(option_code(&[]), "ok");
    let cases: [(&str, JsValue, &str); 18] = [
        ("intervalMS", 5.into(), "unknown_option"),
        ("clientId", "".into(), "missing_client_id"),
        ("clientId", JsValue::UNDEFINED, "missing_client_id"),
        ("clientId", 42.into(), "invalid_option"),
        ("clientId", "a b".into(), "invalid_client_id"),
        ("checkSessionIframe", "not a url".into(), "invalid_url"),
        (
            "checkSessionIframe",
            "javascript:alert(1)".into(),
            "unsupported_scheme",
        ),
        ("checkSessionIframe", JsValue::UNDEFINED, "missing_option"),
        ("sessionState", JsValue::UNDEFINED, "missing_option"),
        ("sessionState", 7.into(), "invalid_session_state_source"),
        (
            "sessionState",
            obj("indexedDb", "x"),
            "invalid_session_state_source",
        ),
        (
            "sessionState",
            obj("cookie", ""),
            "invalid_session_state_source",
        ),
        ("sessionState", "".into(), "invalid_session_state"),
        ("intervalMs", (-1).into(), "invalid_option"),
        ("intervalMs", 1.5.into(), "invalid_option"),
        ("intervalMs", f64::NAN.into(), "invalid_option"),
        ("intervalMs", "2000".into(), "invalid_option"),
        ("continueOnError", "yes".into(), "invalid_option"),
    ];
    for (k, v, code) in cases {
        assert_eq!(option_code(&[(k, v.clone())]), code, "{k}: {v:?}");
    }
    // The message names the option, for the console.
    let e = built(&[("intervalMS", 5.into())]).err().unwrap();
    let msg = js_get(&e, "message").as_string().unwrap();
    assert!(msg.contains("intervalMS"), "{msg}");
}

/// A `reauthenticate` hook written in JavaScript, as a host would.
fn hook(body: &str) -> JsValue {
    js_sys::Function::new_with_args("request", body).into()
}

fn with_hook(state_key: &str, body: &str) -> SessionMonitorOptions {
    let o = checked(obj("localStorage", state_key));
    with(
        o,
        &[
            ("reauthenticate", hook(body)),
            ("reauthTimeoutMs", 1000.into()),
        ],
    )
}

#[wasm_bindgen_test]
async fn hook_renewal_writes_the_new_state_back_and_polling_resumes() {
    storage()
        .set_item("oidcsm_h1", "changed-secret-old")
        .unwrap();
    let body = "if (request.clientId !== 'client01' || request.reason !== 'changed') throw new Error('bad request');
                return Promise.resolve({ sessionState: 'unchanged-secret-new', sub: 'alice', sid: 's1' });";
    let (m, r) = started(&with(
        with_hook("oidcsm_h1", body),
        &[("sub", "alice".into())],
    ));
    r.expect("unchanged", 2, 5000).await;
    assert_eq!(
        &r.events()[..3],
        ["changed:first", "renewed:alice", "unchanged"]
    );
    assert_eq!(
        storage().get_item("oidcsm_h1").unwrap().as_deref(),
        Some("unchanged-secret-new")
    );
    drop(m);
    storage().remove_item("oidcsm_h1").unwrap();
}

/// Runs one hook outcome: the stored session_state makes the fake OP say `changed` at once, the
/// hook answers with `body`, and the events must be exactly `expected` (the last one is awaited).
async fn hook_outcome(key: &str, body: &str, sub: Option<&str>, expected: &[&str]) {
    storage().set_item(key, "changed-secret").unwrap();
    let sub = sub.map(|sub| ("sub", sub.into()));
    let (_m, r) = started(&with(with_hook(key, body), sub.as_slice()));
    let last = expected[expected.len() - 1];
    assert!(r.wait_for(last, 1, 5000).await, "{body}: {:?}", r.events());
    assert_eq!(r.events(), expected, "{body}");
    storage().remove_item(key).unwrap();
}

#[wasm_bindgen_test]
async fn hook_login_required_is_signed_out() {
    let body = "return { error: 'login_required' };";
    hook_outcome(
        "oidcsm_h2",
        body,
        None,
        &["changed:first", "signedOut:op_iframe", "stopped:op_iframe"],
    )
    .await;
}

#[wasm_bindgen_test]
async fn hook_consent_required_is_interaction_required() {
    let body = "return { error: 'consent_required' };";
    let expected = [
        "changed:first",
        "interactionRequired:consent_required",
        "stopped:interaction_required",
    ];
    hook_outcome("oidcsm_h3", body, None, &expected).await;
}

#[wasm_bindgen_test]
async fn a_throwing_or_malformed_hook_is_an_error_outcome_not_a_crash() {
    for (body, code) in [
        ("throw new Error('boom');", "reauth_failed"),
        ("return Promise.reject(new Error('no'));", "reauth_failed"),
        ("return 42;", "reauth_invalid_result"),
        (
            "return { sessionState: '', sub: 'alice' };",
            "reauth_invalid_result",
        ),
        ("return { sessionState: 'x' };", "reauth_invalid_result"),
    ] {
        let (error, stopped) = (["error:", code].concat(), ["stopped:", code].concat());
        hook_outcome(
            "oidcsm_h4",
            body,
            None,
            &["changed:first", &error, &stopped],
        )
        .await;
    }
}

#[wasm_bindgen_test]
async fn another_sub_is_user_changed() {
    let body = "return { sessionState: 'unchanged-secret2', sub: 'mallory' };";
    let expected = [
        "changed:first",
        "userChanged:mallory",
        "stopped:user_changed",
    ];
    hook_outcome("oidcsm_h5", body, Some("alice"), &expected).await;
}

#[wasm_bindgen_test]
async fn a_hook_that_never_answers_times_out() {
    let body = "return new Promise(() => {});";
    let expected = [
        "changed:first",
        "error:reauth_timeout",
        "stopped:reauth_timeout",
    ];
    hook_outcome("oidcsm_h6", body, None, &expected).await;
}

/// The fake OP answers `changed` to everything and the hook always "renews": the monitor backs
/// off and gives up with `reauth_loop` instead of re-authenticating forever.
#[wasm_bindgen_test]
async fn an_op_that_always_says_changed_ends_in_reauth_loop() {
    storage().set_item("oidcsm_h7", "changed-secret").unwrap();
    let o = options(&[
        (
            "checkSessionIframe",
            op("/check.html?answer=changed").into(),
        ),
        ("clientId", "client01".into()),
        ("sessionState", obj("localStorage", "oidcsm_h7")),
        ("intervalMs", 100.into()),
        ("sub", "alice".into()),
        (
            "reauthenticate",
            hook(
                "window.__renewals = (window.__renewals || 0) + 1;
            return { sessionState: 'fresh-' + window.__renewals, sub: 'alice' };",
            ),
        ),
    ]);
    let (_m, r) = started(&o);
    r.expect("stopped:reauth_loop", 1, 15000).await;
    let renewals = r.count("renewed:alice");
    assert!(
        (2..=6).contains(&renewals),
        "bounded attempts, got {renewals}: {:?}",
        r.events()
    );
    assert_eq!(
        &r.events()[r.events().len() - 2..],
        ["error:reauth_loop", "stopped:reauth_loop"]
    );
    let seen = r.events().len();
    sleep(1500).await;
    assert_eq!(r.events().len(), seen, "nothing after giving up");
    storage().remove_item("oidcsm_h7").unwrap();
}

/// Thrown errors carry `option`, so callers (the drop-in) never read the message to learn it.
#[wasm_bindgen_test]
fn thrown_errors_name_the_option_they_are_about() {
    let thrown = |pairs: &[(&str, JsValue)]| -> (String, Option<String>) {
        let e = built(pairs).expect_err("throws");
        (error_code(&e), js_get(&e, "option").as_string())
    };
    let cases: [(&str, JsValue, &str); 5] = [
        ("intervalMS", 5.into(), "unknown_option"),
        ("clientId", "a b".into(), "invalid_client_id"),
        ("intervalMs", "soon".into(), "invalid_option"),
        ("checkSessionIframe", JsValue::UNDEFINED, "missing_option"),
        ("sessionState", 7.into(), "invalid_session_state_source"),
    ];
    for (option, v, code) in cases {
        let named = (code.to_owned(), Some(option.to_owned()));
        assert_eq!(thrown(&[(option, v)]), named);
    }
    let e = SessionMonitor::new(JsValue::NULL.unchecked_ref()).expect_err("throws");
    assert!(js_get(&e, "option").is_undefined());
}

#[wasm_bindgen_test]
fn reauth_options_are_validated() {
    let url = op("/check.html");
    // Options with no checkSessionIframe but the one a case names.
    let code_of = |pairs: &[(&str, JsValue)]| {
        option_code(&[&[("checkSessionIframe", JsValue::UNDEFINED)], pairs].concat())
    };
    let silent = |k: &str, v: JsValue| {
        let here = web_sys::window().unwrap().location().origin().unwrap();
        let redirect = ("redirectUri", [&here, "/cb.html"].concat().into());
        JsValue::from(options(&[redirect, (k, v)]))
    };
    assert_eq!(code_of(&[("issuer", "http://127.0.0.1:9/op".into())]), "ok");
    assert_eq!(code_of(&[("issuer", "op.example".into())]), "invalid_url");
    let csi = ("checkSessionIframe", JsValue::from(url));
    let issuer = ("issuer", JsValue::from("https://a"));
    let cases = [
        (
            csi.clone(),
            ("issuer", "https://a".into()),
            "invalid_option",
        ),
        (csi.clone(), ("reauthenticate", 5.into()), "invalid_option"),
        // silentReauth needs issuer
        (
            csi,
            ("silentReauth", silent("scope", "openid".into())),
            "missing_option",
        ),
        (
            issuer.clone(),
            ("silentReauth", silent("scope", "openid".into())),
            "ok",
        ),
        (
            issuer.clone(),
            ("silentReauth", silent("responseType", "token".into())),
            "invalid_option",
        ),
        (
            issuer.clone(),
            ("silentReauth", silent("redirectURI", "x".into())),
            "unknown_option",
        ),
    ];
    for (a, b, code) in cases {
        assert_eq!(code_of(&[a.clone(), b.clone()]), code, "{a:?}, {b:?}");
    }
    assert_eq!(
        code_of(&[
            issuer,
            ("silentReauth", silent("scope", "openid".into())),
            ("reauthenticate", hook("return {}"))
        ]),
        "invalid_option"
    );
}

#[wasm_bindgen_test]
async fn discovery_failure_is_a_typed_error() {
    // Nothing listens on port 9: the discovery fetch fails.
    let o = options(&[
        ("issuer", "http://127.0.0.1:9/op".into()),
        ("clientId", "client01".into()),
        ("sessionState", "unchanged-secret".into()),
    ]);
    let (m, r) = started(&o);
    assert_eq!(state(&m), "loading");
    r.expect("stopped:discovery_failed", 1, 5000).await;
    assert_eq!(
        r.events(),
        vec!["error:discovery_failed", "stopped:discovery_failed"]
    );
}

#[wasm_bindgen_test]
async fn iframes_are_hidden_under_a_strict_style_csp() {
    // A style attribute would be blocked by `style-src 'self'` (and the iframe shown); the
    // monitor sets CSSOM properties, which CSP allows.
    enforce_style_csp();
    let (_m, r) = started(&checked("unchanged-secret".into()));
    r.expect("unchanged", 1, 5000).await;
    assert!(all_iframes_hidden(), "the OP iframe is visible");
    assert_eq!(style_violations(), 0, "inline style blocked by CSP");
}

#[wasm_bindgen_test]
async fn pause_when_hidden_stops_polling_in_a_hidden_page_and_checks_when_shown() {
    let o = checked("unchanged-secret".into());
    let (m, r) = started(&with(o, &[("pauseWhenHidden", true.into())]));
    r.expect("unchanged", 2, 5000).await;
    set_hidden(true.into());
    sleep(300).await; // an answer in flight may still arrive
    assert_eq!(state(&m), "hidden");
    let seen = r.count("unchanged");
    sleep(600).await;
    assert_eq!(
        r.count("unchanged"),
        seen,
        "polled while hidden: {:?}",
        r.events()
    );
    set_hidden(false.into());
    assert!(
        r.wait_for("unchanged", seen + 1, 300).await,
        "no check when shown again"
    );
    set_hidden(JsValue::NULL);
    drop(m);
}

#[wasm_bindgen_test]
async fn without_pause_when_hidden_a_hidden_page_keeps_polling() {
    let (_m, r) = started(&checked("unchanged-secret".into()));
    r.expect("unchanged", 1, 5000).await;
    set_hidden(true.into());
    r.expect("unchanged", 4, 2000).await;
    set_hidden(JsValue::NULL);
}

fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// Ten thousand checks back to back: wasm linear memory (which grows in 64 KiB pages) must not
/// grow after the warm-up, and no message listener or iframe may pile up. Guards the allocator
/// too (lol_alloc's free list must coalesce): a leak of 7 bytes per check would add a page.
#[wasm_bindgen_test]
async fn ten_thousand_checks_leave_memory_and_listeners_flat() {
    use std::cell::Cell;
    let page = Page::now();
    let m = Rc::new(SessionMonitor::new(&checked("unchanged-secret".into())).unwrap());
    let count = Rc::new(Cell::new(0u32));
    let (m2, c2) = (m.clone(), count.clone());
    // Each `unchanged` asks for the next check at once (re-entrant checkNow from a listener).
    let next = Closure::<dyn FnMut()>::new(move || {
        c2.set(c2.get() + 1);
        m2.check_now();
    });
    m.add_event_listener(&"unchanged".into(), next.as_ref(), &JsValue::UNDEFINED);
    m.start();
    let warmed = until(60_000, || count.get() >= 200).await;
    assert!(warmed, "warm-up: {} checks", count.get());
    let warm = wasm_memory_bytes();
    let done = until(60_000, || count.get() >= 10_200).await;
    assert!(done, "only {} checks", count.get());
    assert_eq!(
        wasm_memory_bytes(),
        warm,
        "wasm memory grew over 10,000 checks"
    );
    page.holds(1, "after 10,000 checks");
    m.stop();
    page.holds(0, "stopped");
    drop(next);
}

// ---- Several monitors, one poller (cross-tab sharing) ----

/// A monitor whose session_state is in `localStorage[key]` (shared by default).
fn shared_monitor(key: &str, extra: &[(&str, JsValue)]) -> SessionMonitor {
    SessionMonitor::new(&with(checked(obj("localStorage", key)), extra)).unwrap()
}

/// Two [`shared_monitor`]s of `key`, with their recorders; not started (see [`lead_then_follow`]).
fn two_shared(
    key: &str,
    extra: &[(&str, JsValue)],
) -> (SessionMonitor, SessionMonitor, Recorder, Recorder) {
    let (a, b) = (shared_monitor(key, extra), shared_monitor(key, extra));
    let (ra, rb) = (Recorder::attach(&a), Recorder::attach(&b));
    (a, b, ra, rb)
}

/// Starts `a`, waits until it leads, then starts `b`, which follows.
async fn lead_then_follow(a: &SessionMonitor, b: &SessionMonitor) {
    a.start();
    assert!(until(2000, || a.leader()).await, "the first monitor leads");
    b.start();
}

/// Records `detail.leader` of every `unchanged`.
struct LeaderFlags {
    seen: Rc<RefCell<Vec<bool>>>,
    _c: Closure<dyn FnMut(web_sys::CustomEvent)>,
}

impl LeaderFlags {
    fn attach(m: &SessionMonitor) -> LeaderFlags {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        let c = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            let leader = Reflect::get(&e.detail(), &"leader".into())
                .unwrap()
                .as_bool()
                .expect("detail.leader is a boolean");
            s.borrow_mut().push(leader);
        });
        m.add_event_listener(&"unchanged".into(), c.as_ref(), &JsValue::UNDEFINED);
        LeaderFlags { seen, _c: c }
    }
    fn all(&self, want: bool) -> bool {
        let seen = self.seen.borrow();
        !seen.is_empty() && seen.iter().all(|l| *l == want)
    }
}

#[wasm_bindgen_test]
async fn two_monitors_with_one_source_share_one_iframe_and_free_of_the_leader_hands_off() {
    storage().set_item("oidcsm_x1", "unchanged-secret").unwrap();
    let frames = iframe_count();
    let (a, b, ra, rb) = two_shared("oidcsm_x1", &[]);
    let (la, lb) = (LeaderFlags::attach(&a), LeaderFlags::attach(&b));
    lead_then_follow(&a, &b).await;
    ra.expect("unchanged", 4, 5000).await;
    rb.expect("unchanged", 3, 5000).await;
    assert_eq!(iframe_count(), frames + 1, "one OP iframe for both");
    assert!(a.leader() && !b.leader());
    assert!(la.all(true), "the leader's events say leader: true");
    assert!(lb.all(false), "the follower's events say leader: false");
    let state = state(&b);
    assert!(
        state == "waiting" || state == "checking",
        "follower state {state}"
    );
    // One poller: over the same second both see the same checks.
    let (na, nb) = (ra.count("unchanged"), rb.count("unchanged"));
    sleep(1000).await;
    let (da, db) = (ra.count("unchanged") - na, rb.count("unchanged") - nb);
    assert!(
        da >= 3 && da.abs_diff(db) <= 1,
        "leader {da} vs follower {db}"
    );
    // free() of the leader: the follower takes over within 1 s + one interval.
    drop(a);
    assert!(until(1100, || b.leader()).await, "the follower took over");
    rb.expect("unchanged", rb.count("unchanged") + 2, 3000)
        .await;
    assert_eq!(iframe_count(), frames + 1, "still one OP iframe");
    assert!(
        lb.seen.borrow().last() == Some(&true),
        "now leader: {:?}",
        lb.seen.borrow()
    );
    assert!(
        rb.events().iter().all(|e| e == "unchanged"),
        "no gap, no error: {:?}",
        rb.events()
    );
    drop(b);
    assert_eq!(iframe_count(), frames);
    storage().remove_item("oidcsm_x1").unwrap();
}

#[wasm_bindgen_test]
async fn a_follower_stop_is_its_own_and_cross_tab_false_polls_alone() {
    storage().set_item("oidcsm_x2", "unchanged-secret").unwrap();
    let frames = iframe_count();
    let (a, b, ra, rb) = two_shared("oidcsm_x2", &[]);
    let c = shared_monitor("oidcsm_x2", &[("crossTab", false.into())]);
    let rc = Recorder::attach(&c);
    lead_then_follow(&a, &b).await;
    c.start();
    rb.expect("unchanged", 2, 5000).await;
    rc.expect("unchanged", 2, 5000).await;
    assert_eq!(
        iframe_count(),
        frames + 2,
        "crossTab: false has its own iframe"
    );
    assert!(c.leader(), "alone, a monitor does its own work");
    b.stop();
    // Events of a method call are dispatched once the call has returned (a microtask later).
    sleep(0).await;
    assert_eq!(rb.events().last().unwrap(), "stopped:stopped");
    let n = ra.count("unchanged");
    assert!(
        ra.wait_for("unchanged", n + 2, 3000).await,
        "the leader goes on"
    );
    assert_eq!(
        rb.events().last().unwrap(),
        "stopped:stopped",
        "{:?}",
        rb.events()
    );
    drop((a, b, c));
    assert_eq!(iframe_count(), frames);
    storage().remove_item("oidcsm_x2").unwrap();
}

#[wasm_bindgen_test]
async fn a_stop_for_everyone_reaches_followers_with_the_same_detail() {
    storage().set_item("oidcsm_x3", "unchanged-secret").unwrap();
    let (a, b, ra, rb) = two_shared("oidcsm_x3", &[]);
    lead_then_follow(&a, &b).await;
    rb.expect("unchanged", 1, 5000).await;
    storage().set_item("oidcsm_x3", "error-secret").unwrap();
    ra.expect("stopped:op_error", 1, 3000).await;
    rb.expect("stopped:op_error", 1, 3000).await;
    let tail = ra.without_unchanged();
    assert_eq!(tail, ["error:op_error", "stopped:op_error"]);
    assert_eq!(
        rb.without_unchanged(),
        tail,
        "followers get the same events"
    );
    assert_eq!(state(&b), "stopped");
    storage().remove_item("oidcsm_x3").unwrap();
}

/// `detail.value` of every `error` of `m` (`None`: the event had none).
fn error_values(m: &SessionMonitor) -> Rc<RefCell<Vec<Option<String>>>> {
    let values = Rc::new(RefCell::new(Vec::new()));
    let v = values.clone();
    let c = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        let value = Reflect::get(&e.detail(), &"value".into()).unwrap();
        v.borrow_mut().push(value.as_string());
    });
    m.add_event_listener(&"error".into(), c.as_ref(), &JsValue::UNDEFINED);
    c.forget(); // test code: lives as long as the page
    values
}

/// Issue 9 (9, 10): a follower's `error` has the leader's `detail`: `firstCheck` of a first-check
/// `no_response`, `value` of `unexpected_answer`. Before, the tab message had neither field.
#[wasm_bindgen_test]
async fn followers_get_first_check_and_the_unexpected_value() {
    storage().set_item("oidcsm_x6", "silent-secret").unwrap();
    let extra = [
        ("responseTimeoutMs", JsValue::from(1500)),
        ("maxNoResponseRetries", 0.into()),
    ];
    let (a, b, ra, rb) = two_shared("oidcsm_x6", &extra);
    lead_then_follow(&a, &b).await;
    rb.expect("stopped:no_response", 1, 5000).await;
    let expected = ["error:no_response:first", "stopped:no_response"];
    assert_eq!(ra.events(), expected);
    assert_eq!(rb.events(), expected, "the follower's detail.firstCheck");
    drop((a, b));
    storage().set_item("oidcsm_x6", "unchanged-secret").unwrap();
    let (a, b, ra, rb) = two_shared("oidcsm_x6", &extra);
    let (va, vb) = (error_values(&a), error_values(&b));
    lead_then_follow(&a, &b).await;
    rb.expect("unchanged", 1, 5000).await;
    storage().set_item("oidcsm_x6", "junk-secret").unwrap();
    rb.expect("error:unexpected_answer", 1, 3000).await;
    assert!(ra.count("error:unexpected_answer") == 1);
    // The first junk value of check.html is the string "Unchanged".
    assert_eq!(va.borrow()[0].as_deref(), Some("Unchanged"));
    assert_eq!(
        vb.borrow()[0].as_deref(),
        Some("Unchanged"),
        "the follower's detail.value"
    );
    drop((a, b));
    storage().remove_item("oidcsm_x6").unwrap();
}

#[wasm_bindgen_test]
async fn junk_on_the_channel_is_ignored_and_counted() {
    use oidc_session_monitor::core::tabs::{channel_name, scope, TabEvent, TabMessage, View};
    storage().set_item("oidcsm_x4", "unchanged-secret").unwrap();
    let m = shared_monitor("oidcsm_x4", &[]);
    let r = Recorder::attach(&m);
    m.start();
    r.expect("unchanged", 1, 5000).await;
    let origin = op("");
    let name = channel_name(&origin, "client01");
    let foreign = TabMessage::Event {
        event: TabEvent::Stopped {
            reason: "op_error".into(),
        },
        view: View::Stopped,
        hidden: false,
    }
    .encode(&scope(&origin, "client01", "localStorage", "another_key"));
    let ours = scope(&origin, "client01", "localStorage", "oidcsm_x4");
    let junk: Vec<JsValue> = vec![
        Object::new().into(),
        42.into(),
        "hello".into(),
        JsValue::NULL,
        ["osm2\n", &ours, "\nb"].concat().into(),
        ["osm1\n", &ours, "\ne\nw\n0\nsignedOut\nnot_a_reason"]
            .concat()
            .into(),
        ["osm1\n", &ours, "\ne\nw\n0\nstopped\nstopped"]
            .concat()
            .into(),
        foreign.into(),
    ];
    let count = junk.len() as u32;
    for data in &junk {
        post_on_channel(&name, data);
    }
    assert!(
        until(2000, || m.ignored_messages() >= count).await,
        "{}",
        m.ignored_messages()
    );
    sleep(300).await;
    assert_eq!(m.ignored_messages(), count);
    assert!(
        r.events().iter().all(|e| e == "unchanged"),
        "junk became events: {:?}",
        r.events()
    );
    assert!(m.leader(), "still leading");
    storage().remove_item("oidcsm_x4").unwrap();
}

#[wasm_bindgen_test]
async fn pagehide_gives_the_lock_up_and_pageshow_contests_again() {
    storage().set_item("oidcsm_x5", "unchanged-secret").unwrap();
    let frames = iframe_count();
    let (a, b, ra, rb) = two_shared("oidcsm_x5", &[]);
    lead_then_follow(&a, &b).await;
    rb.expect("unchanged", 1, 5000).await;
    // Into the back/forward cache: nobody leads, no iframe, no lock (a held lock would keep the
    // page out of the cache).
    page_transition("pagehide", true);
    assert!(!a.leader() && !b.leader());
    assert_eq!(iframe_count(), frames);
    assert_eq!(state(&a), "hidden");
    // The release is asynchronous (the promise that held the lock settles); give it a moment.
    sleep(50).await;
    let lock_free = Rc::new(RefCell::new(None));
    {
        let f = lock_free.clone();
        let name =
            oidc_session_monitor::core::tabs::lock_name(&oidc_session_monitor::core::tabs::scope(
                &op(""),
                "client01",
                "localStorage",
                "oidcsm_x5",
            ));
        let cb = Closure::once_into_js(move |lock: JsValue| {
            *f.borrow_mut() = Some(!lock.is_null());
        });
        let opts = Object::new();
        Reflect::set(&opts, &"ifAvailable".into(), &true.into()).unwrap();
        let locks = Reflect::get(
            &Reflect::get(&js_sys::global(), &"navigator".into()).unwrap(),
            &"locks".into(),
        )
        .unwrap();
        let request: js_sys::Function = Reflect::get(&locks, &"request".into()).unwrap().into();
        request.call3(&locks, &name.into(), &opts, &cb).unwrap();
    }
    assert!(until(1000, || lock_free.borrow().is_some()).await);
    assert_eq!(
        *lock_free.borrow(),
        Some(true),
        "the lock is free after pagehide"
    );
    // Back from the cache: one of them leads again.
    page_transition("pageshow", true);
    assert!(until(2000, || a.leader() || b.leader()).await);
    let (na, nb) = (ra.count("unchanged"), rb.count("unchanged"));
    ra.expect("unchanged", na + 2, 3000).await;
    rb.expect("unchanged", nb + 2, 3000).await;
    assert!(a.leader() != b.leader());
    assert_eq!(iframe_count(), frames + 1);
    drop((a, b));
    storage().remove_item("oidcsm_x5").unwrap();
}

// ------------------------------------------------------------------------------------------------
// Logout (issue 11): every monitor of the origin is told, the stored session is cleared, nothing
// is left running; the first-party signal never logs out on an unusable answer.

/// An unsigned JWT with these claims (the monitor reads `iss`/`sid`/`sub`, never verifies a hint).
fn fake_id_token(iss: &str, sid: &str) -> String {
    unsigned_jwt(
        &[
            r#"{"iss":""#,
            iss,
            r#"","sub":"alice","aud":"client01","sid":""#,
            sid,
            r#"","exp":9999999999,"iat":1}"#,
        ]
        .concat(),
    )
}

fn logout_options(state_key: &str, token_key: &str) -> SessionMonitorOptions {
    let o = checked(obj("localStorage", state_key));
    let end = "http://127.0.0.1:9/end";
    with(
        o,
        &[
            ("idTokenHint", obj("localStorage", token_key)),
            ("endSessionEndpoint", end.into()),
        ],
    )
}

/// The options of `logout()`: return to `http://127.0.0.1:9/out` after the OP.
fn logout_request(navigate: Option<bool>) -> JsValue {
    let back = ("postLogoutRedirectUri", "http://127.0.0.1:9/out".into());
    let navigate = navigate.map(|n| ("navigate", n.into()));
    options(&[&[back], navigate.as_slice()].concat()).into()
}

#[wasm_bindgen_test]
async fn logout_tells_every_monitor_of_the_origin_and_clears_the_session() {
    let sid_key = "oidc-session-monitor:sid http://op.test";
    storage().set_item("oidcsm_lo", "unchanged-secret").unwrap();
    storage()
        .set_item("oidcsm_lo_idt", &fake_id_token("http://op.test", "sid-1"))
        .unwrap();
    let (a, ra) = started(&logout_options("oidcsm_lo", "oidcsm_lo_idt"));
    let (b, rb) = started(&logout_options("oidcsm_lo", "oidcsm_lo_idt"));
    ra.expect("unchanged", 1, 5000).await;
    rb.expect("unchanged", 1, 5000).await;
    assert_eq!(
        storage().get_item(sid_key).unwrap().as_deref(),
        Some("sid-1"),
        "start() keeps the ID token's sid for the front-channel page"
    );

    let url = a.logout(&logout_request(Some(false))).unwrap();
    let url = url.as_string().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:9/end?client_id=client01&id_token_hint=eyJ"),
        "{url}"
    );
    assert!(url.contains("&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fout&state="));
    assert!(
        !url.contains("secret"),
        "no session_state in the URL: {url}"
    );
    // Events of a method call are dispatched once the call has returned (a microtask later).
    sleep(0).await;
    let tail = &ra.events()[ra.events().len() - 2..];
    assert_eq!(tail, ["signedOut:rp_initiated", "stopped:rp_initiated"]);

    // The other monitor hears it on the origin's channel, once.
    rb.expect("signedOut:rp_initiated", 1, 3000).await;
    TimeoutFuture::new(300).await;
    assert_eq!(rb.count("signedOut:rp_initiated"), 1, "{:?}", rb.events());
    assert_eq!(rb.count("stopped:rp_initiated"), 1, "{:?}", rb.events());
    assert_eq!(
        ra.count("signedOut:rp_initiated"),
        1,
        "no echo: {:?}",
        ra.events()
    );
    assert_eq!(state(&a), "stopped");
    assert_eq!(state(&b), "stopped");
    assert_eq!(iframe_count(), 0, "both OP iframes removed");
    assert_eq!(storage().get_item("oidcsm_lo").unwrap(), None);
    assert_eq!(storage().get_item("oidcsm_lo_idt").unwrap(), None);
    assert_eq!(storage().get_item(sid_key).unwrap(), None);

    // This page is not the post-logout page: the kept state does not match its URL; one use.
    let verify = |k: &str| {
        let r = oidc_session_monitor::api::logout::verify_post_logout();
        Reflect::get(&r, &k.into()).unwrap()
    };
    assert_eq!(
        verify("result").as_string().unwrap(),
        "logout_state_mismatch"
    );
    assert_eq!(verify("result").as_string().unwrap(), "no_request");
    assert_eq!(verify("verified").as_bool(), Some(false));
}

#[wasm_bindgen_test]
async fn logout_without_an_end_session_endpoint_is_not_supported_and_changes_nothing() {
    storage()
        .set_item("oidcsm_lo2", "unchanged-secret")
        .unwrap();
    let (m, r) = started(&checked(obj("localStorage", "oidcsm_lo2")));
    r.expect("unchanged", 1, 5000).await;
    let e = m.logout(&logout_request(None)).unwrap_err();
    assert_eq!(error_code(&e), "not_supported");
    assert_eq!(r.count("signedOut:rp_initiated"), 0);
    assert_ne!(state(&m), "stopped");
    assert_eq!(
        storage().get_item("oidcsm_lo2").unwrap().as_deref(),
        Some("unchanged-secret")
    );
    drop(m);
    storage().remove_item("oidcsm_lo2").unwrap();
}

#[wasm_bindgen_test]
async fn logout_rp_session_is_same_origin_and_an_unusable_answer_is_never_a_logout() {
    let rp = |url: &str| {
        let o = options(&[
            ("clientId", "client01".into()),
            ("sessionState", "unused-secret".into()),
        ]);
        let spec = options(&[("url", url.into()), ("intervalMs", 200.into())]);
        with(o, &[("rpSession", spec.into())])
    };
    let refused = outcome(&rp(&op("/session")));
    assert_eq!(refused, "invalid_option", "another origin is refused");
    // No OP iframe at all; the test server answers 404 here.
    let (m, r) = started(&rp("/no-such-session-endpoint"));
    r.expect("error:rp_session_unavailable", 2, 5000).await;
    assert_eq!(r.count("signedOut:rp_session"), 0);
    assert_eq!(state(&m), "waiting");
    assert_eq!(
        iframe_count(),
        0,
        "no OP iframe without checkSessionIframe/issuer"
    );
    m.stop();
    assert_eq!(state(&m), "stopped");
}

#[wasm_bindgen_test]
async fn without_web_locks_every_monitor_polls_alone_with_no_error() {
    storage().set_item("oidcsm_x6", "unchanged-secret").unwrap();
    let frames = iframe_count();
    hide_web_locks(true);
    let (a, b, ra, rb) = two_shared("oidcsm_x6", &[]);
    hide_web_locks(false);
    a.start();
    b.start();
    ra.expect("unchanged", 2, 5000).await;
    rb.expect("unchanged", 2, 5000).await;
    assert!(a.leader() && b.leader(), "each polls on its own");
    assert_eq!(iframe_count(), frames + 2);
    assert!(ra
        .events()
        .iter()
        .chain(rb.events().iter())
        .all(|e| e == "unchanged"));
    drop((a, b));
    storage().remove_item("oidcsm_x6").unwrap();
}

// ---- Issue 9: hardening, tried as an attacker would ----

/// Records events of a monitor that JavaScript owns (so that JS can call `free()` on it).
fn js_recorder(m: &JsValue) -> Rc<RefCell<Vec<String>>> {
    let log = Rc::new(RefCell::new(Vec::new()));
    for kind in ["unchanged", "changed", "error", "stopped"] {
        let log = log.clone();
        let c = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            let code = Reflect::get(&e.detail(), &"code".into())
                .ok()
                .and_then(|v| v.as_string());
            log.borrow_mut()
                .push(code.map_or(e.type_(), |c| [e.type_(), c].join(":")));
        });
        let add: js_sys::Function = Reflect::get(m, &"addEventListener".into())
            .unwrap()
            .unchecked_into();
        add.call2(m, &kind.into(), c.as_ref()).unwrap();
        c.forget(); // test code: lives as long as the page
    }
    log
}

fn call(m: &JsValue, method: &str) {
    let f: js_sys::Function = Reflect::get(m, &method.into()).unwrap().unchecked_into();
    f.call0(m).unwrap();
}

/// Waits until `log` holds `e`, up to `ms`; fails the test with the log if it does not come.
async fn expect_log(log: &Rc<RefCell<Vec<String>>>, e: &str, ms: u32) {
    let seen = until(ms, || log.borrow().iter().any(|x| x == e)).await;
    assert!(seen, "{e} within {ms} ms: {:?}", log.borrow());
}

/// Issue 9 (3): `free()` inside a listener of an event that `checkNow()` or `stop()` emits
/// synchronously releases everything and never throws. Before the fix, it threw "attempted to
/// take ownership of Rust value while it was borrowed".
#[wasm_bindgen_test]
async fn free_inside_a_listener_releases_everything_and_never_throws() {
    for (key, kind, trigger) in [
        ("oidcsm_free_a", "error", "checkNow"),
        ("oidcsm_free_b", "stopped", "stop"),
    ] {
        let page = Page::now();
        let warm = wasm_memory_bytes();
        for round in 0..8 {
            storage().set_item(key, "unchanged-secret").unwrap();
            let m = SessionMonitor::new(&checked(obj("localStorage", key))).unwrap();
            let m = JsValue::from(m);
            let log = js_recorder(&m);
            call(&m, "start");
            expect_log(&log, "unchanged", 5000).await;
            // checkNow() finds no session_state: its `error` is emitted inside the call.
            storage().remove_item(key).unwrap();
            let outcome = wasm_bindgen_futures::JsFuture::from(free_inside(&m, kind, trigger))
                .await
                .unwrap()
                .as_string()
                .unwrap();
            assert_eq!(outcome, "freed", "{kind} during {trigger}(), round {round}");
            page.holds(0, &format!("{kind}/{trigger}, round {round}"));
        }
        sleep(300).await;
        page.holds(0, &format!("{kind}/{trigger}, later"));
        // 8 monitors created and freed: linear memory stays within one 64 KiB page of growth.
        assert!(
            wasm_memory_bytes() - warm <= 65_536.0,
            "{kind}/{trigger}: wasm memory grew by {}",
            wasm_memory_bytes() - warm
        );
    }
}

/// Issue 9 (3): stop(), start() and checkNow() inside a listener never throw, and a later free()
/// leaves nothing behind.
#[wasm_bindgen_test]
async fn methods_inside_listeners_never_throw() {
    let page = Page::now();
    for kind in ["unchanged", "stopped"] {
        let m = SessionMonitor::new(&checked("unchanged-secret".into())).unwrap();
        let m = JsValue::from(m);
        let log = js_recorder(&m);
        let threw = methods_inside(&m, kind);
        call(&m, "start");
        expect_log(&log, "unchanged", 5000).await;
        if kind == "stopped" {
            call(&m, "stop");
        }
        sleep(300).await;
        assert!(
            threw.call0(&JsValue::NULL).unwrap().is_null(),
            "{kind}: a method threw"
        );
        call(&m, "free");
        page.holds(0, &format!("{kind}: after free()"));
    }
}

/// Issue 9 (4): only the options object's own properties count. Before the fix a polluted
/// `Object.prototype` turned on re-authentication and replaced the iframe URL.
#[wasm_bindgen_test]
async fn a_polluted_object_prototype_is_not_an_option() {
    storage().set_item("oidcsm_pp", "changed-secret").unwrap();
    pollute(
        "reauthenticate",
        &hook("window.__polluted = true; return { sessionState: 'x', sub: 'mallory' };"),
    );
    pollute("sub", &"mallory".into());
    let made = SessionMonitor::new(&checked(obj("localStorage", "oidcsm_pp")));
    unpollute("reauthenticate");
    unpollute("sub");
    let m = made.unwrap();
    let r = Recorder::attach(&m);
    m.start();
    r.expect("changed:first", 1, 5000).await;
    sleep(300).await;
    assert_eq!(
        r.events(),
        ["changed:first"],
        "no re-authentication was configured"
    );
    assert_eq!(state(&m), "paused");
    assert!(js_get(&web_sys::window().unwrap(), "__polluted").is_undefined());
    // A polluted URL is not a URL option either: the options still lack one.
    pollute("checkSessionIframe", &op("/check.html").into());
    let made = outcome(&options(&[
        ("clientId", "client01".into()),
        ("sessionState", "s".into()),
    ]));
    unpollute("checkSessionIframe");
    assert_eq!(made, "missing_option");
    storage().remove_item("oidcsm_pp").unwrap();
    // A getter that throws is a typed error, not an exception escaping through the .wasm.
    let o = checked("s".into());
    throwing_getter(&o, "intervalMs");
    assert_eq!(outcome(&o), "invalid_options");
}

/// Options with a cookie source and the fake OP's `/check.html`, then `pairs`.
fn valid_options_with(pairs: &[(&str, JsValue)]) -> SessionMonitorOptions {
    let base = options(&[
        ("clientId", "client01".into()),
        ("sessionState", obj("cookie", "rp_ss")),
        ("checkSessionIframe", op("/check.html").into()),
    ]);
    with(base, pairs)
}

/// A monitor built from [`valid_options_with`] `pairs`.
fn built(pairs: &[(&str, JsValue)]) -> Result<SessionMonitor, JsValue> {
    SessionMonitor::new(&valid_options_with(pairs))
}

/// [`outcome`] of [`valid_options_with`] `pairs`: `"ok"` or the error's `code`.
fn option_code(pairs: &[(&str, JsValue)]) -> String {
    outcome(&valid_options_with(pairs))
}

/// Issue 9 (5): one URL rule for every URL option, at construction.
#[wasm_bindgen_test]
fn url_options_need_https_except_on_loopback_and_no_userinfo_or_fragment() {
    let csi = |u: &str| option_code(&[("checkSessionIframe", u.into())]);
    assert_eq!(csi("http://127.0.0.1:9040/check.html"), "ok");
    assert_eq!(csi("http://localhost:9040/check.html"), "ok");
    assert_eq!(csi("http://[::1]:9040/check.html"), "ok");
    assert_eq!(csi("https://op.example/check"), "ok");
    assert_eq!(csi("http://op.example/check"), "insecure_url");
    assert_eq!(csi("http://127.0.0.1.nip.io/check"), "insecure_url");
    assert_eq!(csi("https://user:pw@op.example/check"), "invalid_url");
    assert_eq!(csi("https://user@op.example/check"), "invalid_url");
    assert_eq!(csi("https://op.example/check#x"), "invalid_url");
    assert_eq!(csi("https://op.example/check#"), "invalid_url");
    assert_eq!(
        option_code(&[
            ("checkSessionIframe", "http://op.example/check".into()),
            ("allowInsecureHttp", true.into())
        ]),
        "ok"
    );
    let issuer = |u: &str| {
        option_code(&[
            ("checkSessionIframe", JsValue::UNDEFINED),
            ("issuer", u.into()),
        ])
    };
    assert_eq!(issuer("https://op.example"), "ok");
    assert_eq!(issuer("http://op.example"), "insecure_url");
    assert_eq!(issuer("https://a:b@op.example"), "invalid_url");
    // redirectUri: the same rule, and this page's origin.
    let here = web_sys::window().unwrap().location().origin().unwrap();
    let redirect = |u: &str| {
        let silent = obj("redirectUri", u);
        option_code(&[
            ("checkSessionIframe", JsValue::UNDEFINED),
            ("issuer", "https://op.example".into()),
            ("silentReauth", silent),
        ])
    };
    assert_eq!(redirect(&[&here, "/cb.html"].concat()), "ok");
    assert_eq!(redirect("https://rp.example/cb.html"), "invalid_option");
    assert_eq!(redirect("http://localhost:1/cb.html"), "invalid_option");
    assert_eq!(redirect(&[&here, "/cb.html#x"].concat()), "invalid_url");
}

/// Issue 9 (6): cookie names are RFC 6265 tokens; the scope options are checked and only go
/// with a cookie source; an empty `sub` is invalid.
#[wasm_bindgen_test]
fn cookie_names_and_scope_options_are_validated() {
    let cookie = |name: &str| option_code(&[("sessionState", obj("cookie", name))]);
    assert_eq!(cookie("rp_session_state"), "ok");
    assert_eq!(cookie("a;b"), "invalid_cookie_name");
    assert_eq!(cookie("a b"), "invalid_cookie_name");
    assert_eq!(cookie("a=b"), "invalid_cookie_name");
    assert_eq!(cookie("sé"), "invalid_cookie_name");
    assert_eq!(
        option_code(&[
            ("cookiePath", "/app".into()),
            ("cookieDomain", "rp.example".into()),
            ("cookieSameSite", "strict".into()),
            ("cookieMaxAge", 3600.into())
        ]),
        "ok"
    );
    let invalid: [&[(&str, JsValue)]; 6] = [
        &[("cookiePath", "app".into())],
        &[("cookiePath", "/; domain=evil.example".into())],
        &[("cookieSameSite", "loose".into())],
        &[("cookieMaxAge", (-1).into())],
        &[
            ("sessionState", obj("localStorage", "k")),
            ("cookiePath", "/".into()),
        ],
        &[("sub", "".into())],
    ];
    for pairs in invalid {
        assert_eq!(option_code(pairs), "invalid_option", "{pairs:?}");
    }
}

/// Issue 9 (6): a renewal is written back with the RP cookie's scope. Here the scope's path is
/// one this page cannot see: the write must not land on `path=/` (before the fix it did, and
/// the option did not exist).
#[wasm_bindgen_test]
async fn a_renewed_cookie_is_written_with_the_configured_scope() {
    set_cookie("oidcsm_scope=changed-secret; path=/");
    let o = checked(obj("cookie", "oidcsm_scope"));
    let renewal = hook("return { sessionState: 'unchanged-secret-new', sub: 'alice' };");
    let (m, r) = started(&with(
        o,
        &[
            ("cookiePath", "/elsewhere".into()),
            ("sub", "alice".into()),
            ("reauthenticate", renewal),
            ("reauthTimeoutMs", 1000.into()),
        ],
    ));
    r.expect("renewed:alice", 1, 5000).await;
    let jar = page_cookies();
    assert!(
        jar.contains("oidcsm_scope=changed-secret") && !jar.contains("secret-new"),
        "written outside the configured path: {jar}"
    );
    drop(m);
    set_cookie("oidcsm_scope=; path=/; max-age=0");
}

/// Issue 9 (1): with a hook and no `sub`, the returned user is unknown: `unknown_user`, nothing
/// written, no `renewed`. Before the fix the monitor adopted whoever the hook returned.
#[wasm_bindgen_test]
async fn a_renewal_for_an_unknown_user_is_unknown_user_and_writes_nothing() {
    let body = "return { sessionState: 'unchanged-secret-mallory', sub: 'mallory' };";
    hook_outcome(
        "oidcsm_uu",
        body,
        None,
        &[
            "changed:first",
            "error:unknown_user",
            "stopped:unknown_user",
        ],
    )
    .await;
    // hook_outcome removed the key; it was never rewritten by the monitor in between.
    storage().set_item("oidcsm_uu", "changed-secret").unwrap();
    let (_m, r) = started(&with_hook("oidcsm_uu", body));
    r.expect("stopped:unknown_user", 1, 5000).await;
    assert_eq!(
        storage().get_item("oidcsm_uu").unwrap().as_deref(),
        Some("changed-secret")
    );
    storage().remove_item("oidcsm_uu").unwrap();
}

/// Issue 9 (8): deeply nested JSON (an ID token or discovery document built to overflow the
/// stack) is a typed error.
#[wasm_bindgen_test]
fn deeply_nested_json_is_a_typed_error_not_a_stack_overflow() {
    use oidc_session_monitor::browser::json::{from_value, Malformed};
    use oidc_session_monitor::core::claims::IdTokenClaims;
    let shallow: Result<serde_json::Value, _> = from_value(deep_json(10));
    assert!(shallow.is_ok());
    for depth in [40, 100_000] {
        // An ignored member is skipped without being walked; the claims are still rejected.
        let r: Result<IdTokenClaims, _> = from_value(deep_json(depth));
        assert!(r.is_err(), "depth {depth}");
        let r: Result<serde_json::Value, _> = from_value(deep_json(depth));
        assert_eq!(r.err(), Some(Malformed::TooDeep), "depth {depth}");
    }
    let r: Result<serde_json::Value, _> = from_value(deep_json(100_000));
    assert_eq!(r.err(), Some(Malformed::TooDeep));
}

/// Issue 14 (4): events are built only for types a listener was added for, decided when they are
/// dispatched: a listener added right after the call that caused an event still gets it, and one
/// added with a type that is not a string (JS converts it) gets its events.
#[wasm_bindgen_test]
async fn events_reach_a_listener_added_after_the_call_or_with_a_non_string_type() {
    let m = SessionMonitor::new(&checked("unchanged-secret".into())).unwrap();
    let listen = |kind: JsValue| {
        let n = Rc::new(std::cell::Cell::new(0u32));
        let seen = n.clone();
        let c = Closure::<dyn FnMut(JsValue)>::new(move |_| seen.set(seen.get() + 1));
        m.add_event_listener(&kind, c.as_ref(), &JsValue::UNDEFINED);
        (n, c)
    };
    m.start();
    let (unchanged, _c1) = listen(string_object("unchanged"));
    until(5000, || unchanged.get() >= 2).await;
    assert!(
        unchanged.get() >= 2,
        "unchanged, listened as a String object"
    );
    m.stop();
    let (stopped, _c2) = listen("stopped".into());
    sleep(0).await;
    assert_eq!(
        stopped.get(),
        1,
        "stopped reaches a listener added right after stop()"
    );
}

// ------------------------------------------------------------------------------------------------
// Issue 9 (1, 7) with the built-in silent re-authentication: the fake OP's `/op/<mode>` issuer
// (tests/support/fake-op/server.mjs) and the package's own silent-callback page, which the test
// runner serves from the crate root on this page's origin.

/// An unsigned ID token for `sub`, as the page would keep it for `idTokenHint`.
fn hint_token(sub: &str) -> String {
    unsigned_jwt(
        &[
            r#"{"iss":"x","sub":""#,
            sub,
            r#"","aud":"x","exp":9999999999,"iat":1}"#,
        ]
        .concat(),
    )
}

/// A monitor of the fake OP's issuer `/op/<mode>` with the built-in silent re-authentication
/// (code + PKCE), the ID token hint in `localStorage[hint_key]`, no `sub` option.
fn silent_options(
    mode: &str,
    client: &str,
    state_key: &str,
    hint_key: &str,
) -> SessionMonitorOptions {
    let redirect = [page_origin().as_str(), "/npm/silent-callback.html"].concat();
    let silent = options(&[
        ("redirectUri", redirect.into()),
        ("responseType", "code".into()),
        ("idTokenHint", obj("localStorage", hint_key)),
        ("timeoutMs", 8000.into()),
    ]);
    let o = options(&[
        ("issuer", op(&["/op/", mode].concat()).into()),
        ("clientId", client.into()),
        ("sessionState", obj("localStorage", state_key)),
        ("silentReauth", silent.into()),
    ]);
    with(o, &fast_timers())
}

/// A client id of its own for this run: the fake OP keeps its log for the whole suite (Chromium,
/// then Firefox), per client id.
fn run_client(name: &str) -> String {
    format!("{name}_{}", (js_sys::Math::random() * 1e9) as u64)
}

/// What the fake OP saw for `client`: `(what, referer, hint's sub)` per request.
async fn op_requests(client: &str) -> Vec<(String, String, Option<String>)> {
    let log = op_log(&op(&["/op/log?client=", client].concat())).await;
    js_sys::Array::from(&log)
        .iter()
        .map(|e| {
            let get = |k: &str| Reflect::get(&e, &k.into()).unwrap().as_string();
            (
                get("what").unwrap(),
                get("referer").unwrap_or_default(),
                get("hint"),
            )
        })
        .collect()
}

/// Whether the fake OP saw a request `what` for `client`, polling its log for up to 3 s.
async fn op_saw(client: &str, what: &str) -> bool {
    for _ in 0..100 {
        if op_requests(client).await.iter().any(|e| e.0 == what) {
            return true;
        }
        sleep(30).await;
    }
    false
}

/// The Referer of each request `what` for `client` that the fake OP saw ("" for none).
async fn referers(client: &str, what: &str) -> Vec<String> {
    let log = op_requests(client).await;
    log.into_iter()
        .filter(|e| e.0 == what)
        .map(|e| e.1)
        .collect()
}

/// Issue 9 (7): the silent iframe has `referrerpolicy="no-referrer"` (the OP gets no Referer);
/// the silent-callback page has stripped its query before it hands the URL over and sends no
/// Referer; and the iframe is gone as soon as its callback is read, while the token exchange
/// (held 2 s by the fake OP) is still pending, not when the attempt ends.
#[wasm_bindgen_test]
async fn the_silent_iframe_sends_no_referer_and_goes_as_soon_as_its_callback_is_read() {
    let (client, key, hint) = (
        &run_client("client_sil1"),
        "oidcsm_sil1",
        "oidcsm_sil1_hint",
    );
    storage().set_item(key, "changed-secret").unwrap();
    storage().set_item(hint, &hint_token("alice")).unwrap();
    let frames = iframe_count();
    let watch = watch_iframes();
    let spy = spy_silent_callback(&op(&["/op/record?client=", client].concat()));
    let (m, r) = started(&silent_options("slow", client, key, hint));
    // The OP got the code exchange: the callback was read; its answer takes 2 s.
    let exchanging = op_saw(client, "token").await;
    assert!(exchanging, "no token request: {:?}", r.events());
    assert_eq!(r.count("renewed:alice"), 0, "the exchange is still pending");
    assert_eq!(
        iframe_count(),
        frames + 1,
        "only the OP's check_session_iframe is left while the token exchange is pending"
    );
    r.expect("renewed:alice", 1, 5000).await;
    r.expect("unchanged", 1, 3000).await;
    // The silent iframe as it was added: titled, and sending no Referer.
    let seen = js_sys::Array::from(&js_get(&watch, "seen"));
    let silent: Vec<String> = seen
        .iter()
        .map(|p| js_sys::Array::from(&p))
        .filter(|p| {
            p.get(0)
                .as_string()
                .unwrap()
                .contains("silent re-authentication")
        })
        .map(|p| p.get(1).as_string().unwrap())
        .collect();
    assert_eq!(
        silent,
        ["no-referrer"],
        "the silent iframe's referrerpolicy"
    );
    assert_eq!(
        referers(client, "authorize").await,
        [""],
        "the authorization request sent a Referer"
    );
    // The callback page: URL handed over, then already stripped from its own location.
    assert_eq!(js_get(&spy, "seen").as_f64(), Some(1.0));
    let url = js_get(&spy, "url").as_string().unwrap();
    assert!(
        url.contains("code=") && url.contains("session_state="),
        "{url}"
    );
    assert_eq!(
        js_get(&spy, "search").as_string().as_deref(),
        Some(""),
        "query left in the callback page's URL"
    );
    assert_eq!(js_get(&spy, "hash").as_string().as_deref(), Some(""));
    assert_eq!(js_get(&spy, "beacon").as_bool(), Some(true));
    let recorded = op_saw(client, "record").await;
    assert!(recorded, "the callback page's request never reached the OP");
    assert_eq!(
        referers(client, "record").await,
        [""],
        "the silent-callback page sent a Referer"
    );
    drop(m);
    assert_eq!(iframe_count(), frames);
    for o in [&spy, &watch] {
        let stop: js_sys::Function = js_get(o, "stop").unchecked_into();
        stop.call0(&JsValue::NULL).unwrap();
    }
    storage().remove_item(key).unwrap();
    storage().remove_item(hint).unwrap();
}

/// Issue 9 (1): the ID token hint is read at each attempt, not when the monitor was built: stored
/// after construction it names the user of the first re-authentication; replaced by another user's
/// token, the next attempt sends and expects that user. A learnt user survives `stop()`/`start()`:
/// an attempt with no hint then reports the OP's other user as `userChanged`, not `renewed`.
#[wasm_bindgen_test]
async fn each_silent_attempt_reads_the_id_token_hint_again() {
    let (client, key, hint) = (
        &run_client("client_sil2"),
        "oidcsm_sil2",
        "oidcsm_sil2_hint",
    );
    storage().set_item(key, "changed-secret-1").unwrap();
    storage().remove_item(hint).unwrap();
    let (m, r) = recorded(&silent_options("echo", client, key, hint));
    storage().set_item(hint, &hint_token("alice")).unwrap();
    m.start();
    r.expect("renewed:alice", 1, 6000).await;
    r.expect("unchanged", 1, 3000).await;
    storage().set_item(hint, &hint_token("bob")).unwrap();
    storage().set_item(key, "changed-secret-2").unwrap();
    r.expect("renewed:bob", 1, 10_000).await;
    let hints: Vec<Option<String>> = op_requests(client)
        .await
        .into_iter()
        .filter(|e| e.0 == "authorize")
        .map(|e| e.2)
        .collect();
    assert_eq!(hints, [Some("alice".into()), Some("bob".into())]);
    // Kept across stop()/start(): with no hint left, the OP's "mallory" is another user.
    m.stop();
    storage().remove_item(hint).unwrap();
    storage().set_item(key, "changed-secret-3").unwrap();
    m.start();
    r.expect("stopped:user_changed", 1, 6000).await;
    assert_eq!(r.count("userChanged:mallory"), 1, "{:?}", r.events());
    drop(m);
    storage().remove_item(key).unwrap();
}

/// Issue 9 (1): no `sub` option and no ID token hint: the OP's user cannot be checked, so the
/// silent renewal ends in `unknown_user` and writes nothing.
#[wasm_bindgen_test]
async fn a_silent_renewal_without_hint_or_sub_is_unknown_user_and_writes_nothing() {
    expect_unknown_user("client_sil3", None).await;
}

/// Issue 9 (1): a hint that is a JWT but not an ID token (a `sub`, no `iss`, `aud`, `exp`, `iat`)
/// names nobody: it is still sent (the OP signs that user in), but the monitor does not take its
/// `sub` on trust, so the renewal ends in `unknown_user` and writes nothing, never `renewed`.
#[wasm_bindgen_test]
async fn a_hint_that_is_not_an_id_token_names_nobody_unknown_user() {
    let hint = unsigned_jwt(r#"{"sub":"alice"}"#);
    expect_unknown_user("client_sil4", Some(&hint)).await;
}

/// A silent renewal with no `sub` option and `hint` (or none) in the hint source: `changed`, then
/// `unknown_user`; the stored session_state untouched; the OP got the request, with `hint`'s `sub`
/// as the fake OP read it.
async fn expect_unknown_user(name: &str, hint: Option<&str>) {
    let (client, key, hint_key) = (
        &run_client(name),
        &[name, "_state"].concat(),
        &[name, "_hint"].concat(),
    );
    storage().set_item(key, "changed-secret").unwrap();
    match hint {
        Some(h) => storage().set_item(hint_key, h).unwrap(),
        None => storage().remove_item(hint_key).unwrap(),
    }
    let (m, r) = started(&silent_options("echo", client, key, hint_key));
    r.expect("stopped:unknown_user", 1, 6000).await;
    assert_eq!(
        r.events(),
        [
            "changed:first",
            "error:unknown_user",
            "stopped:unknown_user"
        ]
    );
    assert_eq!(
        storage().get_item(key).unwrap().as_deref(),
        Some("changed-secret"),
        "nothing written"
    );
    let sent = hint.map(|_| "alice".to_owned());
    let log = op_requests(client).await;
    assert!(
        log.iter().any(|e| e.0 == "authorize" && e.2 == sent),
        "the attempt reached the OP with hint {sent:?}: {log:?}"
    );
    drop(m);
    storage().remove_item(key).unwrap();
    storage().remove_item(hint_key).unwrap();
}
