#!/usr/bin/env node
// Speed benchmark, side by side in one run: oidc-session-monitor (pkg/, as built) vs oidc-client-ts's
// CheckSessionIFrame vs keycloak-js's login iframe, in headless Chromium and Firefox ESR, against one
// fake OP check_session_iframe on another loopback origin (bench/server.mjs). Prints a table and writes
// RESULTS.md (under target/reports/ unless BENCH_OUT says otherwise). Figures are reported as measured: no
// assertions on them.
//
// Usage: node bench/run.mjs            (npm run bench)
//   BENCH_RUNS=5        fresh page loads per browser × library (single-shot figures: median of these)
//   BENCH_CHECKS=200    checks per page load (round trips: pooled over all loads)
//   BENCH_BROWSERS=chromium,firefox
//   BENCH_PKG=pkg dir   BENCH_OUT=file (default target/reports/bench/RESULTS.md; `npm run report` copies it
//   to bench/RESULTS.md)   CHROMIUM=, FIREFOX= executables (tests/support/browsers.mjs)
// Last line: `bench: N passed, M failed`, counting page loads (a failed load is a harness failure, not a figure).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { startServers } from './server.mjs';
import { launch as launchBrowser, BROWSERS as EXECUTABLES } from '../tests/support/browsers.mjs';
import { reporter } from '../tests/support/report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const RUNS = Number(process.env.BENCH_RUNS || 5);
const CHECKS = Number(process.env.BENCH_CHECKS || 200);
const BROWSERS = (process.env.BENCH_BROWSERS || 'chromium,firefox').split(',').map((s) => s.trim()).filter(Boolean);
const OUT = path.resolve(process.env.BENCH_OUT || path.join(ROOT, 'target', 'reports', 'bench', 'RESULTS.md'));
const report = reporter('bench');
const LIBS = ['ours', 'oidc-client-ts', 'keycloak-js'];
const PKG = process.env.BENCH_PKG || path.join(ROOT, 'pkg');

const ver = (name) => { try { return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return null; } };
const VERSIONS = {
  ours: JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8')).version,
  'oidc-client-ts': ver('oidc-client-ts'),
  'keycloak-js': ver('keycloak-js'),
};
const LABEL = { ours: `oidc-session-monitor ${VERSIONS.ours}`, 'oidc-client-ts': `oidc-client-ts ${VERSIONS['oidc-client-ts']}`, 'keycloak-js': `keycloak-js ${VERSIONS['keycloak-js']}` };

// The peers as an app would ship them: the whole library, bundled and minified (as in scripts/size.sh).
async function bundle(entry) {
  const r = await esbuild.build({ stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'bench-entry.js' }, bundle: true, minify: true, format: 'esm', write: false, logLevel: 'error' });
  return r.outputFiles[0].text;
}
const bundles = {};
const libs = LIBS.filter((l) => l === 'ours' || VERSIONS[l]);
if (VERSIONS['oidc-client-ts']) bundles['/peer/oidc-client-ts.js'] = await bundle("export * from 'oidc-client-ts';");
if (VERSIONS['keycloak-js']) bundles['/peer/keycloak-js.js'] = await bundle("export { default } from 'keycloak-js';");

const loadStart = os.loadavg()[0];
const srv = await startServers({ bundles });
console.log(`bench: RP ${srv.rpOrigin}, fake OP ${srv.opOrigin}; ${RUNS} page loads × ${CHECKS} checks per browser × library`);

async function launch(name) {
  // measure: exact heap figures + gc() in Chromium, full timer precision in Firefox.
  const session = await launchBrowser(name, { measure: true, protocolTimeout: 120_000 });
  return { browser: session.browser, version: session.version, close: () => session.close() };
}

