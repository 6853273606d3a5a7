//! The OP side of Session Management 1.0: computing and verifying `session_state`.
//!
//! The spec's example (§4.2) and real OPs compute
//! `H(client_id + " " + origin + " " + browser_state + " " + salt) + "." + salt`
//! with H = SHA-256, but encode it differently:
//!
//! | [`Encoding`] | shape | seen in |
//! |---|---|---|
//! | [`Encoding::HexSalted`] | `hex(sha256(c o b salt)) "." salt` | the spec's example, django-oidc-provider |
//! | [`Encoding::Base64UrlUnsalted`] | `base64url(sha256(c o b))`, 43 characters | node oidc-provider (successful responses) |
//! | [`Encoding::Base64UrlSalted`] | `base64url(sha256(c o b salt)) "." salt` | node oidc-provider (error responses) |
//! | [`Encoding::Base64Salted`] | `base64(sha256(c o b salt)) "." salt`, with `+ / =` | some C OPs |
//!
//! (`c o b` is `client_id " " origin " " browser_state`, space-separated.) An OP author computes
//! with [`compute`] and answers the check-session iframe with [`verify`], which accepts any of the
//! four shapes and compares in constant time. RPs never need this: to them `session_state` is
//! opaque.

use sha2::{Digest, Sha256};

use super::pkce::b64;

/// How a `session_state` hash (and salt) is written. See the [module docs](self).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Lower-case hex, then `.` and the salt (django-oidc-provider, the spec's example).
    HexSalted,
    /// Base64url without padding, no salt (node oidc-provider on success).
    Base64UrlUnsalted,
    /// Base64url without padding, then `.` and the salt (node oidc-provider on error responses).
    Base64UrlSalted,
    /// Standard base64 with padding, then `.` and the salt.
    Base64Salted,
}

impl Encoding {
    /// Every encoding [`verify`] tries.
    pub const ALL: &'static [Encoding] = &[
        Encoding::HexSalted,
        Encoding::Base64UrlUnsalted,
        Encoding::Base64UrlSalted,
        Encoding::Base64Salted,
    ];

    fn salted(self) -> bool {
        !matches!(self, Encoding::Base64UrlUnsalted)
    }
}

/// Computes `session_state` for `client_id`, the RP's `origin` (scheme, host and port, no trailing
/// slash), the OP's `browser_state` (what the OP keeps in its browser cookie) and `salt` (fresh
/// random per response; ignored by [`Encoding::Base64UrlUnsalted`]).
pub fn compute(
    client_id: &str,
    origin: &str,
    browser_state: &str,
    salt: &str,
    encoding: Encoding,
) -> String {
    let mut h = Sha256::new();
    h.update(client_id.as_bytes());
    h.update(b" ");
    h.update(origin.as_bytes());
    h.update(b" ");
    h.update(browser_state.as_bytes());
    if encoding.salted() {
        h.update(b" ");
        h.update(salt.as_bytes());
    }
    let digest: [u8; 32] = h.finalize().into();
    let mut out = match encoding {
        Encoding::HexSalted => hex(&digest),
        Encoding::Base64UrlUnsalted | Encoding::Base64UrlSalted => b64::encode(&digest),
        Encoding::Base64Salted => standard_base64(&digest),
    };
    if encoding.salted() {
        out.push('.');
        out.push_str(salt);
    }
    out
}

/// Whether `session_state` is what [`compute`] gives for these inputs in any [`Encoding`], the
/// salt taken from after the last `.`. The comparison takes the same time wherever the values
/// differ, so the check-session endpoint leaks nothing about the expected value.
pub fn verify(session_state: &str, client_id: &str, origin: &str, browser_state: &str) -> bool {
    let salt = session_state.rsplit_once('.').map(|(_, salt)| salt);
    let mut ok = false;
    for &encoding in Encoding::ALL {
        let expected = match (encoding.salted(), salt) {
            (true, Some(salt)) => compute(client_id, origin, browser_state, salt, encoding),
            (false, None) => compute(client_id, origin, browser_state, "", encoding),
            _ => continue,
        };
        // `|` (not `||`): every candidate is compared, whichever matches.
        ok |= constant_time_eq(expected.as_bytes(), session_state.as_bytes());
    }
    ok
}

/// Compares in time that depends only on the lengths (which are public: they follow from the
/// encoding).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// RFC 4648 §4 base64 with padding, from the base64url encoder.
fn standard_base64(bytes: &[u8]) -> String {
    let mut out: String = b64::encode(bytes)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while out.len() % 4 != 0 {
        out.push('=');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = "session-rp";
    const ORIGIN: &str = "http://127.0.0.1:9030";

    #[test]
    fn spec_shape_hex_salted() {
        let s = compute(CLIENT, ORIGIN, "bs", "salt01", Encoding::HexSalted);
        let (hash, salt) = s.split_once('.').unwrap();
        assert_eq!(salt, "salt01");
        assert_eq!(hash.len(), 64);
        assert!(hash
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    /// Known answers, computed independently with coreutils and openssl:
    /// `printf 'session-rp http://127.0.0.1:9030 bs salt01' | sha256sum`,
    /// `printf 'session-rp http://127.0.0.1:9030 bs' | openssl dgst -sha256 -binary | base64 | tr '+/' '-_'`
    /// (padding dropped) and the salted input through `openssl dgst -sha256 -binary | base64`.
    #[test]
    fn known_answers() {
        assert_eq!(
            compute(CLIENT, ORIGIN, "bs", "salt01", Encoding::HexSalted),
            "0c42de739f7a7e5b21873fd322078a3b133022472dd8308bc6dc8dbe345873f6.salt01"
        );
        assert_eq!(
            compute(CLIENT, ORIGIN, "bs", "", Encoding::Base64UrlUnsalted),
            "f1S6UedeYkPIFQqyj_zDWlntX5O9KqEBqTUi-FIW0yw"
        );
        assert_eq!(
            compute(CLIENT, ORIGIN, "bs", "salt01", Encoding::Base64Salted),
            "DELec596flshhz/TIgeKOxMwIkct2DCLxtyNvjRYc/Y=.salt01"
        );
    }

    #[test]
    fn verify_accepts_every_encoding_and_rejects_any_change() {
        for &enc in Encoding::ALL {
            let s = compute(CLIENT, ORIGIN, "browser-state", "a1b2", enc);
            assert!(verify(&s, CLIENT, ORIGIN, "browser-state"), "{enc:?}");
            assert!(!verify(&s, "other", ORIGIN, "browser-state"), "{enc:?}");
            assert!(
                !verify(&s, CLIENT, "http://127.0.0.1:9031", "browser-state"),
                "{enc:?}"
            );
            assert!(!verify(&s, CLIENT, ORIGIN, "browser-statf"), "{enc:?}");
            // Every single-character change is refused.
            for i in 0..s.len() {
                let mut bytes = s.clone().into_bytes();
                bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
                let changed = String::from_utf8(bytes).unwrap();
                if changed != s {
                    assert!(
                        !verify(&changed, CLIENT, ORIGIN, "browser-state"),
                        "{enc:?} at {i}"
                    );
                }
            }
        }
        assert!(!verify("", CLIENT, ORIGIN, "browser-state"));
        assert!(!verify(".", CLIENT, ORIGIN, "browser-state"));
    }

    #[test]
    fn salt_changes_the_hash() {
        let a = compute(CLIENT, ORIGIN, "bs", "s1", Encoding::HexSalted);
        let b = compute(CLIENT, ORIGIN, "bs", "s2", Encoding::HexSalted);
        assert_ne!(a.split('.').next(), b.split('.').next());
    }
}
