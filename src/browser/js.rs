//! Property access on JavaScript objects (`Reflect`), in one place. Reads never throw: a getter
//! that throws or a missing property reads as `undefined`.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

/// `obj[key]`, or `undefined` if reading it throws.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` if `key` is an **own** property of `obj`, else `undefined`: for options, so that a
/// property inherited from a polluted `Object.prototype` (`Object.prototype.silentReauth = …`)
/// is not an option.
pub fn own(obj: &JsValue, key: &str) -> JsValue {
    let Some(o) = obj.dyn_ref::<js_sys::Object>() else {
        return JsValue::UNDEFINED;
    };
    let key = JsValue::from_str(key);
    if js_sys::Object::get_own_property_descriptor(o, &key).is_undefined() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &key).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` if it is a string.
pub fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

/// `obj[key] = value`, ignoring a frozen or exotic object's refusal.
pub fn set(obj: &JsValue, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}
