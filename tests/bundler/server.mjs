// Loopback servers for the bundler proof and the drop-in pages: the fake OP (tests/support/fake-op) on one
// port and the RP (dist/, the drop-in pages, pkg/) on another, both on 127.0.0.1 with ports chosen by the
// system. Every RP response carries the strict CSP a careful RP would send, which also proves that nothing
// here needs an inline script:
//   Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'; frame-src 'self' <fake OP origin> ('self': the silent-callback page)
//
//   RP  /                 -> dist/index.html (the bundled app), /main.js, /*.wasm from dist/
//       /config.js        -> window.BUNDLER_CONFIG = {checkSessionIframe: <OP>/check.html?answer=…,
//                            clientId, sessionState, intervalMs…}   (?answer= and options from the query of
//                            the page are not used: the server's `config` decides)
//       /dropin/*.html    -> tests/bundler/dropin/, with {{OP}} replaced by the fake OP's origin
//       /pkg/*            -> the package (the drop-in scripts load from here)
//   OP  /check.html?answer=…  -> the fake OP's check_session_iframe
//
// Standalone: node tests/bundler/server.mjs  (prints the URLs; Ctrl-C to stop)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { files, serve } from '../support/static.mjs';
import { startFakeOp } from '../support/fake-op/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');

/**
 * @param {object} o
 * @param {string} [o.pkg] the package directory served at /pkg/
 * @param {string} [o.answer] what the fake OP answers for the bundled app: unchanged|changed|error|none
 * @param {object} [o.options] extra SessionMonitorOptions for the bundled app's config.js
 */
export async function startServers({ pkg = process.env.PKG || path.join(ROOT, 'pkg'), answer = 'unchanged', options = {} } = {}) {
  const op = await startFakeOp();
  const opOrigin = op.origin;
  const config = {
    checkSessionIframe: `${opOrigin}/check.html?answer=${answer}`,
    clientId: 'bundler-client',
    sessionState: 'c2Vzc2lvbi1zdGF0ZQ.salt',
    intervalMs: 200,
    loadTimeoutMs: 3000,
    responseTimeoutMs: 1000,
    ...options,
  };
  // Every request's path and Referer, for the test of the silent-callback page (issue 9 point 7).
  const requests = [];
  const handler = files({
    headers: { 'Content-Security-Policy': `script-src 'self' 'wasm-unsafe-eval'; frame-src 'self' ${opOrigin}` },
    routes: {
      '/favicon.ico': (req, res) => { res.writeHead(204); res.end(); },
      '/config.js': `window.BUNDLER_CONFIG = ${JSON.stringify(config)};\n`,
    },
    mounts: [['/pkg/', path.resolve(pkg)], ['/dropin/', path.join(HERE, 'dropin')], ['/', path.join(HERE, 'dist')]],
    transform: (p, text) => (p.startsWith('/dropin/') && p.endsWith('.html') ? text.replaceAll('{{OP}}', opOrigin) : undefined),
  });
  const rp = await serve((req, res) => {
    requests.push({ url: req.url, referer: req.headers.referer || '' });
    return handler(req, res);
  });
  return {
    rpOrigin: rp.origin, opOrigin, config, requests,
    stop: () => Promise.all([rp.close(), op.close()]),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await startServers();
  console.log(`bundled app: ${s.rpOrigin}/   drop-in: ${s.rpOrigin}/dropin/auto.html   fake OP: ${s.opOrigin}/check.html`);
}
