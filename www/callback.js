// /callback.html: the redirect_uri registered at the OP for interactive sign-in. Two clients of the
// showcase use it, told apart by `state`: the hand-written flow in auth.js (es-module and script-tag
// pages), and oidc-client-ts (its state is kept in localStorage under `oidc.<state>`).
import { ownsCallback, handleCallback } from '/auth.js';
import { ownsOidcClientTsState, oidcClientTsCallback } from '/oidc-client-ts/lib.js';

const status = document.getElementById('status');
const params = new URLSearchParams(window.location.search);

try {
  let returnTo;
  if (ownsCallback(params)) {
    ({ returnTo } = await handleCallback());
  } else if (ownsOidcClientTsState(params)) {
    ({ returnTo } = await oidcClientTsCallback());
  } else {
    throw new Error('this sign-in response was not started in this tab (unknown state)');
  }
  status.textContent = 'Signed in. Returning…';
  window.location.replace(returnTo);
} catch (e) {
  document.querySelector('h1').textContent = 'Sign-in failed';
  status.className = 'error-text';
  status.textContent = e.message;
}