async function oneLoad(browser, lib) {
  const page = await browser.newPage();
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e && (e.message || e)}`));
  page.on('console', (m) => { if (m.type() === 'error') logs.push(`console.error: ${m.text()}`); });
  try {
    await page.goto(`${srv.rpOrigin}/rp.html`, { waitUntil: 'load', timeout: 20_000 });
    await page.waitForFunction(() => window.benchReady === true, { timeout: 20_000 });
    return await page.evaluate((l, o) => window.bench(l, o), lib, { op: srv.opOrigin, checks: CHECKS });
  } catch (e) {
    return { lib, failed: String(e && e.message || e).split('\n')[0], logs };
  } finally {
    await page.close().catch(() => {});
  }
}

const results = {}; // browser -> lib -> [run results]
const versions = {};
for (const name of BROWSERS) {
  if (!fs.existsSync(EXECUTABLES[name].executable)) { report.fail(`${name}: not found at ${EXECUTABLES[name].executable}`); continue; }
  const b = await launch(name);
  versions[name] = b.version;
  console.log(`bench: ${name} ${b.version}`);
  results[name] = Object.fromEntries(libs.map((l) => [l, []]));
  // Warm-up load (not counted): the first page of a fresh browser pays process start-up.
  await oneLoad(b.browser, 'ours');
  for (let r = 0; r < RUNS; r++) {
    const order = libs.map((_, i) => libs[(i + r) % libs.length]); // rotate, so no library is always first
    for (const lib of order) {
      const res = await oneLoad(b.browser, lib);
      results[name][lib].push(res);
      report.ok(!res.failed, `${name} ${lib} load ${r + 1}`, res.failed && `${res.failed} ${res.logs.join(' | ')}`);
    }
  }
  await b.close();
}
await srv.close();

// ---- aggregate ---------------------------------------------------------------------------------
const q = (arr, p) => { if (!arr.length) return null; const s = [...arr].sort((a, b) => a - b); const i = Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1)); return s[i]; };
const med = (arr) => q(arr, 0.5);
const ms = (v, d = 2) => (v == null ? '–' : v.toFixed(d));
const kib = (v) => (v == null ? '–' : (v / 1024).toFixed(0));
const rows = [];
for (const [bname, byLib] of Object.entries(results)) {
  for (const lib of libs) {
    const ok = byLib[lib].filter((r) => !r.failed);
    const fails = byLib[lib].length - ok.length;
    const col = (k) => ok.map((r) => r[k]).filter((v) => typeof v === 'number');
    const rtLib = ok.flatMap((r) => r.rtLib); const rtWire = ok.flatMap((r) => r.rtWire);
    const heapAfter = med(col('heapAfter')); const heapBefore = med(col('heapBefore'));
    const heapDelta = med(ok.filter((r) => r.heapAfter != null && r.heapBefore != null).map((r) => r.heapAfter - r.heapBefore));
    rows.push({
      browser: `${bname}`, lib: LABEL[lib], loads: `${ok.length}${fails ? ` (+${fails} failed)` : ''}`,
      importMs: ms(med(col('importMs'))), initMs: lib === 'ours' ? ms(med(col('initMs'))) : 'n/a',
      firstMs: ms(med(col('startToFirstMs'))),
      rtMed: ms(med(rtLib), 3), rtP95: ms(q(rtLib, 0.95), 3), wireMed: ms(med(rtWire), 3), wireP95: ms(q(rtWire, 0.95), 3), n: rtLib.length,
      heapAfter: kib(heapAfter), heapDelta: kib(heapDelta), wasmMem: lib === 'ours' ? kib(med(col('wasmMemoryBytes'))) : 'n/a',
      timerRes: ms(med(col('timerResolutionMs')), 3),
      errors: [...new Set(ok.flatMap((r) => r.errors || []))].join(',') || '',
      notWaiting: col('notWaitingTicks').reduce((a, b) => a + b, 0),
      failures: byLib[lib].filter((r) => r.failed).map((r) => r.failed),
    });
  }
}

const HEAD = ['browser', 'library', 'loads', 'import (ms)', 'init: wasm fetch+compile+instantiate (ms)', 'start → first unchanged (ms)',
  'check round trip median (ms)', 'p95 (ms)', 'post → answer at window, median (ms)', 'p95 (ms)', 'checks', 'JS heap after checks (KiB)', 'heap Δ vs blank page (KiB)', 'wasm memory (KiB)'];
const line = (r) => [r.browser, r.lib, r.loads, r.importMs, r.initMs, r.firstMs, r.rtMed, r.rtP95, r.wireMed, r.wireP95, r.n, r.heapAfter, r.heapDelta, r.wasmMem];
const md = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${line(r).join(' | ')} |`)].join('\n');

// console table
const widths = HEAD.map((h, i) => Math.max(...[h, ...rows.map((r) => String(line(r)[i]))].map((s) => Math.min(s.length, i < 3 ? 28 : 12))));
const SHORT = ['browser', 'library', 'loads', 'import', 'init', 'start→1st', 'rt med', 'rt p95', 'wire med', 'wire p95', 'checks', 'heap KiB', 'heap Δ', 'wasm KiB'];
const pad = (s, w, left) => (left ? String(s).padEnd(w) : String(s).padStart(w));
const sw = SHORT.map((h, i) => Math.max(h.length, ...rows.map((r) => String(line(r)[i]).length)));
console.log('\n' + SHORT.map((h, i) => pad(h, sw[i], i < 3)).join('  '));
for (const r of rows) console.log(line(r).map((v, i) => pad(v, sw[i], i < 3)).join('  '));
for (const r of rows) if (r.failures.length) console.log(`  ${r.browser} ${r.lib}: ${r.failures.length} failed load(s): ${[...new Set(r.failures)].join('; ')}`);
for (const r of rows) if (r.notWaiting) console.log(`  ${r.browser} ${r.lib}: checkNow() waited ${r.notWaiting} task(s) in total for state 'waiting'`);
for (const r of rows) if (r.errors) console.log(`  ${r.browser} ${r.lib}: error events seen: ${r.errors}`);
void widths;

