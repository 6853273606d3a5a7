//! Splitting and searching strings at one ASCII byte. `str`'s `char` patterns (`split_once(':')`,
//! `split('&')`, `contains(' ')`, `trim()`) bring core's searcher machinery into the .wasm (the
//! `char` searcher, `memchr`, the `Split` iterator, Unicode white space: about 2.5 kB raw); every
//! delimiter this crate splits at is ASCII, and an ASCII byte is always a `char` boundary in
//! UTF-8, so a byte search finds the same places. [`utf8`] checks decoded bytes with a plain loop
//! instead of core's validator. Nothing here can panic.
//!
//! Prefixes and suffixes elsewhere are tested with one-character `&str` patterns
//! (`strip_prefix("?")`, not `strip_prefix('?')`): a `char` pattern encodes its `char` first
//! (core's `encode_utf8`, and one more generic copy of each of `starts_with`, `ends_with`,
//! `strip_prefix`, `strip_suffix`), where a `&str` pattern is a plain byte comparison.

/// Appends `n` in decimal (no `core::fmt` in the wasm build): the cookie's `max-age`, a tab
/// message's attempt number.
pub fn push_decimal(out: &mut String, n: u32) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// The index of the first `at` in `s`.
pub fn find(s: &str, at: u8) -> Option<usize> {
    s.bytes().position(|b| b == at)
}

/// Whether `s` holds `at`.
pub fn has(s: &str, at: u8) -> bool {
    find(s, at).is_some()
}

/// `bytes` as a `String` if they are well-formed UTF-8: exactly what `String::from_utf8`
/// accepts (no overlong form, no surrogate, nothing above U+10FFFF; `char::from_u32` refuses the
/// last two), decoded by a plain loop instead of core's word-at-a-time validator (size).
pub fn utf8(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (len, min) = match b {
            0x00..=0x7f => (1, 0),
            0xc2..=0xdf => (2, 0x80),
            0xe0..=0xef => (3, 0x800),
            0xf0..=0xf4 => (4, 0x1_0000),
            _ => return None,
        };
        let mut c = u32::from(b) & [0x7f, 0x1f, 0x0f, 0x07][len - 1];
        for k in 1..len {
            match bytes.get(i + k) {
                Some(&t) if t & 0xc0 == 0x80 => c = c << 6 | u32::from(t & 0x3f),
                _ => return None,
            }
        }
        out.push(char::from_u32(c).filter(|_| c >= min)?);
        i += len;
    }
    Some(out)
}

/// `s` around its first `at` (which neither part holds), like `str::split_once`.
pub fn split_once(s: &str, at: u8) -> Option<(&str, &str)> {
    cut(s, find(s, at)?)
}

/// `s` around its last `at`, like `str::rsplit_once`.
pub fn rsplit_once(s: &str, at: u8) -> Option<(&str, &str)> {
    cut(s, s.bytes().rposition(|b| b == at)?)
}

fn cut(s: &str, i: usize) -> Option<(&str, &str)> {
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The parts of `s` between the `at` bytes, like `str::split`.
pub fn split(s: &str, at: u8) -> Split<'_> {
    Split { rest: Some(s), at }
}

/// The iterator of [`split`].
#[derive(Debug, Clone)]
pub struct Split<'a> {
    rest: Option<&'a str>,
    at: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once(rest, self.at) {
            Some((head, tail)) => {
                self.rest = Some(tail);
                Some(head)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every 1- and 2-byte input, and every 3- and 4-byte lead with every second byte and the
    /// edge values of the rest, gives what `String::from_utf8` gives (alone and after ASCII).
    #[test]
    fn utf8_is_string_from_utf8() {
        let edges = [
            0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xf4, 0xff,
        ];
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for a in 0..=255u8 {
            inputs.push(vec![a]);
            for b in 0..=255u8 {
                inputs.push(vec![a, b]);
                if a >= 0xe0 {
                    for c in edges {
                        inputs.push(vec![a, b, c]);
                        for d in edges {
                            inputs.push(vec![a, b, c, d]);
                        }
                    }
                }
            }
        }
        for input in inputs {
            let expected = String::from_utf8(input.clone()).ok();
            assert_eq!(utf8(&input), expected, "{input:x?}");
            let mut prefixed = b"ok %".to_vec();
            prefixed.extend(&input);
            assert_eq!(utf8(&prefixed), String::from_utf8(prefixed.clone()).ok());
        }
    }

    #[test]
    fn same_as_str_patterns() {
        let inputs = [
            "", "a", ":", "::", "a:b", "a:b:c", ":a", "a:", "é:ü:", "ü", "a::b", "€:€",
        ];
        for s in inputs {
            assert_eq!(split_once(s, b':'), s.split_once(':'), "{s:?}");
            assert_eq!(rsplit_once(s, b':'), s.rsplit_once(':'), "{s:?}");
            assert_eq!(find(s, b':'), s.find(':'), "{s:?}");
            assert_eq!(has(s, b':'), s.contains(':'), "{s:?}");
            assert_eq!(
                split(s, b':').collect::<Vec<_>>(),
                s.split(':').collect::<Vec<_>>(),
                "{s:?}"
            );
        }
    }
}
