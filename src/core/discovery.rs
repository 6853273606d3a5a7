//! OpenID Connect Discovery 1.0: where to fetch the OP's metadata, and what to accept from it.
//!
//! The browser layer fetches [`discovery_url`] and turns the JSON into a [`ProviderMetadata`] (with
//! `JSON.parse` + serde); [`ProviderMetadata::validate`] then decides whether the monitor can use it.

use crate::core::error_code::ErrorCode;
use crate::core::text;
use core::fmt;

use crate::core::types::CheckSessionUrl;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// The path appended to the issuer to find its metadata (OpenID Connect Discovery §4).
pub const WELL_KNOWN_PATH: &str = "/.well-known/openid-configuration";

/// The discovery document URL for `issuer`: the issuer without one trailing `/`, plus
/// `/.well-known/openid-configuration`.
///
/// `https://op.example/openid/` and `https://op.example/openid` both give
/// `https://op.example/openid/.well-known/openid-configuration`. The issuer is not otherwise checked
/// here: a bad one fails at fetch time, and [`ProviderMetadata::validate`] compares it exactly.
pub fn discovery_url(issuer: &str) -> String {
    let base = issuer.strip_suffix("/").unwrap_or(issuer);
    let mut url = String::with_capacity(base.len() + WELL_KNOWN_PATH.len());
    url.push_str(base);
    url.push_str(WELL_KNOWN_PATH);
    url
}

/// The parts of an OP's discovery document the monitor uses, as the OP sent them.
///
/// Other fields in the document are ignored. Build it with serde from the parsed JSON, then call
/// [`validate`](Self::validate) before using anything in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderMetadata {
    /// The OP's issuer identifier, e.g. `https://op.example/openid`.
    pub issuer: String,
    /// URL of the OP's check-session iframe (Session Management 1.0); absent if not supported.
    pub check_session_iframe: Option<String>,
    /// URL of the authorization endpoint, used for `prompt=none` re-authentication.
    pub authorization_endpoint: String,
    /// URL of the token endpoint, needed for the code flow.
    pub token_endpoint: Option<String>,
    /// URL of the RP-initiated logout endpoint, if the OP has one.
    pub end_session_endpoint: Option<String>,
}

/// The members read, in the order [`ProviderMetadata`]'s `Deserialize` reads them by index.
const MEMBERS: [&str; 5] = [
    "issuer",
    "check_session_iframe",
    "authorization_endpoint",
    "token_endpoint",
    "end_session_endpoint",
];

/// `issuer` and `authorization_endpoint` are required; the others may be absent or `null`. Other
/// members are ignored; a member given twice is an error.
impl<'de> Deserialize<'de> for ProviderMetadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Metadata;
        impl<'de> Visitor<'de> for Metadata {
            type Value = ProviderMetadata;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OpenID Provider's metadata")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ProviderMetadata, A::Error> {
                let mut m = ProviderMetadata {
                    issuer: String::new(),
                    check_session_iframe: None,
                    authorization_endpoint: String::new(),
                    token_endpoint: None,
                    end_session_endpoint: None,
                };
                let seen = crate::core::members::read(&mut map, &MEMBERS, &mut |i, map| {
                    match i {
                        0 => m.issuer = map.next_value()?,
                        1 => m.check_session_iframe = map.next_value()?,
                        2 => m.authorization_endpoint = map.next_value()?,
                        3 => m.token_endpoint = map.next_value()?,
                        _ => m.end_session_endpoint = map.next_value()?,
                    }
                    Ok(())
                })?;
                crate::core::members::require(seen, 0b101, &MEMBERS)?;
                Ok(m)
            }
        }
        deserializer.deserialize_struct("ProviderMetadata", &MEMBERS, Metadata)
    }
}

