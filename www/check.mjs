// Drives the showcase end to end in headless Chromium (puppeteer-core, Debian's /usr/bin/chromium)
// against a real node oidc-provider 6.31.1, under the site's strict CSP:
//
//   for each page (es-module, script-tag, oidc-client-ts), in a fresh browser context:
//     log in as alice at the OP -> back on the page, `unchanged` events tick
//     log out at the OP in another tab (confirm form) -> `changed` and the outcome:
//       es-module, oidc-client-ts: `signedOut` (+ `stopped`); script-tag: the monitor pauses
//     es-module, oidc-client-ts: sign in at the OP in another tab, press Start -> `changed` -> `renewed`,
//       then `unchanged` again
//   and: no CSP violation or page error, no session_state / token in any log, /pkg/*.wasm is
//   application/wasm, and a screenshot of es-module.html (docs/showcase.png, with --screenshot).
//
//   node www/check.mjs [--screenshot] [--headful]
//   env: SHOWCASE_OP_PORT (8010), SHOWCASE_RP_PORT (8011), CHROMIUM (/usr/bin/chromium; see tests/support/browsers.mjs)
//
// Prints one line per check and, last, `showcase: N passed, M failed`. Exit status 0 only when all passed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemo } from './server.mjs';
import { stopAll } from '../tests/e2e/ops/index.mjs';
import { launch as launchBrowser, BROWSERS } from '../tests/support/browsers.mjs';
import { reporter } from '../tests/support/report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const OP_PORT = Number(process.env.SHOWCASE_OP_PORT || 8010);
const RP_PORT = Number(process.env.SHOWCASE_RP_PORT || 8011);
const CHROMIUM = BROWSERS.chromium.executable;
const SCREENSHOT = process.argv.includes('--screenshot');
const HEADFUL = process.argv.includes('--headful');
const SCREENSHOT_PATH = path.join(ROOT, 'docs', 'showcase.png');

const report = reporter('showcase');
const check = (name, fn) => report.check(name, fn);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// browser

let session = null;
let browser = null;
async function launch() {
  // Background tabs keep their timers (the monitor tab is in the background while we log out).
  session = await launchBrowser('chromium', { headful: HEADFUL, unthrottled: true, viewport: { width: 1180, height: 900 } });
  browser = session.browser;
}
async function closeBrowser() {
  const s = session;
  session = null;
  browser = null;
  if (s) await s.close();
}

/** Records console errors, page errors and CSP violations of a page. */
function watch(page, problems, label) {
  page.on('console', (m) => {
    const t = m.text();
    if (/Failed to load resource: the server responded with a status of 404/.test(t)) return; // see 'response'
    if (m.type() === 'error' || /Content Security Policy|Refused to/.test(t)) problems.push(`${label} console.${m.type()}: ${t}`);
  });
  page.on('pageerror', (e) => problems.push(`${label} pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${label} HTTP ${r.status()} ${r.url().split('?')[0]}`); });
  return page;
}

const eventsOf = (page) => page.evaluate(() => (window.showcaseEvents || []).map((e) => ({ name: e.name, detail: e.detail })));

