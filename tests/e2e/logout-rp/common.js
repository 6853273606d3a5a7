// Shared helpers of the logout suite's RP pages (ES modules only: no inline scripts).
export const params = new URLSearchParams(location.search);
export const cfg = await (await fetch('/config.json', { cache: 'no-store' })).json();

export function b64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
export function randomString(n = 32) { const a = new Uint8Array(n); crypto.getRandomValues(a); return b64url(a); }
export async function s256(v) { return b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(v))); }
export function claims(jwt) {
  const p = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(p + '='.repeat((4 - (p.length % 4)) % 4)));
}
export function log(line) {
  const el = document.getElementById('log');
  if (el) el.textContent += line + '\n';
  console.log('[rp] ' + line);
}
