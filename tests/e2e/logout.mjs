#!/usr/bin/env node
// End-to-end suite of issue 11: logout that reaches every tab, against node oidc-provider 6.31.1 with
// RP-Initiated Logout, Front-Channel Logout (draft 04) and Back-Channel Logout (draft 06) turned on, in
// Debian's headless Chromium and Firefox ESR, with 3 RP tabs open.
//
//   node tests/e2e/logout.mjs [--browser chromium|firefox]... [--scenario rp,fc,forged,bc,xsite]... [--verbose]
//
//   rp      RP-initiated logout from tab 1 (monitor.logout()) → tabs 2 and 3 signedOut(rp_initiated) and
//           stopped; tab 1 also (kept across its navigation); the OP's logout form; the browser lands on the
//           post-logout page with a verified state; a prompt=none request then gets login_required
//   forged  front-channel requests with a wrong iss, a wrong sid, no sid → nothing changes in any tab
//   fc      logout at the OP, RP same-site → the OP frames the front-channel page → all 3 tabs
//           signedOut(frontchannel)
//   bc      logout at the OP, back-channel to the reference RP backend (examples/rp-server, built with
//           `cargo build -p rp-server`: validates the logout_token against the OP's JWKS and ends the session)
//           → all 3 tabs signedOut(rp_session) within one rpSession interval (+ slack)
//   xsite   RP on http://localhost (cross-site to the OP on 127.0.0.1), front-channel only: pins what each
//           browser does with the third-party front-channel page (partitioned storage: it cannot see the sid),
//           and checks the tabs are told through the RP server (data-notify-url → /session → rp_session)
//
// The other scenarios use a small test double for the RP server (sessions in memory, tokens decoded
// without signature checks) because they need routes rp-server does not have (the front-channel page's
// notify, the page's report); the pages speak to both the same way (GET /login/nonce, POST /login, GET /session).
// Prints `logout-e2e: N passed, M failed`; exits 1 on any failure.
import fs from 'node:fs';
import http from 'node:http';
import { spawn } from 'node:child_process';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { launch, available, closeAll } from '../support/browsers.mjs';
import { reporter } from '../support/report.mjs';
import { parseArgs, oneOf } from '../support/args.mjs';
import { files, serve } from '../support/static.mjs';
import { startNodeOp, stopAll } from './ops/index.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const PKG = path.join(ROOT, 'pkg');
const PAGES = path.join(HERE, 'logout-rp');
const RP_PORT = 9060;
const OP_PORT = 9061;
const SAME = `http://127.0.0.1:${RP_PORT}`;
const CROSS = `http://localhost:${RP_PORT}`;
const RP_INTERVAL = 1000;
const RP_SERVER_PORT = 9062;
const RP_SERVER_BIN = path.join(ROOT, 'target', 'debug', 'rp-server');
const RP_SERVER_ROUTES = ['/session', '/login/nonce', '/login', '/logout', '/backchannel-logout'];

const opt = parseArgs(import.meta.url, { lists: { browser: 'browsers', scenario: 'scenarios' } });
oneOf(opt.browsers, ['chromium', 'firefox'], 'browser');
oneOf(opt.scenarios, ['rp', 'forged', 'fc', 'bc', 'xsite'], 'scenario');

const report = reporter('logout-e2e');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------------ RP server
const rp = { op: null, sessions: new Map(), log: [], proxy: null };
const site = files({ mounts: [['/pkg/', PKG], ['/', PAGES]], index: 'app.html' });
const body = (req) => new Promise((resolve) => { let d = ''; req.on('data', (c) => { d += c; }); req.on('end', () => resolve(d)); });
const payload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
const cookie = (req, name) => ((req.headers.cookie || '').split('; ').find((c) => c.startsWith(name + '=')) || '').slice(name.length + 1);
function endSessions(iss, sid, why) {
  let n = 0;
  for (const s of rp.sessions.values()) if (s.active && s.iss === iss && s.sid === sid) { s.active = false; n++; }
  rp.log.push({ at: Date.now(), why, ended: n });
  return n;
}

