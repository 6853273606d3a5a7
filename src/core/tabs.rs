//! What the tabs of one RP origin say to each other: the names of their lock and channel, and the
//! messages on that channel, with the validation every received message goes through.
//!
//! Monitors that watch the same OP origin, `client_id` and session_state source share one poller
//! (see [`crate::core::machine`]): the leader holds a Web Lock named by [`lock_name`] and tells the
//! others, on a `BroadcastChannel` named by [`channel_name`], what it saw. Names are derived from
//! the OP origin, the `client_id` and the source's kind and key only, never from `session_state`,
//! and are hashed so that they have a fixed shape whatever the client id holds.
//!
//! # Wire format
//!
//! A message is one string of `\n`-separated fields: `osm1`, the [`scope`] of the sender (one
//! channel carries every source of a client; the scope says which), the kind, then the kind's
//! fields. Fields hold no `\n` and no control character, and each is at most
//! [`MAX_FIELD`] bytes. Anything else on the channel is [`Ignored`]: never an event.
//!
//! ```text
//! osm1 \n <scope> \n e \n <view> \n <hidden 0|1> \n <event name> [\n <event fields>]   leader's event
//! osm1 \n <scope> \n s \n <view> \n <hidden 0|1>                                         leader's state
//! osm1 \n <scope> \n c \n <explicit 0|1>                                                 "check, please"
//! osm1 \n <scope> \n b                                                                   leader leaves
//! ```
//!
//! An `error` event's fields are `<code> \n <message> \n <attempt>`, then at most one field whose
//! meaning the code decides ([`ErrorDetail`]): the evidence of `third_party_cookies_blocked`, `1`
//! for a first-check `no_response`, the value preview of `unexpected_answer` (possibly empty).

use crate::core::error_code::ErrorCode;
use crate::core::logout::SignOutReason;
use crate::core::machine::{Event, Evidence, MonitorError, Phase};
use crate::core::types::ANSWER_PREVIEW_CHARS;

/// The version tag every message starts with. A message of another version is ignored.
pub const VERSION: &str = "osm1";

/// The longest field accepted (a `sub` is at most 255 ASCII characters per OpenID Connect).
pub const MAX_FIELD: usize = 512;

const PREFIX: &str = "oidc-session-monitor:";

/// 24 hex digits (96 bits) of FNV-1a over the parts joined by `\n`: two 64-bit passes with
/// different offsets. Names need a fixed shape and no collision in practice, not a cryptographic
/// hash; FNV costs a few instructions where a second SHA-256 instantiation cost a kilobyte.
fn digest(parts: &[&str]) -> String {
    // Over the parts and the `\n` between them, without joining them first, in plain loops (an
    // iterator chain of `flat_map` and `chain` was larger).
    let fnv = |offset: u64| {
        let step = |h: u64, b: u8| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        let mut h = offset;
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                h = step(h, b'\n');
            }
            for &b in part.as_bytes() {
                h = step(h, b);
            }
        }
        h
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    let mut out = String::with_capacity(24);
    for (word, nibbles) in [(a, 16), (b, 8)] {
        for i in (0..nibbles).rev() {
            let nibble = ((word >> (i * 4)) & 15) as usize;
            out.push(char::from(b"0123456789abcdef"[nibble]));
        }
    }
    out
}

/// Identifies one shared poller: the OP origin, the `client_id`, and where the session_state is
/// kept (`kind` is `cookie`, `localStorage`, `sessionStorage` or `literal`; `key` is the cookie
/// name or storage key, empty for a literal, whose value is never part of it).
pub fn scope(op_origin: &str, client_id: &str, kind: &str, key: &str) -> String {
    digest(&[op_origin, client_id, kind, key])
}

/// The Web Lock the leader of `scope` holds.
pub fn lock_name(scope: &str) -> String {
    let mut name = String::from(PREFIX);
    name.push_str("lock:");
    name.push_str(scope);
    name
}

/// The `BroadcastChannel` of every monitor (and every other tab-wide notice, such as a logout)
/// of one OP origin and `client_id`.
pub fn channel_name(op_origin: &str, client_id: &str) -> String {
    let mut name = String::from(PREFIX);
    name.push_str(&digest(&[op_origin, client_id]));
    name
}

