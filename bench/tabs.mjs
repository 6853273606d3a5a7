#!/usr/bin/env node
// Several tabs (issue 10): how often the OP is polled when 1, 5 or 20 tabs of one RP are open, ours next to
// oidc-client-ts (CheckSessionIFrame) and keycloak-js (login iframe), each at its default interval (ours and
// oidc-client-ts 2 s, keycloak-js 5 s), measured in one run against the fake OP (bench/server.mjs); and the time
// from bringing a background tab to the front to its `changed` event, ours only (the peers do not check on
// focus: they learn it at their next poll, up to one interval later). Figures, not assertions.
//
// Usage: node bench/tabs.mjs   (npm run bench:tabs)
//   BENCH_BROWSERS=chromium[,firefox]  BENCH_TABS=1,5,20  BENCH_WINDOW_MS=20000 (measuring window per case)
//   BENCH_PKG=pkg dir   BENCH_TABS_OUT=file (default target/reports/bench/TABS.md)   BENCH_ONLY=focus (skip the polls)
// Last line: `bench-tabs: N passed, M failed` (counting cases that ran, not figures).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { startServers } from './server.mjs';
import { launch } from '../tests/support/browsers.mjs';
import { reporter } from '../tests/support/report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const BROWSERS = (process.env.BENCH_BROWSERS || 'chromium').split(',').map((s) => s.trim()).filter(Boolean);
const TABS = (process.env.BENCH_TABS || '1,5,20').split(',').map(Number);
const WINDOW = Number(process.env.BENCH_WINDOW_MS || 20_000);
const OUT = path.resolve(process.env.BENCH_TABS_OUT || path.join(ROOT, 'target', 'reports', 'bench', 'TABS.md'));
const report = reporter('bench-tabs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Waits in a page by polling every 20 ms: puppeteer's default polls on requestAnimationFrame, which never
// runs in a background tab, so a wait there only saw what had happened before it began.
const until = (page, fn, arg, timeout = 5000) => page.waitForFunction(fn, { timeout, polling: 20 }, arg);
const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v.length ? v[Math.floor((v.length - 1) / 2)] : null; };
const ver = (name) => { try { return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return null; } };
const LABEL = { ours: 'oidc-session-monitor', 'oidc-client-ts': `oidc-client-ts ${ver('oidc-client-ts')}`, 'keycloak-js': `keycloak-js ${ver('keycloak-js')}` };
const DEFAULT_INTERVAL = { ours: 2000, 'oidc-client-ts': 2000, 'keycloak-js': 5000 };

async function bundle(entry) {
  const r = await esbuild.build({ stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'bench-entry.js' }, bundle: true, minify: true, format: 'esm', write: false, logLevel: 'error' });
  return r.outputFiles[0].text;
}
const bundles = {
  '/peer/oidc-client-ts.js': await bundle("export * from 'oidc-client-ts';"),
  '/peer/keycloak-js.js': await bundle("export { default } from 'keycloak-js';"),
};
const srv = await startServers({ bundles });

async function openTabs(session, lib, n, extra = '') {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const p = await session.newPage(`${lib}-${i + 1}`);
    await p.goto(`${srv.rpOrigin}/tabs.html?lib=${lib}&op=${encodeURIComponent(srv.opOrigin)}${extra}`, { waitUntil: 'load' });
    pages.push(p);
  }
  for (const p of pages) {
    await until(p, () => window.__ready || window.__fatal, undefined, 20_000);
    const fatal = await p.evaluate(() => window.__fatal || null);
    if (fatal) throw new Error(fatal);
  }
  return pages;
}

