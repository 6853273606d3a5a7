//! Reads and validates the options object passed to `new SessionMonitor(options)`.

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::error::OptionsError;
use crate::browser::driver::LogoutSetup;
use crate::browser::js::{entries, get};
use crate::browser::reauth::{ReauthMethod, SilentOptions};
use crate::browser::source::Source;
use crate::browser::url::{check_session_url, origin, part};
use crate::core::authorize::ResponseType;
use crate::core::cookie::{check_name, CookieError, CookieScope};
use crate::core::machine::{BlindPolicy, Config, OpLocation, RpSessionConfig};
use crate::core::types::{AnswerMap, ClientId, SessionState};

/// What an option's value must be (`undefined` always counts as absent). Checked for every given
/// option in one pass, before any is used: the readers below then never fail on a type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// Checked where it is used (sources, nested objects, `answers`).
    Any,
    /// A string.
    Str,
    /// A boolean.
    Bool,
    /// A function.
    Fun,
    /// Whole milliseconds from the given minimum to a day.
    Ms(u32),
    /// A whole number from 0 to 1000.
    Count,
    /// Whole seconds from 0 to 400 days (a cookie's `max-age`).
    MaxAge,
}

/// Every accepted option and its kind: anything else is a typo and is rejected.
const KNOWN: &[(&str, Kind)] = &[
    ("checkSessionIframe", Kind::Str),
    ("clientId", Kind::Str),
    ("sessionState", Kind::Any),
    ("intervalMs", Kind::Ms(100)),
    ("loadTimeoutMs", Kind::Ms(100)),
    ("responseTimeoutMs", Kind::Ms(50)),
    ("maxNoResponseRetries", Kind::Count),
    ("continueOnError", Kind::Bool),
    ("pauseWhenHidden", Kind::Bool),
    ("crossTab", Kind::Bool),
    ("issuer", Kind::Str),
    ("reauthenticate", Kind::Fun),
    ("silentReauth", Kind::Any),
    ("reauthTimeoutMs", Kind::Ms(100)),
    ("sub", Kind::Str),
    ("thirdPartyCookiesBlocked", Kind::Str),
    ("rpSession", Kind::Any),
    ("endSessionEndpoint", Kind::Str),
    ("idTokenHint", Kind::Any),
    ("answers", Kind::Any),
    ("allowInsecureHttp", Kind::Bool),
    ("cookiePath", Kind::Str),
    ("cookieDomain", Kind::Str),
    ("cookieSameSite", Kind::Str),
    ("cookieMaxAge", Kind::MaxAge),
];

/// Accepted names inside `rpSession`.
const KNOWN_RP_SESSION: &[(&str, Kind)] = &[("url", Kind::Str), ("intervalMs", Kind::Ms(100))];

/// Accepted names inside `silentReauth`.
const KNOWN_SILENT: &[(&str, Kind)] = &[
    ("redirectUri", Kind::Str),
    ("responseType", Kind::Str),
    ("scope", Kind::Str),
    ("idTokenHint", Kind::Any),
    ("timeoutMs", Kind::Ms(100)),
];

/// Why a value is not of its kind, or `None` if it is.
fn misfit(v: &JsValue, kind: Kind) -> Option<&'static str> {
    let whole = |max: f64, min: u32| {
        v.as_f64()
            .is_some_and(|n| n.fract() == 0.0 && n >= f64::from(min) && n <= max)
    };
    let (fits, why) = match kind {
        Kind::Any => (true, ""),
        Kind::Str => (v.is_string(), "must be a string"),
        Kind::Bool => (v.as_bool().is_some(), "must be a boolean"),
        Kind::Fun => (v.is_function(), "must be a function"),
        Kind::Ms(min) => (
            whole(86_400_000.0, min),
            "must be a whole number of milliseconds in range",
        ),
        Kind::Count => (whole(1000.0, 0), "must be a whole number from 0 to 1000"),
        Kind::MaxAge => (
            whole(400.0 * 86_400.0, 0),
            "must be a whole number of seconds from 0 to 400 days",
        ),
    };
    (!fits).then_some(why)
}