/// The leader's phase as followers see it (their `monitor.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// No leader has spoken yet, or what it said is too old to trust.
    Unknown,
    /// The leader is loading the OP iframe.
    Loading,
    /// The leader waits for its next check.
    Waiting,
    /// A check is in flight.
    Checking,
    /// The leader saw `changed` and waits for the host (no re-authentication configured).
    Paused,
    /// The leader is re-authenticating.
    Reauthenticating,
    /// The leader waits out a loop-protection back-off.
    BackingOff,
    /// The leader is hidden and `pauseWhenHidden` is on: nobody polls.
    Hidden,
    /// The leader stopped.
    Stopped,
}

impl View {
    const ALL: [(View, u8); 9] = [
        (View::Unknown, b'?'),
        (View::Loading, b'l'),
        (View::Waiting, b'w'),
        (View::Checking, b'c'),
        (View::Paused, b'p'),
        (View::Reauthenticating, b'r'),
        (View::BackingOff, b'b'),
        (View::Hidden, b'h'),
        (View::Stopped, b's'),
    ];

    /// The view of a leader in `phase`.
    pub fn of(phase: Phase) -> View {
        match phase {
            Phase::Discovering | Phase::Loading | Phase::Connecting => View::Loading,
            Phase::Waiting | Phase::FirstPartyOnly => View::Waiting,
            Phase::InFlight => View::Checking,
            Phase::Paused => View::Paused,
            Phase::Reauthenticating => View::Reauthenticating,
            Phase::BackingOff(_) => View::BackingOff,
            Phase::Hidden => View::Hidden,
            Phase::Idle | Phase::Stopped => View::Stopped,
            Phase::Following(_) | Phase::Suspended => View::Unknown,
        }
    }

    /// The name JavaScript sees as `monitor.state` in a follower.
    pub fn name(self) -> &'static str {
        match self {
            View::Unknown | View::Loading => "loading",
            View::Waiting => "waiting",
            View::Checking => "checking",
            View::Paused => "paused",
            View::Reauthenticating | View::BackingOff => "reauthenticating",
            View::Hidden => "hidden",
            View::Stopped => "stopped",
        }
    }

    fn code(self) -> char {
        View::ALL
            .iter()
            .find(|(v, _)| *v == self)
            .map_or('?', |p| char::from(p.1))
    }

    fn parse(field: &str) -> Option<View> {
        // One ASCII byte (every code is one): no `char` decoding.
        let &[c] = field.as_bytes() else {
            return None;
        };
        View::ALL.iter().find(|(_, k)| *k == c).map(|p| p.0)
    }
}

/// A field of a [`TabEvent`]: borrowed from this crate's static codes and messages when the
/// event is this tab's own (no copy per event), owned when it came from another tab.
pub type Text = std::borrow::Cow<'static, str>;

/// An event as it travels between tabs and as the glue turns it into a `detail` object: the
/// same fields the leader's page sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TabEvent {
    /// `unchanged`.
    Unchanged,
    /// `changed`.
    Changed {
        /// `detail.firstCheck`.
        first_check: bool,
    },
    /// `error`.
    Error {
        /// `detail.code`.
        code: Text,
        /// `detail.message`.
        message: Text,
        /// `detail.attempt`.
        attempt: u32,
        /// What this code adds to `detail`, if anything.
        detail: ErrorDetail,
    },
    /// `stopped`.
    Stopped {
        /// `detail.reason`.
        reason: Text,
    },
    /// `renewed`.
    Renewed {
        /// `detail.sub`.
        sub: String,
        /// `detail.sid`.
        sid: Option<String>,
    },
    /// `signedOut`, with `detail.reason`.
    SignedOut(SignOutReason),
    /// `userChanged`.
    UserChanged {
        /// `detail.sub`.
        sub: String,
        /// `detail.sid`.
        sid: Option<String>,
    },
    /// `interactionRequired`.
    InteractionRequired {
        /// `detail.code`.
        code: Text,
    },
}

