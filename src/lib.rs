//! # oidc-session-monitor
//!
//! A Relying Party's session monitor for [OpenID Connect Session Management 1.0], compiled to
//! WebAssembly. It loads the OP's `check_session_iframe`, posts `client_id + " " + session_state`
//! to it on a schedule, and tells the page `unchanged`, `changed` or `error` — safely: exact
//! origins only, answers only from its own iframe, typed errors, no leaks.
//!
//! ```html
//! <script type="module">
//!   import init, { SessionMonitor } from './pkg/oidc_session_monitor.js';
//!   await init();
//!   const monitor = new SessionMonitor({
//!     checkSessionIframe: 'https://op.example/check_session',
//!     clientId: 'client01',
//!     sessionState: { cookie: 'session_state' },
//!   });
//!   monitor.addEventListener('changed', () => location.assign('/login'));
//!   monitor.addEventListener('error', (e) => console.warn(e.detail.code, e.detail.message));
//!   monitor.start();
//! </script>
//! ```
//!
//! ## Layout
//! - [`core`]: the protocol in plain Rust (no browser imports), tested natively with `cargo test`.
//! - `browser` (wasm32 only): glue that performs the core's effects with `web-sys`; owned RAII handles.
//! - `api` (wasm32 only): the `#[wasm_bindgen]` surface that JavaScript sees.
//! - `server` (cargo feature `server`, native): Back-Channel Logout `logout_token` validation for
//!   RP servers; never part of the wasm package.
//!
//! [OpenID Connect Session Management 1.0]: https://openid.net/specs/openid-connect-session-1_0.html
#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

pub mod core;

#[cfg(feature = "server")]
pub mod server;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod browser;

/// The .wasm's allocator: a small coalescing free list instead of dlmalloc (see Cargo.toml).
// SAFETY: wasm32-unknown-unknown without the atomics feature is single-threaded.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
