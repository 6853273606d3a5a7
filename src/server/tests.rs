//! `logout_token` validation with tokens signed here, by every algorithm, and one test per error.

use std::collections::HashSet;
use std::sync::OnceLock;

use rand::rngs::StdRng;
use rand::SeedableRng;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Sha256, Sha384, Sha512};

use super::*;
use crate::core::pkce::b64;

const ISS: &str = "https://op.example";
const CLIENT: &str = "rp-client";
const NOW: u64 = 1_800_000_000;
const HMAC_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Keys {
    rsa: RsaPrivateKey,
    rsa_other: RsaPrivateKey,
    ec: p256::ecdsa::SigningKey,
    ed: ed25519_dalek::SigningKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(7);
        Keys {
            rsa: RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            rsa_other: RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            ec: p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap(),
            ed: ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]),
        }
    })
}

fn e(bytes: &[u8]) -> String {
    b64::encode(bytes)
}

fn rsa_jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    json!({"kty": "RSA", "kid": kid, "use": "sig",
           "n": e(&key.n().to_bytes_be()), "e": e(&key.e().to_bytes_be())})
}

fn ec_jwk(kid: &str) -> Value {
    let point = keys().ec.verifying_key().to_encoded_point(false);
    json!({"kty": "EC", "crv": "P-256", "kid": kid,
           "x": e(point.x().unwrap()), "y": e(point.y().unwrap())})
}

fn ed_jwk(kid: &str) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": e(keys().ed.verifying_key().as_bytes())})
}

/// The OP's JWKS: one key per type, plus an encryption key that must be ignored.
fn jwks_json() -> Value {
    json!({"keys": [
        rsa_jwk(&keys().rsa, "rsa-1"),
        ec_jwk("ec-1"),
        ed_jwk("ed-1"),
        {"kty": "RSA", "kid": "enc-1", "use": "enc",
         "n": e(&keys().rsa_other.n().to_bytes_be()), "e": "AQAB"},
    ]})
}

fn jwks() -> Jwks {
    Jwks::from_json(jwks_json().to_string().as_bytes()).unwrap()
}

fn kid_for(alg: Alg) -> &'static str {
    match alg {
        Alg::ES256 => "ec-1",
        Alg::EdDSA => "ed-1",
        Alg::HS256 | Alg::HS384 | Alg::HS512 => "hmac-1",
        _ => "rsa-1",
    }
}

fn sign(alg: Alg, input: &[u8]) -> Vec<u8> {
    use rsa::{pkcs1v15, pss};
    let k = keys();
    let mut rng = StdRng::seed_from_u64(99);
    match alg {
        Alg::RS256 => pkcs1v15::SigningKey::<Sha256>::new(k.rsa.clone())
            .sign(input)
            .to_vec(),
        Alg::RS384 => pkcs1v15::SigningKey::<Sha384>::new(k.rsa.clone())
            .sign(input)
            .to_vec(),
        Alg::RS512 => pkcs1v15::SigningKey::<Sha512>::new(k.rsa.clone())
            .sign(input)
            .to_vec(),
        Alg::PS256 => pss::SigningKey::<Sha256>::new(k.rsa.clone())
            .sign_with_rng(&mut rng, input)
            .to_vec(),
        Alg::PS384 => pss::SigningKey::<Sha384>::new(k.rsa.clone())
            .sign_with_rng(&mut rng, input)
            .to_vec(),
        Alg::PS512 => pss::SigningKey::<Sha512>::new(k.rsa.clone())
            .sign_with_rng(&mut rng, input)
            .to_vec(),
        Alg::ES256 => {
            let sig: p256::ecdsa::Signature = k.ec.sign(input);
            sig.to_bytes().to_vec()
        }
        Alg::EdDSA => ed25519_dalek::Signer::sign(&k.ed, input)
            .to_bytes()
            .to_vec(),
        Alg::HS256 | Alg::HS384 | Alg::HS512 => {
            use hmac::{Hmac, Mac};
            macro_rules! mac {
                ($d:ty) => {{
                    let mut m = <Hmac<$d> as Mac>::new_from_slice(HMAC_SECRET).unwrap();
                    m.update(input);
                    m.finalize().into_bytes().to_vec()
                }};
            }
            match alg {
                Alg::HS256 => mac!(Sha256),
                Alg::HS384 => mac!(Sha384),
                _ => mac!(Sha512),
            }
        }
        _ => Vec::new(),
    }
}

