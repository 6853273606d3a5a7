// Static loopback server for the end-to-end suite (issue 3).
//
//   http://127.0.0.1:9030/ (also reachable as http://localhost:9030/ for the cross-site scenario)
//     /                 -> tests/e2e/rp/            RP test pages (external scripts only)
//     /pkg/             -> <repo>/pkg/              the package built by wasm-pack (application/wasm)
//     /lib.js           -> re-exports the package, or the dev stand-in when started with {standin: true}
//     /config.json?op=  -> the OP's endpoints and the monitor options the pages use
//     /csp/<file>       -> the same files, with the strict header
//                          Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'; frame-src <OP origin>
//     /bundled/<op>/    -> tests/bundler/dist/ (the esbuild-bundled app of issue 5), with /bundled/<op>/config.js
//                          setting window.BUNDLER_CONFIG = SessionMonitor options for that OP (issuer discovery +
//                          silentReauth code, session_state from the OP's source, the suite's timing)
//   http://127.0.0.1:9031/hostile.html  a page on another origin that floods its parent with
//                                       'unchanged' / 'changed' (scenario f)
//   127.0.0.1:9032      a TCP port that accepts connections and never answers (a hung OP)
//
// Usage: const srv = await startRpServer({ ops: { node: {...} } }); ... await srv.stop();
// Standalone (manual poking): node tests/e2e/rp-server.mjs
import crypto from 'node:crypto';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIME, resolveIn, send as sendTo, sendFile, serve } from '../support/static.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const RP_DIR = path.join(HERE, 'rp');
export const PKG_DIR = path.join(ROOT, 'pkg');
export const BUNDLER_DIST = path.join(ROOT, 'tests', 'bundler', 'dist');

export const RP_PORT = 9030;
export const HOSTILE_PORT = 9031;
export const BLACKHOLE_PORT = 9032;
export const RP_ORIGIN = `http://127.0.0.1:${RP_PORT}`;
export const RP_CROSS_SITE_ORIGIN = `http://localhost:${RP_PORT}`;
export const HOSTILE_ORIGIN = `http://127.0.0.1:${HOSTILE_PORT}`;
export const BLACKHOLE_ORIGIN = `http://127.0.0.1:${BLACKHOLE_PORT}`;

export function pkgBuilt() {
  try {
    return fs.readdirSync(PKG_DIR).some((f) => f.endsWith('.wasm'))
      && fs.existsSync(path.join(PKG_DIR, 'oidc_session_monitor.js'));
  } catch { return false; }
}

function originOf(u) { try { return new URL(u).origin; } catch { return null; } }

/**
 * @param {object} o
 * @param {Record<string, object>} [o.ops] name -> { name, issuer, origin, checkSessionIframe, endSessionEndpoint,
 *        authorizationEndpoint, tokenEndpoint, clientId, flow: 'code'|'implicit', sessionStateSource }
 * @param {boolean} [o.standin] serve tests/e2e/rp/dev-standin.js as /lib.js instead of the package (dev aid only)
 * @param {object} [o.monitorDefaults] intervalMs, loadTimeoutMs, responseTimeoutMs
 * @param {(line: string) => void} [o.log]
 * @param {{key: Buffer, cert: Buffer}} [o.tls] serve the RP pages over https on `o.port` (127.0.0.1 and ::1, so both
 *        https://127.0.0.1:<port> and the cross-site https://localhost:<port>), without the hostile/blackhole servers
 *        (issue 13's rig, tests/support/tls.mjs)
 * @param {number} [o.port] RP port (default 9030, the http suite's)
 */
