#!/usr/bin/env node
// One check's round trip split in three, one library per fresh page (no other library's listener in the way), the
// pages of every variant interleaved and repeated; figures only, no assertions (bench/NOTES.md says what they showed):
//   send        the call that sends a check until it returns (ours: checkNow(); oidc-client-ts: stop(); start())
//   wire        from the same start to the OP's answer at a capture-phase `message` listener on window
//   after wire  from there to the library's notification: the library's handling of the answer
// Variants: each build of ours to its `unchanged` event (`<name>`) and, with ANSWER_NOEVENT=1, with no `unchanged`
// listener (`<name>-noevent`: no event is built; the end is a `message` listener added after ours); oidc-client-ts
// to a `message` listener after its own (`oidc-client-ts`) and, with ANSWER_JSEVENT=1, to a listener of a CustomEvent
// that a page script dispatches from that listener with ours' `detail` ({type, timestamp, leader}) (`…+event`):
// what emitting an event costs in that spot with no wasm at all.
//
//   node bench/answer.mjs
//   ANSWER_PKGS=base=/tmp/a,new=pkg   builds of ours (default cur=pkg)
//   ANSWER_CHECKS=1500  ANSWER_REPS=6  ANSWER_BROWSERS=firefox,chromium
//   ANSWER_TRACE=1      also, for the first build, every .wasm import call of a check (medians over its last 200
//                       checks, µs from the check's start): a copy of the glue wraps its import object, which
//                       adds its own cost to each call
// Timers: bench's launch ({ measure: true }) gives Firefox pages µs; Chromium pages get 0.1 ms (use the means).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { files, serve } from '../tests/support/static.mjs';
import { startFakeOp } from '../tests/support/fake-op/server.mjs';
import { launch } from '../tests/support/browsers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const PKGS = (process.env.ANSWER_PKGS || `cur=${path.join(ROOT, 'pkg')}`).split(',').map((s) => s.split('='));
const CHECKS = Number(process.env.ANSWER_CHECKS || 1500);
const REPS = Number(process.env.ANSWER_REPS || 6);
const BROWSERS = (process.env.ANSWER_BROWSERS || 'firefox,chromium').split(',').filter(Boolean);
const TRACE = process.env.ANSWER_TRACE === '1';

