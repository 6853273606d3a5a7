// Smoke check of the real-OP harness, in headless Debian Chromium driven by puppeteer-core.
//
//   node tests/e2e/ops/smoke.mjs [--only node|django] [--node-port 9010] [--django-port 9020]
//                                [--rp-port 9030] [--log] [--quick]      (CHROMIUM=path: tests/support/browsers.mjs)
//
// For each OP: start it (index.mjs), serve a tiny RP from a throw-away http server on 127.0.0.1:<rp-port>,
// run a real authorization request (node: code + PKCE S256; django: id_token + nonce), log in as alice,
// land on the RP callback, read session_state, load check_session_iframe in an iframe of the RP page,
// post "session-rp <session_state>" -> expect "unchanged"; a tampered value -> "changed"; prompt=none while
// signed in -> a session_state that answers "unchanged"; log out at end_session_endpoint in another tab
// (id_token_hint; node: submit the logout form) -> expect "changed"; prompt=none -> login_required.
// Then (unless --quick) a variant per OP: node with the consent page on (skipConsent:false), django on
// code + PKCE (consent page every time, prompt=none -> consent_required); both log out WITHOUT
// id_token_hint through the OP's confirmation page -> "changed".
// Informational (not failing): the same check from http://localhost:<rp-port> (cross-site) -> "error".
// Exits 0 when every required step passed, 1 otherwise.
import { createHash, randomBytes } from 'node:crypto';
import { startNodeOp, startDjangoOp, stopAll, LOGIN } from './index.mjs';
import { launch } from '../../support/browsers.mjs';
import { reporter } from '../../support/report.mjs';
import { send, serve } from '../../support/static.mjs';

// ---------------------------------------------------------------------------------------------
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ONLY = opt('only', null);
const NODE_PORT = Number(opt('node-port', 9010));
const DJANGO_PORT = Number(opt('django-port', 9020));
const RP_PORT = Number(opt('rp-port', 9030));
const ECHO_OP_LOG = args.includes('--log');
const RP = `http://127.0.0.1:${RP_PORT}`;
const RP_CROSS = `http://localhost:${RP_PORT}`;
const STEP_TIMEOUT = 15000;

const counts = reporter('smoke');
let informational = 0;
function report(op, step, ok, detail = '', { info = false } = {}) {
  const line = `[${op}] ${step}${detail ? ` — ${detail}` : ''}`;
  if (ok) counts.pass(line);
  else if (info) { informational += 1; console.log(`  INFO  ${line}`); } else counts.fail(line);
}
const note = (op, msg) => console.log(`[${op}]      ${msg}`);

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// the tiny RP
const RP_SCRIPT = `
<script>
var frame = null;
window.loadOp = function (src) {
  return new Promise(function (resolve, reject) {
    if (frame) frame.remove();
    frame = document.createElement('iframe');
    frame.style.display = 'none';
    var t = setTimeout(function () { reject(new Error('iframe load timeout')); }, 10000);
    frame.onload = function () { clearTimeout(t); resolve('loaded'); };
    frame.src = src;
    document.body.appendChild(frame);
  });
};
window.ask = function (msg, target, ms) {
  return new Promise(function (resolve) {
    function on(e) {
      if (e.source !== frame.contentWindow || e.origin !== target) return;
      clearTimeout(t); removeEventListener('message', on); resolve(String(e.data));
    }
    var t = setTimeout(function () { removeEventListener('message', on); resolve('(no answer)'); }, ms || 5000);
    addEventListener('message', on);
    frame.contentWindow.postMessage(msg, target);
  });
};
</script>`;
const page = (title) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${RP_SCRIPT}</body></html>`;
const RP_PAGES = {
  '/': page('RP home'),
  '/index.html': page('RP home'),
  '/check.html': page('RP check'),
  '/callback.html': page('RP callback'),
  '/silent-callback.html': page('RP silent callback'),
  '/logged-out.html': page('RP logged out'),
};
function rpHandler(req, res) {
  const body = RP_PAGES[new URL(req.url, RP).pathname];
  if (!body) return send(req, res, 404, 'not found');
  send(req, res, 200, body, { 'Content-Type': 'text/html; charset=utf-8' });
}
async function startRp() {
  const servers = [await serve(rpHandler, { port: RP_PORT, host: '127.0.0.1' })];
  try { servers.push(await serve(rpHandler, { port: RP_PORT, host: '::1' })); } catch { /* no IPv6 loopback */ }
  return { close: () => Promise.all(servers.map((s) => s.close())) };
}

// ---------------------------------------------------------------------------------------------
// browser helpers
async function waitForUrl(p, prefix, timeout = STEP_TIMEOUT) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (p.url().startsWith(prefix)) return p.url();
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${prefix}; at ${p.url()}`);
}

