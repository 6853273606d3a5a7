//! PKCE (RFC 7636) for the silent `prompt=none` code flow, and the base64url helper it needs.
//!
//! The browser supplies the randomness (`crypto.getRandomValues`): this module only turns 32 random
//! bytes into a verifier and a verifier into its `S256` challenge, so it stays pure and testable.

use crate::core::error_code::ErrorCode;
use core::fmt;

use sha2::{Digest, Sha256};

/// Base64url without padding (RFC 4648 §5), as used by PKCE and JWTs.
///
/// Strict on input: padding, characters outside the URL-safe alphabet, impossible lengths and
/// non-zero trailing bits are all rejected, so every accepted string has exactly one meaning.
pub(crate) mod b64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// Encodes `bytes` as base64url without padding. Bits go through an accumulator, six at a
    /// time (no `chunks` iterator: size).
    pub(crate) fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        let (mut acc, mut bits) = (0u32, 0u32);
        for &b in bytes {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 6 {
                bits -= 6;
                out.push(char::from(ALPHABET[((acc >> bits) & 0x3f) as usize]));
            }
        }
        // The last 2 or 4 bits, padded with zero bits (no `=`).
        if bits > 0 {
            out.push(char::from(ALPHABET[((acc << (6 - bits)) & 0x3f) as usize]));
        }
        out
    }

    fn value(c: u8) -> Option<u32> {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        Some(u32::from(v))
    }

    /// Decodes unpadded base64url; `None` if `s` is not a canonical encoding.
    pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
        let input = s.as_bytes();
        if input.len() % 4 == 1 {
            return None;
        }
        let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
        let (mut acc, mut bits) = (0u32, 0u32);
        for &c in input {
            acc = (acc << 6) | value(c)?;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        // Bits left over after the last whole byte (2 or 4) must be zero (RFC 4648 §3.5).
        if acc & ((1 << bits) - 1) != 0 {
            return None;
        }
        Some(out)
    }
}

/// Number of random bytes a verifier is built from (gives the 43-character verifier RFC 7636
/// recommends: 256 bits of entropy).
pub const VERIFIER_RANDOM_BYTES: usize = 32;

/// A PKCE `code_verifier`: the secret half of PKCE, kept in memory until the code exchange.
///
/// Its `Debug` output is `CodeVerifier([redacted])`, so it never lands in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeVerifier(String);

impl CodeVerifier {
    /// Builds a verifier from 32 random bytes, e.g. from `crypto.getRandomValues(new Uint8Array(32))`.
    ///
    /// The result is the bytes in base64url without padding: 43 characters.
    ///
    /// # Security
    /// The bytes must come from a cryptographically secure generator; never reuse them.
    pub fn from_random_bytes(bytes: &[u8; VERIFIER_RANDOM_BYTES]) -> Self {
        CodeVerifier(b64::encode(bytes))
    }

    /// Accepts an existing verifier, checked against RFC 7636 §4.1: 43 to 128 characters from
    /// `A-Z a-z 0-9 - . _ ~`.
    ///
    /// # Errors
    /// [`PkceError::InvalidVerifier`] if the length or a character is not allowed.
    pub fn from_string(verifier: &str) -> Result<Self, PkceError> {
        let len_ok = (43..=128).contains(&verifier.len());
        let chars_ok = verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if len_ok && chars_ok {
            Ok(CodeVerifier(verifier.to_owned()))
        } else {
            Err(PkceError::InvalidVerifier)
        }
    }

    /// The verifier itself, for the token request's `code_verifier` parameter.
    ///
    /// # Security
    /// Send it only to the token endpoint; do not log it or put it in an event.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier([redacted])")
    }
}

/// The `S256` `code_challenge` for `verifier`: `base64url(sha256(verifier))`, 43 characters.
///
/// Send it with `code_challenge_method=S256` on the authorization request.
pub fn code_challenge_s256(verifier: &CodeVerifier) -> String {
    let digest = Sha256::digest(verifier.secret().as_bytes());
    b64::encode(&digest)
}

/// What can go wrong with PKCE input.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PkceError {
    /// The code verifier is not 43–128 characters of `A-Z a-z 0-9 - . _ ~` (RFC 7636 §4.1).
    InvalidVerifier,
}

