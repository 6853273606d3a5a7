//! The silent (`prompt=none`) authorization request and its callback.
//!
//! [`AuthorizeRequest::to_url`] builds the URL the hidden iframe loads; [`parse_callback`] reads the
//! URL the OP redirects that iframe to; [`CallbackResponse::verify`] checks `state` (and `iss`, when
//! the OP sends it) *before* looking at the result, then says what happened as a [`SilentResult`].
//!
//! Values are encoded and decoded as `application/x-www-form-urlencoded`, the format OPs use for
//! authorization requests and responses (so `+` means a space). The `session_state` in a callback is
//! kept exactly as decoded: it is an opaque value to send back to the check-session iframe.

use crate::core::error_code::ErrorCode;
use crate::core::percent::hex;
use crate::core::text;
use core::fmt;

use super::discovery::is_http_url;
use super::pkce::{b64, code_challenge_s256, CodeVerifier};

/// The default `scope`: the minimum for an OpenID Connect request.
pub const DEFAULT_SCOPE: &str = "openid";

/// Number of random bytes [`random_value`] takes.
pub const RANDOM_VALUE_BYTES: usize = 32;

/// Turns 32 random bytes (from `crypto.getRandomValues`) into a `state` or `nonce` value:
/// 43 URL-safe characters.
///
/// # Security
/// Use fresh bytes from a cryptographically secure generator for every request.
pub fn random_value(bytes: &[u8; RANDOM_VALUE_BYTES]) -> String {
    b64::encode(bytes)
}

/// Which OpenID Connect flow the silent request uses (`response_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseType {
    /// `response_type=code`: the authorization code flow with PKCE; the callback comes in the query.
    Code,
    /// `response_type=id_token`: the implicit flow; the ID token comes in the fragment.
    IdToken,
}

impl ResponseType {
    /// The `response_type` parameter value: `code` or `id_token`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::IdToken => "id_token",
        }
    }

    /// Where the OP puts the response for this flow (the request asks for it explicitly).
    pub fn response_mode(self) -> ResponseMode {
        match self {
            ResponseType::Code => ResponseMode::Query,
            ResponseType::IdToken => ResponseMode::Fragment,
        }
    }
}

/// Where the authorization response parameters are in the callback URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMode {
    /// In the query string (`?code=…&state=…`).
    Query,
    /// In the fragment (`#id_token=…&state=…`).
    Fragment,
}

impl ResponseMode {
    /// The `response_mode` parameter value: `query` or `fragment`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::Fragment => "fragment",
        }
    }
}

/// The flow, with what it needs: the code flow cannot be requested without a PKCE verifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow<'a> {
    /// Code flow with PKCE `S256`; keep the verifier for the token request.
    Code {
        /// The verifier whose challenge goes into the request.
        verifier: &'a CodeVerifier,
    },
    /// Implicit flow returning only an ID token.
    IdToken,
}

impl Flow<'_> {
    /// The flow's `response_type`.
    pub fn response_type(&self) -> ResponseType {
        match self {
            Flow::Code { .. } => ResponseType::Code,
            Flow::IdToken => ResponseType::IdToken,
        }
    }
}

/// A `prompt=none` authorization request, ready to become the hidden iframe's URL.
///
/// Its `Debug` form leaves out `state`, `nonce` and the ID token hint.
#[derive(Clone, Copy)]
pub struct AuthorizeRequest<'a> {
    /// The OP's authorization endpoint; it may already carry a query, which is kept.
    pub authorization_endpoint: &'a str,
    /// Code (with PKCE) or implicit `id_token`.
    pub flow: Flow<'a>,
    /// The RP's client identifier at the OP.
    pub client_id: &'a str,
    /// Where the OP sends the iframe back: the package's silent-callback page.
    pub redirect_uri: &'a str,
    /// Space-separated scopes; `None` means `openid`. `openid` is added if missing.
    pub scope: Option<&'a str>,
    /// The fresh `state` for this request (see [`random_value`]).
    pub state: &'a str,
    /// The fresh `nonce` for this request (see [`random_value`]).
    pub nonce: &'a str,
    /// A previous ID token, so the OP knows which user the RP expects; empty counts as absent.
    pub id_token_hint: Option<&'a str>,
}