const sha = (() => { try { return fs.readFileSync(path.join(ROOT, '.git', 'HEAD'), 'utf8').trim(); } catch { return '?'; } })();
const doc = `# Speed benchmark: session monitoring side by side

Generated by \`node bench/run.mjs\` (\`npm run bench\`) on ${new Date().toISOString().slice(0, 10)}. Figures as measured in one run on this machine; no assertions.
Machine: ${os.cpus().length} CPUs, 1-min load average ${loadStart.toFixed(1)} at start and ${os.loadavg()[0].toFixed(1)} at end (other jobs share it: single-shot figures — import, init, start → first — move with the load between runs; round-trip medians and heap figures are the steadier ones).
Browsers: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')} (headless, fresh profile each). Timer resolution seen by the page: ${[...new Set(rows.map((r) => `${r.browser} ${r.timerRes} ms`))].join(', ')}.
Libraries: ${libs.map((l) => LABEL[l]).join(', ')}${VERSIONS.ours ? ` (ours: \`${path.relative(ROOT, PKG) || '.'}/\` as built)` : ''}. angular-oauth2-oidc: not measured (its Angular peer dependencies would be installed with it).

Setup: \`bench/server.mjs\`: RP page on \`127.0.0.1\`, the test suites' fake OP (\`tests/support/fake-op\`) \`check_session_iframe\` on \`127.0.0.2\` (another site, so the iframe is cross-site/out of process), answering \`unchanged\` to every \`client_id session_state\` message, to the exact \`e.origin\`. Every response \`Cache-Control: no-store\`: every page load fetches and compiles from scratch. Per browser: one warm-up load, then ${RUNS} fresh page loads per library (order rotated), ${CHECKS} checks each, one after another. Single-shot figures are the median of the ${RUNS} loads; round trips are pooled over all checks.

${md}

What the columns are:
- **import**: dynamic \`import()\` of the library's JS (ours: the wasm-bindgen glue \`oidc_session_monitor.js\` as shipped; peers: the whole library bundled and minified by esbuild, as an app ships it).
- **init**: ours only, \`await init()\`: fetch + compile + instantiate the \`.wasm\` (streaming). The peers have no such step.
- **start → first unchanged**: ours \`new SessionMonitor({…, intervalMs: 100})\` + \`start()\` until the first \`unchanged\` event; oidc-client-ts \`new CheckSessionIFrame(cb, client_id, url, interval, true)\` + \`await load()\` + \`start(session_state)\` until the first \`unchanged\` reaches the page; keycloak-js \`init({token, refreshToken, checkLoginIframe: true})\` until the first \`unchanged\` reaches the page — keycloak-js first loads its \`3p-cookies/step1.html\` check iframe (faked: answers \`supported\`), then its session iframe. All include creating and loading the OP iframe.
- **check round trip**: from the call that sends a check to the library's own notification of the answer. Ours: \`checkNow()\` → \`unchanged\` event (next check when \`state\` is \`waiting\` again). oidc-client-ts: \`stop(); start(session_state)\` (start posts at once; its interval is fixed at construction, set to 3600 s here so only these calls send) → a \`message\` listener added after its own (it has no notification for \`unchanged\`: it only logs). keycloak-js: \`await updateToken(5)\` (it checks the login iframe first; the token is fresh, so no refresh request) — the closest public call to a check; its interval (\`checkLoginIframeInterval\`) set to 3600 s.
- **post → answer at window**: the same check measured to a capture-phase \`message\` listener on \`window\` (before any library code runs on the answer): the browser's postMessage round trip through the OP iframe plus the library's sending side.
- **JS heap after checks**: \`performance.memory.usedJSHeapSize\` after \`gc()\` (Chromium only, \`--enable-precise-memory-info --js-flags=--expose-gc\`), whole page; **heap Δ** is minus the same page before the library was imported. Ours keeps its state in wasm linear memory, shown separately (not in the JS heap). Firefox has no \`performance.memory\`.
`;
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, doc);
console.log(`\nbench: wrote ${path.relative(ROOT, OUT)}`);
process.exit(report.summary());
