//! Origins computed by the browser's own WHATWG URL parser (`new URL(u).origin`): exactly what
//! `MessageEvent.origin` will say, and no URL parser in the `.wasm`.

use crate::browser::js::get_string;
use crate::core::origin::{check_url_policy, OriginError, UrlParts};
use crate::core::types::{CheckSessionUrl, OpOrigin, ValueError};

/// The origin of an absolute URL that passes the one URL rule (`https:` except on loopback hosts
/// unless `allow_insecure_http`, no user info, no fragment): see [`check_url_policy`].
pub fn origin(url: &str, allow_insecure_http: bool) -> Result<OpOrigin, ValueError> {
    // `new URL(url, url)` is `new URL(url)` (an absolute URL ignores its base; a relative one
    // is no valid base): one `URL` constructor import for this and `rpSession.url`.
    let parsed = web_sys::Url::new_with_base(url, url)
        .map_err(|_| ValueError::Url(OriginError::NotAbsolute))?;
    let (protocol, hostname) = (part(&parsed, "protocol"), part(&parsed, "hostname"));
    let parts = UrlParts {
        protocol: &protocol,
        hostname: &hostname,
        userinfo: !part(&parsed, "username").is_empty() || !part(&parsed, "password").is_empty(),
        fragment: crate::core::text::has(&part(&parsed, "href"), b'#'),
    };
    check_url_policy(parts, allow_insecure_http).map_err(ValueError::Url)?;
    Ok(OpOrigin::from_serialized(part(&parsed, "origin")))
}

/// A part of a parsed URL (`protocol`, `hostname`, `origin`, `href`, …), read by `Reflect.get`:
/// one import for every part instead of one typed getter import each.
pub fn part(url: &web_sys::Url, name: &str) -> String {
    get_string(url, name).unwrap_or_default()
}

/// The `check_session_iframe` URL with its origin.
pub fn check_session_url(
    url: &str,
    allow_insecure_http: bool,
) -> Result<CheckSessionUrl, ValueError> {
    Ok(CheckSessionUrl::with_origin(
        url,
        origin(url, allow_insecure_http)?,
    ))
}
