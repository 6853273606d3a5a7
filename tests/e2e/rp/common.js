// Shared helpers of the e2e RP pages (ES module, no inline scripts anywhere: the pages also run under a strict CSP).
export const params = new URLSearchParams(location.search);

export async function loadConfig(op = params.get('op')) {
  if (!op) throw new Error('missing ?op=');
  const r = await fetch('/config.json?op=' + encodeURIComponent(op), { cache: 'no-store' });
  if (!r.ok) throw new Error('config ' + r.status + ' for op ' + op);
  return r.json();
}

export function log(line) {
  const el = document.getElementById('log');
  const text = `${new Date().toISOString().slice(11, 23)} ${line}`;
  if (el) el.textContent += text + '\n';
  console.log('[rp] ' + line);
}

export function randomString(bytes = 32) {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return b64url(a);
}

export function b64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function s256(verifier) {
  return b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
}

export function decodeJwtPayload(jwt) {
  const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)));
}

// Where the RP keeps session_state: node OP -> cookie, django OP -> localStorage (both sources are proven).
export function storeSessionState(source, value) {
  if (source.cookie) document.cookie = `${source.cookie}=${encodeURIComponent(value)}; path=/; SameSite=Lax`;
  else if (source.localStorage) localStorage.setItem(source.localStorage, value);
  else if (source.sessionStorage) sessionStorage.setItem(source.sessionStorage, value);
  else throw new Error('unknown session_state source ' + JSON.stringify(source));
}

export function readSessionState(source) {
  if (source.cookie) {
    const hit = document.cookie.split('; ').find((c) => c.startsWith(source.cookie + '='));
    return hit ? decodeURIComponent(hit.slice(source.cookie.length + 1)) : null;
  }
  if (source.localStorage) return localStorage.getItem(source.localStorage);
  if (source.sessionStorage) return sessionStorage.getItem(source.sessionStorage);
  return null;
}
