//! JSON Web Keys (RFC 7517) and JWS signature verification (RFC 7515, algorithms of RFC 7518 and
//! RFC 8037), with RustCrypto's pure-Rust verifiers.

use core::fmt;

use hmac::{Hmac, Mac};
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::LogoutError;
use crate::core::pkce::b64;

/// A JWS algorithm (`alg` header value) this module knows.
///
/// The default set accepted by [`Expect`](super::Expect) is the asymmetric one
/// ([`Alg::ASYMMETRIC`]). `HS*` (a secret shared with the OP) and `none` (no signature, which the
/// Back-Channel Logout spec forbids in §2.4) are accepted only when added explicitly.
#[non_exhaustive]
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 (salt length 32).
    PS256,
    /// RSASSA-PSS with SHA-384 (salt length 48).
    PS384,
    /// RSASSA-PSS with SHA-512 (salt length 64).
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// EdDSA on Ed25519 (RFC 8037).
    EdDSA,
    /// HMAC with SHA-256 (shared secret; only when explicitly allowed).
    HS256,
    /// HMAC with SHA-384 (shared secret; only when explicitly allowed).
    HS384,
    /// HMAC with SHA-512 (shared secret; only when explicitly allowed).
    HS512,
    /// No signature at all. Never accepted unless explicitly allowed; the spec forbids it.
    None,
}

impl Alg {
    /// The algorithms accepted by default: every asymmetric one.
    pub const ASYMMETRIC: &'static [Alg] = &[
        Alg::RS256,
        Alg::RS384,
        Alg::RS512,
        Alg::PS256,
        Alg::PS384,
        Alg::PS512,
        Alg::ES256,
        Alg::EdDSA,
    ];

    /// Parses an `alg` header value (case-sensitive, as RFC 7515 requires).
    pub fn from_name(name: &str) -> Option<Alg> {
        Some(match name {
            "RS256" => Alg::RS256,
            "RS384" => Alg::RS384,
            "RS512" => Alg::RS512,
            "PS256" => Alg::PS256,
            "PS384" => Alg::PS384,
            "PS512" => Alg::PS512,
            "ES256" => Alg::ES256,
            "EdDSA" => Alg::EdDSA,
            "HS256" => Alg::HS256,
            "HS384" => Alg::HS384,
            "HS512" => Alg::HS512,
            "none" => Alg::None,
            _ => return None,
        })
    }

    /// The `alg` header value.
    pub fn name(self) -> &'static str {
        match self {
            Alg::RS256 => "RS256",
            Alg::RS384 => "RS384",
            Alg::RS512 => "RS512",
            Alg::PS256 => "PS256",
            Alg::PS384 => "PS384",
            Alg::PS512 => "PS512",
            Alg::ES256 => "ES256",
            Alg::EdDSA => "EdDSA",
            Alg::HS256 => "HS256",
            Alg::HS384 => "HS384",
            Alg::HS512 => "HS512",
            Alg::None => "none",
        }
    }
}

/// Smallest RSA modulus accepted (RFC 7518 §3.3: 2048 bits or larger).
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted (bounds the cost of one verification).
pub const MAX_RSA_BITS: usize = 8192;

/// The verification material of one key.
#[derive(Clone)]
enum KeyMaterial {
    Rsa(RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    /// An HMAC secret (kty `oct`). Never printed.
    Secret(Vec<u8>),
}

/// One usable key of a JWKS.
#[derive(Clone)]
pub struct Jwk {
    kid: Option<String>,
    alg: Option<Alg>,
    material: KeyMaterial,
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.material {
            KeyMaterial::Rsa(_) => "RSA",
            KeyMaterial::P256(_) => "EC P-256",
            KeyMaterial::Ed25519(_) => "OKP Ed25519",
            KeyMaterial::Secret(_) => "oct [redacted]",
        };
        f.debug_struct("Jwk")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("kty", &kind)
            .finish()
    }
}

impl Jwk {
    /// An HMAC secret (for `HS256`/`HS384`/`HS512`, which must also be allowed in
    /// [`Expect::algorithms`](super::Expect::algorithms)); typically the client secret.
    pub fn hmac_secret(secret: &[u8], kid: Option<&str>) -> Jwk {
        Jwk {
            kid: kid.map(str::to_owned),
            alg: None,
            material: KeyMaterial::Secret(secret.to_vec()),
        }
    }

