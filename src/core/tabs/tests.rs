//! Names and wire format of the cross-tab messages.

use super::*;
use crate::core::logout::SignOutReason;
use crate::core::machine::{Evidence, MonitorError, StopReason};

fn s() -> String {
    scope("https://op.example", "client01", "cookie", "session_state")
}

fn every_message() -> Vec<TabMessage> {
    let events = [
        TabEvent::Unchanged,
        TabEvent::Changed { first_check: true },
        TabEvent::Changed { first_check: false },
        TabEvent::from(&Event::Error {
            error: MonitorError::NoResponse,
            attempt: 2,
        }),
        TabEvent::from(&Event::Error {
            error: MonitorError::ThirdPartyCookiesBlocked(Evidence::ALL[0]),
            attempt: u32::MAX,
        }),
        TabEvent::from(&Event::Error {
            error: MonitorError::OpError,
            attempt: 10,
        }),
        TabEvent::from(&Event::Error {
            error: MonitorError::NoFirstResponse,
            attempt: 1,
        }),
        TabEvent::from(&Event::UnexpectedAnswer {
            value: Some("connected".into()),
        }),
        TabEvent::from(&Event::UnexpectedAnswer {
            value: Some(String::new()),
        }),
        TabEvent::from(&Event::UnexpectedAnswer {
            value: Some(crate::core::types::answer_preview(&"~ x".repeat(40))),
        }),
        TabEvent::from(&Event::UnexpectedAnswer { value: None }),
        TabEvent::from(&Event::Stopped(StopReason::SignedOut(
            SignOutReason::OpIframe,
        ))),
        TabEvent::from(&Event::Stopped(StopReason::Error(MonitorError::OpError))),
        TabEvent::Renewed {
            sub: "alice".into(),
            sid: Some("sid 1".into()),
        },
        TabEvent::Renewed {
            sub: "alice".into(),
            sid: None,
        },
        TabEvent::SignedOut(SignOutReason::RpSession),
        TabEvent::UserChanged {
            sub: "bob".into(),
            sid: None,
        },
        TabEvent::InteractionRequired {
            code: "consent_required".into(),
        },
    ];
    let mut all: Vec<TabMessage> = events
        .into_iter()
        .map(|event| TabMessage::Event {
            event,
            view: View::Waiting,
            hidden: true,
        })
        .collect();
    for (view, _) in View::ALL {
        all.push(TabMessage::State {
            view,
            hidden: false,
        });
    }
    all.push(TabMessage::Check { explicit: true });
    all.push(TabMessage::Check { explicit: false });
    all.push(TabMessage::Bye);
    all
}

#[test]
fn every_message_survives_the_wire() {
    for message in every_message() {
        let wire = message.encode(&s());
        assert_eq!(TabMessage::decode(&wire, &s()), Ok(message), "{wire:?}");
    }
}

#[test]
fn names_depend_on_op_client_and_source_only() {
    let a = s();
    assert_eq!(a.len(), 24);
    assert_eq!(a, s(), "deterministic");
    assert_ne!(
        a,
        scope("https://op.example", "client02", "cookie", "session_state")
    );
    assert_ne!(
        a,
        scope("https://op2.example", "client01", "cookie", "session_state")
    );
    assert_ne!(
        a,
        scope(
            "https://op.example",
            "client01",
            "localStorage",
            "session_state"
        )
    );
    assert_ne!(
        a,
        scope("https://op.example", "client01", "cookie", "other")
    );
    // Joined unambiguously: moving a separator changes the scope.
    assert_ne!(scope("a", "b c", "d", ""), scope("a b", "c", "d", ""));
    assert_eq!(lock_name(&a), format!("oidc-session-monitor:lock:{a}"));
    let channel = channel_name("https://op.example", "client01");
    assert!(channel.starts_with("oidc-session-monitor:"));
    assert_eq!(channel.len(), "oidc-session-monitor:".len() + 24);
    assert_ne!(channel, channel_name("https://op.example", "client02"));
}

