//! Reads and validates the options object passed to `new SessionMonitor(options)`.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::error::OptionsError;
use crate::browser::source::Source;
use crate::core::machine::Config;
use crate::core::types::{CheckSessionUrl, ClientId, SessionState};

/// Every accepted option name: anything else is a typo and is rejected.
const KNOWN: &[&str] = &[
    "checkSessionIframe",
    "clientId",
    "sessionState",
    "intervalMs",
    "loadTimeoutMs",
    "responseTimeoutMs",
    "maxNoResponseRetries",
    "continueOnError",
];

/// Validated options.
pub struct Options {
    /// The OP iframe URL and origin.
    pub url: CheckSessionUrl,
    /// The RP's client id.
    pub client_id: ClientId,
    /// Where to read session_state.
    pub source: Source,
    /// Timing and policy.
    pub config: Config,
}

fn get(obj: &Object, key: &'static str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(obj: &Object, key: &'static str) -> Result<Option<String>, OptionsError> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or(OptionsError::Invalid(key, "must be a string"))
}

fn millis(obj: &Object, key: &'static str, default: u32, min: u32) -> Result<u32, OptionsError> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(default);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= f64::from(min) && n <= 86_400_000.0 => Ok(n as u32),
        _ => Err(OptionsError::Invalid(key, "must be a whole number of milliseconds in range")),
    }
}

fn count(obj: &Object, key: &'static str, default: u32) -> Result<u32, OptionsError> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(default);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=1000.0).contains(&n) => Ok(n as u32),
        _ => Err(OptionsError::Invalid(key, "must be a whole number from 0 to 1000")),
    }
}

fn boolean(obj: &Object, key: &'static str) -> Result<bool, OptionsError> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(false);
    }
    v.as_bool().ok_or(OptionsError::Invalid(key, "must be a boolean"))
}

fn source(obj: &Object) -> Result<Source, OptionsError> {
    const WHY: &str =
        "must be a string, or an object with exactly one of cookie, localStorage, sessionStorage";
    let v = get(obj, "sessionState");
    if v.is_undefined() {
        return Err(OptionsError::Missing("sessionState"));
    }
    if let Some(literal) = v.as_string() {
        return SessionState::new(&literal)
            .map(Source::Literal)
            .map_err(|e| OptionsError::Value("sessionState", e));
    }
    let spec: &Object = v.dyn_ref().ok_or(OptionsError::Invalid("sessionState", WHY))?;
    let keys = Object::keys(spec);
    if keys.length() != 1 {
        return Err(OptionsError::Invalid("sessionState", WHY));
    }
    let kind = keys.get(0).as_string().unwrap_or_default();
    let name = Reflect::get(spec, &keys.get(0))
        .ok()
        .and_then(|n| n.as_string())
        .filter(|n| !n.is_empty())
        .ok_or(OptionsError::Invalid("sessionState", "the cookie or storage key must be a non-empty string"))?;
    match kind.as_str() {
        "cookie" => Ok(Source::Cookie(name)),
        "localStorage" => Ok(Source::LocalStorage(name)),
        "sessionStorage" => Ok(Source::SessionStorage(name)),
        _ => Err(OptionsError::Invalid("sessionState", WHY)),
    }
}

/// Validates `options`. Never panics, whatever the input.
pub fn parse(options: &JsValue) -> Result<Options, OptionsError> {
    let obj: &Object = options
        .dyn_ref::<Object>()
        .filter(|_| options.is_object() && !options.is_function())
        .ok_or(OptionsError::NotAnObject)?;
    let keys = Object::keys(obj);
    for key in keys.iter() {
        let key = key.as_string().unwrap_or_default();
        if !KNOWN.contains(&key.as_str()) {
            return Err(OptionsError::Unknown(key));
        }
    }
    let client_id = string(obj, "clientId")?.ok_or(OptionsError::Missing("clientId"))?;
    let client_id = ClientId::new(&client_id).map_err(|e| OptionsError::Value("clientId", e))?;
    let url = string(obj, "checkSessionIframe")?.ok_or(OptionsError::Missing("checkSessionIframe"))?;
    let url = CheckSessionUrl::new(&url).map_err(|e| OptionsError::Value("checkSessionIframe", e))?;
    let source = source(obj)?;
    let d = Config::default();
    let config = Config {
        interval_ms: millis(obj, "intervalMs", d.interval_ms, 100)?,
        load_timeout_ms: millis(obj, "loadTimeoutMs", d.load_timeout_ms, 100)?,
        response_timeout_ms: millis(obj, "responseTimeoutMs", d.response_timeout_ms, 50)?,
        max_no_response_retries: count(obj, "maxNoResponseRetries", d.max_no_response_retries)?,
        continue_on_error: boolean(obj, "continueOnError")?,
        reauth: false,
    };
    Ok(Options { url, client_id, source, config })
}