/** Forwards the request to examples/rp-server (same path, method, headers, body), and its answer back. */
function proxy(req, res) {
  const up = http.request({ host: '127.0.0.1', port: RP_SERVER_PORT, path: req.url, method: req.method, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', () => { res.writeHead(502); res.end(); });
  if (req.url.startsWith('/backchannel-logout')) rp.log.push({ at: Date.now(), why: 'backchannel', ended: 'rp-server' });
  req.pipe(up);
}

async function handler(req, res) {
  const url = new URL(req.url, SAME);
  if (rp.proxy && RP_SERVER_ROUTES.includes(url.pathname)) return proxy(req, res);
  const send = (status, data, type = 'application/json') => { res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }); res.end(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data)); };
  const p = url.pathname;
  if (p === '/config.json') return send(200, rp.op);
  if (p === '/session') {
    const s = rp.sessions.get(cookie(req, 'rp_sess'));
    return s && s.active ? send(200, { active: true }) : send(401, { active: false });
  }
  if (p === '/login/nonce') return send(200, { nonce: crypto.randomBytes(16).toString('hex') });
  if (p === '/login' && req.method === 'POST') {
    const c = payload(new URLSearchParams(await body(req)).get('id_token'));
    const id = crypto.randomBytes(16).toString('hex');
    rp.sessions.set(id, { iss: c.iss, sid: c.sid, active: true });
    res.writeHead(204, { 'Set-Cookie': `rp_sess=${id}; Path=/; HttpOnly; SameSite=Lax` });
    return res.end();
  }
  if (p === '/backchannel-logout' && req.method === 'POST') {
    const token = new URLSearchParams(await body(req)).get('logout_token');
    const c = token ? payload(token) : {};
    const ok = c.events && 'http://schemas.openid.net/event/backchannel-logout' in c.events && !('nonce' in c);
    rp.log.push({ at: Date.now(), why: 'backchannel POST', ok: Boolean(ok), sid: Boolean(c.sid) });
    if (!ok) return send(400, { error: 'invalid_request' });
    endSessions(c.iss, c.sid, 'backchannel');
    return send(200, {});
  }
  if (p === '/frontchannel-notify' && req.method === 'POST') {
    let c = {};
    try { c = JSON.parse(await body(req)); } catch { /* ignore */ }
    endSessions(c.iss, c.sid, 'frontchannel-notify');
    return send(204, '');
  }
  if (p === '/fcl-result' && req.method === 'POST') {
    rp.log.push({ at: Date.now(), why: 'fcl-result', result: JSON.parse(await body(req)) });
    return send(204, '');
  }
  return site(req, res);
}

// ------------------------------------------------------------------------------------------------ helpers
const check = (ok, ctx, what) => report.ok(ok, `${ctx}: ${what}`);

let op = null;
async function useOp(channels) {
  if (op) { await op.stop(); op = null; }
  op = await startNodeOp({ port: OP_PORT, rpOrigins: [SAME, CROSS], ...channels });
  const d = op.discovery;
  rp.op = {
    clientId: op.clientId || 'session-rp', issuer: d.issuer, authorizationEndpoint: d.authorization_endpoint,
    tokenEndpoint: d.token_endpoint, endSessionEndpoint: d.end_session_endpoint, checkSessionIframe: d.check_session_iframe,
  };
}

async function login(session, origin) {
  const page = await session.newPage('login');
  await page.goto(`${origin}/login.html`);
  await page.waitForSelector('input[name=login]').catch(async (e) => {
    throw new Error(`${e.message} at ${page.url()}: ${(await page.evaluate(() => document.body && document.body.innerText).catch(() => '?')).slice(0, 300)}`);
  });
  await page.type('input[name=login]', 'alice');
  await page.type('input[name=password]', 'x');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  for (let i = 0; i < 100 && !page.url().startsWith(`${origin}/callback.html`); i++) await sleep(100);
  await page.waitForFunction('window.__callback', { timeout: 10_000 });
  const cb = await page.evaluate(() => window.__callback);
  if (!cb.ok) throw new Error(`login failed: ${cb.error}`);
  return { page, cb };
}

async function openTabs(session, origin, query, n = 3) {
  const tabs = [];
  for (let i = 1; i <= n; i++) {
    const page = await session.newPage(`tab${i}`);
    await page.goto(`${origin}/app.html?${query}`);
    await page.waitForFunction('window.__ready || window.__fatal', { timeout: 10_000 });
    const fatal = await page.evaluate(() => window.__fatal);
    if (fatal) throw new Error(`tab${i}: ${fatal}`);
    tabs.push(page);
  }
  await sleep(1500); // one rpSession round and a few OP iframe checks
  return tabs;
}

const events = (page) => page.evaluate(() => window.__events || []);
const signedOut = async (page) => (await events(page)).filter((e) => e.event === 'signedOut');

