// One RP tab for bench/tabs.mjs: runs one library's session monitor against the fake OP and records, in
// this page, every answer the OP iframe sends here (a capture listener on window: one answer per check that
// reached the OP) and every event of our monitor. Query: lib=ours|oidc-client-ts|keycloak-js, op=<origin>,
// csi=<path> (default /check_session, which always answers unchanged), interval=<ms>, key=<localStorage key> (ours only).
const q = new URLSearchParams(location.search);
const lib = q.get('lib');
const op = q.get('op');
const CLIENT_ID = 'bench-client';
window.__answers = [];
window.__events = [];
addEventListener('message', (e) => { if (e.origin === op && typeof e.data === 'string') window.__answers.push(Date.now()); }, true);
const b64url = (o) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

try {
  if (lib === 'ours') {
    const mod = await import('/pkg/oidc_session_monitor.js');
    await mod.default();
    // A localStorage source: shared by every tab of this origin (the default for cookie/localStorage).
    const m = new mod.SessionMonitor({
      checkSessionIframe: op + (q.get('csi') || '/check_session'), clientId: CLIENT_ID,
      sessionState: { localStorage: q.get('key') || 'bench_ss' }, intervalMs: Number(q.get('interval') || 2000),
    });
    for (const t of ['unchanged', 'changed', 'error', 'stopped']) {
      m.addEventListener(t, (e) => window.__events.push({ type: t, at: Date.now(), leader: e.detail.leader }));
    }
    window.__monitor = m;
    m.start();
  } else if (lib === 'oidc-client-ts') {
    const { CheckSessionIFrame } = await import('/peer/oidc-client-ts.js');
    // Its default check interval: 2 s (UserManagerSettings.checkSessionIntervalInSeconds).
    const f = new CheckSessionIFrame(async () => {}, CLIENT_ID, `${op}/check_session`, 2, true);
    await f.load();
    f.start('bench-session-state');
    window.__monitor = f;
  } else if (lib === 'keycloak-js') {
    const Keycloak = (await import('/peer/keycloak-js.js')).default;
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'bench-user', sid: 'bench-session-state', exp, iat: exp - 3600, azp: CLIENT_ID })}.x`;
    const refreshToken = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'bench-user', exp: exp + 3600, typ: 'Refresh' })}.x`;
    const kc = new Keycloak({ url: op, realm: 'bench', clientId: CLIENT_ID });
    // Its default: checkLoginIframe on, every 5 s.
    await kc.init({ token, refreshToken, checkLoginIframe: true, timeSkew: 0, enableLogging: false });
    window.__monitor = kc;
  } else throw new Error(`unknown lib ${lib}`);
  window.__ready = true;
} catch (e) {
  window.__fatal = String(e && e.stack || e);
}
