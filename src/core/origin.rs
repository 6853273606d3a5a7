//! The origin of an absolute `http:`/`https:` URL, serialised as browsers do for `URL.origin` and
//! `MessageEvent.origin` (WHATWG URL Standard, special schemes only).
//!
//! The monitor posts only to this origin and accepts answers only from it, so it must match what the
//! browser computes byte for byte: scheme and host lower-cased, default port dropped, leading zeros
//! of the port dropped, IPv4 shorthand (`127.1`, `0x7f.0.0.1`) and IPv6 literals in canonical form.
//! A browser test cross-checks this against `new URL(u).origin`.

use crate::core::error_code::ErrorCode;
use crate::core::text;

/// Why a URL was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginError {
    /// Not an absolute URL (no scheme, or no host).
    NotAbsolute,
    /// The scheme is not `http` or `https`.
    UnsupportedScheme,
    /// The host is empty, contains a forbidden character, or is not ASCII (use its punycode form).
    InvalidHost,
    /// The port is not a number from 0 to 65535.
    InvalidPort,
    /// `http:` on a host that is not loopback, without `allowInsecureHttp: true`.
    Insecure,
    /// The URL carries a user name or password.
    Userinfo,
    /// The URL has a fragment (`#…`).
    Fragment,
}

impl OriginError {
    /// Stable machine-readable code.
    pub fn code(self) -> ErrorCode {
        match self {
            OriginError::UnsupportedScheme => ErrorCode::UnsupportedScheme,
            OriginError::Insecure => ErrorCode::InsecureUrl,
            _ => ErrorCode::InvalidUrl,
        }
    }

    /// Human-readable explanation.
    pub fn message(self) -> &'static str {
        match self {
            OriginError::NotAbsolute => "not an absolute URL",
            OriginError::UnsupportedScheme => "only http: and https: URLs are supported",
            OriginError::InvalidHost => {
                "the URL's host is empty, has a forbidden character, or is not ASCII (use punycode)"
            }
            OriginError::InvalidPort => "the URL's port is not a number from 0 to 65535",
            OriginError::Insecure => {
                "https: is required except on loopback hosts (or set allowInsecureHttp: true)"
            }
            OriginError::Userinfo => "the URL must not carry a user name or password",
            OriginError::Fragment => "the URL must not have a fragment (#...)",
        }
    }
}

/// A URL as the browser's parser splits it (`new URL(u)`), for [`check_url_policy`].
#[derive(Debug, Clone, Copy)]
pub struct UrlParts<'a> {
    /// `protocol`, e.g. `https:`.
    pub protocol: &'a str,
    /// `hostname`, canonical (lower case, IPv4 dotted decimal, IPv6 in brackets).
    pub hostname: &'a str,
    /// `username` or `password` is non-empty.
    pub userinfo: bool,
    /// `href` has a `#` (an empty fragment counts).
    pub fragment: bool,
}

/// `localhost`, `127.0.0.0/8` or `[::1]`, as the browser spells a canonical host.
pub fn is_loopback_host(hostname: &str) -> bool {
    if hostname == "localhost" || hostname == "[::1]" {
        return true;
    }
    let mut parts = text::split(hostname, b'.');
    parts.next() == Some("127")
        && text::split(hostname, b'.').count() == 4
        && parts.all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The one rule every URL option passes at construction: `http:`/`https:` only, `https:` unless
/// the host is loopback or `allow_insecure_http` is set, no user info, no fragment.
pub fn check_url_policy(url: UrlParts<'_>, allow_insecure_http: bool) -> Result<(), OriginError> {
    match url.protocol {
        "https:" => {}
        "http:" if allow_insecure_http || is_loopback_host(url.hostname) => {}
        "http:" => return Err(OriginError::Insecure),
        _ => return Err(OriginError::UnsupportedScheme),
    }
    if url.hostname.is_empty() {
        return Err(OriginError::InvalidHost);
    }
    if url.userinfo {
        return Err(OriginError::Userinfo);
    }
    if url.fragment {
        return Err(OriginError::Fragment);
    }
    Ok(())
}

/// Computes the serialised origin of `url`.
pub fn origin_of(url: &str) -> Result<String, OriginError> {
    // Browsers strip leading/trailing C0 controls and spaces, and remove tabs and newlines anywhere.
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, rest) = cleaned.split_once(':').ok_or(OriginError::NotAbsolute)?;
    if scheme.is_empty()
        || !scheme.as_bytes()[0].is_ascii_alphabetic()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return Err(OriginError::NotAbsolute);
    }
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(OriginError::UnsupportedScheme),
    };
    // Special schemes accept any run of '/' or '\' before the authority.
    let rest = rest.trim_start_matches(['/', '\\']);
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = match authority.rfind('@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    let (host, port) = split_host_port(host_port)?;
    let host = parse_host(host)?;
    let mut origin = String::with_capacity(scheme.len() + 3 + host.len() + 6);
    origin.push_str(&scheme);
    origin.push_str("://");
    origin.push_str(&host);
    if let Some(p) = port {
        if p != default_port {
            origin.push(':');
            origin.push_str(&p.to_string());
        }
    }
    Ok(origin)
}