const polls = []; // { browser, lib, tabs, perMinute, frames }
const focus = []; // { browser, lagMs, rttMs }: null where that step failed
for (const name of BROWSERS) {
  const session = await launch(name, { protocolTimeout: 120_000 });
  console.log(`bench-tabs: ${name} ${session.version}`);
  for (const lib of process.env.BENCH_ONLY === 'focus' ? [] : ['ours', 'oidc-client-ts', 'keycloak-js']) {
    for (const n of TABS) {
      let pages = [];
      try {
        pages = await openTabs(session, lib, n);
        if (lib === 'ours') await pages[0].evaluate(() => localStorage.setItem('bench_ss', 'bench-session-state'));
        await sleep(3000); // every tab started and settled
        const t0 = Date.now();
        await sleep(WINDOW);
        const t1 = Date.now();
        let answers = 0; let frames = 0;
        for (const p of pages) {
          answers += await p.evaluate((a, b) => window.__answers.filter((t) => t >= a && t < b).length, t0, t1);
          frames += await p.evaluate((o) => [...document.querySelectorAll('iframe')].filter((f) => f.src.startsWith(o)).length, srv.opOrigin);
        }
        const perMinute = Math.round((answers * 60_000) / (t1 - t0));
        polls.push({ browser: name, lib, tabs: n, perMinute, frames });
        console.log(`  ${lib} × ${n} tabs: ${perMinute} polls/min at the OP, ${frames} OP iframes`);
        report.ok(answers > 0, `${name} ${lib} ${n} tabs`, 'no answer from the OP at all');
      } catch (e) {
        report.fail(`${name} ${lib} ${n} tabs: ${String(e.message || e).split('\n')[0]}`);
      }
      for (const p of pages) await p.close().catch(() => {});
    }
  }
  // Focus → changed, ours: 5 tabs, a 60 s interval (so only a wake-up can be quick), the OP's answer switched to
  // `changed` (the fake OP answers by the session_state's prefix), then a background tab is brought to the front.
  for (let run = 0; run < 3; run++) {
    let pages = [];
    let step = 'setup';
    const row = { browser: name, lagMs: null, rttMs: null };
    focus.push(row);
    try {
      // A fresh key per run: a group of its own, whatever the runs before left behind.
      const key = `bench_focus_${run}`;
      const first = await session.newPage('focus-setup');
      await first.goto(`${srv.rpOrigin}/tabs.html?lib=none`, { waitUntil: 'load' }).catch(() => {});
      await first.evaluate((k) => localStorage.setItem(k, 'unchanged-bench'), key);
      await first.close();
      step = 'five tabs';
      pages = await openTabs(session, 'ours', 5, `&csi=/check.html&interval=60000&key=${key}`);
      for (const p of pages) await until(p, () => window.__events.some((e) => e.type === 'unchanged'), undefined, 20_000);
      // One check round trip as a follower sees it: checkNow() → the leader → the OP → back.
      step = 'round trip';
      const leaders = await Promise.all(pages.map((p) => p.evaluate(() => window.__monitor.leader)));
      const followers = pages.filter((_, i) => !leaders[i]);
      const follower = followers[0];
      const n0 = await follower.evaluate(() => window.__events.length);
      const tAsk = Date.now();
      await follower.evaluate(() => window.__monitor.checkNow());
      await until(follower, (n) => window.__events.length > n, n0);
      row.rttMs = (await follower.evaluate((n) => window.__events[n].at, n0)) - tAsk;
      // The user is on another tab of this window (the last one opened, in front); the OP session ends;
      // then a background follower is brought to the front.
      step = 'logout';
      await pages[0].evaluate((k) => localStorage.setItem(k, 'changed-bench'), key);
      await sleep(500);
      const back = followers[followers.length > 1 ? 1 : 0];
      const before = await back.evaluate(() => window.__events.length);
      step = 'bring to front';
      const tFront = Date.now();
      await back.bringToFront();
      await until(back, (n) => window.__events.slice(n).some((e) => e.type === 'changed'), before);
      row.lagMs = (await back.evaluate((n) => window.__events.slice(n).find((e) => e.type === 'changed').at, before)) - tFront;
      console.log(`  focus → changed: ${row.lagMs} ms (check round trip ${row.rttMs} ms)`);
      report.ok(true, `${name} focus → changed run ${run + 1}`);
    } catch (e) {
      // What the pages saw, so a failure says where an event went missing.
      const seen = await Promise.all(pages.map((p) => p.evaluate(() => `${window.__monitor.leader ? 'leader' : 'follower'} ${document.visibilityState}: `
        + window.__events.map((x) => x.type).join(' ')).catch(() => '?')));
      report.fail(`${name} focus → changed run ${run + 1} (${step}): ${String(e.message || e).split('\n')[0]}`);
      seen.forEach((line, i) => console.log(`    tab ${i + 1} ${line}`));
    }
    for (const p of pages) await p.close().catch(() => {});
  }
  await session.close();
}
await srv.close();

const L = ['# Several tabs: polls at the OP, and focus → changed', '',
  `Generated by \`node bench/tabs.mjs\` on ${new Date().toISOString().slice(0, 10)}; measuring window ${WINDOW / 1000} s per case, `
  + 'fake OP on another loopback site; every library at its default interval. Polls = answers the OP iframe sent, counted in the RP pages.', '',
  '| browser | library (default interval) | ' + TABS.map((n) => `${n} tab${n > 1 ? 's' : ''}`).join(' | ') + ' |',
  '|---|---|' + TABS.map(() => '---:|').join(''),
];
for (const b of BROWSERS) {
  for (const lib of ['ours', 'oidc-client-ts', 'keycloak-js']) {
    const cells = TABS.map((n) => { const r = polls.find((x) => x.browser === b && x.lib === lib && x.tabs === n); return r ? `${r.perMinute}/min (${r.frames} iframe${r.frames === 1 ? '' : 's'})` : '–'; });
    L.push(`| ${b} | ${LABEL[lib]} (${DEFAULT_INTERVAL[lib] / 1000} s) | ${cells.join(' | ')} |`);
  }
}
L.push('', '| browser | focus → `changed` (ours, 5 tabs, interval 60 s) | one check round trip via the leader |', '|---|---:|---:|');
const ms = (v) => (v == null ? 'failed' : `${v} ms`);
for (const f of focus) L.push(`| ${f.browser} | ${ms(f.lagMs)} | ${ms(f.rttMs)} |`);
for (const b of BROWSERS) {
  const runs = focus.filter((f) => f.browser === b);
  const ok = (k) => runs.map((f) => f[k]).filter((v) => v != null);
  L.push(`| ${b}, median of ${ok('lagMs').length}/${runs.length} and ${ok('rttMs').length}/${runs.length} runs | ${ms(median(ok('lagMs')))} | ${ms(median(ok('rttMs')))} |`);
}
L.push('', 'The peers have no check on focus: a returning user sees a logout at their next poll, up to one interval later.', '');
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, L.join('\n'));
console.log(L.join('\n'));
process.exitCode = report.summary();
