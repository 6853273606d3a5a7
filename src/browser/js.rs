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

/// `obj[key] = value`, ignoring a frozen or exotic object's refusal.
pub fn set(obj: &JsValue, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}
