#!/usr/bin/env node
// Speed benchmark, side by side in one run: oidc-session-monitor (pkg/, as built) vs oidc-client-ts's
// CheckSessionIFrame vs keycloak-js's login iframe, in headless Chromium and Firefox ESR, against one
// fake OP check_session_iframe on another loopback origin (bench/server.mjs). Per browser:
//   1. navigation → first answer: fresh page loads per library (wasm fetch + compile included; whether the
//      glue used WebAssembly.instantiateStreaming is recorded)
//   2. check round trips: the three libraries in ONE page, checks interleaved round by round
//   3. soak: one page per library, BENCH_SOAK checks, JS heap (Chromium) and wasm memory sampled
// Prints the tables and writes RESULTS.md + RESULTS.json (under target/reports/bench/ unless BENCH_OUT says
// otherwise; `npm run report` copies RESULTS.md to bench/RESULTS.md and into the README). bench/NOTES.md
// (hand-written findings, e.g. the profile) is included at the end of RESULTS.md as it is.
// Figures are reported as measured: no assertions on them.
//
// Usage: node bench/run.mjs            (npm run bench)
//   BENCH_RUNS=5        fresh page loads per browser × library (navigation → first answer: median of these)
//   BENCH_ROUNDS=1000   interleaved rounds (one check per library each) in the round-trip page
//   BENCH_SOAK=10000    checks per library in the soak page
//   BENCH_BROWSERS=chromium,firefox
//   BENCH_PKG=pkg dir   BENCH_OUT=file (default target/reports/bench/RESULTS.md)
//   CHROMIUM=, FIREFOX= executables (tests/support/browsers.mjs)
// Last line: `bench: N passed, M failed`, counting harness steps (a page that failed to load, start a library,
// get an answer or read a figure is a failure; a slow figure is not).
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { startServers } from './server.mjs';
import { launch as launchBrowser, BROWSERS as EXECUTABLES } from '../tests/support/browsers.mjs';
import { reporter, runtimeSha256 } from '../tests/support/report.mjs';
import { buildNamedTwin, profileLib, profileMarkdown } from './profile.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const RUNS = Number(process.env.BENCH_RUNS || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 1000);
const SOAK = Number(process.env.BENCH_SOAK || 10000);
const SAMPLES = [0, 100, 1000, Math.round(SOAK / 2), SOAK].filter((n, i, a) => n <= SOAK && a.indexOf(n) === i);
const PROFILE_CHECKS = Number(process.env.BENCH_PROFILE ?? 2000); // 0: no profile
const PROFILE_INTERVAL_US = 25;
const BROWSERS = (process.env.BENCH_BROWSERS || 'chromium,firefox').split(',').map((s) => s.trim()).filter(Boolean);
const OUT = path.resolve(process.env.BENCH_OUT || path.join(ROOT, 'target', 'reports', 'bench', 'RESULTS.md'));
const JSON_OUT = OUT.replace(/\.md$/, '') + '.json';
const NOTES = path.join(HERE, 'NOTES.md'); // hand-written findings, included in RESULTS.md as they are
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
for (const l of LIBS) if (!libs.includes(l)) report.fail(`${l}: not installed (npm install): not measured`);
if (VERSIONS['oidc-client-ts']) bundles['/peer/oidc-client-ts.js'] = await bundle("export * from 'oidc-client-ts';");
if (VERSIONS['keycloak-js']) bundles['/peer/keycloak-js.js'] = await bundle("export { default } from 'keycloak-js';");

