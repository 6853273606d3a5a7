// Authorization response: checks state (and nonce), exchanges the code (node OP), stores id_token and session_state.
// session_state goes to the OP's configured source (node: cookie rp_session_state, django: localStorage
// rp_session_state), except with next=observe, where it is only kept in localStorage rp_session_state_observed (and
// the id_token in rp_id_token_observed) so that a monitor running in another tab keeps its old values (scenarios c,
// i1, k).
import { log, loadConfig, decodeJwtPayload, storeSessionState, readSessionState } from './common.js';

const status = (s) => { document.getElementById('status').textContent = s; };

try {
  const resp = new URLSearchParams(location.hash.length > 1 ? location.hash.slice(1) : location.search);
  const state = resp.get('state');
  const txRaw = state && sessionStorage.getItem('rp_tx_' + state);
  if (!txRaw) throw new Error('unknown or missing state ' + state);
  sessionStorage.removeItem('rp_tx_' + state);
  const tx = JSON.parse(txRaw);
  if (resp.get('error')) throw new Error(`OP error ${resp.get('error')}: ${resp.get('error_description') || ''}`);
  const cfg = await loadConfig(tx.op);

  let idToken = resp.get('id_token');
  let accessToken = resp.get('access_token');
  if (cfg.flow === 'code') {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: resp.get('code'),
      redirect_uri: location.origin + '/callback.html',
      client_id: cfg.clientId,
      code_verifier: tx.verifier,
    });
    const r = await fetch(cfg.tokenEndpoint, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    const tok = await r.json();
    if (!r.ok) throw new Error('token endpoint ' + r.status + ' ' + JSON.stringify(tok));
    idToken = tok.id_token;
    accessToken = tok.access_token || null;
  }
  if (!idToken) throw new Error('no id_token');
  const claims = decodeJwtPayload(idToken);
  if (claims.nonce !== tx.nonce) throw new Error('nonce mismatch');

  const sessionState = resp.get('session_state');
  if (!sessionState) throw new Error('no session_state in the authorization response');
  const previous = readSessionState(cfg.sessionStateSource);
  if (tx.next === 'observe') {
    localStorage.setItem('rp_id_token_observed', idToken);
    localStorage.setItem('rp_session_state_observed', sessionState);
  } else {
    localStorage.setItem('rp_id_token', idToken);
    storeSessionState(cfg.sessionStateSource, sessionState);
  }

  // For the suite's leak check (run.mjs): every secret this page handled, kept for the rest of the tab's life.
  try {
    const kept = JSON.parse(sessionStorage.getItem('rp_secrets') || '[]');
    kept.push(resp.get('code'), idToken, accessToken, sessionState);
    sessionStorage.setItem('rp_secrets', JSON.stringify(kept.filter(Boolean)));
  } catch { /* storage blocked */ }
  window.__callback = { ok: true, op: cfg.name, sub: claims.sub, sessionState, previous, next: tx.next, idToken, accessToken };
  log(`signed in as ${claims.sub} at ${cfg.name}; session_state stored (${tx.next === 'observe' ? 'observed only' : JSON.stringify(cfg.sessionStateSource)})`);
  status('signed in');
  if (tx.next === 'monitor') location.replace('/monitor.html?op=' + encodeURIComponent(cfg.name));
  else if (tx.next === 'csp') location.replace('/csp/monitor.html?op=' + encodeURIComponent(cfg.name));
} catch (e) {
  window.__callback = { ok: false, error: String(e && e.message || e) };
  status('failed: ' + window.__callback.error);
  log('FATAL ' + (e && e.stack || e));
}
