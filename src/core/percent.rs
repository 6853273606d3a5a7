//! Percent-decoding for values read from `document.cookie` (lookup: [`crate::core::cookie`]).
//!
//! RPs store `session_state` in a cookie with `encodeURIComponent`, or raw. A value that contains
//! `+`, `/` or `=` (standard base64) may arrive percent-encoded. We decode `%XX` sequences and keep
//! everything else byte for byte. `+` stays `+`: cookies are not form-encoded.

/// Decodes `%XX` escapes. If the input has a malformed escape or decodes to invalid UTF-8, it is
/// returned unchanged (as the `cookie` npm package does), since it was evidently not encoded.
pub fn percent_decode(input: &str) -> String {
    if !crate::core::text::has(input, b'%') {
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
    crate::core::text::utf8(&out).unwrap_or_else(|| input.into())
}

/// The value of one hexadecimal digit (either case): `%` escapes here and in form decoding.
pub(crate) fn hex(b: &u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
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
}
