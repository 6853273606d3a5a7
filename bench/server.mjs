// One small node http server for the benchmark, on two loopback origins:
//   RP  http://127.0.0.1:<p1>  the RP page, the harness, pkg/ (ours) and the peers' esbuild bundles
//   OP  http://127.0.0.2:<p2>  the fake check_session_iframe (any path ending in check_session or
//                              login-status-iframe.html) and keycloak-js's 3p-cookies/step1.html
// 127.0.0.1 and 127.0.0.2 are different sites, so the OP iframe is cross-site (out of process in
// Chromium's site isolation and Firefox's Fission), as a real OP's usually is.
// Every response is Cache-Control: no-store, so every page load fetches and compiles from scratch.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const PKG = process.env.BENCH_PKG || path.join(ROOT, 'pkg');

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json' };

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
function sendFile(res, file) {
  fs.readFile(file, (err, buf) => {
    if (err) return send(res, 404, 'text/plain', 'not found');
    send(res, 200, TYPES[path.extname(file)] || 'application/octet-stream', buf);
  });
}

/** bundles: { '/peer/name.js': string } (built by run.mjs) */
export async function startServers({ bundles = {} } = {}) {
  const rp = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const p = decodeURIComponent(u.pathname);
    if (p === '/' || p === '/rp.html') return sendFile(res, path.join(HERE, 'www', 'rp.html'));
    if (p === '/harness.js') return sendFile(res, path.join(HERE, 'www', 'harness.js'));
    if (bundles[p] != null) return send(res, 200, TYPES['.js'], bundles[p]);
    if (p.startsWith('/pkg/')) {
      const f = path.join(PKG, path.basename(p));
      return sendFile(res, f);
    }
    send(res, 404, 'text/plain', 'not found');
  });
  const op = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    if (p.endsWith('/3p-cookies/step1.html')) return sendFile(res, path.join(HERE, 'www', '3p-step1.html'));
    if (p.endsWith('/check_session') || p.endsWith('/login-status-iframe.html')) return sendFile(res, path.join(HERE, 'www', 'op.html'));
    send(res, 404, 'text/plain', 'not found');
  });
  const listen = (srv, host) => new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, () => resolve(`http://${host}:${srv.address().port}`));
  });
  const rpOrigin = await listen(rp, '127.0.0.1');
  const opOrigin = await listen(op, '127.0.0.2');
  return {
    rpOrigin, opOrigin,
    close: () => Promise.all([rp, op].map((s) => new Promise((r) => { s.closeAllConnections?.(); s.close(() => r()); }))),
  };
}