/// A JWS over exactly these header and claims JSON values.
fn token_with(alg: Alg, header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        e(header.to_string().as_bytes()),
        e(claims.to_string().as_bytes())
    );
    let sig = sign(alg, input.as_bytes());
    format!("{input}.{}", e(&sig))
}

fn header(alg: Alg) -> Value {
    json!({"alg": alg.name(), "kid": kid_for(alg), "typ": "logout+jwt"})
}

fn claims() -> Value {
    json!({
        "iss": ISS, "aud": CLIENT, "iat": NOW - 5, "exp": NOW + 115, "jti": "jti-1",
        "sub": "alice", "sid": "sid-1",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
    })
}

fn token(alg: Alg) -> String {
    token_with(alg, &header(alg), &claims())
}

fn expect() -> Expect {
    Expect::new(ISS, CLIENT)
}

fn check(t: &str) -> Result<LogoutToken, LogoutError> {
    validate(t, &jwks(), &expect(), NOW)
}

/// Applies `edit` to the claims and signs the result with RS256.
fn with_claims(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut c = claims();
    edit(c.as_object_mut().unwrap());
    token_with(Alg::RS256, &header(Alg::RS256), &c)
}

fn with_header(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut h = header(Alg::RS256);
    edit(h.as_object_mut().unwrap());
    token_with(Alg::RS256, &h, &claims())
}

#[test]
fn every_asymmetric_algorithm_validates() {
    for &alg in Alg::ASYMMETRIC {
        let claims = check(&token(alg)).unwrap_or_else(|e| panic!("{alg:?}: {e:?}"));
        assert_eq!(claims.alg, alg);
        assert_eq!(claims.issuer, ISS);
        assert_eq!(claims.sub.as_deref(), Some("alice"));
        assert_eq!(claims.sid.as_deref(), Some("sid-1"));
        assert_eq!(claims.jti, "jti-1");
        assert_eq!(claims.issued_at, NOW - 5);
        assert_eq!(claims.expires_at, Some(NOW + 115));
        // min(iat + max_age, exp + leeway)
        assert_eq!(claims.usable_until, (NOW - 5 + 300).min(NOW + 115 + 60));
    }
}

#[test]
fn tampering_breaks_every_algorithm() {
    for &alg in Alg::ASYMMETRIC {
        let t = token(alg);
        let (input, sig) = t.rsplit_once('.').unwrap();
        // One flipped bit in the signature.
        let mut raw = b64::decode(sig).unwrap();
        let mid = raw.len() / 2;
        raw[mid] ^= 0x01;
        let flipped = format!("{input}.{}", e(&raw));
        assert_eq!(check(&flipped), Err(LogoutError::BadSignature), "{alg:?}");
        // Another payload under the original signature.
        let (h, _) = input.split_once('.').unwrap();
        let mut c = claims();
        c["sub"] = json!("mallory");
        let swapped = format!("{h}.{}.{sig}", e(c.to_string().as_bytes()));
        assert_eq!(check(&swapped), Err(LogoutError::BadSignature), "{alg:?}");
        // The signature of another algorithm's key.
        let empty = format!("{input}.");
        assert_eq!(check(&empty), Err(LogoutError::BadSignature), "{alg:?}");
    }
}

