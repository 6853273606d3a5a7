// RP-initiated logout: to the OP's end_session_endpoint with the stored id_token_hint.
import { params, loadConfig, log, randomString } from './common.js';

try {
  const cfg = await loadConfig();
  // The RP ends its own session first (the rpSession signal's source; harmless where none was started).
  await fetch('/rp-session/end', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
  const q = new URLSearchParams({
    post_logout_redirect_uri: location.origin + '/logged-out.html',
    state: randomString(8),
  });
  const hint = localStorage.getItem('rp_id_token');
  if (hint && params.get('hint') !== '0') q.set('id_token_hint', hint);
  location.assign(cfg.endSessionEndpoint + '?' + q);
} catch (e) {
  window.__fatal = String(e && e.stack || e);
  log('FATAL ' + window.__fatal);
}