fn split_host_port(hp: &str) -> Result<(&str, Option<u16>), OriginError> {
    let colon = if hp.starts_with('[') {
        let close = hp.find(']').ok_or(OriginError::InvalidHost)?;
        match &hp[close + 1..] {
            "" => None,
            r if r.starts_with(':') => Some(close + 1),
            _ => return Err(OriginError::InvalidHost),
        }
    } else {
        hp.find(':')
    };
    let Some(colon) = colon else {
        return Ok((hp, None));
    };
    let digits = &hp[colon + 1..];
    if digits.is_empty() {
        return Ok((&hp[..colon], None));
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OriginError::InvalidPort);
    }
    let trimmed = digits.trim_start_matches('0');
    let port = if trimmed.is_empty() {
        0
    } else if trimmed.len() > 5 {
        return Err(OriginError::InvalidPort);
    } else {
        trimmed
            .parse::<u32>()
            .map_err(|_| OriginError::InvalidPort)?
    };
    let port = u16::try_from(port).map_err(|_| OriginError::InvalidPort)?;
    Ok((&hp[..colon], Some(port)))
}

fn parse_host(host: &str) -> Result<String, OriginError> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(OriginError::InvalidHost)?;
        let pieces = parse_ipv6(inner).ok_or(OriginError::InvalidHost)?;
        return Ok(serialize_ipv6(&pieces));
    }
    if host.is_empty() || !host.is_ascii() || host.contains('%') {
        // Non-ASCII needs IDNA and percent-encoded hosts need decoding: out of scope, reject clearly.
        return Err(OriginError::InvalidHost);
    }
    const FORBIDDEN: &[u8] = b" #/:<>?@[\\]^|";
    if host
        .bytes()
        .any(|b| b < 0x20 || b == 0x7f || FORBIDDEN.contains(&b))
    {
        return Err(OriginError::InvalidHost);
    }
    let host = host.to_ascii_lowercase();
    if ends_in_number(&host) {
        let addr = parse_ipv4(&host).ok_or(OriginError::InvalidHost)?;
        let [a, b, c, d] = addr.to_be_bytes();
        return Ok([a, b, c, d].map(|n| n.to_string()).join("."));
    }
    Ok(host)
}

