// The benchmark's servers, on two loopback origins:
//   RP  http://127.0.0.1:<p1>  the RP page, the harness, pkg/ (ours) and the peers' esbuild bundles
//   OP  http://127.0.0.2:<p2>  the fake OP (tests/support/fake-op): its check_session_iframe at any path ending
//                              in check_session or login-status-iframe.html answers `unchanged` to every message,
//                              and keycloak-js's 3p-cookies/step1.html says "supported"
// 127.0.0.1 and 127.0.0.2 are different sites, so the OP iframe is cross-site (out of process in
// Chromium's site isolation and Firefox's Fission), as a real OP's usually is.
// Every response is Cache-Control: no-store, so every page load fetches and compiles from scratch.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { files, serve } from '../tests/support/static.mjs';
import { startFakeOp } from '../tests/support/fake-op/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const PKG = process.env.BENCH_PKG || path.join(ROOT, 'pkg');

/** bundles: { '/peer/name.js': string } (built by run.mjs); mounts: more [prefix, dir] (the profile's named build) */
export async function startServers({ bundles = {}, mounts = [] } = {}) {
  const rp = await serve(files({ routes: bundles, index: 'rp.html', mounts: [...mounts, ['/pkg/', PKG], ['/', path.join(HERE, 'www')]] }));
  const op = await startFakeOp({ host: '127.0.0.2', answer: 'unchanged' });
  return {
    rpOrigin: rp.origin, opOrigin: op.origin,
    close: () => Promise.all([rp.close(), op.close()]),
  };
}
