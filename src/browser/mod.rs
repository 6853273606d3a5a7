//! Browser glue: turns DOM events into [`crate::core::machine::Input`]s and performs the machine's
//! [`crate::core::machine::Effect`]s. Every browser resource is an owned value that releases itself
//! on drop: [`listener::Listener`], [`iframe::OpFrame`], `gloo_timers::callback::Timeout`.

pub mod channel;
pub mod driver;
pub mod iframe;
pub mod js;
pub mod json;
pub mod lifecycle;
pub mod listener;
pub mod lock;
pub mod logout;
pub mod reauth;
pub mod sharing;
pub mod source;
pub mod url;

/// Calls `f(arg)` through a function pointer that the optimizers cannot see through, so that `f`
/// stays a wasm function of its own instead of being inlined into its (only) caller: binaryen
/// inlines every function with one caller, and Chromium's V8 compiles a wasm function as a whole
/// at its first call. For code that a page rarely runs (discovery, re-authentication, logout,
/// cross-tab sharing), this keeps it out of what `start()` and the first check compile
/// (bench/NOTES.md, "Start-up, measured").
pub(crate) fn out_of_line<A, R>(f: fn(A) -> R, arg: A) -> R {
    std::hint::black_box(f)(arg)
}

/// `spawn_local` for every task of the glue, as one boxed future type: js-sys's task, waker and
/// JSPI path are instantiated once instead of once per `async` block (size).
pub(crate) fn spawn(task: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(task)
}
