// The showcase: a real OpenID Provider (node oidc-provider 6.31.1, started by the e2e harness) and the
// demo Relying Party site from www/, both on loopback.
//
//   node www/server.mjs            (scripts/demo.sh runs bootstrap + build first)
//
//   http://127.0.0.1:8000   the OP (issuer), client `session-rp`, user alice / any password
//   http://127.0.0.1:8001   the RP:  /                        -> www/
//                                    /pkg/                    -> pkg/ (the built npm package)
//                                    /vendor/oidc-client-ts/  -> node_modules/oidc-client-ts/dist/
//                                    /config.js               -> the OP's endpoints for the pages
//                                    /session, /rp-login      -> the demo's first-party session (in memory)
//                                    /backchannel-logout      -> the OP's back-channel logout POST
//                                    /frontchannel-notify     -> the front-channel page's notify POST
//                                    /channel-log             -> what those two heard (for the page)
//   (HTML pages may say {{OP_ISSUER}} and {{CLIENT_ID}}; they are filled in when served.)
//
// Environment: DEMO_OP_PORT (8000), DEMO_RP_PORT (8001), DEMO_QUIET=1 (no request log).
// Every response carries a strict Content-Security-Policy (external scripts only). Ctrl-C or SIGTERM
// stops the OP (its whole process group) and this server, then exits.
//
// Also importable: `const demo = await startDemo({ opPort, rpPort }); ...; await demo.stop();`
import fs from 'node:fs';
import path from 'node:path';
import { constants, createPublicKey, randomBytes, verify } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startNodeOp, stopAll } from '../tests/e2e/ops/index.mjs';
import { files, serve } from '../tests/support/static.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const MOUNTS = [
  ['/pkg/', path.join(ROOT, 'pkg')],
  ['/vendor/oidc-client-ts/', path.join(ROOT, 'node_modules', 'oidc-client-ts', 'dist')],
  ['/', HERE],
];
// Server-side files in www/ that are not part of the site.
const PRIVATE = ['/server.mjs', '/check.mjs'];

// frame-src needs 'self' besides the OP: a silent re-authentication iframe starts at the OP and is
// redirected to this site's /silent-callback.html, and CSP checks every hop of a frame's navigation.
export function csp(opOrigin) {
  return `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src 'self' ${opOrigin}; `
    + `connect-src 'self' ${opOrigin}; style-src 'self'`;
}

// The demo's first-party session (Logout everywhere): sessions in memory, keyed by an HttpOnly cookie.
// Like a real RP, the server trusts only tokens the OP signed: the ID token that opens a session and the
// back-channel logout_token that ends one are verified against the OP's JWKS with node's crypto
// (signature, iss, aud, exp/iat; for logout_token the back-channel event, sid, no nonce). Anything
// else is answered 400 and changes nothing. (examples/rp-server is the reference backend, in Rust.)
const sessions = new Map();
const channelLog = [];
const FIRST_PARTY = ['/session', '/channel-log', '/rp-login', '/backchannel-logout', '/frontchannel-notify'];
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const readBody = (req) => new Promise((resolve) => {
  let d = '';
  req.on('data', (c) => { if (d.length < 65536) d += c; });
  req.on('end', () => resolve(d));
});
function logChannel(what) {
  channelLog.push({ at: Date.now(), what });
  if (channelLog.length > 20) channelLog.shift();
}
function endSessions(iss, sid, what) {
  let n = 0;
  for (const s of sessions.values()) if (s.active && s.iss === iss && s.sid === sid) { s.active = false; n++; }
  logChannel(`${what}: ended ${n} session(s)`);
}

