//! `monitor.diagnose()`: does the OP iframe see its session in this browser, and what to do if not.
//!
//! The verdict comes from what the running monitor has seen (its first answer since `start()`)
//! and where the OP iframe stands to the page; decided here, so every case is a native test.
//! No extra iframe, no extra request: the check the monitor makes anyway is the probe.

use crate::core::machine::OpSite;
use crate::core::types::OpAnswer;

/// `seesSession` (`yes`, `no` or `unknown`) and a sentence of advice.
pub fn verdict(site: OpSite, first: Option<OpAnswer>) -> (&'static str, &'static str) {
    match (first, site) {
        (Some(OpAnswer::Unchanged), _) => ("yes", "The OP iframe sees its session here."),
        (Some(OpAnswer::Changed), OpSite::Same) => {
            ("yes", "The OP says the stored session_state is out of date.")
        }
        (Some(OpAnswer::Changed), OpSite::Cross) => (
            "unknown",
            "A stale session_state, or third-party cookies blocked: put the OP on this site, or use rpSession.",
        ),
        (Some(OpAnswer::Error), OpSite::Cross) => (
            "no",
            "Third-party cookies blocked: put the OP on this site, or use rpSession.",
        ),
        (Some(OpAnswer::Error), OpSite::Same) => {
            ("unknown", "Check clientId and the origins registered at the OP.")
        }
        (None, _) => ("unknown", "No answer yet: sign in, start(), then diagnose."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_has_a_verdict_and_advice() {
        use OpAnswer::*;
        let cases = [
            (OpSite::Same, Some(Unchanged), "yes"),
            (OpSite::Cross, Some(Unchanged), "yes"),
            (OpSite::Same, Some(Changed), "yes"),
            (OpSite::Cross, Some(Changed), "unknown"),
            (OpSite::Cross, Some(Error), "no"),
            (OpSite::Same, Some(Error), "unknown"),
            (OpSite::Cross, None, "unknown"),
        ];
        for (site, first, want) in cases {
            let (sees, advice) = verdict(site, first);
            assert_eq!(sees, want, "{site:?} {first:?}");
            assert!(advice.ends_with('.'));
            let maybe_blind = site == OpSite::Cross && matches!(first, Some(Changed | Error));
            assert_eq!(advice.contains("rpSession"), maybe_blind, "{advice}");
        }
    }
}
