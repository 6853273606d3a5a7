//! Checks a `session_state` with `core::session_state::verify` (feature `op`). The end-to-end test
//! feeds it values captured from the real OPs (tests/e2e/backchannel.mjs).
//!
//!     cargo run --features op --example session_state -- <session_state> <client_id> <origin> <browser_state>
//!
//! Prints `valid` (exit 0) or `invalid` (exit 1).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [session_state, client_id, origin, browser_state] = args.as_slice() else {
        eprintln!("usage: session_state <session_state> <client_id> <origin> <browser_state>");
        std::process::exit(2);
    };
    let ok = oidc_session_monitor::core::session_state::verify(
        session_state,
        client_id,
        origin,
        browser_state,
    );
    println!("{}", if ok { "valid" } else { "invalid" });
    std::process::exit(if ok { 0 } else { 1 });
}
