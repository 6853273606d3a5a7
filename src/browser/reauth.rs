//! `prompt=none` re-authentication in the page: the host's hook, or the built-in silent iframe
//! (authorization request with `state`, `nonce` and PKCE S256, the package's silent-callback page,
//! then the token exchange or the fragment's ID token).

use js_sys::{Function, Object, Promise};
use wasm_bindgen::JsValue;
use web_sys::{HtmlIFrameElement, RequestInit};

use crate::browser::iframe::{attach, hidden_iframe, listen_to_frame};
use crate::browser::js::{get_string, set};
use crate::browser::listener::Listener;
use crate::browser::source::Source;
use crate::core::authorize::{
    classify_error, form_encode_into, parse_callback, random_value, AuthorizeRequest, ErrorClass,
    Flow, ResponseType, SilentResult, RANDOM_VALUE_BYTES,
};
use crate::core::claims::{decode_payload_str, ClaimsError, IdTokenClaims};
use crate::core::discovery::Endpoints;
use crate::core::error_code::ErrorCode;
use crate::core::machine::{MonitorError, ReauthOutcome};
use crate::core::pkce::{CodeVerifier, VERIFIER_RANDOM_BYTES};
use crate::core::types::SessionState;

/// The `type` of the message the silent-callback page posts to its parent.
pub const CALLBACK_MESSAGE_TYPE: &str = "oidc-session-monitor:silent-callback";

/// Options of the built-in silent re-authentication.
#[derive(Debug, Clone)]
pub struct SilentOptions {
    /// The silent-callback page's URL, registered at the OP as a redirect URI.
    pub redirect_uri: String,
    /// `code` (with PKCE) or `id_token`.
    pub response_type: ResponseType,
    /// Scopes; `openid` by default.
    pub scope: Option<String>,
    /// Where the page keeps a previous ID token, sent as `id_token_hint`.
    pub id_token_hint: Option<Source>,
}

/// How this monitor re-authenticates on `changed`.
#[derive(Debug, Clone)]
pub enum ReauthMethod {
    /// The host's `reauthenticate({ clientId, reason })` hook.
    Hook(Function),
    /// The built-in hidden iframe.
    Silent(SilentOptions),
}

fn failed(code: ErrorCode, message: &'static str) -> ReauthOutcome {
    ReauthOutcome::Failed(MonitorError::Reauth { code, message })
}

fn interaction_code(error: &str) -> &'static str {
    match error {
        "consent_required" => "consent_required",
        "account_selection_required" => "account_selection_required",
        _ => "interaction_required",
    }
}

fn outcome_of_error(error: &str) -> ReauthOutcome {
    match classify_error(error) {
        ErrorClass::SignedOut => ReauthOutcome::SignedOut,
        ErrorClass::InteractionRequired => {
            ReauthOutcome::InteractionRequired(interaction_code(error))
        }
        ErrorClass::Other => failed(
            ErrorCode::ReauthFailed,
            "the OP answered the prompt=none request with an error",
        ),
    }
}

/// Calls the host's hook: the promise of what it returns, or the outcome when it throws
/// (`reauth_failed`, never a crash). The re-authentication task awaits the promise and reads it
/// with [`hook_outcome`] (no `async fn` of its own: one state machine less).
pub fn call_hook(hook: &Function, client_id: String) -> Result<Promise, ReauthOutcome> {
    let arg = Object::new();
    set(&arg, "clientId", client_id);
    set(&arg, "reason", "changed");
    match hook.call1(&JsValue::NULL, &arg) {
        Ok(returned) => Ok(Promise::resolve(&returned)),
        Err(_) => Err(failed(
            ErrorCode::ReauthFailed,
            "the reauthenticate hook threw",
        )),
    }
}

/// Reads what the hook's promise settled with: `{ sessionState, sub, sid? }` or `{ error }`. A
/// rejected promise is an outcome (`reauth_failed`).
pub fn hook_outcome(settled: Result<JsValue, JsValue>) -> ReauthOutcome {
    let Ok(result) = settled else {
        return failed(ErrorCode::ReauthFailed, "the reauthenticate hook rejected");
    };
    if !result.is_object() {
        return failed(
            ErrorCode::ReauthInvalidResult,
            "the reauthenticate hook must return an object",
        );
    }
    if let Some(error) = get_string(&result, "error") {
        return outcome_of_error(&error);
    }
    let state = get_string(&result, "sessionState").and_then(|s| SessionState::new(s).ok());
    match (state, get_string(&result, "sub").filter(|s| !s.is_empty())) {
        (Some(session_state), Some(sub)) => ReauthOutcome::Renewed {
            session_state,
            sub,
            sid: get_string(&result, "sid"),
        },
        _ => failed(
            ErrorCode::ReauthInvalidResult,
            "the reauthenticate hook must return { sessionState, sub } or { error }",
        ),
    }
}