function responseParams(url) {
  const u = new URL(url);
  const params = new URLSearchParams(u.hash ? u.hash.slice(1) : u.search);
  if (!u.hash) for (const [k, v] of u.searchParams) params.set(k, v);
  return Object.fromEntries(params);
}

// Logs in on whatever OP page comes up, accepts consent if shown; resolves with the callback URL and the
// list of OP pages seen.
async function loginAndReturn(p, op, L, callbackPrefix) {
  const seen = [];
  const end = Date.now() + STEP_TIMEOUT * 2;
  let loggedIn = false;
  while (Date.now() < end) {
    const url = p.url();
    if (url.startsWith(callbackPrefix)) return { url, seen };
    if (url.startsWith(op.origin)) {
      const path = new URL(url).pathname;
      if (!loggedIn && await p.$(L.loginPage.username)) {
        seen.push(`login page ${path}`);
        await p.type(L.loginPage.username, op.user);
        await p.type(L.loginPage.password, op.password);
        await Promise.all([p.waitForNavigation({ timeout: STEP_TIMEOUT }).catch(() => {}), p.click(L.loginPage.submit)]);
        loggedIn = true;
        continue;
      }
      if (await p.$(L.consentPage.submit)) {
        seen.push(`consent page ${path}`);
        await Promise.all([p.waitForNavigation({ timeout: STEP_TIMEOUT }).catch(() => {}), p.click(L.consentPage.submit)]);
        continue;
      }
    }
    await sleep(100);
  }
  throw new Error(`never reached ${callbackPrefix}; at ${p.url()}; pages seen: ${seen.join(', ')}`);
}

function authUrl(op, { flow, state, nonce, challenge, prompt, redirect = `${RP}/callback.html` }) {
  const u = new URL(op.authorizationEndpoint);
  const q = {
    client_id: op.clientId, redirect_uri: redirect, scope: 'openid', state, nonce,
    response_type: flow === 'code' ? 'code' : 'id_token',
  };
  if (flow === 'code') Object.assign(q, { code_challenge: challenge, code_challenge_method: 'S256' });
  if (prompt) q.prompt = prompt;
  for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
  return u.href;
}

function describeSessionState(ss) {
  if (/^[0-9a-f]{64}\.[^.]+$/.test(ss)) return `hex sha256 "." salt (${ss.length} chars, salt ${ss.split('.')[1].length} chars)`;
  if (/^[A-Za-z0-9_-]{43}$/.test(ss)) return 'base64url sha256, no salt (43 chars)';
  if (/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+$/.test(ss)) return 'base64url sha256 "." salt';
  return `other (${ss.length} chars)`;
}