/// The `i`-th `[key, value]` pair of an `Object.entries` array: the key as a string (keys are
/// strings there), and the value.
fn entry(entries: &Array, i: u32) -> (String, JsValue) {
    let pair: Array = entries.get(i).unchecked_into();
    (pair.get(0).as_string().unwrap_or_default(), pair.get(1))
}

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

/// An options object's own enumerable properties, read once (`Object.entries`) and looked up by
/// name: a property inherited from a polluted `Object.prototype` is never an option, a name
/// outside the accepted list is rejected, and every given value is checked against its [`Kind`].
pub(crate) struct Props {
    known: &'static [(&'static str, Kind)],
    values: Vec<JsValue>,
}

impl Props {
    /// Reads and checks `v`, which must be an object (not a function), else `not_object`.
    pub(crate) fn read(
        v: &JsValue,
        known: &'static [(&'static str, Kind)],
        not_object: OptionsError,
    ) -> Result<Props, OptionsError> {
        if !v.is_object() || v.is_function() {
            return Err(not_object);
        }
        let entries = entries(v).ok_or(not_object)?;
        let mut values = Vec::new();
        values.resize_with(known.len(), || JsValue::UNDEFINED);
        for i in 0..entries.length() {
            let (key, value) = entry(&entries, i);
            let Some(at) = known.iter().position(|(n, _)| *n == key) else {
                return Err(OptionsError::Unknown(key));
            };
            // `get`, not indexing: no bounds-check panic path.
            let (Some(&(name, kind)), Some(slot)) = (known.get(at), values.get_mut(at)) else {
                continue;
            };
            if !value.is_undefined() {
                if let Some(why) = misfit(&value, kind) {
                    return Err(OptionsError::Invalid(name, why));
                }
            }
            *slot = value;
        }
        Ok(Props { known, values })
    }

    /// The value of `name`, `None` when absent or `undefined`.
    pub(crate) fn get(&self, name: &str) -> Option<&JsValue> {
        let at = self.known.iter().position(|(n, _)| *n == name)?;
        self.values.get(at).filter(|v| !v.is_undefined())
    }

    /// Whether `name` is given (and not `undefined`).
    fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A [`Kind::Str`] option.
    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.get(name).and_then(JsValue::as_string)
    }

    /// A [`Kind::Bool`] option.
    pub(crate) fn boolean(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(JsValue::as_bool)
    }

    /// A number option ([`Kind::Ms`], [`Kind::Count`], [`Kind::MaxAge`]), `None` when absent.
    fn number(&self, name: &str) -> Option<u32> {
        self.get(name).and_then(JsValue::as_f64).map(|n| n as u32)
    }

    /// A number option, or `default` when absent.
    fn number_or(&self, name: &str, default: u32) -> u32 {
        self.number(name).unwrap_or(default)
    }

    /// `cookiePath`, `cookieDomain`, `cookieSameSite`, `cookieMaxAge`: the RP cookie's scope.
    fn cookie_scope(&self) -> Result<CookieScope, OptionsError> {
        let max_age = self.number("cookieMaxAge");
        let (path, domain, same_site) = (
            self.string("cookiePath"),
            self.string("cookieDomain"),
            self.string("cookieSameSite"),
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
    fn answers(&self) -> Result<AnswerMap, OptionsError> {
        const WHY: OptionsError = OptionsError::Invalid(
            "answers",
            "must map extra strings (not unchanged, changed, error) to \"unchanged\", \"changed\" or \"error\"",
        );
        let mut map = AnswerMap::default();
        let Some(v) = self.get("answers") else {
            return Ok(map);
        };
        if !v.is_object() || v.is_function() {
            return Err(WHY);
        }
        let entries = entries(v).ok_or(WHY)?;
        for i in 0..entries.length() {
            let (key, answer) = entry(&entries, i);
            let answer = answer.as_string().unwrap_or_default();
            map.insert(&key, &answer).map_err(|_| WHY)?;
        }
        Ok(map)
    }

    /// `rpSession`: its absolute URL (same origin as the page) and timing.
    fn rp_session(&self) -> Result<Option<(String, RpSessionConfig)>, OptionsError> {
        let Some(v) = self.get("rpSession") else {
            return Ok(None);
        };
        let spec = Props::read(
            v,
            KNOWN_RP_SESSION,
            OptionsError::Invalid("rpSession", "must be an object"),
        )?;
        let url = spec
            .string("url")
            .ok_or(OptionsError::Missing("rpSession.url"))?;
        let location = crate::browser::js::window()
            .and_then(|w| get(&get(&w, "location"), "href").as_string())
            .unwrap_or_default();
        const WHY: OptionsError =
            OptionsError::Invalid("rpSession.url", "must be a URL of this page's own origin");
        let parsed = web_sys::Url::new_with_base(&url, &location).map_err(|_| WHY)?;
        let page = crate::browser::js::page_origin();
        if page.as_deref() != Some(part(&parsed, "origin").as_str()) {
            return Err(WHY);
        }
        let d = RpSessionConfig::default();
        let config = RpSessionConfig {
            interval_ms: spec.number_or("intervalMs", d.interval_ms),
            ..d
        };
        Ok(Some((part(&parsed, "href"), config)))
    }

    /// A session_state or ID token source: a literal string, or `{ cookie | localStorage |
    /// sessionStorage: name }`.
    fn source(&self, key: &'static str, scope: CookieScope) -> Result<Source, OptionsError> {
        const WHY: &str =
            "must be a string, or an object with exactly one of cookie, localStorage, sessionStorage";
        let v = self.get(key).ok_or(OptionsError::Missing(key))?;
        if let Some(literal) = v.as_string() {
            return SessionState::new(literal)
                .map(Source::Literal)
                .map_err(|e| OptionsError::Value(key, e));
        }
        let spec = (v.is_object() && !v.is_function())
            .then(|| entries(v))
            .flatten()
            .filter(|e| e.length() == 1)
            .ok_or(OptionsError::Invalid(key, WHY))?;
        let (kind, name) = entry(&spec, 0);
        let name = name
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

    /// `silentReauth`, and its timeout if given.
    fn silent(&self, insecure: bool) -> Result<Option<(SilentOptions, Option<u32>)>, OptionsError> {
        let Some(v) = self.get("silentReauth") else {
            return Ok(None);
        };
        let spec = Props::read(
            v,
            KNOWN_SILENT,
            OptionsError::Invalid("silentReauth", "must be an object"),
        )?;
        let redirect_uri = spec
            .string("redirectUri")
            .ok_or(OptionsError::Missing("silentReauth.redirectUri"))?;
        let redirect_origin = origin(&redirect_uri, insecure)
            .map_err(|e| OptionsError::Value("silentReauth.redirectUri", e))?;
        // The silent-callback page posts to its parent on its own origin only: another origin
        // would never be heard, and must not be where the code and session_state land.
        let page_origin = crate::browser::js::page_origin();
        if page_origin.as_deref() != Some(redirect_origin.as_str()) {
            return Err(OptionsError::Invalid(
                "silentReauth.redirectUri",
                "must be on this page's origin",
            ));
        }
        let response_type = match spec.string("responseType").as_deref() {
            None | Some("code") => ResponseType::Code,
            Some("id_token") => ResponseType::IdToken,
            Some(_) => {
                return Err(OptionsError::Invalid(
                    "silentReauth.responseType",
                    "must be \"code\" or \"id_token\"",
                ))
            }
        };
        let id_token_hint = match spec.has("idTokenHint") {
            false => None,
            true => Some(spec.source("idTokenHint", CookieScope::default())?),
        };
        let timeout = spec.number("timeoutMs");
        let scope = spec.string("scope");
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
}

/// Validates `options`. Never panics, whatever the input.
pub fn parse(options: &JsValue) -> Result<Options, OptionsError> {
    let p = Props::read(options, KNOWN, OptionsError::NotAnObject)?;
    let insecure = p.boolean("allowInsecureHttp").unwrap_or(false);
    let client_id = p
        .string("clientId")
        .ok_or(OptionsError::Missing("clientId"))?;
    let client_id = ClientId::new(&client_id).map_err(|e| OptionsError::Value("clientId", e))?;
    let issuer = p.string("issuer");
    if let Some(issuer) = &issuer {
        origin(issuer, insecure).map_err(|e| OptionsError::Value("issuer", e))?;
    }
    let location = match (p.string("checkSessionIframe"), issuer) {
        (Some(_), Some(_)) => {
            return Err(OptionsError::Invalid(
                "issuer",
                "give either issuer or checkSessionIframe, not both",
            ))
        }
        (None, None) if !p.has("rpSession") => {
            return Err(OptionsError::Missing("checkSessionIframe"))
        }
        (None, None) => OpLocation::FirstPartyOnly,
        (Some(url), None) => OpLocation::CheckSessionIframe(
            check_session_url(&url, insecure)
                .map_err(|e| OptionsError::Value("checkSessionIframe", e))?,
        ),
        (None, Some(issuer)) => OpLocation::Issuer(issuer),
    };
    let source = p.source("sessionState", p.cookie_scope()?)?;
    if !matches!(source, Source::Cookie(..)) {
        for key in [
            "cookiePath",
            "cookieDomain",
            "cookieSameSite",
            "cookieMaxAge",
        ] {
            if p.has(key) {
                return Err(OptionsError::Invalid(
                    key,
                    "only with sessionState: { cookie }",
                ));
            }
        }
    }
    let silent = p.silent(insecure)?;
    let (method, silent_timeout) = match (p.get("reauthenticate"), silent) {
        (Some(_), Some(_)) => {
            return Err(OptionsError::Invalid(
                "reauthenticate",
                "give either reauthenticate or silentReauth, not both",
            ))
        }
        (Some(hook), None) => (
            Some(ReauthMethod::Hook(hook.clone().unchecked_into())),
            None,
        ),
        (None, Some((opts, timeout))) => {
            if !matches!(location, OpLocation::Issuer(_)) {
                return Err(OptionsError::Missing("issuer"));
            }
            (Some(ReauthMethod::Silent(opts)), timeout)
        }
        (None, None) => (None, None),
    };
    let keep_sid = p.has("idTokenHint");
    let id_token = match keep_sid {
        true => Some(p.source("idTokenHint", CookieScope::default())?),
        false => match &method {
            Some(ReauthMethod::Silent(SilentOptions { id_token_hint, .. })) => {
                id_token_hint.clone()
            }
            _ => None,
        },
    };
    // The signed-in user, if the host says; otherwise each attempt reads the ID token hint.
    let expected_sub = p.string("sub");
    if expected_sub.as_deref() == Some("") {
        return Err(OptionsError::Invalid("sub", "must be a non-empty string"));
    }
    let end_session_endpoint = p.string("endSessionEndpoint");
    if let Some(url) = &end_session_endpoint {
        origin(url, insecure).map_err(|e| OptionsError::Value("endSessionEndpoint", e))?;
    }
    let rp = p.rp_session()?;
    let blind_policy = match p.string("thirdPartyCookiesBlocked").as_deref() {
        None | Some("stop") => BlindPolicy::Stop,
        // The fallback needs the first-party signal to fall back to.
        Some("rpSession") if rp.is_none() => return Err(OptionsError::Missing("rpSession")),
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
        interval_ms: p.number_or("intervalMs", d.interval_ms),
        load_timeout_ms: p.number_or("loadTimeoutMs", d.load_timeout_ms),
        response_timeout_ms: p.number_or("responseTimeoutMs", d.response_timeout_ms),
        max_no_response_retries: p.number_or("maxNoResponseRetries", d.max_no_response_retries),
        continue_on_error: p.boolean("continueOnError").unwrap_or(false),
        reauth: method.is_some(),
        reauth_timeout_ms: match silent_timeout {
            Some(ms) => ms,
            None => p.number_or("reauthTimeoutMs", d.reauth_timeout_ms),
        },
        expected_sub,
        loop_guard: d.loop_guard,
        pause_when_hidden: p.boolean("pauseWhenHidden").unwrap_or(false),
        // op_site is set by the driver from the page's and the OP iframe's origins.
        blind_policy,
        // Shared by default where every tab sees the same session_state (cookie, localStorage);
        // per tab for sessionStorage or a literal unless asked; alone where the APIs are missing.
        cross_tab: p
            .boolean("crossTab")
            .unwrap_or_else(|| source.shared_by_tabs())
            && crate::browser::sharing::Sharing::supported(),
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
        answers: p.answers()?,
    })
}