/** Waits until `pred(events)` is true; returns the events. */
async function waitEvents(page, pred, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let evs = [];
  while (Date.now() < deadline) {
    evs = await eventsOf(page);
    if (pred(evs)) return evs;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}; events: ${summary(evs)}`);
}
function summary(evs) {
  const out = [];
  for (const e of evs) {
    const name = e.name === 'error' ? `error(${e.detail.code})` : e.name === 'stopped' ? `stopped(${e.detail.reason})` : e.name;
    if (out.length && out[out.length - 1].name === name) out[out.length - 1].n += 1;
    else out.push({ name, n: 1 });
  }
  return out.map((x) => (x.n > 1 ? `${x.name}×${x.n}` : x.name)).filter((s) => !s.startsWith('note')).join(' ') || '(none)';
}
const names = (evs) => evs.map((e) => e.name).filter((n) => n !== 'note');
const count = (evs, n) => names(evs).filter((x) => x === n).length;
/** Index of the first `b` after the first `a` at or after `from`, or -1. */
function seq(evs, list, from = 0) {
  const ns = names(evs);
  let i = from;
  for (const n of list) {
    const j = ns.indexOf(n, i);
    if (j < 0) return -1;
    i = j + 1;
  }
  return i;
}

/** Logs in at the node OP on `page`, which is on the OP's interaction page. Waits to land on `backTo`. */
async function opLogin(page, backTo) {
  await page.waitForSelector('input[name=login]', { timeout: 15000 });
  await page.type('input[name=login]', 'alice');
  await page.type('input[name=password]', 'secret');
  await Promise.all([page.waitForNavigation({ timeout: 15000 }), page.click('button[type=submit]')]);
  // The consent page appears only when the harness does not grant consent with the login.
  if (page.url().includes('/interaction/') && await page.$('button[type=submit]')) {
    await Promise.all([page.waitForNavigation({ timeout: 15000 }), page.click('button[type=submit]')]);
  }
  await page.waitForFunction((p) => window.location.pathname === p && document.readyState === 'complete', { timeout: 15000 }, backTo);
}

// ---------------------------------------------------------------------------------------------
// scenarios

async function runPage(demo, file, { reauth, screenshot = false }) {
  const rp = demo.rpOrigin;
  const context = await browser.createBrowserContext();
  const problems = [];
  const label = file.replace('.html', '');
  const page = watch(await context.newPage(), problems, label);
  let cookieValue = null;
  let idToken = null;
  try {
    const loaded = await check(`${label}: page loads under the CSP, monitor present`, async () => {
      const res = await page.goto(`${rp}/${file}`, { waitUntil: 'load' });
      const cspHeader = res.headers()['content-security-policy'] || '';
      if (!cspHeader.includes("script-src 'self' 'wasm-unsafe-eval'")) throw new Error(`CSP header missing: ${cspHeader}`);
      await page.waitForFunction(() => Array.isArray(window.showcaseEvents), { timeout: 10000 });
      await page.waitForFunction(() => document.getElementById('state').textContent !== '…', { timeout: 10000 });
    });
    if (!loaded) return;

    const loggedIn = await check(`${label}: log in as alice at the OP (code + PKCE) and come back`, async () => {
      await Promise.all([page.waitForNavigation({ timeout: 15000 }), page.click('#login')]);
      if (!page.url().startsWith(demo.opOrigin)) throw new Error(`not at the OP: ${page.url()}`);
      await opLogin(page, `/${file}`);
      await page.waitForFunction(() => /alice/.test(document.getElementById('user').textContent), { timeout: 5000 })
        .catch(() => {});
      const user = await page.$eval('#user', (e) => e.textContent);
      if (!/alice/.test(user)) throw new Error(`status says "${user}"`);
      return user;
    });
    if (!loggedIn) return;

    await check(`${label}: unchanged events tick`, async () => {
      const evs = await waitEvents(page, (e) => count(e, 'unchanged') >= 3, '3 × unchanged');
      const bad = names(evs).filter((n) => ['changed', 'error', 'stopped'].includes(n));
      if (bad.length) throw new Error(`unexpected ${bad.join(', ')}: ${summary(evs)}`);
      const state = await page.$eval('#state', (e) => e.textContent);
      if (!['waiting', 'checking'].includes(state)) throw new Error(`state is ${state}`);
      return `${count(evs, 'unchanged')} × unchanged, state ${state}`;
    });

    // Secrets as the page holds them, to make sure no log shows them.
    const cookies = await page.cookies();
    cookieValue = cookies.find((c) => c.name === 'demo_session_state')?.value || null;
    idToken = await page.evaluate(() => localStorage.getItem('demo_id_token'));
    const ocUser = await page.evaluate(() => {
      const k = Object.keys(sessionStorage).find((x) => x.startsWith('oidc.user:'));
      return k ? JSON.parse(sessionStorage.getItem(k)) : null;
    });
    const secrets = [cookieValue && decodeURIComponent(cookieValue), idToken, ocUser?.session_state, ocUser?.id_token, ocUser?.access_token].filter(Boolean);

    const before = (await eventsOf(page)).length;
    const loggedOut = await check(`${label}: log out at the OP in another tab (confirm form)`, async () => {
      const href = await page.$eval('#logout', (a) => a.getAttribute('href'));
      if (!href || !href.startsWith(`${demo.opOrigin}/session/end?`) || !href.includes('id_token_hint=')) throw new Error(`logout link: ${href}`);
      const tab = watch(await context.newPage(), problems, `${label}/logout-tab`);
      await tab.goto(href, { waitUntil: 'load' });
      await tab.waitForSelector('button[name=logout][value=yes]', { timeout: 10000 });
      await Promise.all([tab.waitForNavigation({ timeout: 15000 }), tab.click('button[name=logout][value=yes]')]);
      const landed = new URL(tab.url()).pathname;
      await tab.close();
      await page.bringToFront();
      if (landed !== '/logged-out.html') throw new Error(`ended on ${landed}`);
    });
    if (!loggedOut) return;

    if (reauth) {
      await check(`${label}: changed -> signedOut after the OP logout`, async () => {
        const evs = await waitEvents(page, (e) => seq(e.slice(before), ['changed', 'signedOut']) >= 0, 'changed then signedOut');
        const after = names(evs.slice(before)).filter((n) => n !== 'unchanged');
        await page.waitForFunction(() => document.getElementById('state').textContent === 'stopped', { timeout: 5000 })
          .catch(() => { throw new Error('state did not become stopped'); });
        return after.join(' → ');
      });
      if (screenshot && SCREENSHOT) {
        await check('screenshot of es-module.html -> docs/showcase.png', async () => {
          fs.mkdirSync(path.dirname(SCREENSHOT_PATH), { recursive: true });
          await page.evaluate(() => window.scrollTo(0, 0));
          await sleep(400);
          await page.screenshot({ path: SCREENSHOT_PATH, clip: { x: 0, y: 0, width: 1180, height: 900 } });
          return path.relative(ROOT, SCREENSHOT_PATH);
        });
      }

      const before2 = (await eventsOf(page)).length;
      await check(`${label}: sign in at the OP in another tab, Start -> changed -> renewed -> unchanged`, async () => {
        const tab = watch(await context.newPage(), problems, `${label}/elsewhere-tab`);
        await tab.goto(`${rp}/elsewhere.html`, { waitUntil: 'load' });
        await opLogin(tab, '/elsewhere.html');
        await tab.close();
        await page.bringToFront();
        await page.click('#start');
        const evs = await waitEvents(page, (e) => seq(e.slice(before2), ['changed', 'renewed', 'unchanged']) >= 0,
          'changed, renewed, unchanged');
        const renewed = evs.slice(before2).find((e) => e.name === 'renewed');
        if (renewed.detail.sub !== 'alice') throw new Error(`renewed.sub = ${renewed.detail.sub}`);
        const after = names(evs.slice(before2));
        return after.slice(0, after.indexOf('renewed') + 2).join(' → ');
      });
      if (label === 'es-module') {
        await check(`${label}: renewed session_state written back to the cookie`, async () => {
          const now = (await page.cookies()).find((c) => c.name === 'demo_session_state')?.value;
          if (!now) throw new Error('cookie gone');
          if (now === cookieValue) throw new Error('cookie still holds the old session_state');
          secrets.push(decodeURIComponent(now));
        });
      }
    } else {
      await check(`${label}: changed after the OP logout, monitor paused`, async () => {
        const evs = await waitEvents(page, (e) => names(e.slice(before)).includes('changed'), 'changed');
        await page.waitForFunction(() => document.getElementById('state').textContent === 'paused', { timeout: 5000 })
          .catch(() => { throw new Error('state did not become paused'); });
        return names(evs.slice(before)).filter((n) => n !== 'unchanged').join(' → ') + ', state paused';
      });
      await check(`${label}: Check now asks again -> changed`, async () => {
        const n = count(await eventsOf(page), 'changed');
        await page.click('#check');
        await waitEvents(page, (e) => count(e, 'changed') > n, 'a second changed', 8000);
      });
      await check(`${label}: Stop -> stopped, Start -> changed again`, async () => {
        const n = count(await eventsOf(page), 'changed');
        await page.click('#stop');
        await waitEvents(page, (e) => e.some((x) => x.name === 'stopped' && x.detail.reason === 'stopped'), 'stopped', 5000);
        await page.click('#start');
        await waitEvents(page, (e) => count(e, 'changed') > n, 'changed after Start', 12000);
      });
    }

    await check(`${label}: no session_state or token in the log or the page`, async () => {
      const text = await page.evaluate(() => document.body.innerText + JSON.stringify(window.showcaseEvents));
      if (!secrets.length) throw new Error('found no secrets to compare against');
      const leaked = secrets.filter((s) => s && s.length > 8 && text.includes(s));
      if (leaked.length) throw new Error(`${leaked.length} secret value(s) shown`);
      const keys = (await eventsOf(page)).flatMap((e) => Object.keys(e.detail || {}));
      const bad = keys.filter((k) => /session_?state|token/i.test(k));
      if (bad.length) throw new Error(`detail keys ${bad.join(', ')}`);
      return `${secrets.length} values checked`;
    });
    await check(`${label}: event details are well-formed`, async () => {
      const evs = (await eventsOf(page)).filter((e) => e.name !== 'note');
      for (const e of evs) {
        if (e.detail.type !== e.name) throw new Error(`${e.name}: detail.type ${e.detail.type}`);
        if (typeof e.detail.timestamp !== 'number') throw new Error(`${e.name}: no timestamp`);
      }
      return `${evs.length} events: ${summary(evs)}`;
    });
  } finally {
    // The library hides its iframes with setAttribute('style', ...), which `style-src 'self'` blocks
    // (www/style.css hides them instead). Reported on its own line so that it is not mistaken for
    // a problem of the page.
    const inlineStyle = problems.filter((p) => /Applying inline style violates/.test(p));
    const others = problems.filter((p) => !inlineStyle.includes(p));
    await check(`${label}: no CSP violation, HTTP error, console error or page error`, async () => {
      if (others.length) throw new Error(others.slice(0, 3).join(' | '));
    });
    await check(`${label}: library iframes need no inline style under style-src 'self'`, async () => {
      if (inlineStyle.length) throw new Error(`${inlineStyle.length} × "Applying inline style violates ... style-src 'self'" (iframe style attribute set by the library)`);
    });
    await context.close().catch(() => {});
  }
}

/** diagnose.html: diagnose() (oidc-session-monitor/diagnose) before and after signing in (same-site OP: the iframe sees its session). */
async function runDiagnose(demo) {
  const context = await browser.createBrowserContext();
  const problems = [];
  const page = watch(await context.newPage(), problems, 'diagnose');
  // After the monitor's first answer (or its no_session_state error): diagnose() reports what it has seen.
  const diagnose = async () => {
    await page.waitForFunction(() => window.monitor && (window.monitor.diagnose().firstAnswer !== 'none'
      || !document.cookie.includes('demo_session_state')), { timeout: 15000 });
    await page.evaluate(() => { window.__diagnosis = undefined; });
    await page.click('#diagnose');
    // The probe (oidc-session-monitor/diagnose) is asynchronous: one check cycle of a temporary monitor.
    await page.waitForFunction(() => window.__diagnosis, { timeout: 20000 });
    return page.evaluate(() => window.__diagnosis);
  };
  try {
    await page.goto(`${demo.rpOrigin}/diagnose.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.monitor, { timeout: 15000 });
    await check('diagnose: not signed in -> no answer yet, unknown, advice to sign in', async () => {
      await sleep(1000);
      const d = await diagnose();
      if (d.verdict !== 'no_session_state' || d.firstAnswer !== 'none' || d.seesSession !== 'unknown' || !/sign in/i.test(d.advice)) throw new Error(JSON.stringify(d));
    });
    await check('diagnose: signed in -> same-site, unchanged, seesSession yes; one OP iframe only', async () => {
      await Promise.all([page.waitForNavigation({ timeout: 15000 }), page.click('#login')]);
      await opLogin(page, '/diagnose.html');
      const d = await diagnose();
      if (d.verdict !== 'sees_session' || d.firstAnswer !== 'unchanged' || d.seesSession !== 'yes' || d.site !== 'same-site') throw new Error(JSON.stringify(d));
      const frames = await page.evaluate(() => document.querySelectorAll('iframe').length);
      if (frames !== 1) throw new Error(`${frames} iframes, expected the monitor's one`);
      if (problems.length) throw new Error(problems.join('; '));
    });
  } finally {
    await context.close().catch(() => {});
  }
}

