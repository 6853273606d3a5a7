// Real OpenID Providers for the end-to-end tests and the demo, started as child processes on loopback.
//
//   import { startNodeOp, startDjangoOp, stopAll, LOGIN } from './ops/index.mjs';
//   const op = await startNodeOp({ port: 9010, rpOrigins: ['http://127.0.0.1:9030'] });
//   ... op.issuer, op.checkSessionIframe, op.endSessionEndpoint, op.clientId ...
//   await op.stop();
//
// CLI (used by the demo; Ctrl-C stops the OP and cleans up):
//   node tests/e2e/ops/index.mjs node   --port 9010 --rp http://127.0.0.1:9030,http://localhost:9030
//   node tests/e2e/ops/index.mjs django --port 9020 --rp http://127.0.0.1:9030 [--quiet] [--consent]
//
// Every OP runs in its own process group with a throw-away data dir; stop() kills the whole group and
// waits. stopAll() runs on process exit, SIGINT, SIGTERM, SIGHUP and uncaught exceptions. The children
// also exit by themselves within ~1 s if this process dies without cleaning up (parent watchdog).
// Child output goes to tests/e2e/.run/<op>-<port>-<time>.log (handle.logFile).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import net from 'node:net';
import { getJson, startTlsProxy } from '../../support/tls.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const RUN_DIR = resolve(HERE, '..', '.run');
const NODE_SERVER = join(HERE, 'node', 'server.mjs');
const DJANGO_DIR = join(HERE, 'django');
const DJANGO_PYTHON = process.env.DJANGO_OP_PYTHON || join(DJANGO_DIR, '.venv', 'bin', 'python');

export const CLIENT_ID = 'session-rp';
export const DEFAULT_RP_ORIGINS = ['http://127.0.0.1:9030'];

/**
 * How to drive each OP's pages in a browser, as verified by smoke.mjs (puppeteer + Debian chromium).
 * Selectors are CSS selectors; `waitFor` is what to wait for after submitting.
 */
export const LOGIN = Object.freeze({
  node: Object.freeze({
    user: 'alice',
    password: 'any value (devInteractions accepts any password; the login value becomes `sub`)',
    // GET authorization_endpoint -> 302 /interaction/<uid> (login form)
    loginPage: {
      urlMatch: '/interaction/',
      username: 'input[name=login]',
      password: 'input[name=password]',
      submit: 'button[type=submit]', // "Sign-in"
    },
    // By default the harness grants consent together with the login form (skipConsent: true), so after
    // the login submit the browser goes straight to the redirect_uri. The stock consent page appears
    // with { skipConsent: false } or prompt=consent:
    consentPage: {
      urlMatch: '/interaction/',
      submit: 'button[type=submit]', // "Continue" (form with hidden prompt=consent)
      appears: 'only with skipConsent:false or prompt=consent',
    },
    // Code flow needs PKCE S256 (required for every code request). response_type=id_token needs nonce.
    // prompt=none works when signed in (new session_state) and gives login_required after logout.
    flows: { code: 'code + PKCE S256', implicit: 'id_token + nonce' },
    // GET end_session_endpoint?id_token_hint=..&post_logout_redirect_uri=..&state=.. shows a form;
    // submit it, then 302 to post_logout_redirect_uri?state=..
    logout: {
      confirm: 'button[name=logout][value=yes]', // "Yes, sign me out" (form id op.logoutForm)
      withIdTokenHint: 'form on /session/end; after the click 302 to post_logout_redirect_uri?state=..',
      noIdTokenHint: 'same form; without post_logout_redirect_uri it ends on /session/end/success',
    },
    sessionState: 'base64url(sha256(client_id " " rp_origin " " _state.<client_id> cookie)), 43 chars, no salt',
  }),
  django: Object.freeze({
    user: 'alice',
    password: 'wonderland',
    // GET authorization_endpoint -> 302 /accounts/login/?next=... (login form)
    loginPage: {
      urlMatch: '/accounts/login/',
      username: '#id_username',
      password: '#id_password',
      submit: '#login-submit',
    },
    // A public client on code flow gets this page on EVERY authorization (and prompt=none then always
    // returns consent_required). response_type=id_token (implicit, nonce) skips it.
    consentPage: {
      urlMatch: '/openid/authorize',
      submit: 'input[name=allow]', // "Authorize"; the other button "Decline" gives access_denied
      appears: 'always for response_type=code (public client); never for response_type=id_token',
    },
    flows: { code: 'code + PKCE S256 (consent page every time)', implicit: 'id_token + nonce (no consent)' },
    // GET end_session_endpoint?id_token_hint=..&post_logout_redirect_uri=..&state=.. logs out at once
    // and redirects. Without id_token_hint a confirmation form appears:
    logout: {
      confirm: 'input[name=allow]', // "Yes"; only without id_token_hint
      withIdTokenHint: 'no page: immediate logout and 302 to post_logout_redirect_uri?state=..',
      noIdTokenHint: '302 to /openid/end-session-prompt (form); after "Yes" an "end session completed" page at the same URL',
    },
    sessionState: 'hex(sha256(client_id " " rp_origin " " op_browser_state " " salt)) "." salt',
  }),
});

