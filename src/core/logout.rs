//! Logout, in plain Rust: the RP-Initiated Logout 1.0 URL and its post-logout `state`, the names
//! the front-channel logout page shares with the monitor, and how to read the RP server's session
//! answer.
//!
//! # Security
//! - The end-session URL carries `id_token_hint` (it goes only into the top-level navigation to
//!   the OP) and never the `session_state`.
//! - The post-logout `state` is compared in constant time.
//! - The front-channel page (`npm/frontchannel-logout.js`, plain JavaScript) acts only when its
//!   `iss` *and* `sid` equal the session this origin holds (the `sid` kept under [`sid_key`]),
//!   compared in constant time; anything else is ignored, so a forged request signs no one out.

use super::authorize::{constant_time_eq, form_params, QueryWriter};
use super::discovery::is_http_url;
use super::error_code::ErrorCode;

/// Why a session ended (`signedOut` and `stopped` events, `e.detail.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOutReason {
    /// The OP iframe said `changed` and the `prompt=none` re-authentication said `login_required`.
    OpIframe,
    /// The page called `monitor.logout()` (in this tab or another tab of the origin).
    RpInitiated,
    /// The OP loaded the RP's front-channel logout page with this session's `iss` and `sid`.
    Frontchannel,
    /// The RP's own server said the session is over (`rpSession`: 401, 403 or `{"active": false}`),
    /// e.g. after it received a back-channel logout.
    RpSession,
}

impl SignOutReason {
    /// Every reason, for lists that must agree (TypeScript, README).
    pub const ALL: [SignOutReason; 4] = [
        SignOutReason::OpIframe,
        SignOutReason::RpInitiated,
        SignOutReason::Frontchannel,
        SignOutReason::RpSession,
    ];

    /// Stable name for JavaScript.
    pub fn as_str(self) -> &'static str {
        match self {
            SignOutReason::OpIframe => "op_iframe",
            SignOutReason::RpInitiated => "rp_initiated",
            SignOutReason::Frontchannel => "frontchannel",
            SignOutReason::RpSession => "rp_session",
        }
    }

    /// The reason named by [`as_str`](Self::as_str), e.g. in a message from another tab.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// An RP-Initiated Logout 1.0 request: the URL the top-level window navigates to.
///
/// Its `Debug` form leaves out the ID token hint, the `state` and the logout hint.
#[derive(Clone, Copy)]
pub struct EndSessionRequest<'a> {
    /// The OP's `end_session_endpoint`; it may already carry a query, which is kept.
    pub end_session_endpoint: &'a str,
    /// The RP's client identifier at the OP.
    pub client_id: &'a str,
    /// The last ID token, so the OP knows whose session to end; empty counts as absent.
    pub id_token_hint: Option<&'a str>,
    /// Where the OP sends the browser afterwards (registered at the OP).
    pub post_logout_redirect_uri: &'a str,
    /// Echoed back to the post-logout page, which checks it ([`verify_post_logout`]).
    pub state: &'a str,
    /// `logout_hint`: which user to log out, when the OP supports it; empty counts as absent.
    pub logout_hint: Option<&'a str>,
    /// `ui_locales`: preferred languages of the OP's logout pages; empty counts as absent.
    pub ui_locales: Option<&'a str>,
}

impl core::fmt::Debug for EndSessionRequest<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EndSessionRequest")
            .field("end_session_endpoint", &self.end_session_endpoint)
            .field("client_id", &self.client_id)
            .field("post_logout_redirect_uri", &self.post_logout_redirect_uri)
            .finish_non_exhaustive()
    }
}

impl EndSessionRequest<'_> {
    /// The endpoint plus `client_id`, `post_logout_redirect_uri`, `state`, and `id_token_hint`,
    /// `logout_hint`, `ui_locales` when given, form-encoded.
    ///
    /// # Errors
    /// - [`LogoutError::InvalidEndpoint`]: the endpoint is not an absolute `http(s)` URL without a
    ///   fragment;
    /// - [`LogoutError::InvalidRedirectUri`]: same rule for `post_logout_redirect_uri`;
    /// - [`LogoutError::MissingParameter`]: `client_id` or `state` is empty.
    pub fn to_url(&self) -> Result<String, LogoutError> {
        if !is_http_url(self.end_session_endpoint) {
            return Err(LogoutError::InvalidEndpoint);
        }
        if !is_http_url(self.post_logout_redirect_uri) {
            return Err(LogoutError::InvalidRedirectUri);
        }
        if self.client_id.is_empty() || self.state.is_empty() {
            return Err(LogoutError::MissingParameter);
        }
        let mut query = QueryWriter::new(self.end_session_endpoint);
        query.param("client_id", self.client_id);
        if let Some(hint) = self.id_token_hint.filter(|h| !h.is_empty()) {
            query.param("id_token_hint", hint);
        }
        query.param("post_logout_redirect_uri", self.post_logout_redirect_uri);
        query.param("state", self.state);
        for (name, value) in [
            ("logout_hint", self.logout_hint),
            ("ui_locales", self.ui_locales),
        ] {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                query.param(name, value);
            }
        }
        Ok(query.finish())
    }
}

