// The app under test. Query: iframe=0 (no OP iframe), rp=0 (no rpSession), rpInterval=<ms>.
// Every event is kept in window.__events and, for the tab that navigates away, in sessionStorage.
import init, { SessionMonitor } from '/pkg/oidc_session_monitor.js';
import { cfg, params, log } from './common.js';

window.__events = [];
try {
  await init();
  const options = {
    clientId: cfg.clientId,
    sessionState: { localStorage: 'rp_session_state' },
    idTokenHint: { localStorage: 'rp_id_token' },
    endSessionEndpoint: cfg.endSessionEndpoint,
    intervalMs: 500,
  };
  if (params.get('iframe') !== '0') options.checkSessionIframe = cfg.checkSessionIframe;
  if (params.get('rp') !== '0') options.rpSession = { url: '/session', intervalMs: Number(params.get('rpInterval') || 1000) };
  const monitor = new SessionMonitor(options);
  for (const type of ['unchanged', 'changed', 'error', 'stopped', 'signedOut']) {
    monitor.addEventListener(type, (e) => {
      const rec = { ...e.detail, event: e.type };
      window.__events.push(rec);
      if (type === 'signedOut' || type === 'stopped') {
        const kept = JSON.parse(sessionStorage.getItem('events') || '[]');
        kept.push(rec);
        sessionStorage.setItem('events', JSON.stringify(kept));
      }
      document.getElementById('count').textContent = String(window.__events.length);
      log(`${e.type} ${JSON.stringify(e.detail)}`);
    });
  }
  window.__monitor = monitor;
  window.__logout = (opts) => monitor.logout({ postLogoutRedirectUri: location.origin + '/logged-out.html', ...opts });
  monitor.start();
  window.__ready = true;
} catch (e) {
  window.__fatal = String(e && e.stack || e);
  log('FATAL ' + window.__fatal);
}