// JWS algorithms the OP may use, as node's crypto.verify takes them.
const ALGS = {
  RS256: ['sha256', {}], PS256: ['sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
  ES256: ['sha256', { dsaEncoding: 'ieee-p1363' }], EdDSA: [null, {}],
};
// The OP's keys, cached per jwks_uri: fetched again only for a token whose key is not in the cache
// (the OP rotated its keys), and then at most once a minute, so forged tokens cannot make this server
// hammer the OP.
const jwksCache = new Map(); // jwks_uri -> { keys, fetchedAt }
async function opKey(op, header) {
  const uri = op.discovery.jwks_uri;
  const match = (keys) => keys.find((k) => (header.kid === undefined || k.kid === header.kid) && (!k.alg || k.alg === header.alg));
  const cached = jwksCache.get(uri);
  const hit = cached && match(cached.keys);
  if (hit || (cached && Date.now() - cached.fetchedAt < 60_000)) return hit;
  const { keys } = await fetch(uri).then((r) => r.json());
  jwksCache.set(uri, { keys: Array.isArray(keys) ? keys : [], fetchedAt: Date.now() });
  return match(jwksCache.get(uri).keys);
}
/** The verified claims of a compact JWS signed by a key of the OP's JWKS, or throws. */
async function verifyJwt(jwt, op, { maxAgeSec = 600 } = {}) {
  const parts = String(jwt).split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const json = (b64) => JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'));
  const header = json(parts[0]);
  const alg = ALGS[header.alg];
  if (!alg) throw new Error(`alg ${header.alg} not accepted`);
  const jwk = await opKey(op, header);
  if (!jwk) throw new Error('no key of the OP matches');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = verify(alg[0], Buffer.from(`${parts[0]}.${parts[1]}`), { key, ...alg[1] }, Buffer.from(parts[2], 'base64url'));
  if (!ok) throw new Error('bad signature');
  const c = json(parts[1]);
  const now = Date.now() / 1000;
  const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (c.iss !== op.issuer) throw new Error('wrong iss');
  if (!aud.includes(op.clientId)) throw new Error('wrong aud');
  if (typeof c.iat !== 'number' || c.iat > now + 60 || c.iat < now - maxAgeSec) throw new Error('iat out of range');
  if (c.exp !== undefined && c.exp < now - 60) throw new Error('expired');
  return c;
}
// A logout_token seen once (jti) is not accepted again.
const seenJti = new Set();
async function verifyLogoutToken(jwt, op) {
  const c = await verifyJwt(jwt, op, { maxAgeSec: 120 });
  if (!c.events || typeof c.events[BACKCHANNEL_EVENT] !== 'object') throw new Error('no back-channel logout event');
  if ('nonce' in c) throw new Error('a logout_token has no nonce');
  if (typeof c.sid !== 'string') throw new Error('no sid');
  if (typeof c.jti !== 'string' || seenJti.has(c.jti)) throw new Error('jti missing or replayed');
  seenJti.add(c.jti);
  return c;
}

async function firstParty(req, urlPath, send, { op, rpOrigin }) {
  if (urlPath === '/session' && req.method === 'GET') {
    const id = (req.headers.cookie || '').split('; ').find((c) => c.startsWith('demo_rp_session='))?.slice(16);
    const s = id && sessions.get(id);
    return send(s && s.active ? 200 : 401, { active: Boolean(s && s.active) });
  }
  if (urlPath === '/channel-log' && req.method === 'GET') return send(200, channelLog);
  if (req.method !== 'POST') return send(405, { error: 'method not allowed' });
  const body = await readBody(req);
  try {
    if (urlPath === '/backchannel-logout') {
      // Server to server: no Origin to check; the signature is the proof.
      const c = await verifyLogoutToken(new URLSearchParams(body).get('logout_token'), op);
      endSessions(c.iss, c.sid, 'back-channel logout_token from the OP');
      return send(200, {});
    }
    // The pages' own POSTs: only from this site's pages (a cross-site form or fetch must not log users
    // in or out). Sec-Fetch-Site where the browser sends it; the Origin header otherwise (it is "null"
    // under this site's no-referrer policy, so it is only checked when it names an origin); and a JSON
    // body, which a cross-site form cannot send and a cross-site fetch cannot send without a preflight
    // this server never grants.
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    if (site !== undefined && site !== 'same-origin') throw new Error(`Sec-Fetch-Site: ${site}`);
    if (origin !== undefined && origin !== 'null' && origin !== rpOrigin) throw new Error('cross-origin POST');
    if (!String(req.headers['content-type']).startsWith('application/json')) throw new Error('not JSON');
    if (urlPath === '/rp-login') {
      const c = await verifyJwt(JSON.parse(body).id_token, op, { maxAgeSec: 86400 });
      const id = randomBytes(16).toString('hex');
      sessions.set(id, { iss: c.iss, sid: c.sid, active: true });
      return send(204, null, { 'Set-Cookie': `demo_rp_session=${id}; Path=/; HttpOnly; SameSite=Lax` });
    }
    // The front-channel page's notify: iss and sid as the OP put them in its URL. A real RP checks them
    // against its sessions the same way; it is no proof of anything beyond "this site's page said so".
    const c = JSON.parse(body);
    endSessions(c.iss, c.sid, 'front-channel page notify');
    return send(204, null);
  } catch (err) {
    if (urlPath === '/backchannel-logout') logChannel(`back-channel POST refused: ${err.message}`);
    return send(400, { error: 'invalid_request' });
  }
}

function rpHandler({ op, rpOrigin, quiet }) {
  const headers = {
    'Content-Security-Policy': csp(op.origin),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  // The OP's endpoints, as a module the pages import (no inline script needed).
  const config = `// Generated by www/server.mjs from the OP's discovery document.\nexport default ${JSON.stringify({
    issuer: op.issuer,
    clientId: op.clientId,
    authorizationEndpoint: op.authorizationEndpoint,
    tokenEndpoint: op.tokenEndpoint,
    endSessionEndpoint: op.endSessionEndpoint,
    checkSessionIframe: op.checkSessionIframe,
  }, null, 2)};\n`;
  const site = files({
    mounts: MOUNTS,
    headers,
    hidden: PRIVATE,
    routes: { '/config.js': config },
    // The pages are static except for {{OP_ISSUER}} / {{CLIENT_ID}} (the script-tag page's attributes).
    transform: (p, text) => (p.endsWith('.html') && !p.startsWith('/pkg/')
      ? text.replace(/\{\{(OP_ISSUER|CLIENT_ID)\}\}/g, (_, k) => (k === 'OP_ISSUER' ? op.issuer : op.clientId))
      : undefined),
  });
  return (req, res) => {
    if (!quiet) res.on('finish', () => console.log(`[rp] ${res.statusCode} ${req.method} ${req.url}`));
    if (req.url === '/favicon.ico') req.url = '/favicon.svg';
    const urlPath = new URL(req.url, 'http://x').pathname;
    if (FIRST_PARTY.includes(urlPath)) {
      const send = (status, json, extra = {}) => {
        res.writeHead(status, { ...headers, 'Content-Type': 'application/json', ...extra });
        res.end(json === null ? undefined : JSON.stringify(json));
      };
      return firstParty(req, urlPath, send, { op, rpOrigin });
    }
    return site(req, res);
  };
}

/**
 * Starts the OP and the RP site. Resolves to { op, rpOrigin, opOrigin, stop() }.
 * @param {{opPort?: number, rpPort?: number, quiet?: boolean}} opts
 */
export async function startDemo({ opPort = 8000, rpPort = 8001, quiet = false } = {}) {
  if (!fs.existsSync(path.join(ROOT, 'pkg', 'oidc_session_monitor_bg.wasm'))) {
    throw new Error('pkg/ is not built: run bash scripts/build.sh (or bash scripts/demo.sh)');
  }
  const rpOrigin = `http://127.0.0.1:${rpPort}`;
  // All three logout channels on (Logout everywhere): RP-initiated is always on at this OP.
  const op = await startNodeOp({
    port: opPort,
    rpOrigins: [rpOrigin],
    frontchannelLogoutUri: `${rpOrigin}/frontchannel-logout.html`,
    backchannelLogoutUri: `${rpOrigin}/backchannel-logout`,
  });
  let rp;
  try {
    rp = await serve(rpHandler({ op, rpOrigin, quiet }), { port: rpPort });
  } catch (err) {
    await op.stop();
    throw new Error(`RP: ${err.message}`);
  }
  let stopping = null;
  return {
    op,
    opOrigin: op.origin,
    rpOrigin,
    stop() {
      stopping ??= (async () => {
        await rp.close();
        await op.stop();
      })();
      return stopping;
    },
  };
}

async function main() {
  const opPort = Number(process.env.DEMO_OP_PORT || 8000);
  const rpPort = Number(process.env.DEMO_RP_PORT || 8001);
  const quiet = process.env.DEMO_QUIET === '1';
  let demo;
  let exiting = false;
  const shutdown = async (sig) => {
    if (exiting) return;
    exiting = true;
    console.log(`\n${sig}: stopping the OP and the demo site...`);
    try { if (demo) await demo.stop(); } finally {
      await stopAll().catch(() => {});
      console.log('stopped.');
      process.exit(0);
    }
  };
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of SIGNALS) process.on(sig, () => shutdown(sig));

  try {
    demo = await startDemo({ opPort, rpPort, quiet });
  } catch (err) {
    console.error(`demo: ${err.message}`);
    await stopAll().catch(() => {});
    process.exit(1);
  }
  // The harness installed its own signal handlers (stopAll + exit) on startNodeOp; ours does the
  // same and also closes the site, so keep only ours. Its synchronous 'exit' handler stays as the
  // last resort.
  for (const sig of SIGNALS) {
    process.removeAllListeners(sig);
    process.on(sig, () => shutdown(sig));
  }
  console.log([
    '',
    `  OpenID Provider  ${demo.op.issuer}   (node oidc-provider 6.31.1, log: ${path.relative(ROOT, demo.op.logFile)})`,
    `  Showcase         ${demo.rpOrigin}/`,
    '',
    '  Log in as:  alice  /  any password',
    '',
    '  Ctrl-C stops both.',
    '',
  ].join('\n'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main();
}
