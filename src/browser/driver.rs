//! Runs the state machine in the page: feeds it DOM events, timer callbacks and async results,
//! performs its effects, and dispatches its events.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::Object;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{CustomEvent, CustomEventInit, EventTarget, Response};

use crate::browser::iframe::OpFrame;
use crate::browser::js::set;
use crate::browser::listener::Listener;
use crate::browser::reauth::{self, Endpoints, Method, SilentFrame};
use crate::browser::source::Source;
use crate::core::discovery::{discovery_url, DiscoveryError, ProviderMetadata};
use crate::core::error_code::ErrorCode;
use crate::core::machine::{
    Effect, Event, Input, Machine, MonitorError, OpSite, Phase, ReauthOutcome, StopReason, Timer,
};
use crate::core::types::CheckSessionUrl;

/// Where the OP's URLs come from.
pub enum Target {
    /// Given directly (`checkSessionIframe`), with endpoints if the host gave an issuer too.
    Known(CheckSessionUrl, Option<Endpoints>),
    /// Discovered from the issuer at the first `start()`.
    Issuer(String),
}

struct Inner {
    machine: Machine,
    url: Option<CheckSessionUrl>,
    endpoints: Option<Endpoints>,
    issuer: Option<String>,
    /// A discovery is under way; `start_wanted` says whether to start when it ends.
    discovering: bool,
    start_wanted: bool,
    source: Source,
    client_id: String,
    method: Option<Method>,
    frame: Option<OpFrame>,
    silent: Option<SilentFrame>,
    timers: [Option<Timeout>; Timer::ALL.len()],
    /// `visibilitychange` on the document, with `pauseWhenHidden`.
    visibility: Option<Listener>,
}

/// Owns the machine and every browser resource it uses. Dropping it (or [`Driver::dispose`])
/// releases the iframes, the listeners, the timers and their closures, without emitting events.
pub struct Driver {
    inner: Rc<RefCell<Inner>>,
    events: EventTarget,
}

impl Driver {
    /// A driver in the `idle` phase; events go to `events`.
    pub fn new(
        machine: Machine,
        target: Target,
        source: Source,
        client_id: String,
        method: Option<Method>,
        events: EventTarget,
    ) -> Self {
        let (url, endpoints, issuer) = match target {
            Target::Known(url, endpoints) => (Some(url), endpoints, None),
            Target::Issuer(issuer) => (None, None, Some(issuer)),
        };
        let mut machine = machine;
        if let Some(url) = &url {
            machine.set_op_site(op_site(url));
        }
        let inner = Inner {
            machine,
            url,
            endpoints,
            issuer,
            discovering: false,
            start_wanted: false,
            source,
            client_id,
            method,
            frame: None,
            silent: None,
            timers: Default::default(),
            visibility: None,
        };
        let pause_when_hidden = inner.machine.config().pause_when_hidden;
        let driver = Driver {
            inner: Rc::new(RefCell::new(inner)),
            events,
        };
        if pause_when_hidden {
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                let (weak, events) = (Rc::downgrade(&driver.inner), driver.events.clone());
                let doc = document.clone();
                let listener = Listener::new(&document, "visibilitychange", move |_| {
                    feed_weak(
                        &weak,
                        &events,
                        Input::VisibilityChanged {
                            hidden: doc.hidden(),
                        },
                    );
                });
                if let Ok(mut inner) = driver.inner.try_borrow_mut() {
                    inner.visibility = Some(listener);
                }
            }
        }
        driver
    }

    /// Tells the machine whether the page is hidden now (before `start()`).
    pub fn sync_visibility(&self) {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            self.feed(Input::VisibilityChanged {
                hidden: document.hidden(),
            });
        }
    }

    /// Feeds an input, performs the effects, then dispatches the events with no borrow held, so a
    /// listener may call `stop()`, `checkNow()` or `start()` from inside an event.
    pub fn feed(&self, input: Input) {
        feed(&self.inner, &self.events, input);
    }

    /// The current phase (`Loading` while discovering).
    pub fn phase(&self) -> Phase {
        match self.inner.try_borrow() {
            Ok(i) if i.discovering && i.start_wanted => Phase::Loading,
            Ok(i) => i.machine.phase(),
            Err(_) => Phase::Stopped,
        }
    }

    /// Releases everything now, silently.
    pub fn dispose(&self) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.frame = None;
            inner.silent = None;
            inner.timers = Default::default();
            inner.visibility = None;
            inner.start_wanted = false;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.dispose();
    }
}

