//! Logout, as JavaScript sees it: `monitor.logout()` and `verifyPostLogout()` for the post-logout
//! page. (The front-channel logout page is plain JavaScript: `npm/frontchannel-logout.js`.)

use js_sys::Object;
use wasm_bindgen::prelude::*;

use super::error::{thrown, OptionsError};
use super::options::{Kind, Props};
use super::SessionMonitor;
use crate::browser::js::{get, set};
use crate::browser::logout::{self as glue, LOGOUT_STATE_KEY};
use crate::browser::reauth::random;
use crate::core::authorize::{random_value, RANDOM_VALUE_BYTES};
use crate::core::error_code::ErrorCode;
use crate::core::logout::{EndSessionRequest, PostLogout, SignOutReason};
use crate::core::machine::Input;

#[wasm_bindgen(typescript_custom_section)]
const TS_LOGOUT: &'static str = r#"
/** Options of `monitor.logout()` (RP-Initiated Logout 1.0). */
export interface LogoutOptions {
  /** Where the OP sends the browser afterwards; registered at the OP as a post-logout redirect URI. */
  postLogoutRedirectUri: string;
  /** Echoed to the post-logout page; a fresh random value when omitted. Check it with `verifyPostLogout()`. */
  state?: string;
  /** The ID token to send as `id_token_hint`; default: read from the `idTokenHint` source. */
  idTokenHint?: string;
  /** `logout_hint`, for OPs that support it. */
  logoutHint?: string;
  /** `ui_locales`: preferred languages of the OP's logout pages. */
  uiLocales?: string;
  /** `false`: return the URL instead of navigating to it. Default true. */
  navigate?: boolean;
}

/** What `verifyPostLogout()` found. */
export interface PostLogoutResult {
  /** True only when the OP sent back the `state` this tab's `logout()` sent. */
  verified: boolean;
  /** `verified`, `no_request` (this tab started no logout) or `logout_state_mismatch`. */
  result: "verified" | "no_request" | "logout_state_mismatch";
}

export interface SessionMonitor {
  /**
   * RP-Initiated Logout: clears the stored session_state and ID token, tells every tab of this
   * origin (`signedOut`, reason `rp_initiated`), stops polling, then navigates the window to the
   * OP's `end_session_endpoint` (or returns that URL with `navigate: false`).
   * Throws a `SessionMonitorError`: `not_supported` (no end_session_endpoint known),
   * `invalid_option`, `missing_option`, `invalid_redirect_uri`, `invalid_endpoint`, `crypto_unavailable`.
   */
  logout(options: LogoutOptions): string | undefined;
}
"#;

const KNOWN: &[(&str, Kind)] = &[
    ("postLogoutRedirectUri", Kind::Str),
    ("state", Kind::Str),
    ("idTokenHint", Kind::Str),
    ("logoutHint", Kind::Str),
    ("uiLocales", Kind::Str),
    ("navigate", Kind::Bool),
];

#[wasm_bindgen]
impl SessionMonitor {
    /// RP-Initiated Logout 1.0: builds the `end_session_endpoint` URL (`client_id`,
    /// `id_token_hint`, `post_logout_redirect_uri`, `state`), keeps the `state` in this tab's
    /// `sessionStorage` for `verifyPostLogout()`, clears the stored session, tells every tab,
    /// stops polling, then navigates (or returns the URL with `navigate: false`).
    ///
    /// # Errors
    /// `not_supported` when no `end_session_endpoint` is known (give `endSessionEndpoint`, or
    /// `issuer` after `start()`); `invalid_option`, `missing_option`, `invalid_redirect_uri`,
    /// `invalid_endpoint`, `crypto_unavailable`. Nothing changes when it throws.
    ///
    /// # Security
    /// The ID token goes only into the top-level navigation to the OP; `session_state` is never
    /// part of the URL.
    #[wasm_bindgen(skip_typescript)]
    pub fn logout(&self, options: &JsValue) -> Result<JsValue, JsValue> {
        let p = Props::read(options, KNOWN, OptionsError::NotAnObject).map_err(|e| e.to_js())?;
        let redirect = p
            .string("postLogoutRedirectUri")
            .ok_or_else(|| OptionsError::Missing("postLogoutRedirectUri").to_js())?;
        let navigate = p.boolean("navigate").unwrap_or(true);
        let (endpoint, id_token) = self.driver.logout_info();
        let endpoint = endpoint.ok_or_else(|| {
            thrown(
                ErrorCode::NotSupported,
                "logout: no end_session_endpoint (give endSessionEndpoint, or issuer and start() first)",
            )
        })?;
        let state = match p.string("state") {
            Some(s) => s,
            None => random::<RANDOM_VALUE_BYTES>()
                .map(|b| random_value(&b))
                .ok_or_else(|| {
                    thrown(
                        ErrorCode::CryptoUnavailable,
                        "crypto.getRandomValues is unavailable",
                    )
                })?,
        };
        let hint = match p.string("idTokenHint") {
            Some(h) => Some(h),
            None => id_token.and_then(|s| s.read_raw().ok().flatten()),
        };
        let (logout_hint, ui_locales) = (p.string("logoutHint"), p.string("uiLocales"));
        let url = EndSessionRequest {
            end_session_endpoint: &endpoint,
            client_id: self.client_id.as_str(),
            id_token_hint: hint.as_deref(),
            post_logout_redirect_uri: &redirect,
            state: &state,
            logout_hint: logout_hint.as_deref(),
            ui_locales: ui_locales.as_deref(),
        }
        .to_url()
        .map_err(|e| thrown(e.code(), e.message()))?;
        let window = crate::browser::js::window();
        let storage: Option<web_sys::Storage> = crate::browser::js::window_object("sessionStorage");
        if let Some(storage) = storage {
            let _ = storage.set_item(LOGOUT_STATE_KEY, &state);
        }
        self.driver.feed(Input::SessionEnded {
            reason: SignOutReason::RpInitiated,
            from_other_tab: false,
        });
        if navigate {
            if let Some(window) = window {
                // `location.href = url` is `location.assign(url)`: no `assign` import.
                set(&get(&window, "location"), "href", url.as_str());
            }
            return Ok(JsValue::UNDEFINED);
        }
        Ok(url.into())
    }
}

/// For the post-logout page: checks the `state` in its URL against the one this tab's `logout()`
/// sent (constant time), then forgets it.
#[wasm_bindgen(js_name = verifyPostLogout, unchecked_return_type = "PostLogoutResult")]
pub fn verify_post_logout() -> JsValue {
    let result = glue::post_logout();
    let out = Object::new();
    set(&out, "verified", result == PostLogout::Verified);
    set(&out, "result", result.as_str());
    out.into()
}
