//! Validated protocol values and the iframe's answers.
//!
//! Every value that comes from the page or from options goes through a constructor that returns
//! `Result`, so the rest of the crate never handles an unchecked string. `SessionState` is a secret:
//! its `Debug` form is `SessionState([redacted])`, and nothing in this crate logs it.

use crate::core::error_code::ErrorCode;
use core::fmt;

use crate::core::origin::{origin_of, OriginError};

/// Why a value was rejected. Each variant has a stable [`code`](ValueError::code) for JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueError {
    /// `clientId` is empty.
    EmptyClientId,
    /// `clientId` contains a space or a control character: the check message is `client_id + " " +
    /// session_state`, and OPs split it at the space.
    InvalidClientId,
    /// The `session_state` value is empty or contains a control character.
    InvalidSessionState,
    /// A URL could not be parsed, or it is not an absolute `http:`/`https:` URL.
    Url(OriginError),
}

impl ValueError {
    /// Stable machine-readable code, surfaced to JavaScript as `error.code`.
    pub fn code(self) -> ErrorCode {
        match self {
            ValueError::EmptyClientId => ErrorCode::MissingClientId,
            ValueError::InvalidClientId => ErrorCode::InvalidClientId,
            ValueError::InvalidSessionState => ErrorCode::InvalidSessionState,
            ValueError::Url(e) => e.code(),
        }
    }

    /// Human-readable explanation.
    pub fn message(self) -> &'static str {
        match self {
            ValueError::EmptyClientId => "clientId must be a non-empty string",
            ValueError::InvalidClientId => "clientId must not contain spaces or control characters",
            ValueError::InvalidSessionState => {
                "session_state must be a non-empty string without control characters"
            }
            ValueError::Url(e) => e.message(),
        }
    }
}

/// Whether `s` holds a control character (C0, DEL or C1): one check for client ids, session
/// states, cookie attributes and tab-message fields.
pub(crate) fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control())
}

/// The RP's OAuth 2.0 `client_id`, as registered at the OP.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientId(String);

impl ClientId {
    /// Validates a client id: non-empty, no space, no control character.
    pub fn new(value: &str) -> Result<Self, ValueError> {
        if value.is_empty() {
            return Err(ValueError::EmptyClientId);
        }
        if crate::core::text::has(value, b' ') || has_control(value) {
            return Err(ValueError::InvalidClientId);
        }
        Ok(ClientId(value.into()))
    }

    /// The client id as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientId").field(&self.0).finish()
    }
}

/// The OP's opaque `session_state`. Forwarded byte for byte, never parsed, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionState(String);

impl SessionState {
    /// Accepts any non-empty value without control characters. Its format is the OP's business
    /// (hex + salt, base64url, standard base64, a bare session id all occur in the wild).
    ///
    /// Takes the value as it comes (the browser glue always has a `String`: no copy of it).
    pub fn new(value: impl Into<String>) -> Result<Self, ValueError> {
        let value = value.into();
        if value.is_empty() || has_control(&value) {
            return Err(ValueError::InvalidSessionState);
        }
        Ok(SessionState(value))
    }

    /// The raw value. Callers must not log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionState([redacted])")
    }
}

/// An origin (`scheme://host[:port]`) serialised exactly as browsers put it in `MessageEvent.origin`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OpOrigin(String);

impl OpOrigin {
    /// The origin of an absolute `http:` or `https:` URL (default ports dropped, host lower-cased,
    /// IPv4 and IPv6 literals in canonical form).
    pub fn of_url(url: &str) -> Result<Self, ValueError> {
        origin_of(url).map(OpOrigin).map_err(ValueError::Url)
    }

    /// An origin already serialised by a WHATWG URL parser (the browser's `URL.origin`). The
    /// caller vouches for it; the WebAssembly build uses the browser's parser instead of
    /// [`origin_of`], which keeps the binary small and agrees with the browser by construction.
    pub fn from_serialized(origin: String) -> Self {
        OpOrigin(origin)
    }

    /// The serialised origin, for `postMessage`'s `targetOrigin` and for comparing with
    /// `MessageEvent.origin`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The OP's `check_session_iframe` URL, with its origin computed once.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CheckSessionUrl {
    url: String,
    origin: OpOrigin,
}

