//! The machine's vocabulary: phases, timers, inputs, effects, events and errors.

use super::blind::Evidence;
use crate::core::discovery::{DiscoveryError, Provider};
use crate::core::error_code::ErrorCode;
use crate::core::logout::{RpSessionAnswer, SignOutReason};
use crate::core::tabs::{TabEvent, TabMessage, View};
use crate::core::types::{OpAnswer, SessionState};

/// The one-shot timers the machine uses. At most one of each is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Waits for the iframe's `load`.
    Load,
    /// Waits before the next check.
    Poll,
    /// Waits for the answer to the message in flight.
    Response,
    /// Waits for the re-authentication outcome.
    Reauth,
    /// Waits out a loop-protection back-off.
    Backoff,
    /// The first-party session signal (`rpSession`): waits before the next request, or for the
    /// answer to the request in flight.
    RpSession,
    /// A follower's patience with a silent leader: when it fires, the leader is taken for stuck.
    Leader,
}

impl Timer {
    /// Every timer, in [`index`](Self::index) order: size glue-side storage with `Timer::ALL.len()`.
    pub const ALL: [Timer; 7] = [
        Timer::Load,
        Timer::Poll,
        Timer::Response,
        Timer::Reauth,
        Timer::Backoff,
        Timer::RpSession,
        Timer::Leader,
    ];

    /// Index for glue-side storage (the position in [`Timer::ALL`]).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where the monitor is. Exposed to JavaScript as `monitor.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Created, never started.
    Idle,
    /// Fetching the issuer's discovery document (with `issuer`, at the first `start()`).
    /// JavaScript sees it as `loading`.
    Discovering,
    /// The OP iframe is loading.
    Loading,
    /// The OP iframe fired `load` and the first message is posted. Browsers fire `load` for error
    /// pages too (refused connection, `X-Frame-Options`), so the iframe counts as usable only once
    /// it answers; until then the load deadline runs.
    Connecting,
    /// Waiting for the next check.
    Waiting,
    /// A message is in flight.
    InFlight,
    /// The OP said `changed` and no re-authentication is configured: waiting for `checkNow()`,
    /// `start()`, or a new `session_state` from the host.
    Paused,
    /// The OP said `changed`; a re-authentication is running.
    Reauthenticating,
    /// Loop protection: waiting out a back-off before re-authenticating again or resuming
    /// polling. JavaScript sees it as `reauthenticating`.
    BackingOff(AfterBackoff),
    /// The page is hidden and `pauseWhenHidden` is on: no polling until it is shown again.
    Hidden,
    /// No OP iframe is configured: only the first-party session signal (`rpSession`) runs.
    /// JavaScript sees it as `waiting`.
    FirstPartyOnly,
    /// Stopped by `stop()` or by a condition that stops polling.
    Stopped,
    /// Cross-tab: another monitor (in this tab or another) is the leader and polls; this one
    /// relays the leader's events, and waits in the lock's queue to take over. JavaScript sees the
    /// leader's phase.
    Following(View),
    /// Cross-tab: the page went into the back/forward cache or was frozen. Holds no lock, no
    /// channel, no timer; the page's `pageshow`/`resume` re-contests leadership.
    Suspended,
}

impl Phase {
    /// Stable name for JavaScript.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Discovering | Phase::Loading | Phase::Connecting => "loading",
            Phase::Waiting | Phase::FirstPartyOnly => "waiting",
            Phase::InFlight => "checking",
            Phase::Paused => "paused",
            Phase::Reauthenticating | Phase::BackingOff(_) => "reauthenticating",
            Phase::Hidden | Phase::Suspended => "hidden",
            Phase::Stopped => "stopped",
            Phase::Following(view) => view.name(),
        }
    }

    /// Whether the monitor runs (neither idle nor stopped).
    pub fn is_running(self) -> bool {
        !matches!(self, Phase::Idle | Phase::Stopped)
    }

    /// Whether this monitor polls (holds the OP iframe): running, and neither following nor
    /// suspended.
    pub fn is_polling(self) -> bool {
        self.is_running() && !matches!(self, Phase::Following(_) | Phase::Suspended)
    }
}

