//! Errors as JavaScript sees them: `Error` objects with a stable `code` and, for an option, `option`.

use crate::core::error_code::ErrorCode;
use wasm_bindgen::JsValue;

use crate::browser::js::set;

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
    /// A cookie name or cookie scope option is invalid.
    Cookie(&'static str, crate::core::cookie::CookieError),
}

impl OptionsError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            OptionsError::NotAnObject => ErrorCode::InvalidOptions,
            OptionsError::Unknown(_) => ErrorCode::UnknownOption,
            OptionsError::Missing("clientId") => ErrorCode::MissingClientId,
            OptionsError::Missing(_) => ErrorCode::MissingOption,
            OptionsError::Invalid("sessionState", _) => ErrorCode::InvalidSessionStateSource,
            OptionsError::Invalid(..) => ErrorCode::InvalidOption,
            OptionsError::Value(_, e) => e.code(),
            OptionsError::Cookie(_, e) => e.code(),
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
            OptionsError::Cookie(name, e) => {
                m.push_str(name);
                m.push_str(": ");
                m.push_str(e.message());
            }
        }
        m
    }

    /// The option the error is about, if it is about one.
    pub fn option(&self) -> Option<&str> {
        match self {
            OptionsError::NotAnObject => None,
            OptionsError::Unknown(name) => Some(name),
            OptionsError::Missing(name)
            | OptionsError::Invalid(name, _)
            | OptionsError::Value(name, _)
            | OptionsError::Cookie(name, _) => Some(name),
        }
    }

    /// The `Error` object thrown to JavaScript:
    /// `Object.assign(new Error(message), { name: 'SessionMonitorError', code, option? })`.
    pub fn to_js(&self) -> JsValue {
        let e = thrown(self.code(), &self.message());
        if let Some(option) = self.option() {
            set(&e, "option", option);
        }
        e
    }
}

/// `Object.assign(new Error(message), { name: 'SessionMonitorError', code })`: what a method throws.
pub fn thrown(code: ErrorCode, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    // Reflect.set rather than `set_name`: one import less in the glue.
    set(&e, "name", "SessionMonitorError");
    set(&e, "code", code.as_str());
    e.into()
}