impl CheckSessionUrl {
    /// Validates an absolute `http:`/`https:` URL and derives its origin.
    pub fn new(url: &str) -> Result<Self, ValueError> {
        let origin = OpOrigin::of_url(url)?;
        Ok(CheckSessionUrl {
            url: url.trim_ascii().into(),
            origin,
        })
    }

    /// A URL whose origin was computed elsewhere (see [`OpOrigin::from_serialized`]).
    pub fn with_origin(url: &str, origin: OpOrigin) -> Self {
        CheckSessionUrl {
            url: url.trim_ascii().into(),
            origin,
        }
    }

    /// The URL to load in the hidden iframe.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The only origin messages go to, and the only one answers are accepted from.
    pub fn origin(&self) -> &OpOrigin {
        &self.origin
    }
}

/// What the OP's iframe answers to a check message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OpAnswer {
    /// The session at the OP is the one `session_state` describes.
    Unchanged,
    /// The session changed: signed out, signed in again, or another user.
    Changed,
    /// The OP could not check (malformed message, unknown client, no OP cookie).
    Error,
}

impl OpAnswer {
    /// Parses the exact strings of Session Management 1.0 §3.2; anything else is not an answer.
    pub fn parse(data: &str) -> Option<Self> {
        match data {
            "unchanged" => Some(OpAnswer::Unchanged),
            "changed" => Some(OpAnswer::Changed),
            "error" => Some(OpAnswer::Error),
            _ => None,
        }
    }

    /// The answer's string, as the OP posts it.
    pub fn as_str(self) -> &'static str {
        match self {
            OpAnswer::Unchanged => "unchanged",
            OpAnswer::Changed => "changed",
            OpAnswer::Error => "error",
        }
    }
}

/// Extra answer strings of known OPs, mapped to the three answers (the `answers` option): for
/// example OAuthSD's sample RP expects `"connected"` where the specification says `unchanged`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnswerMap(Vec<(String, OpAnswer)>);

impl AnswerMap {
    /// Adds `data` → `answer`. The three standard strings cannot be remapped (that would let a
    /// configuration hide `changed`), and `data` must be a non-empty string without control
    /// characters.
    pub fn insert(&mut self, data: &str, answer: &str) -> Result<(), AnswerMapError> {
        if data.is_empty() || has_control(data) || OpAnswer::parse(data).is_some() {
            return Err(AnswerMapError::InvalidKey);
        }
        let answer = OpAnswer::parse(answer).ok_or(AnswerMapError::InvalidValue)?;
        self.0.retain(|(k, _)| k != data);
        self.0.push((data.to_owned(), answer));
        Ok(())
    }

    /// The answer `data` stands for: one of the three strings, or a mapped one.
    pub fn classify(&self, data: &str) -> Option<OpAnswer> {
        OpAnswer::parse(data).or_else(|| {
            self.0
                .iter()
                .find(|(k, _)| k == data)
                .map(|&(_, answer)| answer)
        })
    }
}

/// Why an `answers` entry was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerMapError {
    /// Empty, has control characters, or is one of `unchanged`, `changed`, `error`.
    InvalidKey,
    /// Not one of `unchanged`, `changed`, `error`.
    InvalidValue,
}

/// The longest preview of an unexpected answer [`answer_preview`] makes, in characters (all ASCII).
pub const ANSWER_PREVIEW_CHARS: usize = 32;

/// At most 32 printable ASCII characters of an unexpected message, anything else replaced by
/// `?`, for an error event: enough to recognise an OP's dialect, never a long echo.
pub fn answer_preview(data: &str) -> String {
    // By bytes, without `char` decoding: each character starts with exactly one byte that is not
    // a UTF-8 continuation byte, and only an ASCII one can be printable.
    let mut out = String::with_capacity(ANSWER_PREVIEW_CHARS);
    for b in data.bytes().filter(|b| b & 0xc0 != 0x80) {
        if out.len() == ANSWER_PREVIEW_CHARS {
            break;
        }
        out.push(char::from(if (b' '..=b'~').contains(&b) {
            b
        } else {
            b'?'
        }));
    }
    out
}

