//! Runs the state machine in the page: feeds it DOM events, timer callbacks and async results,
//! performs its effects, and dispatches its events. It holds handles (iframes, listeners,
//! timers), never phases: every decision is the machine's.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::EventTarget;

use crate::browser::iframe::OpFrame;
use crate::browser::js::{fetch_json, set};
use crate::browser::lifecycle::Lifecycle;
use crate::browser::logout::{self as glue, LogoutChannel};
use crate::browser::reauth::{self, Answer, Pending, ReauthMethod, SilentFrame};
use crate::browser::sharing::Sharing;
use crate::browser::source::Source;
use crate::browser::{out_of_line, spawn};
use crate::core::discovery::{
    discovery_url, DiscoveryError, Endpoints, Provider, ProviderMetadata,
};
use crate::core::error_code::ErrorCode;
use crate::core::machine::slot::{Arm, Change, Slot};
use crate::core::machine::{
    Effect, Event, Input, Machine, MonitorError, OpLocation, OpSite, Phase, ReauthOutcome, Timer,
};
use crate::core::tabs::{ErrorDetail, TabEvent};
use crate::core::types::{AnswerMap, CheckSessionUrl, OpAnswer};

/// What the driver owns besides the machine: the source it reads, and every browser resource.
struct Inner {
    machine: Machine,
    source: Source,
    method: Option<ReauthMethod>,
    frame: Option<OpFrame>,
    silent: Option<SilentFrame>,
    /// The machine's timers, each with its own browser timeout, kept across a check while the
    /// page is visible ([`Slot`]).
    timers: [(Slot, Option<Timeout>); Timer::ALL.len()],
    /// Page lifecycle listeners (visibility, focus, online, pagehide/pageshow, freeze/resume).
    lifecycle: Option<Lifecycle>,
    /// Cross-tab: the channel and the lock, when the machine shares.
    sharing: Option<Sharing>,
    logout: LogoutSetup,
    /// The origin-wide logout channel, open while the machine runs.
    channel: Option<LogoutChannel>,
}

impl Inner {
    /// Drops every timer's browser timeout and forgets its deadline.
    fn drop_timers(&mut self) {
        // In place (not a new array assigned over the old one: size).
        for timer in &mut self.timers {
            *timer = Default::default();
        }
    }
}

/// What the logout glue needs (issue 11).
#[derive(Debug, Default)]
pub struct LogoutSetup {
    /// `rpSession.url`, absolute, same origin.
    pub rp_url: Option<String>,
    /// Where the page keeps the ID token (`idTokenHint`, or `silentReauth.idTokenHint`).
    pub id_token: Option<Source>,
    /// `endSessionEndpoint`, else the discovered one.
    pub end_session_endpoint: Option<String>,
    /// The top-level `idTokenHint` option was given: keep the ID token's `sid` for the
    /// front-channel logout page (a `silentReauth.idTokenHint` alone does not opt in).
    pub keep_sid: bool,
}

/// A cheap, cloneable way to feed the machine from a callback: a weak reference (so a pending
/// callback never keeps a dropped monitor alive). The listeners, the lock and the channel hold it
/// as their [`Feed`](crate::browser::sharing::Feed): one statically called `feed`, no boxed
/// callback of their own (size).
#[derive(Clone)]
pub struct Handle {
    shared: Weak<Shared>,
}

/// What the driver owns and its handles reach: the machine with its resources, and where its
/// events go (one reference count for both: size).
struct Shared {
    state: RefCell<Inner>,
    events: Events,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}

/// Where events go, and what building them needs; also the extra answer strings, which the OP
/// iframe's message listener reads through its [`Handle`] (no `Rc` of their own: size).
struct Events {
    /// Extra answer strings (`answers`).
    answers: AnswerMap,
    /// How many messages on the cross-tab channel were ignored (malformed, other version, other
    /// scope): counted here, where the channel's listener reaches through its [`Handle`].
    ignored: Cell<u32>,
    target: EventTarget,
    /// The event types a listener was ever added for (through the monitor's `addEventListener`,
    /// the only way to listen), each with the JS string it was added with: an event nobody
    /// listens to is not built, and one that is takes its type from there (no UTF-8 decoded per
    /// event: ~6 µs of an answer in Firefox, bench/NOTES.md). Never shrinks, so that a listener
    /// removed and added again, or one with `once`, is not missed.
    listened: RefCell<Vec<(String, JsValue)>>,
    /// JS strings every event uses (`detail`'s common keys, the init object's `detail`), made
    /// once: an `unchanged` per check decodes no UTF-8 for them.
    kind: JsValue,
    timestamp: JsValue,
    leader: JsValue,
    detail: JsValue,
    /// `{ detail }`, reused: `new CustomEvent` copies what it needs.
    init: Object,
}

