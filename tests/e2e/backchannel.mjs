#!/usr/bin/env node
// End to end for the server side (issue 12): node oidc-provider 6.31.1 with Back-Channel Logout, the reference
// RP backend examples/rp-server (Rust, with its Redis store when redis-server is installed), headless Chromium.
//
//   node tests/e2e/backchannel.mjs [--browser chromium|firefox] [--memory]
//   (run it under `flock /tmp/browsers.lock`; it expects target/debug/rp-server and
//    target/debug/examples/session_state, which `bash scripts/test.sh server` builds first)
//
// 1. The RP page (served by rp-server) gets a nonce from GET /login/nonce, logs in at the OP (code + PKCE),
//    exchanges the code, POSTs the ID Token to /login → GET /session says active with the OP's sid.
// 2. The same browser authorizes a second client `other-rp` (consent page), whose back-channel URI also leads
//    to rp-server: the OP will sign a real logout token for another client.
// 3. Logout at the OP (end_session, "Yes, sign me out"). The OP POSTs its logout tokens to a recording relay in
//    this process, which passes them to rp-server unchanged. Before relaying session-rp's token, the relay
//    posts (a) other-rp's real token and (b) session-rp's real token with one signature bit flipped: both get
//    400 and /session stays active. Then the real token → 200 → /session says inactive (401).
//    Replaying the real token → 400 replayed.
// 4. session_state from the real OPs: node's (base64url, unsalted, and the salted form of an error response)
//    and django-oidc-provider 0.9.0's (hex + salt) are verified by core::session_state::verify against the
//    OP's browser-state cookie; a changed origin is refused.
// Prints `backchannel: N passed, M failed`.
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, closeAll } from '../support/browsers.mjs';
import { reporter } from '../support/report.mjs';
import { serve } from '../support/static.mjs';
import { startNodeOp, startDjangoOp, stopAll, LOGIN } from './ops/index.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const argv = process.argv.slice(2);
const BROWSER = argv.includes('--browser') ? argv[argv.indexOf('--browser') + 1] : 'chromium';
const OP_PORT = 9060;
const RP_PORT = 9061;
const RELAY_PORT = 9062;
const DJANGO_PORT = 9064;
const RP = `http://127.0.0.1:${RP_PORT}`;
const RP_BIN = path.join(ROOT, 'target', 'debug', 'rp-server');
const SS_BIN = path.join(ROOT, 'target', 'debug', 'examples', 'session_state');

const r = reporter('backchannel');
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const b64u = (buf) => Buffer.from(buf).toString('base64url');
const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
const headerOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString());

const children = [];
const cleanups = [];
async function cleanup() {
  for (const c of children) { try { process.kill(-c.pid, 'SIGTERM'); } catch { /* gone */ } }
  for (const f of cleanups.reverse()) { try { await f(); } catch { /* ignore */ } }
  await closeAll().catch(() => {});
  await stopAll().catch(() => {});
}
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => cleanup().finally(() => process.exit(130)));

function startProcess(cmd, args, name) {
  const logFile = path.join(ROOT, 'target', 'test-logs', `${name}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'w');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
  children.push(child);
  return { child, logFile };
}

async function portFree(port) {
  try { await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) }); return false; } catch (e) {
    return e.cause?.code === 'ECONNREFUSED';
  }
}

async function waitFor(url, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { const res = await fetch(url); if (res.status < 500) return; } catch { /* not yet */ }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

async function waitUntil(fn, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await fn()) return; await sleep(100); }
  throw new Error(`timed out: ${what}`);
}

// ------------------------------------------------------------------------------------------ the relay
// The OP's back-channel URI. Records every token and relays it to rp-server unchanged; session-rp's token
// waits for other-rp's and for the two bad variants to be tried first (see the header).
const seen = []; // { aud, token, status, body }
const attacks = {};
let sessionCookie = null; // the browser's rp_session cookie, for /session checks from here

async function postToRp(token) {
  const res = await fetch(`${RP}/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: token }).toString(),
  });
  return { status: res.status, cacheControl: res.headers.get('cache-control'), body: await res.json().catch(() => null) };
}
async function sessionActive() {
  const res = await fetch(`${RP}/session`, { headers: { cookie: sessionCookie } });
  return res.status === 200 && (await res.json()).active === true;
}
function flipOneSignatureBit(token) {
  const [h, p, s] = token.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[sig.length >> 1] ^= 0x01;
  return `${h}.${p}.${b64u(sig)}`;
}