/// A problem the monitor reports as an `error` event. Each has a stable [`code`](Self::code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MonitorError {
    /// No `session_state` in the configured source: nothing was posted.
    NoSessionState,
    /// The configured source holds a value that is not a usable `session_state` (empty, control
    /// characters): nothing was posted.
    InvalidSessionState,
    /// The configured storage threw when read (storage disabled, sandboxed page).
    StorageUnavailable,
    /// The OP iframe did not fire `load` within `loadTimeoutMs` (OP down, blocked by
    /// `X-Frame-Options`/CSP, wrong URL).
    LoadTimeout,
    /// The OP iframe did not answer within `responseTimeoutMs`.
    NoResponse,
    /// The OP iframe fired `load` but did not answer the first check within `responseTimeoutMs`
    /// (an error page, a redirect to another origin, a page that is no check_session_iframe).
    /// Same code as [`NoResponse`](Self::NoResponse); the event says `firstCheck: true`.
    NoFirstResponse,
    /// A message came from the OP's origin and the OP iframe's window but is none of the three
    /// answers (nor one mapped by the `answers` option). Reported once per streak.
    UnexpectedAnswer,
    /// A re-authentication returned a user, but the expected user is unknown (no `sub` option, no
    /// ID token in `idTokenHint`): nothing was written, polling stops.
    UnknownUser,
    /// Two cookies of the configured name are visible to the page (different paths or domains):
    /// the monitor does not guess which one is current.
    AmbiguousCookie,
    /// The OP iframe answered `error` (often: third-party cookies blocked, unknown client).
    OpError,
    /// The re-authentication gave no outcome within its timeout.
    ReauthTimeout,
    /// Re-authentications kept being followed by `changed` (or returned the same
    /// session_state): after backing off, the monitor gave up instead of looping.
    ReauthLoop,
    /// The RP's session endpoint (`rpSession.url`) gave no usable answer: network failure, timeout,
    /// another status than 200/401/403, or no boolean `active`. Never a logout; polling goes on.
    RpSessionUnavailable,
    /// The OP iframe cannot see the OP's cookies (third-party cookies blocked or partitioned):
    /// its `changed`, `error` or the `prompt=none` `login_required` that followed say nothing
    /// about the user, so none of them is reported as a logout. `evidence` says which signal
    /// showed it (`e.detail.evidence`).
    ThirdPartyCookiesBlocked(Evidence),
    /// Discovery of the OP's metadata failed (`not_supported`, `issuer_mismatch`,
    /// `invalid_discovery`, `invalid_endpoint`, `discovery_failed`).
    Discovery(DiscoveryError),
    /// The re-authentication failed (hook threw, token exchange failed, a check on the response
    /// failed); `code` says which.
    Reauth {
        /// Which failure, e.g. `reauth_failed`, `state_mismatch`, `nonce_mismatch`.
        code: ErrorCode,
        /// Human-readable explanation.
        message: &'static str,
    },
}

impl MonitorError {
    /// Stable machine-readable code (`e.detail.code`).
    pub fn code(self) -> ErrorCode {
        match self {
            MonitorError::NoSessionState => ErrorCode::NoSessionState,
            MonitorError::InvalidSessionState => ErrorCode::InvalidSessionState,
            MonitorError::StorageUnavailable => ErrorCode::StorageUnavailable,
            MonitorError::LoadTimeout => ErrorCode::LoadTimeout,
            MonitorError::NoResponse | MonitorError::NoFirstResponse => ErrorCode::NoResponse,
            MonitorError::UnexpectedAnswer => ErrorCode::UnexpectedAnswer,
            MonitorError::UnknownUser => ErrorCode::UnknownUser,
            MonitorError::AmbiguousCookie => ErrorCode::AmbiguousCookie,
            MonitorError::OpError => ErrorCode::OpError,
            MonitorError::ReauthTimeout => ErrorCode::ReauthTimeout,
            MonitorError::ReauthLoop => ErrorCode::ReauthLoop,
            MonitorError::RpSessionUnavailable => ErrorCode::RpSessionUnavailable,
            MonitorError::ThirdPartyCookiesBlocked(_) => ErrorCode::ThirdPartyCookiesBlocked,
            MonitorError::Reauth { code, .. } => code,
            MonitorError::Discovery(e) => e.code(),
        }
    }

    /// Human-readable explanation (`e.detail.message`). Never contains the session_state.
    pub fn message(self) -> &'static str {
        match self {
            MonitorError::NoSessionState => "no session_state found in the configured source",
            MonitorError::InvalidSessionState => "the stored session_state is empty or malformed",
            MonitorError::StorageUnavailable => {
                "the configured session_state storage is unavailable"
            }
            MonitorError::LoadTimeout => "the OP check_session_iframe did not load in time",
            MonitorError::NoResponse => "the OP check_session_iframe did not answer in time",
            MonitorError::NoFirstResponse => {
                "the OP iframe loaded but did not answer its first check in time"
            }
            MonitorError::UnexpectedAnswer => "the OP iframe sent a message that is not an answer",
            MonitorError::UnknownUser => {
                "the expected user is unknown: give sub, or an ID token in idTokenHint"
            }
            MonitorError::AmbiguousCookie => {
                "two cookies of that name are visible: set cookiePath/cookieDomain"
            }
            MonitorError::OpError => "the OP check_session_iframe answered \"error\"",
            MonitorError::ReauthTimeout => "the prompt=none re-authentication timed out",
            MonitorError::ReauthLoop => {
                "re-authentication keeps being followed by \"changed\": gave up to avoid a loop"
            }
            MonitorError::RpSessionUnavailable => {
                "the RP session endpoint gave no usable answer (network, status or body)"
            }
            MonitorError::ThirdPartyCookiesBlocked(_) => {
                "the OP check_session_iframe cannot see the OP's cookies here (third-party cookies \
                 blocked or partitioned): its answers say nothing about the user"
            }
            MonitorError::Reauth { message, .. } => message,
            MonitorError::Discovery(e) => e.message(),
        }
    }

    /// Whether the error concerns the OP iframe's very first check (`e.detail.firstCheck`).
    pub fn first_check(self) -> bool {
        self == MonitorError::NoFirstResponse
    }
}

