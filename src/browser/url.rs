//! Origins computed by the browser's own WHATWG URL parser (`new URL(u).origin`): exactly what
//! `MessageEvent.origin` will say, and no URL parser in the `.wasm`.

use crate::core::origin::OriginError;
use crate::core::types::{CheckSessionUrl, OpOrigin, ValueError};

/// The origin of an absolute `http:`/`https:` URL.
pub fn origin(url: &str) -> Result<OpOrigin, ValueError> {
    let parsed = web_sys::Url::new(url).map_err(|_| ValueError::Url(OriginError::NotAbsolute))?;
    match parsed.protocol().as_str() {
        "http:" | "https:" => {}
        _ => return Err(ValueError::Url(OriginError::UnsupportedScheme)),
    }
    if parsed.hostname().is_empty() {
        return Err(ValueError::Url(OriginError::InvalidHost));
    }
    Ok(OpOrigin::from_serialized(parsed.origin()))
}

/// The `check_session_iframe` URL with its origin.
pub fn check_session_url(url: &str) -> Result<CheckSessionUrl, ValueError> {
    Ok(CheckSessionUrl::with_origin(url, origin(url)?))
}
