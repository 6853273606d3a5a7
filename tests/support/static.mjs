// The one static file server of the test suites: loopback listeners, a MIME table, files served from
// mounted directories with no way out of them, and routes for anything generated. Used by the showcase
// (www/server.mjs), the bundler smoke test, the end-to-end RP server, the benchmark and the fake OP.
//
//   const srv = await serve(handler, { port: 0, host: '127.0.0.1' });   // srv.origin, srv.port, await srv.close()
//   const handler = files({ mounts: [['/pkg/', PKG_DIR], ['/', SITE_DIR]], headers: {...}, routes: {...} });
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};
export const mimeOf = (file) => MIME[path.extname(file)] || 'application/octet-stream';

/** `rel` resolved inside `dir`, or null when it would leave it. */
export function resolveIn(dir, rel) {
  const base = path.resolve(dir);
  const file = path.resolve(base, '.' + path.posix.normalize('/' + rel));
  return file === base || file.startsWith(base + path.sep) ? file : null;
}

/** Writes a complete response (no-store unless headers say otherwise; HEAD gets no body). */
export function send(req, res, status, body, headers = {}) {
  res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Serves `file` (200 with its MIME type, or 404). `transform(text)` rewrites text files before sending.
 * @param {{headers?: object, transform?: (text: string) => string, notFound?: string}} [o]
 */
export function sendFile(req, res, file, { headers = {}, transform, notFound = 'not found\n' } = {}) {
  if (!file) return send(req, res, 404, notFound, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  fs.readFile(file, (err, body) => {
    if (err) return send(req, res, 404, notFound, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    if (transform) body = transform(body.toString('utf8'));
    send(req, res, 200, body, { 'Content-Type': mimeOf(file), ...headers });
  });
}

/**
 * A request handler: `routes[path]` (exact path → (req, res, url) or a string/Buffer body with its type from the
 * path's extension), else the first mount whose prefix matches. `headers` go on every response; `hidden` paths
 * answer 404; `transform(urlPath, text)` may rewrite a file (return undefined to leave it).
 */
export function files({ mounts = [], routes = {}, headers = {}, hidden = [], index = 'index.html', transform } = {}) {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, 'method not allowed\n', { 'Content-Type': 'text/plain', ...headers });
    let url, p;
    try {
      url = new URL(req.url, 'http://x');
      p = decodeURIComponent(url.pathname);
    } catch { return send(req, res, 400, 'bad request\n', { 'Content-Type': 'text/plain', ...headers }); }
    const route = routes[p];
    if (typeof route === 'function') return route(req, res, url);
    if (route != null) return send(req, res, 200, route, { 'Content-Type': mimeOf(p), ...headers });
    if (hidden.includes(p)) return sendFile(req, res, null, { headers });
    if (p.endsWith('/')) p += index;
    for (const [prefix, dir] of mounts) {
      if (!p.startsWith(prefix)) continue;
      const file = resolveIn(dir, p.slice(prefix.length));
      const t = transform && ((text) => transform(p, text) ?? text);
      return sendFile(req, res, file, { headers, transform: t && /\.(html|js|json)$/.test(p) ? t : undefined });
    }
    return sendFile(req, res, null, { headers });
  };
}

/**
 * Listens on host:port (0: the system picks) with `handler`. Resolves to
 * { server, port, origin, close() }; close() drops open connections too.
 */
export function serve(handler, { port = 0, host = '127.0.0.1', tls = null } = {}) {
  // `tls` ({key, cert}, e.g. tests/support/tls.mjs): https instead of http.
  const create = (fn) => (tls ? https.createServer({ key: tls.key, cert: tls.cert }, fn) : http.createServer(fn));
  const server = create((req, res) => {
    try {
      const r = handler(req, res);
      if (r && typeof r.catch === 'function') r.catch((e) => { if (!res.headersSent) { res.writeHead(500); } res.end(String(e)); });
    } catch (e) { if (!res.headersSent) res.writeHead(500); res.end(String(e)); }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`cannot listen on ${host}:${port}: ${e.code || e.message}`)));
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      const actual = server.address().port;
      const h = host.includes(':') ? `[${host}]` : host;
      let closing = null;
      resolve({
        server, port: actual, origin: `${tls ? 'https' : 'http'}://${h}:${actual}`,
        close() {
          closing ??= new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); });
          return closing;
        },
      });
    });
  });
}