#[test]
fn hmac_only_when_allowed() {
    let secret_jwks = Jwks::from_keys(vec![Jwk::hmac_secret(HMAC_SECRET, Some("hmac-1"))]);
    for alg in [Alg::HS256, Alg::HS384, Alg::HS512] {
        let t = token(alg);
        assert_eq!(
            validate(&t, &secret_jwks, &expect(), NOW),
            Err(LogoutError::AlgorithmNotAllowed)
        );
        let mut allowing = expect();
        allowing.algorithms.push(alg);
        assert!(
            validate(&t, &secret_jwks, &allowing, NOW).is_ok(),
            "{alg:?}"
        );
        // The same secret as an `oct` JWK.
        let oct = json!({"keys": [{"kty": "oct", "kid": "hmac-1", "k": e(HMAC_SECRET)}]});
        let oct = Jwks::from_json(oct.to_string().as_bytes()).unwrap();
        assert!(validate(&t, &oct, &allowing, NOW).is_ok(), "{alg:?}");
        // A public RSA key can never serve as an HMAC secret (the classic confusion attack).
        assert_eq!(
            validate(&t, &jwks(), &allowing, NOW),
            Err(LogoutError::UnknownKey)
        );
    }
    // Short secrets are refused (RFC 7518 §3.2).
    let short = Jwks::from_keys(vec![Jwk::hmac_secret(&HMAC_SECRET[..16], Some("hmac-1"))]);
    let mut allowing = expect();
    allowing.algorithms.push(Alg::HS256);
    assert_eq!(
        validate(token(Alg::HS256), &short, &allowing, NOW),
        Err(LogoutError::BadSignature)
    );
}