/// What an `error` event's `detail` carries besides `code`, `message` and `attempt`: at most one
/// of these, decided by the code. Followers get it too, so their `detail` is the leader's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorDetail {
    /// Nothing more.
    None,
    /// `detail.evidence` of `third_party_cookies_blocked`.
    Evidence(Evidence),
    /// `detail.firstCheck: true` of a `no_response` to the OP iframe's very first check.
    FirstCheck,
    /// `detail.value` of `unexpected_answer`: the sanitised preview (at most
    /// [`ANSWER_PREVIEW_CHARS`] printable ASCII characters, never the session_state).
    Value(String),
}

impl ErrorDetail {
    fn of(error: MonitorError) -> ErrorDetail {
        match error {
            MonitorError::ThirdPartyCookiesBlocked(evidence) => ErrorDetail::Evidence(evidence),
            e if e.first_check() => ErrorDetail::FirstCheck,
            _ => ErrorDetail::None,
        }
    }

    /// The field on the wire, if any.
    fn field(&self) -> Option<&str> {
        match self {
            ErrorDetail::None => None,
            ErrorDetail::Evidence(e) => Some(e.as_str()),
            ErrorDetail::FirstCheck => Some("1"),
            ErrorDetail::Value(v) => Some(v),
        }
    }

    /// The field received after `code`'s attempt: only what this version sends for that code.
    fn parse(code: &str, field: Option<&str>) -> Result<ErrorDetail, Ignored> {
        let Some(field) = field else {
            return Ok(ErrorDetail::None);
        };
        let is = |c: ErrorCode| code == c.as_str();
        if is(ErrorCode::ThirdPartyCookiesBlocked) {
            let evidence = Evidence::ALL.into_iter().find(|x| x.as_str() == field);
            return evidence
                .map(ErrorDetail::Evidence)
                .ok_or(Ignored::Malformed);
        }
        if is(ErrorCode::NoResponse) && field == "1" {
            return Ok(ErrorDetail::FirstCheck);
        }
        // What `answer_preview` makes: short, printable ASCII.
        let preview = field.len() <= ANSWER_PREVIEW_CHARS
            && field.bytes().all(|b| (b' '..=b'~').contains(&b));
        if is(ErrorCode::UnexpectedAnswer) && preview {
            return Ok(ErrorDetail::Value(field.to_owned()));
        }
        Err(Ignored::Malformed)
    }
}

impl TabEvent {
    /// The event name, as used with `addEventListener`.
    pub fn name(&self) -> &'static str {
        match self {
            TabEvent::Unchanged => "unchanged",
            TabEvent::Changed { .. } => "changed",
            TabEvent::Error { .. } => "error",
            TabEvent::Stopped { .. } => "stopped",
            TabEvent::Renewed { .. } => "renewed",
            TabEvent::SignedOut(_) => "signedOut",
            TabEvent::UserChanged { .. } => "userChanged",
            TabEvent::InteractionRequired { .. } => "interactionRequired",
        }
    }
}

impl From<&Event> for TabEvent {
    fn from(event: &Event) -> Self {
        match event {
            Event::Unchanged => TabEvent::Unchanged,
            Event::Changed { first_check } => TabEvent::Changed {
                first_check: *first_check,
            },
            Event::Error { error, attempt } => TabEvent::Error {
                code: error.code().as_str().into(),
                message: error.message().into(),
                attempt: *attempt,
                detail: ErrorDetail::of(*error),
            },
            Event::UnexpectedAnswer { value } => TabEvent::Error {
                code: MonitorError::UnexpectedAnswer.code().as_str().into(),
                message: MonitorError::UnexpectedAnswer.message().into(),
                attempt: 1,
                detail: value.clone().map_or(ErrorDetail::None, ErrorDetail::Value),
            },
            Event::Stopped(reason) => TabEvent::Stopped {
                reason: reason.code().into(),
            },
            Event::Renewed { sub, sid } => TabEvent::Renewed {
                sub: sub.clone(),
                sid: sid.clone(),
            },
            Event::SignedOut(reason) => TabEvent::SignedOut(*reason),
            Event::UserChanged { sub, sid } => TabEvent::UserChanged {
                sub: sub.clone(),
                sid: sid.clone(),
            },
            Event::InteractionRequired { code } => TabEvent::InteractionRequired {
                code: (*code).into(),
            },
        }
    }
}