fn feed(inner: &Rc<RefCell<Inner>>, events: &EventTarget, input: Input) {
    let emitted = {
        let Ok(mut guard) = inner.try_borrow_mut() else {
            return;
        };
        let state = &mut *guard;
        if state.url.is_none() {
            // Issuer mode before discovery: start() discovers, stop() cancels the wish to start.
            match input {
                Input::Start => {
                    state.start_wanted = true;
                    if !state.discovering {
                        state.discovering = true;
                        let issuer = state.issuer.clone().unwrap_or_default();
                        spawn_local(discover(Rc::downgrade(inner), events.clone(), issuer));
                    }
                }
                Input::Stop => state.start_wanted = false,
                _ => {}
            }
            return;
        }
        let effects = state.machine.handle(input, &mut state.source);
        let mut emitted = Vec::new();
        for effect in effects {
            match effect {
                Effect::Emit(event) => emitted.push(event),
                other => perform(state, inner, events, other),
            }
        }
        emitted
    };
    for event in emitted {
        dispatch(events, event);
    }
}

fn perform(state: &mut Inner, rc: &Rc<RefCell<Inner>>, events: &EventTarget, effect: Effect) {
    match effect {
        Effect::CreateIframe => {
            let (Some(window), Some(url)) = (web_sys::window(), &state.url) else {
                return;
            };
            let Some(document) = window.document() else {
                return;
            };
            let weak = Rc::downgrade(rc);
            let (w1, e1, w2, e2) = (weak.clone(), events.clone(), weak, events.clone());
            state.frame = OpFrame::open(
                &window,
                &document,
                url,
                move || feed_weak(&w1, &e1, Input::IframeLoaded),
                move |answer| feed_weak(&w2, &e2, Input::Answer(answer)),
            );
            // If the page has no body to attach to, the load deadline reports it.
        }
        Effect::RemoveIframe => state.frame = None,
        Effect::Post(message) => {
            if let Some(frame) = &state.frame {
                frame.post(&message);
            }
        }
        Effect::SetTimer(timer, ms) => {
            let (weak, events) = (Rc::downgrade(rc), events.clone());
            state.timers[timer.index()] = Some(Timeout::new(ms, move || {
                feed_weak(&weak, &events, Input::TimerFired(timer))
            }));
        }
        Effect::ClearTimer(timer) => state.timers[timer.index()] = None,
        Effect::StoreSessionState(value) => state.source.write(&value),
        Effect::EndReauth => state.silent = None,
        Effect::StartReauth { generation } => start_reauth(state, rc, events, generation),
        // The logout glue (issue 11) performs these; until then a sign-out only reports.
        Effect::FetchRpSession { .. } | Effect::ClearSession | Effect::TellOtherTabs(_) => {}
        Effect::Emit(_) => {}
        // Cross-tab effects: the glue for them comes with the channel and lock handles;
        // `cross_tab` is off until then, so the machine never asks for them.
        Effect::OpenChannel
        | Effect::CloseChannel
        | Effect::RequestLock { .. }
        | Effect::ReleaseLock
        | Effect::Broadcast(_)
        | Effect::Relay(_) => {}
    }
}

fn start_reauth(state: &mut Inner, rc: &Rc<RefCell<Inner>>, events: &EventTarget, generation: u32) {
    let (weak, events) = (Rc::downgrade(rc), events.clone());
    let client_id = state.client_id.clone();
    let report = move |outcome: ReauthOutcome| {
        feed_weak(
            &weak,
            &events,
            Input::ReauthFinished {
                generation,
                outcome,
            },
        );
    };
    match state.method.clone() {
        Some(Method::Hook(hook)) => {
            spawn_local(async move { report(reauth::run_hook(hook, client_id).await) })
        }
        Some(Method::Silent(opts)) => {
            let Some(endpoints) = state.endpoints.clone() else {
                let e = MonitorError::Reauth {
                    code: ErrorCode::ReauthFailed,
                    message: "no OP endpoints for the silent re-authentication",
                };
                spawn_local(async move { report(ReauthOutcome::Failed(e)) });
                return;
            };
            match reauth::prepare(&opts, &endpoints, &client_id) {
                Ok(p) => {
                    let (promise, st, nonce, verifier) = (p.promise, p.state, p.nonce, p.verifier);
                    state.silent = Some(p.frame);
                    spawn_local(async move {
                        report(
                            reauth::finish(
                                promise, st, nonce, verifier, opts, endpoints, client_id,
                            )
                            .await,
                        )
                    });
                }
                // Reported asynchronously, like every outcome, so the machine is never re-entered.
                Err(outcome) => spawn_local(async move { report(outcome) }),
            }
        }
        None => {}
    }
}

