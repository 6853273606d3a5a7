#!/usr/bin/env node
// Navigation → first answer, split finer than bench/run.mjs does, with builds compared in one run: fresh page
// loads, the libraries and builds interleaved (the order rotating every round), medians per step. Figures only,
// no assertions (bench/NOTES.md, "Start-up, measured", says what they showed).
//
//   node bench/startup.mjs
//   STARTUP_PKGS=base=/tmp/a,new=pkg   builds of ours to compare, name=dir (default: cur=pkg)
//   STARTUP_RUNS=15                    loads per library and build
//   STARTUP_BROWSERS=chromium,firefox
//   STARTUP_PEER=0                     without oidc-client-ts
//   STARTUP_PRELOAD=1                  also each build with the .wasm preloaded (<link rel=preload as=fetch crossorigin>)
//   STARTUP_MEM=1                      also each build with its glue and .wasm answered from memory, as the peer's
//                                      bundle is (`<name>+mem`): whether reading the files per request costs ours
//   STARTUP_TRACE=1                    also print, for the last load of each build, every .wasm import call after
//                                      start() (a copy of the glue passes its import object to the page)
//   STARTUP_V8_FLAGS="--trace-wasm-compilation-times"   Chromium: V8 flags for the run; what V8 prints (here:
//                                      `Compiled function <module>#<index> using Liftoff, took N μs …; bodysize B`,
//                                      one line per wasm function compiled at its first call) goes to stdout/stderr
//
// Columns: import, init (fetch + compile + instantiate), and of init: `→ request` (init() call to the .wasm's
// fetch start), `request` (fetch start to the response's last byte), `→ done` (from there to init() resolving:
// compiling and instantiating); `new` (ours' constructor); `start()` (the call itself; oidc-client-ts: its
// constructor + load(), which adds its iframe); `→ iframe` (start to the iframe in the page, a MutationObserver);
// `→ OP script` and `→ loaded` (from the iframe in the page to the OP page's script running and to the iframe's
// `load` in the capture phase on the document); `→ OP msg` (loaded to the first check arriving in the OP page);
// `→ wire` (the OP's answer to the answer reaching the RP window, capture phase); `→ lib` (from there to the
// library's notification); `loaded → first`, `start → first`. OP-side marks use performance.timeOrigin of both
// pages (one machine).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { files, serve } from '../tests/support/static.mjs';
import { launch } from '../tests/support/browsers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const PKGS = (process.env.STARTUP_PKGS || `cur=${path.join(ROOT, 'pkg')}`).split(',').map((s) => s.split('='));
const RUNS = Number(process.env.STARTUP_RUNS || 15);
const BROWSERS = (process.env.STARTUP_BROWSERS || 'chromium,firefox').split(',').filter(Boolean);
const TRACE = process.env.STARTUP_TRACE === '1';
const V8_FLAGS = (process.env.STARTUP_V8_FLAGS || '').split(/\s+/).filter(Boolean);

// The TRACE copy of each glue: its import object goes through the page's globalThis.__traceImports.
const routes = {};
const peer = await esbuild.build({ stdin: { contents: "export * from 'oidc-client-ts';", resolveDir: ROOT, sourcefile: 'e.js' }, bundle: true, minify: true, format: 'esm', write: false, logLevel: 'error' });
routes['/peer/oidc-client-ts.js'] = peer.outputFiles[0].text;
for (const [name, dir] of PKGS) {
  const glue = fs.readFileSync(path.join(dir, 'oidc_session_monitor.js'), 'utf8');
  const traced = glue.replace(/=([A-Za-z_$][\w$]*)\(\);/g, (m, f) => (new RegExp(`function ${f.replace('$', '\\$')}\\(\\)\\{return\\{__proto__:null`).test(glue) ? `=globalThis.__traceImports?globalThis.__traceImports(${f}()):${f}();` : m));
  routes[`/trace-${name}/oidc_session_monitor.js`] = traced;
  // STARTUP_MEM=1: the same files answered from memory, as the peer's bundle is (no file read per request)
  if (process.env.STARTUP_MEM === '1') for (const f of ['oidc_session_monitor.js', 'oidc_session_monitor_bg.wasm']) routes[`/mem-${name}/${f}`] = fs.readFileSync(path.join(dir, f));
}
const rp = await serve(files({ routes, mounts: [...PKGS.flatMap(([n, d]) => [[`/${n}/`, d], [`/trace-${n}/`, d]]), ['/', path.join(HERE, 'www')]] }), { port: 0, host: '127.0.0.1' });
const op = await serve(files({ mounts: [['/', path.join(HERE, 'www')]] }), { port: 0, host: '127.0.0.2' });

