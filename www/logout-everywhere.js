// The "Logout everywhere" page: the OP iframe, the front-channel page and the server's session signal,
// all feeding one monitor per tab; every tab is told once, with the reason.
import init, { SessionMonitor } from '/pkg/oidc_session_monitor.js';
import config from '/config.js';
import { SESSION_STATE_COOKIE, ID_TOKEN_KEY, postLogoutRedirectUri, idToken } from '/auth.js';
import { setupPage } from '/ui.js';

const EVENTS = ['unchanged', 'changed', 'error', 'stopped', 'signedOut'];
let monitor = null;
const ui = setupPage({
  state: () => (monitor ? monitor.state : 'no monitor'),
  checkNow: () => monitor?.checkNow(),
  stop: () => monitor?.stop(),
  start: () => monitor?.start(),
});

// The demo server's session: opened once from the ID token after login (a real RP opens it in its
// callback, server-side, after validating the token).
async function serverSession() {
  const r = await fetch('/session', { cache: 'no-store' });
  if (r.status === 401 && idToken()) {
    await fetch('/rp-login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id_token: idToken() }) });
  }
}
async function refreshServer() {
  const s = await fetch('/session', { cache: 'no-store' }).then((r) => r.status).catch(() => 'down');
  document.getElementById('server').textContent = s === 200 ? 'active' : s === 401 ? 'ended (401)' : String(s);
  const log = await fetch('/channel-log', { cache: 'no-store' }).then((r) => r.json()).catch(() => []);
  document.getElementById('channels').textContent = log.length ? log.map((l) => `${new Date(l.at).toLocaleTimeString()} ${l.what}`).join('\n') : '(nothing yet)';
}

try {
  await init();
  await serverSession();
  monitor = new SessionMonitor({
    issuer: config.issuer,
    clientId: config.clientId,
    sessionState: { cookie: SESSION_STATE_COOKIE },
    idTokenHint: { localStorage: ID_TOKEN_KEY },
    rpSession: { url: '/session', intervalMs: 2000 },
  });
} catch (e) {
  ui.note(`could not create the monitor: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  throw e;
}
for (const name of EVENTS) monitor.addEventListener(name, (e) => ui.log(name, e.detail));
monitor.addEventListener('signedOut', (e) => ui.note(`signed out everywhere: reason ${e.detail.reason}`));
window.monitor = monitor;
document.getElementById('rp-logout').addEventListener('click', () => {
  try {
    monitor.logout({ postLogoutRedirectUri });
  } catch (e) {
    ui.note(`logout(): ${e.code}: ${e.message}`);
  }
});
monitor.start();
refreshServer();
setInterval(refreshServer, 1000);
