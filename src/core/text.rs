//! Splitting and searching strings at one ASCII byte. `str`'s `char` patterns (`split_once(':')`,
//! `split('&')`, `contains(' ')`, `trim()`) bring core's searcher machinery into the .wasm (the
//! `char` searcher, `memchr`, the `Split` iterator, Unicode white space: about 2.5 kB raw); every
//! delimiter this crate splits at is ASCII, and an ASCII byte is always a `char` boundary in
//! UTF-8, so a byte search finds the same places. Nothing here can panic.

/// The index of the first `at` in `s`.
pub fn find(s: &str, at: u8) -> Option<usize> {
    s.bytes().position(|b| b == at)
}

/// Whether `s` holds `at`.
pub fn has(s: &str, at: u8) -> bool {
    s.bytes().any(|b| b == at)
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
