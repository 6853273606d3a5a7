// Proves, in headless Chromium against the fake OP (server.mjs), that
//   1. the esbuild bundle of the package loads, instantiates its .wasm and gets `unchanged` answers;
//   2. the module drop-in and the classic drop-in start themselves from data attributes and
//      dispatch `oidc-session:*` CustomEvents on window;
//   3. bad or missing attributes give exactly one console.error naming the attribute, no monitor,
//      no uncaught exception.
// All pages are served with `script-src 'self' 'wasm-unsafe-eval'; frame-src <OP>`.
// Usage: node tests/bundler/smoke.mjs   (after bash scripts/build.sh; PKG=dir, CHROMIUM=path)
import { build } from './build.mjs';
import { startServers } from './server.mjs';
import { launch } from '../support/browsers.mjs';
import { reporter } from '../support/report.mjs';

const report = reporter('bundler');
const check = (ok, what, detail) => report.ok(ok, what, detail);

const { files } = await build({ quiet: true });
console.log(`# bundle: ${Object.entries(files).map(([f, b]) => `${f} ${b} B`).join(', ')}`);
const srv = await startServers();
const session = await launch('chromium');
const browser = session.browser;

/** Opens url in a fresh context; returns { page, errors (console.error texts), exceptions, cspViolations }. */
async function open(url) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const rec = { page, context, errors: [], exceptions: [], failed: [] };
  page.on('console', (m) => { if (m.type() === 'error') rec.errors.push(m.text()); });
  page.on('pageerror', (e) => rec.exceptions.push(String(e && e.message || e)));
  page.on('requestfailed', (r) => rec.failed.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return rec;
}
const events = (page) => page.evaluate(() => window.__events.map((e) => e.type));
async function waitEvents(page, type, n, ms = 5000) {
  try {
    await page.waitForFunction((t, k) => window.__events && window.__events.filter((e) => e.type === t).length >= k, { timeout: ms }, type, n);
    return true;
  } catch { return false; }
}