// What was measured, so that `npm run report` can refuse figures of another build (scripts/report.sh).
const git = (...a) => { try { return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { return ''; } };
const COMMIT = git('rev-parse', '--short', 'HEAD') || '?';
const DIRTY = git('status', '--porcelain', '--untracked-files=no') !== '';
// The runtime measured: sha256 over the .wasm and the glue, in that order (scripts/report.sh computes the same).
const RUNTIME_SHA256 = runtimeSha256(PKG);
const loadStart = os.loadavg()[0];
const twin = PROFILE_CHECKS ? buildNamedTwin(ROOT) : null;
if (twin) console.log(`bench: profile: ${twin.note}`);
const srv = await startServers({ bundles, mounts: twin && twin.dir ? [['/pkg-named/', twin.dir]] : [] });
// The server must send the .wasm as application/wasm, or the glue falls back from instantiateStreaming.
const wasmType = await fetch(`${srv.rpOrigin}/pkg/oidc_session_monitor_bg.wasm`, { method: 'HEAD' }).then((r) => r.headers.get('content-type'), (e) => String(e));
report.ok(wasmType === 'application/wasm', `server: the .wasm is served as application/wasm`, `Content-Type: ${wasmType}`);
console.log(`bench: RP ${srv.rpOrigin}, fake OP ${srv.opOrigin}; per browser: ${RUNS} loads per library (navigation → first answer), ${ROUNDS} interleaved rounds in one page, ${SOAK} checks per library (soak)`);

async function launch(name) {
  // measure: exact heap figures + gc() in Chromium, full timer precision in Firefox.
  const session = await launchBrowser(name, { measure: true, protocolTimeout: 300_000 });
  return { browser: session.browser, version: session.version, close: () => session.close() };
}

/** Runs fn(page) on a fresh page; returns its result, or { failed, logs } (a harness failure). */
async function onPage(browser, url, fn) {
  const page = await browser.newPage();
  const logs = [];
  page.on('pageerror', (e) => logs.push(`pageerror: ${e && (e.message || e)}`));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') logs.push(`console.${m.type()}: ${m.text()}`); });
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
    await page.waitForFunction(() => window.benchReady === true, { timeout: 20_000 });
    const r = await fn(page);
    if (r && r.failed) return { ...r, logs };
    return { ...r, logs };
  } catch (e) {
    return { failed: String(e && e.message || e).split('\n')[0], logs };
  } finally {
    await page.close().catch(() => {});
  }
}
const op = () => srv.opOrigin;

const results = {}; // browser -> { startup: lib -> [..], rt: {..}, soak: lib -> {..} }
const versions = {};
for (const name of BROWSERS) {
  if (!fs.existsSync(EXECUTABLES[name].executable)) { report.fail(`${name}: not found at ${EXECUTABLES[name].executable}`); continue; }
  const b = await launch(name);
  versions[name] = b.version;
  console.log(`bench: ${name} ${b.version}`);
  const R = results[name] = { startup: Object.fromEntries(libs.map((l) => [l, []])), rt: null, soak: {} };
  const startupUrl = (lib) => `${srv.rpOrigin}/rp.html?lib=${encodeURIComponent(lib)}&op=${encodeURIComponent(op())}`;
  // Warm-up load (not counted): the first page of a fresh browser pays process start-up.
  await onPage(b.browser, startupUrl('ours'), (p) => p.evaluate(() => window.benchStartup));
  // 1. navigation → first answer: fresh page loads, order rotated so that no library is always first.
  for (let r = 0; r < RUNS; r++) {
    for (const lib of libs.map((_, i) => libs[(i + r) % libs.length])) {
      const res = await onPage(b.browser, startupUrl(lib), (p) => p.evaluate(() => window.benchStartup));
      R.startup[lib].push(res);
      report.ok(!res.failed, `${name} ${lib}: navigation → first answer, load ${r + 1}`, res.failed && `${res.failed} ${res.logs.join(' | ')}`);
    }
  }
  const oursLoads = R.startup.ours.filter((r) => !r.failed);
  report.ok(oursLoads.length > 0 && oursLoads.every((r) => r.streaming === true), `${name} ours: the .wasm is compiled with WebAssembly.instantiateStreaming (${oursLoads.length} loads)`,
    oursLoads.flatMap((r) => r.logs).find((l) => /instantiateStreaming/.test(l)) || 'instantiateStreaming not used');
  // 2. check round trips: every library in one page, one check each per round, interleaved.
  R.rt = await onPage(b.browser, `${srv.rpOrigin}/rp.html`, (p) => p.evaluate((o) => window.roundTrips(o), { op: op(), libs, rounds: ROUNDS }));
  report.ok(!R.rt.failed, `${name}: ${ROUNDS} interleaved rounds of ${libs.length} checks in one page`, R.rt.failed && `${R.rt.failed} ${R.rt.logs.join(' | ')}`);
  // 3. soak: one page per library, SOAK checks, memory sampled.
  for (const lib of libs) {
    const res = await onPage(b.browser, `${srv.rpOrigin}/rp.html`, (p) => p.evaluate((o) => window.soak(o), { op: op(), lib, checks: SOAK, samples: SAMPLES }));
    R.soak[lib] = res;
    report.ok(!res.failed, `${name} ${lib}: soak, ${SOAK} checks`, res.failed && `${res.failed} ${res.logs.join(' | ')}`);
    if (lib === 'ours' && !res.failed) report.ok(res.points.every((pt) => typeof pt.wasm === 'number' && pt.wasm > 0), `${name} ours: wasm memory read`, JSON.stringify(res.points));
  }
  // 4. profile (Chromium): where a check's main-thread time goes, per library.
  if (name === 'chromium' && PROFILE_CHECKS) {
    R.profile = [];
    for (const lib of libs) {
      try {
        const pr = await profileLib(b.browser, { url: `${srv.rpOrigin}/rp.html`, op: op(), lib, pkg: twin.dir ? '/pkg-named/' : '/pkg/', checks: PROFILE_CHECKS, intervalUs: PROFILE_INTERVAL_US });
        R.profile.push(pr);
        report.pass(`${name} ${lib}: profile of ${PROFILE_CHECKS} checks (${pr.busyUs.toFixed(1)} µs busy per check)`);
      } catch (e) { report.fail(`${name} ${lib}: profile`, String(e && e.message || e).split('\n')[0]); }
    }
  }
  await b.close();
}
await srv.close();