// One authorization round trip; returns { params, idToken, url }.
async function authorize(p, op, L, { flow, prompt, label }) {
  const state = b64u(randomBytes(12));
  const nonce = b64u(randomBytes(12));
  const verifier = b64u(randomBytes(32));
  const challenge = b64u(createHash('sha256').update(verifier).digest());
  await p.goto(authUrl(op, { flow, state, nonce, challenge, prompt }), { waitUntil: 'domcontentloaded' });
  const { url, seen } = prompt === 'none'
    ? { url: await waitForUrl(p, `${RP}/callback.html`), seen: [] }
    : await loginAndReturn(p, op, L, `${RP}/callback.html`);
  const params = responseParams(url);
  if (params.state !== state) throw new Error(`${label}: state mismatch (${params.state} vs ${state})`);
  let idToken = params.id_token;
  if (flow === 'code' && params.code) {
    // code exchange from the RP page itself (also proves the token endpoint's CORS)
    const tok = await p.evaluate(async (endpoint, body) => {
      const r = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      return { status: r.status, json: await r.json().catch(() => null) };
    }, op.tokenEndpoint, new URLSearchParams({
      grant_type: 'authorization_code', code: params.code, redirect_uri: `${RP}/callback.html`,
      client_id: op.clientId, code_verifier: verifier,
    }).toString());
    if (tok.status !== 200 || !tok.json?.id_token) throw new Error(`${label}: token exchange ${tok.status} ${JSON.stringify(tok.json)}`);
    idToken = tok.json.id_token;
  }
  if (idToken) {
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString());
    if (claims.nonce !== nonce) throw new Error(`${label}: id_token nonce mismatch`);
  }
  return { params, idToken, seen, url };
}