/// In [`Events::listened`]: every type (a listener was added with a type that is not a string).
const ANY: &str = "*";

impl Handle {
    /// Feeds an input, performs the effects, then dispatches the events with no borrow held, so
    /// a listener may call `stop()`, `checkNow()` or `start()` from inside an event. Does nothing
    /// once the monitor is gone, or while the machine is busy (an input from inside an effect).
    pub fn feed(&self, input: Input) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        // By reference: the list is dropped as a whole (no by-value iterator: size). A listener
        // that frees the monitor leaves `shared` to this call, which drops it last.
        for (event, leader) in &self.feed_collect(&shared, input) {
            shared.events.dispatch(event, *leader);
        }
    }

    /// Counts one ignored message of the cross-tab channel.
    pub fn ignored(&self) {
        if let Some(shared) = self.shared.upgrade() {
            let ignored = &shared.events.ignored;
            ignored.set(ignored.get().saturating_add(1));
        }
    }

    /// Feeds an input and performs every effect but the events, which it returns.
    fn feed_collect(&self, shared: &Shared, input: Input) -> Vec<(TabEvent, bool)> {
        {
            let Ok(mut guard) = shared.state.try_borrow_mut() else {
                return Vec::new();
            };
            let state = &mut *guard;
            // A timeout armed for an earlier deadline (see `Slot`) arms the rest instead.
            if let Input::TimerFired(timer) = input {
                if !self.time(state, timer, Change::Fired) {
                    return Vec::new();
                }
            }
            if matches!(input, Input::Start) && state.logout.keep_sid {
                glue::remember_sid(state.logout.id_token.as_ref(), None, issuer_of(state));
            }
            let was_hidden = state.machine.hidden();
            let effects = state.machine.handle(input, &mut state.source);
            let mut emitted = Vec::new();
            for effect in effects {
                match effect {
                    Effect::Emit(event) => {
                        if let (Event::Renewed { sid, .. }, true) = (&event, state.logout.keep_sid)
                        {
                            let id_token = state.logout.id_token.as_ref();
                            glue::remember_sid(id_token, sid.as_deref(), issuer_of(state));
                        }
                        emitted.push((TabEvent::from(&event), true))
                    }
                    Effect::Relay(event) => emitted.push((event, false)),
                    // By reference: the large `Effect` is not moved again (size).
                    other => self.perform(state, &other),
                }
            }
            self.hold_logout_channel(state);
            // Hidden: background timeouts are clamped at each arming, so none is kept to be
            // re-armed later.
            if state.machine.hidden() && !was_hidden {
                for timer in Timer::ALL {
                    self.time(state, timer, Change::Hidden);
                }
            }
            emitted
        }
    }

    /// Performs the effects of polling (the iframe, its messages, the timers) here, and the rest
    /// out of line ([`Handle::perform_rare`]).
    fn perform(&self, state: &mut Inner, effect: &Effect) {
        match effect {
            Effect::CreateIframe => self.create_iframe(state),
            Effect::RemoveIframe => state.frame = None,
            Effect::Post(message) => {
                if let Some(frame) = &state.frame {
                    frame.post(message);
                }
            }
            Effect::SetTimer(timer, ms) => {
                self.time(state, *timer, Change::Set(*ms));
            }
            Effect::ClearTimer(timer) => {
                self.time(state, *timer, Change::Clear);
            }
            Effect::Emit(_) | Effect::Relay(_) => {}
            // Out of line, or V8 would compile discovery, re-authentication (PKCE, sha2), logout
            // and cross-tab code at the first `start()` of every page.
            other => out_of_line(|(h, s, e)| h.perform_rare(s, e), (self, state, other)),
        }
    }

    /// Adds the OP iframe and its listeners ([`Effect::CreateIframe`]).
    fn create_iframe(&self, state: &mut Inner) {
        let (Some(window), Some(provider)) =
            (crate::browser::js::window(), state.machine.provider())
        else {
            return;
        };
        let Some(document) = window.document() else {
            return;
        };
        let site = op_site(&provider.check_session_iframe);
        let on_data = self.clone();
        // The answer of nearly every check, compared as a JS string (no copy into Rust).
        let unchanged = JsValue::from_str(OpAnswer::Unchanged.as_str());
        state.frame = OpFrame::open(
            &window,
            &document,
            &provider.check_session_iframe,
            self,
            Box::new(move |data| {
                if data == unchanged {
                    return on_data.feed(Input::Answer(OpAnswer::Unchanged));
                }
                let text = data.as_string();
                let Some(shared) = on_data.shared.upgrade() else {
                    return;
                };
                let answers = &shared.events.answers;
                on_data.feed(match text.as_deref().and_then(|t| answers.classify(t)) {
                    Some(answer) => Input::Answer(answer),
                    None => Input::UnexpectedAnswer(text),
                })
            }),
        );
        // If the page has no body to attach to, the load deadline reports it.
        state.machine.set_op_site(site);
    }

    /// The effects no start-up and no check needs: discovery, re-authentication, the
    /// session_state written back, logout, cross-tab sharing.
    fn perform_rare(&self, state: &mut Inner, effect: &Effect) {
        match effect {
            Effect::Discover { issuer } => {
                let insecure = state.machine.config().allow_insecure_http;
                spawn(Box::pin(discover(self.clone(), issuer.clone(), insecure)));
            }
            Effect::StoreSessionState(value) => state.source.write(value),
            Effect::EndReauth => state.silent = None,
            Effect::StartReauth { generation } => self.start_reauth(state, *generation),
            Effect::FetchRpSession { generation } => {
                let Some(url) = state.logout.rp_url.clone() else {
                    return;
                };
                spawn(Box::pin(glue::ask_rp_session(
                    url,
                    self.clone(),
                    *generation,
                )));
            }
            Effect::ClearSession => {
                glue::forget_sid(state.logout.id_token.as_ref(), issuer_of(state));
                state.source.clear();
                if let Some(id_token) = &state.logout.id_token {
                    id_token.clear();
                }
            }
            Effect::TellOtherTabs(reason) => glue::tell_other_tabs(*reason),
            Effect::OpenChannel
            | Effect::CloseChannel
            | Effect::RequestLock { .. }
            | Effect::ReleaseLock
            | Effect::Broadcast(_) => {
                if let Some(sharing) = &mut state.sharing {
                    sharing.perform(effect, self);
                }
            }
            // Performed by `perform`.
            Effect::CreateIframe
            | Effect::RemoveIframe
            | Effect::Post(_)
            | Effect::SetTimer(..)
            | Effect::ClearTimer(_)
            | Effect::Emit(_)
            | Effect::Relay(_) => {}
        }
    }

    /// Applies `change` to `timer`'s [`Slot`] and performs its decision on the browser timeout;
    /// whether the timer fires.
    fn time(&self, state: &mut Inner, timer: Timer, change: Change) -> bool {
        let (slot, timeout) = &mut state.timers[timer.index()];
        // Hidden (as the machine last heard): exact.
        let (due, arm) = slot.change(change, now(), state.machine.hidden());
        match arm {
            Arm::Keep => {}
            Arm::Drop => *timeout = None,
            Arm::After(ms) => {
                let handle = self.clone();
                *timeout = Some(Timeout::new(ms, move || {
                    handle.feed(Input::TimerFired(timer))
                }));
            }
        }
        due
    }

    /// The origin-wide logout channel is open while the machine runs, and goes when it stops.
    /// (`focus` reaches the machine through the page lifecycle listeners, as `Wake`.) Stopped,
    /// the machine has no timer pending: the browser timeouts a [`Slot`] kept go too.
    fn hold_logout_channel(&self, state: &mut Inner) {
        if !state.machine.phase().is_running() {
            state.channel = None;
            state.drop_timers();
        } else if state.channel.is_none() {
            state.channel = LogoutChannel::open(self);
        }
    }

    /// Starts the attempt the machine asked for; its outcome comes back as `ReauthFinished`,
    /// always asynchronously, so the machine is never re-entered. One task for every method (one
    /// future type: size).
    fn start_reauth(&self, state: &mut Inner, generation: u32) {
        let client_id = state.machine.client_id().as_str().to_owned();
        let pending = match &state.method {
            None => return,
            Some(ReauthMethod::Hook(hook)) => Pending::Hook(hook.clone(), client_id),
            // The options require `issuer` with `silentReauth`, so endpoints are known here.
            Some(ReauthMethod::Silent(options)) => {
                match state.machine.provider().and_then(|p| p.endpoints.as_ref()) {
                    None => Pending::Done(ReauthOutcome::Failed(MonitorError::Reauth {
                        code: ErrorCode::ReauthFailed,
                        message: "no OP endpoints for the silent re-authentication",
                    })),
                    Some(endpoints) => match reauth::prepare(options, endpoints, client_id) {
                        Ok((frame, attempt)) => {
                            state.silent = Some(frame);
                            Pending::Silent(attempt)
                        }
                        Err(outcome) => Pending::Done(outcome),
                    },
                }
            }
        };
        let handle = self.clone();
        spawn(Box::pin(async move {
            // Awaited here rather than in an `async fn` of `Pending`: one state machine less.
            let (outcome, hint_sub) = match pending {
                Pending::Hook(hook, client_id) => match reauth::call_hook(&hook, client_id) {
                    Ok(promise) => (reauth::hook_outcome(JsFuture::from(promise).await), None),
                    Err(threw) => (threw, None),
                },
                Pending::Silent(attempt) => {
                    let settled = JsFuture::from(attempt.callback()).await;
                    let outcome = match attempt.answer(settled) {
                        Answer::Done(outcome) => outcome,
                        Answer::IdToken(id_token, session_state) => {
                            attempt.renewed(&id_token, session_state)
                        }
                        Answer::Exchange(request, session_state) => {
                            match reauth::id_token_of(fetch_json(request).await.1) {
                                Ok(id_token) => attempt.renewed(&id_token, session_state),
                                Err(outcome) => outcome,
                            }
                        }
                    };
                    (outcome, attempt.hint_sub)
                }
                Pending::Done(outcome) => (outcome, None),
            };
            // The user the hint names, read when this attempt started.
            if let Some(sub) = hint_sub {
                handle.feed(Input::UserHint(sub));
            }
            handle.feed(Input::ReauthFinished {
                generation,
                outcome,
            })
        }));
    }
}