impl fmt::Debug for AuthorizeRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizeRequest")
            .field("authorization_endpoint", &self.authorization_endpoint)
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl AuthorizeRequest<'_> {
    /// The full request URL: the endpoint plus `response_type`, `client_id`, `redirect_uri`,
    /// `scope`, `state`, `nonce`, `prompt=none`, `response_mode`, for the code flow
    /// `code_challenge` and `code_challenge_method=S256`, and `id_token_hint` when given.
    ///
    /// # Errors
    /// - [`AuthorizeError::InvalidEndpoint`]: the endpoint is not an absolute `http(s)` URL
    ///   without a fragment;
    /// - [`AuthorizeError::InvalidRedirectUri`]: same rule for `redirect_uri`;
    /// - [`AuthorizeError::MissingParameter`]: `client_id`, `state` or `nonce` is empty.
    pub fn to_url(&self) -> Result<String, AuthorizeError> {
        if !is_http_url(self.authorization_endpoint) {
            return Err(AuthorizeError::InvalidEndpoint);
        }
        if !is_http_url(self.redirect_uri) {
            return Err(AuthorizeError::InvalidRedirectUri);
        }
        if self.client_id.is_empty() || self.state.is_empty() || self.nonce.is_empty() {
            return Err(AuthorizeError::MissingParameter);
        }

        let response_type = self.flow.response_type();
        let mut query = QueryWriter::new(self.authorization_endpoint);
        let mut param = |name: &str, value: &str| query.param(name, value);
        param("response_type", response_type.as_str());
        param("client_id", self.client_id);
        param("redirect_uri", self.redirect_uri);
        param("scope", &scope_with_openid(self.scope));
        param("state", self.state);
        param("nonce", self.nonce);
        param("prompt", "none");
        param("response_mode", response_type.response_mode().as_str());
        if let Flow::Code { verifier } = self.flow {
            param("code_challenge", &code_challenge_s256(verifier));
            param("code_challenge_method", "S256");
        }
        if let Some(hint) = self.id_token_hint.filter(|h| !h.is_empty()) {
            param("id_token_hint", hint);
        }
        Ok(query.finish())
    }
}

/// Appends form-encoded parameters to an endpoint URL that may already carry a query (kept).
pub(crate) struct QueryWriter {
    url: String,
    first: bool,
}

impl QueryWriter {
    /// Starts after `endpoint`, with `?` or `&` as its query needs.
    pub(crate) fn new(endpoint: &str) -> Self {
        let mut url = String::with_capacity(endpoint.len() + 512);
        url.push_str(endpoint);
        if !text::has(endpoint, b'?') {
            url.push('?');
        } else if !(endpoint.ends_with("?") || endpoint.ends_with("&")) {
            url.push('&');
        }
        QueryWriter { url, first: true }
    }

    /// Appends `name=value`, both form-encoded.
    pub(crate) fn param(&mut self, name: &str, value: &str) {
        if !self.first {
            self.url.push('&');
        }
        self.first = false;
        form_encode_into(&mut self.url, name);
        self.url.push('=');
        form_encode_into(&mut self.url, value);
    }

    /// The finished URL.
    pub(crate) fn finish(self) -> String {
        self.url
    }
}

/// `scope` with `openid` guaranteed (prepended when missing); `None`/blank gives `openid`.
fn scope_with_openid(scope: Option<&str>) -> String {
    let scope = scope.map(str::trim_ascii).unwrap_or("");
    if scope.is_empty() {
        return DEFAULT_SCOPE.to_owned();
    }
    if text::split(scope, b' ').any(|s| s == DEFAULT_SCOPE) {
        return scope.to_owned();
    }
    let mut out = String::with_capacity(DEFAULT_SCOPE.len() + 1 + scope.len());
    out.push_str(DEFAULT_SCOPE);
    out.push(' ');
    out.push_str(scope);
    out
}

