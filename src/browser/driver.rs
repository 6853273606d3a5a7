//! Runs the state machine in the page: feeds it DOM events, timer callbacks and async results,
//! performs its effects, and dispatches its events. It holds handles (iframes, listeners,
//! timers), never phases: every decision is the machine's.

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
use crate::browser::reauth::{self, ReauthMethod, SilentFrame};
use crate::browser::source::Source;
use crate::core::discovery::{
    discovery_url, DiscoveryError, Endpoints, Provider, ProviderMetadata,
};
use crate::core::error_code::ErrorCode;
use crate::core::machine::{
    Effect, Event, Input, Machine, MonitorError, OpSite, Phase, ReauthOutcome, Timer,
};
use crate::core::types::CheckSessionUrl;

/// What the driver owns besides the machine: the source it reads, and every browser resource.
struct Inner {
    machine: Machine,
    source: Source,
    method: Option<ReauthMethod>,
    frame: Option<OpFrame>,
    silent: Option<SilentFrame>,
    timers: [Option<Timeout>; Timer::ALL.len()],
    /// `visibilitychange` on the document, with `pauseWhenHidden`.
    visibility: Option<Listener>,
}

/// A cheap, cloneable way to feed the machine from a callback: a weak reference (so a pending
/// callback never keeps a dropped monitor alive) and the event target to dispatch to.
#[derive(Clone)]
struct Handle {
    inner: Weak<RefCell<Inner>>,
    events: EventTarget,
}

impl Handle {
    /// Feeds an input, performs the effects, then dispatches the events with no borrow held, so
    /// a listener may call `stop()`, `checkNow()` or `start()` from inside an event. Does nothing
    /// once the monitor is gone, or while the machine is busy (an input from inside an effect).
    fn feed(&self, input: Input) {
        let Some(rc) = self.inner.upgrade() else {
            return;
        };
        let emitted = {
            let Ok(mut guard) = rc.try_borrow_mut() else {
                return;
            };
            let state = &mut *guard;
            let effects = state.machine.handle(input, &mut state.source);
            let mut emitted = Vec::new();
            for effect in effects {
                match effect {
                    Effect::Emit(event) => emitted.push(event),
                    other => self.perform(state, other),
                }
            }
            emitted
        };
        for event in emitted {
            dispatch(&self.events, event);
        }
    }

    fn perform(&self, state: &mut Inner, effect: Effect) {
        match effect {
            Effect::Discover { issuer } => {
                let handle = self.clone();
                spawn_local(async move { handle.feed(Input::Discovered(discover(&issuer).await)) });
            }
            Effect::CreateIframe => {
                let (Some(window), Some(provider)) = (web_sys::window(), state.machine.provider())
                else {
                    return;
                };
                let Some(document) = window.document() else {
                    return;
                };
                let site = op_site(&provider.check_session_iframe);
                let (on_load, on_answer) = (self.clone(), self.clone());
                state.frame = OpFrame::open(
                    &window,
                    &document,
                    &provider.check_session_iframe,
                    move || on_load.feed(Input::IframeLoaded),
                    move |answer| on_answer.feed(Input::Answer(answer)),
                );
                // If the page has no body to attach to, the load deadline reports it.
                state.machine.set_op_site(site);
            }
            Effect::RemoveIframe => state.frame = None,
            Effect::Post(message) => {
                if let Some(frame) = &state.frame {
                    frame.post(&message);
                }
            }
            Effect::SetTimer(timer, ms) => {
                let handle = self.clone();
                state.timers[timer.index()] = Some(Timeout::new(ms, move || {
                    handle.feed(Input::TimerFired(timer))
                }));
            }
            Effect::ClearTimer(timer) => state.timers[timer.index()] = None,
            Effect::StoreSessionState(value) => state.source.write(&value),
            Effect::EndReauth => state.silent = None,
            Effect::StartReauth { generation } => self.start_reauth(state, generation),
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

    /// Starts the attempt the machine asked for; its outcome comes back as `ReauthFinished`,
    /// always asynchronously, so the machine is never re-entered.
    fn start_reauth(&self, state: &mut Inner, generation: u32) {
        let handle = self.clone();
        let report = move |outcome: ReauthOutcome| {
            handle.feed(Input::ReauthFinished {
                generation,
                outcome,
            })
        };
        let client_id = state.machine.client_id().as_str().to_owned();
        match state.method.clone() {
            Some(ReauthMethod::Hook(hook)) => {
                spawn_local(async move { report(reauth::run_hook(hook, client_id).await) })
            }
            Some(ReauthMethod::Silent(options)) => {
                let endpoints = state.machine.provider().and_then(|p| p.endpoints.clone());
                // The options require `issuer` with `silentReauth`, so endpoints are known here.
                let Some(endpoints) = endpoints else {
                    let error = MonitorError::Reauth {
                        code: ErrorCode::ReauthFailed,
                        message: "no OP endpoints for the silent re-authentication",
                    };
                    spawn_local(async move { report(ReauthOutcome::Failed(error)) });
                    return;
                };
                match reauth::prepare(options, endpoints, client_id) {
                    Ok((frame, attempt)) => {
                        state.silent = Some(frame);
                        spawn_local(async move { report(attempt.finish().await) });
                    }
                    Err(outcome) => spawn_local(async move { report(outcome) }),
                }
            }
            None => {}
        }
    }
}

/// Owns the machine and every browser resource it uses. Dropping it (or [`Driver::dispose`])
/// releases the iframes, the listeners, the timers and their closures, without emitting events.
pub struct Driver {
    inner: Rc<RefCell<Inner>>,
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
        events: EventTarget,
    ) -> Self {
        let pause_when_hidden = machine.config().pause_when_hidden;
        let inner = Rc::new(RefCell::new(Inner {
            machine,
            source,
            method,
            frame: None,
            silent: None,
            timers: Default::default(),
            visibility: None,
        }));
        let handle = Handle {
            inner: Rc::downgrade(&inner),
            events,
        };
        if pause_when_hidden {
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                let (doc, on_change) = (document.clone(), handle.clone());
                let listener = Listener::new(&document, "visibilitychange", move |_| {
                    on_change.feed(Input::VisibilityChanged {
                        hidden: doc.hidden(),
                    })
                });
                inner.borrow_mut().visibility = Some(listener);
            }
        }
        Driver { inner, handle }
    }

    /// Tells the machine whether the page is hidden now (before `start()`).
    pub fn sync_visibility(&self) {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            self.feed(Input::VisibilityChanged {
                hidden: document.hidden(),
            });
        }
    }

    /// Feeds an input, performs the effects, then dispatches the events with no borrow held, so
    /// a listener may call `stop()`, `checkNow()` or `start()` from inside an event.
    pub fn feed(&self, input: Input) {
        self.handle.feed(input);
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        match self.inner.try_borrow() {
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
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.dispose();
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

/// Fetches and validates the issuer's discovery document; the machine decides what follows.
async fn discover(issuer: &str) -> Result<Provider, DiscoveryError> {
    let meta = fetch_metadata(issuer).await?.validate(issuer)?;
    let check_session_iframe = crate::browser::url::check_session_url(meta.check_session_iframe())
        .map_err(|_| DiscoveryError::InvalidEndpoint)?;
    Ok(Provider {
        check_session_iframe,
        endpoints: Some(Endpoints::from(&meta)),
    })
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