try {
  // 1. The bundled app.
  {
    const r = await open(`${srv.rpOrigin}/`);
    const got = await waitEvents(r.page, 'unchanged', 2);
    check(got, 'bundled app: two `unchanged` events from the fake OP', { events: await events(r.page), error: await r.page.evaluate(() => window.__error), console: r.errors });
    const first = await r.page.evaluate(() => window.__events[0]);
    check(first && first.detail.type === 'unchanged' && typeof first.detail.timestamp === 'number', 'bundled app: event detail has type and timestamp', first);
    check(await r.page.evaluate(() => window.__monitor.state !== 'idle' && window.__ready === true), 'bundled app: monitor running');
    await r.page.evaluate(() => window.__monitor.stop());
    check(await waitEvents(r.page, 'stopped', 1), 'bundled app: stop() emits `stopped`');
    check(await r.page.evaluate(() => document.querySelectorAll('iframe').length) === 0, 'bundled app: stop() removes the OP iframe');
    check(r.errors.length === 0 && r.exceptions.length === 0, 'bundled app: no console error, no exception', { errors: r.errors, exceptions: r.exceptions });
    await r.context.close();
  }
  // 2. The drop-ins.
  {
    const r = await open(`${srv.rpOrigin}/dropin/auto.html`);
    check(await waitEvents(r.page, 'oidc-session:unchanged', 2), 'module drop-in: `oidc-session:unchanged` on window', { events: await events(r.page), console: r.errors });
    const ev = await r.page.evaluate(() => window.__events[0]);
    check(ev && ev.isCustomEvent && ev.detail.type === 'unchanged', 'module drop-in: a CustomEvent with the monitor detail', ev);
    check(await r.page.evaluate(() => typeof window.oidcSessionMonitor?.stop === 'function'), 'module drop-in: window.oidcSessionMonitor');
    check(r.errors.length === 0 && r.exceptions.length === 0, 'module drop-in: no console error, no exception', { errors: r.errors, exceptions: r.exceptions });
    await r.context.close();
  }
  {
    const r = await open(`${srv.rpOrigin}/dropin/classic.html`);
    check(await waitEvents(r.page, 'oidc-session:changed', 1), 'classic drop-in: `oidc-session:changed` on window', { events: await events(r.page), console: r.errors });
    check(await r.page.evaluate(() => !!window.oidcSessionMonitor && window.oidcSessionMonitor.state === 'paused'),
      'classic drop-in: window.oidcSessionMonitor, paused after changed', await r.page.evaluate(() => window.oidcSessionMonitor?.state));
    check(r.errors.length === 0 && r.exceptions.length === 0, 'classic drop-in: no console error, no exception', { errors: r.errors, exceptions: r.exceptions });
    await r.context.close();
  }
  // Issue 9 (2): injected markup does not steer the drop-in.
  {
    const r = await open(`${srv.rpOrigin}/dropin/clobbered.html`);
    check(await waitEvents(r.page, 'oidc-session:unchanged', 1), 'clobbering: an element id="oidcSessionMonitor" does not disable the drop-in',
      { events: await events(r.page), console: r.errors });
    check(await r.page.evaluate(() => typeof window.oidcSessionMonitor?.stop === 'function'), 'clobbering: window.oidcSessionMonitor is the monitor');
    check(r.errors.length === 0 && r.exceptions.length === 0, 'clobbering: no console error, no exception', { errors: r.errors, exceptions: r.exceptions });
    await r.context.close();
  }
  for (const file of ['two-tags.html', 'module-and-classic.html']) {
    const r = await open(`${srv.rpOrigin}/dropin/${file}`);
    await new Promise((res) => setTimeout(res, 1200));
    const mine = r.errors.filter((t) => t.startsWith('oidc-session-monitor'));
    check(mine.length === 1 && r.errors.length === 1 && /drop-in <script> tags/.test(mine[0]),
      `${file}: two drop-in tags → exactly one console.error`, r.errors);
    check(r.exceptions.length === 0 && await r.page.evaluate(() => window.oidcSessionMonitor === undefined && window.__events.length === 0
      && document.querySelectorAll('iframe').length === 0), `${file}: neither tag starts a monitor (no iframe, no event)`,
      { exceptions: r.exceptions, iframes: await r.page.evaluate(() => [...document.querySelectorAll('iframe')].map((f) => f.src)) });
    await r.context.close();
  }
  // Issue 9 (7): the silent-callback page hands its URL over, strips it from its own URL first,
  // and sends no Referer carrying the code or session_state.
  {
    const r = await open(`${srv.rpOrigin}/dropin/callback-host.html`);
    let got = false;
    try { await r.page.waitForFunction(() => window.__frameUrl !== null, { timeout: 5000 }); got = true; } catch { /* reported below */ }
    const { callback, frameUrl } = await r.page.evaluate(() => ({ callback: window.__callback, frameUrl: window.__frameUrl }));
    check(got && callback && callback.includes('code=SECRETCODE') && callback.includes('session_state=SECRETSS'),
      'silent callback: the parent receives the whole callback URL', { callback });
    check(got && frameUrl && !frameUrl.includes('?') && !frameUrl.includes('#') && frameUrl.endsWith('/pkg/silent-callback.html'),
      'silent callback: query and fragment are gone from the frame\'s URL (history.replaceState)', { frameUrl });
    const leaks = srv.requests.filter((q) => /SECRET/.test(q.referer));
    check(leaks.length === 0 && srv.requests.some((q) => q.url.startsWith('/pkg/silent-callback.js')),
      'silent callback: no request carries the code or session_state in its Referer', leaks);
    check(r.errors.length === 0 && r.exceptions.length === 0, 'silent callback: no console error, no exception', { errors: r.errors, exceptions: r.exceptions });
    await r.context.close();
  }
  // Issue 9 (6): two visible cookies of the configured name are reported, never guessed between.
  {
    const r = await open(`${srv.rpOrigin}/dropin/ambiguous-cookie.html`);
    check(await waitEvents(r.page, 'oidc-session:error', 1), 'two cookies of the name: an error event', { events: await events(r.page), console: r.errors });
    await new Promise((res) => setTimeout(res, 600));
    const evs = await r.page.evaluate(() => window.__events.map((e) => `${e.type}:${e.detail.code || ''}`));
    check(evs.length === 1 && evs[0] === 'oidc-session:error:ambiguous_cookie', 'two cookies of the name: `ambiguous_cookie` once, nothing posted, nothing answered', evs);
    await r.context.close();
  }
  // 3. Misconfigured tags: one console.error naming the attribute.
  const bad = {
    'bad-interval.html': 'data-interval-ms',
    'missing-client.html': 'data-client-id',
    'two-sources.html': 'data-session-state-local-storage',
    'unknown.html': 'data-intervall-ms',
    'bad-url.html': 'data-check-session-iframe',
  };
  for (const [file, attribute] of Object.entries(bad)) {
    const r = await open(`${srv.rpOrigin}/dropin/${file}`);
    await new Promise((res) => setTimeout(res, 700));
    const mine = r.errors.filter((t) => t.startsWith('oidc-session-monitor'));
    check(mine.length === 1 && mine[0].includes(attribute) && r.errors.length === 1,
      `${file}: exactly one console.error naming ${attribute}`, r.errors);
    if (mine.length) console.log(`#   ${mine[0]}`);
    check(r.exceptions.length === 0 && await r.page.evaluate(() => window.oidcSessionMonitor === undefined && window.__events.length === 0
      && document.querySelectorAll('iframe').length === 0), `${file}: no exception, no monitor, no iframe`, r.exceptions);
    await r.context.close();
  }
} finally {
  await session.close();
  await srv.stop();
}
process.exit(report.summary());
