// monitor.diagnose(): does the OP iframe see its session in this browser? (issue 13)
import init, { SessionMonitor } from '/pkg/oidc_session_monitor.js';
import config from '/config.js';
import { SESSION_STATE_COOKIE, hasSessionState, login } from '/auth.js';

const $ = (id) => document.getElementById(id);
$('user').textContent = hasSessionState() ? 'signed in (session_state stored)' : 'not signed in';
$('login').addEventListener('click', () => login({ returnTo: '/diagnose.html' }));

await init();
const monitor = new SessionMonitor({
  issuer: config.issuer,
  clientId: config.clientId,
  sessionState: { cookie: SESSION_STATE_COOKIE },
});
window.monitor = monitor;
// diagnose() reports what the running monitor has seen: its first check is the probe.
monitor.start();

const FIELDS = ['seesSession', 'advice', 'site', 'firstAnswer'];
$('diagnose').addEventListener('click', () => {
  const body = $('result');
  body.replaceChildren();
  const d = monitor.diagnose();
  window.__diagnosis = d;
  for (const key of FIELDS) {
    if (!(key in d)) continue;
    const tr = document.createElement('tr');
    const k = document.createElement('td');
    const v = document.createElement('td');
    k.textContent = key;
    v.textContent = String(d[key]);
    v.id = `d-${key}`;
    tr.append(k, v);
    body.append(tr);
  }
});
