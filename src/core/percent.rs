//! Percent-decoding for values read from `document.cookie`, and cookie lookup.
//!
//! RPs store `session_state` in a cookie with `encodeURIComponent`, or raw. A value that contains
//! `+`, `/` or `=` (standard base64) may arrive percent-encoded. We decode `%XX` sequences and keep
//! everything else byte for byte. `+` stays `+`: cookies are not form-encoded.

/// Decodes `%XX` escapes. If the input has a malformed escape or decodes to invalid UTF-8, it is
/// returned unchanged (as the `cookie` npm package does), since it was evidently not encoded.
pub fn percent_decode(input: &str) -> String {
    if !input.contains('%') {
        return input.into();
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            match (
                bytes.get(i + 1).and_then(hex),
                bytes.get(i + 2).and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => return input.into(),
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| input.into())
}

fn hex(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Finds cookie `name` in a `document.cookie` string (`a=b; c=d`) and returns its value,
/// unquoted and percent-decoded. The first match wins: browsers list the most specific path first.
pub fn cookie_value(cookies: &str, name: &str) -> Option<String> {
    cookies.split(';').find_map(|pair| {
        let pair = pair.trim_start_matches(' ');
        let (k, v) = pair.split_once('=')?;
        if k.trim() != name {
            return None;
        }
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        Some(percent_decode(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_keeps_plus() {
        assert_eq!(percent_decode("abc"), "abc");
        assert_eq!(percent_decode("q%2B%2Fw%3D%3D"), "q+/w==");
        assert_eq!(percent_decode("a+b"), "a+b");
        assert_eq!(percent_decode("%e2%9c%93"), "\u{2713}");
        assert_eq!(percent_decode("%41%6a"), "Aj");
    }

    #[test]
    fn malformed_input_is_returned_raw() {
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%ff%fe"), "%ff%fe"); // not UTF-8
    }

    #[test]
    fn finds_cookie_by_exact_name() {
        let jar =
            "sessionid=1; rp_session_state=ab%2Bc.d; other_rp_session_state=x; q=\"quoted%3D\"";
        assert_eq!(
            cookie_value(jar, "rp_session_state").as_deref(),
            Some("ab+c.d")
        );
        assert_eq!(cookie_value(jar, "q").as_deref(), Some("quoted="));
        assert_eq!(cookie_value(jar, "session_state"), None);
        assert_eq!(cookie_value("", "a"), None);
        assert_eq!(cookie_value("a=", "a").as_deref(), Some(""));
        assert_eq!(cookie_value("a=1; a=2", "a").as_deref(), Some("1"));
        assert_eq!(cookie_value("x=a=b", "x").as_deref(), Some("a=b"));
    }
}
