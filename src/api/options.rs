//! Reads and validates the options object passed to `new SessionMonitor(options)`.

use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::error::OptionsError;
use crate::browser::driver::LogoutSetup;
use crate::browser::js::own as get;
use crate::browser::reauth::{ReauthMethod, SilentOptions};
use crate::browser::source::Source;
use crate::browser::url::{check_session_url, origin};
use crate::core::authorize::ResponseType;
use crate::core::cookie::{check_name, CookieError, CookieScope};
use crate::core::machine::{BlindPolicy, Config, OpLocation, RpSessionConfig};
use crate::core::types::{AnswerMap, ClientId, SessionState};

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
    "pauseWhenHidden",
    "crossTab",
    "issuer",
    "reauthenticate",
    "silentReauth",
    "reauthTimeoutMs",
    "sub",
    "thirdPartyCookiesBlocked",
    "rpSession",
    "endSessionEndpoint",
    "idTokenHint",
    "answers",
    "allowInsecureHttp",
    "cookiePath",
    "cookieDomain",
    "cookieSameSite",
    "cookieMaxAge",
];

/// Accepted names inside `rpSession`.
const KNOWN_RP_SESSION: &[&str] = &["url", "intervalMs"];

/// Accepted names inside `silentReauth`.
const KNOWN_SILENT: &[&str] = &[
    "redirectUri",
    "responseType",
    "scope",
    "idTokenHint",
    "timeoutMs",
];

/// Validated options.
#[derive(Debug)]
pub struct Options {
    /// The OP iframe URL, or the issuer to discover it from.
    pub location: OpLocation,
    /// How to re-authenticate on `changed`, if at all.
    pub method: Option<ReauthMethod>,
    /// The RP's client id.
    pub client_id: ClientId,
    /// Where to read session_state.
    pub source: Source,
    /// Timing and policy.
    pub config: Config,
    /// What logout needs.
    pub logout: LogoutSetup,
    /// Extra answer strings (`answers`).
    pub answers: AnswerMap,
}

/// `cookiePath`, `cookieDomain`, `cookieSameSite`, `cookieMaxAge`: the RP cookie's scope.
fn cookie_scope(obj: &Object) -> Result<CookieScope, OptionsError> {
    let max_age = match get(obj, "cookieMaxAge") {
        v if v.is_undefined() => None,
        v => match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=400.0 * 86_400.0).contains(&n) => Some(n as u32),
            _ => {
                return Err(OptionsError::Invalid(
                    "cookieMaxAge",
                    "must be a whole number of seconds from 0 to 400 days",
                ))
            }
        },
    };
    let (path, domain, same_site) = (
        string(obj, "cookiePath")?,
        string(obj, "cookieDomain")?,
        string(obj, "cookieSameSite")?,
    );
    CookieScope::new(
        path.as_deref(),
        domain.as_deref(),
        same_site.as_deref(),
        max_age,
    )
    .map_err(|e| {
        let name = match e {
            CookieError::InvalidPath => "cookiePath",
            CookieError::InvalidDomain => "cookieDomain",
            _ => "cookieSameSite",
        };
        OptionsError::Cookie(name, e)
    })
}

/// `answers: { "<OP string>": "unchanged" | "changed" | "error" }`, own properties only.
fn answers(obj: &Object) -> Result<AnswerMap, OptionsError> {
    const WHY: &str = "must map extra strings (not unchanged, changed, error) to \"unchanged\", \"changed\" or \"error\"";
    let mut map = AnswerMap::default();
    let v = get(obj, "answers");
    if v.is_undefined() {
        return Ok(map);
    }
    let spec: &Object = v
        .dyn_ref()
        .filter(|_| v.is_object() && !v.is_function())
        .ok_or(OptionsError::Invalid("answers", WHY))?;
    for key in Object::keys(spec).iter() {
        let key = key.as_string().unwrap_or_default();
        let answer = get(spec, &key).as_string().unwrap_or_default();
        map.insert(&key, &answer)
            .map_err(|_| OptionsError::Invalid("answers", WHY))?;
    }
    Ok(map)
}