async function waitSignedOut(tabs, ms) {
  const t0 = Date.now();
  const at = new Array(tabs.length).fill(null);
  while (Date.now() - t0 < ms && at.some((x) => x === null)) {
    for (let i = 0; i < tabs.length; i++) if (at[i] === null && (await signedOut(tabs[i])).length) at[i] = Date.now();
    await sleep(50);
  }
  return at;
}

async function opLogout(session) {
  // Logout at the OP in another tab: its form, then (front-channel) its pending page, then its success page.
  const page = await session.newPage('op');
  await page.goto(rp.op.endSessionEndpoint);
  await page.waitForSelector('button[value=yes]');
  const t = Date.now();
  await page.click('button[value=yes]');
  return { page, t };
}

async function opSessionEnded(session, origin) {
  const page = await session.newPage('probe');
  const q = new URLSearchParams({ client_id: rp.op.clientId, redirect_uri: `${origin}/callback.html`, scope: 'openid', response_type: 'id_token', nonce: 'n', state: 's', prompt: 'none' });
  await page.goto(`${rp.op.authorizationEndpoint}?${q}`);
  for (let i = 0; i < 50 && !page.url().startsWith(origin); i++) await sleep(100);
  const u = new URL(page.url());
  const params = new URLSearchParams(u.hash.slice(1) || u.search);
  await page.close();
  return params.get('error');
}

const fclResults = () => rp.log.filter((l) => l.why === 'fcl-result').map((l) => l.result);