#[test]
fn none_only_when_allowed() {
    let h = e(br#"{"alg":"none"}"#);
    let c = e(claims().to_string().as_bytes());
    let unsigned = format!("{h}.{c}.");
    assert_eq!(check(&unsigned), Err(LogoutError::AlgorithmNotAllowed));
    let mut insecure = expect();
    insecure.algorithms.push(Alg::None);
    assert!(validate(&unsigned, &jwks(), &insecure, NOW).is_ok());
    let with_sig = format!("{h}.{c}.{}", e(b"x"));
    assert_eq!(
        validate(&with_sig, &jwks(), &insecure, NOW),
        Err(LogoutError::BadSignature)
    );
    // Case matters: "None" is no known algorithm.
    let upper = format!("{}.{c}.", e(br#"{"alg":"None"}"#));
    assert_eq!(
        validate(&upper, &jwks(), &insecure, NOW),
        Err(LogoutError::AlgorithmNotAllowed)
    );
}

#[test]
fn algorithms_can_be_narrowed() {
    let mut only_es = expect();
    only_es.algorithms = vec![Alg::ES256];
    assert!(validate(token(Alg::ES256), &jwks(), &only_es, NOW).is_ok());
    assert_eq!(
        validate(token(Alg::RS256), &jwks(), &only_es, NOW),
        Err(LogoutError::AlgorithmNotAllowed)
    );
}

#[test]
fn key_selection_by_kid() {
    // Unknown kid.
    let t = with_header(|h| {
        h.insert("kid".into(), json!("rsa-2"));
    });
    assert_eq!(check(&t), Err(LogoutError::UnknownKey));
    // The key named by kid is of another type.
    let t = with_header(|h| {
        h.insert("kid".into(), json!("ec-1"));
    });
    assert_eq!(check(&t), Err(LogoutError::KeyMismatch));
    // An encryption key is never used, even when named.
    let t = with_header(|h| {
        h.insert("kid".into(), json!("enc-1"));
    });
    assert_eq!(check(&t), Err(LogoutError::UnknownKey));
    // No kid: every fitting key is tried.
    let t = with_header(|h| {
        h.remove("kid");
    });
    assert!(check(&t).is_ok());
    let two_rsa = json!({"keys": [rsa_jwk(&keys().rsa_other, "a"), rsa_jwk(&keys().rsa, "b")]});
    let two_rsa = Jwks::from_json(two_rsa.to_string().as_bytes()).unwrap();
    assert!(validate(&t, &two_rsa, &expect(), NOW).is_ok());
    // No kid and no key of the right type.
    let only_ec =
        Jwks::from_json(json!({"keys": [ec_jwk("ec-1")]}).to_string().as_bytes()).unwrap();
    assert_eq!(
        validate(&t, &only_ec, &expect(), NOW),
        Err(LogoutError::UnknownKey)
    );
    // A key whose own alg differs is not used.
    let mut pinned = rsa_jwk(&keys().rsa, "rsa-1");
    pinned["alg"] = json!("PS256");
    let pinned = Jwks::from_json(json!({"keys": [pinned]}).to_string().as_bytes()).unwrap();
    assert_eq!(
        validate(token(Alg::RS256), &pinned, &expect(), NOW),
        Err(LogoutError::KeyMismatch)
    );
    assert!(validate(token(Alg::PS256), &pinned, &expect(), NOW).is_ok());
    // The right kid but the wrong key material (rotated key, stale JWKS).
    let stale = Jwks::from_json(
        json!({"keys": [rsa_jwk(&keys().rsa_other, "rsa-1")]})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        validate(token(Alg::RS256), &stale, &expect(), NOW),
        Err(LogoutError::BadSignature)
    );
}

#[test]
fn unknown_kid_refreshes_once_per_interval() {
    // The RP knows only an old key; the OP signs with a new one.
    let old = Jwks::from_json(
        json!({"keys": [rsa_jwk(&keys().rsa_other, "old")]})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let mut current = old.clone();
    let mut refresh = KeyRefresh::new(60);
    let mut fetches = 0;
    let t = token(Alg::RS256);
    let mut run = |current: &mut Jwks, refresh: &mut KeyRefresh, now: u64| match validate(
        &t,
        current,
        &expect(),
        now,
    ) {
        Err(e) if refresh.should_refresh(e, now) => {
            fetches += 1;
            *current = jwks();
            validate(&t, current, &expect(), now)
        }
        other => other,
    };
    assert!(run(&mut current, &mut refresh, NOW).is_ok());
    assert_eq!(fetches, 1);
    // Tokens with unknown kids right after: no new fetch until the interval has passed.
    let bogus = with_header(|h| {
        h.insert("kid".into(), json!("nope"));
    });
    for dt in 0..59 {
        assert_eq!(
            validate(&bogus, &current, &expect(), NOW + dt),
            Err(LogoutError::UnknownKey)
        );
        assert!(!refresh.should_refresh(LogoutError::UnknownKey, NOW + dt));
    }
    assert!(refresh.should_refresh(LogoutError::UnknownKey, NOW + 60));
    assert!(!refresh.should_refresh(LogoutError::BadSignature, NOW + 1000));
    assert!(!refresh.should_refresh(LogoutError::KeyMismatch, NOW + 1000));
}

#[test]
fn typ_header() {
    for typ in [
        "logout+jwt",
        "application/logout+jwt",
        "Logout+JWT",
        "JWT",
        "jwt",
    ] {
        let t = with_header(|h| {
            h.insert("typ".into(), json!(typ));
        });
        assert!(check(&t).is_ok(), "{typ}");
    }
    let absent = with_header(|h| {
        h.remove("typ");
    });
    assert!(check(&absent).is_ok());
    for typ in ["at+jwt", "secevent+jwt", "", "logout"] {
        let t = with_header(|h| {
            h.insert("typ".into(), json!(typ));
        });
        assert_eq!(check(&t), Err(LogoutError::WrongType), "{typ}");
    }
    let mut strict = expect();
    strict.require_typ = true;
    assert!(validate(token(Alg::RS256), &jwks(), &strict, NOW).is_ok());
    assert_eq!(
        validate(&absent, &jwks(), &strict, NOW),
        Err(LogoutError::MissingType)
    );
    let jwt = with_header(|h| {
        h.insert("typ".into(), json!("JWT"));
    });
    assert_eq!(
        validate(&jwt, &jwks(), &strict, NOW),
        Err(LogoutError::MissingType)
    );
}

#[test]
fn time_claims() {
    let mut no_exp = claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    let no_exp = token_with(Alg::RS256, &header(Alg::RS256), &no_exp);
    assert!(check(&no_exp).is_ok());
    let mut strict = expect();
    strict.require_exp = true;
    assert_eq!(
        validate(&no_exp, &jwks(), &strict, NOW),
        Err(LogoutError::MissingExpiry)
    );
    // Within the leeway either side, and at the edges.
    let t = with_claims(|c| {
        c.insert("iat".into(), json!(NOW + 60));
    });
    assert!(check(&t).is_ok());
    let t = with_claims(|c| {
        c.insert("iat".into(), json!(NOW + 61));
    });
    assert_eq!(check(&t), Err(LogoutError::IssuedInFuture));
    let t = with_claims(|c| {
        c.insert("iat".into(), json!(NOW - 300));
        c.insert("exp".into(), json!(NOW + 10));
    });
    assert!(check(&t).is_ok());
    let t = with_claims(|c| {
        c.insert("iat".into(), json!(NOW - 301));
    });
    assert_eq!(check(&t), Err(LogoutError::TooOld));
    let t = with_claims(|c| {
        c.insert("exp".into(), json!(NOW - 59));
    });
    assert!(check(&t).is_ok());
    let t = with_claims(|c| {
        c.insert("exp".into(), json!(NOW - 60));
    });
    assert_eq!(check(&t), Err(LogoutError::Expired));
    // Fractional NumericDates are allowed; strings are not.
    let t = with_claims(|c| {
        c.insert("iat".into(), json!((NOW - 5) as f64 + 0.5));
    });
    assert!(check(&t).is_ok());
    let t = with_claims(|c| {
        c.insert("iat".into(), json!(NOW.to_string()));
    });
    assert_eq!(check(&t), Err(LogoutError::MissingIssuedAt));
    let t = with_claims(|c| {
        c.insert("exp".into(), json!("soon"));
    });
    assert_eq!(check(&t), Err(LogoutError::Expired));
}

#[test]
fn subject_and_session() {
    let t = with_claims(|c| {
        c.remove("sid");
    });
    let v = check(&t).unwrap();
    assert_eq!((v.sub.as_deref(), v.sid), (Some("alice"), None));
    let t = with_claims(|c| {
        c.remove("sub");
    });
    let v = check(&t).unwrap();
    assert_eq!((v.sub, v.sid.as_deref()), (None, Some("sid-1")));
}

#[test]
fn audience_forms() {
    let t = with_claims(|c| {
        c.insert("aud".into(), json!(["other", CLIENT]));
    });
    assert!(check(&t).is_ok());
    let t = with_claims(|c| {
        c.insert("azp".into(), json!(CLIENT));
    });
    assert!(check(&t).is_ok());
}

/// One token per error code; together they must produce every code of [`LogoutError::ALL`].
#[test]
fn every_error_code_has_a_token() {
    let rs = header(Alg::RS256);
    let body = e(claims().to_string().as_bytes());
    let h = e(rs.to_string().as_bytes());
    let cases: Vec<(String, LogoutError, Option<Expect>)> = vec![
        ("a".repeat(16 * 1024 + 1), LogoutError::TooLarge, None),
        ("a.b.c.d.e".into(), LogoutError::Encrypted, None),
        ("a.b".into(), LogoutError::Malformed, None),
        (format!("{h}.{body}.%%"), LogoutError::Malformed, None),
        (format!(".{body}.AA"), LogoutError::Malformed, None),
        (
            format!("{}.{body}.AA", e(b"[1]")),
            LogoutError::BadHeader,
            None,
        ),
        (
            format!("{}.{body}.AA", e(br#"{"alg":1}"#)),
            LogoutError::BadHeader,
            None,
        ),
        (
            with_header(|h| {
                h.insert("kid".into(), json!(5));
            }),
            LogoutError::BadHeader,
            None,
        ),
        (
            format!("{}.{body}.AA", e(br#"{"alg":"HS256"}"#)),
            LogoutError::AlgorithmNotAllowed,
            None,
        ),
        (
            format!("{}.{body}.AA", e(br#"{"alg":"ES512"}"#)),
            LogoutError::AlgorithmNotAllowed,
            None,
        ),
        (
            with_header(|h| {
                h.insert("crit".into(), json!(["exp"]));
            }),
            LogoutError::UnsupportedCritical,
            None,
        ),
        (
            with_header(|h| {
                h.insert("typ".into(), json!("at+jwt"));
            }),
            LogoutError::WrongType,
            None,
        ),
        (
            with_header(|h| {
                h.remove("typ");
            }),
            LogoutError::MissingType,
            Some({
                let mut x = expect();
                x.require_typ = true;
                x
            }),
        ),
        (
            with_header(|h| {
                h.insert("kid".into(), json!("x"));
            }),
            LogoutError::UnknownKey,
            None,
        ),
        (
            with_header(|h| {
                h.insert("kid".into(), json!("ed-1"));
            }),
            LogoutError::KeyMismatch,
            None,
        ),
        (
            format!("{h}.{body}.{}", e(&[0u8; 256])),
            LogoutError::BadSignature,
            None,
        ),
        (
            token_with(Alg::RS256, &rs, &json!([1, 2])),
            LogoutError::BadClaims,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("aud".into(), json!([CLIENT, 7]));
            }),
            LogoutError::BadClaims,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("iss".into(), json!("https://op.example/"));
            }),
            LogoutError::WrongIssuer,
            None,
        ),
        (
            with_claims(|c| {
                c.remove("iss");
            }),
            LogoutError::WrongIssuer,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("aud".into(), json!("other"));
            }),
            LogoutError::WrongAudience,
            None,
        ),
        (
            with_claims(|c| {
                c.remove("aud");
            }),
            LogoutError::WrongAudience,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("azp".into(), json!("other"));
            }),
            LogoutError::WrongAuthorizedParty,
            None,
        ),
        (
            with_claims(|c| {
                c.remove("iat");
            }),
            LogoutError::MissingIssuedAt,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("iat".into(), json!(NOW + 3600));
            }),
            LogoutError::IssuedInFuture,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("iat".into(), json!(NOW - 3600));
            }),
            LogoutError::TooOld,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("exp".into(), json!(NOW - 3600));
            }),
            LogoutError::Expired,
            None,
        ),
        (
            with_claims(|c| {
                c.remove("exp");
            }),
            LogoutError::MissingExpiry,
            Some({
                let mut x = expect();
                x.require_exp = true;
                x
            }),
        ),
        (
            with_claims(|c| {
                c.remove("jti");
            }),
            LogoutError::MissingJti,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("jti".into(), json!(""));
            }),
            LogoutError::MissingJti,
            None,
        ),
        (
            with_claims(|c| {
                c.remove("events");
            }),
            LogoutError::MissingEvents,
            None,
        ),
        (
            with_claims(|c| {
                c.insert(
                    "events".into(),
                    json!("http://schemas.openid.net/event/backchannel-logout"),
                );
            }),
            LogoutError::MissingEvents,
            None,
        ),
        (
            with_claims(|c| {
                c.insert(
                    "events".into(),
                    json!({"http://schemas.openid.net/event/other": {}}),
                );
            }),
            LogoutError::WrongEvent,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("events".into(), json!({BACKCHANNEL_LOGOUT_EVENT: "yes"}));
            }),
            LogoutError::WrongEvent,
            None,
        ),
        (
            with_claims(|c| {
                c.remove("sub");
                c.remove("sid");
            }),
            LogoutError::MissingSubjectAndSession,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("sid".into(), json!(42));
            }),
            LogoutError::MissingSubjectAndSession,
            None,
        ),
        (
            with_claims(|c| {
                c.insert("nonce".into(), json!("n-0S6_WzA2Mj"));
            }),
            LogoutError::NoncePresent,
            None,
        ),
    ];
    let mut seen = HashSet::new();
    for (i, (t, want, custom)) in cases.iter().enumerate() {
        let exp = custom.clone().unwrap_or_else(expect);
        let got = validate(t, &jwks(), &exp, NOW);
        assert_eq!(got, Err(*want), "case {i}");
        seen.insert(*want);
    }
    // The two codes that need state or a JWKS document.
    let mut cache = MemoryReplayCache::default();
    let ok = check(&token(Alg::ES256)).unwrap();
    ok.check_replay(&mut cache, NOW).unwrap();
    let again = check(&token(Alg::ES256)).unwrap();
    assert_eq!(
        again.check_replay(&mut cache, NOW),
        Err(LogoutError::Replayed)
    );
    seen.insert(LogoutError::Replayed);
    for doc in ["", "[]", "{}", r#"{"keys":{}}"#, "{\"keys\":[]"] {
        assert_eq!(
            Jwks::from_json(doc.as_bytes()).unwrap_err(),
            LogoutError::InvalidJwks,
            "{doc}"
        );
    }
    seen.insert(LogoutError::InvalidJwks);
    let missing: Vec<_> = LogoutError::ALL
        .iter()
        .filter(|e| !seen.contains(e))
        .collect();
    assert!(missing.is_empty(), "no test token for {missing:?}");
}

