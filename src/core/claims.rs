//! Reading the ID token a silent re-authentication returns, to learn who is signed in (`sub`, `sid`).
//!
//! Three steps, so that JSON parsing stays in the browser (`JSON.parse`) and out of the wasm:
//! 1. [`decode_payload`] (or [`decode_payload_str`]) splits the JWT and base64url-decodes its middle
//!    part into the JSON text of the claims;
//! 2. the caller deserializes that JSON into [`IdTokenClaims`] with serde (a failure there is
//!    [`ClaimsError::Malformed`]);
//! 3. [`IdTokenClaims::validate`] checks `iss`, `aud`/`azp`, `nonce` and `exp`.
//!
//! # Security
//! **The signature is not verified.** The token comes either from the OP's token endpoint over TLS
//! (code flow) or from the OP's redirect to our own callback page, bound to our request by `state`
//! and `nonce` (implicit flow). The monitor only uses it to compare `sub`/`sid` with the signed-in
//! user, to decide which event to emit. A backend that wants to *trust* this token for anything else
//! (a login, an API call) must verify its signature itself, against the OP's JWKS.

use crate::core::error_code::ErrorCode;
use core::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::Deserialize;

use super::authorize::check_nonce;
use super::pkce::b64;

/// How far past `exp` a token is still accepted, for clock skew between the browser and the OP.
pub const CLOCK_SKEW_LEEWAY_SECS: u64 = 60;

/// The JSON bytes of a JWT's payload (the middle of its three base64url parts).
///
/// The header and signature must be valid base64url too, and the signature must not be empty (an
/// unsigned `alg: none` token is refused). Encrypted tokens (JWE, five parts) are not supported.
///
/// # Errors
/// [`ClaimsError::Malformed`] if `jwt` is not three non-empty base64url parts.
pub fn decode_payload(jwt: &str) -> Result<Vec<u8>, ClaimsError> {
    let mut parts = crate::core::text::split(jwt, b'.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ClaimsError::Malformed);
    };
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err(ClaimsError::Malformed);
    }
    let valid = |part: &str| b64::decode(part).is_some();
    if !valid(header) || !valid(signature) {
        return Err(ClaimsError::Malformed);
    }
    b64::decode(payload).ok_or(ClaimsError::Malformed)
}

/// Like [`decode_payload`], but returns the payload as text, ready for `JSON.parse`.
///
/// # Errors
/// [`ClaimsError::Malformed`] as for [`decode_payload`], or if the payload is not UTF-8.
pub fn decode_payload_str(jwt: &str) -> Result<String, ClaimsError> {
    crate::core::text::utf8(&decode_payload(jwt)?).ok_or(ClaimsError::Malformed)
}

/// The ID token claims the monitor needs. Other claims are ignored.
///
/// `Debug` redacts `nonce`.
#[derive(Clone, PartialEq, Eq)]
pub struct IdTokenClaims {
    /// Issuer: who made the token.
    pub iss: String,
    /// Subject: the user's identifier at the OP; a different `sub` means a different user.
    pub sub: String,
    /// Audiences: the client IDs the token is for. JSON may give one string or an array.
    pub aud: Vec<String>,
    /// Authorized party: the client the token was issued to, when there are several audiences.
    pub azp: Option<String>,
    /// The `nonce` from the authorization request, echoed back.
    pub nonce: Option<String>,
    /// The OP's session ID, if it sends one (front/back-channel logout).
    pub sid: Option<String>,
    /// Expiry, in seconds since 1970 (fractions are dropped).
    pub exp: u64,
    /// Issue time, in seconds since 1970 (fractions are dropped).
    pub iat: u64,
}