/// `rpSession`: its absolute URL (same origin as the page) and timing.
fn rp_session(obj: &Object) -> Result<Option<(String, RpSessionConfig)>, OptionsError> {
    let v = get(obj, "rpSession");
    if v.is_undefined() {
        return Ok(None);
    }
    let spec: &Object = v
        .dyn_ref()
        .filter(|_| v.is_object())
        .ok_or(OptionsError::Invalid("rpSession", "must be an object"))?;
    check_keys(spec, KNOWN_RP_SESSION)?;
    let url = string(spec, "url")?.ok_or(OptionsError::Missing("rpSession.url"))?;
    let location = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    const WHY: &str = "must be a URL of this page's own origin";
    let parsed = web_sys::Url::new_with_base(&url, &location)
        .map_err(|_| OptionsError::Invalid("rpSession.url", WHY))?;
    let page = web_sys::Url::new(&location).map(|u| u.origin()).ok();
    if page.as_deref() != Some(parsed.origin().as_str()) {
        return Err(OptionsError::Invalid("rpSession.url", WHY));
    }
    let d = RpSessionConfig::default();
    let config = RpSessionConfig {
        interval_ms: millis(spec, "intervalMs", d.interval_ms, 100)?,
        ..d
    };
    Ok(Some((parsed.href(), config)))
}

pub(crate) fn string(obj: &Object, key: &'static str) -> Result<Option<String>, OptionsError> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or(OptionsError::Invalid(key, "must be a string"))
}

fn millis(obj: &Object, key: &'static str, default: u32, min: u32) -> Result<u32, OptionsError> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(default);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= f64::from(min) && n <= 86_400_000.0 => Ok(n as u32),
        _ => Err(OptionsError::Invalid(
            key,
            "must be a whole number of milliseconds in range",
        )),
    }
}

fn count(obj: &Object, key: &'static str, default: u32) -> Result<u32, OptionsError> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(default);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=1000.0).contains(&n) => Ok(n as u32),
        _ => Err(OptionsError::Invalid(
            key,
            "must be a whole number from 0 to 1000",
        )),
    }
}

pub(crate) fn boolean(obj: &Object, key: &'static str) -> Result<bool, OptionsError> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(false);
    }
    v.as_bool()
        .ok_or(OptionsError::Invalid(key, "must be a boolean"))
}

pub(crate) fn check_keys(obj: &Object, known: &[&str]) -> Result<(), OptionsError> {
    for key in Object::keys(obj).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(OptionsError::Unknown(key));
        }
    }
    Ok(())
}

fn source(obj: &Object, key: &'static str, scope: CookieScope) -> Result<Source, OptionsError> {
    const WHY: &str =
        "must be a string, or an object with exactly one of cookie, localStorage, sessionStorage";
    let v = get(obj, key);
    if v.is_undefined() {
        return Err(OptionsError::Missing(key));
    }
    if let Some(literal) = v.as_string() {
        return SessionState::new(&literal)
            .map(Source::Literal)
            .map_err(|e| OptionsError::Value(key, e));
    }
    let spec: &Object = v.dyn_ref().ok_or(OptionsError::Invalid(key, WHY))?;
    let keys = Object::keys(spec);
    if keys.length() != 1 {
        return Err(OptionsError::Invalid(key, WHY));
    }
    let kind = keys.get(0).as_string().unwrap_or_default();
    let name = get(spec, &kind)
        .as_string()
        .filter(|n| !n.is_empty())
        .ok_or(OptionsError::Invalid(
            key,
            "the cookie or storage key must be a non-empty string",
        ))?;
    match kind.as_str() {
        "cookie" => {
            check_name(&name).map_err(|e| OptionsError::Cookie(key, e))?;
            Ok(Source::Cookie(name, scope))
        }
        "localStorage" => Ok(Source::LocalStorage(name)),
        "sessionStorage" => Ok(Source::SessionStorage(name)),
        _ => Err(OptionsError::Invalid(key, WHY)),
    }
}