// ---------------------------------------------------------------------------------------------
async function smokeOne(browser, kind) {
  const L = LOGIN[kind];
  const flow = kind === 'node' ? 'code' : 'id_token';
  const tag = kind === 'node' ? 'node-oidc-provider' : 'django-oidc-provider';
  const ctx = await browser.createBrowserContext(); // fresh cookie jar per OP
  let op;
  try {
    const t0 = Date.now();
    op = kind === 'node'
      ? await startNodeOp({ port: NODE_PORT, rpOrigins: [RP, RP_CROSS], log: ECHO_OP_LOG })
      : await startDjangoOp({ port: DJANGO_PORT, rpOrigins: [RP, RP_CROSS], log: ECHO_OP_LOG });
    report(tag, 'start', true, `${op.issuer} in ${Date.now() - t0} ms; iframe ${op.checkSessionIframe}; end_session ${op.endSessionEndpoint}; log ${op.logFile}`);

    const p = await ctx.newPage();
    p.setDefaultTimeout(STEP_TIMEOUT);
    await p.goto(`${RP}/index.html`);

    // 1. login
    const first = await authorize(p, op, L, { flow, label: 'login' });
    const ss = first.params.session_state;
    report(tag, `authorization (${flow === 'code' ? 'code + PKCE S256' : 'id_token + nonce'}) and login as ${op.user}`,
      !!ss && !first.params.error, `pages: ${first.seen.join(' -> ') || '(none)'} -> ${new URL(first.url).pathname}; response keys: ${Object.keys(first.params).join(',')}`);
    if (!ss) throw new Error(`no session_state in ${first.url}`);
    note(tag, `session_state = ${ss}`);
    note(tag, `session_state format: ${describeSessionState(ss)}`);
    report(tag, 'id_token obtained', !!first.idToken, first.idToken ? `${first.idToken.length} chars` : 'none');

    // 2. iframe answers
    await p.goto(`${RP}/check.html`);
    await p.evaluate((src) => window.loadOp(src), op.checkSessionIframe);
    const a1 = await p.evaluate((m, t) => window.ask(m, t), `${op.clientId} ${ss}`, op.origin);
    report(tag, 'iframe: valid session_state', a1 === 'unchanged', `answer "${a1}"`);
    const tampered = `${ss.slice(0, 5)}${ss[5] === 'A' ? 'B' : 'A'}${ss.slice(6)}`;
    const a2 = await p.evaluate((m, t) => window.ask(m, t), `${op.clientId} ${tampered}`, op.origin);
    report(tag, 'iframe: tampered session_state', a2 === 'changed', `answer "${a2}"`);
    const a2b = await p.evaluate((m, t) => window.ask(m, t), `${op.clientId} ${ss}`, op.origin);
    report(tag, 'iframe: valid again', a2b === 'unchanged', `answer "${a2b}"`);

    // 3. prompt=none while signed in (second tab, the iframe stays in the first)
    const p2 = await ctx.newPage();
    p2.setDefaultTimeout(STEP_TIMEOUT);
    const silent = await authorize(p2, op, L, { flow, prompt: 'none', label: 'prompt=none' });
    const ss2 = silent.params.session_state;
    report(tag, 'prompt=none while signed in', !!ss2 && !silent.params.error,
      silent.params.error ? `error=${silent.params.error}` : `session_state ${ss2 === ss ? 'same as before' : 'new value'}: ${ss2}`);
    if (ss2) {
      const a3 = await p.evaluate((m, t) => window.ask(m, t), `${op.clientId} ${ss2}`, op.origin);
      report(tag, 'iframe: session_state from prompt=none', a3 === 'unchanged', `answer "${a3}"`);
      const a3b = await p.evaluate((m, t) => window.ask(m, t), `${op.clientId} ${ss}`, op.origin);
      note(tag, `first session_state after prompt=none: "${a3b}" (informational)`);
    }

    // 4. cross-site RP (localhost vs 127.0.0.1): informational
    try {
      const p3 = await ctx.newPage();
      await p3.goto(`${RP_CROSS}/check.html`, { timeout: 5000 });
      await p3.evaluate((src) => window.loadOp(src), op.checkSessionIframe);
      const x = await p3.evaluate((m, t) => window.ask(m, t), `${op.clientId} ${ss}`, op.origin);
      report(tag, `cross-site RP ${RP_CROSS} (informational)`, false, `answer "${x}" (expected "error": no OP cookie in a cross-site iframe)`, { info: true });
      await p3.close();
    } catch (err) {
      report(tag, `cross-site RP ${RP_CROSS} (informational)`, false, `not run: ${err.message}`, { info: true });
    }

    // 5. logout at end_session_endpoint in the second tab
    const logoutState = b64u(randomBytes(8));
    const lo = new URL(op.endSessionEndpoint);
    lo.searchParams.set('id_token_hint', silent.idToken || first.idToken);
    lo.searchParams.set('post_logout_redirect_uri', `${RP}/logged-out.html`);
    lo.searchParams.set('state', logoutState);
    await p2.goto(lo.href, { waitUntil: 'domcontentloaded' });
    const logoutSeen = [];
    const end = Date.now() + STEP_TIMEOUT;
    while (!p2.url().startsWith(`${RP}/logged-out.html`) && Date.now() < end) {
      if (p2.url().startsWith(op.origin) && await p2.$(L.logout.confirm)) {
        logoutSeen.push(`logout form ${new URL(p2.url()).pathname} (${L.logout.confirm})`);
        await Promise.all([p2.waitForNavigation().catch(() => {}), p2.click(L.logout.confirm)]);
        continue;
      }
      await sleep(100);
    }
    const back = responseParams(p2.url());
    report(tag, 'logout at end_session_endpoint with id_token_hint',
      p2.url().startsWith(`${RP}/logged-out.html`) && back.state === logoutState,
      `${logoutSeen.join(' -> ') || 'no OP page'} -> ${p2.url()}`);

    const a4 = await p.evaluate((m, t) => window.ask(m, t), `${op.clientId} ${ss2 || ss}`, op.origin);
    report(tag, 'iframe after logout', a4 === 'changed', `answer "${a4}"`);

    const after = await authorize(p2, op, L, { flow, prompt: 'none', label: 'prompt=none after logout' })
      .catch((err) => ({ params: { error: `(${err.message})` } }));
    report(tag, 'prompt=none after logout', after.params.error === 'login_required', `error=${after.params.error}`);
    await p2.close();
    await p.close();
  } catch (err) {
    report(tag, 'run', false, err.stack || err.message);
  } finally {
    await ctx.close().catch(() => {});
    if (op) {
      await op.stop();
      note(tag, 'stopped');
    }
  }
}