/// Owns the machine and every browser resource it uses. Dropping it (or [`Driver::dispose`])
/// releases the iframes, the listeners, the timers and their closures, without emitting events.
pub struct Driver {
    shared: Rc<Shared>,
    handle: Handle,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("phase", &self.phase())
            .finish_non_exhaustive()
    }
}

impl Driver {
    /// A driver in the `idle` phase; events go to `events`.
    pub fn new(
        machine: Machine,
        source: Source,
        method: Option<ReauthMethod>,
        logout: LogoutSetup,
        answers: AnswerMap,
        events: EventTarget,
    ) -> Self {
        let sharing = machine.config().cross_tab.then(|| {
            // Names from the OP (its iframe's origin, or the issuer before discovery), the client
            // and the source: the same in every tab configured alike; never the session_state.
            let op = match machine.location() {
                OpLocation::CheckSessionIframe(url) => url.origin().as_str(),
                OpLocation::Issuer(issuer) => issuer.as_str(),
                OpLocation::FirstPartyOnly => "",
            };
            let (kind, key) = source.scope_parts();
            Sharing::new(op, machine.client_id().as_str(), kind, key)
        });
        let state = RefCell::new(Inner {
            machine,
            source,
            method,
            frame: None,
            silent: None,
            timers: Default::default(),
            lifecycle: None,
            sharing,
            logout,
            channel: None,
        });
        let events = Events {
            answers,
            ignored: Cell::new(0),
            target: events,
            listened: RefCell::default(),
            kind: "type".into(),
            timestamp: "timestamp".into(),
            leader: "leader".into(),
            detail: "detail".into(),
            init: Object::new(),
        };
        let shared = Rc::new(Shared { state, events });
        let handle = Handle {
            shared: Rc::downgrade(&shared),
        };
        let lifecycle = Lifecycle::new(&handle);
        if let Ok(mut state) = shared.state.try_borrow_mut() {
            state.lifecycle = lifecycle;
        }
        Driver { shared, handle }
    }