    /// The key's `kid`, if it has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Parses one JWK object; `None` for keys this module cannot or must not use for verifying
    /// signatures (encryption keys, unknown types or curves, weak RSA, malformed members).
    fn from_json(obj: &Map<String, Value>) -> Option<Jwk> {
        let text = |name: &str| -> Option<Option<&str>> {
            match obj.get(name) {
                None => Some(None),
                Some(Value::String(s)) => Some(Some(s.as_str())),
                Some(_) => None,
            }
        };
        let bytes = |name: &str| -> Option<Vec<u8>> { b64::decode(text(name)??) };
        if let Some(usage) = text("use")? {
            if usage != "sig" {
                return None;
            }
        }
        if let Some(ops) = obj.get("key_ops") {
            let verifies = ops
                .as_array()?
                .iter()
                .any(|op| op.as_str() == Some("verify"));
            if !verifies {
                return None;
            }
        }
        let kid = text("kid")?.map(str::to_owned);
        // A key that names an algorithm we do not know is not usable for any algorithm we know.
        let alg = match text("alg")? {
            None => None,
            Some(name) => Some(Alg::from_name(name)?),
        };
        let material = match text("kty")? {
            Some("RSA") => {
                let n = BigUint::from_bytes_be(&bytes("n")?);
                let e = BigUint::from_bytes_be(&bytes("e")?);
                let bits = n.bits();
                if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
                    return None;
                }
                KeyMaterial::Rsa(RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS).ok()?)
            }
            Some("EC") => {
                if text("crv")? != Some("P-256") {
                    return None;
                }
                let (x, y) = (bytes("x")?, bytes("y")?);
                if x.len() != 32 || y.len() != 32 {
                    return None;
                }
                let point = p256::EncodedPoint::from_affine_coordinates(
                    p256::FieldBytes::from_slice(&x),
                    p256::FieldBytes::from_slice(&y),
                    false,
                );
                KeyMaterial::P256(p256::ecdsa::VerifyingKey::from_encoded_point(&point).ok()?)
            }
            Some("OKP") => {
                if text("crv")? != Some("Ed25519") {
                    return None;
                }
                let x: [u8; 32] = bytes("x")?.try_into().ok()?;
                KeyMaterial::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(&x).ok()?)
            }
            Some("oct") => KeyMaterial::Secret(bytes("k")?),
            _ => return None,
        };
        Some(Jwk { kid, alg, material })
    }

    /// Whether this key can verify `alg` (key type fits, and the key's own `alg`, if any, agrees).
    fn fits(&self, alg: Alg) -> bool {
        if self.alg.is_some_and(|own| own != alg) {
            return false;
        }
        matches!(
            (&self.material, alg),
            (
                KeyMaterial::Rsa(_),
                Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512
            ) | (KeyMaterial::P256(_), Alg::ES256)
                | (KeyMaterial::Ed25519(_), Alg::EdDSA)
                | (KeyMaterial::Secret(_), Alg::HS256 | Alg::HS384 | Alg::HS512)
        )
    }

    /// Verifies `signature` over `signing_input` with `alg`. The caller checked [`Jwk::fits`].
    fn verify(&self, alg: Alg, signing_input: &[u8], signature: &[u8]) -> bool {
        match (&self.material, alg) {
            (KeyMaterial::Rsa(key), _) => verify_rsa(key, alg, signing_input, signature),
            (KeyMaterial::P256(key), Alg::ES256) => {
                // JWS carries r || s (RFC 7518 §3.4), not DER.
                p256::ecdsa::Signature::from_slice(signature)
                    .is_ok_and(|sig| key.verify(signing_input, &sig).is_ok())
            }
            (KeyMaterial::Ed25519(key), Alg::EdDSA) => {
                ed25519_dalek::Signature::from_slice(signature)
                    .is_ok_and(|sig| key.verify_strict(signing_input, &sig).is_ok())
            }
            (KeyMaterial::Secret(secret), _) => verify_hmac(secret, alg, signing_input, signature),
            _ => false,
        }
    }
}

fn verify_rsa(key: &RsaPublicKey, alg: Alg, input: &[u8], signature: &[u8]) -> bool {
    use rsa::{pkcs1v15, pss};
    if signature.len() != key.size() {
        return false;
    }
    macro_rules! pkcs1 {
        ($digest:ty) => {
            pkcs1v15::Signature::try_from(signature).is_ok_and(|sig| {
                pkcs1v15::VerifyingKey::<$digest>::new(key.clone())
                    .verify(input, &sig)
                    .is_ok()
            })
        };
    }
    // RFC 7518 §3.5: the PSS salt is as long as the hash output.
    macro_rules! pss {
        ($digest:ty) => {
            pss::Signature::try_from(signature).is_ok_and(|sig| {
                pss::VerifyingKey::<$digest>::new_with_salt_len(
                    key.clone(),
                    <$digest as Digest>::output_size(),
                )
                .verify(input, &sig)
                .is_ok()
            })
        };
    }
    match alg {
        Alg::RS256 => pkcs1!(Sha256),
        Alg::RS384 => pkcs1!(Sha384),
        Alg::RS512 => pkcs1!(Sha512),
        Alg::PS256 => pss!(Sha256),
        Alg::PS384 => pss!(Sha384),
        Alg::PS512 => pss!(Sha512),
        _ => false,
    }
}