/**
 * logout-everywhere.html: two tabs signed in, the demo server's session opened from the verified ID
 * token; forged back-channel and cross-site POSTs change nothing; a logout at the OP reaches both tabs
 * (front-channel or rp_session) and the server accepts the OP's signed logout_token.
 */
async function runLogoutEverywhere(demo) {
  const rp = demo.rpOrigin;
  const post = (p, body, headers) => fetch(rp + p, { method: 'POST', body, headers });
  const log = () => fetch(`${rp}/channel-log`).then((r) => r.json());
  await check('logout-everywhere: forged logout_token (bad signature, alg none) and cross-site POSTs -> 400', async () => {
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { iss: demo.op.issuer, aud: demo.op.clientId, iat: Math.floor(Date.now() / 1000), jti: 'forged',
      sid: 'x', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } };
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    for (const token of [`${b64({ alg: 'RS256' })}.${b64(claims)}.${'A'.repeat(342)}`, `${b64({ alg: 'none' })}.${b64(claims)}.`]) {
      const r = await post('/backchannel-logout', new URLSearchParams({ logout_token: token }).toString(), form);
      if (r.status !== 400) throw new Error(`forged logout_token: HTTP ${r.status}`);
    }
    const json = { 'Content-Type': 'application/json' };
    const cross = await post('/rp-login', JSON.stringify({ id_token: 'x' }), { ...json, 'Sec-Fetch-Site': 'cross-site' });
    const form2 = await post('/frontchannel-notify', 'iss=x&sid=y', { ...form, 'Sec-Fetch-Site': 'same-origin' });
    if (cross.status !== 400 || form2.status !== 400) throw new Error(`cross-site rp-login ${cross.status}, form notify ${form2.status}`);
    const refused = (await log()).filter((l) => /refused/.test(l.what)).length;
    if (refused < 2) throw new Error(`channel log shows ${refused} refusals`);
    return `${refused} back-channel POSTs refused`;
  });
  const context = await browser.createBrowserContext();
  const problems = [];
  const a = watch(await context.newPage(), problems, 'logout-everywhere');
  try {
    const ready = await check('logout-everywhere: log in, the server session opens from the verified ID token', async () => {
      await a.goto(`${rp}/logout-everywhere.html`, { waitUntil: 'load' });
      await Promise.all([a.waitForNavigation({ timeout: 15000 }), a.click('#login')]);
      await opLogin(a, '/logout-everywhere.html');
      await a.waitForFunction(() => document.getElementById('server').textContent === 'active', { timeout: 10000 })
        .catch(async () => { throw new Error(`server session: ${await a.$eval('#server', (e) => e.textContent)}`); });
      await waitEvents(a, (e) => count(e, 'unchanged') >= 1, 'unchanged');
    });
    if (!ready) return;
    const b = watch(await context.newPage(), problems, 'logout-everywhere/tab2');
    await b.goto(`${rp}/logout-everywhere.html`, { waitUntil: 'load' });
    await waitEvents(b, (e) => count(e, 'unchanged') >= 1, 'unchanged in the second tab');
    await check('logout-everywhere: OP logout -> both tabs signedOut, server session ended, signed logout_token accepted', async () => {
      const href = await a.$eval('#logout', (el) => el.getAttribute('href'));
      const tab = watch(await context.newPage(), problems, 'logout-everywhere/logout-tab');
      await tab.goto(href, { waitUntil: 'load' });
      await tab.waitForSelector('button[name=logout][value=yes]', { timeout: 10000 });
      await Promise.all([tab.waitForNavigation({ timeout: 15000 }), tab.click('button[name=logout][value=yes]')]);
      await tab.close();
      const reasons = [];
      for (const page of [a, b]) {
        const evs = await waitEvents(page, (e) => names(e).includes('signedOut'), 'signedOut');
        const out = evs.filter((e) => e.name === 'signedOut');
        if (out.length !== 1) throw new Error(`${out.length} signedOut events in one tab`);
        reasons.push(out[0].detail.reason);
      }
      if (!reasons.every((r) => ['frontchannel', 'rp_session'].includes(r))) throw new Error(`reasons ${reasons}`);
      const deadline = Date.now() + 10000;
      let lines = [];
      while (Date.now() < deadline) {
        lines = (await log()).map((l) => l.what);
        if (lines.some((l) => l.startsWith('back-channel logout_token from the OP'))) break;
        await sleep(200);
      }
      if (!lines.some((l) => l.startsWith('back-channel logout_token from the OP'))) throw new Error(`channel log: ${lines.join(' | ')}`);
      const server = await fetch(`${rp}/session`, { headers: { cookie: (await a.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
      if (server.status !== 401) throw new Error(`GET /session after logout: HTTP ${server.status}`);
      return `reasons ${reasons.join(', ')}; ${lines.filter((l) => !/refused/.test(l)).join(' | ')}`;
    });
    await check('logout-everywhere: no console error or page error', async () => {
      // GET /session answers 401 once the session ended: that is the signal, not a problem.
      const others = problems.filter((p) => !/HTTP 401 .*\/session$/.test(p) && !/status of 401/.test(p)
        && !/Applying inline style violates/.test(p));
      if (others.length) throw new Error(others.slice(0, 3).join(' | '));
    });
  } finally {
    await context.close().catch(() => {});
  }
}

async function main() {
  let demo = null;
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, async () => {
      if (interrupted) return;
      interrupted = true;
      await closeBrowser();
      await demo?.stop().catch(() => {});
      await stopAll().catch(() => {});
      report.fail('showcase check', `interrupted by ${sig}`);
      process.exit(report.summary());
    });
  }
  try {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (run scripts/bootstrap.sh)`);
    demo = await startDemo({ opPort: OP_PORT, rpPort: RP_PORT, quiet: true });
    console.log(`showcase check: OP ${demo.opOrigin}, site ${demo.rpOrigin}, ${CHROMIUM}`);

    await check('site: /pkg/oidc_session_monitor_bg.wasm is application/wasm; CSP on every page', async () => {
      const wasm = await fetch(`${demo.rpOrigin}/pkg/oidc_session_monitor_bg.wasm`);
      if (wasm.headers.get('content-type') !== 'application/wasm') throw new Error(`wasm: ${wasm.headers.get('content-type')}`);
      for (const p of ['/', '/es-module.html', '/script-tag.html', '/oidc-client-ts.html', '/diagnose.html', '/callback.html',
        '/silent-callback.html', '/logged-out.html', '/elsewhere.html']) {
        const r = await fetch(demo.rpOrigin + p);
        const csp = r.headers.get('content-security-policy') || '';
        if (r.status !== 200) throw new Error(`${p}: HTTP ${r.status}`);
        if (!csp.includes(`frame-src 'self' ${demo.opOrigin}`) || !csp.includes(`connect-src 'self' ${demo.opOrigin}`)) throw new Error(`${p}: CSP ${csp}`);
        const html = await r.text();
        if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) throw new Error(`${p}: inline <script>`);
        if (/\son[a-z]+=/i.test(html.replace(/<pre[\s\S]*?<\/pre>/g, ''))) throw new Error(`${p}: inline event handler`);
      }
      for (const p of ['/server.mjs', '/check.mjs', '/pkg/../package.json']) {
        const r = await fetch(demo.rpOrigin + p);
        if (r.status !== 404) throw new Error(`${p}: HTTP ${r.status}, expected 404`);
      }
    });

    await launch();
    await runPage(demo, 'es-module.html', { reauth: true, screenshot: true });
    await runPage(demo, 'script-tag.html', { reauth: false });
    await runPage(demo, 'oidc-client-ts.html', { reauth: true });
    await runDiagnose(demo);
    await runLogoutEverywhere(demo);
  } catch (e) {
    report.fail('showcase check', e.message);
  } finally {
    await closeBrowser();
    await demo?.stop().catch(() => {});
    await stopAll().catch(() => {});
  }
  process.exit(report.summary());
}

main();