    /// Whether this monitor polls the OP itself (alone, or as the cross-tab leader).
    pub fn leader(&self) -> bool {
        self.phase().is_polling()
    }

    /// How many messages on the cross-tab channel were ignored (malformed or foreign).
    pub fn ignored_messages(&self) -> u32 {
        self.shared.events.ignored.get()
    }

    /// Tells the machine whether the page is hidden now (before `start()`).
    pub fn sync_visibility(&self) {
        if let Some(input) = crate::browser::lifecycle::visibility() {
            self.feed(input);
        }
    }

    /// Feeds an input from a JavaScript method call (`start()`, `stop()`, `checkNow()`) and
    /// performs the effects. Its events are dispatched in a microtask, once the method has
    /// returned: while a method runs, wasm-bindgen holds a borrow of the monitor, so a listener
    /// that called `free()` inside the call would throw, and the monitor would outlive it.
    pub fn feed(&self, input: Input) {
        let emitted = self.handle.feed_collect(&self.shared, input);
        if !emitted.is_empty() {
            let shared = self.shared.clone();
            spawn(Box::pin(async move {
                for (event, leader) in &emitted {
                    shared.events.dispatch(event, *leader);
                }
            }));
        }
    }

    /// Records that a listener was added for `kind` (`addEventListener`): events of that type are
    /// built and dispatched from now on.
    pub fn listen(&self, kind: &wasm_bindgen::JsValue) {
        // A type that is not a string (JS converts it) may name any event: then build them all.
        let name = kind.as_string().unwrap_or_else(|| ANY.into());
        // `try_borrow_mut`: no borrow-panic path (nothing else holds it while this runs).
        if let Ok(mut listened) = self.shared.events.listened.try_borrow_mut() {
            if !listened.iter().any(|(n, _)| *n == name) {
                listened.push((name, kind.clone()));
            }
        }
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        match self.shared.state.try_borrow() {
            Ok(i) => i.machine.phase(),
            Err(_) => Phase::Stopped,
        }
    }