impl PkceError {
    /// A stable code that JavaScript can branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            PkceError::InvalidVerifier => ErrorCode::InvalidCodeVerifier,
        }
    }

    /// A readable explanation, in English.
    pub fn message(&self) -> &'static str {
        match self {
            PkceError::InvalidVerifier => {
                "the PKCE code verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~"
            }
        }
    }
}

impl fmt::Display for PkceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for PkceError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 appendix B: the octets of the example verifier.
    const RFC_BYTES: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /// RFC 7636 appendix B's challenge (checked with `sha256sum | base64`).
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    /// RFC 7636 appendix B: the SHA-256 octets of the verifier.
    const RFC_DIGEST: [u8; 32] = [
        19, 211, 30, 150, 26, 26, 216, 236, 47, 22, 177, 12, 76, 152, 46, 8, 118, 168, 120, 173,
        109, 241, 68, 86, 110, 225, 137, 74, 203, 112, 249, 195,
    ];

    #[test]
    fn rfc7636_appendix_b_bytes_to_verifier() {
        let v = CodeVerifier::from_random_bytes(&RFC_BYTES);
        assert_eq!(v.secret(), RFC_VERIFIER);
        assert_eq!(v.secret().len(), 43);
    }

    #[test]
    fn rfc7636_appendix_b_challenge() {
        let v = CodeVerifier::from_string(RFC_VERIFIER).unwrap();
        assert_eq!(code_challenge_s256(&v), RFC_CHALLENGE);
        let from_bytes = CodeVerifier::from_random_bytes(&RFC_BYTES);
        assert_eq!(code_challenge_s256(&from_bytes), RFC_CHALLENGE);
        assert_eq!(
            Sha256::digest(RFC_VERIFIER.as_bytes()).as_slice(),
            &RFC_DIGEST
        );
        assert_eq!(b64::decode(RFC_CHALLENGE).unwrap(), RFC_DIGEST);
    }

    #[test]
    fn debug_is_redacted() {
        let v = CodeVerifier::from_random_bytes(&RFC_BYTES);
        let shown = format!("{v:?}");
        assert_eq!(shown, "CodeVerifier([redacted])");
        assert!(!shown.contains(RFC_VERIFIER));
    }

    #[test]
    fn from_string_rules() {
        let cases: &[(&str, bool)] = &[
            (RFC_VERIFIER, true),
            (&"a".repeat(43), true),
            (&"a".repeat(128), true),
            (&"a".repeat(42), false),
            (&"a".repeat(129), false),
            ("", false),
            ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ-._~", true),
            ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ+", false),
            ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ=", false),
            ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ ", false),
            ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPé", false),
        ];
        for (input, ok) in cases {
            let got = CodeVerifier::from_string(input);
            assert_eq!(got.is_ok(), *ok, "input {input:?}");
            if !ok {
                assert_eq!(got.unwrap_err(), PkceError::InvalidVerifier);
            }
        }
    }

    #[test]
    fn error_strings() {
        assert_eq!(
            PkceError::InvalidVerifier.code().as_str(),
            "invalid_code_verifier"
        );
        assert!(!PkceError::InvalidVerifier.message().is_empty());
    }

    #[test]
    fn b64_rfc4648_vectors() {
        // RFC 4648 §10, without padding.
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff, 0xbf], "-_-_"),
        ];
        for (raw, enc) in cases {
            assert_eq!(b64::encode(raw), *enc);
            assert_eq!(b64::decode(enc).as_deref(), Some(*raw));
        }
    }

    #[test]
    fn b64_rejects_invalid() {
        for bad in [
            "Z", "Zg==", "Zm9v=", "Zm+v", "Zm/v", "Zm9v Yg", "Zh", "Zm9", "Zm9vYh", "é",
        ] {
            assert_eq!(b64::decode(bad), None, "{bad:?}");
        }
        // Zm8 is canonical; Zm9 has non-zero trailing bits.
        assert!(b64::decode("Zm8").is_some());
    }

    #[test]
    fn b64_round_trips_all_lengths() {
        let data: Vec<u8> = (0..=255u8).collect();
        for len in 0..data.len() {
            let enc = b64::encode(&data[..len]);
            assert!(!enc.contains('='));
            assert_eq!(b64::decode(&enc).unwrap(), &data[..len]);
        }
    }
}
