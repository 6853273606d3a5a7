// oidc-session-monitor: the silent re-authentication callback.
//
// Serve a page at the `silentReauth.redirectUri` you registered at the OP, with:
//   <meta name="referrer" content="no-referrer">
//   <script type="module" src="/path/to/oidc-session-monitor/silent-callback.js?run"></script>
// or call handleSilentCallback() from your own module. It hands the callback URL (code or
// id_token, state, session_state) to the parent page only, addressed to this page's own origin:
// a page of any other origin never receives it. It needs no WebAssembly and no inline script.
//
// The URL is read once and at once removed from the page's history entry (history.replaceState),
// so the code and session_state do not stay in the frame's URL, and the meta tag keeps them out
// of any Referer header.

/** The message type the monitor listens for. */
export const SILENT_CALLBACK_MESSAGE = 'oidc-session-monitor:silent-callback';

/** Reads this page's URL and strips its query and fragment from the history entry. */
function takeUrl() {
  const url = window.location.href;
  try {
    window.history.replaceState(null, '', window.location.pathname);
  } catch {
    // A sandboxed or opaque-origin document cannot rewrite its URL; the URL is still handed over.
  }
  return url;
}

/**
 * Posts this page's URL to the parent window, on this page's own origin only, after removing the
 * query and fragment from the page's own URL.
 * @returns {boolean} false when the page is not inside a frame (nothing was posted).
 */
export function handleSilentCallback() {
  const url = takeUrl();
  if (window.parent === window) return false;
  window.parent.postMessage({ type: SILENT_CALLBACK_MESSAGE, url }, window.location.origin);
  return true;
}

if (new URL(import.meta.url).searchParams.has('run')) handleSilentCallback();