/// `N` bytes from `crypto.getRandomValues`, or `None` when it is unavailable.
pub(crate) fn random<const N: usize>() -> Option<[u8; N]> {
    let crypto: web_sys::Crypto = crate::browser::js::window_object("crypto")?;
    let mut bytes = [0u8; N];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(bytes)
}

/// The hidden iframe of one silent attempt and its `message` listener. Dropping it removes both
/// and rejects the pending wait, so an abandoned attempt leaves nothing behind.
#[must_use = "the silent iframe is removed as soon as this value is dropped"]
#[derive(Debug)]
pub struct SilentFrame {
    iframe: HtmlIFrameElement,
    reject: Function,
    _on_message: Listener,
}

impl Drop for SilentFrame {
    fn drop(&mut self) {
        // `call1` as elsewhere: one `call` import less.
        let _ = self.reject.call1(&JsValue::NULL, &JsValue::UNDEFINED);
        self.iframe.remove();
    }
}

/// Opens the silent iframe at `url`; the promise resolves with the callback URL that the
/// silent-callback page posts from this very iframe, on this page's own origin.
fn open_frame(url: &str) -> Option<(SilentFrame, Promise)> {
    let window = crate::browser::js::window()?;
    let document = window.document()?;
    let own_origin = crate::browser::js::page_origin()?;
    let iframe = hidden_iframe(&document, "OpenID Provider silent re-authentication")?;
    // The authorization request and the callback's URL carry state, code and session_state: no
    // Referer from this frame.
    let _ = iframe.set_attribute("referrerpolicy", "no-referrer");
    let frame = iframe.clone();
    let (promise, resolve, reject) = crate::browser::js::deferred()?;
    // The silent-callback page runs on our own origin, inside this very iframe.
    let on_data = move |data: JsValue| {
        if get_string(&data, "type").as_deref() != Some(CALLBACK_MESSAGE_TYPE) {
            return;
        }
        if let Some(url) = get_string(&data, "url") {
            let _ = resolve.call1(&JsValue::NULL, &url.into());
            // Read: the page holding the code and session_state in its URL goes now, not when
            // the token exchange ends.
            frame.remove();
        }
    };
    let on_message = listen_to_frame(&window, &iframe, &own_origin, Box::new(on_data));
    set(&iframe, "src", url);
    attach(&document, &iframe)?;
    Some((
        SilentFrame {
            iframe,
            reject,
            _on_message: on_message,
        },
        promise,
    ))
}

/// One silent attempt under way: what was sent, and what is needed to check the answer. Its
/// `Debug` form leaves out `state`, `nonce` and the verifier.
pub struct Attempt {
    /// Resolves with the callback URL; rejects when the [`SilentFrame`] is dropped.
    callback: Promise,
    /// The request's `state`.
    state: String,
    /// The request's `nonce`.
    nonce: String,
    /// The PKCE verifier, for `code`.
    verifier: Option<CodeVerifier>,
    /// What checking the answer needs of the options and of the endpoints (not all of them:
    /// no copy of the rest per attempt).
    response_type: ResponseType,
    redirect_uri: String,
    issuer: String,
    token_endpoint: Option<String>,
    client_id: String,
    /// The `sub` of the ID token hint sent with this attempt: the user the page expects.
    pub hint_sub: Option<String>,
}

impl std::fmt::Debug for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attempt")
            .field("response_type", &self.response_type)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// Builds the request and opens the iframe. Keep the returned frame alive until the attempt