#[test]
fn another_scope_is_foreign_not_an_event() {
    let other = scope("https://op.example", "client01", "sessionStorage", "k");
    let wire = TabMessage::Event {
        event: TabEvent::SignedOut(SignOutReason::OpIframe),
        view: View::Stopped,
        hidden: false,
    }
    .encode(&other);
    assert_eq!(TabMessage::decode(&wire, &s()), Err(Ignored::Foreign));
}

#[test]
fn junk_is_malformed() {
    let sc = s();
    let ok = |tail: &str| format!("osm1\n{sc}\n{tail}");
    let junk = [
        String::new(),
        "hello".into(),
        "osm1".into(),
        format!("osm2\n{sc}\nb"),
        format!("osm1\n{}\nb", sc.to_uppercase()),
        format!("osm1\n{}\nb", &sc[1..]),
        ok(""),
        ok("x"),
        ok("b\n"),
        ok("b\nextra"),
        ok("c"),
        ok("c\n2"),
        ok("c\ntrue"),
        ok("s\nw"),
        ok("s\nww\n0"),
        ok("s\nz\n0"),
        ok("s\nw\n0\n0"),
        ok("e\nw\n0"),
        ok("e\nw\n0\nunknownEvent"),
        ok("e\nw\n0\nunchanged\nextra"),
        ok("e\nw\n0\nchanged"),
        ok("e\nw\n0\nerror\nop_error\nmsg"),
        ok("e\nw\n0\nerror\nop_error\nmsg\n0"),
        ok("e\nw\n0\nerror\nop_error\nmsg\n01"),
        ok("e\nw\n0\nerror\nop_error\nmsg\n+1"),
        ok("e\nw\n0\nerror\nop_error\nmsg\n99999999999"),
        ok("e\nw\n0\nerror\nOP_ERROR\nmsg\n1"),
        ok("e\nw\n0\nerror\nop-error\nmsg\n1"),
        ok("e\nw\n0\nerror\nop_error\n\n1"),
        ok("e\nw\n0\nstopped"),
        ok("e\nw\n0\nstopped\n<script>"),
        ok("e\nw\n0\nstopped\nstopped"),
        ok("e\nw\n0\nrenewed"),
        ok("e\nw\n0\nrenewed\n"),
        ok("e\nw\n0\nrenewed\nalice\n"),
        ok("e\nw\n0\nrenewed\nalice\nsid\nmore"),
        ok("e\nw\n0\nrenewed\nal\u{0}ice"),
        ok(&format!("e\nw\n0\nrenewed\n{}", "a".repeat(MAX_FIELD + 1))),
        ok("e\nw\n0\nsignedOut\r"),
        ok("e\nw\n0\nsignedOut"),
        ok("e\nw\n0\nerror\nthird_party_cookies_blocked\nmsg\n1\nnot_evidence"),
        ok("e\nw\n0\nerror\nop_error\nmsg\n1\n"),
        ok("e\nw\n0\nsignedOut\nsigned_out"),
        ok("e\nw\n0\ninteractionRequired\n"),
        // An error's last field is only what its code carries (issue 9, points 9 and 10).
        ok("e\nw\n0\nerror\nop_error\nmsg\n1\n1"),
        ok("e\nw\n0\nerror\nno_response\nmsg\n1\n0"),
        ok("e\nw\n0\nerror\nno_response\nmsg\n1\ntrue"),
        ok("e\nw\n0\nerror\nno_response\nmsg\n1\n"),
        ok("e\nw\n0\nerror\nno_response\nmsg\n1\n1\n1"),
        ok("e\nw\n0\nerror\nno_response\nmsg\n1\niframe_error_first"),
        ok("e\nw\n0\nerror\nthird_party_cookies_blocked\nmsg\n1\n1"),
        ok("e\nw\n0\nerror\nop_error\nmsg\n1\nconnected"),
        ok("e\nw\n0\nerror\nunexpected_answer\nmsg\n1\nconnected\nmore"),
        ok(&format!(
            "e\nw\n0\nerror\nunexpected_answer\nmsg\n1\n{}",
            "x".repeat(33)
        )),
        ok("e\nw\n0\nerror\nunexpected_answer\nmsg\n1\nconn\u{e9}cted"),
        ok("e\nw\n0\nerror\nunexpected_answer\nmsg\n1\nconn\u{7f}"),
        ok("e\nw\n0\nerror\nunexpected_answer\nmsg\n1\nconn\tected"),
    ];
    for data in junk {
        assert_eq!(
            TabMessage::decode(&data, &sc),
            Err(Ignored::Malformed),
            "{data:?}"
        );
    }
}