// ---- aggregate ---------------------------------------------------------------------------------
const q = (arr, p) => { if (!arr.length) return null; const s = [...arr].sort((a, b) => a - b); const i = Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1)); return s[i]; };
const med = (arr) => q(arr, 0.5);
const mean = (arr) => (arr.length ? arr.reduce((a, b) => a + b, 0) / arr.length : null);
const f = (v, d = 2) => (v == null || Number.isNaN(v) ? '–' : v.toFixed(d));
const kib = (v) => (v == null ? '–' : (v / 1024).toFixed(0));
const sKib = (v) => (v == null ? '–' : `${v >= 0 ? '+' : ''}${(v / 1024).toFixed(1)}`);
const ratio = (a, b) => (a == null || b == null || !b ? '–' : `${(a / b).toFixed(2)}×`);
const table = (head, rows, left = 2) => [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < left ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const REF = 'oidc-client-ts';

const startupRows = []; const rtRows = []; const soakRows = []; const notes = []; const json = { commit: COMMIT, dirty: DIRTY, runtimeSha256: RUNTIME_SHA256, date: new Date().toISOString(), versions, browsers: {} };
for (const [bname, R] of Object.entries(results)) {
  const J = json.browsers[bname] = { startup: {}, roundTrip: {}, soak: {} };
  // navigation → first answer
  const nav = {};
  for (const lib of libs) {
    const ok = R.startup[lib].filter((r) => !r.failed);
    const col = (k) => ok.map((r) => r[k]).filter((v) => typeof v === 'number');
    nav[lib] = { n: ok.length, failed: R.startup[lib].length - ok.length, navToFirst: med(col('navToFirstMs')), harnessAt: med(col('harnessAtMs')), importMs: med(col('importMs')), constructMs: med(col('constructMs')), initMs: med(col('initMs')), wasmRequestMs: med(col('wasmRequestMs')), startToFirst: med(col('startToFirstMs')), iframeIn: med(col('iframeInMs')), iframeLoad: med(col('iframeLoadMs')), loadToAnswer: med(col('loadToAnswerMs')), streaming: lib === 'ours' ? ok.every((r) => r.streaming === true) && ok.length > 0 : null, all: col('navToFirstMs') };
    J.startup[lib] = nav[lib];
  }
  for (const lib of libs) {
    const x = nav[lib];
    startupRows.push([bname, LABEL[lib], `${x.n}${x.failed ? ` (+${x.failed} failed)` : ''}`, f(x.navToFirst, 1), lib === REF ? '1.00×' : ratio(x.navToFirst, nav[REF] && nav[REF].navToFirst), f(x.harnessAt, 1), f(x.importMs, 1), lib === 'ours' ? f(x.initMs, 1) : 'n/a', lib === 'ours' ? f(x.wasmRequestMs, 1) : 'n/a', lib === 'ours' ? f(x.constructMs, 1) : 'n/a', f(x.startToFirst, 1), f(x.iframeIn, 1), f(x.iframeLoad, 1), f(x.loadToAnswer, 1), lib === 'ours' ? (x.streaming ? 'yes' : 'NO') : 'n/a']);
  }
  // round trips, interleaved in one page
  const rt = {};
  if (R.rt && !R.rt.failed) {
    for (const lib of libs) {
      const x = R.rt.byLib[lib];
      rt[lib] = { n: x.rtLib.length, p50: med(x.rtLib), p95: q(x.rtLib, 0.95), mean: mean(x.rtLib), wireP50: med(x.rtWire), wireMean: mean(x.rtWire), notWaiting: x.notWaitingTicks, errors: x.errors };
      J.roundTrip[lib] = rt[lib];
      if (x.notWaitingTicks) notes.push(`${bname} ${lib}: checkNow() waited ${x.notWaitingTicks} task(s) in total for state 'waiting'`);
      if (x.errors && x.errors.length) notes.push(`${bname} ${lib}: error events seen: ${[...new Set(x.errors)].join(',')}`);
    }
    J.roundTrip.timerResolutionMs = R.rt.timerResolutionMs;
    for (const lib of libs) {
      const x = rt[lib]; const ref = rt[REF];
      rtRows.push([bname, LABEL[lib], x.n, f(x.p50, 3), lib === REF ? '1.00×' : ratio(x.p50, ref && ref.p50), f(x.p95, 3), f(x.mean * 1000, 0), lib === REF ? '1.00×' : ratio(x.mean, ref && ref.mean), f(x.wireMean * 1000, 0), f((x.mean - x.wireMean) * 1000, 0)]);
    }
  } else {
    rtRows.push([bname, '(failed)', 0, '–', '–', '–', '–', '–', '–', '–']);
  }
  // soak
  for (const lib of libs) {
    const x = R.soak[lib];
    if (!x || x.failed) { soakRows.push([bname, LABEL[lib], '(failed)', '–', '–', '–', '–', '–', '–', '–']); continue; }
    const at = (n) => x.points.find((p) => p.checks === n) || {};
    const first = at(0); const k1 = at(1000); const last = x.points[x.points.length - 1];
    J.soak[lib] = { ...x, logs: undefined };
    soakRows.push([bname, LABEL[lib], last.checks, f(x.ms / last.checks * 1000, 0), kib(first.heap), kib(k1.heap), kib(last.heap), k1.heap != null && last.heap != null ? sKib(last.heap - k1.heap) : '–',
      lib === 'ours' ? kib(first.wasm) : 'n/a', lib === 'ours' ? `${kib(last.wasm)} (${sKib(last.wasm - first.wasm)})` : 'n/a']);
    if (x.errors && x.errors.length) notes.push(`${bname} ${lib} soak: error events seen: ${[...new Set(x.errors)].join(',')}`);
  }
}

const startupMd = table(['browser', 'library', 'loads', 'navigation → first answer (ms, median)', `vs ${REF}`, 'of which: page until the harness runs (ms)', 'import (ms)', 'init: fetch + compile + instantiate .wasm (ms)', 'of which: the .wasm request (ms)', '`new SessionMonitor` (ms)', 'start → first answer (ms)', 'start → OP iframe in page', 'iframe load', 'iframe loaded → first answer', 'instantiateStreaming'], startupRows, 3);
const rtMd = table(['browser', 'library', 'checks', 'round trip p50 (ms)', `p50 vs ${REF}`, 'p95 (ms)', 'mean (µs)', `mean vs ${REF}`, 'post → answer at window, mean (µs)', 'library-side, mean (µs)'], rtRows);
const soakMd = table(['browser', 'library', 'checks', 'µs per check', 'JS heap after start (KiB)', 'after 1,000 (KiB)', `after ${SOAK.toLocaleString('en')} (KiB)`, `Δ 1,000 → ${SOAK.toLocaleString('en')} (KiB)`, 'wasm memory after start (KiB)', `after ${SOAK.toLocaleString('en')} (KiB)`], soakRows);

console.log('\nnavigation → first answer\n' + startupMd + '\n\ncheck round trips, interleaved in one page\n' + rtMd + '\n\nsoak\n' + soakMd);
for (const n of notes) console.log(`  ${n}`);
const failures = Object.entries(results).flatMap(([b, R]) => [...Object.entries(R.startup).flatMap(([l, rs]) => rs.filter((r) => r.failed).map((r) => `${b} ${l} startup: ${r.failed}`)), ...(R.rt && R.rt.failed ? [`${b} round trips: ${R.rt.failed}`] : []), ...Object.entries(R.soak).filter(([, r]) => r.failed).map(([l, r]) => `${b} ${l} soak: ${r.failed}`)]);
// In µs with two significant digits: Chromium's 0.1 ms is 100 µs; Firefox's measuring profile
// (tests/support/browsers.mjs) gives pages sub-µs clocks, which three decimals of ms showed as 0.000.
const us = (ms) => (ms == null || Number.isNaN(ms) ? '–' : `${Number((ms * 1000).toPrecision(2))} µs`);
const timerRes = Object.entries(json.browsers).map(([b, J]) => `${b} ${us(J.roundTrip.timerResolutionMs)}`).join(', ');
const profiled = Object.entries(results).filter(([, R]) => R.profile && R.profile.length);
const profileMd = profiled.map(([, R]) => profileMarkdown(R.profile, { note: twin.note, label: LABEL, checks: PROFILE_CHECKS, intervalUs: PROFILE_INTERVAL_US })).join('\n\n');
for (const [b, R] of profiled) json.browsers[b].profile = R.profile;
const notesMd = fs.existsSync(NOTES) ? fs.readFileSync(NOTES, 'utf8').trim() : '';

const doc = `# Speed benchmark: session monitoring side by side

Generated by \`node bench/run.mjs\` (the bench layer of \`bash scripts/test.sh\`; \`npm run report\` copies it here) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC from \`${COMMIT}\`${DIRTY ? ' (with uncommitted changes)' : ''}, runtime (\`.wasm\` + glue) sha256 \`${RUNTIME_SHA256.slice(0, 12)}\`. Figures as measured in one run on this machine; no assertions.
Machine: ${os.cpus().length} CPUs, 1-min load average ${loadStart.toFixed(1)} at start and ${os.loadavg()[0].toFixed(1)} at end (other jobs share it: single-shot figures — navigation → first answer — move with the load between runs; round-trip and memory figures are the steadier ones).
Browsers: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')} (headless, fresh profile each). Timer resolution seen by the page: ${timerRes}.
Libraries: ${libs.map((l) => LABEL[l]).join(', ')} (ours: \`${path.relative(ROOT, PKG) || '.'}/\` as built; the peers bundled and minified by esbuild, as an app ships them). angular-oauth2-oidc: not measured (its Angular peer dependencies would be installed with it).${failures.length ? `\n**Harness failures in this run (figures missing or partial):** ${failures.join('; ')}` : ''}

### Navigation → first answer (median of ${RUNS} fresh page loads)

${startupMd}

### Check round trip (${ROUNDS} rounds in one page, the libraries interleaved)

${rtMd}

### Soak: ${SOAK.toLocaleString('en')} checks per library, memory after gc()

${soakMd}

What the columns are:
- Setup: \`bench/server.mjs\`: RP page on \`127.0.0.1\`, the test suites' fake OP (\`tests/support/fake-op\`) \`check_session_iframe\` on \`127.0.0.2\` (another site: the iframe is cross-site, out of process), answering \`unchanged\` to every \`client_id session_state\` message, to the exact \`e.origin\`. Every response \`Cache-Control: no-store\`: every page load fetches and compiles from scratch. Per browser: one warm-up load (not counted), then the three parts below.
- **Navigation → first answer**: a fresh page \`rp.html?lib=…\` whose module script starts the library at once; the figure is \`performance.now()\` (which counts from the navigation start) when the first \`unchanged\` reaches the library. It includes the page, the dynamic \`import()\` of the library's JS (ours: the wasm-bindgen glue as shipped; peers: the whole bundle), ours' \`await init()\` (fetch + compile + instantiate the \`.wasm\`, no argument, as an app calls it), creating and loading the OP iframe and the first message round trip. keycloak-js first loads its \`3p-cookies/step1.html\` iframe (faked: answers \`supported\`). **instantiateStreaming**: whether the glue compiled the \`.wasm\` with \`WebAssembly.instantiateStreaming\` (counted by the page, and the server must send \`application/wasm\`: checked) rather than falling back to \`WebAssembly.instantiate\` on an ArrayBuffer. The columns after it split it (medians each, so they need not add up): the page until the harness module runs, the import, ours' \`init()\` (and of it, the \`.wasm\` request: from the \`init()\` call to the response's last byte, by Resource Timing; the rest is compiling and instantiating) and constructor, then **start → first answer**; its last three columns split that: from the library's start call to the OP session iframe entering the page (a MutationObserver), that iframe's \`load\` event (seen in the capture phase on the document, before any listener of the library on the iframe), and from there to the first answer (the library's first post and its round trip).
- **Check round trip**: the three libraries started side by side in one page (three OP iframes), then ${ROUNDS} rounds of one check per library, the order rotating every round, one check at a time. From the call that sends a check to the library's own notification of the answer. Ours: \`checkNow()\` → \`unchanged\` event (the next check when \`state\` is \`waiting\` again). oidc-client-ts: \`stop(); start(session_state)\` (start posts at once; its interval is fixed at construction, 3600 s here) → a \`message\` listener added after its own, for its iframe's answers (it has no notification of \`unchanged\`: it only logs). keycloak-js: \`await updateToken(5)\` (it checks the login iframe first; the token is fresh, so no refresh) — the closest public call to a check; \`checkLoginIframeInterval\` 3600 s. **p50** is quantised by the timer resolution (Chromium gives pages 0.1 ms unless cross-origin isolated); the **mean** over ${ROUNDS} checks is finer. **post → answer at window**: the same check measured to a capture-phase \`message\` listener on \`window\` (before any library code runs on the answer): the browser's postMessage round trip plus the library's sending side. **library-side** = mean round trip minus that: the library's handling of the answer until its notification.
- **Soak**: a fresh page per library, ${SOAK.toLocaleString('en')} checks one after another as above. JS heap: \`performance.memory.usedJSHeapSize\` after two \`gc()\` (Chromium only, \`--enable-precise-memory-info --js-flags=--expose-gc\`; Firefox gives pages no heap figure), whole page. Wasm memory: the byte length of our \`WebAssembly.Memory\` (found among the instance's exports whatever its minified name); it grows in 64 KiB pages and never shrinks, so a leak in linear memory shows as growth here. Flat = the Δ column near 0.
${profileMd ? `\n### Profile: where a check's time goes (Chromium)\n\n${profileMd}\n` : ''}${notes.length ? `\nNoticed in this run:\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}${notesMd ? `\n${notesMd}\n` : ''}`;
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, doc);
fs.writeFileSync(JSON_OUT, JSON.stringify(json, null, 1));
console.log(`\nbench: wrote ${path.relative(ROOT, OUT)} and ${path.relative(ROOT, JSON_OUT)}`);
process.exit(report.summary());
