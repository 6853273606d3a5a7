//! Property access on JavaScript objects (`Reflect`), in one place. Reads never throw: a getter
//! that throws or a missing property reads as `undefined`.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// `obj[key]`, or `undefined` if reading it throws.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn object_entries(obj: &JsValue) -> Result<js_sys::Array, JsValue>;
}

/// `Object.entries(obj)`: the **own** enumerable `[key, value]` pairs, read in one pass (so a
/// property inherited from a polluted `Object.prototype` is never among them), or `None` when a
/// getter or a Proxy trap throws.
pub fn entries(obj: &JsValue) -> Option<js_sys::Array> {
    object_entries(obj).ok()
}

/// `EventTarget`, bound with untyped arguments: one `addEventListener`/`removeEventListener`
/// import pair for the monitor's own listeners and for its users' (passed through as given).
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// Any `EventTarget`.
    #[wasm_bindgen(js_name = EventTarget)]
    pub type UntypedEventTarget;
    /// `addEventListener(kind, listener, options)`.
    #[wasm_bindgen(method, js_name = addEventListener)]
    pub fn add_listener(
        this: &UntypedEventTarget,
        kind: &JsValue,
        listener: &JsValue,
        options: &JsValue,
    );
    /// `removeEventListener(kind, listener, options)`.
    #[wasm_bindgen(method, js_name = removeEventListener)]
    pub fn remove_listener(
        this: &UntypedEventTarget,
        kind: &JsValue,
        listener: &JsValue,
        options: &JsValue,
    );
}

/// This page's `window`: the global object when it is one (a window has `window`, itself; a
/// worker has not). Read through `Reflect.get` rather than web-sys's `instanceof Window` import.
pub fn window() -> Option<web_sys::Window> {
    let global = js_sys::global();
    get(&global, "window")
        .is_object()
        .then(|| wasm_bindgen::JsCast::unchecked_into(global))
}

/// `window[key]` if it is an object (`crypto`, `localStorage`, `sessionStorage`, `top`), read
/// through `Reflect` rather than one typed getter import each; `None` when reading throws (a
/// storage blocked by the browser's settings).
pub fn window_object<T: wasm_bindgen::JsCast>(key: &str) -> Option<T> {
    let value = get(window()?.as_ref(), key);
    value
        .is_object()
        .then(|| wasm_bindgen::JsCast::unchecked_into(value))
}

/// `location.origin`: this page's origin.
pub fn page_origin() -> Option<String> {
    get(&get(window()?.as_ref(), "location"), "origin").as_string()
}

/// `obj[key]` if it is a string.
pub fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

/// Awaits `fetch(…)`'s promise, then the body as JSON: the status (`None` if the request failed),
/// and the parsed body (`None` if it is not JSON). One async path for every request (size).
pub async fn fetch_json(request: js_sys::Promise) -> (Option<u16>, Option<JsValue>) {
    let Ok(response) = wasm_bindgen_futures::JsFuture::from(request).await else {
        return (None, None);
    };
    // `fetch` resolves with a `Response`: no `instanceof` import.
    let response: web_sys::Response = wasm_bindgen::JsCast::unchecked_into(response);
    let json = match response.json() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.ok(),
        Err(_) => None,
    };
    // `status` through `Reflect` (the import is there anyway): one typed getter less.
    let status = get(&response, "status").as_f64().map(|s| s as u16);
    (status, json)
}

/// A new promise with its `resolve` and `reject` functions (one `Promise::new` closure for
/// every such promise: size).
pub fn deferred() -> Option<(js_sys::Promise, js_sys::Function, js_sys::Function)> {
    let (mut resolve, mut reject) = (None, None);
    let promise = js_sys::Promise::new(&mut |res, rej| {
        resolve = Some(res);
        reject = Some(rej);
    });
    Some((promise, resolve?, reject?))
}

/// `obj[key] = value`, ignoring a frozen or exotic object's refusal.
pub fn set(obj: &JsValue, key: &str, value: impl Into<JsValue>) {
    set_value(obj, key, &value.into());
}

/// [`set`]'s body, once for every value type (size).
fn set_value(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}
