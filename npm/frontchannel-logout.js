// oidc-session-monitor: the front-channel logout page (OpenID Connect Front-Channel Logout 1.0).
//
// Register a page with this script as the client's `frontchannel_logout_uri`, with
// `frontchannel_logout_session_required: true` (the package ships frontchannel-logout.html):
//   <script type="module" src="/path/to/oidc-session-monitor/frontchannel-logout.js" data-notify-url="/frontchannel-notify"></script>
// The OP loads it in a hidden iframe with `?iss=…&sid=…`. It acts only when both name the session a
// monitor of this origin holds (the monitor keeps the ID token's `sid` per issuer in localStorage): it
// then forgets that sid and tells every tab (`signedOut`, reason `frontchannel`); each monitor clears its
// stored session. A missing or mismatched pair changes nothing and is said once on the console.
//
// Cross-site (OP and RP on different sites) this page runs as a third party inside the OP's page, where
// Chromium, Firefox and WebKit partition its storage and BroadcastChannel: it cannot see the session nor
// reach the RP's tabs. With `data-notify-url` it also sends `{"iss","sid"}` (JSON, POST, same origin, by
// navigator.sendBeacon) to your server, which can end the session there; the monitor's `rpSession`
// signal then carries that to every tab.
//
// It runs synchronously while the page loads and needs no WebAssembly: OPs navigate away as soon as
// the iframe fires `load`. The names below are the monitor's (checked by a test of the Rust crate).
const SID_KEY_PREFIX = 'oidc-session-monitor:sid ';
const CHANNEL_NAME = 'oidc-session-monitor:logout';
const SIGNED_OUT_MESSAGE = 'oidc-session-monitor:signed-out';

const IGNORED = {
  missing_parameter: 'front-channel logout ignored: the request lacks iss or sid',
  unknown_issuer: 'front-channel logout ignored: no session of this issuer is held here',
  sid_mismatch: 'front-channel logout ignored: sid does not match the session held here',
};

function sameSecret(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function one(params, name) {
  const all = params.getAll(name);
  return all.length === 1 && all[0] ? all[0] : null;
}

/**
 * Handles this page's request. `notifyUrl`: where to send `{iss, sid}` for the RP's server.
 * @returns {{ signedOut: boolean, ignored?: string, message?: string }}
 */
export function handleFrontchannelLogout(notifyUrl) {
  const params = new URLSearchParams(location.search);
  const iss = one(params, 'iss');
  const sid = one(params, 'sid');
  if (!iss || !sid) return ignored('missing_parameter');
  if (notifyUrl) {
    try {
      navigator.sendBeacon(notifyUrl, new Blob([JSON.stringify({ iss, sid })], { type: 'application/json' }));
    } catch { /* the server will not hear of it; the tabs may still */ }
  }
  let stored = null;
  try { stored = localStorage.getItem(SID_KEY_PREFIX + iss); } catch { /* storage blocked */ }
  if (!stored) return ignored('unknown_issuer');
  if (!sameSecret(stored, sid)) return ignored('sid_mismatch');
  try { localStorage.removeItem(SID_KEY_PREFIX + iss); } catch { /* ignore */ }
  try {
    const channel = new BroadcastChannel(CHANNEL_NAME);
    channel.postMessage({ type: SIGNED_OUT_MESSAGE, reason: 'frontchannel' });
    channel.close();
  } catch { /* no BroadcastChannel: the tabs' rpSession or OP iframe must tell them */ }
  return { signedOut: true };
}

function ignored(code) {
  return { signedOut: false, ignored: code, message: IGNORED[code] };
}

const script = document.querySelector('script[data-notify-url]');
/** What this page did: `{ signedOut, ignored?, message? }`. */
export const result = handleFrontchannelLogout(script ? script.getAttribute('data-notify-url') || undefined : undefined);
if (result.message) console.info(`oidc-session-monitor: ${result.message}`);