#[test]
fn a_caller_stop_is_never_sent_as_an_event() {
    // The leader says Bye instead; a `stopped` with reason `stopped` on the wire is junk.
    let wire = TabMessage::Event {
        event: TabEvent::from(&Event::Stopped(StopReason::Caller)),
        view: View::Stopped,
        hidden: false,
    }
    .encode(&s());
    assert_eq!(TabMessage::decode(&wire, &s()), Err(Ignored::Malformed));
}

#[test]
fn encoding_strips_what_would_break_the_framing() {
    let wire = TabMessage::Event {
        event: TabEvent::Renewed {
            sub: "ali\nce".into(),
            sid: None,
        },
        view: View::Waiting,
        hidden: false,
    }
    .encode(&s());
    assert_eq!(
        TabMessage::decode(&wire, &s()),
        Ok(TabMessage::Event {
            event: TabEvent::Renewed {
                sub: "alice".into(),
                sid: None
            },
            view: View::Waiting,
            hidden: false,
        })
    );
}

#[test]
fn view_names_are_monitor_states() {
    for (view, _) in View::ALL {
        assert!([
            "loading",
            "waiting",
            "checking",
            "paused",
            "reauthenticating",
            "hidden",
            "stopped"
        ]
        .contains(&view.name()));
    }
    assert_eq!(View::Unknown.name(), "loading");
}

/// The event names the glue dispatches (`TabEvent::name`, one per variant in `every_message`) are
/// exactly the keys of `SessionMonitorEventMap` in the TypeScript types, the drop-in's `EVENTS`
/// (which forwards each as `oidc-session:<name>`) and the bundler smoke test's list: an event added
/// to the core but not to the types, or to the drop-in, fails here.
#[test]
fn event_names_agree_with_types_and_drop_in() {
    use std::collections::BTreeSet;
    const TYPESCRIPT: &str = include_str!("../../api/types.d.ts");
    const DROP_IN: &str = include_str!("../../../npm/oidc-session-monitor-auto.js");
    const SMOKE: &str = include_str!("../../../tests/bundler/main.js");

    /// The words between `start` and the next `end`.
    fn words<'a>(text: &'a str, start: &str, end: &str, what: &str) -> BTreeSet<&'a str> {
        let at = text
            .find(start)
            .unwrap_or_else(|| panic!("{what} has no `{start}`"));
        let body = &text[at + start.len()..];
        let body = &body[..body
            .find(end)
            .unwrap_or_else(|| panic!("{what}: no `{end}`"))];
        body.split(|c: char| !(c.is_ascii_alphanumeric()))
            .filter(|w| !w.is_empty())
            .collect()
    }

    let core: BTreeSet<&str> = every_message()
        .iter()
        .filter_map(|m| match m {
            TabMessage::Event { event, .. } => Some(event.name()),
            _ => None,
        })
        .collect();
    assert_eq!(
        core.len(),
        8,
        "every TabEvent variant appears in every_message"
    );

    // `unchanged: CustomEvent<UnchangedDetail>;` → keep the keys only.
    let ts: BTreeSet<&str> = TYPESCRIPT[TYPESCRIPT
        .find("export interface SessionMonitorEventMap {")
        .expect("event map")..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with('}'))
        .filter_map(|l| l.trim().split(':').next())
        .collect();
    assert_eq!(ts, core, "SessionMonitorEventMap in src/api/types.d.ts");
    assert_eq!(
        words(
            DROP_IN,
            "export const EVENTS = [",
            "]",
            "npm/oidc-session-monitor-auto.js"
        ),
        core,
        "EVENTS in npm/oidc-session-monitor-auto.js"
    );
    assert_eq!(
        words(SMOKE, "const EVENTS = [", "]", "tests/bundler/main.js"),
        core,
        "EVENTS in tests/bundler/main.js"
    );
}

