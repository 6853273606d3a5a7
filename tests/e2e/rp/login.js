// Builds the authorization request and sends the browser to the OP.
//   ?op=node    -> response_type=code + PKCE S256 (the callback exchanges the code at the token endpoint, which has CORS)
//   ?op=django  -> response_type=id_token (implicit, nonce): a public client on code flow gets consent every time there
//   &prompt=login          forwarded to the OP
//   &next=monitor|stay|observe|csp   what the callback does afterwards (default monitor)
import { params, loadConfig, log, randomString, s256 } from './common.js';

try {
  const cfg = await loadConfig();
  const state = randomString(16);
  const nonce = randomString(16);
  const tx = { op: cfg.name, state, nonce, next: params.get('next') || 'monitor', started: Date.now() };
  const q = new URLSearchParams({
    client_id: cfg.clientId,
    redirect_uri: location.origin + '/callback.html',
    scope: 'openid',
    state,
    nonce,
  });
  if (cfg.flow === 'code') {
    tx.verifier = randomString(32);
    q.set('response_type', 'code');
    q.set('code_challenge', await s256(tx.verifier));
    q.set('code_challenge_method', 'S256');
  } else {
    q.set('response_type', 'id_token');
  }
  if (params.get('prompt')) q.set('prompt', params.get('prompt'));
  sessionStorage.setItem('rp_tx_' + state, JSON.stringify(tx));
  const url = cfg.authorizationEndpoint + '?' + q;
  log('authorize: ' + url);
  location.assign(url);
} catch (e) {
  window.__fatal = String(e && e.stack || e);
  log('FATAL ' + window.__fatal);
}