/// ends (dropping it cancels the attempt), and await [`Attempt::callback`].
pub fn prepare(
    opts: &SilentOptions,
    ep: &Endpoints,
    client_id: String,
) -> Result<(SilentFrame, Attempt), ReauthOutcome> {
    const NO_RANDOM: (ErrorCode, &str) = (
        ErrorCode::CryptoUnavailable,
        "crypto.getRandomValues is unavailable",
    );
    let (a, b, c) = (
        random::<RANDOM_VALUE_BYTES>(),
        random::<RANDOM_VALUE_BYTES>(),
        random::<VERIFIER_RANDOM_BYTES>(),
    );
    let (Some(a), Some(b), Some(c)) = (a, b, c) else {
        return Err(failed(NO_RANDOM.0, NO_RANDOM.1));
    };
    let (state, nonce) = (random_value(&a), random_value(&b));
    let verifier =
        (opts.response_type == ResponseType::Code).then(|| CodeVerifier::from_random_bytes(&c));
    let hint = opts
        .id_token_hint
        .as_ref()
        .and_then(|s| s.read_raw().ok().flatten());
    let hint_sub = hint
        .as_deref()
        .and_then(|t| parse_claims(t).ok())
        .map(|c| c.sub)
        .filter(|sub| !sub.is_empty());
    let flow = match &verifier {
        Some(verifier) => Flow::Code { verifier },
        None => Flow::IdToken,
    };
    let request = AuthorizeRequest {
        authorization_endpoint: &ep.authorization_endpoint,
        flow,
        client_id: &client_id,
        redirect_uri: &opts.redirect_uri,
        scope: opts.scope.as_deref(),
        state: &state,
        nonce: &nonce,
        id_token_hint: hint.as_deref(),
    };
    let url = request
        .to_url()
        .map_err(|e| failed(e.code(), e.message()))?;
    let (frame, callback) = open_frame(&url)
        .ok_or_else(|| failed(ErrorCode::ReauthFailed, "could not add the silent iframe"))?;
    Ok((
        frame,
        Attempt {
            callback,
            state,
            nonce,
            verifier,
            response_type: opts.response_type,
            redirect_uri: opts.redirect_uri.clone(),
            issuer: ep.issuer.clone(),
            token_endpoint: ep.token_endpoint.clone(),
            client_id,
            hint_sub,
        },
    ))
}

/// What the silent-callback page's URL says, checked: the outcome, or the ID token (and the
/// session_state) to check with [`Attempt::renewed`], or a token request under way (`fetch`'s
/// promise, for [`id_token_of`]).
#[derive(Debug)]
pub enum Answer {
    /// Known already.
    Done(ReauthOutcome),
    /// The ID token came with the redirect.
    IdToken(String, Option<String>),
    /// The code is being exchanged.
    Exchange(Promise, Option<String>),
}

impl Attempt {
    /// The promise of the callback URL: resolves when the silent-callback page posts it, rejects
    /// when the [`SilentFrame`] is dropped.
    pub fn callback(&self) -> Promise {
        self.callback.clone()
    }

    /// Reads what [`Attempt::callback`] settled with. The re-authentication task awaits both
    /// promises itself (no `async fn` here: one state machine less).
    pub fn answer(&self, settled: Result<JsValue, JsValue>) -> Answer {
        let Ok(url) = settled else {
            return Answer::Done(failed(
                ErrorCode::ReauthCancelled,
                "the re-authentication was cancelled",
            ));
        };
        let url = url.as_string().unwrap_or_default();
        let callback = match parse_callback(&url, self.response_type.response_mode()) {
            Ok(c) => c,
            Err(e) => return Answer::Done(failed(e.code(), e.message())),
        };
        let result = match callback.verify(&self.state, self.response_type, &self.issuer) {
            Ok(r) => r,
            Err(e) => return Answer::Done(failed(e.code(), e.message())),
        };
        match result {
            SilentResult::SignedOut => Answer::Done(ReauthOutcome::SignedOut),
            SilentResult::InteractionRequired(e) | SilentResult::Error(e) => {
                Answer::Done(outcome_of_error(e))
            }
            SilentResult::IdToken {
                id_token,
                session_state,
            } => Answer::IdToken(id_token.to_owned(), session_state.map(str::to_owned)),
            SilentResult::Code {
                code,
                session_state,
            } => {
                let Some(verifier) = &self.verifier else {
                    return Answer::Done(failed(
                        ErrorCode::ReauthFailed,
                        "no PKCE verifier for the code flow",
                    ));
                };
                let token_endpoint = self.token_endpoint.as_deref();
                let (redirect_uri, client_id) = (&self.redirect_uri, &self.client_id);
                match token_request(token_endpoint, code, verifier, redirect_uri, client_id) {
                    Ok(request) => Answer::Exchange(request, session_state.map(str::to_owned)),
                    Err(outcome) => Answer::Done(outcome),
                }
            }
        }
    }

