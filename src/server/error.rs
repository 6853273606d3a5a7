//! The one error type of the `server` module: why a `logout_token` (or a JWKS) was refused.

use core::fmt;

/// Why a Back-Channel Logout `logout_token` was rejected, or why a JWKS could not be read.
///
/// Every variant has a stable snake_case [`code`](LogoutError::code) (for logs, metrics and
/// responses) and a fixed [`message`](LogoutError::message). Neither ever contains any part of the
/// token: errors are safe to log.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogoutError {
    /// The token is longer than [`Expect::max_token_bytes`](super::Expect::max_token_bytes).
    TooLarge,
    /// The token has five parts: an encrypted JWT (JWE), which this validator does not decrypt.
    Encrypted,
    /// Not a compact JWS: not three non-empty base64url parts, or not ASCII.
    Malformed,
    /// The JOSE header is not a JSON object with a string `alg`, or has an ill-typed `kid`/`typ`/`crit`.
    BadHeader,
    /// The header's `alg` is not in [`Expect::algorithms`](super::Expect::algorithms) (`none` and
    /// HMAC are not there unless explicitly added) or is not supported.
    AlgorithmNotAllowed,
    /// The header lists `crit` extensions; none are understood, so the token must be rejected
    /// (RFC 7515 §4.1.11).
    UnsupportedCritical,
    /// The header's `typ` is neither `logout+jwt` nor `JWT` (a token of another kind).
    WrongType,
    /// The header has no `typ` `logout+jwt`, and [`Expect::require_typ`](super::Expect::require_typ) is set.
    MissingType,
    /// No key of the JWKS matches the header's `kid` (or, without `kid`, none fits the algorithm).
    /// The one error after which fetching the JWKS again can help (see [`KeyRefresh`](super::KeyRefresh)).
    UnknownKey,
    /// A key with the header's `kid` exists but cannot verify this algorithm.
    KeyMismatch,
    /// The signature does not verify.
    BadSignature,
    /// The payload is not a JSON object, or a claim has the wrong JSON type.
    BadClaims,
    /// `iss` is missing or differs from [`Expect::issuer`](super::Expect::issuer).
    WrongIssuer,
    /// `aud` is missing or does not contain [`Expect::client_id`](super::Expect::client_id).
    WrongAudience,
    /// `azp` is present and is not [`Expect::client_id`](super::Expect::client_id).
    WrongAuthorizedParty,
    /// `iat` is missing or not a number.
    MissingIssuedAt,
    /// `iat` is later than now plus the allowed clock skew.
    IssuedInFuture,
    /// `iat` is older than [`Expect::max_age_secs`](super::Expect::max_age_secs).
    TooOld,
    /// `exp` is in the past (beyond the allowed clock skew), or not a number.
    Expired,
    /// `exp` is missing and [`Expect::require_exp`](super::Expect::require_exp) is set.
    MissingExpiry,
    /// `jti` is missing or not a non-empty string.
    MissingJti,
    /// `events` is missing or not a JSON object.
    MissingEvents,
    /// `events` has no member `http://schemas.openid.net/event/backchannel-logout` whose value is
    /// a JSON object.
    WrongEvent,
    /// Neither `sub` nor `sid` is present (both absent, or not non-empty strings).
    MissingSubjectAndSession,
    /// A `nonce` claim is present: forbidden in logout tokens (it marks an ID Token).
    NoncePresent,
    /// This issuer already sent a token with this `jti` within its lifetime.
    Replayed,
    /// A JWKS document is not a JSON object with a `keys` array.
    InvalidJwks,
}

