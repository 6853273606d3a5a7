//! The RP's `session_state` cookie: its name (an RFC 6265 token), the scope it is written back
//! with, and reading it from `document.cookie` without guessing between two of the same name.
//!
//! A renewed value must replace the RP's own cookie. Written with another path or domain, it
//! becomes a second cookie of the same name, and the page then sees both: which one is current is
//! not knowable from `document.cookie`, so a read that finds two reports `ambiguous_cookie`.

use crate::core::error_code::ErrorCode;
use crate::core::percent::percent_decode;
use crate::core::text;

/// Why a cookie option was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieError {
    /// The name is not an RFC 6265 token (empty, control characters, separators, non-ASCII).
    InvalidName,
    /// `cookiePath` must start with `/` and hold no `;` or control character.
    InvalidPath,
    /// `cookieDomain` must be a host name without `;`, spaces or control characters.
    InvalidDomain,
    /// `cookieSameSite` must be `strict`, `lax` or `none`.
    InvalidSameSite,
}

impl CookieError {
    /// Stable machine-readable code.
    pub fn code(self) -> ErrorCode {
        match self {
            CookieError::InvalidName => ErrorCode::InvalidCookieName,
            _ => ErrorCode::InvalidOption,
        }
    }

    /// Human-readable explanation.
    pub fn message(self) -> &'static str {
        match self {
            CookieError::InvalidName => {
                "the cookie name must be an RFC 6265 token (letters, digits and !#$%&'*+-.^_`|~)"
            }
            CookieError::InvalidPath => "must start with / and hold no ; or control character",
            CookieError::InvalidDomain => "must be a host name without ; or spaces",
            CookieError::InvalidSameSite => "must be \"strict\", \"lax\" or \"none\"",
        }
    }
}

/// Checks an RFC 6265 cookie name (`token` of RFC 2616: visible ASCII except separators).
pub fn check_name(name: &str) -> Result<(), CookieError> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(CookieError::InvalidName)
    }
}

/// `SameSite` of the written cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax` (the default).
    Lax,
    /// `SameSite=None`, always with `Secure`.
    None,
}

/// The scope a renewed `session_state` cookie is written with: the RP's own cookie's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieScope {
    /// `path`; `/` by default.
    pub path: String,
    /// `domain`, when the RP's cookie has one.
    pub domain: Option<String>,
    /// `SameSite`.
    pub same_site: SameSite,
    /// `max-age` in seconds; a session cookie when `None`.
    pub max_age: Option<u32>,
}

impl Default for CookieScope {
    fn default() -> Self {
        CookieScope {
            path: "/".into(),
            domain: None,
            same_site: SameSite::Lax,
            max_age: None,
        }
    }
}

fn plain(s: &str) -> bool {
    !crate::core::types::has_control(s) && !text::has(s, b';')
}

impl CookieScope {
    /// Validates the parts given as options; `None` keeps the default.
    pub fn new(
        path: Option<&str>,
        domain: Option<&str>,
        same_site: Option<&str>,
        max_age: Option<u32>,
    ) -> Result<Self, CookieError> {
        let mut scope = CookieScope {
            max_age,
            ..CookieScope::default()
        };
        if let Some(path) = path {
            if !path.starts_with("/") || !plain(path) {
                return Err(CookieError::InvalidPath);
            }
            scope.path = path.into();
        }
        if let Some(domain) = domain {
            if domain.is_empty()
                || !plain(domain)
                || domain.bytes().any(|b| matches!(b, b' ' | b',' | b'/'))
            {
                return Err(CookieError::InvalidDomain);
            }
            scope.domain = Some(domain.into());
        }
        scope.same_site = match same_site {
            None => SameSite::Lax,
            Some(v) if v.eq_ignore_ascii_case("lax") => SameSite::Lax,
            Some(v) if v.eq_ignore_ascii_case("strict") => SameSite::Strict,
            Some(v) if v.eq_ignore_ascii_case("none") => SameSite::None,
            Some(_) => return Err(CookieError::InvalidSameSite),
        };
        Ok(scope)
    }

    /// The `document.cookie = …` string: `name=value` (value already encoded) and this scope.
    /// `Secure` on https pages, and always with `SameSite=None`.
    pub fn set_cookie(&self, name: &str, encoded_value: &str, https: bool) -> String {
        self.cookie_string(name, encoded_value, https, self.max_age)
    }

    /// The `document.cookie = …` string that removes cookie `name` of this scope (`max-age=0`,
    /// the same path and domain, so that it is this cookie that goes).
    pub fn expire_cookie(&self, name: &str) -> String {
        self.cookie_string(name, "", false, Some(0))
    }

    fn cookie_string(
        &self,
        name: &str,
        encoded_value: &str,
        https: bool,
        max_age: Option<u32>,
    ) -> String {
        let mut c = String::with_capacity(name.len() + encoded_value.len() + 64);
        c.push_str(name);
        c.push('=');
        c.push_str(encoded_value);
        c.push_str("; path=");
        c.push_str(&self.path);
        if let Some(domain) = &self.domain {
            c.push_str("; domain=");
            c.push_str(domain);
        }
        if let Some(max_age) = max_age {
            c.push_str("; max-age=");
            text::push_decimal(&mut c, max_age);
        }
        c.push_str(match self.same_site {
            SameSite::Strict => "; SameSite=Strict",
            SameSite::Lax => "; SameSite=Lax",
            SameSite::None => "; SameSite=None",
        });
        if https || self.same_site == SameSite::None {
            c.push_str("; Secure");
        }
        c
    }
}

