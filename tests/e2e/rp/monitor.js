// Creates the SessionMonitor under test and records every event.
// Query: op=<name> (required); overrides: csi (check_session_iframe URL), intervalMs, loadTimeoutMs,
// responseTimeoutMs, source=cookie:NAME|localStorage:KEY|sessionStorage:KEY, hostile=1 (frames the hostile page),
// autostart=0 (the driver calls window.__start()).
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
  window.__options = options;

  if (params.get('hostile') === '1') {
    const f = document.createElement('iframe');
    f.id = 'hostile';
    f.src = cfg.hostileUrl;
    f.width = '300'; f.height = '40';
    document.getElementById('frames').appendChild(f);
  }

  await init();
  const monitor = new SessionMonitor(options);
  for (const type of ['unchanged', 'changed', 'error', 'stopped']) {
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
  window.__start = () => { monitor.start(); log('start()'); };
  window.__stop = () => { monitor.stop(); log('stop()'); };
  window.__checkNow = () => { monitor.checkNow(); log('checkNow()'); };
  window.__restart = () => { monitor.stop(); monitor.start(); log('stop(); start()'); };
  if (params.get('autostart') !== '0') window.__start();
  window.__ready = true;
  log(`monitor ready (${IMPL}) for ${cfg.name}: ${options.checkSessionIframe}`);
} catch (e) {
  window.__fatal = String(e && e.stack || e);
  log('FATAL ' + window.__fatal);
}