const variants = [
  ...PKGS.map(([n]) => ({ key: n, lib: 'ours', pkg: `/${n}/` })),
  ...(process.env.STARTUP_MEM === '1' ? PKGS.map(([n]) => ({ key: `${n}+mem`, lib: 'ours', pkg: `/mem-${n}/` })) : []),
  ...(process.env.STARTUP_PRELOAD === '1' ? PKGS.map(([n]) => ({ key: `${n}+preload`, lib: 'ours', pkg: `/${n}/`, preload: true })) : []),
  ...(process.env.STARTUP_PEER === '0' ? [] : [{ key: 'oidc-client-ts', lib: 'oidc-client-ts' }]),
];
const url = (v, trace) => `${rp.origin}/startup/page.html?lib=${v.lib}&op=${encodeURIComponent(op.origin)}${v.pkg ? `&pkg=${trace ? `/trace-${v.pkg.slice(1)}` : v.pkg}` : ''}${v.preload ? '&preload=1' : ''}${trace ? '&trace=1' : ''}`;
const med = (a) => { const s = a.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : null; };
const STEPS = [
  ['nav → first', (t) => t.first], ['import', (t) => t.imported - t.harness], ['init', (t) => t.inited - t.imported],
  ['→ request', (t) => t.wasmFetchStart - t.imported], ['request', (t) => t.wasmResponseEnd - t.wasmFetchStart], ['→ done', (t) => t.inited - t.wasmResponseEnd],
  ['new', (t) => t.constructed - t.inited], ['start()', (t) => t.startReturned - t.start], ['→ iframe', (t) => t.added - t.start],
  ['→ OP script', (t) => t.opScript - t.added], ['→ loaded', (t) => t.loaded - t.added], ['→ OP msg', (t) => t.opMsg - t.loaded],
  ['→ wire', (t) => t.wire - t.opReplied], ['→ lib', (t) => t.first - t.wire], ['loaded → first', (t) => t.first - t.loaded], ['start → first', (t) => t.first - t.start],
];
console.log(`startup: ${RUNS} loads per variant (${variants.map((v) => v.key).join(', ')}); load average ${os.loadavg()[0].toFixed(1)}`);
let failed = 0;
for (const bname of BROWSERS) {
  const s = await launch(bname, { measure: true, v8Flags: bname === 'chromium' ? V8_FLAGS : [], dumpio: bname === 'chromium' && V8_FLAGS.some((f) => f.startsWith('--trace')) });
  const res = Object.fromEntries(variants.map((v) => [v.key, []]));
  const load = async (v, trace = false) => {
    const page = await s.browser.newPage();
    try {
      await page.goto(url(v, trace), { waitUntil: 'load' });
      const out = await page.evaluate(() => window.startup);
      if (out.failed) { failed++; console.log(`${bname} ${v.key}: ${out.failed}`); }
      return out;
    } finally { await page.close(); }
  };
  await load(variants[0]); // warm-up (not counted): the first page of a fresh browser pays process start-up
  for (let r = 0; r < RUNS; r++) for (let k = 0; k < variants.length; k++) { const v = variants[(k + r) % variants.length]; res[v.key].push(await load(v)); }
  console.log(`\n${bname} ${s.version}: medians (ms)`);
  console.log(['variant', ...STEPS.map(([n]) => n)].join('\t'));
  for (const v of variants) console.log([v.key, ...STEPS.map(([, f]) => med(res[v.key].map((o) => (o.T ? f(o.T) : null))))].map((x) => (typeof x === 'number' ? x.toFixed(1) : x ?? '–')).join('\t'));
  if (TRACE) {
    for (const v of variants.filter((x) => x.lib === 'ours')) {
      const o = await load(v, true);
      console.log(`\n${bname} ${v.key}: .wasm import calls after start() (ms after start, ms in the call, import)${o.T && o.T.traced ? '' : ': the traced glue was not used'}`);
      for (const [t, d, src] of o.calls || []) console.log(`${t.toFixed(2)}\t${d.toFixed(2)}\t${src}`);
    }
  }
  await s.close();
}
await rp.close(); await op.close();
console.log(`\nstartup: ${failed ? `${failed} loads failed` : 'done'}`);
process.exit(failed ? 1 : 0);
