// In-page harness: window.bench(lib, { op, checks }) loads one library into this fresh page, starts it
// against the fake OP iframe, runs `checks` checks one after another and returns raw figures (ms).
// No assertions: whatever happens is returned as measured (or as an error string).
const now = () => performance.now();
const CLIENT_ID = 'bench-client';
const SESSION_STATE = 'bench-session-state.salt';

function heap() {
  if (typeof window.gc === 'function') { window.gc(); window.gc(); }
  return performance.memory ? performance.memory.usedJSHeapSize : null;
}
function timerResolution() {
  let min = Infinity;
  for (let i = 0; i < 2000; i++) {
    const a = now(); let b = now();
    while (b === a) b = now();
    min = Math.min(min, b - a);
  }
  return min;
}
const tick = () => new Promise((r) => setTimeout(r, 0));
function b64url(obj) {
  return btoa(JSON.stringify(obj)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

window.bench = async (lib, { op, checks }) => {
  const out = { lib, timerResolutionMs: timerResolution(), rtLib: [], rtWire: [] };
  const heap0 = heap();
  // Capture-phase listener on window: sees the OP's answer before any library's own listener.
  let wireResolve = null; let lastWire = 0;
  window.addEventListener('message', (e) => {
    if (e.origin !== op || e.data !== 'unchanged') return;
    lastWire = now();
    if (wireResolve) { const r = wireResolve; wireResolve = null; r(lastWire); }
  }, true);
  const nextWire = () => new Promise((r) => { wireResolve = r; });
  const withTimeout = (p, ms, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`timeout: ${what}`)), ms))]);

  if (lib === 'ours') {
    let t = now();
    const mod = await import('/pkg/oidc_session_monitor.js');
    out.importMs = now() - t;
    t = now();
    const wasm = await mod.default(); // fetch + compile + instantiate the .wasm
    out.initMs = now() - t;
    let libResolve = null;
    const nextLib = () => new Promise((r) => { libResolve = r; });
    const m = new mod.SessionMonitor({
      checkSessionIframe: `${op}/check_session`, clientId: CLIENT_ID, sessionState: SESSION_STATE,
      intervalMs: 100, // the minimum; checks below are driven by checkNow() right after each answer
    });
    m.addEventListener('unchanged', () => { const t1 = now(); if (libResolve) { const r = libResolve; libResolve = null; r(t1); } });
    m.addEventListener('error', (e) => { out.errors = (out.errors || []).concat(e.detail.code); });
    let first = nextLib();
    t = now();
    m.start();
    out.startToFirstMs = (await withTimeout(first, 15000, 'first unchanged')) - t;
    let notWaiting = 0;
    for (let i = 0; i < checks; i++) {
      // checkNow() only acts in the `waiting` state; the answer's task may still be finishing.
      while (m.state !== 'waiting') { notWaiting++; await tick(); }
      const p = nextLib(); const w = nextWire();
      const t0 = now();
      m.checkNow();
      const t1 = await withTimeout(p, 5000, `check ${i}`);
      const tw = await w;
      out.rtLib.push(t1 - t0); out.rtWire.push(tw - t0);
    }
    out.notWaitingTicks = notWaiting;
    out.wasmMemoryBytes = wasm.memory.buffer.byteLength;
    out.heapAfter = heap();
    m.stop();
  } else if (lib === 'oidc-client-ts') {
    let t = now();
    const mod = await import('/peer/oidc-client-ts.js');
    out.importMs = now() - t;
    const { CheckSessionIFrame } = mod;
    // Its `unchanged` is only logged; a bubble-phase listener added after load() runs right after its own.
    let libResolve = null;
    const nextLib = () => new Promise((r) => { libResolve = r; });
    t = now();
    // 5th argument stopOnError; 4th the interval in seconds (fixed at construction; 3600 so that only
    // the stop()/start() pairs below send: start() posts at once).
    const f = new CheckSessionIFrame(async () => { out.changedCallbacks = (out.changedCallbacks || 0) + 1; }, CLIENT_ID, `${op}/check_session`, 3600, true);
    await f.load();
    window.addEventListener('message', (e) => {
      if (e.origin !== op || e.data !== 'unchanged') return;
      const t1 = now(); if (libResolve) { const r = libResolve; libResolve = null; r(t1); }
    }, false);
    let first = nextLib();
    f.start(SESSION_STATE);
    out.startToFirstMs = (await withTimeout(first, 15000, 'first unchanged')) - t;
    for (let i = 0; i < checks; i++) {
      const p = nextLib(); const w = nextWire();
      const t0 = now();
      f.stop(); f.start(SESSION_STATE);
      const t1 = await withTimeout(p, 5000, `check ${i}`);
      const tw = await w;
      out.rtLib.push(t1 - t0); out.rtWire.push(tw - t0);
    }
    out.heapAfter = heap();
    f.stop();
  } else if (lib === 'keycloak-js') {
    let t = now();
    const mod = await import('/peer/keycloak-js.js');
    out.importMs = now() - t;
    const Keycloak = mod.default;
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'bench-user', sid: SESSION_STATE, exp, iat: exp - 3600, azp: CLIENT_ID })}.x`;
    const refreshToken = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'bench-user', exp: exp + 3600, typ: 'Refresh' })}.x`;
    const kc = new Keycloak({ url: op, realm: 'bench', clientId: CLIENT_ID });
    const first = nextWire();
    t = now();
    // init() with a token: 3p-cookies check iframe, then the session iframe, then the first check;
    // checkLoginIframeInterval (s) 3600 so that only updateToken() below sends.
    const initDone = kc.init({ token, refreshToken, checkLoginIframe: true, checkLoginIframeInterval: 3600, timeSkew: 0, enableLogging: false });
    out.startToFirstMs = (await withTimeout(first, 15000, 'first unchanged')) - t;
    await withTimeout(initDone, 15000, 'init()');
    out.initResolvedMs = now() - t;
    for (let i = 0; i < checks; i++) {
      const w = nextWire();
      const t0 = now();
      await withTimeout(kc.updateToken(5), 5000, `check ${i}`); // checks the session iframe first; the token is fresh, so no refresh
      const t1 = now();
      const tw = await w;
      out.rtLib.push(t1 - t0); out.rtWire.push(tw - t0);
    }
    out.heapAfter = heap();
  } else {
    throw new Error(`unknown lib ${lib}`);
  }
  out.heapBefore = heap0;
  return out;
};
window.benchReady = true;