fn verify_hmac(secret: &[u8], alg: Alg, input: &[u8], signature: &[u8]) -> bool {
    // RFC 7518 §3.2: a key at least as long as the hash output. `verify_slice` compares in
    // constant time.
    macro_rules! check {
        ($digest:ty) => {
            secret.len() >= <$digest as Digest>::output_size()
                && <Hmac<$digest> as Mac>::new_from_slice(secret).is_ok_and(|mut mac| {
                    mac.update(input);
                    mac.verify_slice(signature).is_ok()
                })
        };
    }
    match alg {
        Alg::HS256 => check!(Sha256),
        Alg::HS384 => check!(Sha384),
        Alg::HS512 => check!(Sha512),
        _ => false,
    }
}

/// A JSON Web Key Set: the keys the OP signs with (its `jwks_uri` document).
///
/// Keys that cannot verify signatures (encryption keys, unknown key types or curves, RSA under
/// 2048 bits, malformed members) are left out when parsing; they can never match.
#[derive(Debug, Clone, Default)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

/// The largest JWKS document [`Jwks::from_json`] reads.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

impl Jwks {
    /// Parses a JWKS document (`{"keys":[…]}`).
    ///
    /// # Errors
    /// [`LogoutError::InvalidJwks`] when the document is larger than [`MAX_JWKS_BYTES`], not JSON,
    /// or has no `keys` array. Individual unusable keys are skipped, not errors.
    pub fn from_json(document: &[u8]) -> Result<Jwks, LogoutError> {
        if document.len() > MAX_JWKS_BYTES {
            return Err(LogoutError::InvalidJwks);
        }
        let value: Value =
            serde_json::from_slice(document).map_err(|_| LogoutError::InvalidJwks)?;
        let keys = value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(LogoutError::InvalidJwks)?;
        Ok(Jwks {
            keys: keys
                .iter()
                .filter_map(|k| Jwk::from_json(k.as_object()?))
                .collect(),
        })
    }

    /// A set made of the given keys.
    pub fn from_keys(keys: Vec<Jwk>) -> Jwks {
        Jwks { keys }
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Verifies a JWS signature, choosing the key as RFC 7515 §6 suggests: with a `kid`, the keys
    /// with that `kid`; without one, every key that fits the algorithm.
    pub(crate) fn verify(
        &self,
        alg: Alg,
        kid: Option<&str>,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), LogoutError> {
        let mut candidates = self
            .keys
            .iter()
            .filter(|k| kid.is_none() || k.kid.as_deref() == kid)
            .peekable();
        if candidates.peek().is_none() {
            return Err(LogoutError::UnknownKey);
        }
        let mut fitting = candidates.filter(|k| k.fits(alg)).peekable();
        if fitting.peek().is_none() {
            return Err(if kid.is_some() {
                LogoutError::KeyMismatch
            } else {
                LogoutError::UnknownKey
            });
        }
        if fitting.any(|k| k.verify(alg, signing_input, signature)) {
            Ok(())
        } else {
            Err(LogoutError::BadSignature)
        }
    }
}

/// Rate limit for fetching the OP's JWKS again after [`LogoutError::UnknownKey`] (the OP may have
/// rotated its keys): at most one refresh per `min_interval_secs`, so a flood of tokens with random
/// `kid`s cannot make the RP hammer the OP.
///
/// ```
/// # use oidc_session_monitor::server::{KeyRefresh, LogoutError};
/// let mut refresh = KeyRefresh::new(60);
/// assert!(refresh.should_refresh(LogoutError::UnknownKey, 1_000));
/// assert!(!refresh.should_refresh(LogoutError::UnknownKey, 1_030)); // too soon
/// assert!(!refresh.should_refresh(LogoutError::BadSignature, 2_000)); // would not help
/// assert!(refresh.should_refresh(LogoutError::UnknownKey, 1_060));
/// ```
#[derive(Debug, Clone)]
pub struct KeyRefresh {
    min_interval_secs: u64,
    last: Option<u64>,
}

impl KeyRefresh {
    /// At most one refresh per `min_interval_secs` seconds.
    pub fn new(min_interval_secs: u64) -> KeyRefresh {
        KeyRefresh {
            min_interval_secs,
            last: None,
        }
    }

    /// Whether the caller should fetch the JWKS now and validate once more. `true` only for
    /// [`LogoutError::UnknownKey`] and only when the last refresh is at least the interval ago;
    /// a `true` answer counts as a refresh.
    pub fn should_refresh(&mut self, error: LogoutError, now: u64) -> bool {
        if error != LogoutError::UnknownKey {
            return false;
        }
        let due = self
            .last
            .is_none_or(|last| now.saturating_sub(last) >= self.min_interval_secs);
        if due {
            self.last = Some(now);
        }
        due
    }
}
