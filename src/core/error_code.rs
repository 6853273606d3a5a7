//! Every error code JavaScript can see, in one place.
//!
//! Each `code()` in the crate returns an [`ErrorCode`]; the TypeScript declarations
//! (`src/api/types.d.ts`) and the README list the same codes, and a test below fails when either
//! lacks one or names one that is not here. Each code means one thing.

/// A stable, machine-readable error code: `error.code` of a thrown `SessionMonitorError`, or
/// `e.detail.code` of an `error` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    // Thrown by the constructor.
    /// The options argument is not an object.
    InvalidOptions,
    /// An option name is not known (a typo would otherwise be ignored).
    UnknownOption,
    /// `clientId` is missing or empty.
    MissingClientId,
    /// `clientId` contains a space or a control character.
    InvalidClientId,
    /// A required option is missing.
    MissingOption,
    /// A URL option is not an absolute URL with a valid host and port.
    InvalidUrl,
    /// A URL option is not `http:` or `https:`.
    UnsupportedScheme,
    /// A URL option is `http:` on a host that is not loopback, without `allowInsecureHttp: true`.
    InsecureUrl,
    /// `sessionState` is not a string nor one of `{cookie}`, `{localStorage}`, `{sessionStorage}`.
    InvalidSessionStateSource,
    /// A cookie name is not an RFC 6265 token.
    InvalidCookieName,
    /// An option has the wrong type or is out of range.
    InvalidOption,
    /// A `session_state` value (the `sessionState` string option, or the value read from the
    /// configured source) is empty or has a control character. Thrown and emitted.
    InvalidSessionState,

    // Emitted while checking.
    /// The configured source holds no `session_state`.
    NoSessionState,
    /// The configured storage threw when read.
    StorageUnavailable,
    /// The OP iframe fired no `load` event within `loadTimeoutMs`.
    LoadTimeout,
    /// The OP iframe did not answer within `responseTimeoutMs`; `detail.firstCheck: true` for the
    /// first check after `load` (an error page, a redirect elsewhere).
    NoResponse,
    /// The OP iframe answered `error`.
    OpError,
    /// The OP iframe sent a message that is none of the three answers (once per streak;
    /// `detail.value` previews it).
    UnexpectedAnswer,
    /// Two cookies of the configured name are visible: which one is current cannot be told.
    AmbiguousCookie,
    /// A re-authentication returned a user, but the expected user is unknown (no `sub`, no ID
    /// token in `idTokenHint`): nothing was written.
    UnknownUser,

    // Emitted by discovery (`issuer`).
    /// The OP publishes no `check_session_iframe`: it does not support Session Management.
    NotSupported,
    /// The discovery document's `issuer` is not exactly the configured issuer.
    IssuerMismatch,
    /// The discovery document is not JSON or lacks a required field.
    InvalidDiscovery,
    /// An endpoint in the discovery document is not an absolute `http(s)` URL.
    InvalidEndpoint,
    /// The discovery document could not be fetched (network, CORS, non-2xx status).
    DiscoveryFailed,

    // Emitted by re-authentication.
    /// The re-authentication gave no outcome within its timeout.
    ReauthTimeout,
    /// Re-authentications kept being followed by `changed`: gave up after backing off.
    ReauthLoop,
    /// The re-authentication failed for a reason no other code names: the hook threw or
    /// rejected, the OP answered with another error, or the silent iframe could not be added.
    ReauthFailed,
    /// The `reauthenticate` hook returned something other than `{sessionState, sub}` or `{error}`.
    ReauthInvalidResult,
    /// The silent re-authentication was abandoned before its callback arrived.
    ReauthCancelled,
    /// The silent callback's `state` is not the one sent.
    StateMismatch,
    /// The silent callback's `iss` parameter, or the ID token's `iss`, names another issuer.
    IssMismatch,
    /// The ID token is not meant for this client (`aud`/`azp`).
    AudMismatch,
    /// The ID token's `nonce` is not the one sent.
    NonceMismatch,
    /// The ID token is malformed or lacks required claims.
    InvalidIdToken,
    /// The ID token has expired.
    IdTokenExpired,
    /// The token endpoint did not return an ID token.
    TokenExchangeFailed,
    /// The code flow needs a `token_endpoint`, and the discovery document has none.
    NoTokenEndpoint,
    /// The OP's silent response carries no `session_state`.
    NoSessionStateInResponse,
    /// The silent callback URL has a repeated or badly encoded parameter, or no result.
    InvalidCallback,
    /// `silentReauth.redirectUri` is not an absolute `http(s)` URL without a fragment.
    InvalidRedirectUri,
    /// The authorization request lacks `client_id`, `state` or `nonce`.
    MissingParameter,
    /// A PKCE code verifier is not 43–128 characters of `A-Z a-z 0-9 - . _ ~`.
    InvalidCodeVerifier,
    /// `crypto.getRandomValues` is unavailable, so no `state`, `nonce` or verifier can be made.
    CryptoUnavailable,

    // Emitted by the first-party signal (`rpSession`).
    /// The `rpSession` endpoint gave no usable answer; never a logout, polling goes on.
    RpSessionUnavailable,

    // Emitted when the OP iframe turns out blind.
    /// The OP iframe cannot see its cookies (third-party cookies blocked or partitioned);
    /// `detail.evidence` says which signal showed it.
    ThirdPartyCookiesBlocked,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 46] = [
        ErrorCode::InvalidOptions,
        ErrorCode::UnknownOption,
        ErrorCode::MissingClientId,
        ErrorCode::InvalidClientId,
        ErrorCode::MissingOption,
        ErrorCode::InvalidUrl,
        ErrorCode::UnsupportedScheme,
        ErrorCode::InsecureUrl,
        ErrorCode::InvalidSessionStateSource,
        ErrorCode::InvalidCookieName,
        ErrorCode::InvalidOption,
        ErrorCode::InvalidSessionState,
        ErrorCode::NoSessionState,
        ErrorCode::StorageUnavailable,
        ErrorCode::LoadTimeout,
        ErrorCode::NoResponse,
        ErrorCode::OpError,
        ErrorCode::UnexpectedAnswer,
        ErrorCode::AmbiguousCookie,
        ErrorCode::UnknownUser,
        ErrorCode::NotSupported,
        ErrorCode::IssuerMismatch,
        ErrorCode::InvalidDiscovery,
        ErrorCode::InvalidEndpoint,
        ErrorCode::DiscoveryFailed,
        ErrorCode::ReauthTimeout,
        ErrorCode::ReauthLoop,
        ErrorCode::ReauthFailed,
        ErrorCode::ReauthInvalidResult,
        ErrorCode::ReauthCancelled,
        ErrorCode::StateMismatch,
        ErrorCode::IssMismatch,
        ErrorCode::AudMismatch,
        ErrorCode::NonceMismatch,
        ErrorCode::InvalidIdToken,
        ErrorCode::IdTokenExpired,
        ErrorCode::TokenExchangeFailed,
        ErrorCode::NoTokenEndpoint,
        ErrorCode::NoSessionStateInResponse,
        ErrorCode::InvalidCallback,
        ErrorCode::InvalidRedirectUri,
        ErrorCode::MissingParameter,
        ErrorCode::InvalidCodeVerifier,
        ErrorCode::CryptoUnavailable,
        ErrorCode::RpSessionUnavailable,
        ErrorCode::ThirdPartyCookiesBlocked,
    ];

    /// The code as JavaScript sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidOptions => "invalid_options",
            ErrorCode::UnknownOption => "unknown_option",
            ErrorCode::MissingClientId => "missing_client_id",
            ErrorCode::InvalidClientId => "invalid_client_id",
            ErrorCode::MissingOption => "missing_option",
            ErrorCode::InvalidUrl => "invalid_url",
            ErrorCode::UnsupportedScheme => "unsupported_scheme",
            ErrorCode::InsecureUrl => "insecure_url",
            ErrorCode::InvalidSessionStateSource => "invalid_session_state_source",
            ErrorCode::InvalidCookieName => "invalid_cookie_name",
            ErrorCode::InvalidOption => "invalid_option",
            ErrorCode::InvalidSessionState => "invalid_session_state",
            ErrorCode::NoSessionState => "no_session_state",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::LoadTimeout => "load_timeout",
            ErrorCode::NoResponse => "no_response",
            ErrorCode::OpError => "op_error",
            ErrorCode::UnexpectedAnswer => "unexpected_answer",
            ErrorCode::AmbiguousCookie => "ambiguous_cookie",
            ErrorCode::UnknownUser => "unknown_user",
            ErrorCode::NotSupported => "not_supported",
            ErrorCode::IssuerMismatch => "issuer_mismatch",
            ErrorCode::InvalidDiscovery => "invalid_discovery",
            ErrorCode::InvalidEndpoint => "invalid_endpoint",
            ErrorCode::DiscoveryFailed => "discovery_failed",
            ErrorCode::ReauthTimeout => "reauth_timeout",
            ErrorCode::ReauthLoop => "reauth_loop",
            ErrorCode::ReauthFailed => "reauth_failed",
            ErrorCode::ReauthInvalidResult => "reauth_invalid_result",
            ErrorCode::ReauthCancelled => "reauth_cancelled",
            ErrorCode::StateMismatch => "state_mismatch",
            ErrorCode::IssMismatch => "iss_mismatch",
            ErrorCode::AudMismatch => "aud_mismatch",
            ErrorCode::NonceMismatch => "nonce_mismatch",
            ErrorCode::InvalidIdToken => "invalid_id_token",
            ErrorCode::IdTokenExpired => "id_token_expired",
            ErrorCode::TokenExchangeFailed => "token_exchange_failed",
            ErrorCode::NoTokenEndpoint => "no_token_endpoint",
            ErrorCode::NoSessionStateInResponse => "no_session_state_in_response",
            ErrorCode::InvalidCallback => "invalid_callback",
            ErrorCode::InvalidRedirectUri => "invalid_redirect_uri",
            ErrorCode::MissingParameter => "missing_parameter",
            ErrorCode::InvalidCodeVerifier => "invalid_code_verifier",
            ErrorCode::CryptoUnavailable => "crypto_unavailable",
            ErrorCode::RpSessionUnavailable => "rp_session_unavailable",
            ErrorCode::ThirdPartyCookiesBlocked => "third_party_cookies_blocked",
        }
    }

    /// Whether the constructor throws it (`SessionMonitorOptionsErrorCode` in TypeScript).
    pub fn is_thrown(self) -> bool {
        matches!(
            self,
            ErrorCode::InvalidOptions
                | ErrorCode::UnknownOption
                | ErrorCode::MissingClientId
                | ErrorCode::InvalidClientId
                | ErrorCode::MissingOption
                | ErrorCode::InvalidUrl
                | ErrorCode::UnsupportedScheme
                | ErrorCode::InsecureUrl
                | ErrorCode::InvalidSessionStateSource
                | ErrorCode::InvalidCookieName
                | ErrorCode::InvalidOption
                | ErrorCode::InvalidSessionState
        )
    }

    /// Whether `error` events carry it (`SessionMonitorErrorCode` in TypeScript).
    pub fn is_emitted(self) -> bool {
        !self.is_thrown() || self == ErrorCode::InvalidSessionState
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::BTreeSet;

    const TYPESCRIPT: &str = include_str!("../api/types.d.ts");
    const README: &str = include_str!("../../README.md");

    fn codes(filter: fn(ErrorCode) -> bool) -> BTreeSet<&'static str> {
        ErrorCode::ALL
            .into_iter()
            .filter(|c| filter(*c))
            .map(ErrorCode::as_str)
            .collect()
    }

    /// The string literals of `export type <name> = | "a" | "b";`.
    fn ts_union(name: &str) -> BTreeSet<&'static str> {
        let start = ["export type ", name, " ="].concat();
        let at = TYPESCRIPT
            .find(&start)
            .unwrap_or_else(|| panic!("types.d.ts has no `{start}`"));
        let body = &TYPESCRIPT[at + start.len()..];
        let body = &body[..body.find(';').expect("union ends with ;")];
        body.split('|')
            .map(|s| s.trim().trim_matches('"'))
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The README's error-code table: `| \`code\` | where | meaning |` rows under "### Error codes".
    fn readme_table() -> Vec<(&'static str, &'static str)> {
        let at = README
            .find("### Error codes")
            .expect("README has an `### Error codes` section");
        README[at..]
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(|row| {
                let cells: Vec<&str> = row.split('|').map(str::trim).collect();
                (cells[1].trim_matches('`'), cells[2])
            })
            .collect()
    }

    /// Fails with the codes `listed` lacks and the ones it has in excess.
    fn assert_same(listed: &BTreeSet<&str>, registry: &BTreeSet<&str>, what: &str) {
        let lacks: Vec<_> = registry.difference(listed).collect();
        let extra: Vec<_> = listed.difference(registry).collect();
        assert!(
            lacks.is_empty() && extra.is_empty(),
            "{what} lacks {lacks:?} and lists codes ErrorCode does not have: {extra:?}"
        );
    }

    #[test]
    fn all_lists_every_code_once() {
        let set = codes(|_| true);
        assert_eq!(
            set.len(),
            ErrorCode::ALL.len(),
            "a code string is used twice"
        );
        for (i, c) in ErrorCode::ALL.into_iter().enumerate() {
            assert!(
                !ErrorCode::ALL[..i].contains(&c),
                "{c:?} is listed twice in ALL"
            );
            assert!(c.is_thrown() || c.is_emitted());
        }
    }

    #[test]
    fn typescript_unions_list_exactly_the_registry() {
        assert_same(
            &ts_union("SessionMonitorErrorCode"),
            &codes(ErrorCode::is_emitted),
            "SessionMonitorErrorCode in src/api/types.d.ts",
        );
        assert_same(
            &ts_union("SessionMonitorOptionsErrorCode"),
            &codes(ErrorCode::is_thrown),
            "SessionMonitorOptionsErrorCode in src/api/types.d.ts",
        );
    }

    #[test]
    fn readme_table_lists_exactly_the_registry() {
        let table = readme_table();
        let listed: BTreeSet<&str> = table.iter().map(|(code, _)| *code).collect();
        assert_eq!(
            listed.len(),
            table.len(),
            "a code is listed twice in the README"
        );
        assert_same(&listed, &codes(|_| true), "README's error-code table");
        for (code, place) in table {
            let c = ErrorCode::ALL
                .into_iter()
                .find(|c| c.as_str() == code)
                .unwrap();
            assert_eq!(
                place.contains("constructor"),
                c.is_thrown(),
                "README: is `{code}` thrown by the constructor?"
            );
            assert_eq!(
                place.contains("`error`"),
                c.is_emitted(),
                "README: is `{code}` an `error` event code?"
            );
        }
    }
}