/// Appends `value` in `application/x-www-form-urlencoded` form: `A-Z a-z 0-9 * - . _` as is,
/// space as `+`, every other byte of the UTF-8 as `%XX`.
pub(crate) fn form_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space); `None` if a `%` is
/// not followed by two hex digits or the bytes are not UTF-8.
pub(crate) fn form_decode(s: &str) -> Option<String> {
    if !s.bytes().any(|b| b == b'+' || b == b'%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = hex(bytes.get(i + 1)?)?;
                let lo = hex(bytes.get(i + 2)?)?;
                out.push((hi << 4) | lo);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    text::utf8(&out)
}

/// Reads the parameters `names` of a parameter string (`location.search` or `location.hash`: one
/// leading `?` or `#` is skipped) into `values`, form-decoded; other parameters, and names with a
/// bad escape, are ignored. `false` when one of `names` appears twice or its value has a bad `%`
/// escape or is not UTF-8. One walker for the silent callback and the post-logout page (size).
pub(crate) fn form_params(params: &str, names: &[&str], values: &mut [Option<String>]) -> bool {
    let params = params
        .strip_prefix("?")
        .or_else(|| params.strip_prefix("#"))
        .unwrap_or(params);
    for pair in text::split(params, b'&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = text::split_once(pair, b'=').unwrap_or((pair, ""));
        let Some(name) = form_decode(raw_name) else {
            continue;
        };
        let Some(slot) = names
            .iter()
            .position(|n| *n == name)
            .and_then(|at| values.get_mut(at))
        else {
            continue;
        };
        if slot.is_some() {
            return false;
        }
        match form_decode(raw_value) {
            Some(value) => *slot = Some(value),
            None => return false,
        }
    }
    true
}

/// The authorization response parameters found in the silent callback URL, form-decoded.
///
/// `Debug` shows `error`, `error_description` and `iss`, and redacts the rest.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CallbackResponse {
    /// `state`, to compare with the one sent (see [`CallbackResponse::verify`]).
    pub state: Option<String>,
    /// The authorization code (code flow). Secret.
    pub code: Option<String>,
    /// The ID token (implicit flow). Secret.
    pub id_token: Option<String>,
    /// The new `session_state`, byte for byte as sent (after form-decoding). Secret.
    pub session_state: Option<String>,
    /// The OAuth error code, e.g. `login_required`.
    pub error: Option<String>,
    /// The OP's human-readable error text, if any.
    pub error_description: Option<String>,
    /// The issuer, if the OP sends it (RFC 9207).
    pub iss: Option<String>,
}

impl fmt::Debug for CallbackResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted<'a>(&'a Option<String>);
        impl fmt::Debug for Redacted<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(if self.0.is_some() {
                    "Some([redacted])"
                } else {
                    "None"
                })
            }
        }
        f.debug_struct("CallbackResponse")
            .field("state", &Redacted(&self.state))
            .field("code", &Redacted(&self.code))
            .field("id_token", &Redacted(&self.id_token))
            .field("session_state", &Redacted(&self.session_state))
            .field("error", &self.error)
            .field("error_description", &self.error_description)
            .field("iss", &self.iss)
            .finish()
    }
}

/// Reads the response parameters from the callback page's full URL (`location.href`), from the
/// query or the fragment as `mode` says; the other part is ignored.
///
/// # Errors
/// [`AuthorizeError::MalformedCallback`] as for [`CallbackResponse::from_params`].
pub fn parse_callback(url: &str, mode: ResponseMode) -> Result<CallbackResponse, AuthorizeError> {
    let (before_fragment, fragment) = match text::split_once(url, b'#') {
        Some((before, fragment)) => (before, fragment),
        None => (url, ""),
    };
    let params = match mode {
        ResponseMode::Query => text::split_once(before_fragment, b'?').map_or("", |(_, q)| q),
        ResponseMode::Fragment => fragment,
    };
    CallbackResponse::from_params(params)
}

impl CallbackResponse {
    /// Parses a parameter string such as `location.search` or `location.hash` (one leading `?` or
    /// `#` is skipped). Unknown parameters are ignored.
    ///
    /// # Errors
    /// [`AuthorizeError::MalformedCallback`] if a known parameter appears twice (RFC 6749 §3.1) or
    /// its value has a bad `%` escape or is not UTF-8.
    pub fn from_params(params: &str) -> Result<Self, AuthorizeError> {
        const NAMES: [&str; 7] = [
            "state",
            "code",
            "id_token",
            "session_state",
            "error",
            "error_description",
            "iss",
        ];
        let mut values: [Option<String>; 7] = Default::default();
        if !form_params(params, &NAMES, &mut values) {
            return Err(AuthorizeError::MalformedCallback);
        }
        let [state, code, id_token, session_state, error, error_description, iss] = values;
        Ok(CallbackResponse {
            state,
            code,
            id_token,
            session_state,
            error,
            error_description,
            iss,
        })
    }

