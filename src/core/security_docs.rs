//! Issue 9 (2, 11): what the security documents must keep saying. The README states that
//! `frame-src` is the control that limits where session_state can be sent and shows it in every
//! example that sets up a monitor; SECURITY.md keeps its threat model, what is defended, what
//! cannot be, and how to report.

const README: &str = include_str!("../../README.md");
const SECURITY: &str = include_str!("../../SECURITY.md");

/// The fenced code blocks of a Markdown text.
fn code_blocks(markdown: &str) -> impl Iterator<Item = &str> {
    markdown.split("```").skip(1).step_by(2)
}

#[test]
fn every_readme_example_that_sets_up_a_monitor_shows_frame_src() {
    let setups: Vec<&str> = code_blocks(README)
        .filter(|b| b.contains("new SessionMonitor(") || b.contains("data-client-id="))
        .collect();
    assert!(setups.len() >= 3, "examples found: {}", setups.len());
    for block in setups {
        assert!(
            block.contains("frame-src"),
            "a README example sets up a monitor without its CSP frame-src:\n{block}"
        );
    }
    let notes = &README[README
        .find("## Security notes")
        .expect("README: Security notes")..];
    assert!(
        notes.contains(
            "**`frame-src` is the control that limits where `session_state` can be sent.**"
        ),
        "README's security notes no longer say plainly what frame-src controls"
    );
}

#[test]
fn security_md_keeps_its_threat_model_and_how_to_report() {
    for heading in [
        "## Reporting a vulnerability",
        "## Who the attacker is",
        "## What the monitor defends",
        "## What it cannot defend",
    ] {
        assert!(SECURITY.contains(heading), "SECURITY.md lost `{heading}`");
    }
    // The attackers the issue names: who can post messages, inject markup, run same-origin script.
    for who in [
        "postMessage",
        "Injected markup",
        "run script in the RP's origin",
    ] {
        assert!(
            SECURITY.contains(who),
            "SECURITY.md no longer covers `{who}`"
        );
    }
    assert!(
        README.contains("[SECURITY.md](SECURITY.md)"),
        "the README links SECURITY.md"
    );
}

/// How to report must work with what the package declares: the channel is the npm registry's list
/// of the owners of the name this package is published under, and SECURITY.md names no manifest
/// field (such as `repository`) that Cargo.toml does not declare.
#[test]
fn security_md_reporting_channel_matches_the_published_name() {
    const CARGO: &str = include_str!("../../Cargo.toml");
    let name = CARGO
        .lines()
        .find_map(|l| l.strip_prefix("name = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("Cargo.toml: package name");
    let section = &SECURITY[SECURITY
        .find("## Reporting a vulnerability")
        .expect("SECURITY.md: reporting section")..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    assert!(
        section.contains(&format!("`npm owner ls {name}`")),
        "SECURITY.md must tell reporters how to reach the owners of `{name}`:\n{section}"
    );
    for field in ["repository", "homepage", "bugs"] {
        let declared = CARGO.lines().any(|l| l.starts_with(&format!("{field} =")));
        assert!(
            declared || !section.contains(field),
            "SECURITY.md points reporters at `{field}`, which Cargo.toml does not declare"
        );
    }
}
