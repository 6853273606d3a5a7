// oidc-client-ts for the showcase: its browser bundle (served from node_modules at
// /vendor/oidc-client-ts/), loaded on demand as a classic script (global `oidc`), and the
// UserManager settings shared by oidc-client-ts.html and the callback pages.
//
// The OP registers two redirect URIs for this client, /callback.html and /silent-callback.html, so
// oidc-client-ts uses the same ones as the hand-written flow; a callback is oidc-client-ts's when
// its `state` is in oidc-client-ts's state store (localStorage, key `oidc.<state>`).
import config from '/config.js';
import { redirectUri, silentRedirectUri, postLogoutRedirectUri } from '/auth.js';

const BUNDLE = '/vendor/oidc-client-ts/browser/oidc-client-ts.min.js';
const STATE_PREFIX = 'oidc.';
export const RETURN_TO = '/oidc-client-ts.html';

let loading = null;
/** Resolves to the oidc-client-ts namespace (UserManager, ErrorResponse, ...). */
export function loadOidcClientTs() {
  loading ??= new Promise((resolve, reject) => {
    if (window.oidc?.UserManager) return resolve(window.oidc);
    const s = document.createElement('script');
    s.src = BUNDLE;
    s.onload = () => (window.oidc?.UserManager ? resolve(window.oidc) : reject(new Error('oidc-client-ts did not load')));
    s.onerror = () => reject(new Error(`cannot load ${BUNDLE} (run: bash scripts/bootstrap.sh)`));
    document.head.append(s);
  });
  return loading;
}

/** A UserManager for the showcase's OP and client. */
export async function userManager() {
  const oidc = await loadOidcClientTs();
  return new oidc.UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: redirectUri,
    silent_redirect_uri: silentRedirectUri,
    post_logout_redirect_uri: postLogoutRedirectUri,
    response_type: 'code',
    scope: 'openid',
    loadUserInfo: false,
    // The session monitor replaces oidc-client-ts's own check-session monitor and renewal timers.
    monitorSession: false,
    automaticSilentRenew: false,
    silentRequestTimeoutInSeconds: 8, // below the monitor's reauthTimeoutMs (10 s)
    stateStore: new oidc.WebStorageStateStore({ store: window.localStorage, prefix: STATE_PREFIX }),
    userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage, prefix: STATE_PREFIX }),
  });
}

/** True when `params.state` was issued by oidc-client-ts in this browser. */
export function ownsOidcClientTsState(params = new URLSearchParams(window.location.search)) {
  const state = params.get('state');
  return !!state && window.localStorage.getItem(STATE_PREFIX + state) !== null;
}

/** Completes signinRedirect() on /callback.html. */
export async function oidcClientTsCallback() {
  const um = await userManager();
  await um.signinRedirectCallback();
  return { returnTo: RETURN_TO };
}