const routes = {};
routes['/peer/oidc-client-ts.js'] = (await esbuild.build({ stdin: { contents: "export * from 'oidc-client-ts';", resolveDir: ROOT, sourcefile: 'e.js' }, bundle: true, minify: true, format: 'esm', write: false, logLevel: 'error' })).outputFiles[0].text;
// The TRACE copy of the first build's glue: its import object goes through the page's globalThis.__traceImports
// (as in bench/startup.mjs).
{
  const glue = fs.readFileSync(path.join(PKGS[0][1], 'oidc_session_monitor.js'), 'utf8');
  routes['/trace/oidc_session_monitor.js'] = glue.replace(/=([A-Za-z_$][\w$]*)\(\);/g, (m, f) => (new RegExp(`function ${f.replace('$', '\\$')}\\(\\)\\{return\\{__proto__:null`).test(glue) ? `=globalThis.__traceImports?globalThis.__traceImports(${f}()):${f}();` : m));
}
routes['/answer.html'] = `<!doctype html><meta charset="utf-8"><title>bench/answer.mjs</title><body><script type="module">
const now = () => performance.now();
const marks = []; let on = false;
globalThis.__traceImports = (imports) => {
  for (const o of Object.values(imports)) for (const [k, f] of Object.entries(o)) {
    if (typeof f !== 'function') continue;
    const src = f.toString().replace(/\\s+/g, ' ').slice(0, 70);
    o[k] = function (...a) { if (on) marks.push([now(), src]); return f.apply(this, a); };
  }
  return imports;
};
window.run = async ({ op, checks, lib, pkg, event, trace }) => {
  const ends = []; const end = (t) => { const r = ends.shift(); if (r) r(t); };
  const first = new Promise((r) => ends.push(r));
  let send, ready = () => true;
  let tw = 0;
  window.addEventListener('message', () => { tw = now(); if (on) marks.push([tw, 'answer at window (capture)']); }, true);
  if (lib === 'ours') {
    const mod = await import(pkg + 'oidc_session_monitor.js'); await mod.default();
    const m = new mod.SessionMonitor({ checkSessionIframe: op + '/check_session', clientId: 'bench-client', sessionState: 'bench-session-state.salt', intervalMs: 100 });
    if (event) m.addEventListener('unchanged', () => { if (on) marks.push([now(), 'unchanged listener']); end(now()); });
    m.start();
    if (!event) {
      const frame = document.querySelector('iframe');
      window.addEventListener('message', (e) => { if (e.source === frame.contentWindow && e.data === 'unchanged') end(now()); });
    }
    send = () => m.checkNow();
    ready = () => m.state === 'waiting';
  } else {
    const { CheckSessionIFrame } = await import('/peer/oidc-client-ts.js');
    const f = new CheckSessionIFrame(async () => {}, 'bench-client', op + '/check_session', 3600, true);
    await f.load();
    const frame = [...document.querySelectorAll('iframe')].pop();
    const target = new EventTarget(); const init = {};
    target.addEventListener('unchanged', () => end(now()));
    window.addEventListener('message', (e) => {
      if (e.source !== frame.contentWindow || e.data !== 'unchanged') return;
      if (!event) return end(now());
      const detail = {}; detail.type = 'unchanged'; detail.timestamp = Date.now(); detail.leader = true; init.detail = detail;
      target.dispatchEvent(new CustomEvent('unchanged', init));
    });
    f.start('bench-session-state.salt');
    send = () => { f.stop(); f.start('bench-session-state.salt'); };
  }
  await first;
  const rt = [], sent = [], wire = [];
  for (let i = 0; i < checks; i++) {
    while (!ready()) await new Promise((r) => setTimeout(r, 0));
    const p = new Promise((r) => ends.push(r));
    on = trace && i >= checks - 200; if (on) marks.push([now(), 'START']);
    const t0 = now(); send(); const tr = now();
    const t1 = await p; on = false;
    rt.push(t1 - t0); sent.push(tr - t0); wire.push(tw - t0);
  }
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length * 1000;
  const sorted = [...rt].sort((a, b) => a - b);
  return { mean: mean(rt), p50: sorted[sorted.length >> 1] * 1000, send: mean(sent), wire: mean(wire), marks: trace ? marks : [] };
};
window.ready = true;
</script>`;
const rp = await serve(files({ routes, mounts: [...PKGS.map(([n, d]) => [`/${n}/`, d]), ['/trace/', PKGS[0][1]]] }));
const op = await startFakeOp({ host: '127.0.0.2', answer: 'unchanged' });
const variants = [
  ...PKGS.map(([n]) => ({ key: n, lib: 'ours', pkg: `/${n}/`, event: true })),
  ...(process.env.ANSWER_NOEVENT === '1' ? PKGS.map(([n]) => ({ key: `${n}-noevent`, lib: 'ours', pkg: `/${n}/`, event: false })) : []),
  { key: 'oidc-client-ts', lib: 'peer', event: false },
  ...(process.env.ANSWER_JSEVENT === '1' ? [{ key: 'oidc-client-ts+event', lib: 'peer', event: true }] : []),
];
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[(s.length - 1) >> 1]; };
const f0 = (x) => x.toFixed(0);
console.log(`answer: ${CHECKS} checks per page, ${REPS} pages per variant, interleaved; load average ${os.loadavg()[0].toFixed(1)}`);
for (const bname of BROWSERS) {
  const s = await launch(bname, { measure: true });
  const res = Object.fromEntries(variants.map((v) => [v.key, []]));
  const page = async (v, trace = false) => {
    const pg = await s.browser.newPage();
    try {
      await pg.goto(`${rp.origin}/answer.html`); await pg.waitForFunction(() => window.ready === true);
      return await pg.evaluate((o) => window.run(o), { op: op.origin, checks: CHECKS, lib: v.lib, pkg: trace ? '/trace/' : v.pkg, event: v.event, trace });
    } finally { await pg.close(); }
  };
  for (let r = 0; r < REPS; r++) for (let k = 0; k < variants.length; k++) { const v = variants[(k + r) % variants.length]; res[v.key].push(await page(v)); }
  console.log(`\n${bname} ${s.version}: µs, median of the pages' means (each page: min–max)`);
  console.log(['variant', 'round trip', 'p50', 'send', 'wire', 'after wire'].join('\t'));
  for (const v of variants) {
    const a = res[v.key];
    const col = (f) => `${f0(med(a.map(f)))} (${f0(Math.min(...a.map(f)))}–${f0(Math.max(...a.map(f))) })`;
    console.log([v.key, col((x) => x.mean), col((x) => x.p50), col((x) => x.send), col((x) => x.wire), col((x) => x.mean - x.wire)].join('\t'));
  }
  if (TRACE) {
    const { marks } = await page(variants[0], true);
    const seqs = []; let cur = null;
    for (const [t, what] of marks) { if (what === 'START') { cur = []; seqs.push(cur); } if (cur) cur.push([t, what]); }
    const n = med(seqs.map((q) => q.length)); const same = seqs.filter((q) => q.length === n);
    console.log(`\n${bname} ${variants[0].key}: a check's import calls (median µs from the check's start, ${same.length} checks alike)`);
    for (let k = 0; k < n; k++) console.log(`${med(same.map((q) => (q[k][0] - q[0][0]) * 1000)).toFixed(1).padStart(7)}\t${same[0][k][1]}`);
  }
  await s.close();
}
await rp.close(); await op.close();
console.log('\nanswer: done');
