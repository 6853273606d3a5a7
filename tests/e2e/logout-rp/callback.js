// Checks state, exchanges the code, keeps the ID token and session_state in localStorage, and opens a
// first-party session at the RP server (POST /login), as an RP backend would at login.
import { cfg, claims, log } from './common.js';
try {
  const resp = new URLSearchParams(location.search);
  const tx = JSON.parse(sessionStorage.getItem('tx') || '{}');
  if (resp.get('error')) throw new Error('OP error ' + resp.get('error'));
  if (!tx.state || resp.get('state') !== tx.state) throw new Error('state mismatch');
  const body = new URLSearchParams({
    grant_type: 'authorization_code', code: resp.get('code'), redirect_uri: location.origin + '/callback.html',
    client_id: cfg.clientId, code_verifier: tx.verifier,
  });
  const tok = await (await fetch(cfg.tokenEndpoint, { method: 'POST', body })).json();
  if (!tok.id_token) throw new Error('no id_token');
  localStorage.setItem('rp_id_token', tok.id_token);
  localStorage.setItem('rp_session_state', resp.get('session_state'));
  // The RP server validates the ID token (signature, claims, nonce) and opens its session.
  const r = await fetch('/login', { method: 'POST', body: new URLSearchParams({ id_token: tok.id_token }) });
  if (!r.ok) throw new Error('POST /login ' + r.status + ' ' + (await r.text()));
  const c = claims(tok.id_token);
  window.__callback = { ok: true, sub: c.sub, sid: c.sid || null, iss: c.iss };
  log('signed in as ' + c.sub + (c.sid ? ' (sid present)' : ' (no sid)'));
} catch (e) {
  window.__callback = { ok: false, error: String(e && e.message || e) };
  log('FATAL ' + window.__callback.error);
}
