//! Errors as JavaScript sees them: `Error` objects with a stable `code`.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// Why options were rejected by the constructor. Each variant has a stable `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionsError {
    /// The options argument is not an object.
    NotAnObject,
    /// An option name is not known (a typo would otherwise be silently ignored).
    Unknown(String),
    /// A required option is missing.
    Missing(&'static str),
    /// An option has the wrong type or is out of range.
    Invalid(&'static str, &'static str),
    /// A value failed validation (client id, URL, session_state).
    Value(&'static str, crate::core::types::ValueError),
}

impl OptionsError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            OptionsError::NotAnObject => "invalid_options",
            OptionsError::Unknown(_) => "unknown_option",
            OptionsError::Missing("clientId") => "missing_client_id",
            OptionsError::Missing(_) => "missing_option",
            OptionsError::Invalid("sessionState", _) => "invalid_session_state_source",
            OptionsError::Invalid(..) => "invalid_option",
            OptionsError::Value(_, e) => e.code(),
        }
    }

    /// Human-readable message naming the option.
    pub fn message(&self) -> String {
        let mut m = String::from("SessionMonitor: ");
        match self {
            OptionsError::NotAnObject => m.push_str("options must be an object"),
            OptionsError::Unknown(name) => {
                m.push_str("unknown option \"");
                m.push_str(name);
                m.push('"');
            }
            OptionsError::Missing(name) => {
                m.push_str(name);
                m.push_str(" is required");
            }
            OptionsError::Invalid(name, why) => {
                m.push_str(name);
                m.push_str(": ");
                m.push_str(why);
            }
            OptionsError::Value(name, e) => {
                m.push_str(name);
                m.push_str(": ");
                m.push_str(e.message());
            }
        }
        m
    }

    /// The `Error` object thrown to JavaScript.
    pub fn to_js(&self) -> JsValue {
        js_error(self.code(), &self.message())
    }
}

/// `Object.assign(new Error(message), { name: 'SessionMonitorError', code })`.
pub fn js_error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    e.set_name("SessionMonitorError");
    let _ = Reflect::set(&e, &"code".into(), &code.into());
    e.into()
}