async function relay(req, res) {
  if (req.method !== 'POST' || req.url !== '/backchannel-logout') { res.writeHead(404).end(); return; }
  let body = '';
  for await (const chunk of req) body += chunk;
  const token = new URLSearchParams(body).get('logout_token') || '';
  const aud = [].concat(claimsOf(token).aud)[0];
  const entry = { aud, token };
  seen.push(entry);
  if (aud === 'session-rp') {
    // other-rp's token first (the OP sends both at once), then the flipped bit, each while the session lives.
    await waitUntil(() => seen.some((e) => e.aud === 'other-rp' && e.status), 1500, "other-rp's token").catch(() => {});
    attacks.otherClientActiveAfter = await sessionActive();
    attacks.flipped = await postToRp(flipOneSignatureBit(token));
    attacks.flippedActiveAfter = await sessionActive();
  }
  const out = await postToRp(token);
  Object.assign(entry, out);
  res.writeHead(out.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(out.body));
}

// ------------------------------------------------------------------------------------------ browser steps
async function pageFetch(page, url, init = {}) {
  return page.evaluate(async (u, i) => {
    const res = await fetch(u, { credentials: 'same-origin', ...i });
    let json = null;
    try { json = await res.json(); } catch { /* not json */ }
    return { status: res.status, json, cacheControl: res.headers.get('cache-control') };
  }, url, init);
}

async function loginAtOp(page, op, L) {
  const end = Date.now() + 30000;
  let loggedIn = false;
  while (Date.now() < end) {
    const url = page.url();
    if (url.startsWith(`${RP}/callback.html`)) return url;
    if (url.startsWith(op.origin)) {
      if (!loggedIn && await page.$(L.loginPage.username)) {
        await page.type(L.loginPage.username, op.user);
        await page.type(L.loginPage.password, op.password);
        await Promise.all([page.waitForNavigation().catch(() => {}), page.click(L.loginPage.submit)]);
        loggedIn = true;
        continue;
      }
      if (await page.$(L.consentPage.submit)) {
        await Promise.all([page.waitForNavigation().catch(() => {}), page.click(L.consentPage.submit)]);
        continue;
      }
    }
    await sleep(100);
  }
  throw new Error(`never reached ${RP}/callback.html; at ${page.url()}`);
}