/// The value of parameter `name` in `params` (`location.search` or `location.hash`, one leading
/// `?`/`#` skipped), form-decoded.
///
/// # Errors
/// [`BadQuery`] when the parameter appears twice or is badly encoded: such a request is not acted
/// on.
pub fn query_param(params: &str, name: &str) -> Result<Option<String>, BadQuery> {
    let mut found = [None];
    if !form_params(params, &[name], &mut found) {
        return Err(BadQuery);
    }
    let [found] = found;
    Ok(found)
}

/// A parameter appears twice or has a bad `%` escape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadQuery;

/// What the post-logout page learns from its URL ([`verify_post_logout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostLogout {
    /// The OP sent back the `state` this tab sent: the logout this tab started came back.
    Verified,
    /// This tab started no logout (nothing stored): the page was opened some other way.
    NoRequest,
    /// A logout was started, but the `state` in the URL is missing, repeated or different.
    StateMismatch,
}

impl PostLogout {
    /// Stable name for JavaScript: `verified`, `no_request`, `logout_state_mismatch`.
    pub fn as_str(self) -> &'static str {
        match self {
            PostLogout::Verified => "verified",
            PostLogout::NoRequest => "no_request",
            PostLogout::StateMismatch => "logout_state_mismatch",
        }
    }
}

/// Checks the post-logout page's query against the `state` stored when the logout started
/// (constant-time comparison). An empty stored value counts as none.
pub fn verify_post_logout(query: &str, stored_state: Option<&str>) -> PostLogout {
    let Some(expected) = stored_state.filter(|s| !s.is_empty()) else {
        return PostLogout::NoRequest;
    };
    match query_param(query, "state") {
        Ok(Some(received)) if constant_time_eq(expected.as_bytes(), received.as_bytes()) => {
            PostLogout::Verified
        }
        _ => PostLogout::StateMismatch,
    }
}

/// Prefix of the `localStorage` key under which the monitor keeps the OP session id (`sid`) of the
/// session this origin holds, per issuer: the front-channel logout page compares against it.
pub const SID_KEY_PREFIX: &str = "oidc-session-monitor:sid ";

/// The `BroadcastChannel` every monitor of the origin listens on for the end of the session.
pub const CHANNEL_NAME: &str = "oidc-session-monitor:logout";

/// The `type` of a message on [`CHANNEL_NAME`]; its `reason` is a [`SignOutReason`] name.
pub const SIGNED_OUT_MESSAGE: &str = "oidc-session-monitor:signed-out";

/// The `localStorage` key for the `sid` of `issuer`'s session ([`SID_KEY_PREFIX`] + issuer).
pub fn sid_key(issuer: &str) -> String {
    let mut key = String::with_capacity(SID_KEY_PREFIX.len() + issuer.len());
    key.push_str(SID_KEY_PREFIX);
    key.push_str(issuer);
    key
}

/// What the RP's server said about the session (`rpSession`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpSessionAnswer {
    /// `200` with `{"active": true}`: the session is alive.
    Active,
    /// `401`, `403`, or `200` with `{"active": false}`: the session is over.
    Ended,
    /// A network failure, a timeout, another status, or a `200` without a boolean `active`:
    /// nothing is known, so nothing ends.
    Unavailable,
}

impl RpSessionAnswer {
    /// Classifies a response: `status` is the HTTP status (`None` for a network failure), `active`
    /// the JSON body's `active` member when it is a boolean.
    ///
    /// Only an explicit answer ends the session; anything unclear is [`Unavailable`](Self::Unavailable)
    /// (a false logout is worse than a late one).
    pub fn classify(status: Option<u16>, active: Option<bool>) -> Self {
        match (status, active) {
            (Some(401 | 403), _) => RpSessionAnswer::Ended,
            (Some(200), Some(true)) => RpSessionAnswer::Active,
            (Some(200), Some(false)) => RpSessionAnswer::Ended,
            _ => RpSessionAnswer::Unavailable,
        }
    }
}

/// What can go wrong building the end-session URL.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoutError {
    /// The end-session endpoint is not an absolute `http(s)` URL without a fragment.
    InvalidEndpoint,
    /// `postLogoutRedirectUri` is not an absolute `http(s)` URL without a fragment.
    InvalidRedirectUri,
    /// `client_id` or `state` is empty.
    MissingParameter,
}

impl LogoutError {
    /// A stable code that JavaScript can branch on.
    pub fn code(self) -> ErrorCode {
        match self {
            LogoutError::InvalidEndpoint => ErrorCode::InvalidEndpoint,
            LogoutError::InvalidRedirectUri => ErrorCode::InvalidRedirectUri,
            LogoutError::MissingParameter => ErrorCode::MissingParameter,
        }
    }