/// Two cookies of the looked-up name are visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ambiguous;

/// Finds cookie `name` in a `document.cookie` string (`a=b; c=d`): its value unquoted and
/// percent-decoded, `None` if absent, [`Ambiguous`] if the name appears twice.
pub fn cookie_value(cookies: &str, name: &str) -> Result<Option<String>, Ambiguous> {
    let mut found = None;
    for pair in text::split(cookies, b';') {
        let Some((k, v)) = text::split_once(pair, b'=') else {
            continue;
        };
        // Cookie names and values never hold white space: only the separators' is trimmed.
        if k.trim_ascii() != name {
            continue;
        }
        if found.is_some() {
            return Err(Ambiguous);
        }
        let v = v.trim_ascii();
        let v = v
            .strip_prefix("\"")
            .and_then(|v| v.strip_suffix("\""))
            .unwrap_or(v);
        found = Some(percent_decode(v));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookie_by_exact_name() {
        let jar =
            "sessionid=1; rp_session_state=ab%2Bc.d; other_rp_session_state=x; q=\"quoted%3D\"";
        let get = |name| cookie_value(jar, name).unwrap();
        assert_eq!(get("rp_session_state").as_deref(), Some("ab+c.d"));
        assert_eq!(get("q").as_deref(), Some("quoted="));
        assert_eq!(get("session_state"), None);
        assert_eq!(cookie_value("", "a"), Ok(None));
        assert_eq!(cookie_value("a=", "a"), Ok(Some("".into())));
        assert_eq!(cookie_value("x=a=b", "x"), Ok(Some("a=b".into())));
    }

    /// Issue 9 (6): two cookies of the name (two paths or domains) are reported, not guessed.
    #[test]
    fn two_cookies_of_the_name_are_ambiguous() {
        assert_eq!(cookie_value("a=1; a=2", "a"), Err(Ambiguous));
        assert_eq!(cookie_value("a=1; b=2; a=1", "a"), Err(Ambiguous));
        assert_eq!(cookie_value("a=1; aa=2", "a"), Ok(Some("1".into())));
    }

    #[test]
    fn names_are_rfc_6265_tokens() {
        for ok in ["session_state", "rp.ss", "a!#$%&'*+-.^_`|~9"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "", "a b", "a;b", "a=b", "a\tb", "ü", "a,b", "(x)", "a\"", "a/b",
        ] {
            assert_eq!(check_name(bad), Err(CookieError::InvalidName), "{bad:?}");
        }
    }

    /// The session ended: the cookie is expired with the RP cookie's own path and domain (so that
    /// it is the one removed), whatever `max-age` the scope writes renewals with.
    #[test]
    fn expire_cookie_keeps_path_and_domain() {
        let s =
            CookieScope::new(Some("/app"), Some("rp.example"), Some("Strict"), Some(3600)).unwrap();
        assert_eq!(
            s.expire_cookie("ss"),
            "ss=; path=/app; domain=rp.example; max-age=0; SameSite=Strict"
        );
        let none = CookieScope::new(None, None, Some("none"), None).unwrap();
        assert_eq!(
            none.expire_cookie("ss"),
            "ss=; path=/; max-age=0; SameSite=None; Secure"
        );
    }

    /// Issue 9 (6): the written cookie keeps the RP cookie's scope.
    #[test]
    fn set_cookie_keeps_the_configured_scope() {
        let d = CookieScope::default();
        assert_eq!(d.set_cookie("ss", "v", false), "ss=v; path=/; SameSite=Lax");
        let mut n = String::new();
        text::push_decimal(&mut n, 4_294_967_295);
        text::push_decimal(&mut n, 0);
        assert_eq!(n, "42949672950");
        assert_eq!(
            d.set_cookie("ss", "v", true),
            "ss=v; path=/; SameSite=Lax; Secure"
        );
        let s =
            CookieScope::new(Some("/app"), Some("rp.example"), Some("Strict"), Some(3600)).unwrap();
        assert_eq!(
            s.set_cookie("ss", "v", false),
            "ss=v; path=/app; domain=rp.example; max-age=3600; SameSite=Strict"
        );
        let none = CookieScope::new(None, None, Some("none"), None).unwrap();
        assert!(none
            .set_cookie("ss", "v", false)
            .ends_with("SameSite=None; Secure"));
        assert_eq!(
            CookieScope::new(Some("app"), None, None, None),
            Err(CookieError::InvalidPath)
        );
        assert_eq!(
            CookieScope::new(Some("/a;domain=evil"), None, None, None),
            Err(CookieError::InvalidPath)
        );
        assert_eq!(
            CookieScope::new(None, Some("a; path=/"), None, None),
            Err(CookieError::InvalidDomain)
        );
        assert_eq!(
            CookieScope::new(None, None, Some("loose"), None),
            Err(CookieError::InvalidSameSite)
        );
    }
}