impl IdTokenClaims {
    /// Checks the claims (OpenID Connect Core §3.1.3.7, except the signature):
    ///
    /// - `sub` is not empty;
    /// - `iss` equals `expected_iss` exactly;
    /// - `aud` contains `client_id`; with several audiences `azp` must be present, and whenever
    ///   `azp` is present it must equal `client_id`;
    /// - with `expected_nonce`, `nonce` is present and equal (compared in constant time);
    /// - `exp` is not past `now_secs` by more than [`CLOCK_SKEW_LEEWAY_SECS`].
    ///
    /// `now_secs` is the current time in seconds since 1970 (`Date.now() / 1000`).
    ///
    /// # Errors
    /// The first failed check, in the order above: [`ClaimsError::Malformed`],
    /// [`ClaimsError::IssuerMismatch`], [`ClaimsError::AudienceMismatch`],
    /// [`ClaimsError::NonceMismatch`], [`ClaimsError::Expired`].
    pub fn validate(
        &self,
        expected_iss: &str,
        client_id: &str,
        expected_nonce: Option<&str>,
        now_secs: u64,
    ) -> Result<(), ClaimsError> {
        if self.sub.is_empty() {
            return Err(ClaimsError::Malformed);
        }
        if self.iss != expected_iss {
            return Err(ClaimsError::IssuerMismatch);
        }
        if client_id.is_empty() || !self.aud.iter().any(|a| a == client_id) {
            return Err(ClaimsError::AudienceMismatch);
        }
        match self.azp.as_deref() {
            Some(azp) if azp != client_id => return Err(ClaimsError::AudienceMismatch),
            None if self.aud.len() > 1 => return Err(ClaimsError::AudienceMismatch),
            _ => {}
        }
        if let Some(expected) = expected_nonce {
            if !check_nonce(expected, self.nonce.as_deref()) {
                return Err(ClaimsError::NonceMismatch);
            }
        }
        if now_secs >= self.exp.saturating_add(CLOCK_SKEW_LEEWAY_SECS) {
            return Err(ClaimsError::Expired);
        }
        Ok(())
    }
}

impl fmt::Debug for IdTokenClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted(bool);
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(if self.0 { "Some([redacted])" } else { "None" })
            }
        }
        f.debug_struct("IdTokenClaims")
            .field("iss", &self.iss)
            .field("sub", &self.sub)
            .field("aud", &self.aud)
            .field("azp", &self.azp)
            .field("nonce", &Redacted(self.nonce.is_some()))
            .field("sid", &self.sid)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .finish()
    }
}

/// The claims' names, in the order [`IdTokenClaims`]'s `Deserialize` reads them by index.
const CLAIMS: [&str; 8] = ["iss", "sub", "aud", "azp", "nonce", "sid", "exp", "iat"];

/// `iss`, `sub`, `aud`, `exp` and `iat` are required; `azp`, `nonce` and `sid` may be absent or
/// `null`. Other claims are ignored; a claim given twice is an error.
impl<'de> Deserialize<'de> for IdTokenClaims {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Claims;
        impl<'de> Visitor<'de> for Claims {
            type Value = IdTokenClaims;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the claims of an ID token")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IdTokenClaims, A::Error> {
                let mut c = IdTokenClaims {
                    iss: String::new(),
                    sub: String::new(),
                    aud: Vec::new(),
                    azp: None,
                    nonce: None,
                    sid: None,
                    exp: 0,
                    iat: 0,
                };
                let seen = crate::core::members::read(&mut map, &CLAIMS, &mut |i, map| {
                    match i {
                        0 => c.iss = map.next_value()?,
                        1 => c.sub = map.next_value()?,
                        2 => c.aud = map.next_value::<Audiences>()?.0,
                        3 => c.azp = map.next_value()?,
                        4 => c.nonce = map.next_value()?,
                        5 => c.sid = map.next_value()?,
                        6 => c.exp = map.next_value::<NumericDate>()?.0,
                        _ => c.iat = map.next_value::<NumericDate>()?.0,
                    }
                    Ok(())
                })?;
                crate::core::members::require(seen, 0b1100_0111, &CLAIMS)?;
                Ok(c)
            }
        }
        deserializer.deserialize_struct("IdTokenClaims", &CLAIMS, Claims)
    }
}

/// `aud`: a string or an array of strings (RFC 7519 §4.1.3).
struct Audiences(Vec<String>);

impl<'de> Deserialize<'de> for Audiences {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrMany;
        impl<'de> Visitor<'de> for OneOrMany {
            type Value = Audiences;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Audiences, E> {
                Ok(Audiences(vec![v.to_owned()]))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Audiences, E> {
                Ok(Audiences(vec![v]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Audiences, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(16));
                while let Some(aud) = seq.next_element::<String>()? {
                    out.push(aud);
                }
                Ok(Audiences(out))
            }
        }
        deserializer.deserialize_any(OneOrMany)
    }
}

/// A JWT NumericDate: a non-negative JSON number of seconds, possibly with a fraction
/// (RFC 7519 §2), fraction dropped. JavaScript numbers may arrive as integers or floats; both are
/// accepted.
struct NumericDate(u64);

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Seconds;
        impl Visitor<'_> for Seconds {
            type Value = NumericDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative number of seconds")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericDate, E> {
                Ok(NumericDate(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumericDate, E> {
                u64::try_from(v)
                    .map(NumericDate)
                    .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumericDate, E> {
                // 2^53: beyond it a JS number is no longer an exact integer.
                if v.is_finite() && (0.0..9_007_199_254_740_992.0).contains(&v) {
                    Ok(NumericDate(v as u64))
                } else {
                    Err(E::invalid_value(Unexpected::Float(v), &self))
                }
            }
        }
        // A number is all it takes: `deserialize_f64`, not `deserialize_any` (the browser's
        // deserializer then instantiates only its number case for this visitor: size).
        deserializer.deserialize_f64(Seconds)
    }
}

/// Why an ID token was refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimsError {
    /// Not a three-part base64url JWT, its payload is not the expected JSON, or `sub` is empty.
    Malformed,
    /// `iss` is not the expected issuer.
    IssuerMismatch,
    /// `aud` does not contain our client ID, or `azp` is missing or names another client.
    AudienceMismatch,
    /// `nonce` is missing or not the one sent with the request.
    NonceMismatch,
    /// `exp` has passed (beyond the clock-skew leeway).
    Expired,
}

