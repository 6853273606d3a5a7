// bench/startup.mjs: one library from navigation to its first answer, every step timed (ms from the navigation
// start). window.startup resolves with { T, calls }: T the marks, calls (?trace=1, ours) every call of a .wasm
// import after start(): [ms after start(), ms in the call, the import's source].
const now = () => performance.now();
const T = { harness: now() };
const q = new URLSearchParams(location.search);
const lib = q.get('lib'); const op = q.get('op'); const pkg = q.get('pkg');
const CLIENT_ID = 'bench-client'; const SESSION_STATE = 'bench-session-state.salt';
let opTimes = null;
// Capture phase: before any listener of the library.
window.addEventListener('message', (e) => {
  if (e.origin !== op) return;
  if (e.data === 'unchanged' && T.wire == null) T.wire = now();
  if (e.data && e.data.opTimes) opTimes = e.data.opTimes;
}, true);
document.addEventListener('load', (e) => { if (e.target.nodeName === 'IFRAME' && T.loaded == null) T.loaded = now(); }, true);
new MutationObserver((rs) => {
  for (const r of rs) for (const n of r.addedNodes) if (n.nodeName === 'IFRAME' && T.added == null) T.added = now();
}).observe(document.documentElement, { childList: true, subtree: true });
const calls = [];
if (q.get('trace') === '1') {
  // Read by the glue that bench/startup.mjs serves for TRACE=1 (the import object passes through it).
  globalThis.__traceImports = (imports) => {
    T.traced = now();
    for (const o of Object.values(imports)) {
      for (const [k, f] of Object.entries(o)) {
        if (typeof f !== 'function') continue;
        const src = f.toString().replace(/\s+/g, ' ').slice(0, 90);
        o[k] = function (...a) { const t = now(); try { return f.apply(this, a); } finally { calls.push([t, now() - t, src]); } };
      }
    }
    return imports;
  };
}
let answered;
const first = new Promise((r) => { answered = r; });
async function run() {
  if (lib === 'ours') {
    const mod = await import(`${pkg}oidc_session_monitor.js`); T.imported = now();
    await mod.default(); T.inited = now();
    const e = performance.getEntriesByType('resource').find((x) => /\.wasm(\?|$)/.test(x.name));
    if (e) { T.wasmFetchStart = e.fetchStart; T.wasmResponseStart = e.responseStart; T.wasmResponseEnd = e.responseEnd; }
    const m = new mod.SessionMonitor({ checkSessionIframe: `${op}/startup/op.html`, clientId: CLIENT_ID, sessionState: SESSION_STATE, intervalMs: 100 });
    T.constructed = now();
    m.addEventListener('unchanged', () => { if (T.first == null) { T.first = now(); answered(); } });
    T.start = now(); m.start(); T.startReturned = now();
    await first; m.stop(); m.free();
  } else {
    const mod = await import('/peer/oidc-client-ts.js'); T.imported = now();
    T.start = now();
    const f = new mod.CheckSessionIFrame(async () => {}, CLIENT_ID, `${op}/startup/op.html`, 3600, true);
    const loaded = f.load(); T.startReturned = now();
    await loaded;
    const frame = [...document.querySelectorAll('iframe')].pop();
    window.addEventListener('message', (e) => {
      if (e.origin === op && e.source === frame.contentWindow && e.data === 'unchanged' && T.first == null) { T.first = now(); answered(); }
    });
    f.start(SESSION_STATE);
    await first; f.stop();
  }
  await new Promise((r) => setTimeout(r, 30)); // the OP's timeline follows its answer
  if (opTimes) for (const [k, v] of Object.entries(opTimes)) T[k] = v - performance.timeOrigin;
  return { T, calls: calls.filter((c) => c[0] >= T.start).map(([t, d, s]) => [t - T.start, d, s]) };
}
window.startup = run().catch((e) => ({ failed: String(e && e.stack || e) }));
