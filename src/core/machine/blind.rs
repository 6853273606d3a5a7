//! When the OP iframe cannot see the OP's cookies (third-party cookies blocked or partitioned).
//!
//! A blind OP iframe answers `changed` or `error` for a user who is still signed in, and a
//! `prompt=none` re-authentication in a hidden iframe is just as blind (`login_required`). Taking
//! either at its word throws a signed-in user out: the worst bug a monitor can have. So the
//! machine keeps two facts and, while the OP is cross-site and the iframe has not yet proven that
//! it sees its cookies (no `unchanged` since `start()`), turns each signal below into the error
//! `third_party_cookies_blocked` instead of `changed`, `op_error` or `signedOut`.

/// Whether the OP iframe is same-site with the page (the top-level site the browser partitions
/// by). Third-party cookie rules apply only to a cross-site iframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpSite {
    /// Same scheme and the same host, or one host a subdomain of the other: the OP's cookies
    /// reach its iframe under every browser policy.
    Same,
    /// Anything else, including what cannot be told apart without the Public Suffix List
    /// (`app.example.com` beside `login.example.com`) and a page that is itself framed: treated
    /// with the caution a cross-site iframe needs.
    Cross,
}

impl OpSite {
    /// The relation of the OP iframe to the page, from two serialised origins (`URL.origin`).
    /// `framed`: the page is itself inside another page's iframe, whose site is unknown here.
    pub fn of(page_origin: &str, op_origin: &str, framed: bool) -> OpSite {
        /// The scheme and the host (an IPv6 literal with its brackets) of a serialised origin.
        fn split(o: &str) -> Option<(&str, &str)> {
            // A byte split, then a prefix: no searcher (and its panic paths) in the .wasm.
            let (scheme, rest) = text::split_once(o, b':')?;
            let rest = rest.strip_prefix("//")?;
            // An IPv6 literal keeps its colons inside brackets; the port follows the last colon.
            let host = match text::rsplit_once(rest, b':') {
                Some((host, port)) if !text::has(port, b']') => host,
                _ => rest,
            };
            Some((scheme, host))
        }
        let (Some((s1, h1)), Some((s2, h2))) = (split(page_origin), split(op_origin)) else {
            return OpSite::Cross;
        };
        // Hosts compare ASCII case aside, in place (no lower-case copies: size).
        let ip = |h: &str| h.starts_with("[") || h.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        // `b` is a subdomain of `a`, and `a` has a dot (not a bare top-level label): `b` is more
        // than one byte, then a dot, then `a`.
        let under = |a: &str, b: &str| {
            let (head, bytes) = (b.len().saturating_sub(a.len()), b.as_bytes());
            !ip(a)
                && text::has(a, b'.')
                && head > 1
                && bytes.get(head - 1) == Some(&b'.')
                && bytes
                    .get(head..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(a.as_bytes()))
        };
        if !framed && s1 == s2 && (h1.eq_ignore_ascii_case(h2) || under(h1, h2) || under(h2, h1)) {
            OpSite::Same
        } else {
            OpSite::Cross
        }
    }

    /// `same-site` or `cross-site`, as `diagnose()` reports it.
    pub fn as_str(self) -> &'static str {
        match self {
            OpSite::Same => "same-site",
            OpSite::Cross => "cross-site",
        }
    }
}

/// Which signal said the OP iframe is blind (`e.detail.evidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence {
    /// The OP iframe's very first answer since `start()` was `error`.
    ErrorFromStart,
    /// The OP iframe's very first answer since `start()` was `changed`, and no re-authentication
    /// is configured to tell a stale value from a blind iframe.
    FirstAnswerChanged,
    /// `prompt=none` returned `login_required` right after a first-answer `changed`.
    LoginRequiredAfterFirstChanged,
    /// The OP iframe said `changed` for the `session_state` the OP had just issued to the
    /// `prompt=none` re-authentication.
    ChangedAfterRenewal,
}

impl Evidence {
    /// Every kind of evidence.
    pub const ALL: [Evidence; 4] = [
        Evidence::ErrorFromStart,
        Evidence::FirstAnswerChanged,
        Evidence::LoginRequiredAfterFirstChanged,
        Evidence::ChangedAfterRenewal,
    ];

    /// Stable name for JavaScript (`e.detail.evidence`).
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::ErrorFromStart => "error_from_start",
            Evidence::FirstAnswerChanged => "first_answer_changed",
            Evidence::LoginRequiredAfterFirstChanged => "login_required_after_first_changed",
            Evidence::ChangedAfterRenewal => "changed_after_renewal",
        }
    }
}

/// What the monitor does once the OP iframe is found blind (`thirdPartyCookiesBlocked` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BlindPolicy {
    /// Report the error and stop polling (`stopped` with reason `third_party_cookies_blocked`).
    #[default]
    Stop,
    /// Report the error, drop the OP iframe and keep following the first-party `rpSession`
    /// signal, which no cookie policy blocks.
    RpSession,
}

use crate::core::text;
use crate::core::types::OpAnswer;

/// The facts the machine keeps about the OP iframe's sight, reset at every `start()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Sight {
    /// The iframe has answered since `start()` (its first answer may come after a failed read).
    pub answered: bool,
    /// That first answer (`diagnose()` reports it).
    pub first_answer: Option<OpAnswer>,
    /// An `unchanged` answer came since `start()`: the iframe sees its cookies.
    pub proven: bool,
    /// The current `changed` streak began with the iframe's very first answer.
    pub first_changed: bool,
    /// The value in flight was issued by the OP to the re-authentication just now.
    pub renewed_in_flight: bool,
}
