// Code flow + PKCE at the node OP; the callback stores the ID token and session_state.
import { cfg, randomString, s256 } from './common.js';

// The RP server's login nonce (an HttpOnly cookie holds it; POST /login checks the ID token's nonce).
const { nonce } = await (await fetch('/login/nonce', { cache: 'no-store' })).json();
const state = randomString(16);
const verifier = randomString(32);
sessionStorage.setItem('tx', JSON.stringify({ state, verifier }));
const q = new URLSearchParams({
  client_id: cfg.clientId, redirect_uri: location.origin + '/callback.html', scope: 'openid', state,
  nonce, response_type: 'code', code_challenge: await s256(verifier), code_challenge_method: 'S256',
});
location.assign(cfg.authorizationEndpoint + '?' + q);