fn feed_weak(weak: &Weak<RefCell<Inner>>, events: &EventTarget, input: Input) {
    if let Some(inner) = weak.upgrade() {
        feed(&inner, events, input);
    }
}

async fn fetch_metadata(issuer: &str) -> Result<ProviderMetadata, DiscoveryError> {
    let window = web_sys::window().ok_or(DiscoveryError::Network)?;
    let response = JsFuture::from(window.fetch_with_str(&discovery_url(issuer)))
        .await
        .map_err(|_| DiscoveryError::Network)?;
    let response: Response = response.dyn_into().map_err(|_| DiscoveryError::Network)?;
    if !response.ok() {
        return Err(DiscoveryError::Network);
    }
    let json = response.json().map_err(|_| DiscoveryError::InvalidJson)?;
    let json = JsFuture::from(json)
        .await
        .map_err(|_| DiscoveryError::InvalidJson)?;
    crate::browser::json::from_value(json).map_err(|_| DiscoveryError::InvalidJson)
}

async fn discover(weak: Weak<RefCell<Inner>>, events: EventTarget, issuer: String) {
    let result = fetch_metadata(&issuer)
        .await
        .and_then(|m| m.validate(&issuer));
    let Some(inner) = weak.upgrade() else { return };
    let start = {
        let Ok(mut state) = inner.try_borrow_mut() else {
            return;
        };
        state.discovering = false;
        match result {
            Ok(meta) => match crate::browser::url::check_session_url(meta.check_session_iframe()) {
                Ok(url) => {
                    state.machine.set_op_site(op_site(&url));
                    state.url = Some(url);
                    state.endpoints = Some(Endpoints {
                        issuer: meta.issuer().to_owned(),
                        authorization_endpoint: meta.authorization_endpoint().to_owned(),
                        token_endpoint: meta.token_endpoint().map(str::to_owned),
                    });
                    Ok(state.start_wanted)
                }
                Err(_) => Err(DiscoveryError::InvalidEndpoint),
            },
            Err(e) => Err(e),
        }
    };
    match start {
        Ok(true) => feed(&inner, &events, Input::Start),
        Ok(false) => {}
        Err(e) => {
            let error = MonitorError::Discovery {
                code: e.code(),
                message: e.message(),
            };
            let wanted = inner.try_borrow().map(|s| s.start_wanted).unwrap_or(false);
            if wanted {
                dispatch(&events, Event::Error { error, attempt: 1 });
                dispatch(&events, Event::Stopped(StopReason::Error(error)));
            }
        }
    }
}

/// Where the OP iframe stands to this page. A page that is itself framed (`window.top` is not
/// this window) counts as cross-site: its top-level site is unknown here.
pub fn op_site(url: &CheckSessionUrl) -> OpSite {
    let Some(window) = web_sys::window() else {
        return OpSite::Cross;
    };
    let page = window.location().origin().unwrap_or_default();
    let framed = match window.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &window),
        _ => true,
    };
    OpSite::of(&page, url.origin().as_str(), framed)
}

/// Event names, as used with `addEventListener`.
pub fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Unchanged => "unchanged",
        Event::Changed { .. } => "changed",
        Event::Error { .. } => "error",
        Event::Stopped(_) => "stopped",
        Event::Renewed { .. } => "renewed",
        Event::SignedOut(_) => "signedOut",
        Event::UserChanged { .. } => "userChanged",
        Event::InteractionRequired { .. } => "interactionRequired",
    }
}

fn dispatch(target: &EventTarget, event: Event) {
    let name = event_name(&event);
    let detail = Object::new();
    set(&detail, "type", name);
    set(&detail, "timestamp", js_sys::Date::now());
    match event {
        Event::Error { error, attempt } => {
            set(&detail, "code", error.code().as_str());
            set(&detail, "message", error.message());
            set(&detail, "attempt", attempt);
            if let MonitorError::ThirdPartyCookiesBlocked(evidence) = error {
                set(&detail, "evidence", evidence.as_str());
            }
        }
        Event::Stopped(reason) => set(&detail, "reason", reason.code()),
        Event::Renewed { sub, sid } | Event::UserChanged { sub, sid } => {
            set(&detail, "sub", sub);
            if let Some(sid) = sid {
                set(&detail, "sid", sid);
            }
        }
        Event::InteractionRequired { code } => set(&detail, "code", code),
        Event::Changed { first_check } => set(&detail, "firstCheck", first_check),
        Event::SignedOut(reason) => set(&detail, "reason", reason.as_str()),
        Event::Unchanged => {}
    }
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    if let Ok(e) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = target.dispatch_event(&e);
    }
}