    /// `diagnose()`: what the monitor has seen, as a plain object (see the API docs).
    pub fn diagnose(&self) -> wasm_bindgen::JsValue {
        let out = Object::new();
        if let Ok(inner) = self.shared.state.try_borrow() {
            let (machine, known) = (&inner.machine, inner.machine.provider().is_some());
            let first = machine.first_answer();
            let site = machine.config().op_site;
            let (sees, advice) = crate::core::diagnose::verdict(site, first);
            if known {
                set(&out, "site", site.as_str());
            }
            set(&out, "firstAnswer", first.map_or("none", |a| a.as_str()));
            set(&out, "seesSession", sees);
            set(&out, "advice", advice);
        }
        out.into()
    }

    /// Releases everything now, silently.
    pub fn dispose(&self) {
        if let Ok(mut inner) = self.shared.state.try_borrow_mut() {
            inner.frame = None;
            inner.silent = None;
            inner.drop_timers();
            inner.lifecycle = None;
            // Releases the lock (or withdraws the request) and closes the channel.
            inner.sharing = None;
            inner.channel = None;
        }
    }

    /// What `logout()` needs: the end-session endpoint (the option, else discovery's) and the ID
    /// token source.
    pub fn logout_info(&self) -> (Option<String>, Option<Source>) {
        let Ok(i) = self.shared.state.try_borrow() else {
            return (None, None);
        };
        let discovered = i
            .machine
            .provider()
            .and_then(|p| p.endpoints.as_ref())
            .and_then(|e| e.end_session_endpoint.clone());
        let endpoint = i.logout.end_session_endpoint.clone().or(discovered);
        (endpoint, i.logout.id_token.clone())
    }
}

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: the slots' monotonic clock, in milliseconds.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn now() -> f64;
}

/// The discovered issuer, when there is one (the ID token's `iss` is preferred).
fn issuer_of(state: &Inner) -> Option<&str> {
    let provider = state.machine.provider()?;
    provider.endpoints.as_ref().map(|e| e.issuer.as_str())
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.dispose();
    }
}

/// Fetches the issuer's discovery document and feeds the validated provider (or why not); the
/// machine decides what follows. The task itself (no nested `async fn`: one state machine less).
async fn discover(handle: Handle, issuer: String, allow_insecure_http: bool) {
    let (status, json) = match crate::browser::js::window() {
        // One `fetch(url, init)` import for every request.
        Some(window) => {
            let init = web_sys::RequestInit::new();
            fetch_json(window.fetch_with_str_and_init(&discovery_url(&issuer), &init)).await
        }
        None => (None, None),
    };
    let provider = provider(status, json, &issuer, allow_insecure_http);
    handle.feed(Input::Discovered(provider));
}

