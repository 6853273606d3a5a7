// In-page harness of bench/run.mjs. Three entry points, each on a fresh page:
//   rp.html?lib=L&op=O    navigation → first answer: this module starts library L against the fake OP at origin O
//                         as soon as it runs; window.benchStartup resolves with the figures (ms since navigation
//                         start, i.e. performance.now() at the first answer) — no driver round trip in between
//   window.roundTrips({ op, libs, rounds })   the libraries started side by side in this one page, then `rounds`
//                         rounds of one check each, interleaved (the order rotates every round)
//   window.soak({ op, lib, checks, samples }) one library, `checks` checks one after another; JS heap (after gc(),
//                         Chromium) and wasm memory (ours) sampled at the check counts in `samples`
// No assertions: whatever is measured is returned; anything that goes wrong throws (a harness failure).
const now = () => performance.now();
const HARNESS_AT = performance.now(); // when this module began to run, from the navigation start
const CLIENT_ID = 'bench-client';
const SESSION_STATE = 'bench-session-state.salt';

// Whether our glue compiled the .wasm with WebAssembly.instantiateStreaming (it falls back to
// WebAssembly.instantiate(arrayBuffer) when the server does not send application/wasm). Counted, not changed.
const wasmCalls = { streaming: 0, streamingOk: 0, instantiate: 0 };
{
  const s = WebAssembly.instantiateStreaming; const i = WebAssembly.instantiate;
  if (s) WebAssembly.instantiateStreaming = function (...a) { wasmCalls.streaming++; return s.apply(this, a).then((r) => { wasmCalls.streamingOk++; return r; }); };
  WebAssembly.instantiate = function (...a) { wasmCalls.instantiate++; return i.apply(this, a); };
}

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
const b64url = (obj) => btoa(JSON.stringify(obj)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const withTimeout = (p, ms, what) => {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timeout: ${what}`)), ms); })]).finally(() => clearTimeout(t));
};
/** A one-shot signal: `next()` returns a promise that the next `fire(t)` resolves. */
function signal() {
  let resolve = null;
  return { next: () => new Promise((r) => { resolve = r; }), fire: (t) => { if (resolve) { const r = resolve; resolve = null; r(t); } } };
}
/** The iframe(s) a library added to the page while `fn` ran. */
async function newIframes(fn) {
  const before = new Set(document.querySelectorAll('iframe'));
  const r = await fn();
  return { r, frames: [...document.querySelectorAll('iframe')].filter((f) => !before.has(f)) };
}

// Capture-phase listener on window: sees each OP answer before any library's own listener (the "wire" time).
let wire = null;
function listenWire(op) {
  if (wire) return wire;
  wire = signal();
  window.addEventListener('message', (e) => { if (e.origin === op && e.data === 'unchanged') wire.fire(now()); }, true);
  return wire;
}

/** The WebAssembly.Memory among the exports, whatever its (minified) export name. */
function wasmMemory(exports) {
  const m = Object.values(exports || {}).filter((v) => v instanceof WebAssembly.Memory);
  if (m.length !== 1) throw new Error(`expected one WebAssembly.Memory among the .wasm exports, found ${m.length}`);
  return m[0];
}

// ---- one adapter per library: start() (timed) → { check(), memory(), stop() } ------------------------------
const ADAPTERS = {
  async ours(op, out, { pkg = '/pkg/' } = {}) {
    let t = now();
    const mod = await import(`${pkg}oidc_session_monitor.js`);
    out.importMs = now() - t;
    t = now();
    const exports = await mod.default(); // fetch + compile + instantiate the .wasm (as an app calls it: no argument)
    out.initMs = now() - t;
    // The .wasm request's part of init() (Resource Timing): from the init() call to the response's last byte;
    // the rest is compiling and instantiating.
    const wasmEntry = performance.getEntriesByType('resource').find((e) => /\.wasm(\?|$)/.test(e.name));
    if (wasmEntry && wasmEntry.responseEnd > 0) out.wasmRequestMs = wasmEntry.responseEnd - t;
    out.streaming = wasmCalls.streamingOk > 0 && wasmCalls.instantiate === 0;
    const memory = wasmMemory(exports);
    const got = signal();
    t = now();
    const m = new mod.SessionMonitor({
      checkSessionIframe: `${op}/check_session`, clientId: CLIENT_ID, sessionState: SESSION_STATE,
      intervalMs: 100, // the minimum; checks below are driven by checkNow() right after each answer
    });
    out.constructMs = now() - t;
    m.addEventListener('unchanged', () => got.fire(now()));
    m.addEventListener('error', (e) => { out.errors = (out.errors || []).concat(e.detail && e.detail.code); });
    const first = got.next();
    t = now();
    m.start();
    const t1 = await withTimeout(first, 15000, 'first unchanged');
    out.startAt = t; out.startToFirstMs = t1 - t; out.firstAnswerAt = t1;
    out.notWaitingTicks = 0;
    return {
      async check(i) {
        // checkNow() only acts in the `waiting` state; the answer's task may still be finishing.
        while (m.state !== 'waiting') { out.notWaitingTicks++; await tick(); }
        const p = got.next();
        const t0 = now();
        m.checkNow();
        return { t0, t1: await withTimeout(p, 5000, `ours: check ${i}`) };
      },
      wasmBytes: () => memory.buffer.byteLength,
      stop: () => { m.stop(); m.free(); },
    };
  },

  async 'oidc-client-ts'(op, out) {
    let t = now();
    const mod = await import('/peer/oidc-client-ts.js');
    out.importMs = now() - t;
    const { CheckSessionIFrame } = mod;
    // Its `unchanged` is only logged; a bubble-phase listener added after load() runs right after its own,
    // and only for answers from its own iframe.
    const got = signal();
    t = now();
    // 4th argument: the interval in seconds, fixed at construction (3600: only the stop()/start() pairs below
    // send; start() posts at once); 5th: stopOnError.
    const f = new CheckSessionIFrame(async () => { out.changedCallbacks = (out.changedCallbacks || 0) + 1; }, CLIENT_ID, `${op}/check_session`, 3600, true);
    const { frames } = await newIframes(() => f.load());
    if (frames.length !== 1) throw new Error(`oidc-client-ts: expected one new iframe, saw ${frames.length}`);
    const source = frames[0].contentWindow;
    window.addEventListener('message', (e) => { if (e.origin === op && e.source === source && e.data === 'unchanged') got.fire(now()); }, false);
    const first = got.next();
    f.start(SESSION_STATE);
    const t1 = await withTimeout(first, 15000, 'first unchanged');
    out.startAt = t; out.startToFirstMs = t1 - t; out.firstAnswerAt = t1;
    return {
      async check(i) {
        const p = got.next();
        const t0 = now();
        f.stop(); f.start(SESSION_STATE);
        return { t0, t1: await withTimeout(p, 5000, `oidc-client-ts: check ${i}`) };
      },
      wasmBytes: () => null,
      stop: () => f.stop(),
    };
  },

  async 'keycloak-js'(op, out) {
    let t = now();
    const mod = await import('/peer/keycloak-js.js');
    out.importMs = now() - t;
    const Keycloak = mod.default;
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'bench-user', sid: SESSION_STATE, exp, iat: exp - 3600, azp: CLIENT_ID })}.x`;
    const refreshToken = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'bench-user', exp: exp + 3600, typ: 'Refresh' })}.x`;
    const kc = new Keycloak({ url: op, realm: 'bench', clientId: CLIENT_ID });
    // It has no notification of `unchanged`: its first answer is seen on the wire (the capture listener).
    const first = listenWire(op).next();
    t = now();
    // init() with a token: 3p-cookies check iframe, then the session iframe, then the first check;
    // checkLoginIframeInterval (s) 3600 so that only updateToken() below sends.
    const initDone = kc.init({ token, refreshToken, checkLoginIframe: true, checkLoginIframeInterval: 3600, timeSkew: 0, enableLogging: false });
    const t1 = await withTimeout(first, 15000, 'first unchanged');
    out.startAt = t; out.startToFirstMs = t1 - t; out.firstAnswerAt = t1;
    await withTimeout(initDone, 15000, 'init()');
    return {
      async check(i) {
        const t0 = now();
        // It checks the session iframe first; the token is fresh, so no refresh request.
        await withTimeout(kc.updateToken(5), 5000, `keycloak-js: check ${i}`);
        return { t0, t1: now() };
      },
      wasmBytes: () => null,
      stop: () => {},
    };
  },
};

async function start(lib, op, opts) {
  if (!ADAPTERS[lib]) throw new Error(`unknown lib ${lib}`);
  const out = { lib };
  const w = listenWire(op);
  const a = await ADAPTERS[lib](op, out, opts);
  // One check: the library's own round trip, and the same check seen at the window (capture phase).
  a.one = async (i) => {
    const wp = w.next();
    const { t0, t1 } = await a.check(i);
    const tw = await withTimeout(wp, 5000, `${lib}: wire answer ${i}`);
    return { lib: t1 - t0, wire: tw - t0 };
  };
  return { a, out };
}

// ---- navigation → first answer ------------------------------------------------------------------------------
const params = new URLSearchParams(location.search);
if (params.get('lib')) {
  const lib = params.get('lib');
  // Every iframe the library adds: when it entered the page and when it loaded (splits start → first answer).
  const frames = [];
  new MutationObserver((records) => {
    const t = now();
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.nodeName !== 'IFRAME') continue;
        frames.push({ el: n, src: n.src, added: t, loaded: null });
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  // An iframe's `load` seen in the capture phase on the document: before any listener of the library on the
  // iframe itself (a listener added on the iframe after the library's would run after the library's own
  // handler, which may already have posted its first check there).
  document.addEventListener('load', (e) => {
    const rec = frames.find((x) => x.el === e.target);
    if (rec && rec.loaded == null) rec.loaded = now();
  }, true);
  window.benchStartup = start(lib, params.get('op')).then(({ a, out }) => {
    out.navToFirstMs = out.firstAnswerAt; // performance.now() counts from this document's navigation start
    out.harnessAtMs = HARNESS_AT;
    // The OP's session iframe (keycloak-js loads a 3p-cookies check iframe before it).
    const f = frames.find((x) => x.src.startsWith(params.get('op')) && /check_session|login-status-iframe/.test(x.src));
    if (f && f.loaded != null) { out.iframeInMs = f.added - out.startAt; out.iframeLoadMs = f.loaded - f.added; out.loadToAnswerMs = out.firstAnswerAt - f.loaded; }
    out.timerResolutionMs = timerResolution();
    a.stop();
    return out;
  }, (e) => ({ lib, failed: String(e && e.message || e) }));
}

// ---- round trips, the libraries side by side in this page, interleaved ----------------------------------------
window.roundTrips = async ({ op, libs, rounds }) => {
  const started = [];
  for (const lib of libs) started.push({ lib, ...(await start(lib, op)) });
  const res = Object.fromEntries(libs.map((l) => [l, { rtLib: [], rtWire: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < started.length; k++) {
      const s = started[(k + r) % started.length];
      const { lib, wire: wr } = await s.a.one(r);
      res[s.lib].rtLib.push(lib); res[s.lib].rtWire.push(wr);
    }
  }
  for (const s of started) { res[s.lib].notWaitingTicks = s.out.notWaitingTicks || 0; res[s.lib].errors = s.out.errors || []; s.a.stop(); }
  return { timerResolutionMs: timerResolution(), byLib: res };
};

// ---- soak: one library, many checks, memory sampled ---------------------------------------------------------------
window.soak = async ({ op, lib, checks, samples }) => {
  const heapBefore = heap();
  const { a, out } = await start(lib, op);
  const points = [];
  const sample = (n) => points.push({ checks: n, heap: heap(), wasm: a.wasmBytes() });
  sample(0);
  const t = now();
  for (let i = 1; i <= checks; i++) {
    await a.one(i);
    if (samples.includes(i)) sample(i);
  }
  const ms = now() - t;
  a.stop();
  return { lib, heapBefore, points, ms, errors: out.errors || [] };
};
// ---- profile (bench/profile.mjs): prepare() starts one library and warms it up; checks(n) is what the
// profiler records ----------------------------------------------------------------------------------------------
let prepared = null;
window.prepare = async ({ op, lib, pkg, warm }) => {
  prepared = await start(lib, op, { pkg });
  for (let i = 0; i < warm; i++) await prepared.a.one(i);
  return { lib, errors: prepared.out.errors || [] };
};
window.checks = async (n) => {
  const t = now();
  for (let i = 0; i < n; i++) await prepared.a.one(i);
  return { ms: now() - t, errors: prepared.out.errors || [] };
};
window.benchReady = true;
