// diagnose(): does the OP iframe see its session in this browser? (issue 13) The full probe is the package's separate
// entry point `oidc-session-monitor/diagnose` (pkg/diagnose.js), loaded by this page only; the page's own monitor
// keeps running beside it (monitor.diagnose() is the small in-runtime summary of what it has seen).
import init, { SessionMonitor } from '/pkg/oidc_session_monitor.js';
import { diagnose } from '/pkg/diagnose.js';
import config from '/config.js';
import { SESSION_STATE_COOKIE, hasSessionState, login } from '/auth.js';

const $ = (id) => document.getElementById(id);
$('user').textContent = hasSessionState() ? 'signed in (session_state stored)' : 'not signed in';
$('login').addEventListener('click', () => login({ returnTo: '/diagnose.html' }));

await init();
const options = {
  issuer: config.issuer,
  clientId: config.clientId,
  sessionState: { cookie: SESSION_STATE_COOKIE },
};
const monitor = new SessionMonitor(options);
window.monitor = monitor;
// diagnose() reports what the running monitor has seen: its first check is the probe.
monitor.start();

const FIELDS = ['verdict', 'seesSession', 'advice', 'site', 'firstAnswer', 'thirdPartyCookiesBlocked', 'evidence', 'storageAccess', 'storageAccessApi', 'error', 'elapsedMs'];
$('diagnose').addEventListener('click', async () => {
  const body = $('result');
  body.replaceChildren();
  window.__diagnosis = undefined;
  // Its own probe: a temporary monitor (no cross-tab sharing, no re-authentication), one check cycle, then freed.
  const d = await diagnose(options);
  window.__diagnosis = d;
  for (const key of FIELDS) {
    if (!(key in d)) continue;
    const tr = document.createElement('tr');
    const k = document.createElement('td');
    const v = document.createElement('td');
    k.textContent = key;
    v.textContent = typeof d[key] === 'object' ? JSON.stringify(d[key]) : String(d[key]);
    v.id = `d-${key}`;
    tr.append(k, v);
    body.append(tr);
  }
});
