//! The protocol, in plain Rust: no `wasm_bindgen`, `web_sys` or `js_sys` here, so `cargo test` checks
//! all of it natively.
//!
//! - [`types`]: validated values (`ClientId`, `SessionState`, `OpOrigin`, `CheckSessionUrl`) and the
//!   iframe's answers.
//! - [`origin`]: URL origin parsing and normalisation, as browsers compute `URL.origin`.
//! - [`percent`], [`cookie`]: cookie values, names and the scope renewals are written with.
//! - [`machine`]: the monitor's state machine: inputs in, effects out.
//! - [`diagnose`]: the verdict and advice of `monitor.diagnose()`.
//! - [`logout`]: the end-session URL, the post-logout `state`, the front-channel page's names, the
//!   RP server's session answer.
//! - [`tabs`]: what the tabs of one origin say to each other (lock and channel names, messages).
//! - [`text`]: splitting strings at an ASCII byte, without `char` patterns, and a small UTF-8
//!   check (size).
//! - [`pkce`], [`discovery`], [`claims`], [`authorize`], [`loop_guard`]: `prompt=none` re-authentication.
//! - `session_state` (cargo feature `op`): the OP side of `session_state` (compute and verify), for
//!   OP authors; pure Rust, usable natively and in wasm.

pub mod authorize;
pub mod claims;
pub mod cookie;
pub mod diagnose;
pub mod discovery;
pub mod error_code;
pub mod logout;
pub mod loop_guard;
pub mod machine;
pub mod members;
pub mod origin;
pub mod percent;
pub mod pkce;
#[cfg(feature = "op")]
pub mod session_state;
pub mod tabs;
pub mod text;
pub mod types;

#[cfg(test)]
mod security_docs;

/// Every parser that sees page or network input, fed random strings made of the characters that
/// matter to URLs, cookies and JWTs: none may panic (a panic would cross the JS boundary).
#[cfg(test)]
mod no_panic_on_any_input {
    #[cfg(feature = "server")]
    use super::pkce::b64;
    use super::*;

    const ALPHABET: &[&str] = &[
        "%",
        "%2",
        "%zz",
        "%41",
        "#",
        "?",
        "&",
        "=",
        "+",
        "[",
        "]",
        ":",
        "::",
        "/",
        "//",
        "\\",
        ".",
        "@",
        ";",
        " ",
        "\"",
        "0x",
        "0",
        "9",
        "255",
        "65536",
        "a",
        "Z",
        "ü",
        "\u{0}",
        "\u{7f}",
        "-",
        "_",
        "eyJ",
        "e30",
        "http:",
        "https://",
        "state",
        "code",
        "error",
        "login_required",
        "session_state",
        "[::1]",
        "127.1",
        "€",
    ];

    fn strings(count: usize) -> Vec<String> {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..count)
            .map(|_| {
                let len = (next() % 24) as usize;
                (0..len)
                    .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    /// The `server` feature's parsers: `logout_token` validation (also with every part built from
    /// random text) and JWKS documents.
    #[cfg(feature = "server")]
    fn server_parsers(s: &str) {
        use crate::server::{validate, Expect, Jwks};
        let expect = Expect::new("https://op", "c");
        let jwks = Jwks::default();
        let e = b64::encode(s.as_bytes());
        let _ = validate(s, &jwks, &expect, 0);
        let _ = validate([&e, ".", &e, ".", &e].concat(), &jwks, &expect, u64::MAX);
        let _ = validate([s, ".", s, ".", s].concat(), &jwks, &expect, 1_700_000_000);
        // With `none` allowed, random claims reach the claim checks too.
        let mut insecure = expect.clone();
        insecure.algorithms = vec![crate::server::Alg::None];
        let none = b64::encode(br#"{"alg":"none"}"#);
        for payload in [
            ["{", s, "}"].concat(),
            [
                r#"{"iss":"https://op","aud":["c"],"iat":1,"jti":"j","events":{"#,
                s,
                "}}",
            ]
            .concat(),
            [
                r#"{"iss":"https://op","aud":"c","iat":"#,
                s,
                r#","jti":"j","sid":"#,
                s,
                "}",
            ]
            .concat(),
        ] {
            let t = [none.as_str(), ".", &b64::encode(payload.as_bytes()), "."].concat();
            let _ = validate(&t, &jwks, &insecure, 100);
        }
        let _ = Jwks::from_json(s.as_bytes());
        let _ = Jwks::from_json(["{\"keys\":[{", s, "}]}"].concat().as_bytes());
    }

    #[test]
    fn parsers_never_panic() {
        for s in strings(20_000) {
            let _ = origin::origin_of(&s);
            let _ = percent::percent_decode(&s);
            let _ = cookie::cookie_value(&s, "a");
            let _ = cookie::check_name(&s);
            let _ = types::CheckSessionUrl::new(&s);
            let _ = types::SessionState::new(&s);
            let _ = types::ClientId::new(&s);
            let _ = types::OpAnswer::parse(&s);
            let _ = authorize::parse_callback(&s, authorize::ResponseMode::Query);
            let _ = authorize::parse_callback(&s, authorize::ResponseMode::Fragment);
            if let Ok(c) = authorize::CallbackResponse::from_params(&s) {
                let _ = c.verify("state", authorize::ResponseType::Code, "https://op");
            }
            let _ = claims::decode_payload(&s);
            let _ = claims::decode_payload(&[&s, ".", &s, ".", &s].concat());
            let _ = pkce::CodeVerifier::from_string(&s);
            let _ = discovery::discovery_url(&s);
            let _ = discovery::is_http_url(&s);
            let _ = pkce::b64::decode(&s);
            let _ = logout::verify_post_logout(&s, Some("st"));
            #[cfg(feature = "op")]
            let _ = session_state::verify(&s, "c", "http://o", "b");
            #[cfg(feature = "server")]
            server_parsers(&s);
        }
    }
}