// ------------------------------------------------------------------------------------------------
// process bookkeeping

const live = new Set(); // of { pid, child, dataDir, exited: Promise }
let handlersInstalled = false;

function killGroup(pid, signal) {
  try { process.kill(-pid, signal); return true; } catch { return false; }
}
function groupAlive(pid) {
  try { process.kill(-pid, 0); return true; } catch { return false; }
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Synchronous last resort: nothing async can run in 'exit'.
  process.on('exit', () => {
    for (const p of live) {
      killGroup(p.pid, 'SIGKILL');
      try { rmSync(p.dataDir, { recursive: true, force: true }); } catch { /* ignore */ }
    }
    live.clear();
  });
  // Does not change the default crash behaviour; the 'exit' handler above runs afterwards anyway.
  process.on('uncaughtExceptionMonitor', () => {
    for (const p of live) killGroup(p.pid, 'SIGTERM');
  });
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.once(sig, async () => {
      await stopAll().catch(() => {});
      process.exit(code);
    });
  }
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

async function portBusy(port, host = '127.0.0.1') {
  return new Promise((resolvePromise) => {
    const sock = net.connect({ port, host });
    sock.once('connect', () => { sock.destroy(); resolvePromise(true); });
    sock.once('error', () => resolvePromise(false));
  });
}

function openLog(name, port) {
  mkdirSync(RUN_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logFile = join(RUN_DIR, `${name}-${port}-${stamp}.log`);
  return { logFile, stream: createWriteStream(logFile, { flags: 'a' }) };
}

function makeLogger(log, prefix) {
  if (!log) return null;
  if (typeof log === 'function') return (line) => log(line);
  return (line) => process.stderr.write(`${prefix} ${line}\n`);
}

// Spawns one child in its own process group; output to the log stream (+ optional echo).
function spawnChild(cmd, args, { cwd, env, stream, echo }) {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env, OP_PARENT_PID: String(process.pid), PYTHONUNBUFFERED: '1' },
    detached: true, // own process group: pid === pgid
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', (err) => resolveExit({ code: -1, signal: null, error: err }));
  });
  // The OP must not keep this process alive: a test run that forgets stop() still ends, and the
  // 'exit' handler then kills the group.
  child.unref();
  for (const s of [child.stdout, child.stderr]) {
    s.unref?.();
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (chunk) => {
      stream.write(chunk);
      if (echo) {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { echo(buf.slice(0, i)); buf = buf.slice(i + 1); }
      }
    });
  }
  return { child, exited };
}