/// The provider a discovery answer describes (`status` is `None` when the request failed).
fn provider(
    status: Option<u16>,
    json: Option<JsValue>,
    issuer: &str,
    allow_insecure_http: bool,
) -> Result<Provider, DiscoveryError> {
    // `response.ok`: a 2xx status.
    if !status.is_some_and(|s| (200..300).contains(&s)) {
        return Err(DiscoveryError::Network);
    }
    let json = json.ok_or(DiscoveryError::InvalidJson)?;
    let meta: ProviderMetadata =
        crate::browser::json::from_value(json).map_err(|_| DiscoveryError::InvalidJson)?;
    let meta = meta.validate(issuer)?;
    let check_session_iframe =
        crate::browser::url::check_session_url(meta.check_session_iframe(), allow_insecure_http)
            .map_err(|_| DiscoveryError::InvalidEndpoint)?;
    Ok(Provider {
        check_session_iframe,
        endpoints: Some(Endpoints::from(meta)),
    })
}

/// Where the OP iframe stands to this page. A page that is itself framed (`window.top` is not
/// this window) counts as cross-site: its top-level site is unknown here.
pub fn op_site(url: &CheckSessionUrl) -> OpSite {
    let Some(window) = crate::browser::js::window() else {
        return OpSite::Cross;
    };
    let page = crate::browser::js::page_origin().unwrap_or_default();
    let framed = match crate::browser::js::window_object::<JsValue>("top") {
        Some(top) => !js_sys::Object::is(&top, &window),
        None => true,
    };
    OpSite::of(&page, url.origin().as_str(), framed)
}

impl Events {
    /// Dispatches `event` if a listener was ever added for its type (else nothing is built). No
    /// borrow is held while listeners run.
    fn dispatch(&self, event: &TabEvent, leader: bool) {
        let name = event.name();
        let kind = match self.listened.try_borrow() {
            // The JS string the type's listener was added with (a string equal to `name`).
            Ok(listened) => match listened.iter().find(|(n, _)| n == name || n == ANY) {
                Some((n, kind)) if n == name => kind.clone(),
                Some(_) => JsValue::from_str(name),
                None => return,
            },
            // Never held while listeners run; if it were, build the event rather than miss it.
            Err(_) => JsValue::from_str(name),
        };
        let detail = Object::new();
        let put = |key: &JsValue, value: &JsValue| {
            let _ = Reflect::set(&detail, key, value);
        };
        put(&self.kind, &kind);
        put(&self.timestamp, &js_sys::Date::now().into());
        // Whether this monitor did the work (alone, or as the leader of its tabs).
        put(&self.leader, &leader.into());
        fill(&detail, event);
        let _ = Reflect::set(&self.init, &self.detail, &detail);
        let _ = self
            .target
            .dispatch_event(&CustomEvent::new(&kind, &self.init));
    }
}

#[wasm_bindgen]
extern "C" {
    /// `CustomEvent`, constructed with its type as a JS string already made.
    #[wasm_bindgen(extends = web_sys::Event)]
    type CustomEvent;
    #[wasm_bindgen(constructor)]
    fn new(kind: &JsValue, init: &JsValue) -> CustomEvent;
}

/// The fields of `detail` beyond `type`, `timestamp` and `leader`.
fn fill(detail: &Object, event: &TabEvent) {
    match event {
        TabEvent::Error {
            code,
            message,
            attempt,
            detail: more,
        } => {
            set(detail, "code", &**code);
            set(detail, "message", &**message);
            set(detail, "attempt", *attempt);
            match more {
                ErrorDetail::None => {}
                ErrorDetail::Evidence(e) => set(detail, "evidence", e.as_str()),
                ErrorDetail::FirstCheck => set(detail, "firstCheck", true),
                ErrorDetail::Value(v) => set(detail, "value", v.as_str()),
            }
        }
        TabEvent::Stopped { reason } => set(detail, "reason", &**reason),
        TabEvent::Renewed { sub, sid } | TabEvent::UserChanged { sub, sid } => {
            set(detail, "sub", sub.as_str());
            if let Some(sid) = sid {
                set(detail, "sid", sid.as_str());
            }
        }
        TabEvent::InteractionRequired { code } => set(detail, "code", &**code),
        TabEvent::Changed { first_check } => set(detail, "firstCheck", *first_check),
        TabEvent::SignedOut(reason) => set(detail, "reason", reason.as_str()),
        TabEvent::Unchanged => {}
    }
}