/// A message between the monitors of one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TabMessage {
    /// The leader emitted `event`; `view` is its phase after it, `hidden` its `document.hidden`.
    Event {
        /// What the leader's page saw.
        event: TabEvent,
        /// The leader's phase after the event.
        view: View,
        /// Whether the leader's page is hidden.
        hidden: bool,
    },
    /// The leader's phase or visibility changed without an event (and its answer to a
    /// follower's [`Check`](TabMessage::Check)).
    State {
        /// The leader's phase.
        view: View,
        /// Whether the leader's page is hidden.
        hidden: bool,
    },
    /// A follower asks the leader to check: `checkNow()` (`explicit`), or the follower's page
    /// was shown, focused or came back online (a wake, coalesced by the leader).
    Check {
        /// `checkNow()` rather than a wake.
        explicit: bool,
    },
    /// The leader steps down (`stop()`, `pagehide`): the next in the lock's queue takes over.
    Bye,
}

/// Why a message on the channel was ignored. The glue counts these (a debug counter); none is
/// ever turned into an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// Not a string, another version, or a malformed message.
    Malformed,
    /// A well-formed message of another scope (another session_state source of the same client).
    Foreign,
}

/// `\n` and a one-byte field (a view code, a flag): pushed as it is, with nothing to filter.
fn push_letter(out: &mut String, letter: char) {
    out.push('\n');
    out.push(letter);
}

fn flag(b: bool) -> char {
    if b {
        '1'
    } else {
        '0'
    }
}

impl TabMessage {
    /// The wire form, for `scope`.
    pub fn encode(&self, scope: &str) -> String {
        let mut out = String::from(VERSION);
        let put = |out: &mut String, field: &str| {
            out.push('\n');
            // Fields come from our own events; strip what would break the framing anyway.
            out.extend(field.chars().filter(|c| !c.is_control()).take(MAX_FIELD));
        };
        put(&mut out, scope);
        match self {
            TabMessage::Event {
                event,
                view,
                hidden,
            } => {
                put(&mut out, "e");
                push_letter(&mut out, view.code());
                push_letter(&mut out, flag(*hidden));
                put(&mut out, event.name());
                match event {
                    TabEvent::Unchanged => {}
                    TabEvent::SignedOut(reason) => put(&mut out, reason.as_str()),
                    TabEvent::Changed { first_check } => push_letter(&mut out, flag(*first_check)),
                    TabEvent::Error {
                        code,
                        message,
                        attempt,
                        detail,
                    } => {
                        put(&mut out, code);
                        put(&mut out, message);
                        // Digits only: written in place (no string of their own).
                        out.push('\n');
                        crate::core::text::push_decimal(&mut out, *attempt);
                        if let Some(field) = detail.field() {
                            put(&mut out, field);
                        }
                    }
                    TabEvent::Stopped { reason } => put(&mut out, reason),
                    TabEvent::InteractionRequired { code } => put(&mut out, code),
                    TabEvent::Renewed { sub, sid } | TabEvent::UserChanged { sub, sid } => {
                        put(&mut out, sub);
                        if let Some(sid) = sid {
                            put(&mut out, sid);
                        }
                    }
                }
            }
            TabMessage::State { view, hidden } => {
                put(&mut out, "s");
                push_letter(&mut out, view.code());
                push_letter(&mut out, flag(*hidden));
            }
            TabMessage::Check { explicit } => {
                put(&mut out, "c");
                push_letter(&mut out, flag(*explicit));
            }
            TabMessage::Bye => put(&mut out, "b"),
        }
        out
    }