fn silent(
    obj: &Object,
    insecure: bool,
) -> Result<Option<(SilentOptions, Option<u32>)>, OptionsError> {
    let v = get(obj, "silentReauth");
    if v.is_undefined() {
        return Ok(None);
    }
    let spec: &Object = v
        .dyn_ref()
        .filter(|_| v.is_object())
        .ok_or(OptionsError::Invalid("silentReauth", "must be an object"))?;
    check_keys(spec, KNOWN_SILENT)?;
    let redirect_uri =
        string(spec, "redirectUri")?.ok_or(OptionsError::Missing("silentReauth.redirectUri"))?;
    let redirect_origin = origin(&redirect_uri, insecure)
        .map_err(|e| OptionsError::Value("silentReauth.redirectUri", e))?;
    // The silent-callback page posts to its parent on its own origin only: another origin would
    // never be heard, and must not be where the code and session_state land.
    let page_origin = web_sys::window().and_then(|w| w.location().origin().ok());
    if page_origin.as_deref() != Some(redirect_origin.as_str()) {
        return Err(OptionsError::Invalid(
            "silentReauth.redirectUri",
            "must be on this page's origin",
        ));
    }
    let response_type = match string(spec, "responseType")?.as_deref() {
        None | Some("code") => ResponseType::Code,
        Some("id_token") => ResponseType::IdToken,
        Some(_) => {
            return Err(OptionsError::Invalid(
                "silentReauth.responseType",
                "must be \"code\" or \"id_token\"",
            ))
        }
    };
    let id_token_hint = match get(spec, "idTokenHint").is_undefined() {
        true => None,
        false => Some(source(spec, "idTokenHint", CookieScope::default())?),
    };
    let timeout = match get(spec, "timeoutMs").is_undefined() {
        true => None,
        false => Some(millis(spec, "timeoutMs", 10_000, 100)?),
    };
    let scope = string(spec, "scope")?;
    Ok(Some((
        SilentOptions {
            redirect_uri,
            response_type,
            scope,
            id_token_hint,
        },
        timeout,
    )))
}