impl ClaimsError {
    /// A stable code that JavaScript can branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ClaimsError::Malformed => ErrorCode::InvalidIdToken,
            ClaimsError::IssuerMismatch => ErrorCode::IssMismatch,
            ClaimsError::AudienceMismatch => ErrorCode::AudMismatch,
            ClaimsError::NonceMismatch => ErrorCode::NonceMismatch,
            ClaimsError::Expired => ErrorCode::IdTokenExpired,
        }
    }

    /// A readable explanation, in English.
    pub fn message(&self) -> &'static str {
        match self {
            ClaimsError::Malformed => "the ID token is malformed or lacks required claims",
            ClaimsError::IssuerMismatch => "the ID token was issued by another issuer",
            ClaimsError::AudienceMismatch => "the ID token is not meant for this client",
            ClaimsError::NonceMismatch => "the ID token's nonce does not match the request",
            ClaimsError::Expired => "the ID token has expired",
        }
    }
}

impl fmt::Display for ClaimsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ClaimsError {}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_760_000_000;

    /// A JWT with the given header and payload JSON and a dummy (non-empty) signature.
    fn jwt(header: &str, payload: &str) -> String {
        [
            b64::encode(header.as_bytes()),
            b64::encode(payload.as_bytes()),
            b64::encode(b"sig"),
        ]
        .join(".")
    }

    fn claims(json: &str) -> IdTokenClaims {
        serde_json::from_str(json).unwrap()
    }

    /// django-oidc-provider 0.9.0 (implicit, RS256): aud is a string, no sid.
    const DJANGO: &str = r#"{"iss": "http://127.0.0.1:8000/openid", "sub": "1",
        "aud": "session-rp", "exp": 1760000600, "iat": 1760000000, "auth_time": 1759999000,
        "nonce": "n-0S6_WzA2Mj", "at_hash": "77QmUPtjPfzWtF2AnpK9RQ"}"#;

    /// node oidc-provider 6.31.1 (code flow): sid present, nonce echoed.
    const NODE: &str = r#"{"sub":"alice","nonce":"n-0S6_WzA2Mj","at_hash":"Q8ugG7mT0sW8TA",
        "sid":"b6f5f0a9-3e64-4f0e-8a36-6f1f0b4a5d2c","aud":"session-rp","exp":1760003600,
        "iat":1760000000,"iss":"http://127.0.0.1:3000"}"#;

    #[test]
    fn decode_real_shaped_tokens() {
        for (payload, iss) in [
            (DJANGO, "http://127.0.0.1:8000/openid"),
            (NODE, "http://127.0.0.1:3000"),
        ] {
            let token = jwt(r#"{"alg":"RS256","kid":"k1"}"#, payload);
            let text = decode_payload_str(&token).unwrap();
            assert_eq!(text, payload);
            let bytes = decode_payload(&token).unwrap();
            let c: IdTokenClaims = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(c.iss, iss);
            assert_eq!(c.aud, vec!["session-rp".to_owned()]);
            assert_eq!(
                c.validate(iss, "session-rp", Some("n-0S6_WzA2Mj"), NOW),
                Ok(())
            );
        }
        let node = claims(NODE);
        assert_eq!(node.sub, "alice");
        assert_eq!(
            node.sid.as_deref(),
            Some("b6f5f0a9-3e64-4f0e-8a36-6f1f0b4a5d2c")
        );
        assert_eq!(claims(DJANGO).sid, None);
    }

    #[test]
    fn decode_rejects_malformed_jwts() {
        let p = b64::encode(NODE.as_bytes());
        let h = b64::encode(br#"{"alg":"RS256"}"#);
        let bad = [
            String::new(),
            "abc".to_owned(),
            [h.as_str(), p.as_str()].join("."),
            [h.as_str(), p.as_str(), ""].join("."),
            ["", p.as_str(), "c2ln"].join("."),
            [h.as_str(), "", "c2ln"].join("."),
            [h.as_str(), p.as_str(), "c2ln", "x", "y"].join("."),
            [h.as_str(), p.as_str(), "c2ln", ""].join("."),
            [h.as_str(), &[p.as_str(), "="].concat(), "c2ln"].join("."),
            [h.as_str(), &["/", &p[1..]].concat(), "c2ln"].join("."),
            [h.as_str(), p.as_str(), "c2l+"].join("."),
            ["e30=", p.as_str(), "c2ln"].join("."),
            [" ", p.as_str(), "c2ln"].join("."),
        ];
        for token in &bad {
            assert_eq!(
                decode_payload(token),
                Err(ClaimsError::Malformed),
                "{token:?}"
            );
        }
        // Not UTF-8.
        let token = [h.as_str(), &b64::encode(&[0xff, 0xfe]), "c2ln"].join(".");
        assert!(decode_payload(&token).is_ok());
        assert_eq!(decode_payload_str(&token), Err(ClaimsError::Malformed));
    }

    #[test]
    fn audience_forms() {
        let base = |aud: &str, azp: &str| {
            [
                r#"{"iss":"https://op","sub":"u","exp":1760000600,"iat":1760000000,"aud":"#,
                aud,
                azp,
                "}",
            ]
            .concat()
        };
        let ok = Ok(());
        let mismatch = Err(ClaimsError::AudienceMismatch);
        let cases: &[(&str, &str, Result<(), ClaimsError>)] = &[
            (r#""session-rp""#, "", ok),
            (r#"["session-rp"]"#, "", ok),
            (r#"["session-rp"]"#, r#","azp":"session-rp""#, ok),
            (r#"["session-rp","api"]"#, r#","azp":"session-rp""#, ok),
            (r#"["api","session-rp"]"#, "", mismatch),
            (r#"["api","session-rp"]"#, r#","azp":"api""#, mismatch),
            (r#""session-rp""#, r#","azp":"other""#, mismatch),
            (r#""other""#, "", mismatch),
            (r#"[]"#, "", mismatch),
            (r#""session-rp2""#, "", mismatch),
            (r#""Session-rp""#, "", mismatch),
        ];
        for (aud, azp, expected) in cases {
            let json = base(aud, azp);
            let c = claims(&json);
            assert_eq!(
                c.validate("https://op", "session-rp", None, NOW),
                *expected,
                "{json}"
            );
        }
        // An empty client_id never matches, even an empty audience.
        let c = claims(&base(r#""""#, ""));
        assert_eq!(c.validate("https://op", "", None, NOW), mismatch);
    }

    #[test]
    fn validate_table() {
        let c = claims(NODE);
        let iss = "http://127.0.0.1:3000";
        let exp = c.exp;
        type Case<'a> = (
            &'a str,
            &'a str,
            Option<&'a str>,
            u64,
            Result<(), ClaimsError>,
        );
        let cases: &[Case] = &[
            (iss, "session-rp", Some("n-0S6_WzA2Mj"), NOW, Ok(())),
            (iss, "session-rp", None, NOW, Ok(())),
            (
                "http://127.0.0.1:3000/",
                "session-rp",
                None,
                NOW,
                Err(ClaimsError::IssuerMismatch),
            ),
            (
                "http://localhost:3000",
                "session-rp",
                None,
                NOW,
                Err(ClaimsError::IssuerMismatch),
            ),
            (
                iss,
                "other-rp",
                None,
                NOW,
                Err(ClaimsError::AudienceMismatch),
            ),
            (
                iss,
                "session-rp",
                Some("n-0S6_WzA2Mk"),
                NOW,
                Err(ClaimsError::NonceMismatch),
            ),
            (
                iss,
                "session-rp",
                Some(""),
                NOW,
                Err(ClaimsError::NonceMismatch),
            ),
            (iss, "session-rp", None, exp, Ok(())),
            (
                iss,
                "session-rp",
                None,
                exp + CLOCK_SKEW_LEEWAY_SECS - 1,
                Ok(()),
            ),
            (
                iss,
                "session-rp",
                None,
                exp + CLOCK_SKEW_LEEWAY_SECS,
                Err(ClaimsError::Expired),
            ),
            (iss, "session-rp", None, u64::MAX, Err(ClaimsError::Expired)),
            // Order: issuer before audience before nonce before expiry.
            (
                "x",
                "x",
                Some("x"),
                u64::MAX,
                Err(ClaimsError::IssuerMismatch),
            ),
            (
                iss,
                "x",
                Some("x"),
                u64::MAX,
                Err(ClaimsError::AudienceMismatch),
            ),
            (
                iss,
                "session-rp",
                Some("x"),
                u64::MAX,
                Err(ClaimsError::NonceMismatch),
            ),
        ];
        for (i, (iss, client, nonce, now, expected)) in cases.iter().enumerate() {
            assert_eq!(c.validate(iss, client, *nonce, *now), *expected, "case {i}");
        }
    }

    #[test]
    fn nonce_required_when_expected() {
        let c = claims(DJANGO.replace(r#""nonce": "n-0S6_WzA2Mj","#, "").as_str());
        assert_eq!(c.nonce, None);
        let iss = "http://127.0.0.1:8000/openid";
        assert_eq!(
            c.validate(iss, "session-rp", Some("n"), NOW),
            Err(ClaimsError::NonceMismatch)
        );
        assert_eq!(c.validate(iss, "session-rp", None, NOW), Ok(()));
    }

    #[test]
    fn empty_sub_is_malformed() {
        let c = claims(&NODE.replace(r#""sub":"alice""#, r#""sub":"""#));
        assert_eq!(
            c.validate("http://127.0.0.1:3000", "session-rp", None, NOW),
            Err(ClaimsError::Malformed)
        );
    }

    #[test]
    fn numeric_dates() {
        let with =
            |exp: &str| [r#"{"iss":"i","sub":"s","aud":"a","iat":0,"exp":"#, exp, "}"].concat();
        assert_eq!(claims(&with("1760000600")).exp, 1_760_000_600);
        assert_eq!(claims(&with("1760000600.75")).exp, 1_760_000_600);
        assert_eq!(claims(&with("1.7600006e9")).exp, 1_760_000_600);
        assert_eq!(claims(&with("0")).exp, 0);
        for bad in [
            "-1",
            "-0.5",
            "\"1760000600\"",
            "null",
            "true",
            "1e300",
            "[1]",
        ] {
            assert!(
                serde_json::from_str::<IdTokenClaims>(&with(bad)).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_payloads_fail_to_deserialize() {
        for json in [
            "",
            "null",
            "[]",
            r#"{"sub":"s","aud":"a","exp":1,"iat":1}"#,
            r#"{"iss":"i","aud":"a","exp":1,"iat":1}"#,
            r#"{"iss":"i","sub":"s","exp":1,"iat":1}"#,
            r#"{"iss":"i","sub":"s","aud":"a","iat":1}"#,
            r#"{"iss":"i","sub":"s","aud":"a","exp":1}"#,
            r#"{"iss":"i","sub":"s","aud":5,"exp":1,"iat":1}"#,
            r#"{"iss":"i","sub":"s","aud":["a",5],"exp":1,"iat":1}"#,
            r#"{"iss":"i","sub":"s","aud":{"a":1},"exp":1,"iat":1}"#,
            r#"{"iss":"i","sub":7,"aud":"a","exp":1,"iat":1}"#,
            r#"{"iss":"i","sub":"s","aud":"a","exp":1,"iat":1,"nonce":3}"#,
        ] {
            assert!(
                serde_json::from_str::<IdTokenClaims>(json).is_err(),
                "{json}"
            );
        }
        // Explicit nulls for optional claims are fine.
        let c = claims(
            r#"{"iss":"i","sub":"s","aud":"a","exp":1,"iat":1,"nonce":null,"sid":null,"azp":null}"#,
        );
        assert_eq!((c.nonce, c.sid, c.azp), (None, None, None));
    }

    #[test]
    fn debug_redacts_nonce() {
        let shown = format!("{:?}", claims(NODE));
        assert!(!shown.contains("n-0S6_WzA2Mj"), "{shown}");
        assert!(shown.contains("alice"));
    }

    #[test]
    fn error_codes_and_messages() {
        let all = [
            (ClaimsError::Malformed, "invalid_id_token"),
            (ClaimsError::IssuerMismatch, "iss_mismatch"),
            (ClaimsError::AudienceMismatch, "aud_mismatch"),
            (ClaimsError::NonceMismatch, "nonce_mismatch"),
            (ClaimsError::Expired, "id_token_expired"),
        ];
        for (err, code) in all {
            assert_eq!(err.code().as_str(), code);
            assert!(!err.message().is_empty());
        }
    }
}