// Variants that verify the other documented pages (LOGIN.*.consentPage, logout without id_token_hint):
// node with skipConsent:false (code + PKCE), django with code + PKCE (public client: consent every time).
async function smokeVariant(browser, kind) {
  const L = LOGIN[kind];
  const tag = kind === 'node' ? 'node-oidc-provider/consent' : 'django-oidc-provider/code';
  const ctx = await browser.createBrowserContext();
  let op;
  try {
    op = kind === 'node'
      ? await startNodeOp({ port: NODE_PORT, rpOrigins: [RP], log: ECHO_OP_LOG, skipConsent: false })
      : await startDjangoOp({ port: DJANGO_PORT, rpOrigins: [RP], log: ECHO_OP_LOG });
    const p = await ctx.newPage();
    p.setDefaultTimeout(STEP_TIMEOUT);
    const first = await authorize(p, op, L, { flow: 'code', label: 'code' });
    const ss = first.params.session_state;
    const sawConsent = first.seen.some((x) => x.startsWith('consent page'));
    report(tag, 'code + PKCE: login, consent page, token exchange from the RP page (CORS)', !!ss && sawConsent && !!first.idToken,
      `pages: ${first.seen.join(' -> ')} -> ${new URL(first.url).pathname}; session_state ${ss}`);
    await p.goto(`${RP}/check.html`);
    await p.evaluate((src) => window.loadOp(src), op.checkSessionIframe);
    const a1 = await p.evaluate((m, t) => window.ask(m, t), `${op.clientId} ${ss}`, op.origin);
    report(tag, 'iframe: valid session_state', a1 === 'unchanged', `answer "${a1}"`);

    const p2 = await ctx.newPage();
    p2.setDefaultTimeout(STEP_TIMEOUT);
    const silent = await authorize(p2, op, L, { flow: 'code', prompt: 'none', label: 'prompt=none' })
      .catch((err) => ({ params: { error: `(${err.message})` } }));
    const expectSilent = kind === 'node' ? 'session_state' : 'consent_required';
    report(tag, 'code + prompt=none while signed in',
      kind === 'node' ? !!silent.params.session_state : silent.params.error === 'consent_required',
      `expected ${expectSilent}; got ${silent.params.error ? `error=${silent.params.error}` : `session_state ${silent.params.session_state}`}`);

    // logout WITHOUT id_token_hint: a confirmation page on both OPs
    await p2.goto(op.endSessionEndpoint, { waitUntil: 'domcontentloaded' });
    const seen = [];
    const end = Date.now() + STEP_TIMEOUT;
    let clicked = false;
    while (Date.now() < end) {
      if (!clicked && await p2.$(L.logout.confirm)) {
        seen.push(`confirm form ${new URL(p2.url()).pathname} (${L.logout.confirm})`);
        await Promise.all([p2.waitForNavigation().catch(() => {}), p2.click(L.logout.confirm)]);
        clicked = true;
        continue;
      }
      if (clicked) break;
      await sleep(100);
    }
    await sleep(300);
    report(tag, 'logout without id_token_hint', clicked, `${seen.join(' -> ')} -> ${p2.url()}`);
    const a2 = await p.evaluate((m, t) => window.ask(m, t), `${op.clientId} ${ss}`, op.origin);
    report(tag, 'iframe after logout', a2 === 'changed', `answer "${a2}"`);
  } catch (err) {
    report(tag, 'run', false, err.stack || err.message);
  } finally {
    await ctx.close().catch(() => {});
    if (op) await op.stop();
  }
}

async function main() {
  const rp = await startRp();
  let session;
  let browser;
  try {
    session = await launch('chromium');
    browser = session.browser;
    console.log(`browser: ${await browser.version()}; RP ${RP} (+ ${RP_CROSS})`);
    for (const kind of ['node', 'django']) {
      if (ONLY && ONLY !== kind) continue;
      await smokeOne(browser, kind);
      if (!args.includes('--quick')) await smokeVariant(browser, kind);
    }
  } finally {
    await session?.close();
    await stopAll();
    await rp.close();
  }
  process.exitCode = counts.summary(`(${informational} informational)`);
}

main().catch((err) => { console.error(err.stack || err.message); process.exitCode = 1; });