    /// Checks that this response answers *our* request, then says what it means.
    ///
    /// Order matters: `state` is checked first (constant-time), so a forged `login_required` cannot
    /// sign the user out; then `iss` if the OP sent one (RFC 9207); then an `error` is classified
    /// with [`classify_error`]; then the flow's result (`code` or `id_token`) must be present.
    ///
    /// # Errors
    /// [`AuthorizeError::StateMismatch`] (also when `state` is missing),
    /// [`AuthorizeError::IssuerMismatch`], or [`AuthorizeError::MalformedCallback`] when neither an
    /// error nor the expected `code`/`id_token` is present.
    pub fn verify(
        &self,
        expected_state: &str,
        response_type: ResponseType,
        expected_issuer: &str,
    ) -> Result<SilentResult<'_>, AuthorizeError> {
        if !check_state(expected_state, self.state.as_deref()) {
            return Err(AuthorizeError::StateMismatch);
        }
        if let Some(iss) = &self.iss {
            if iss != expected_issuer {
                return Err(AuthorizeError::IssuerMismatch);
            }
        }
        if let Some(error) = &self.error {
            return Ok(match classify_error(error) {
                ErrorClass::SignedOut => SilentResult::SignedOut,
                ErrorClass::InteractionRequired => SilentResult::InteractionRequired(error),
                ErrorClass::Other => SilentResult::Error(error),
            });
        }
        let session_state = self.session_state.as_deref();
        match response_type {
            ResponseType::Code => match self.code.as_deref() {
                Some(code) if !code.is_empty() => Ok(SilentResult::Code {
                    code,
                    session_state,
                }),
                _ => Err(AuthorizeError::MalformedCallback),
            },
            ResponseType::IdToken => match self.id_token.as_deref() {
                Some(id_token) if !id_token.is_empty() => Ok(SilentResult::IdToken {
                    id_token,
                    session_state,
                }),
                _ => Err(AuthorizeError::MalformedCallback),
            },
        }
    }
}

/// What a verified silent callback says.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SilentResult<'a> {
    /// Code flow success: exchange `code` (with the PKCE verifier) at the token endpoint.
    Code {
        /// The authorization code. Secret.
        code: &'a str,
        /// The new `session_state`, if the OP sent one.
        session_state: Option<&'a str>,
    },
    /// Implicit flow success: read the claims of `id_token`.
    IdToken {
        /// The ID token. Secret.
        id_token: &'a str,
        /// The new `session_state`, if the OP sent one.
        session_state: Option<&'a str>,
    },
    /// `login_required`: nobody is signed in at the OP.
    SignedOut,
    /// The OP needs the user (`interaction_required`, `consent_required`,
    /// `account_selection_required`); the code is given.
    InteractionRequired(&'a str),
    /// Any other OAuth error code, e.g. `server_error` or `invalid_request`.
    Error(&'a str),
}

impl fmt::Debug for SilentResult<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SilentResult::Code { .. } => f.write_str("Code([redacted])"),
            SilentResult::IdToken { .. } => f.write_str("IdToken([redacted])"),
            SilentResult::SignedOut => f.write_str("SignedOut"),
            SilentResult::InteractionRequired(e) => {
                f.debug_tuple("InteractionRequired").field(e).finish()
            }
            SilentResult::Error(e) => f.debug_tuple("Error").field(e).finish(),
        }
    }
}

/// How a `prompt=none` error code should be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// `login_required`: the user is signed out at the OP.
    SignedOut,
    /// `interaction_required`, `consent_required`, `account_selection_required`: the OP session may
    /// be alive, but it cannot be checked without the user.
    InteractionRequired,
    /// Anything else: a failure, which says nothing about the sign-in state.
    Other,
}

/// Classifies an OAuth / OpenID Connect error code from a `prompt=none` response
/// (OpenID Connect Core §3.1.2.6). Only `login_required` means "signed out".
pub fn classify_error(error: &str) -> ErrorClass {
    match error {
        "login_required" => ErrorClass::SignedOut,
        "interaction_required" | "consent_required" | "account_selection_required" => {
            ErrorClass::InteractionRequired
        }
        _ => ErrorClass::Other,
    }
}

/// Compares two byte strings in time that depends only on their lengths, not on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

/// Whether the `state` that came back equals the one sent. A missing or empty value never matches.
pub fn check_state(expected: &str, received: Option<&str>) -> bool {
    matches_secret(expected, received)
}

/// Whether the ID token's `nonce` equals the one sent. A missing or empty value never matches.
pub fn check_nonce(expected: &str, received: Option<&str>) -> bool {
    matches_secret(expected, received)
}