#[test]
fn error_codes_are_unique_and_carry_no_token_data() {
    let codes: HashSet<_> = LogoutError::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(codes.len(), LogoutError::ALL.len());
    for e in LogoutError::ALL {
        assert!(
            e.code()
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c == b'_'),
            "{e:?}"
        );
        assert_eq!(e.to_string(), e.message());
        assert!(!e.message().contains("eyJ"));
    }
    // A secret key never prints.
    let debug = format!("{:?}", Jwk::hmac_secret(HMAC_SECRET, None));
    assert!(!debug.contains("0123456789"), "{debug}");
}

#[test]
fn replay_per_issuer_bounded_in_time_and_size() {
    let mut cache = MemoryReplayCache::new(3);
    assert!(cache.first_use("iss-a", "j1", NOW + 100, NOW));
    assert!(!cache.first_use("iss-a", "j1", NOW + 100, NOW + 50));
    // Another issuer may use the same jti.
    assert!(cache.first_use("iss-b", "j1", NOW + 100, NOW));
    // Issuer and jti are not simply concatenated.
    assert!(cache.first_use("iss-a j", "1", NOW + 100, NOW));
    assert_eq!(cache.len(), 3);
    // Full: the entry closest to expiry makes room.
    assert!(cache.first_use("iss-c", "j9", NOW + 500, NOW));
    assert_eq!(cache.len(), 3);
    // Expired entries are forgotten (their tokens fail the time checks anyway).
    assert!(cache.first_use("iss-a", "j1", NOW + 700, NOW + 101));
    assert!(cache.len() <= 3);
    // A token already past its lifetime is not stored.
    let mut empty = MemoryReplayCache::new(3);
    assert!(empty.first_use("i", "j", NOW, NOW));
    assert!(empty.is_empty());
    // Many distinct jtis never grow the cache past its capacity.
    let mut big = MemoryReplayCache::new(100);
    for i in 0..10_000u64 {
        assert!(big.first_use("i", &i.to_string(), NOW + 1000 + i, NOW));
    }
    assert_eq!(big.len(), 100);
}