/// Why polling stopped (`stopped` event, `e.detail.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The page called `stop()`.
    Caller,
    /// Polling stopped after an error (the `error` event before it says which).
    Error(MonitorError),
    /// The session ended; the reason says who said so.
    SignedOut(SignOutReason),
    /// Re-authentication found another user signed in at the OP.
    UserChanged,
    /// Re-authentication needs the user (consent, interaction, account selection).
    InteractionRequired,
}

impl StopReason {
    /// Stable name for JavaScript.
    pub fn code(self) -> &'static str {
        match self {
            StopReason::Caller => "stopped",
            StopReason::Error(e) => e.code().as_str(),
            StopReason::SignedOut(reason) => reason.as_str(),
            StopReason::UserChanged => "user_changed",
            StopReason::InteractionRequired => "interaction_required",
        }
    }
}

/// What the monitor tells the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The OP answered `unchanged`.
    Unchanged,
    /// The OP answered `changed`. `first_check` is true when it was the iframe's very first answer
    /// since `start()`: often a sign that the OP iframe cannot see its cookie (third-party cookies
    /// blocked or partitioned) rather than a real change.
    Changed {
        /// The first answer since `start()`.
        first_check: bool,
    },
    /// Something went wrong; `attempt` counts consecutive occurrences (1 for the first).
    Error {
        /// Which problem.
        error: MonitorError,
        /// 1 for the first occurrence in a row.
        attempt: u32,
    },
    /// Polling stopped and will not resume until `start()`.
    Stopped(StopReason),
    /// Re-authentication renewed the session of the same user; polling goes on.
    Renewed {
        /// The user's `sub`.
        sub: String,
        /// The OP session id, if the ID token has one.
        sid: Option<String>,
    },
    /// The session ended: the user is signed out.
    SignedOut(SignOutReason),
    /// Re-authentication: another user is signed in at the OP.
    UserChanged {
        /// The new user's `sub`.
        sub: String,
        /// The OP session id, if the ID token has one.
        sid: Option<String>,
    },
    /// An `error` event with code `unexpected_answer`: the OP iframe sent something that is not an
    /// answer. `value` is at most 32 printable ASCII characters of it, when it is a string that
    /// does not contain the session_state.
    UnexpectedAnswer {
        /// A short, sanitised preview of the message.
        value: Option<String>,
    },
    /// Re-authentication needs the user; the OP session may still be alive.
    InteractionRequired {
        /// `interaction_required`, `consent_required` or `account_selection_required`.
        code: &'static str,
    },
}

/// How a re-authentication ended, as reported by the glue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReauthOutcome {
    /// The OP issued a new response for a signed-in user.
    Renewed {
        /// The `session_state` of the new response.
        session_state: SessionState,
        /// The user's `sub` from the verified ID token (or the host hook).
        sub: String,
        /// The OP session id, if any.
        sid: Option<String>,
    },
    /// `login_required`.
    SignedOut,
    /// `interaction_required`, `consent_required` or `account_selection_required`.
    InteractionRequired(&'static str),
    /// Anything else.
    Failed(MonitorError),
}