/// WHATWG "ends in a number": the last label (ignoring one trailing dot) is all digits or `0x` hex.
fn ends_in_number(host: &str) -> bool {
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    let last = trimmed.rsplit('.').next().unwrap_or("");
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    last.strip_prefix("0x")
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn parse_ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(h) = part.strip_prefix("0x") {
        (h, 16)
    } else if part.len() > 1 && part.starts_with('0') {
        (&part[1..], 8)
    } else {
        (part, 10)
    };
    if digits.is_empty() {
        return Some(0);
    }
    // Values above u32 are errors anyway; cap the length so parsing cannot overflow.
    if digits.len() > 12 {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

fn parse_ipv4(host: &str) -> Option<u32> {
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = trimmed.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let nums: Vec<u64> = parts
        .iter()
        .map(|p| parse_ipv4_number(p))
        .collect::<Option<_>>()?;
    let (last, init) = nums.split_last()?;
    if init.iter().any(|&n| n > 255) || *last >= 256u64.pow(5 - nums.len() as u32) {
        return None;
    }
    let mut addr = *last;
    for (i, n) in init.iter().enumerate() {
        addr += n * 256u64.pow(3 - i as u32);
    }
    u32::try_from(addr).ok()
}

fn parse_ipv6(s: &str) -> Option<[u16; 8]> {
    let mut pieces = [0u16; 8];
    let (head, tail) = match s.find("::") {
        Some(i) => (&s[..i], Some(&s[i + 2..])),
        None => (s, None),
    };
    let parse_groups = |part: &str, out: &mut Vec<u16>| -> Option<()> {
        if part.is_empty() {
            return Some(());
        }
        let groups: Vec<&str> = part.split(':').collect();
        for (i, g) in groups.iter().enumerate() {
            if i == groups.len() - 1 && g.contains('.') {
                let v4 = parse_strict_ipv4(g)?;
                out.push((v4 >> 16) as u16);
                out.push(v4 as u16);
            } else {
                if g.is_empty() || g.len() > 4 {
                    return None;
                }
                out.push(u16::from_str_radix(g, 16).ok()?);
            }
        }
        Some(())
    };
    let mut h = Vec::new();
    parse_groups(head, &mut h)?;
    match tail {
        None => {
            if h.len() != 8 {
                return None;
            }
            pieces.copy_from_slice(&h);
        }
        Some(tail) => {
            if tail.contains("::") {
                return None;
            }
            let mut t = Vec::new();
            parse_groups(tail, &mut t)?;
            if h.len() + t.len() > 7 {
                return None;
            }
            pieces[..h.len()].copy_from_slice(&h);
            pieces[8 - t.len()..].copy_from_slice(&t);
        }
    }
    Some(pieces)
}

fn parse_strict_ipv4(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v = 0u32;
    for p in parts {
        if p.is_empty() || p.len() > 3 || (p.len() > 1 && p.starts_with('0')) {
            return None;
        }
        let n: u32 = p.parse().ok()?;
        if n > 255 {
            return None;
        }
        v = v << 8 | n;
    }
    Some(v)
}

fn serialize_ipv6(p: &[u16; 8]) -> String {
    // Compress the first longest run of two or more zero pieces.
    let (mut best, mut best_len, mut i) = (None, 1, 0);
    while i < 8 {
        if p[i] == 0 {
            let start = i;
            while i < 8 && p[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best = Some(start);
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let mut out = String::from("[");
    let mut i = 0;
    let mut need_colon = false;
    while i < 8 {
        if Some(i) == best {
            out.push_str("::");
            i += best_len;
            need_colon = false;
            continue;
        }
        if need_colon {
            out.push(':');
        }
        out.push_str(&std::format!("{:x}", p[i]));
        need_colon = true;
        i += 1;
    }
    out.push(']');
    out
}

/// Pairs checked against `new URL(u).origin` in Chromium and Firefox (see tests/web.rs, which
/// runs the same table in the browser).
#[doc(hidden)]
pub const CASES: &[(&str, &str)] = &[
    ("https://op.example/check", "https://op.example"),
    ("https://OP.Example:443/x", "https://op.example"),
    ("HTTP://op.example:80/", "http://op.example"),
    ("http://op.example:443/", "http://op.example:443"),
    ("https://op.example:80", "https://op.example:80"),
    ("https://op.example:08443/", "https://op.example:8443"),
    ("https://op.example:/p", "https://op.example"),
    ("https://user:pw@op.example/p", "https://op.example"),
    (
        "http://127.0.0.1:9010/session/check",
        "http://127.0.0.1:9010",
    ),
    ("http://127.1:9010/", "http://127.0.0.1:9010"),
    ("http://0x7f.0.0.1/", "http://127.0.0.1"),
    ("http://2130706433/", "http://127.0.0.1"),
    ("http://[::1]:8080/", "http://[::1]:8080"),
    ("http://[0:0:0:0:0:0:0:1]/", "http://[::1]"),
    (
        "http://[2001:DB8:0:0:1:0:0:1]/",
        "http://[2001:db8::1:0:0:1]",
    ),
    ("http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]"),
    ("  https://op.example/ ", "https://op.example"),
    ("https:\\\\op.example\\x", "https://op.example"),
    ("https:op.example/x", "https://op.example"),
    ("https://op.example?q", "https://op.example"),
    ("https://op.example#f", "https://op.example"),
    ("https://op.example./", "https://op.example."),
    ("https://op.exa\tmple/", "https://op.example"),
    ("https:///x", "https://x"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9 (5): one rule for every URL option.
    #[test]
    fn url_policy_https_except_loopback_no_userinfo_no_fragment() {
        let parts = |protocol, hostname| UrlParts {
            protocol,
            hostname,
            userinfo: false,
            fragment: false,
        };
        for host in ["localhost", "127.0.0.1", "127.255.0.9", "[::1]"] {
            assert_eq!(
                check_url_policy(parts("http:", host), false),
                Ok(()),
                "{host}"
            );
        }
        for host in [
            "op.example",
            "128.0.0.1",
            "127.0.0.1.nip.io",
            "localhost.example",
            "[::2]",
            "10.0.0.1",
        ] {
            assert_eq!(
                check_url_policy(parts("http:", host), false),
                Err(OriginError::Insecure),
                "{host}"
            );
            assert_eq!(
                check_url_policy(parts("http:", host), true),
                Ok(()),
                "{host}"
            );
            assert_eq!(check_url_policy(parts("https:", host), false), Ok(()));
        }
        assert_eq!(OriginError::Insecure.code().as_str(), "insecure_url");
        assert_eq!(
            check_url_policy(parts("javascript:", "x"), true),
            Err(OriginError::UnsupportedScheme)
        );
        let with = |userinfo, fragment| UrlParts {
            userinfo,
            fragment,
            ..parts("https:", "op.example")
        };
        assert_eq!(
            check_url_policy(with(true, false), false),
            Err(OriginError::Userinfo)
        );
        assert_eq!(
            check_url_policy(with(false, true), false),
            Err(OriginError::Fragment)
        );
    }

    #[test]
    fn origins_match_browsers() {
        for (url, want) in CASES {
            assert_eq!(origin_of(url).as_deref(), Ok(*want), "{url}");
        }
    }

    #[test]
    fn rejects_what_browsers_reject_or_we_do_not_support() {
        let bad = [
            ("", OriginError::NotAbsolute),
            ("op.example/check", OriginError::NotAbsolute),
            ("/check", OriginError::NotAbsolute),
            ("ftp://op.example/", OriginError::UnsupportedScheme),
            ("javascript:alert(1)", OriginError::UnsupportedScheme),
            ("data:text/html,x", OriginError::UnsupportedScheme),
            ("https://", OriginError::InvalidHost),
            ("https://op.example:65536/", OriginError::InvalidPort),
            ("https://op.example:12a/", OriginError::InvalidPort),
            ("https://op ex.com/", OriginError::InvalidHost),
            ("https://bücher.example/", OriginError::InvalidHost),
            ("http://256.0.0.1/", OriginError::InvalidHost),
            ("http://1.2.3.4.5/", OriginError::InvalidHost),
            ("http://[::1/", OriginError::InvalidHost),
            ("http://[1::2::3]/", OriginError::InvalidHost),
            ("http://[::1]x/", OriginError::InvalidHost),
        ];
        for (url, err) in bad {
            assert_eq!(origin_of(url), Err(err), "{url:?}");
        }
    }

    #[test]
    fn error_codes_are_stable() {
        assert_eq!(
            OriginError::UnsupportedScheme.code().as_str(),
            "unsupported_scheme"
        );
        assert_eq!(OriginError::InvalidPort.code().as_str(), "invalid_url");
    }
}
