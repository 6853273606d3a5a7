//! The leader's Web Lock, as an owned handle.
//!
//! `navigator.locks.request(name, callback)` holds the lock until the promise `callback` returns
//! settles. The usual trick returns a promise that never settles: then nobody can give the lock
//! back, and a page holding it is kept out of the back/forward cache. Here the callback returns a
//! promise whose `resolve` the handle owns: dropping the [`Lock`] resolves it (the lock is free
//! again at once) or, while still queued, aborts the request through its `AbortSignal`.
//!
//! The callback closure lives as long as the request is unsettled (a task awaits the request's
//! promise and holds it), not as long as the handle: a grant that arrives after the handle was
//! dropped finds it gone and gives the lock straight back.

use std::cell::Cell;
use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser::spawn;
use web_sys::AbortController;

use crate::browser::js::{deferred, get, set};
use crate::browser::sharing::Feed;
use crate::core::machine::Input;

/// Shared with the request's callbacks, weakly: they find it gone once the handle is dropped.
struct State {
    /// Resolves the promise that holds the lock.
    release: Cell<Option<Function>>,
}

/// A request for, or a hold of, a Web Lock. Dropping it releases the lock, or withdraws the
/// request, without calling back.
#[must_use = "the lock is released (or the request withdrawn) as soon as this value is dropped"]
pub struct Lock {
    state: Rc<State>,
    abort: Option<AbortController>,
}

impl std::fmt::Debug for Lock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lock").finish_non_exhaustive()
    }
}

fn locks() -> Option<JsValue> {
    // A getter that throws reads as `undefined` (then so does `locks`): no lock, as before.
    let locks = get(&get(&js_sys::global(), "navigator"), "locks");
    locks.is_object().then_some(locks)
}

impl Lock {
    /// Whether this page can use Web Locks (they need a secure context, e.g. `http://127.0.0.1`).
    pub fn supported() -> bool {
        locks().is_some()
    }

    /// Queues for the lock `name` (or, with `steal`, takes it from its holder, who is told the
    /// lock was lost). `LockAcquired` is fed when this request gets the lock; `LockLost` if it is
    /// stolen or the request fails while the handle is alive. `None` without Web Locks.
    pub fn request(name: &str, steal: bool, feed: &Feed) -> Option<Lock> {
        let locks = locks()?;
        let request: Function = get(&locks, "request").dyn_into().ok()?;
        let state = Rc::new(State {
            release: Cell::new(None),
        });
        let options = Object::new();
        let abort = if steal {
            // `steal` may not be combined with a signal; a steal is granted at once anyway.
            set(&options, "steal", true);
            None
        } else {
            let controller = AbortController::new().ok()?;
            set(&options, "signal", get(&controller, "signal"));
            Some(controller)
        };
        let weak: Weak<State> = Rc::downgrade(&state);
        let (granted, lost) = (feed.clone(), feed.clone());
        let mut first = true;
        let grant = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |_lock: JsValue| {
            let Some(state) = weak.upgrade() else {
                // Nobody wants it any more: returning at once gives it back.
                return JsValue::UNDEFINED;
            };
            let Some((held, resolve, _)) = deferred() else {
                return JsValue::UNDEFINED;
            };
            state.release.set(Some(resolve));
            drop(state);
            if std::mem::take(&mut first) {
                granted.feed(Input::LockAcquired);
            }
            held.into()
        });
        let pending = request
            .call3(
                &locks,
                &name.into(),
                &options,
                grant.as_ref().unchecked_ref(),
            )
            .ok()?;
        // `Promise.resolve` (an import the glue has anyway) rather than an `instanceof` check.
        let pending = Promise::resolve(&pending);
        let watched = Rc::downgrade(&state);
        spawn(Box::pin(async move {
            let result = JsFuture::from(pending).await;
            // The callback may be called until the request settles: keep it until then.
            drop(grant);
            if result.is_err() && watched.strong_count() > 0 {
                lost.feed(Input::LockLost);
            }
        }));
        Some(Lock { state, abort })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // The handle is the only strong owner of `state`: the callbacks find it gone after this.
        if let Some(controller) = &self.abort {
            // Withdraws a queued request; does nothing to a lock already held.
            controller.abort();
        }
        if let Some(release) = self.state.release.take() {
            let _ = release.call1(&JsValue::UNDEFINED, &JsValue::UNDEFINED);
        }
    }
}