/// What the glue must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Fetch the issuer's discovery document, validate it, and report with [`Input::Discovered`].
    Discover {
        /// The configured issuer.
        issuer: String,
    },
    /// Add the hidden OP iframe and listen for its `load` and for `message` events.
    CreateIframe,
    /// Remove the iframe and every listener.
    RemoveIframe,
    /// `iframe.contentWindow.postMessage(msg, opOrigin)`.
    Post(String),
    /// Start (or restart) a one-shot timer.
    SetTimer(Timer, u32),
    /// Cancel a timer if pending.
    ClearTimer(Timer),
    /// Dispatch an event to the page.
    Emit(Event),
    /// Run a `prompt=none` re-authentication and report it with [`Input::ReauthFinished`]
    /// carrying the same `generation`.
    StartReauth {
        /// Tags the outcome, so that a late outcome of an abandoned attempt is ignored.
        generation: u32,
    },
    /// End the re-authentication (finished or abandoned): release its iframe and listeners.
    EndReauth,
    /// Write the renewed `session_state` back to the configured source.
    StoreSessionState(SessionState),
    /// Ask the RP's session endpoint (`rpSession.url`) and report with [`Input::RpSessionAnswered`]
    /// carrying the same `generation`.
    FetchRpSession {
        /// Tags the request, so that the late answer of an abandoned request is ignored.
        generation: u32,
    },
    /// The session ended: remove the stored `session_state`, ID token and `sid` from their sources.
    ClearSession,
    /// Tell the other tabs of this origin that the session ended (they feed
    /// [`Input::SessionEnded`] with `from_other_tab: true`).
    TellOtherTabs(SignOutReason),
    /// Cross-tab: open the channel and report what arrives as [`Input::Tab`].
    OpenChannel,
    /// Cross-tab: close the channel.
    CloseChannel,
    /// Cross-tab: ask for the leader's Web Lock (replacing any earlier request or hold) and report
    /// [`Input::LockAcquired`] when granted, [`Input::LockLost`] if it is stolen. `steal` takes it
    /// from a holder that is taken for stuck.
    RequestLock {
        /// `navigator.locks.request(name, { steal: true }, …)`.
        steal: bool,
    },
    /// Cross-tab: release the lock, or withdraw the request.
    ReleaseLock,
    /// Cross-tab: post this message on the channel.
    Broadcast(TabMessage),
    /// Cross-tab: dispatch an event the leader emitted (`detail.leader` is `false`).
    Relay(TabEvent),
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The discovery asked for by [`Effect::Discover`] ended.
    Discovered(Result<Provider, DiscoveryError>),
    /// `start()`.
    Start,
    /// `stop()`, `free()`, or the monitor going away.
    Stop,
    /// `checkNow()`.
    CheckNow,
    /// The OP iframe fired `load`.
    IframeLoaded,
    /// A timer fired.
    TimerFired(Timer),
    /// A valid answer from the OP iframe's window and origin.
    Answer(OpAnswer),
    /// The page was hidden or shown (`document.hidden`).
    VisibilityChanged {
        /// `document.hidden`.
        hidden: bool,
    },
    /// The window got focus: the first-party session signal checks at once.
    Focused,
    /// The RP's session endpoint answered the request of [`Effect::FetchRpSession`].
    RpSessionAnswered {
        /// The `generation` of the request it answers.
        generation: u32,
        /// What it said.
        answer: RpSessionAnswer,
    },
    /// The session ended: `logout()` in this tab, the front-channel page, or another tab said so.
    SessionEnded {
        /// Who said so.
        reason: SignOutReason,
        /// Another tab already told every tab: do not tell them again.
        from_other_tab: bool,
    },
    /// The page was shown, the window gained focus, or the browser came back online: check at
    /// once, unless a check for an earlier wake-up is that recent (one check, not three).
    Wake,
    /// `pagehide` or `freeze`: the page may go into the back/forward cache; give up the lock.
    PageHidden,
    /// `pageshow` after the back/forward cache, or `resume`: take part again.
    PageShown,
    /// Cross-tab: the lock asked for by [`Effect::RequestLock`] was granted.
    LockAcquired,
    /// Cross-tab: the lock was taken away (stolen by a follower that took this one for stuck).
    LockLost,
    /// Cross-tab: a valid message of this monitor's scope arrived on the channel.
    Tab(TabMessage),
    /// A message from the OP's origin and the OP iframe's window that is not an answer: the
    /// string itself (`None` when it is not a string).
    UnexpectedAnswer(Option<String>),
    /// The user the page is signed in as, read from the `idTokenHint` at the start of a
    /// re-authentication. Kept across `stop()`/`start()`; ignored when empty.
    UserHint(String),
    /// The re-authentication started by [`Effect::StartReauth`] ended.
    ReauthFinished {
        /// The `generation` of the `StartReauth` it answers.
        generation: u32,
        /// What happened.
        outcome: ReauthOutcome,
    },
}

/// Reads the current `session_state` from wherever the host keeps it, at every check.
pub trait SessionStateSource {
    /// The current value, or why there is none.
    fn read(&mut self) -> Result<SessionState, MonitorError>;

    /// The current time in milliseconds (`Date.now()` in the browser, a fake clock in tests);
    /// only loop protection uses it.
    fn now_ms(&self) -> u64 {
        0
    }
}

impl<F: FnMut() -> Result<SessionState, MonitorError>> SessionStateSource for F {
    fn read(&mut self) -> Result<SessionState, MonitorError> {
        self()
    }
}

/// What the end of a back-off ([`Phase::BackingOff`]) leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterBackoff {
    /// Start the re-authentication that `changed` asked for.
    Reauth,
    /// Post a check again (after a suspicious renewal).
    Resume,
}
