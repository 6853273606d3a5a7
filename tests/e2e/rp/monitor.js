// Creates the SessionMonitor under test and records every event.
// Query: op=<name> (required); overrides: csi (check_session_iframe URL), intervalMs, loadTimeoutMs,
// responseTimeoutMs, source=cookie:NAME|localStorage:KEY|sessionStorage:KEY, hostile=1 (frames the hostile page),
// autostart=0 (the driver calls window.__start()).
// Re-authentication (issue 4): reauth=code|id_token -> `issuer` discovery + the built-in `silentReauth`
// (redirectUri <origin>/silent-callback.html, scope openid, idTokenHint from localStorage rp_id_token unless hint=0,
// timeoutMs from reauthTimeoutMs, default 8000); sub=<value> sets the `sub` option.
import init, { SessionMonitor, IMPL } from './lib.js';
import { params, loadConfig, log } from './common.js';

const count = () => { document.getElementById('count').textContent = String(window.__events.length); };

function sourceFrom(spec, fallback) {
  if (!spec) return fallback;
  const [kind, name] = spec.split(':');
  return { [kind]: name };
}

try {
  window.__impl = IMPL;
  document.getElementById('impl').textContent = IMPL;
  const cfg = await loadConfig();
  document.getElementById('op').textContent = cfg.name;
  const num = (k) => (params.has(k) ? Number(params.get(k)) : cfg.monitor[k]);
  const options = {
    checkSessionIframe: params.get('csi') || cfg.checkSessionIframe,
    clientId: cfg.clientId,
    sessionState: sourceFrom(params.get('source'), cfg.sessionStateSource),
    intervalMs: num('intervalMs'),
    loadTimeoutMs: num('loadTimeoutMs'),
    responseTimeoutMs: num('responseTimeoutMs'),
  };
  const reauth = params.get('reauth');
  if (reauth) {
    delete options.checkSessionIframe;
    options.issuer = cfg.issuer;
    options.silentReauth = {
      redirectUri: location.origin + '/silent-callback.html',
      responseType: reauth,
      scope: 'openid',
      timeoutMs: params.has('reauthTimeoutMs') ? Number(params.get('reauthTimeoutMs')) : 8000,
    };
    if (params.get('hint') !== '0') options.silentReauth.idTokenHint = { localStorage: 'rp_id_token' };
    if (params.get('sub')) options.sub = params.get('sub');
  }
  // The first-party fallback (issue 13): rpSession=1 -> thirdPartyCookiesBlocked 'rpSession' with the test RP server's
  // session endpoint (/rp-session, tests/e2e/rp-server.mjs).
  if (params.get('rpSession') === '1') {
    options.rpSession = { url: '/rp-session', intervalMs: 500 };
    options.thirdPartyCookiesBlocked = 'rpSession';
  }
  // Cross-tab (issue 10): crossTab=0|1 overrides the default (shared for cookie/localStorage sources).
  if (params.has('crossTab')) options.crossTab = params.get('crossTab') === '1';
  window.__options = options;
  addEventListener('pageshow', (e) => {
    if (e.persisted) { window.__restored = (window.__restored || 0) + 1; log('restored from the back/forward cache'); }
  });

  if (params.get('hostile') === '1') {
    const f = document.createElement('iframe');
    f.id = 'hostile';
    f.src = cfg.hostileUrl;
    f.width = '300'; f.height = '40';
    document.getElementById('frames').appendChild(f);
  }

  await init();
  const monitor = new SessionMonitor(options);
  for (const type of ['unchanged', 'changed', 'error', 'stopped', 'renewed', 'signedOut', 'userChanged', 'interactionRequired']) {
    monitor.addEventListener(type, (e) => {
      let detail;
      try { detail = JSON.parse(JSON.stringify(e.detail)); } catch { detail = { unserialisable: String(e.detail) }; }
      const rec = { ...detail, event: e.type, at: Math.round(performance.now() - window.__t0) };
      window.__events.push(rec);
      count();
      log(`${e.type} ${JSON.stringify(detail)}`);
    });
  }
  window.__monitor = monitor;
  window.__state = () => monitor.state;
  window.__leader = () => monitor.leader;
  // How many OP check_session_iframes this page holds (the silent re-auth iframe is not one).
  const csi = options.checkSessionIframe || cfg.checkSessionIframe;
  window.__opFrames = () => [...document.querySelectorAll('iframe')].filter((f) => f.src.split('?')[0] === csi).length;
  window.__start = () => { monitor.start(); log('start()'); };
  window.__stop = () => { monitor.stop(); log('stop()'); };
  window.__checkNow = () => { monitor.checkNow(); log('checkNow()'); };
  window.__restart = () => { monitor.stop(); monitor.start(); log('stop(); start()'); };
  if (params.get('autostart') !== '0') window.__start();
  window.__ready = true;
  log(`monitor ready (${IMPL}) for ${cfg.name}: ${options.checkSessionIframe || `issuer ${options.issuer}, silentReauth ${reauth}`}`);
} catch (e) {
  window.__fatal = String(e && e.stack || e);
  log('FATAL ' + window.__fatal);
}