// ------------------------------------------------------------------------------------------------ scenarios
const SCENARIOS = {
  async rp(session, ctx) {
    await useOp({ frontchannelLogoutUri: `${SAME}/frontchannel-logout.html` });
    await login(session, SAME);
    const tabs = await openTabs(session, SAME, 'rp=0');
    const states = await Promise.all(tabs.map((t) => t.evaluate(() => window.__monitor.state)));
    check(states.every((s) => s !== 'stopped' && s !== 'idle'), ctx, `3 tabs monitoring (${states})`);
    await tabs[0].bringToFront();
    const t0 = Date.now();
    await Promise.all([tabs[0].waitForNavigation(), tabs[0].evaluate(() => window.__logout())]);
    const endUrl = new URL(tabs[0].url());
    const sent = [...endUrl.searchParams.keys()].sort().join(',');
    check(tabs[0].url().startsWith(rp.op.endSessionEndpoint) && sent === 'client_id,id_token_hint,post_logout_redirect_uri,state', ctx,
      `tab 1 navigated to the OP end_session_endpoint with ${sent} (no session_state)`);
    const at = await waitSignedOut(tabs.slice(1), 3000);
    const others = await Promise.all(tabs.slice(1).map(events));
    check(others.every((ev) => ev.filter((e) => e.event === 'signedOut').length === 1
      && ev.some((e) => e.event === 'signedOut' && e.reason === 'rp_initiated')
      && ev.some((e) => e.event === 'stopped' && e.reason === 'rp_initiated')), ctx,
    `tabs 2 and 3: signedOut(rp_initiated) once, stopped(rp_initiated) (after ${at.map((x) => (x ? x - t0 : 'never')).join(', ')} ms)`);
    const stored = await tabs[1].evaluate(() => [localStorage.getItem('rp_session_state'), localStorage.getItem('rp_id_token'), Object.keys(localStorage).filter((k) => k.startsWith('oidc-session-monitor:sid ')).length]);
    check(stored[0] === null && stored[1] === null && stored[2] === 0, ctx, 'the stored session_state, ID token and sid are cleared');
    // The OP's logout form (node oidc-provider asks even with id_token_hint).
    await tabs[0].bringToFront();
    await tabs[0].waitForSelector('button[value=yes]');
    await tabs[0].click('button[value=yes]');
    for (let i = 0; i < 100 && !tabs[0].url().startsWith(`${SAME}/logged-out.html`); i++) await sleep(100);
    session.log(`tab 1 after the OP form: ${tabs[0].url().replace(/state=[^&]*/, 'state=…')}`);
    await tabs[0].waitForFunction('window.__postLogout', { timeout: 5000 }).catch(() => {});
    const post = await tabs[0].evaluate(() => ({ post: window.__postLogout, kept: window.__kept, url: location.href }));
    check(post.post && post.post.verified === true && post.post.result === 'verified', ctx, `post-logout page: state verified (${JSON.stringify(post.post)})`);
    check(post.kept.some((e) => e.event === 'signedOut' && e.reason === 'rp_initiated'), ctx, 'tab 1 itself said signedOut(rp_initiated) before leaving');
    // A replayed post-logout URL is not verified again (one use).
    await tabs[0].bringToFront();
    await tabs[0].reload();
    await tabs[0].waitForFunction('window.__postLogout');
    const again = await tabs[0].evaluate(() => window.__postLogout);
    check(again.verified === false && again.result === 'no_request', ctx, `reloading the post-logout page: ${again.result}`);
    check((await opSessionEnded(session, SAME)) === 'login_required', ctx, 'the OP session ended (prompt=none → login_required)');
  },

  async forged(session, ctx) {
    await useOp({ frontchannelLogoutUri: `${SAME}/frontchannel-logout.html` });
    const { cb } = await login(session, SAME);
    check(Boolean(cb.sid), ctx, 'the ID token carries sid (front-channel session required)');
    const tabs = await openTabs(session, SAME, 'rp=0');
    const before = fclResults().length;
    const since = Date.now();
    const evil = await session.newPage('evil');
    const iss = encodeURIComponent(cb.iss);
    const sid = encodeURIComponent(cb.sid);
    for (const q of [`iss=${encodeURIComponent('http://127.0.0.1:1/')}&sid=${sid}`, `iss=${iss}&sid=not-the-sid`, `iss=${iss}`, `iss=${iss}&sid=${sid}&sid=${sid}`]) {
      await evil.goto(`${SAME}/frontchannel-logout.html?${q}`);
      await sleep(300);
    }
    await sleep(1500);
    const got = fclResults().slice(before).map((r) => r.ignored || 'signedOut');
    check(JSON.stringify(got) === JSON.stringify(['unknown_issuer', 'sid_mismatch', 'missing_parameter', 'missing_parameter']), ctx, `forged requests ignored: ${got.join(', ')}`);
    const after = await Promise.all(tabs.map(async (t) => ({ out: (await signedOut(t)).length, state: await t.evaluate(() => window.__monitor.state) })));
    check(after.every((a) => a.out === 0 && a.state !== 'stopped'), ctx, `no tab signed out or stopped (${after.map((a) => a.state)})`);
    const kept = await evil.evaluate(() => [localStorage.getItem('rp_session_state') !== null, Object.keys(localStorage).filter((k) => k.startsWith('oidc-session-monitor:sid ')).length]);
    check(kept[0] && kept[1] === 1, ctx, 'the stored session and sid are untouched');
    const notifies = rp.log.filter((l) => l.why === 'frontchannel-notify' && l.at >= since);
    check(notifies.length === 2 && notifies.every((l) => l.ended === 0), ctx,
      `the two forged requests with iss and sid were sent to the RP server, which ended no session (${notifies.map((l) => l.ended)})`);
  },

  async fc(session, ctx) {
    await useOp({ frontchannelLogoutUri: `${SAME}/frontchannel-logout.html` });
    await login(session, SAME);
    const tabs = await openTabs(session, SAME, 'rp=0');
    const before = fclResults().length;
    const { t } = await opLogout(session);
    const at = await waitSignedOut(tabs, 5000);
    const evs = await Promise.all(tabs.map(events));
    check(evs.every((ev) => ev.filter((e) => e.event === 'signedOut').length === 1 && ev.some((e) => e.event === 'signedOut' && e.reason === 'frontchannel')), ctx,
      `all 3 tabs signedOut(frontchannel) (after ${at.map((x) => (x ? x - t : 'never')).join(', ')} ms)`);
    const r = fclResults().slice(before);
    check(r.length === 1 && r[0].signedOut === true && r[0].framed === true, ctx, `the OP framed the front-channel page, which matched: ${JSON.stringify(r)}`);
  },

  async bc(session, ctx) {
    await useOp({ backchannelLogoutUri: `${SAME}/backchannel-logout` });
    if (!fs.existsSync(RP_SERVER_BIN)) throw new Error(`${RP_SERVER_BIN} missing: cargo build -p rp-server`);
    const child = spawn(RP_SERVER_BIN, ['--issuer', rp.op.issuer, '--client-id', rp.op.clientId, '--listen', `127.0.0.1:${RP_SERVER_PORT}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => session.log(`[rp-server] ${String(d).trim()}`));
    child.stderr.on('data', (d) => session.log(`[rp-server] ${String(d).trim()}`));
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://127.0.0.1:${RP_SERVER_PORT}/session`).then(() => true, () => false);
      if (up) break;
      await sleep(100);
    }
    rp.proxy = child;
    try {
      await SCENARIOS.bcWithServer(session, ctx);
    } finally {
      rp.proxy = null;
      child.kill('SIGTERM');
    }
  },

  async bcWithServer(session, ctx) {
    await login(session, SAME);
    const tabs = await openTabs(session, SAME, `rp=1&rpInterval=${RP_INTERVAL}`);
    const { t } = await opLogout(session);
    const at = await waitSignedOut(tabs, 4 * RP_INTERVAL);
    const posted = rp.log.find((l) => l.why === 'backchannel' && l.at >= t - 1000);
    check(Boolean(posted), ctx, 'the OP POSTed a logout_token to examples/rp-server');
    const evs = await Promise.all(tabs.map(events));
    check(evs.every((ev) => ev.filter((e) => e.event === 'signedOut').length === 1 && ev.some((e) => e.event === 'signedOut' && e.reason === 'rp_session')), ctx, 'all 3 tabs signedOut(rp_session) once');
    const lag = at.map((x) => (x && posted ? x - posted.at : Infinity));
    check(lag.every((l) => l <= RP_INTERVAL + 300), ctx, `within one rpSession interval (${RP_INTERVAL} ms + 300 ms for fetch and polling here) of the back-channel POST: ${lag.join(', ')} ms`);
  },

  async xsite(session, ctx) {
    await useOp({ frontchannelLogoutUri: `${CROSS}/frontchannel-logout.html` });
    await login(session, CROSS);
    const tabs = await openTabs(session, CROSS, `iframe=0&rp=1&rpInterval=${RP_INTERVAL}`);
    const before = fclResults().length;
    const { t } = await opLogout(session);
    const at = await waitSignedOut(tabs, 6000);
    const r = fclResults().slice(before);
    const evs = await Promise.all(tabs.map(events));
    const reasons = evs.map((ev) => (ev.find((e) => e.event === 'signedOut') || {}).reason || 'none');
    const notified = rp.log.find((l) => l.why === 'frontchannel-notify' && l.at >= t - 1000);
    session.log(`xsite: front-channel page ${JSON.stringify(r)}; tabs ${reasons}`);
    check(r.length === 1 && r[0].framed, ctx, `the OP framed the cross-site front-channel page: ${JSON.stringify(r[0] || null)}`);
    check(r.length === 1 && r[0].signedOut === false && r[0].ignored === 'unknown_issuer' && r[0].sidKeysSeen === 0, ctx,
      'pinned: as a third party its storage is partitioned, so it cannot see the session (unknown_issuer) nor reach the tabs');
    check(Boolean(notified && notified.ended === 1), ctx, 'its data-notify-url POST reached the RP server, which ended the session');
    check(reasons.every((x) => x === 'rp_session'), ctx, `all 3 tabs were told through the RP server: signedOut(${reasons}) after ${at.map((x) => (x ? x - t : 'never')).join(', ')} ms`);
  },
};

