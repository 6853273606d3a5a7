// The one fake OP of the test suites: a check_session_iframe whose answers the test chooses
// (check.html explains the rules), a page that floods its parent with answers (rogue.html), a page
// that loads but never answers (blank.html), a path that never answers (/hang: the iframe never
// loads) and keycloak-js's third-party-cookie probe.
// It stands in for edge cases no real OP produces and for the benchmark; the real OPs are in tests/e2e/ops.
//
//   /check.html[?answer=|?expect=]         the check_session_iframe
//   /…/check_session, /…/login-status-iframe.html   the same page, answering `answer` (option) to every message
//   /rogue.html   /blank.html   /hang   /…/3p-cookies/step1.html
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
  const srv = await serve((req, res) => {
    if (log) console.log(req.method, req.url, req.headers.referer || '');
    const p = new URL(req.url, 'http://x').pathname;
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
