//! Where the page keeps `session_state`: a cookie, `localStorage`, `sessionStorage`, or a literal.

use wasm_bindgen::JsCast;
use web_sys::{HtmlDocument, Storage};

use crate::browser::js::{get, set};

use crate::core::cookie::{cookie_value, CookieScope};
use crate::core::machine::{MonitorError, SessionStateSource};
use crate::core::types::SessionState;

/// The configured source, read at every check so that a re-login that rewrites it is followed.
#[derive(Debug, Clone)]
pub enum Source {
    /// `document.cookie`, by name (an RFC 6265 token); the value is percent-decoded. Renewals
    /// are written back with the scope (the RP cookie's path, domain, SameSite, max-age).
    Cookie(String, CookieScope),
    /// `localStorage`, by key.
    LocalStorage(String),
    /// `sessionStorage`, by key.
    SessionStorage(String),
    /// A value given in the options.
    Literal(SessionState),
}

impl Source {
    /// `Ok(None)`: not a storage source; `Err`: the storage is missing or blocked.
    fn storage(&self) -> Result<Option<Storage>, MonitorError> {
        let key = match self {
            Source::LocalStorage(_) => "localStorage",
            Source::SessionStorage(_) => "sessionStorage",
            _ => return Ok(None),
        };
        crate::browser::js::window_object(key)
            .map(Some)
            .ok_or(MonitorError::StorageUnavailable)
    }

    /// The stored string, unvalidated (also used for `id_token_hint`).
    pub fn read_raw(&self) -> Result<Option<String>, MonitorError> {
        match self {
            Source::Literal(s) => Ok(Some(s.expose_secret().into())),
            Source::Cookie(name, _) => {
                let doc = html_document().ok_or(MonitorError::StorageUnavailable)?;
                let jar = doc.cookie().map_err(|_| MonitorError::StorageUnavailable)?;
                cookie_value(&jar, name).map_err(|_| MonitorError::AmbiguousCookie)
            }
            Source::LocalStorage(key) | Source::SessionStorage(key) => {
                let storage = self.storage()?.ok_or(MonitorError::StorageUnavailable)?;
                storage
                    .get_item(key)
                    .map_err(|_| MonitorError::StorageUnavailable)
            }
        }
    }
}

impl Source {
    /// Writes a renewed `session_state` back. A cookie is written percent-encoded with its
    /// configured scope (default `path=/; SameSite=Lax`, and `Secure` on https pages); storage
    /// keys are overwritten; a literal is replaced in memory.
    pub fn write(&mut self, value: &SessionState) {
        if let Source::Literal(s) = self {
            *s = value.clone();
            return;
        }
        // The rest only reads `self`: the storage key is borrowed, not copied.
        match &*self {
            Source::Literal(_) => {}
            Source::Cookie(name, scope) => {
                let Some(doc) = html_document() else {
                    return;
                };
                let secure = get(&get(&doc, "location"), "protocol")
                    .as_string()
                    .as_deref()
                    == Some("https:");
                let encoded = String::from(js_sys::encode_uri_component(value.expose_secret()));
                // Written through `Reflect.set` (a renewal is rare): no `cookie` setter import.
                set(&doc, "cookie", scope.set_cookie(name, &encoded, secure));
            }
            Source::LocalStorage(key) | Source::SessionStorage(key) => {
                if let Ok(Some(storage)) = self.storage() {
                    let _ = storage.set_item(key, value.expose_secret());
                }
            }
        }
    }
}

impl Source {
    /// What names this source for cross-tab sharing: its kind and key (never a literal's value).
    pub fn scope_parts(&self) -> (&'static str, &str) {
        match self {
            Source::Cookie(name, _) => ("cookie", name),
            Source::LocalStorage(key) => ("localStorage", key),
            Source::SessionStorage(key) => ("sessionStorage", key),
            Source::Literal(_) => ("literal", ""),
        }
    }

    /// Whether every tab of the origin sees the same value: a cookie or `localStorage`.
    pub fn shared_by_tabs(&self) -> bool {
        matches!(self, Source::Cookie(..) | Source::LocalStorage(_))
    }

    /// Removes the stored value (the session ended): the cookie expires (with its scope), the storage
    /// key is removed. A literal given in the options cannot be removed.
    pub fn clear(&self) {
        match self {
            Source::Literal(_) => {}
            Source::Cookie(name, scope) => {
                if let Some(doc) = html_document() {
                    // Expired with the RP cookie's own scope, so that it is the one removed.
                    set(&doc, "cookie", scope.expire_cookie(name));
                }
            }
            Source::LocalStorage(key) | Source::SessionStorage(key) => {
                if let Ok(Some(storage)) = self.storage() {
                    let _ = storage.remove_item(key);
                }
            }
        }
    }
}

/// This page's document, for its cookies (web-sys has `cookie` on `HtmlDocument`; a page's
/// document has it: cast without an `instanceof` import).
fn html_document() -> Option<HtmlDocument> {
    Some(crate::browser::js::window()?.document()?.unchecked_into())
}

impl SessionStateSource for Source {
    fn read(&mut self) -> Result<SessionState, MonitorError> {
        let raw = self.read_raw()?.ok_or(MonitorError::NoSessionState)?;
        SessionState::new(raw).map_err(|_| MonitorError::InvalidSessionState)
    }

    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }
}