impl ProviderMetadata {
    /// Checks the document against the issuer the page was configured with.
    ///
    /// - `issuer` must equal `expected_issuer` exactly, byte for byte (Discovery §4.3: no trailing
    ///   slash or case folding), so a document cannot speak for another OP;
    /// - `check_session_iframe` must be present (otherwise the OP does not do Session Management);
    /// - every endpoint present must be an absolute `http:` or `https:` URL without a fragment.
    ///
    /// # Errors
    /// [`DiscoveryError::IssuerMismatch`], [`DiscoveryError::NotSupported`] or
    /// [`DiscoveryError::InvalidEndpoint`], checked in that order.
    pub fn validate(self, expected_issuer: &str) -> Result<ValidMetadata, DiscoveryError> {
        if self.issuer != expected_issuer {
            return Err(DiscoveryError::IssuerMismatch);
        }
        let check_session_iframe = self
            .check_session_iframe
            .ok_or(DiscoveryError::NotSupported)?;
        let endpoints = [
            Some(check_session_iframe.as_str()),
            Some(self.authorization_endpoint.as_str()),
            self.token_endpoint.as_deref(),
            self.end_session_endpoint.as_deref(),
        ];
        if !endpoints.iter().flatten().all(|url| is_http_url(url)) {
            return Err(DiscoveryError::InvalidEndpoint);
        }
        Ok(ValidMetadata {
            issuer: self.issuer,
            check_session_iframe,
            authorization_endpoint: self.authorization_endpoint,
            token_endpoint: self.token_endpoint,
            end_session_endpoint: self.end_session_endpoint,
        })
    }
}

/// Provider metadata that passed [`ProviderMetadata::validate`]: the issuer matched and every
/// endpoint is an absolute `http(s)` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidMetadata {
    issuer: String,
    check_session_iframe: String,
    authorization_endpoint: String,
    token_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
}

impl ValidMetadata {
    /// The issuer, equal to the one the page asked for.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The check-session iframe URL.
    pub fn check_session_iframe(&self) -> &str {
        &self.check_session_iframe
    }

    /// The authorization endpoint URL (may already carry a query).
    pub fn authorization_endpoint(&self) -> &str {
        &self.authorization_endpoint
    }

    /// The token endpoint URL, if the OP published one (required for the code flow).
    pub fn token_endpoint(&self) -> Option<&str> {
        self.token_endpoint.as_deref()
    }

    /// The end-session (logout) endpoint URL, if the OP published one.
    pub fn end_session_endpoint(&self) -> Option<&str> {
        self.end_session_endpoint.as_deref()
    }
}

/// The OP endpoints the silent re-authentication needs, from a validated discovery document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The exact issuer identifier.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`, needed for `code`.
    pub token_endpoint: Option<String>,
    /// `end_session_endpoint`, for `logout()`.
    pub end_session_endpoint: Option<String>,
}

/// By value: the strings move (no copy of each; the `check_session_iframe` is read before).
impl From<ValidMetadata> for Endpoints {
    fn from(meta: ValidMetadata) -> Self {
        Endpoints {
            issuer: meta.issuer,
            authorization_endpoint: meta.authorization_endpoint,
            token_endpoint: meta.token_endpoint,
            end_session_endpoint: meta.end_session_endpoint,
        }
    }
}

/// What the monitor knows of the OP once it can start: the `check_session_iframe`, and with
/// `issuer` the endpoints discovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// The URL the hidden iframe loads, with its origin.
    pub check_session_iframe: CheckSessionUrl,
    /// The endpoints for silent re-authentication; `None` without discovery.
    pub endpoints: Option<Endpoints>,
}