fn matches_secret(expected: &str, received: Option<&str>) -> bool {
    match received {
        Some(received) if !expected.is_empty() => {
            constant_time_eq(expected.as_bytes(), received.as_bytes())
        }
        _ => false,
    }
}

/// What can go wrong building the silent request or reading its callback.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The authorization endpoint is not an absolute `http(s)` URL without a fragment.
    InvalidEndpoint,
    /// The redirect URI is not an absolute `http(s)` URL without a fragment.
    InvalidRedirectUri,
    /// `client_id`, `state` or `nonce` is empty.
    MissingParameter,
    /// The callback has a repeated or badly encoded parameter, or lacks both an error and the result.
    MalformedCallback,
    /// The callback's `state` is missing or is not the one sent: it does not answer our request.
    StateMismatch,
    /// The callback's `iss` parameter names another issuer (RFC 9207).
    IssuerMismatch,
}

impl AuthorizeError {
    /// A stable code that JavaScript can branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            AuthorizeError::InvalidEndpoint => ErrorCode::InvalidEndpoint,
            AuthorizeError::InvalidRedirectUri => ErrorCode::InvalidRedirectUri,
            AuthorizeError::MissingParameter => ErrorCode::MissingParameter,
            AuthorizeError::MalformedCallback => ErrorCode::InvalidCallback,
            AuthorizeError::StateMismatch => ErrorCode::StateMismatch,
            AuthorizeError::IssuerMismatch => ErrorCode::IssMismatch,
        }
    }

    /// A readable explanation, in English.
    pub fn message(&self) -> &'static str {
        match self {
            AuthorizeError::InvalidEndpoint => {
                "the authorization endpoint is not an absolute http(s) URL without a fragment"
            }
            AuthorizeError::InvalidRedirectUri => {
                "the redirect URI is not an absolute http(s) URL without a fragment"
            }
            AuthorizeError::MissingParameter => "client_id, state and nonce must not be empty",
            AuthorizeError::MalformedCallback => {
                "the silent callback URL has a repeated or badly encoded parameter, or no result"
            }
            AuthorizeError::StateMismatch => {
                "the silent callback's state does not match the request"
            }
            AuthorizeError::IssuerMismatch => {
                "the silent callback's iss parameter names another issuer"
            }
        }
    }
}

