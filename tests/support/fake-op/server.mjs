// The one fake OP of the test suites: a check_session_iframe whose answers the test chooses
// (check.html explains the rules), a page that floods its parent with answers (rogue.html), a page
// that loads but never answers (blank.html), a path that never answers (/hang: the iframe never
// loads) and keycloak-js's third-party-cookie probe.
// It stands in for edge cases no real OP produces and for the benchmark; the real OPs are in tests/e2e/ops.
//
//   /check.html[?answer=|?expect=]         the check_session_iframe
//   /…/check_session, /…/login-status-iframe.html   the same page, answering `answer` (option) to every message
//   /rogue.html   /blank.html   /hang   /…/3p-cookies/step1.html
//   /op/<echo|slow>/…   an OP for the monitor's built-in silentReauth (see silentOp below)
//   /op/log?client=…    what that OP saw for one client_id (JSON, with each request's Referer)
//   /op/record?client=… logs a request and answers 204: a resource a test page loads
//
// Every page is sent with COEP require-corp + CORP cross-origin: the wasm-bindgen test page is
// cross-origin isolated, and a cross-origin frame must opt in.
//
//   import { startFakeOp } from '../support/fake-op/server.mjs';
//   const op = await startFakeOp({ port: 0, host: '127.0.0.1', answer: 'unchanged' }); op.origin; await op.close();
// CLI (the browser tests of tests/web.rs, started by scripts/test.sh): node tests/support/fake-op/server.mjs [port]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, send } from '../static.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};
const page = (name) => fs.readFileSync(path.join(HERE, name), 'utf8');

// --- silent re-authentication ----------------------------------------------------------------------
// A minimal OP at issuer <origin>/op/<mode> (discovery, authorize, token) for silentReauth in the
// browser tests: the authorization endpoint signs in the user its id_token_hint names ("mallory"
// without a hint), with session_state `unchanged-secret-<n>`, and redirects to the redirect_uri (code
// in the query, id_token in the fragment). Mode `slow`: the token endpoint answers after SLOW_TOKEN_MS,
// so a test can look at the page while the exchange is pending. ID tokens are unsigned (the monitor
// checks their claims, not signatures). Every request is logged per client_id with its Referer.
const SLOW_TOKEN_MS = 2000;
const CORS = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
const b64u = (text) => Buffer.from(text).toString('base64url');
function claimsOf(jwt) {
  try { return JSON.parse(Buffer.from(String(jwt).split('.')[1], 'base64url').toString('utf8')); } catch { return null; }
}
const idToken = (claims) => [b64u('{"alg":"none"}'), b64u(JSON.stringify(claims)), 'c2ln'].join('.');
const json = (req, res, status, value) => send(req, res, status, JSON.stringify(value), { 'Content-Type': 'application/json', ...CORS });

function silentOp() {
  const log = new Map(); // client_id → [{ what, referer, hint, sub }]
  let issued = 0;
  const note = (client, entry) => {
    if (!log.has(client)) log.set(client, []);
    log.get(client).push(entry);
  };
  return async (req, res, url) => {
    const referer = req.headers.referer || '';
    const client = url.searchParams.get('client') || '';
    if (url.pathname === '/op/log') return json(req, res, 200, log.get(client) || []);
    if (url.pathname === '/op/record') {
      note(client, { what: 'record', referer });
      return send(req, res, 204, '', CORS);
    }
    const m = /^\/op\/(echo|slow)(\/.*)$/.exec(url.pathname);
    if (!m) return send(req, res, 404, 'not found', { 'Content-Type': 'text/plain' });
    const [, mode, rest] = m;
    const issuer = `http://${req.headers.host}/op/${mode}`;
    if (rest === '/.well-known/openid-configuration') {
      return json(req, res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        check_session_iframe: `http://${req.headers.host}/check.html`,
        response_types_supported: ['code', 'id_token'],
      });
    }
    if (rest === '/authorize') {
      const q = url.searchParams;
      const hint = q.get('id_token_hint');
      const sub = (hint && claimsOf(hint)?.sub) || 'mallory';
      const clientId = q.get('client_id') || '';
      note(clientId, { what: 'authorize', referer, hint: hint ? claimsOf(hint)?.sub ?? '?' : null, sub, prompt: q.get('prompt') });
      issued += 1;
      const out = new URLSearchParams({ state: q.get('state') || '', session_state: `unchanged-secret-${issued}` });
      const claims = { iss: issuer, sub, aud: clientId, nonce: q.get('nonce'), iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 };
      let location;
      if (q.get('response_type') === 'id_token') {
        out.set('id_token', idToken(claims));
        location = `${q.get('redirect_uri')}#${out}`;
      } else {
        out.set('code', b64u(JSON.stringify(claims)));
        location = `${q.get('redirect_uri')}?${out}`;
      }
      return send(req, res, 302, '', { ...HEADERS, Location: location });
    }
    if (rest === '/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const claims = claimsOf(`x.${form.get('code')}.x`);
      note(form.get('client_id') || '', { what: 'token', referer });
      if (mode === 'slow') await new Promise((r) => setTimeout(r, SLOW_TOKEN_MS));
      if (!claims) return json(req, res, 400, { error: 'invalid_grant' });
      return json(req, res, 200, { id_token: idToken(claims), token_type: 'Bearer', access_token: 'at' });
    }
    return send(req, res, 404, 'not found', { 'Content-Type': 'text/plain' });
  };
}

/**
 * @param {{port?: number, host?: string, answer?: string, log?: boolean}} [o] `answer`: what the aliases
 *        (`…/check_session`, `…/login-status-iframe.html`) answer to every message; default: by prefix.
 */
export async function startFakeOp({ port = 0, host = '127.0.0.1', answer = '', log = !!process.env.FAKE_OP_LOG } = {}) {
  const check = page('check.html');
  const preset = check.replace('{{ANSWER}}', answer.replace(/[^a-z_]/gi, ''));
  const rogue = page('rogue.html');
  const blank = page('blank.html');
  const step1 = page('keycloak-3p-step1.html');
  const hanging = new Set();
  const op = silentOp();
  const srv = await serve((req, res) => {
    if (log) console.log(req.method, req.url, req.headers.referer || '');
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    if (p.startsWith('/op/')) return op(req, res, url);
    if (p === '/hang') { hanging.add(res); res.on('close', () => hanging.delete(res)); return; }
    if (p === '/check.html') return send(req, res, 200, check, HEADERS);
    if (p.endsWith('/check_session') || p.endsWith('/login-status-iframe.html')) return send(req, res, 200, preset, HEADERS);
    if (p === '/rogue.html') return send(req, res, 200, rogue, HEADERS);
    if (p === '/blank.html') return send(req, res, 200, blank, HEADERS);
    if (p.endsWith('/3p-cookies/step1.html')) return send(req, res, 200, step1, HEADERS);
    return send(req, res, 404, 'not found', { 'Content-Type': 'text/plain' });
  }, { port, host });
  const close = srv.close;
  srv.close = () => { for (const r of hanging) r.destroy(); return close(); };
  return srv;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] || process.env.FAKE_OP_PORT || 9040);
  const op = await startFakeOp({ port });
  console.log(`fake OP on ${op.origin} and http://localhost:${op.port}`);
  const stop = () => op.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