#[test]
fn weak_and_exotic_keys_are_not_used() {
    let mut rng = StdRng::seed_from_u64(3);
    let weak = RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let set = json!({"keys": [
        rsa_jwk(&weak, "weak"),
        {"kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "P-256", "kid": "short", "x": "AA", "y": "AA"},
        {"kty": "OKP", "crv": "Ed448", "kid": "ed448", "x": "AA"},
        {"kty": "RSA", "kid": "bad-b64", "n": "!!", "e": "AQAB"},
        {"kty": "RSA", "kid": "ops", "key_ops": ["encrypt"], "n": e(&keys().rsa.n().to_bytes_be()), "e": "AQAB"},
        {"kty": "RSA", "kid": "alg", "alg": "RSA-OAEP", "n": e(&keys().rsa.n().to_bytes_be()), "e": "AQAB"},
        "not an object",
    ]});
    let set = Jwks::from_json(set.to_string().as_bytes()).unwrap();
    assert!(set.keys().is_empty(), "{set:?}");
}

#[test]
fn verify_jws_returns_the_payload_of_any_signed_jwt() {
    let id_claims = json!({"iss": ISS, "aud": CLIENT, "sub": "alice", "nonce": "n"});
    for &alg in Alg::ASYMMETRIC {
        let t = token_with(
            alg,
            &json!({"alg": alg.name(), "kid": kid_for(alg), "typ": "JWT"}),
            &id_claims,
        );
        let payload = verify_jws(&t, &jwks(), Alg::ASYMMETRIC).unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&payload).unwrap(),
            id_claims
        );
        let last = if t.ends_with('A') { "Q" } else { "A" };
        let tampered = format!("{}{last}", &t[..t.len() - 1]);
        assert!(
            verify_jws(&tampered, &jwks(), Alg::ASYMMETRIC).is_err(),
            "{alg:?}"
        );
    }
    let unsigned = format!(
        "{}.{}.",
        e(br#"{"alg":"none"}"#),
        e(id_claims.to_string().as_bytes())
    );
    assert_eq!(
        verify_jws(&unsigned, &jwks(), Alg::ASYMMETRIC),
        Err(LogoutError::AlgorithmNotAllowed)
    );
}

/// The README's "Back-channel logout" section names every error code (one fact, one place: the enum).
#[test]
fn readme_lists_every_error_code() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## Back-channel logout")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Back-channel logout section");
    for e in LogoutError::ALL {
        assert!(
            section.contains(&format!("`{}`", e.code())),
            "README lacks `{}`",
            e.code()
        );
    }
}