impl LogoutError {
    /// Every variant, in declaration order (tests check codes are unique and documented).
    pub const ALL: &'static [LogoutError] = &[
        Self::TooLarge,
        Self::Encrypted,
        Self::Malformed,
        Self::BadHeader,
        Self::AlgorithmNotAllowed,
        Self::UnsupportedCritical,
        Self::WrongType,
        Self::MissingType,
        Self::UnknownKey,
        Self::KeyMismatch,
        Self::BadSignature,
        Self::BadClaims,
        Self::WrongIssuer,
        Self::WrongAudience,
        Self::WrongAuthorizedParty,
        Self::MissingIssuedAt,
        Self::IssuedInFuture,
        Self::TooOld,
        Self::Expired,
        Self::MissingExpiry,
        Self::MissingJti,
        Self::MissingEvents,
        Self::WrongEvent,
        Self::MissingSubjectAndSession,
        Self::NoncePresent,
        Self::Replayed,
        Self::InvalidJwks,
    ];

    /// The stable machine-readable code, e.g. `"bad_signature"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::Encrypted => "encrypted",
            Self::Malformed => "malformed",
            Self::BadHeader => "bad_header",
            Self::AlgorithmNotAllowed => "algorithm_not_allowed",
            Self::UnsupportedCritical => "unsupported_critical",
            Self::WrongType => "wrong_type",
            Self::MissingType => "missing_type",
            Self::UnknownKey => "unknown_key",
            Self::KeyMismatch => "key_mismatch",
            Self::BadSignature => "bad_signature",
            Self::BadClaims => "bad_claims",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongAudience => "wrong_audience",
            Self::WrongAuthorizedParty => "wrong_authorized_party",
            Self::MissingIssuedAt => "missing_iat",
            Self::IssuedInFuture => "issued_in_future",
            Self::TooOld => "too_old",
            Self::Expired => "expired",
            Self::MissingExpiry => "missing_exp",
            Self::MissingJti => "missing_jti",
            Self::MissingEvents => "missing_events",
            Self::WrongEvent => "wrong_event",
            Self::MissingSubjectAndSession => "missing_sub_and_sid",
            Self::NoncePresent => "nonce_present",
            Self::Replayed => "replayed",
            Self::InvalidJwks => "invalid_jwks",
        }
    }

    /// A fixed human-readable sentence (never contains token data).
    pub fn message(self) -> &'static str {
        match self {
            Self::TooLarge => "the logout_token is too large",
            Self::Encrypted => {
                "the logout_token is encrypted (JWE); only signed tokens are accepted"
            }
            Self::Malformed => "the logout_token is not a compact JWS",
            Self::BadHeader => "the logout_token header is not valid",
            Self::AlgorithmNotAllowed => "the logout_token algorithm is not allowed",
            Self::UnsupportedCritical => "the logout_token header has critical extensions",
            Self::WrongType => "the logout_token typ is not logout+jwt",
            Self::MissingType => "the logout_token has no typ logout+jwt",
            Self::UnknownKey => "no key of the OP's JWKS matches the logout_token",
            Self::KeyMismatch => "the key named by kid cannot verify this algorithm",
            Self::BadSignature => "the logout_token signature does not verify",
            Self::BadClaims => "the logout_token claims are not a valid JSON object",
            Self::WrongIssuer => "the logout_token iss is not the expected issuer",
            Self::WrongAudience => "the logout_token aud does not contain this client",
            Self::WrongAuthorizedParty => "the logout_token azp is not this client",
            Self::MissingIssuedAt => "the logout_token has no valid iat",
            Self::IssuedInFuture => "the logout_token iat is in the future",
            Self::TooOld => "the logout_token was issued too long ago",
            Self::Expired => "the logout_token has expired",
            Self::MissingExpiry => "the logout_token has no exp",
            Self::MissingJti => "the logout_token has no jti",
            Self::MissingEvents => "the logout_token has no events object",
            Self::WrongEvent => "the logout_token events lack the back-channel logout event",
            Self::MissingSubjectAndSession => "the logout_token has neither sub nor sid",
            Self::NoncePresent => "the logout_token contains a nonce",
            Self::Replayed => "the logout_token was already used",
            Self::InvalidJwks => "the JWKS document is not valid",
        }
    }
}

impl fmt::Display for LogoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for LogoutError {}