    /// The outcome of an ID token and the session_state that came with the answer.
    pub fn renewed(&self, id_token: &str, session_state: Option<String>) -> ReauthOutcome {
        let Some(session_state) = session_state.and_then(|s| SessionState::new(s).ok()) else {
            return failed(
                ErrorCode::NoSessionStateInResponse,
                "the OP's response carries no session_state",
            );
        };
        match verified_claims(id_token, &self.issuer, &self.client_id, &self.nonce) {
            Ok(claims) => ReauthOutcome::Renewed {
                session_state,
                sub: claims.sub,
                sid: claims.sid,
            },
            Err(outcome) => outcome,
        }
    }
}

/// An attempt, started: the host's hook to call, the silent iframe's answer to wait for, or an
/// outcome known at once.
#[derive(Debug)]
pub enum Pending {
    /// The `reauthenticate` hook and the client id it is given.
    Hook(Function, String),
    /// The silent iframe is open.
    Silent(Attempt),
    /// Failed before anything was sent.
    Done(ReauthOutcome),
}

/// Decodes and checks the ID token's claims (iss, aud/azp, nonce, exp). The signature is not
/// verified: the token comes straight from the OP (token endpoint over TLS, or the OP's redirect).
pub fn verified_claims(
    id_token: &str,
    issuer: &str,
    client_id: &str,
    nonce: &str,
) -> Result<IdTokenClaims, ReauthOutcome> {
    let claims = parse_claims(id_token).map_err(|e| failed(e.code(), e.message()))?;
    let now = (js_sys::Date::now() / 1000.0) as u64;
    claims
        .validate(issuer, client_id, Some(nonce), now)
        .map_err(|e| failed(e.code(), e.message()))?;
    Ok(claims)
}

/// The claims of an ID token, without checks (for `id_token_hint`'s `sub`).
pub fn parse_claims(id_token: &str) -> Result<IdTokenClaims, ClaimsError> {
    let value = payload(id_token).ok_or(ClaimsError::Malformed)?;
    crate::browser::json::from_value(value).map_err(|_| ClaimsError::Malformed)
}

/// A JWT's payload as `JSON.parse` gives it, unchecked: the one reader of an ID token's claims
/// ([`parse_claims`] deserialises them, the logout glue reads `iss` and `sid`).
pub fn payload(jwt: &str) -> Option<JsValue> {
    js_sys::JSON::parse(&decode_payload_str(jwt).ok()?).ok()
}

/// The token request failed, or its answer has no ID token.
const NO_ID_TOKEN: (ErrorCode, &str) = (
    ErrorCode::TokenExchangeFailed,
    "the token endpoint did not return an ID token",
);

/// Sends the token request of the code flow: `fetch`'s promise, for [`id_token_of`].
fn token_request(
    token_endpoint: Option<&str>,
    code: &str,
    verifier: &CodeVerifier,
    redirect_uri: &str,
    client_id: &str,
) -> Result<Promise, ReauthOutcome> {
    let token_endpoint = token_endpoint.ok_or_else(|| {
        failed(
            ErrorCode::NoTokenEndpoint,
            "the OP has no token_endpoint for the code flow",
        )
    })?;
    let mut body = String::from("grant_type=authorization_code&code=");
    form_encode_into(&mut body, code);
    body.push_str("&redirect_uri=");
    form_encode_into(&mut body, redirect_uri);
    body.push_str("&client_id=");
    form_encode_into(&mut body, client_id);
    body.push_str("&code_verifier=");
    form_encode_into(&mut body, verifier.secret());
    let init = RequestInit::new();
    // Reflect.set, which the glue has anyway, rather than one setter import each; the headers as
    // a plain object (no `Request`, `headers` or `Headers.set` imports).
    set(&init, "method", "POST");
    set(&init, "body", body);
    let headers = Object::new();
    set(
        &headers,
        "content-type",
        "application/x-www-form-urlencoded",
    );
    set(&init, "headers", headers);
    let window =
        crate::browser::js::window().ok_or_else(|| failed(NO_ID_TOKEN.0, NO_ID_TOKEN.1))?;
    Ok(window.fetch_with_str_and_init(token_endpoint, &init))
}

/// The ID token of the token endpoint's JSON answer, or the outcome it means.
pub fn id_token_of(json: Option<JsValue>) -> Result<String, ReauthOutcome> {
    let json = json.ok_or_else(|| failed(NO_ID_TOKEN.0, NO_ID_TOKEN.1))?;
    if let Some(error) = get_string(&json, "error") {
        return Err(outcome_of_error(&error));
    }
    get_string(&json, "id_token").ok_or_else(|| failed(NO_ID_TOKEN.0, NO_ID_TOKEN.1))
}
