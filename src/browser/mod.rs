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