/// The message posted to the OP iframe: `client_id + " " + session_state`, byte for byte.
pub fn check_message(client_id: &ClientId, session_state: &SessionState) -> String {
    let (c, s) = (client_id.as_str(), session_state.expose_secret());
    let mut m = String::with_capacity(c.len() + 1 + s.len());
    m.push_str(c);
    m.push(' ');
    m.push_str(s);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_id_validation() {
        assert_eq!(ClientId::new(""), Err(ValueError::EmptyClientId));
        assert_eq!(ClientId::new("a b"), Err(ValueError::InvalidClientId));
        assert_eq!(ClientId::new("a\nb"), Err(ValueError::InvalidClientId));
        assert_eq!(ClientId::new("session-rp").unwrap().as_str(), "session-rp");
        assert_eq!(
            ValueError::EmptyClientId.code().as_str(),
            "missing_client_id"
        );
    }

    #[test]
    fn session_state_is_opaque_and_redacted() {
        for v in [
            "0b2f1a.c3d4",
            "aGVsbG8gd29ybGQ_-",
            "q+/w==",
            "a.b.c",
            "5c4d0f0f-1d0f-4a39-9e4a-3e5a3c0e1c11",
            "has space",
        ] {
            let s = SessionState::new(v).unwrap();
            assert_eq!(s.expose_secret(), v);
            assert_eq!(std::format!("{s:?}"), "SessionState([redacted])");
        }
        assert_eq!(SessionState::new(""), Err(ValueError::InvalidSessionState));
        assert_eq!(
            SessionState::new("a\u{0}b"),
            Err(ValueError::InvalidSessionState)
        );
    }

    #[test]
    fn message_is_client_id_space_state() {
        let c = ClientId::new("client01").unwrap();
        let s = SessionState::new("q+/w==.salt").unwrap();
        assert_eq!(check_message(&c, &s), "client01 q+/w==.salt");
    }

    #[test]
    fn answers_are_exact() {
        assert_eq!(OpAnswer::parse("unchanged"), Some(OpAnswer::Unchanged));
        assert_eq!(OpAnswer::parse("changed"), Some(OpAnswer::Changed));
        assert_eq!(OpAnswer::parse("error"), Some(OpAnswer::Error));
        for junk in [
            "",
            "Unchanged",
            " changed",
            "connected",
            "changed\n",
            "error ",
        ] {
            assert_eq!(OpAnswer::parse(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn answer_map_adds_dialects_but_never_remaps_the_three() {
        let mut m = AnswerMap::default();
        assert_eq!(m.classify("connected"), None);
        m.insert("connected", "unchanged").unwrap();
        assert_eq!(m.classify("connected"), Some(OpAnswer::Unchanged));
        assert_eq!(m.classify("changed"), Some(OpAnswer::Changed));
        for key in ["changed", "unchanged", "error", "", "a\nb"] {
            assert_eq!(
                m.insert(key, "unchanged"),
                Err(AnswerMapError::InvalidKey),
                "{key:?}"
            );
        }
        assert_eq!(m.insert("x", "fine"), Err(AnswerMapError::InvalidValue));
        m.insert("connected", "changed").unwrap();
        assert_eq!(
            m.classify("connected"),
            Some(OpAnswer::Changed),
            "last wins"
        );
    }

    #[test]
    fn answer_preview_reads_characters_not_bytes() {
        let by_chars = |d: &str| -> String {
            d.chars()
                .take(ANSWER_PREVIEW_CHARS)
                .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
                .collect()
        };
        let long = "é€😀a".repeat(20);
        for d in [
            "",
            "ok",
            "é",
            "a€b😀c\u{7f}\u{9f}",
            "\u{10ffff}x",
            long.as_str(),
        ] {
            assert_eq!(answer_preview(d), by_chars(d), "{d:?}");
        }
    }

    #[test]
    fn answer_preview_is_short_and_printable() {
        assert_eq!(answer_preview("connected"), "connected");
        assert_eq!(answer_preview("a\u{0}b\u{e9}\n"), "a?b??");
        let long = "x".repeat(100);
        assert_eq!(answer_preview(&long).len(), 32);
    }

    #[test]
    fn check_session_url_keeps_url_and_origin() {
        let u = CheckSessionUrl::new("https://OP.example:443/check?x=1#f").unwrap();
        assert_eq!(u.url(), "https://OP.example:443/check?x=1#f");
        assert_eq!(u.origin().as_str(), "https://op.example");
    }
}