function logTail(logFile, n = 25) {
  try { return readFileSync(logFile, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; }
}

async function waitForDiscovery(url, exited, { timeoutMs, logFile, ca }) {
  const deadline = Date.now() + timeoutMs;
  let died = null;
  exited.then((r) => { died = r; });
  let lastErr = '';
  while (Date.now() < deadline) {
    if (died) {
      throw new Error(`OP process exited (code ${died.code}, signal ${died.signal}) before ${url} answered.\n`
        + `--- ${logFile} ---\n${logTail(logFile)}`);
    }
    try {
      if (ca) return await getJson(url, { ca });
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return res.json();
      lastErr = `HTTP ${res.status}`;
    } catch (err) {
      lastErr = err.cause?.code || err.message;
    }
    await sleep(150);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${lastErr}).\n--- ${logFile} ---\n${logTail(logFile)}`);
}

async function stopProc(p, { graceMs = 4000 } = {}) {
  if (!live.has(p)) return;
  killGroup(p.pid, 'SIGTERM');
  const done = await Promise.race([p.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done || groupAlive(p.pid)) {
    killGroup(p.pid, 'SIGKILL');
    await Promise.race([p.exited, sleep(2000)]);
    for (let i = 0; i < 20 && groupAlive(p.pid); i += 1) await sleep(50);
  }
  live.delete(p);
}

function normalizeOrigins(rpOrigins) {
  const list = typeof rpOrigins === 'string' ? rpOrigins.split(',') : (rpOrigins || DEFAULT_RP_ORIGINS);
  return list.map((o) => String(o).trim()).filter(Boolean).map((o) => new URL(o).origin);
}

function makeHandle({ name, short, port, origin, rpOrigins, discovery, logFile, dataDir, procs, extra }) {
  let stopping = null;
  const handle = {
    name,
    issuer: discovery.issuer,
    origin,
    port,
    discoveryUrl: extra.discoveryUrl,
    discovery,
    authorizationEndpoint: discovery.authorization_endpoint,
    tokenEndpoint: discovery.token_endpoint,
    checkSessionIframe: discovery.check_session_iframe,
    endSessionEndpoint: discovery.end_session_endpoint,
    clientId: CLIENT_ID,
    user: LOGIN[short].user,
    password: short === 'django' ? LOGIN.django.password : 'any',
    rpOrigins,
    redirectUris: rpOrigins.flatMap((o) => [`${o}/callback.html`, `${o}/silent-callback.html`]),
    postLogoutRedirectUris: rpOrigins.map((o) => `${o}/logged-out.html`),
    login: LOGIN[short],
    logFile,
    dataDir,
    pid: procs[procs.length - 1].pid,
    ...extra.fields,
    stop() {
      if (!stopping) {
        stopping = (async () => {
          for (const p of procs) await stopProc(p);
          try { rmSync(dataDir, { recursive: true, force: true }); } catch { /* ignore */ }
          handles.delete(handle);
        })();
      }
      return stopping;
    },
  };
  handles.add(handle);
  return handle;
}
const handles = new Set();

// ------------------------------------------------------------------------------------------------
// public API

/**
 * Starts node oidc-provider 6.31.1 (tests/e2e/ops/node/server.mjs).
 * @param {{port?: number, rpOrigins?: string[]|string, log?: boolean|((line:string)=>void),
 *          skipConsent?: boolean, timeoutMs?: number, backchannelLogoutUri?: string,
 *          frontchannelLogoutUri?: string}} opts
 *   backchannelLogoutUri: enables Back-Channel Logout (see server.mjs NODE_OP_BACKCHANNEL_URI)
 *   frontchannelLogoutUri: enables Front-Channel Logout (see server.mjs NODE_OP_FRONTCHANNEL_URI)
 */
export async function startNodeOp({ port = 9010, rpOrigins, log = false, skipConsent = true, timeoutMs = 20000, backchannelLogoutUri = '', frontchannelLogoutUri = '', tls } = {}) {
  installHandlers();
  const origins = normalizeOrigins(rpOrigins);
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  if (await portBusy(port)) throw new Error(`node OP: port ${port} on 127.0.0.1 is already in use`);
  const dataDir = mkdtempSync(join(tmpdir(), 'oidc-op-node-'));
  const { logFile, stream } = openLog('node-op', port);
  const proc = spawnChild(process.execPath, [NODE_SERVER], {
    cwd: HERE,
    env: {
      NODE_OP_PORT: String(port),
      NODE_OP_ISSUER: origin,
      NODE_OP_RP_ORIGINS: origins.join(','),
      NODE_OP_SKIP_CONSENT: skipConsent ? '1' : '0',
      NODE_OP_DATA_DIR: dataDir,
      NODE_OP_BACKCHANNEL_URI: backchannelLogoutUri,
      NODE_OP_FRONTCHANNEL_URI: frontchannelLogoutUri,
      ...(tls ? { NODE_OP_TLS_KEY: tls.keyFile, NODE_OP_TLS_CERT: tls.certFile } : {}),
    },
    stream,
    echo: makeLogger(log, `[node-op:${port}]`),
  });
  const p = { pid: proc.child.pid, child: proc.child, exited: proc.exited, dataDir };
  live.add(p);
  const discoveryUrl = `${origin}/.well-known/openid-configuration`;
  let discovery;
  try {
    discovery = await waitForDiscovery(discoveryUrl, proc.exited, { timeoutMs, logFile, ca: tls?.ca });
  } catch (err) {
    await stopProc(p);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return makeHandle({
    name: 'node-oidc-provider', short: 'node', port, origin, rpOrigins: origins, discovery, logFile, dataDir,
    procs: [p], extra: { discoveryUrl, fields: { skipConsent } },
  });
}

/**
 * Starts django-oidc-provider 0.9.0 (tests/e2e/ops/django, venv python): setup_op (migrate,
 * creatersakey, alice/wonderland, client session-rp) then runserver --noreload.
 * @param {{port?: number, rpOrigins?: string[]|string, log?: boolean|((line:string)=>void),
 *          timeoutMs?: number}} opts
 */
export async function startDjangoOp({ port = 9020, rpOrigins, log = false, timeoutMs = 60000, tls } = {}) {
  installHandlers();
  if (!existsSync(DJANGO_PYTHON)) {
    throw new Error(`django OP: ${DJANGO_PYTHON} not found; run scripts/bootstrap.sh (or: python3 -m venv `
      + 'tests/e2e/ops/django/.venv && tests/e2e/ops/django/.venv/bin/pip install -r tests/e2e/ops/django/requirements.txt)');
  }
  const origins = normalizeOrigins(rpOrigins);
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  if (await portBusy(port)) throw new Error(`django OP: port ${port} on 127.0.0.1 is already in use`);
  // runserver cannot speak TLS: with `tls` it listens on port+1 behind a TLS-terminating proxy on `port`.
  const serverPort = tls ? port + 1 : port;
  if (tls && await portBusy(serverPort)) throw new Error(`django OP: port ${serverPort} on 127.0.0.1 is already in use`);
  const dataDir = mkdtempSync(join(tmpdir(), 'oidc-op-django-'));
  const { logFile, stream } = openLog('django-op', port);
  const env = {
    DJANGO_SETTINGS_MODULE: 'opsite.settings',
    DJANGO_OP_PORT: String(port),
    DJANGO_OP_SITE_URL: origin,
    DJANGO_OP_RP_ORIGINS: origins.join(','),
    DJANGO_OP_DATA_DIR: dataDir,
    ...(tls ? { DJANGO_OP_TLS: '1' } : {}),
  };
  const echo = makeLogger(log, `[django-op:${port}]`);
  const cleanupFail = async (p, err) => {
    if (p) await stopProc(p);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  };

  // 1. set-up (one process, in its own group too)
  const setup = spawnChild(DJANGO_PYTHON, ['manage.py', 'setup_op'], { cwd: DJANGO_DIR, env, stream, echo });
  const sp = { pid: setup.child.pid, child: setup.child, exited: setup.exited, dataDir };
  live.add(sp);
  const setupResult = await Promise.race([setup.exited, sleep(timeoutMs).then(() => null)]);
  if (!setupResult || setupResult.code !== 0) {
    await cleanupFail(sp, new Error(`django OP: setup_op failed (${setupResult ? `code ${setupResult.code}` : 'timeout'}).\n`
      + `--- ${logFile} ---\n${logTail(logFile)}`));
  }
  live.delete(sp);

  // 2. the server
  const proc = spawnChild(DJANGO_PYTHON, ['manage.py', 'runserver', `127.0.0.1:${serverPort}`, '--noreload', '--insecure'],
    { cwd: DJANGO_DIR, env, stream, echo });
  const p = { pid: proc.child.pid, child: proc.child, exited: proc.exited, dataDir };
  live.add(p);
  const proxy = tls ? await startTlsProxy({ port, target: serverPort, tls }) : null;
  const discoveryUrl = `${origin}/openid/.well-known/openid-configuration`;
  let discovery;
  try {
    discovery = await waitForDiscovery(discoveryUrl, proc.exited, { timeoutMs, logFile, ca: tls?.ca });
  } catch (err) {
    await proxy?.stop();
    await cleanupFail(p, err);
  }
  const handle = makeHandle({
    name: 'django-oidc-provider', short: 'django', port, origin, rpOrigins: origins, discovery, logFile, dataDir,
    procs: [p], extra: { discoveryUrl, fields: {} },
  });
  if (proxy) {
    const stop = handle.stop;
    handle.stop = async () => { await proxy.stop(); await stop(); };
  }
  return handle;
}

/** Stops every OP started by this process (all process groups), waits, removes their data dirs. */
export async function stopAll() {
  await Promise.all([...handles].map((h) => h.stop()));
  await Promise.all([...live].map((p) => stopProc(p)));
}

// ------------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const out = { which: argv[0], port: undefined, rp: undefined, quiet: false, consent: false };
  for (let i = 1; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--port') out.port = Number(argv[++i]);
    else if (a.startsWith('--port=')) out.port = Number(a.slice(7));
    else if (a === '--rp') out.rp = argv[++i];
    else if (a.startsWith('--rp=')) out.rp = a.slice(5);
    else if (a === '--quiet') out.quiet = true;
    else if (a === '--consent') out.consent = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

async function cli() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
    if (!['node', 'django'].includes(args.which)) throw new Error('first argument must be node or django');
  } catch (err) {
    console.error(`${err.message}\nusage: node tests/e2e/ops/index.mjs node|django [--port N] [--rp ORIGIN,ORIGIN] [--quiet] [--consent]`);
    process.exit(2);
  }
  const opts = { port: args.port, rpOrigins: args.rp, log: !args.quiet };
  if (opts.port === undefined) delete opts.port;
  const op = args.which === 'node'
    ? await startNodeOp({ ...opts, skipConsent: !args.consent })
    : await startDjangoOp(opts);
  const { discovery, login, stop, ...shown } = op;
  console.log(JSON.stringify(shown, null, 2));
  console.log(`${op.name} ready at ${op.issuer} (log: ${op.logFile}). Ctrl-C to stop.`);
  // stay alive until a signal; the installed handlers stop the OP and exit.
  setInterval(() => {}, 1 << 30);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  cli().catch((err) => { console.error(err.message); stopAll().finally(() => process.exit(1)); });
}
