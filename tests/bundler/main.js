// The bundler proof's app: imports the package by name, as an npm user would, and is bundled by
// esbuild (build.mjs). The .wasm is imported as a file URL (esbuild's `file` loader copies it next
// to the bundle under a hashed name), so no bundler has to understand `new URL(…, import.meta.url)`.
//
// Configuration: `window.BUNDLER_CONFIG` = the SessionMonitorOptions object, set by `config.js`
// (served next to index.html by whoever serves dist/). Results for the test driver:
//   window.__events  [{ type, detail, at }] for every monitor event, in order
//   window.__monitor the SessionMonitor;  window.__ready true once started
//   window.__error   { name, code, message } if init or the constructor failed
import init, { SessionMonitor } from 'oidc-session-monitor';
import wasmUrl from 'oidc-session-monitor/oidc_session_monitor_bg.wasm';

// Names not (yet) emitted are harmless to listen for.
const EVENTS = ['unchanged', 'changed', 'error', 'stopped', 'renewed', 'signedOut', 'userChanged', 'interactionRequired'];

window.__events = [];
const t0 = performance.now();
const out = document.getElementById('log');
const log = (line) => { if (out) out.textContent += line + '\n'; };

try {
  const options = window.BUNDLER_CONFIG;
  if (!options) throw new Error('window.BUNDLER_CONFIG is not set: serve config.js next to index.html');
  await init({ module_or_path: wasmUrl });
  const monitor = new SessionMonitor(options);
  for (const type of EVENTS) {
    monitor.addEventListener(type, (e) => {
      window.__events.push({ type: e.type, detail: { ...e.detail }, at: Math.round(performance.now() - t0) });
      log(`${e.type} ${JSON.stringify(e.detail)}`);
    });
  }
  window.__monitor = monitor;
  monitor.start();
  window.__ready = true;
  log(`started: ${options.checkSessionIframe}`);
} catch (e) {
  window.__error = { name: e && e.name, code: e && e.code, message: String((e && e.message) || e) };
  log(`failed: ${window.__error.message}`);
}