export async function startRpServer({ ops = {}, standin = false, monitorDefaults = {}, log = () => {}, tls = null, port = RP_PORT } = {}) {
  const rpSessions = new Set();
  const state = { ops: { ...ops }, standin, monitorDefaults: { intervalMs: 500, loadTimeoutMs: 3000, responseTimeoutMs: 1500, ...monitorDefaults } };

  const rpHandler = (req, res) => {
    const send = (res_, status, body, headers) => sendTo(req, res_, status, body, headers);
    const serveFile = (res_, base, rel, headers) => sendFile(req, res_, resolveIn(base, rel), { headers, notFound: 'not found: ' + rel });
    const url = new URL(req.url, RP_ORIGIN);
    let p = decodeURIComponent(url.pathname);
    const opName = url.searchParams.get('op');
    const op = opName ? state.ops[opName] : undefined;
    let extra = {};
    if (p === '/csp' || p.startsWith('/csp/')) {
      p = p.slice(4) || '/';
      const frameSrc = op ? originOf(op.checkSessionIframe) : "'none'";
      const frameExtra = url.searchParams.get('frame') ? ' ' + originOf(url.searchParams.get('frame')) : '';
      extra = { 'Content-Security-Policy': `script-src 'self' 'wasm-unsafe-eval'; frame-src ${frameSrc}${frameExtra}` };
    }
    // Chromium keeps no `no-store` page in the back/forward cache: ?bfcache=1 serves the page cacheable.
    if (url.searchParams.get('bfcache') === '1') extra = { ...extra, 'Cache-Control': 'no-cache' };
    if (p === '/') p = '/index.html';
    if (p === '/favicon.ico') return send(res, 204, '');
    // The RP's own session (the first-party `rpSession` signal, issue 11/13): POST /rp-session/start after the
    // callback sets an HttpOnly cookie, GET /rp-session answers {"active"} for it (401 without a live one),
    // POST /rp-session/end (the RP's logout, before it sends the user to the OP) ends it.
    if (p === '/rp-session' || p === '/rp-session/start' || p === '/rp-session/end') {
      const sid = (/(?:^|;\s*)rp_sid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie || '') || [])[1];
      const json = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
      if (p === '/rp-session') return send(res, sid && rpSessions.has(sid) ? 200 : 401, JSON.stringify({ active: !!(sid && rpSessions.has(sid)) }), json);
      if (req.method !== 'POST') return send(res, 405, '{}', json);
      if (p === '/rp-session/end') { if (sid) rpSessions.delete(sid); return send(res, 200, '{"active":false}', { ...json, 'Set-Cookie': 'rp_sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax' }); }
      const id = crypto.randomBytes(16).toString('base64url');
      rpSessions.add(id);
      return send(res, 200, '{"active":true}', { ...json, 'Set-Cookie': `rp_sid=${id}; Path=/; HttpOnly; SameSite=Lax${tls ? '; Secure' : ''}` });
    }
    if (p === '/config.json') {
      if (!op) return send(res, 404, JSON.stringify({ error: `unknown op ${opName}` }), { 'Content-Type': 'application/json' });
      return send(res, 200, JSON.stringify({ ...op, hostileUrl: `${HOSTILE_ORIGIN}/hostile.html`, monitor: state.monitorDefaults }), { 'Content-Type': 'application/json', ...extra });
    }
    if (p === '/lib.js') {
      const useStandin = state.standin; // never a silent fallback: a missing pkg/ must fail the page loudly
      const src = useStandin
        ? "// DEV AID ONLY: the plain-JS stand-in is served (--standin), NOT the package.\nexport { default, SessionMonitor } from '/dev-standin.js';\nexport const IMPL = 'standin';\n"
        : "export { default, SessionMonitor } from '/pkg/oidc_session_monitor.js';\nexport const IMPL = 'pkg';\n";
      return send(res, 200, src, { 'Content-Type': MIME['.js'], ...extra });
    }
    if (p.startsWith('/pkg/')) return serveFile(res, PKG_DIR, p.slice(5), extra);
    const bundled = /^\/bundled\/([a-z]+)\/(.*)$/.exec(p);
    if (bundled) {
      const bop = state.ops[bundled[1]];
      if (!bop) return send(res, 404, `unknown op ${bundled[1]}`, { 'Content-Type': 'text/plain' });
      if (bundled[2] === 'config.js') {
        const config = {
          issuer: bop.issuer,
          clientId: bop.clientId,
          sessionState: bop.sessionStateSource,
          intervalMs: state.monitorDefaults.intervalMs,
          loadTimeoutMs: state.monitorDefaults.loadTimeoutMs,
          responseTimeoutMs: state.monitorDefaults.responseTimeoutMs,
          silentReauth: { redirectUri: `${url.origin}/silent-callback.html`, responseType: 'code', scope: 'openid', idTokenHint: { localStorage: 'rp_id_token' }, timeoutMs: 8000 },
        };
        return send(res, 200, `window.BUNDLER_CONFIG = ${JSON.stringify(config)};\n`, { 'Content-Type': MIME['.js'] });
      }
      return serveFile(res, BUNDLER_DIST, bundled[2] || 'index.html', extra);
    }
    return serveFile(res, RP_DIR, p.slice(1), extra);
  };

  const hostileHandler = (req, res) => {
    const send = (res_, status, body, headers) => sendTo(req, res_, status, body, headers);
    const serveFile = (res_, base, rel) => sendFile(req, res_, resolveIn(base, rel));
    const p = new URL(req.url, HOSTILE_ORIGIN).pathname;
    if (p === '/' || p === '/hostile.html') return serveFile(res, RP_DIR, 'hostile/hostile.html');
    if (p === '/hostile.js') return serveFile(res, RP_DIR, 'hostile/hostile.js');
    return send(res, 404, 'not found');
  };

  // Accepts TCP connections and never says a word: an OP that hangs.
  const held = new Set();
  const blackhole = net.createServer((sock) => { held.add(sock); sock.on('error', () => {}); sock.on('close', () => held.delete(sock)); });

  const servers = [];
  servers.push(await serve(rpHandler, { port, host: '127.0.0.1', tls }));
  // Browsers may resolve `localhost` to ::1 first; answer there too (same handler).
  try { servers.push(await serve(rpHandler, { port, host: '::1', tls })); } catch (e) { log(`rp-server: no ::1 listener (${e.message})`); }
  const api = {
    setOp(name, op) { state.ops[name] = op; },
    get impl() { return state.standin ? 'standin' : 'pkg'; },
    async stop() {
      for (const s of held) s.destroy();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
  if (tls) {
    log(`rp-server: https://127.0.0.1:${port} (+ https://localhost:${port}), lib=${state.standin ? 'standin' : 'pkg'}`);
    return api;
  }
  servers.push(await serve(hostileHandler, { port: HOSTILE_PORT, host: '127.0.0.1' }));
  await new Promise((resolve, reject) => {
    blackhole.once('error', reject);
    blackhole.listen(BLACKHOLE_PORT, '127.0.0.1', () => { blackhole.off('error', reject); resolve(); });
  });
  servers.push({ close: () => new Promise((r) => blackhole.close(() => r())) });
  log(`rp-server: ${RP_ORIGIN} (+ ${RP_CROSS_SITE_ORIGIN}), hostile ${HOSTILE_ORIGIN}, blackhole ${BLACKHOLE_ORIGIN}, lib=${state.standin ? 'standin' : 'pkg'}`);

  return {
    setOp(name, op) { state.ops[name] = op; },
    get impl() { return state.standin ? 'standin' : 'pkg'; },
    async stop() {
      for (const s of held) s.destroy();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srv = await startRpServer({ standin: process.argv.includes('--standin') || !pkgBuilt(), log: console.log });
  const stop = async () => { await srv.stop(); process.exit(0); };
  process.on('SIGINT', stop); process.on('SIGTERM', stop);
}