/// Issue 9 (9, 10): followers get `detail.firstCheck` of a first-check `no_response` and
/// `detail.value` of `unexpected_answer` (already a short printable preview in the leader).
#[test]
fn error_details_travel_with_the_event() {
    let first = TabEvent::from(&Event::Error {
        error: MonitorError::NoFirstResponse,
        attempt: 1,
    });
    let later = TabEvent::from(&Event::Error {
        error: MonitorError::NoResponse,
        attempt: 2,
    });
    let blocked = TabEvent::from(&Event::Error {
        error: MonitorError::ThirdPartyCookiesBlocked(Evidence::ALL[1]),
        attempt: 1,
    });
    let value = TabEvent::from(&Event::UnexpectedAnswer {
        value: Some("connected".into()),
    });
    let detail = |e: &TabEvent| match e {
        TabEvent::Error { detail, .. } => detail.clone(),
        _ => unreachable!(),
    };
    assert_eq!(detail(&first), ErrorDetail::FirstCheck);
    assert_eq!(detail(&later), ErrorDetail::None);
    assert_eq!(detail(&blocked), ErrorDetail::Evidence(Evidence::ALL[1]));
    assert_eq!(detail(&value), ErrorDetail::Value("connected".into()));
    for (event, tail) in [(&first, "no_response\n"), (&value, "unexpected_answer\n")] {
        let wire = TabMessage::Event {
            event: event.clone(),
            view: View::Waiting,
            hidden: false,
        }
        .encode(&s());
        let last = wire.rsplit('\n').next().unwrap();
        assert!(wire.contains(tail), "{wire:?}");
        assert_eq!(last, if event == &first { "1" } else { "connected" });
        let TabMessage::Event { event: heard, .. } = TabMessage::decode(&wire, &s()).unwrap()
        else {
            panic!("{wire:?}");
        };
        assert_eq!(&heard, event);
    }
    // Older messages without the field still read, with nothing more.
    let old = format!("osm1\n{}\ne\nw\n0\nerror\nno_response\nmsg\n1", s());
    assert!(matches!(
        TabMessage::decode(&old, &s()),
        Ok(TabMessage::Event {
            event: TabEvent::Error {
                detail: ErrorDetail::None,
                ..
            },
            ..
        })
    ));
}

/// The digest as earlier versions computed it: FNV-1a over the parts joined by `\n`.
fn joined_digest(parts: &[&str]) -> String {
    let joined = parts.join("\n");
    let fnv = |offset: u64| {
        joined.bytes().fold(offset, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    format!("{a:016x}{:08x}", b & 0xffff_ffff)
}

/// The names do not depend on how the digest is computed (the parts are hashed without being
/// joined first): tabs of earlier versions agree on them.
#[test]
fn names_are_the_digest_of_the_joined_parts() {
    let parts = ["https://op.example", "client01", "cookie", "session_state"];
    assert_eq!(
        scope(parts[0], parts[1], parts[2], parts[3]),
        joined_digest(&parts)
    );
    assert_eq!(
        channel_name(parts[0], parts[1]),
        format!("oidc-session-monitor:{}", joined_digest(&parts[..2]))
    );
}