    /// Validates a received message for `scope`: version, scope, kind, every field's shape.
    ///
    /// # Errors
    /// [`Ignored::Foreign`] for another scope's message, [`Ignored::Malformed`] for anything else
    /// that is not exactly a message this version sends.
    pub fn decode(data: &str, scope: &str) -> Result<TabMessage, Ignored> {
        use Ignored::Malformed;
        let mut f = Fields(crate::core::text::split(data, b'\n'));
        if f.next()? != VERSION {
            return Err(Malformed);
        }
        let from = f.next()?;
        if from.len() != 24 || !from.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(Malformed);
        }
        let message = match f.next()? {
            "e" => {
                let view = View::parse(f.next()?).ok_or(Malformed)?;
                let hidden = parse_flag(f.next()?)?;
                let event = parse_event(&mut f)?;
                TabMessage::Event {
                    event,
                    view,
                    hidden,
                }
            }
            "s" => TabMessage::State {
                view: View::parse(f.next()?).ok_or(Malformed)?,
                hidden: parse_flag(f.next()?)?,
            },
            "c" => TabMessage::Check {
                explicit: parse_flag(f.next()?)?,
            },
            "b" => TabMessage::Bye,
            _ => return Err(Malformed),
        };
        if f.optional()?.is_some() {
            return Err(Malformed);
        }
        if from != scope {
            return Err(Ignored::Foreign);
        }
        Ok(message)
    }
}

/// The fields of a message, each checked as it is taken: at most [`MAX_FIELD`] bytes, no control
/// character.
struct Fields<'a>(crate::core::text::Split<'a>);

impl<'a> Fields<'a> {
    fn optional(&mut self) -> Result<Option<&'a str>, Ignored> {
        match self.0.next() {
            Some(f) if f.len() > MAX_FIELD || crate::core::types::has_control(f) => {
                Err(Ignored::Malformed)
            }
            other => Ok(other),
        }
    }

    #[allow(clippy::should_implement_trait)]
    fn next(&mut self) -> Result<&'a str, Ignored> {
        self.optional()?.ok_or(Ignored::Malformed)
    }
}

fn parse_flag(field: &str) -> Result<bool, Ignored> {
    match field {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(Ignored::Malformed),
    }
}

/// A code: 1 to 40 characters of `a-z` and `_` (every code this crate emits).
fn parse_code(field: &str) -> Result<String, Ignored> {
    let ok = (1..=40).contains(&field.len())
        && field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    ok.then(|| field.to_owned()).ok_or(Ignored::Malformed)
}

fn parse_text(field: &str) -> Result<String, Ignored> {
    (!field.is_empty())
        .then(|| field.to_owned())
        .ok_or(Ignored::Malformed)
}

fn parse_event(f: &mut Fields) -> Result<TabEvent, Ignored> {
    use Ignored::Malformed;
    let name = f.next()?;
    Ok(match name {
        "unchanged" => TabEvent::Unchanged,
        "signedOut" => TabEvent::SignedOut(SignOutReason::parse(f.next()?).ok_or(Malformed)?),
        "changed" => TabEvent::Changed {
            first_check: parse_flag(f.next()?)?,
        },
        "error" => {
            let code = parse_code(f.next()?)?;
            let message = parse_text(f.next()?)?;
            let attempt = f.next()?;
            // 1 to 4294967295, plain decimal digits, no leading zero (what `decimal` writes).
            let attempt = match attempt.as_bytes() {
                [b'1'..=b'9', rest @ ..] if rest.len() < 10 => attempt
                    .bytes()
                    .try_fold(0u32, |n, d| match d {
                        b'0'..=b'9' => n.checked_mul(10)?.checked_add(u32::from(d - b'0')),
                        _ => None,
                    })
                    .ok_or(Malformed)?,
                _ => return Err(Malformed),
            };
            let detail = ErrorDetail::parse(&code, f.optional()?)?;
            TabEvent::Error {
                code: code.into(),
                message: message.into(),
                attempt,
                detail,
            }
        }
        // A leader's own `stop()` travels as `Bye`: `stopped` for everyone has another reason.
        "stopped" => match f.next()? {
            "stopped" => return Err(Malformed),
            reason => TabEvent::Stopped {
                reason: parse_code(reason)?.into(),
            },
        },
        "interactionRequired" => TabEvent::InteractionRequired {
            code: parse_code(f.next()?)?.into(),
        },
        "renewed" | "userChanged" => {
            let sub = parse_text(f.next()?)?;
            let sid = match f.optional()? {
                Some(s) => Some(parse_text(s)?),
                None => None,
            };
            if name == "renewed" {
                TabEvent::Renewed { sub, sid }
            } else {
                TabEvent::UserChanged { sub, sid }
            }
        }
        _ => return Err(Malformed),
    })
}

#[cfg(test)]
mod tests;
