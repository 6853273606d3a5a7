// Loopback servers for the bundler proof and the drop-in pages: a fake OP on one port and the RP
// (dist/, the drop-in pages, pkg/) on another, both on 127.0.0.1 with ports chosen by the system.
// Every RP response carries the strict CSP a careful RP would send, which also proves that nothing
// here needs an inline script:
//   Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'; frame-src <fake OP origin>
//
//   RP  /                 -> dist/index.html (the bundled app), /main.js, /*.wasm from dist/
//       /config.js        -> window.BUNDLER_CONFIG = {checkSessionIframe: <OP>/check.html?answer=…,
//                            clientId, sessionState, intervalMs…}   (?answer= and options from the query of
//                            the page are not used: the server's `config` decides)
//       /dropin/*.html    -> tests/bundler/dropin/, with {{OP}} replaced by the fake OP's origin
//       /pkg/*            -> the package (the drop-in scripts load from here)
//   OP  /check.html, /check.js  -> tests/bundler/fake-op/
//
// Standalone: node tests/bundler/server.mjs  (prints the URLs; Ctrl-C to stop)
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.ts': 'text/plain', '.json': 'application/json' };

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => handler(req, res).catch((e) => { res.writeHead(500); res.end(String(e)); }));
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function sendFile(res, base, rel, headers, transform) {
  const file = path.resolve(base, '.' + path.posix.normalize('/' + rel));
  if (!file.startsWith(base + path.sep)) { res.writeHead(403); return res.end(); }
  let body;
  try { body = await readFile(file); } catch { res.writeHead(404, headers); return res.end('not found'); }
  if (transform) body = transform(body.toString('utf8'));
  res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

/**
 * @param {object} o
 * @param {string} [o.pkg] the package directory served at /pkg/
 * @param {string} [o.answer] what the fake OP answers for the bundled app: unchanged|changed|error|none
 * @param {object} [o.options] extra SessionMonitorOptions for the bundled app's config.js
 */
export async function startServers({ pkg = process.env.PKG || path.join(ROOT, 'pkg'), answer = 'unchanged', options = {} } = {}) {
  pkg = path.resolve(pkg);
  const op = await listen(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    await sendFile(res, path.join(HERE, 'fake-op'), u.pathname, {});
  });
  const opOrigin = `http://127.0.0.1:${op.address().port}`;
  const csp = { 'Content-Security-Policy': `script-src 'self' 'wasm-unsafe-eval'; frame-src ${opOrigin}` };
  const config = {
    checkSessionIframe: `${opOrigin}/check.html?answer=${answer}`,
    clientId: 'bundler-client',
    sessionState: 'c2Vzc2lvbi1zdGF0ZQ.salt',
    intervalMs: 200,
    loadTimeoutMs: 3000,
    responseTimeoutMs: 1000,
    ...options,
  };
  const rp = await listen(async (req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    if (p === '/favicon.ico') { res.writeHead(204); return res.end(); }
    if (p === '/config.js') {
      res.writeHead(200, { 'Content-Type': MIME['.js'], 'Cache-Control': 'no-store', ...csp });
      return res.end(`window.BUNDLER_CONFIG = ${JSON.stringify(config)};\n`);
    }
    if (p.startsWith('/pkg/')) return sendFile(res, pkg, p.slice(5), csp);
    if (p.startsWith('/dropin/')) {
      return sendFile(res, path.join(HERE, 'dropin'), p.slice(8), csp,
        p.endsWith('.html') ? (s) => s.replaceAll('{{OP}}', opOrigin) : undefined);
    }
    return sendFile(res, path.join(HERE, 'dist'), p === '/' ? 'index.html' : p.slice(1), csp);
  });
  const rpOrigin = `http://127.0.0.1:${rp.address().port}`;
  return {
    rpOrigin, opOrigin, config,
    stop: () => Promise.all([rp, op].map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); }))),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await startServers();
  console.log(`bundled app: ${s.rpOrigin}/   drop-in: ${s.rpOrigin}/dropin/auto.html   fake OP: ${s.opOrigin}/check.html`);
}