impl fmt::Display for AuthorizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for AuthorizeError {}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn request<'a>(flow: Flow<'a>) -> AuthorizeRequest<'a> {
        AuthorizeRequest {
            authorization_endpoint: "http://127.0.0.1:3000/auth",
            flow,
            client_id: "session-rp",
            redirect_uri: "http://127.0.0.1:8001/callback.html",
            scope: None,
            state: "st4te",
            nonce: "n0nce",
            id_token_hint: None,
        }
    }

    /// Splits a URL's query into decoded pairs, the way a server would read it.
    fn query_pairs(url: &str) -> Vec<(String, String)> {
        let query = url.split_once('?').unwrap().1;
        query
            .split('&')
            .map(|p| {
                let (n, v) = p.split_once('=').unwrap();
                (form_decode(n).unwrap(), form_decode(v).unwrap())
            })
            .collect()
    }

    #[test]
    fn code_flow_url() {
        let verifier = CodeVerifier::from_string(RFC_VERIFIER).unwrap();
        let url = request(Flow::Code {
            verifier: &verifier,
        })
        .to_url()
        .unwrap();
        assert_eq!(
            url,
            "http://127.0.0.1:3000/auth?response_type=code&client_id=session-rp\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A8001%2Fcallback.html&scope=openid\
             &state=st4te&nonce=n0nce&prompt=none&response_mode=query\
             &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        );
        assert!(url.contains(RFC_CHALLENGE));
        assert!(
            !url.contains(RFC_VERIFIER),
            "the verifier itself never goes in the URL"
        );
    }

    #[test]
    fn implicit_flow_url_with_hint() {
        let mut req = request(Flow::IdToken);
        req.authorization_endpoint = "http://127.0.0.1:8000/openid/authorize";
        req.id_token_hint = Some("eyJh.eyJz.c2ln");
        let url = req.to_url().unwrap();
        let pairs = query_pairs(&url);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("response_type"), Some("id_token"));
        assert_eq!(get("response_mode"), Some("fragment"));
        assert_eq!(get("prompt"), Some("none"));
        assert_eq!(get("nonce"), Some("n0nce"));
        assert_eq!(get("id_token_hint"), Some("eyJh.eyJz.c2ln"));
        assert_eq!(get("code_challenge"), None);
        assert_eq!(get("code_challenge_method"), None);
        assert!(url.starts_with("http://127.0.0.1:8000/openid/authorize?response_type=id_token&"));
        // An empty hint is the same as none.
        req.id_token_hint = Some("");
        assert!(!req.to_url().unwrap().contains("id_token_hint"));
    }

    #[test]
    fn endpoint_with_query_is_kept() {
        let cases = [
            (
                "https://op.example/auth?tenant=a",
                "https://op.example/auth?tenant=a&response_type=",
            ),
            (
                "https://op.example/auth?",
                "https://op.example/auth?response_type=",
            ),
            (
                "https://op.example/auth?tenant=a&",
                "https://op.example/auth?tenant=a&response_type=",
            ),
            (
                "https://op.example/auth",
                "https://op.example/auth?response_type=",
            ),
        ];
        for (endpoint, prefix) in cases {
            let mut req = request(Flow::IdToken);
            req.authorization_endpoint = endpoint;
            let url = req.to_url().unwrap();
            assert!(url.starts_with(prefix), "{url}");
            assert_eq!(url.matches('?').count(), 1);
        }
    }

    #[test]
    fn form_encoding_round_trips() {
        let mut req = request(Flow::IdToken);
        req.redirect_uri = "http://127.0.0.1:8001/cb.html?a=b%20c&d=+/~*";
        req.client_id = "rp with space&=";
        req.state = "a+b%c é";
        req.scope = Some("profile email");
        let url = req.to_url().unwrap();
        assert!(url.contains("client_id=rp+with+space%26%3D"));
        assert!(url.contains(
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A8001%2Fcb.html%3Fa%3Db%2520c%26d%3D%2B%2F%7E*"
        ));
        assert!(url.contains("state=a%2Bb%25c+%C3%A9&"));
        let pairs = query_pairs(&url);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(get("redirect_uri").as_deref(), Some(req.redirect_uri));
        assert_eq!(get("client_id").as_deref(), Some(req.client_id));
        assert_eq!(get("state").as_deref(), Some(req.state));
        assert_eq!(get("scope").as_deref(), Some("openid profile email"));
    }

    #[test]
    fn scope_always_has_openid() {
        let cases = [
            (None, "openid"),
            (Some(""), "openid"),
            (Some("  "), "openid"),
            (Some("openid"), "openid"),
            (Some("openid profile"), "openid profile"),
            (Some("profile openid"), "profile openid"),
            (Some("profile"), "openid profile"),
            (Some("openidx"), "openid openidx"),
        ];
        for (input, expected) in cases {
            assert_eq!(scope_with_openid(input), expected, "{input:?}");
        }
    }

    #[test]
    fn request_errors() {
        let mut req = request(Flow::IdToken);
        req.authorization_endpoint = "/auth";
        assert_eq!(req.to_url(), Err(AuthorizeError::InvalidEndpoint));
        req.authorization_endpoint = "https://op.example/auth#x";
        assert_eq!(req.to_url(), Err(AuthorizeError::InvalidEndpoint));

        let mut req = request(Flow::IdToken);
        req.redirect_uri = "callback.html";
        assert_eq!(req.to_url(), Err(AuthorizeError::InvalidRedirectUri));
        req.redirect_uri = "http://127.0.0.1:8001/cb#frag";
        assert_eq!(req.to_url(), Err(AuthorizeError::InvalidRedirectUri));

        for field in 0..3 {
            let mut req = request(Flow::IdToken);
            match field {
                0 => req.client_id = "",
                1 => req.state = "",
                _ => req.nonce = "",
            }
            assert_eq!(req.to_url(), Err(AuthorizeError::MissingParameter));
        }
    }

    #[test]
    fn parse_django_implicit_callback() {
        // django-oidc-provider: session_state is hex sha256 + "." + salt.
        let ss = "3b5a0b8c9f2e4d6a1c7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678.b1e5c0ff";
        let url = "http://127.0.0.1:8001/callback.html#id_token=eyJh.eyJz.c2ln&state=st4te\
                   &session_state=3b5a0b8c9f2e4d6a1c7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678.b1e5c0ff";
        let resp = parse_callback(url, ResponseMode::Fragment).unwrap();
        assert_eq!(resp.session_state.as_deref(), Some(ss));
        assert_eq!(
            resp.verify(
                "st4te",
                ResponseType::IdToken,
                "http://127.0.0.1:8000/openid"
            ),
            Ok(SilentResult::IdToken {
                id_token: "eyJh.eyJz.c2ln",
                session_state: Some(ss)
            })
        );
        // In query mode the fragment is not read.
        let in_query = parse_callback(url, ResponseMode::Query).unwrap();
        assert_eq!(in_query, CallbackResponse::default());
    }

    #[test]
    fn parse_node_code_callback() {
        // node oidc-provider 6: session_state is base64url(sha256(...)), may carry ".salt".
        let url = "http://127.0.0.1:8001/callback.html?code=k2mY_Zr8Hq-1a&state=st4te\
                   &session_state=Xq0n3-Y_aT1eZ6r2mH0sF8gKpL4vW9cB5dN7jQ1uE2o.AbC_-d";
        let resp = parse_callback(url, ResponseMode::Query).unwrap();
        assert_eq!(
            resp.verify("st4te", ResponseType::Code, "http://127.0.0.1:3000"),
            Ok(SilentResult::Code {
                code: "k2mY_Zr8Hq-1a",
                session_state: Some("Xq0n3-Y_aT1eZ6r2mH0sF8gKpL4vW9cB5dN7jQ1uE2o.AbC_-d"),
            })
        );
    }

    #[test]
    fn session_state_kept_byte_for_byte_after_decoding() {
        // A value with form-significant characters: decoded once, never altered further.
        let resp = CallbackResponse::from_params(
            "state=s&code=c&session_state=a%2Bb%2Fc%3D%3D.s+a%2El%25t",
        )
        .unwrap();
        assert_eq!(resp.session_state.as_deref(), Some("a+b/c==.s a.l%t"));
    }

    #[test]
    fn error_callbacks_are_classified() {
        let cases: &[(&str, SilentResult<'static>)] = &[
            ("login_required", SilentResult::SignedOut),
            (
                "interaction_required",
                SilentResult::InteractionRequired("interaction_required"),
            ),
            (
                "consent_required",
                SilentResult::InteractionRequired("consent_required"),
            ),
            (
                "account_selection_required",
                SilentResult::InteractionRequired("account_selection_required"),
            ),
            ("server_error", SilentResult::Error("server_error")),
            ("invalid_request", SilentResult::Error("invalid_request")),
            ("LOGIN_REQUIRED", SilentResult::Error("LOGIN_REQUIRED")),
        ];
        for (error, expected) in cases {
            let params = [
                "error=",
                error,
                "&error_description=End-User+is+not+logged+in&state=st4te",
            ]
            .concat();
            for (mode, rt, sep) in [
                (ResponseMode::Query, ResponseType::Code, "?"),
                (ResponseMode::Fragment, ResponseType::IdToken, "#"),
            ] {
                let url = ["http://127.0.0.1:8001/callback.html", sep, &params].concat();
                let resp = parse_callback(&url, mode).unwrap();
                assert_eq!(
                    resp.error_description.as_deref(),
                    Some("End-User is not logged in")
                );
                assert_eq!(
                    resp.verify("st4te", rt, "https://op").unwrap(),
                    *expected,
                    "{error}"
                );
            }
        }
    }

    #[test]
    fn classify_table() {
        assert_eq!(classify_error("login_required"), ErrorClass::SignedOut);
        for e in [
            "interaction_required",
            "consent_required",
            "account_selection_required",
        ] {
            assert_eq!(classify_error(e), ErrorClass::InteractionRequired);
        }
        for e in [
            "",
            "access_denied",
            "temporarily_unavailable",
            "login_required ",
        ] {
            assert_eq!(classify_error(e), ErrorClass::Other);
        }
    }

    #[test]
    fn state_is_checked_before_the_error() {
        for params in [
            "error=login_required&state=other",
            "error=login_required",
            "error=login_required&state=",
            "code=abc&state=st4tf",
            "code=abc&state=st4t",
        ] {
            let resp = CallbackResponse::from_params(params).unwrap();
            assert_eq!(
                resp.verify("st4te", ResponseType::Code, "https://op"),
                Err(AuthorizeError::StateMismatch),
                "{params}"
            );
        }
    }

    #[test]
    fn iss_parameter_checked_when_present() {
        let resp = CallbackResponse::from_params("code=c&state=s&iss=https%3A%2F%2Fop").unwrap();
        assert!(resp.verify("s", ResponseType::Code, "https://op").is_ok());
        assert_eq!(
            resp.verify("s", ResponseType::Code, "https://evil"),
            Err(AuthorizeError::IssuerMismatch)
        );
    }

    #[test]
    fn missing_result_is_malformed() {
        let cases = [
            ("state=s", ResponseType::Code),
            ("state=s&code=", ResponseType::Code),
            ("state=s&id_token=x", ResponseType::Code),
            ("state=s&code=x", ResponseType::IdToken),
            ("state=s&id_token=", ResponseType::IdToken),
        ];
        for (params, rt) in cases {
            let resp = CallbackResponse::from_params(params).unwrap();
            assert_eq!(
                resp.verify("s", rt, "https://op"),
                Err(AuthorizeError::MalformedCallback)
            );
        }
    }

    #[test]
    fn malformed_params() {
        for params in [
            "state=a&state=b",
            "code=a&code=a&state=s",
            "session_state=x&session_state=y",
            "state=%ZZ",
            "state=%4",
            "code=%",
            "session_state=%C3%28",
            "st%61te=a&state=b",
        ] {
            assert_eq!(
                CallbackResponse::from_params(params),
                Err(AuthorizeError::MalformedCallback),
                "{params}"
            );
        }
    }

    #[test]
    fn tolerant_params() {
        let resp =
            CallbackResponse::from_params("#&&state=s&&foo&bar=%ZZ&%ZZ=1&code=c&x=").unwrap();
        assert_eq!(resp.state.as_deref(), Some("s"));
        assert_eq!(resp.code.as_deref(), Some("c"));
        let resp = CallbackResponse::from_params("?state").unwrap();
        assert_eq!(resp.state.as_deref(), Some(""));
        assert_eq!(
            CallbackResponse::from_params("").unwrap(),
            CallbackResponse::default()
        );
        // '#' before '?' means there is no query.
        let resp = parse_callback("https://rp/cb#a?state=s", ResponseMode::Query).unwrap();
        assert_eq!(resp.state, None);
        let resp = parse_callback("https://rp/cb?x=1#state=s", ResponseMode::Fragment).unwrap();
        assert_eq!(resp.state.as_deref(), Some("s"));
    }

    #[test]
    fn debug_redacts_secrets() {
        let resp = CallbackResponse::from_params(
            "state=STATEVAL&code=CODEVAL&id_token=TOKENVAL&session_state=SSVAL&error=server_error",
        )
        .unwrap();
        let shown = format!("{resp:?}");
        for secret in ["STATEVAL", "CODEVAL", "TOKENVAL", "SSVAL"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("server_error"));
        let ok = SilentResult::Code {
            code: "CODEVAL",
            session_state: Some("SSVAL"),
        };
        let shown = format!("{ok:?}");
        assert!(!shown.contains("CODEVAL") && !shown.contains("SSVAL"));
    }

    #[test]
    fn secret_comparisons() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(check_state("s", Some("s")));
        assert!(!check_state("s", None));
        assert!(!check_state("", Some("")));
        assert!(check_nonce("n-0S6_WzA2Mj", Some("n-0S6_WzA2Mj")));
        assert!(!check_nonce("n-0S6_WzA2Mj", Some("n-0S6_WzA2Mk")));
        assert!(!check_nonce("n", None));
    }

    #[test]
    fn random_value_is_43_url_safe_chars() {
        let v = random_value(&[0xff; 32]);
        assert_eq!(v.len(), 43);
        assert!(v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(random_value(&[0; 32]), random_value(&[1; 32]));
    }

    #[test]
    fn error_codes_and_messages() {
        let all = [
            (AuthorizeError::InvalidEndpoint, "invalid_endpoint"),
            (AuthorizeError::InvalidRedirectUri, "invalid_redirect_uri"),
            (AuthorizeError::MissingParameter, "missing_parameter"),
            (AuthorizeError::MalformedCallback, "invalid_callback"),
            (AuthorizeError::StateMismatch, "state_mismatch"),
            (AuthorizeError::IssuerMismatch, "iss_mismatch"),
        ];
        for (err, code) in all {
            assert_eq!(err.code().as_str(), code);
            assert!(!err.message().is_empty());
        }
    }
}
