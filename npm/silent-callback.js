// oidc-session-monitor: the silent re-authentication callback.
//
// Serve a page at the `silentReauth.redirectUri` you registered at the OP, with:
//   <script type="module" src="/path/to/oidc-session-monitor/silent-callback.js?run"></script>
// or call handleSilentCallback() from your own module. It hands the callback URL (code or
// id_token, state, session_state) to the parent page only, addressed to this page's own origin:
// a page of any other origin never receives it. It needs no WebAssembly and no inline script.

/** The message type the monitor listens for. */
export const SILENT_CALLBACK_MESSAGE = 'oidc-session-monitor:silent-callback';

/**
 * Posts this page's URL to the parent window, on this page's own origin only.
 * @returns {boolean} false when the page is not inside a frame (nothing was posted).
 */
export function handleSilentCallback() {
  if (window.parent === window) return false;
  window.parent.postMessage({ type: SILENT_CALLBACK_MESSAGE, url: window.location.href }, window.location.origin);
  return true;
}

if (new URL(import.meta.url).searchParams.has('run')) handleSilentCallback();