/// Whether `url` is an absolute `http:`/`https:` URL with a host, no credentials and no fragment.
///
/// Deliberately conservative (no URL crate here): it refuses what a browser would silently
/// reinterpret (`\` for `/`, whitespace, control characters) so that what we check is what the
/// browser loads.
pub(crate) fn is_http_url(url: &str) -> bool {
    let rest = match strip_prefix_ignore_case(url, "https://")
        .or_else(|| strip_prefix_ignore_case(url, "http://"))
    {
        Some(rest) => rest,
        None => return false,
    };
    if url
        .bytes()
        .any(|b| b <= b' ' || b == 0x7f || b == b'\\' || b == b'#' || !b.is_ascii())
    {
        return false;
    }
    // `get` rather than slicing: no char-boundary panic path (and its formatting) in the .wasm.
    let end = rest.bytes().position(|b| b == b'/' || b == b'?');
    is_valid_authority(end.and_then(|i| rest.get(..i)).unwrap_or(rest))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

fn is_valid_authority(authority: &str) -> bool {
    if let Some(v6) = authority.strip_prefix("[") {
        let Some((literal, after)) = text::split_once(v6, b']') else {
            return false;
        };
        let literal_ok = !literal.is_empty()
            && literal
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        return literal_ok
            && match after {
                "" => true,
                _ => after.strip_prefix(":").is_some_and(is_valid_port),
            };
    }
    let (host, port_ok) = match text::rsplit_once(authority, b':') {
        Some((host, port)) => (host, is_valid_port(port)),
        None => (authority, true),
    };
    let host_ok = !host.is_empty()
        && !host.starts_with(".")
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    host_ok && port_ok
}

fn is_valid_port(port: &str) -> bool {
    (1..=5).contains(&port.len())
        && port.bytes().all(|b| b.is_ascii_digit())
        // At most five digits: no overflow, and no `str::parse` (size).
        && port.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0')) <= 65535
}

/// Why the monitor could not be set up from an issuer.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscoveryError {
    /// The OP publishes no `check_session_iframe`: it does not implement Session Management.
    NotSupported,
    /// The document's `issuer` is not exactly the configured issuer.
    IssuerMismatch,
    /// The response was not JSON, or lacked a required field such as `issuer`.
    InvalidJson,
    /// An endpoint in the document is not an absolute `http(s)` URL.
    InvalidEndpoint,
    /// The document could not be fetched (network error, CORS, or a non-2xx status).
    Network,
}