function authorizeUrl(op, { clientId, nonce, challenge, prompt, flow = 'code' }) {
  const u = new URL(op.authorizationEndpoint);
  const q = { client_id: clientId, redirect_uri: `${RP}/callback.html`, scope: 'openid', state: b64u(crypto.randomBytes(12)), nonce };
  if (flow === 'code') Object.assign(q, { response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' });
  else q.response_type = 'id_token';
  if (prompt) q.prompt = prompt;
  for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
  return u.href;
}

function verifySessionState(sessionState, clientId, origin, browserState) {
  try {
    execFileSync(SS_BIN, [sessionState, clientId, origin, browserState], { stdio: 'pipe' });
    return true;
  } catch { return false; }
}

// ------------------------------------------------------------------------------------------ main
async function main() {
  for (const bin of [RP_BIN, SS_BIN]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} missing: cargo build -p rp-server && cargo build --features op --example session_state`);
  }
  // A stray server on one of these ports would be tested instead of ours: refuse to start.
  for (const port of [OP_PORT, RP_PORT, RELAY_PORT, 9063, DJANGO_PORT]) {
    if (!(await portFree(port))) throw new Error(`port ${port} on 127.0.0.1 is busy`);
  }
  const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-server-static-'));
  cleanups.push(() => fs.rmSync(staticDir, { recursive: true, force: true }));
  for (const name of ['index.html', 'callback.html', 'logged-out.html']) {
    fs.writeFileSync(path.join(staticDir, name), `<!DOCTYPE html><meta charset="utf-8"><title>${name}</title><p>${name}</p>\n`);
  }

  // Redis for the backend when this machine has it (the rp-server tests cover both stores).
  let redisArgs = [];
  const useRedis = !argv.includes('--memory') && (() => { try { execFileSync('redis-server', ['--version'], { stdio: 'pipe' }); return true; } catch { return false; } })();
  if (useRedis) {
    const port = 9063;
    startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], 'backchannel-redis');
    redisArgs = ['--redis', `redis://127.0.0.1:${port}/`];
  } else {
    console.log('  (redis-server not installed: rp-server runs with its in-memory store)');
  }

  const rel = await serve(relay, { port: RELAY_PORT });
  cleanups.push(() => rel.close());
  const op = await startNodeOp({ port: OP_PORT, rpOrigins: [RP], backchannelLogoutUri: `${rel.origin}/backchannel-logout` });
  if (useRedis) await sleep(300);
  const rp = startProcess(RP_BIN, ['--issuer', op.issuer, '--client-id', 'session-rp', '--listen', `127.0.0.1:${RP_PORT}`,
    '--static', staticDir, ...redisArgs], 'backchannel-rp-server');
  await waitFor(`${RP}/session`);
  const started = fs.readFileSync(rp.logFile, 'utf8');
  if (rp.child.exitCode !== null || !started.includes(`store=${useRedis ? 'redis' : 'memory'}`)) {
    throw new Error(`rp-server did not start: ${started.trim()}`);
  }
  r.pass(`started node oidc-provider ${op.issuer}, rp-server ${RP} (${useRedis ? 'Redis' : 'memory'} store), relay ${rel.origin}`);

  const session = await launch(BROWSER, { label: `backchannel-${BROWSER}` });
  cleanups.push(() => session.close());
  const page = await session.newPage('rp');
  const L = LOGIN.node;

  // 1. login through the OP, session cookie from /login
  await page.goto(`${RP}/index.html`);
  let idToken; let sid; let nodeSessionState;
  await r.check('RP login: /login/nonce → OP login (code + PKCE) → /login with the ID Token → /session active', async () => {
    const { json: { nonce } } = await pageFetch(page, '/login/nonce');
    const verifier = b64u(crypto.randomBytes(32));
    const challenge = b64u(crypto.createHash('sha256').update(verifier).digest());
    await page.goto(authorizeUrl(op, { clientId: 'session-rp', nonce, challenge }));
    const cb = new URL(await loginAtOp(page, op, L));
    nodeSessionState = cb.searchParams.get('session_state');
    const tok = await pageFetch(page, op.tokenEndpoint, {
      method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: cb.searchParams.get('code'), redirect_uri: `${RP}/callback.html`, client_id: 'session-rp', code_verifier: verifier }).toString(),
    });
    idToken = tok.json?.id_token;
    if (!idToken) throw new Error(`token endpoint ${tok.status}`);
    sid = claimsOf(idToken).sid;
    if (!sid) throw new Error('the ID Token has no sid');
    const login = await pageFetch(page, '/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ id_token: idToken }).toString() });
    if (login.status !== 200) throw new Error(`/login ${login.status} ${JSON.stringify(login.json)}`);
    const s = await pageFetch(page, '/session');
    if (s.status !== 200 || s.json.active !== true || s.json.sid !== sid) throw new Error(`/session ${s.status} ${JSON.stringify(s.json)}`);
    if (s.cacheControl !== 'no-store') throw new Error(`/session Cache-Control ${s.cacheControl}`);
    const cookies = await page.cookies(RP);
    const c = cookies.find((x) => x.name === 'rp_session');
    if (!c?.httpOnly) throw new Error('rp_session cookie missing or not HttpOnly');
    sessionCookie = `rp_session=${c.value}`;
    return `sid from the OP's ID Token`;
  });

  // 4a. node's session_state (before logout, while its _state cookie lives)
  await r.check("node oidc-provider's session_state (base64url, no salt) verifies with core::session_state", async () => {
    const state = (await page.cookies(op.origin)).find((c) => c.name === '_state.session-rp');
    if (!nodeSessionState || !state) throw new Error('no session_state or _state.session-rp cookie');
    if (!verifySessionState(nodeSessionState, 'session-rp', RP, decodeURIComponent(state.value))) throw new Error('invalid');
    if (verifySessionState(nodeSessionState, 'session-rp', 'http://127.0.0.1:9999', decodeURIComponent(state.value))) throw new Error('another origin verified too');
    return `${nodeSessionState.length} chars`;
  });

  // 2. other-rp: an error response first (prompt=none without consent → salted session_state), then consent
  await r.check("second client other-rp authorized (and node's salted session_state of an error response verifies)", async () => {
    await page.goto(authorizeUrl(op, { clientId: 'other-rp', nonce: 'n', challenge: b64u(crypto.randomBytes(32)), prompt: 'none' }));
    await waitUntil(() => page.url().startsWith(`${RP}/callback.html`), 15000, 'prompt=none answer');
    const err = new URL(page.url()).searchParams;
    const salted = err.get('session_state');
    const state = (await page.cookies(op.origin)).find((c) => c.name === '_state.other-rp');
    if (!salted || !salted.includes('.') || !state) throw new Error(`error=${err.get('error')} session_state=${salted ? 'present' : 'absent'}`);
    if (!verifySessionState(salted, 'other-rp', RP, decodeURIComponent(state.value))) throw new Error('salted session_state invalid');
    await page.goto(authorizeUrl(op, { clientId: 'other-rp', nonce: 'n', challenge: b64u(crypto.randomBytes(32)) }));
    const cb = new URL(await loginAtOp(page, op, L));
    if (!cb.searchParams.get('code')) throw new Error(`other-rp: ${cb.search}`);
    return `${err.get('error')} with salted session_state, then consent`;
  });

  // 3. logout at the OP in another tab
  const tab2 = await session.newPage('op-logout');
  await r.check('logout at the OP (end_session, "Yes, sign me out")', async () => {
    const lo = new URL(op.endSessionEndpoint);
    lo.searchParams.set('id_token_hint', idToken);
    lo.searchParams.set('post_logout_redirect_uri', `${RP}/logged-out.html`);
    await tab2.goto(lo.href);
    await tab2.waitForSelector(L.logout.confirm);
    await Promise.all([tab2.waitForNavigation().catch(() => {}), tab2.click(L.logout.confirm)]);
    await waitUntil(() => tab2.url().startsWith(`${RP}/logged-out.html`), 15000, 'post-logout redirect');
  });
  await waitUntil(() => seen.filter((e) => e.status).length >= 2, 10000, 'two back-channel tokens relayed').catch(() => {});

  const mine = seen.find((e) => e.aud === 'session-rp');
  const other = seen.find((e) => e.aud === 'other-rp');
  r.ok(mine && other, 'the OP sent a real logout token for each client', `got ${seen.map((e) => e.aud).join(', ') || 'none'}`);
  if (mine) {
    const c = claimsOf(mine.token);
    const h = headerOf(mine.token);
    const jwks = await (await fetch(op.discovery.jwks_uri)).json();
    r.ok(c.sid === sid && jwks.keys.some((k) => k.kid === h.kid), "session-rp's token: this session's sid, signed with a key of the OP's real JWKS",
      `alg ${h.alg} typ ${h.typ} sid ${c.sid === sid ? 'same' : 'different'}`);
  }
  if (other) r.ok(other.status === 400 && other.body?.error_description === 'wrong_audience', "other-rp's real token → 400 wrong_audience", JSON.stringify(other.body));
  r.ok(attacks.otherClientActiveAfter === true, "…and the session stays active after it");
  r.ok(attacks.flipped?.status === 400 && attacks.flipped.body?.error_description === 'bad_signature' && attacks.flipped.cacheControl === 'no-store',
    'session-rp\'s real token with one signature bit flipped → 400 bad_signature (no-store)', JSON.stringify(attacks.flipped));
  r.ok(attacks.flippedActiveAfter === true, '…and the session stays active after it');
  if (mine) r.ok(mine.status === 200 && mine.cacheControl === 'no-store', 'the real token → 200 (no-store)', JSON.stringify(mine.body));

  await r.check('GET /session from the page says inactive (401)', async () => {
    const s = await pageFetch(page, `${RP}/session`).catch(async () => { await page.goto(`${RP}/index.html`); return pageFetch(page, '/session'); });
    if (s.status !== 401 || s.json?.active !== false) throw new Error(`${s.status} ${JSON.stringify(s.json)}`);
  });
  if (mine) {
    const replay = await postToRp(mine.token);
    r.ok(replay.status === 400 && replay.body?.error_description === 'replayed', 'replaying the real token → 400 replayed', JSON.stringify(replay.body));
  }
  const log = fs.readFileSync(rp.logFile, 'utf8');
  r.ok(log.includes('backchannel-logout accepted'), 'rp-server logged the accepted logout (its own log, no token data)', log.slice(-300));
  r.ok(mine && !log.includes(mine.token.split('.')[2].slice(0, 24)) && !log.includes(mine.token.split('.')[1].slice(0, 24)),
    "rp-server's log holds no part of any token");

  // 4b. django-oidc-provider's session_state (hex + salt)
  await r.check("django-oidc-provider's session_state (hex + salt) verifies with core::session_state", async () => {
    const dj = await startDjangoOp({ port: DJANGO_PORT, rpOrigins: [RP] });
    try {
      const p = await session.newPage('django');
      await p.goto(authorizeUrl(dj, { clientId: dj.clientId, nonce: b64u(crypto.randomBytes(8)), flow: 'id_token' }));
      const cb = new URL(await loginAtOp(p, dj, LOGIN.django));
      const ss = new URLSearchParams(cb.hash.slice(1)).get('session_state');
      const bs = (await p.cookies(dj.origin)).find((c) => c.name === 'op_browser_state');
      if (!ss || !bs) throw new Error('no session_state or op_browser_state cookie');
      if (!verifySessionState(ss, dj.clientId, RP, decodeURIComponent(bs.value))) throw new Error('invalid');
      if (verifySessionState(ss, dj.clientId, RP, `${bs.value}x`)) throw new Error('another browser state verified too');
      return `${ss.length} chars`;
    } finally { await dj.stop(); }
  });
}

let code = 1;
try {
  await main();
} catch (e) {
  r.fail('harness', e.stack || e.message);
} finally {
  await cleanup();
  code = r.summary();
}
process.exit(code);