// ------------------------------------------------------------------------------------------------ main
const servers = [];
try {
  if (!fs.existsSync(path.join(PKG, 'oidc_session_monitor_bg.wasm'))) throw new Error('pkg/ missing: bash scripts/build.sh');
  servers.push(await serve(handler, { port: RP_PORT, host: '127.0.0.1' }));
  // Browsers may resolve localhost to ::1 first.
  await serve(handler, { port: RP_PORT, host: '::1' }).then((s) => servers.push(s), () => {});
  for (const b of opt.browsers) {
    if (!available(b)) { check(false, b, 'browser available'); continue; }
    for (const s of opt.scenarios) {
      const ctx = `${b} × ${s}`;
      // Unthrottled: the monitor tabs stay in the background behind the tab that logs out.
      const session = await launch(b, { label: ctx, unthrottled: true });
      try {
        await SCENARIOS[s](session, ctx);
      } catch (e) {
        check(false, ctx, `threw: ${e && e.message}`);
        console.log(session.consoleText().split('\n').slice(-25).join('\n'));
      } finally {
        if (opt.verbose) console.log(session.consoleText());
        await session.close();
      }
    }
  }
} catch (e) {
  check(false, 'harness', String(e && e.stack || e));
} finally {
  if (op) await op.stop().catch(() => {});
  await stopAll().catch(() => {});
  await closeAll().catch(() => {});
  for (const s of servers) await s.close().catch(() => {});
}
process.exit(report.summary());