    /// A readable explanation, in English.
    pub fn message(self) -> &'static str {
        match self {
            LogoutError::InvalidEndpoint => {
                "the end-session endpoint is not an absolute http(s) URL without a fragment"
            }
            LogoutError::InvalidRedirectUri => {
                "postLogoutRedirectUri is not an absolute http(s) URL without a fragment"
            }
            LogoutError::MissingParameter => "client_id and state must not be empty",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(endpoint: &'a str, hint: Option<&'a str>) -> EndSessionRequest<'a> {
        EndSessionRequest {
            end_session_endpoint: endpoint,
            client_id: "session rp",
            id_token_hint: hint,
            post_logout_redirect_uri: "http://127.0.0.1:8001/logged-out.html?x=1",
            state: "st&te",
            logout_hint: None,
            ui_locales: None,
        }
    }

    #[test]
    fn end_session_url_is_form_encoded_and_keeps_the_endpoint_query() {
        assert_eq!(
            request("https://op.example/session/end", Some("h.e.y")).to_url(),
            Ok(
                "https://op.example/session/end?client_id=session+rp&id_token_hint=h.e.y\
                &post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8001%2Flogged-out.html%3Fx%3D1\
                &state=st%26te"
                    .into()
            )
        );
        let url = EndSessionRequest {
            logout_hint: Some("alice@example"),
            ui_locales: Some("fr de"),
            ..request("https://op.example/end?tenant=a", Some(""))
        }
        .to_url()
        .unwrap();
        assert!(url.starts_with("https://op.example/end?tenant=a&client_id="));
        assert!(
            !url.contains("id_token_hint"),
            "empty hint counts as absent"
        );
        assert!(url.ends_with("&logout_hint=alice%40example&ui_locales=fr+de"));
    }

    #[test]
    fn end_session_url_refuses_bad_input() {
        assert_eq!(
            request("javascript:alert(1)", None).to_url(),
            Err(LogoutError::InvalidEndpoint)
        );
        assert_eq!(
            request("https://op.example/end#frag", None).to_url(),
            Err(LogoutError::InvalidEndpoint)
        );
        let bad_redirect = EndSessionRequest {
            post_logout_redirect_uri: "/relative",
            ..request("https://op.example/end", None)
        };
        assert_eq!(bad_redirect.to_url(), Err(LogoutError::InvalidRedirectUri));
        let no_state = EndSessionRequest {
            state: "",
            ..request("https://op.example/end", None)
        };
        assert_eq!(no_state.to_url(), Err(LogoutError::MissingParameter));
    }

    #[test]
    fn post_logout_state_is_verified() {
        assert_eq!(
            verify_post_logout("?state=abc%2B1&x=y", Some("abc+1")),
            PostLogout::Verified
        );
        assert_eq!(
            verify_post_logout("?state=abc", Some("abd")),
            PostLogout::StateMismatch
        );
        assert_eq!(
            verify_post_logout("?x=1", Some("abc")),
            PostLogout::StateMismatch
        );
        assert_eq!(
            verify_post_logout("?state=abc&state=abc", Some("abc")),
            PostLogout::StateMismatch,
            "a repeated state is refused"
        );
        assert_eq!(
            verify_post_logout("?state=abc", None),
            PostLogout::NoRequest
        );
        assert_eq!(
            verify_post_logout("?state=", Some("")),
            PostLogout::NoRequest
        );
    }

    /// The front-channel page is plain JavaScript (it must finish before the OP's page navigates
    /// away on its `load`): it must use the monitor's names, byte for byte.
    #[test]
    fn the_frontchannel_page_uses_the_monitors_names() {
        let page = include_str!("../../npm/frontchannel-logout.js");
        for (name, value) in [
            ("SID_KEY_PREFIX", SID_KEY_PREFIX),
            ("CHANNEL_NAME", CHANNEL_NAME),
            ("SIGNED_OUT_MESSAGE", SIGNED_OUT_MESSAGE),
        ] {
            let line = [name, " = '", value, "';"].concat();
            assert!(
                page.contains(&line),
                "{line} missing from frontchannel-logout.js"
            );
        }
        let reason = ["reason: '", SignOutReason::Frontchannel.as_str(), "'"].concat();
        assert!(page.contains(&reason));
        assert_eq!(sid_key("https://op"), "oidc-session-monitor:sid https://op");
    }

    #[test]
    fn only_explicit_rp_answers_end_the_session() {
        use RpSessionAnswer::*;
        assert_eq!(RpSessionAnswer::classify(Some(200), Some(true)), Active);
        assert_eq!(RpSessionAnswer::classify(Some(200), Some(false)), Ended);
        assert_eq!(RpSessionAnswer::classify(Some(401), None), Ended);
        assert_eq!(RpSessionAnswer::classify(Some(403), Some(true)), Ended);
        for (status, active) in [
            (None, None),
            (Some(200), None),
            (Some(204), Some(false)),
            (Some(500), Some(false)),
            (Some(404), None),
            (Some(302), None),
        ] {
            assert_eq!(RpSessionAnswer::classify(status, active), Unavailable);
        }
    }

    #[test]
    fn reasons_round_trip() {
        for r in SignOutReason::ALL {
            assert_eq!(SignOutReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(SignOutReason::parse("signed_out"), None);
    }
}
