// The showcase's own sign-in: OpenID Connect authorization code flow with PKCE S256, by hand, against
// the OP in config.js. Small on purpose; a real RP would use a library (see oidc-client-ts.html).
//
//   login({ returnTo })  -> redirect to the OP; the OP redirects to /callback.html
//   handleCallback()     -> (on /callback.html) exchanges the code at the token endpoint (CORS), keeps
//                           session_state in the cookie `demo_session_state` and the ID token in
//                           localStorage `demo_id_token`, then returns to the page login() came from.
//   logoutUrl(idToken)   -> the OP's end_session_endpoint with id_token_hint and
//                           post_logout_redirect_uri /logged-out.html
import config from '/config.js';

export const SESSION_STATE_COOKIE = 'demo_session_state';
export const ID_TOKEN_KEY = 'demo_id_token';
const PENDING = 'demo_auth:'; // sessionStorage prefix of a login in progress, by state

export const origin = window.location.origin;
export const redirectUri = `${origin}/callback.html`;
export const silentRedirectUri = `${origin}/silent-callback.html`;
export const postLogoutRedirectUri = `${origin}/logged-out.html`;

function b64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
const random = (n = 32) => b64url(crypto.getRandomValues(new Uint8Array(n)));

/**
 * Starts a sign-in at the OP.
 * @param {{returnTo?: string, keep?: boolean, prompt?: string}} opts keep: false = sign in at the OP
 *   without touching this site's session_state cookie and ID token (what another app of the same
 *   user would do).
 */
export async function login({ returnTo = window.location.pathname, keep = true, prompt } = {}) {
  const state = random();
  const nonce = random();
  const verifier = random(48);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING + state, JSON.stringify({ verifier, nonce, returnTo, keep }));
  const url = new URL(config.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri,
    scope: 'openid',
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(prompt ? { prompt } : {}),
  });
  window.location.assign(url.href);
}

/** True when /callback.html was reached by a login() of this tab. */
export function ownsCallback(params = new URLSearchParams(window.location.search)) {
  const state = params.get('state');
  return !!state && sessionStorage.getItem(PENDING + state) !== null;
}

/** The claims of a JWT, without checking its signature (the token came straight from the OP over the token endpoint). */
export function claimsOf(jwt) {
  const part = String(jwt).split('.')[1];
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

/**
 * Completes a login() on /callback.html. Resolves to { returnTo, sub, kept } or throws an Error
 * whose message is safe to show (never a token).
 */
export async function handleCallback() {
  const params = new URLSearchParams(window.location.search);
  const state = params.get('state');
  const raw = state && sessionStorage.getItem(PENDING + state);
  if (!raw) throw new Error('unknown or reused state: start the login again');
  sessionStorage.removeItem(PENDING + state);
  const pending = JSON.parse(raw);
  if (params.has('error')) {
    throw new Error(`the OP answered ${params.get('error')}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}`);
  }
  if (params.get('iss') && params.get('iss') !== config.issuer) throw new Error('iss of the response is not the OP');
  const code = params.get('code');
  const sessionState = params.get('session_state');
  if (!code) throw new Error('no code in the response');
  if (!sessionState) throw new Error('no session_state in the response: is session management on at the OP?');

  const res = await fetch(config.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: config.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.id_token) throw new Error(`token endpoint: HTTP ${res.status} ${body.error || ''}`.trim());
  const claims = claimsOf(body.id_token);
  const aud = [].concat(claims.aud);
  if (claims.iss !== config.issuer) throw new Error('ID token: wrong iss');
  if (!aud.includes(config.clientId)) throw new Error('ID token: wrong aud');
  if (claims.nonce !== pending.nonce) throw new Error('ID token: wrong nonce');

  if (pending.keep) {
    document.cookie = `${SESSION_STATE_COOKIE}=${encodeURIComponent(sessionState)}; path=/; SameSite=Lax`;
    localStorage.setItem(ID_TOKEN_KEY, body.id_token);
  }
  return { returnTo: safeReturn(pending.returnTo), sub: claims.sub, kept: pending.keep };
}

/** Only paths of this site. */
export function safeReturn(path) {
  try {
    const u = new URL(path, origin);
    return u.origin === origin ? u.pathname + u.search : '/';
  } catch { return '/'; }
}

/** The ID token this site keeps, or null. */
export const idToken = () => localStorage.getItem(ID_TOKEN_KEY);

/** The signed-in user's sub from the kept ID token, or null. */
export function currentSub(token = idToken()) {
  try { return token ? claimsOf(token).sub : null; } catch { return null; }
}

/** The end_session_endpoint URL that signs the user out at the OP (the OP shows a confirm form). */
export function logoutUrl(token = idToken()) {
  const url = new URL(config.endSessionEndpoint);
  const q = { post_logout_redirect_uri: postLogoutRedirectUri, state: random(16) };
  if (token) q.id_token_hint = token;
  url.search = new URLSearchParams(q);
  return url.href;
}

/** Forgets this site's session_state and ID token (not the OP's session). */
export function forgetLocal() {
  document.cookie = `${SESSION_STATE_COOKIE}=; path=/; SameSite=Lax; max-age=0`;
  localStorage.removeItem(ID_TOKEN_KEY);
}

/** Whether the session_state cookie is set (its value is never read for display). */
export function hasSessionState() {
  return document.cookie.split(';').some((c) => c.trim().startsWith(SESSION_STATE_COOKIE + '='));
}