/// Validates `options`. Never panics, whatever the input.
pub fn parse(options: &JsValue) -> Result<Options, OptionsError> {
    let obj: &Object = options
        .dyn_ref::<Object>()
        .filter(|_| options.is_object() && !options.is_function())
        .ok_or(OptionsError::NotAnObject)?;
    check_keys(obj, KNOWN)?;
    let insecure = boolean(obj, "allowInsecureHttp")?;
    let client_id = string(obj, "clientId")?.ok_or(OptionsError::Missing("clientId"))?;
    let client_id = ClientId::new(&client_id).map_err(|e| OptionsError::Value("clientId", e))?;
    let issuer = string(obj, "issuer")?;
    if let Some(issuer) = &issuer {
        origin(issuer, insecure).map_err(|e| OptionsError::Value("issuer", e))?;
    }
    let location = match (string(obj, "checkSessionIframe")?, issuer) {
        (Some(_), Some(_)) => {
            return Err(OptionsError::Invalid(
                "issuer",
                "give either issuer or checkSessionIframe, not both",
            ))
        }
        (None, None) if get(obj, "rpSession").is_undefined() => {
            return Err(OptionsError::Missing("checkSessionIframe"))
        }
        (None, None) => OpLocation::FirstPartyOnly,
        (Some(url), None) => OpLocation::CheckSessionIframe(
            check_session_url(&url, insecure)
                .map_err(|e| OptionsError::Value("checkSessionIframe", e))?,
        ),
        (None, Some(issuer)) => OpLocation::Issuer(issuer),
    };
    let source = source(obj, "sessionState", cookie_scope(obj)?)?;
    if !matches!(source, Source::Cookie(..)) {
        for key in [
            "cookiePath",
            "cookieDomain",
            "cookieSameSite",
            "cookieMaxAge",
        ] {
            if !get(obj, key).is_undefined() {
                return Err(OptionsError::Invalid(
                    key,
                    "only with sessionState: { cookie }",
                ));
            }
        }
    }
    let hook = get(obj, "reauthenticate");
    let silent = silent(obj, insecure)?;
    let (method, silent_timeout) = match (hook.is_undefined(), silent) {
        (false, Some(_)) => {
            return Err(OptionsError::Invalid(
                "reauthenticate",
                "give either reauthenticate or silentReauth, not both",
            ))
        }
        (false, None) => {
            let f = hook
                .dyn_into()
                .map_err(|_| OptionsError::Invalid("reauthenticate", "must be a function"))?;
            (Some(ReauthMethod::Hook(f)), None)
        }
        (true, Some((opts, timeout))) => {
            if !matches!(location, OpLocation::Issuer(_)) {
                return Err(OptionsError::Missing("issuer"));
            }
            (Some(ReauthMethod::Silent(opts)), timeout)
        }
        (true, None) => (None, None),
    };
    let keep_sid = !get(obj, "idTokenHint").is_undefined();
    let id_token = match get(obj, "idTokenHint").is_undefined() {
        false => Some(self::source(obj, "idTokenHint", CookieScope::default())?),
        true => match &method {
            Some(ReauthMethod::Silent(SilentOptions { id_token_hint, .. })) => {
                id_token_hint.clone()
            }
            _ => None,
        },
    };
    // The signed-in user, if the host says; otherwise each attempt reads the ID token hint.
    let expected_sub = string(obj, "sub")?;
    if expected_sub.as_deref() == Some("") {
        return Err(OptionsError::Invalid("sub", "must be a non-empty string"));
    }
    let end_session_endpoint = string(obj, "endSessionEndpoint")?;
    if let Some(url) = &end_session_endpoint {
        origin(url, insecure).map_err(|e| OptionsError::Value("endSessionEndpoint", e))?;
    }
    let rp = rp_session(obj)?;
    let blind_policy = match string(obj, "thirdPartyCookiesBlocked")?.as_deref() {
        None | Some("stop") => BlindPolicy::Stop,
        // The fallback needs the first-party signal to fall back to.
        Some("rpSession") if get(obj, "rpSession").is_undefined() => {
            return Err(OptionsError::Missing("rpSession"))
        }
        Some("rpSession") => BlindPolicy::RpSession,
        Some(_) => {
            return Err(OptionsError::Invalid(
                "thirdPartyCookiesBlocked",
                "must be \"stop\" or \"rpSession\"",
            ))
        }
    };
    let d = Config::default();
    let config = Config {
        interval_ms: millis(obj, "intervalMs", d.interval_ms, 100)?,
        load_timeout_ms: millis(obj, "loadTimeoutMs", d.load_timeout_ms, 100)?,
        response_timeout_ms: millis(obj, "responseTimeoutMs", d.response_timeout_ms, 50)?,
        max_no_response_retries: count(obj, "maxNoResponseRetries", d.max_no_response_retries)?,
        continue_on_error: boolean(obj, "continueOnError")?,
        reauth: method.is_some(),
        reauth_timeout_ms: match silent_timeout {
            Some(ms) => ms,
            None => millis(obj, "reauthTimeoutMs", d.reauth_timeout_ms, 100)?,
        },
        expected_sub,
        loop_guard: d.loop_guard,
        pause_when_hidden: boolean(obj, "pauseWhenHidden")?,
        // op_site is set by the driver from the page's and the OP iframe's origins.
        blind_policy,
        // Shared by default where every tab sees the same session_state (cookie, localStorage);
        // per tab for sessionStorage or a literal unless asked; alone where the APIs are missing.
        cross_tab: match get(obj, "crossTab").as_bool() {
            Some(wanted) => wanted,
            None if get(obj, "crossTab").is_undefined() => source.shared_by_tabs(),
            None => return Err(OptionsError::Invalid("crossTab", "must be a boolean")),
        } && crate::browser::sharing::Sharing::supported(),
        op_iframe: !matches!(location, OpLocation::FirstPartyOnly),
        rp_session: rp.as_ref().map(|(_, c)| *c),
        allow_insecure_http: insecure,
        ..d
    };
    Ok(Options {
        location,
        method,
        client_id,
        source,
        config,
        logout: LogoutSetup {
            rp_url: rp.map(|(url, _)| url),
            id_token,
            end_session_endpoint,
            keep_sid,
        },
        answers: answers(obj)?,
    })
}