impl DiscoveryError {
    /// A stable code that JavaScript can branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            DiscoveryError::NotSupported => ErrorCode::NotSupported,
            DiscoveryError::IssuerMismatch => ErrorCode::IssuerMismatch,
            DiscoveryError::InvalidJson => ErrorCode::InvalidDiscovery,
            DiscoveryError::InvalidEndpoint => ErrorCode::InvalidEndpoint,
            DiscoveryError::Network => ErrorCode::DiscoveryFailed,
        }
    }

    /// A readable explanation, in English.
    pub fn message(&self) -> &'static str {
        match self {
            DiscoveryError::NotSupported => {
                "the OP does not support Session Management: its discovery document has no check_session_iframe"
            }
            DiscoveryError::IssuerMismatch => {
                "the issuer in the discovery document does not exactly match the configured issuer"
            }
            DiscoveryError::InvalidJson => {
                "the discovery document is not valid JSON or lacks a required field"
            }
            DiscoveryError::InvalidEndpoint => {
                "an endpoint in the discovery document is not an absolute http(s) URL"
            }
            DiscoveryError::Network => "the discovery document could not be fetched",
        }
    }
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for DiscoveryError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shape of django-oidc-provider 0.9.0's document (SITE_URL http://127.0.0.1:8000).
    const DJANGO: &str = r#"{
        "issuer": "http://127.0.0.1:8000/openid",
        "authorization_endpoint": "http://127.0.0.1:8000/openid/authorize",
        "token_endpoint": "http://127.0.0.1:8000/openid/token",
        "userinfo_endpoint": "http://127.0.0.1:8000/openid/userinfo",
        "end_session_endpoint": "http://127.0.0.1:8000/openid/end-session",
        "introspection_endpoint": "http://127.0.0.1:8000/openid/introspect",
        "response_types_supported": ["code", "id_token", "id_token token", "code token",
            "code id_token", "code id_token token"],
        "jwks_uri": "http://127.0.0.1:8000/openid/jwks",
        "id_token_signing_alg_values_supported": ["HS256", "RS256"],
        "subject_types_supported": ["public"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["sub", "name", "email"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "password",
            "client_credentials"],
        "check_session_iframe": "http://127.0.0.1:8000/openid/check-session-iframe"
    }"#;

    /// Shape of node oidc-provider 6.31.1's document (issuer http://127.0.0.1:3000).
    const NODE: &str = r#"{
        "authorization_endpoint": "http://127.0.0.1:3000/auth",
        "claims_parameter_supported": false,
        "claims_supported": ["sub", "sid", "auth_time", "iss"],
        "code_challenge_methods_supported": ["S256"],
        "end_session_endpoint": "http://127.0.0.1:3000/session/end",
        "check_session_iframe": "http://127.0.0.1:3000/session/check",
        "grant_types_supported": ["implicit", "authorization_code", "refresh_token"],
        "id_token_signing_alg_values_supported": ["HS256", "PS256", "RS256", "ES256", "EdDSA"],
        "issuer": "http://127.0.0.1:3000",
        "jwks_uri": "http://127.0.0.1:3000/jwks",
        "response_modes_supported": ["form_post", "fragment", "query"],
        "response_types_supported": ["code id_token", "code", "id_token", "none"],
        "scopes_supported": ["openid", "offline_access"],
        "subject_types_supported": ["public"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic"],
        "token_endpoint": "http://127.0.0.1:3000/token",
        "request_object_signing_alg_values_supported": ["HS256", "RS256"],
        "request_parameter_supported": false,
        "request_uri_parameter_supported": true,
        "require_request_uri_registration": true,
        "userinfo_endpoint": "http://127.0.0.1:3000/me",
        "frontchannel_logout_supported": true,
        "frontchannel_logout_session_supported": true,
        "backchannel_logout_supported": true
    }"#;

    fn parse(json: &str) -> ProviderMetadata {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn discovery_url_strips_one_trailing_slash() {
        let cases = [
            (
                "https://op.example",
                "https://op.example/.well-known/openid-configuration",
            ),
            (
                "https://op.example/",
                "https://op.example/.well-known/openid-configuration",
            ),
            (
                "http://127.0.0.1:8000/openid",
                "http://127.0.0.1:8000/openid/.well-known/openid-configuration",
            ),
            (
                "http://127.0.0.1:8000/openid/",
                "http://127.0.0.1:8000/openid/.well-known/openid-configuration",
            ),
        ];
        for (issuer, expected) in cases {
            assert_eq!(discovery_url(issuer), expected);
        }
    }

    #[test]
    fn django_document_validates() {
        let meta = parse(DJANGO)
            .validate("http://127.0.0.1:8000/openid")
            .unwrap();
        assert_eq!(meta.issuer(), "http://127.0.0.1:8000/openid");
        assert_eq!(
            meta.check_session_iframe(),
            "http://127.0.0.1:8000/openid/check-session-iframe"
        );
        assert_eq!(
            meta.authorization_endpoint(),
            "http://127.0.0.1:8000/openid/authorize"
        );
        assert_eq!(
            meta.token_endpoint(),
            Some("http://127.0.0.1:8000/openid/token")
        );
        assert_eq!(
            meta.end_session_endpoint(),
            Some("http://127.0.0.1:8000/openid/end-session")
        );
    }

    #[test]
    fn node_document_validates() {
        let meta = parse(NODE).validate("http://127.0.0.1:3000").unwrap();
        assert_eq!(
            meta.check_session_iframe(),
            "http://127.0.0.1:3000/session/check"
        );
        assert_eq!(meta.authorization_endpoint(), "http://127.0.0.1:3000/auth");
        assert_eq!(meta.token_endpoint(), Some("http://127.0.0.1:3000/token"));
        assert_eq!(
            meta.end_session_endpoint(),
            Some("http://127.0.0.1:3000/session/end")
        );
    }

    #[test]
    fn issuer_must_match_exactly() {
        for expected in [
            "http://127.0.0.1:8000/openid/",
            "http://127.0.0.1:8000/OpenID",
            "HTTP://127.0.0.1:8000/openid",
            "http://127.0.0.1:8000",
            "http://localhost:8000/openid",
            "",
        ] {
            assert_eq!(
                parse(DJANGO).validate(expected),
                Err(DiscoveryError::IssuerMismatch),
                "{expected:?}"
            );
        }
    }

    #[test]
    fn missing_check_session_iframe_is_not_supported() {
        let mut v: serde_json::Value = serde_json::from_str(NODE).unwrap();
        v.as_object_mut().unwrap().remove("check_session_iframe");
        let meta: ProviderMetadata = serde_json::from_value(v).unwrap();
        assert_eq!(
            meta.validate("http://127.0.0.1:3000"),
            Err(DiscoveryError::NotSupported)
        );

        let null_iframe = r#"{"issuer":"https://op","authorization_endpoint":"https://op/a","check_session_iframe":null}"#;
        assert_eq!(
            parse(null_iframe).validate("https://op"),
            Err(DiscoveryError::NotSupported)
        );
    }

    #[test]
    fn optional_endpoints_may_be_absent() {
        let doc = r#"{"issuer":"https://op.example","authorization_endpoint":"https://op.example/auth",
            "check_session_iframe":"https://op.example/check"}"#;
        let meta = parse(doc).validate("https://op.example").unwrap();
        assert_eq!(meta.token_endpoint(), None);
        assert_eq!(meta.end_session_endpoint(), None);
    }

    #[test]
    fn bad_json_fails_to_deserialize() {
        for doc in [
            "",
            "not json",
            "[]",
            r#"{"authorization_endpoint":"https://op/a"}"#,
            r#"{"issuer":"https://op"}"#,
            r#"{"issuer":42,"authorization_endpoint":"https://op/a"}"#,
            r#"{"issuer":"https://op","authorization_endpoint":"https://op/a","token_endpoint":5}"#,
        ] {
            assert!(
                serde_json::from_str::<ProviderMetadata>(doc).is_err(),
                "{doc:?}"
            );
        }
    }

    #[test]
    fn endpoints_must_be_absolute_http_urls() {
        let bad_urls = [
            "/openid/check-session-iframe",
            "check",
            "javascript:alert(1)",
            "data:text/html,hi",
            "ftp://op.example/check",
            "https://",
            "https:///path",
            "https://op.example/check#frag",
            "https://op.example/ch eck",
            "https://op.example\\check",
            "https://user:pw@op.example/check",
            "https://op.example:99999/check",
            "https://op.example:/check",
            "https://op.example:8a/check",
            "https://[::1/check",
            "https://ex\u{e4}mple.org/check",
            " https://op.example/check",
        ];
        for bad in bad_urls {
            for field in [
                "check_session_iframe",
                "authorization_endpoint",
                "token_endpoint",
                "end_session_endpoint",
            ] {
                let mut v: serde_json::Value = serde_json::from_str(NODE).unwrap();
                v[field] = serde_json::Value::String(bad.to_owned());
                let meta: ProviderMetadata = serde_json::from_value(v).unwrap();
                assert_eq!(
                    meta.validate("http://127.0.0.1:3000"),
                    Err(DiscoveryError::InvalidEndpoint),
                    "{field} = {bad:?}"
                );
            }
        }
    }

    #[test]
    fn good_urls_accepted() {
        for good in [
            "https://op.example",
            "https://op.example/",
            "HTTPS://OP.example/check",
            "http://127.0.0.1:8000/openid/authorize",
            "https://op.example/auth?tenant=a&x=1",
            "https://op.example?x",
            "http://[::1]:3000/session/check",
            "http://[::1]/x",
            "https://my_host.internal:443/a",
        ] {
            assert!(is_http_url(good), "{good:?}");
        }
    }

    #[test]
    fn error_codes_and_messages() {
        let all = [
            (DiscoveryError::NotSupported, "not_supported"),
            (DiscoveryError::IssuerMismatch, "issuer_mismatch"),
            (DiscoveryError::InvalidJson, "invalid_discovery"),
            (DiscoveryError::InvalidEndpoint, "invalid_endpoint"),
            (DiscoveryError::Network, "discovery_failed"),
        ];
        for (err, code) in all {
            assert_eq!(err.code().as_str(), code);
            assert!(!err.message().is_empty());
            assert_eq!(err.to_string(), err.message());
        }
    }
}
