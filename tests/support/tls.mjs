// A throw-away TLS rig for loopback (issue 13): a CA and one server certificate made with the openssl CLI, under
// target/tls/ (never committed), and a small TLS-terminating proxy for servers that only speak http.
//
//   import { ensureCerts, startTlsProxy, getJson } from '../support/tls.mjs';
//   const tls = ensureCerts();                 // { key, cert, ca, keyFile, certFile, caFile, spki }
//   https.createServer({ key: tls.key, cert: tls.cert }, handler).listen(9130, '127.0.0.1');
//   const proxy = await startTlsProxy({ port: 9120, target: 9121, tls });   // https :9120 -> http :9121
//
// The certificate names `localhost`, `127.0.0.1` and `::1`: two different sites that both resolve to loopback, so the
// same servers serve a same-site and a cross-site set-up. Browsers trust it only inside the test profiles (the
// launcher accepts it there: Chromium `--ignore-certificate-errors-spki-list=<spki>`, Firefox and WebKit
// `acceptInsecureCerts`); nothing is installed system-wide. A fresh CA key is made whenever target/tls/ is missing or
// the certificate is within a day of expiry; the CA key is deleted right after signing.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TLS_DIR = path.join(ROOT, 'target', 'tls');
const OPENSSL = process.env.OPENSSL || '/usr/bin/openssl';
export const TLS_NAMES = ['localhost', '127.0.0.1', '::1'];

function openssl(args, cwd) {
  execFileSync(OPENSSL, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function load() {
  const f = (n) => path.join(TLS_DIR, n);
  const tls = {
    keyFile: f('server.key'), certFile: f('server.crt'), caFile: f('ca.crt'),
  };
  tls.key = fs.readFileSync(tls.keyFile);
  tls.cert = fs.readFileSync(tls.certFile);
  tls.ca = fs.readFileSync(tls.caFile);
  const x509 = new crypto.X509Certificate(tls.cert);
  tls.validTo = new Date(x509.validTo);
  // base64(sha256(SubjectPublicKeyInfo)): what Chromium's --ignore-certificate-errors-spki-list takes.
  tls.spki = crypto.createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  tls.fingerprint256 = x509.fingerprint256;
  return tls;
}

/** Makes (once) and returns the CA and the loopback server certificate. */
export function ensureCerts() {
  try {
    const tls = load();
    if (tls.validTo.getTime() - Date.now() > 86_400_000) return tls;
  } catch { /* make them */ }
  fs.rmSync(TLS_DIR, { recursive: true, force: true });
  fs.mkdirSync(TLS_DIR, { recursive: true });
  const san = TLS_NAMES.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  fs.writeFileSync(path.join(TLS_DIR, 'server.ext'), [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${san}`,
    '',
  ].join('\n'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30',
    '-subj', '/CN=oidc-session-monitor throw-away test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], TLS_DIR);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr',
    '-subj', '/CN=localhost'], TLS_DIR);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.crt', '-days', '29', '-extfile', 'server.ext'], TLS_DIR);
  // Nothing can sign with this CA again.
  for (const f of ['ca.key', 'server.csr', 'ca.srl', 'server.ext']) fs.rmSync(path.join(TLS_DIR, f), { force: true });
  return load();
}

/** GET url and parse JSON, trusting the rig's CA (for harness-side readiness checks). */
export function getJson(url, { ca, timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { ca, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        try { resolve(JSON.parse(body)); } catch (e) { reject(e); }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * https://127.0.0.1:<port> → http://127.0.0.1:<target>: one TLS-terminating reverse proxy (HTTP/1.1, streaming,
 * `Host` kept, `X-Forwarded-Proto: https` and `X-Forwarded-For` added) for servers that cannot speak TLS, such as
 * Django's runserver.
 */
export async function startTlsProxy({ port, target, tls, host = '127.0.0.1' }) {
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const headers = { ...req.headers, 'x-forwarded-proto': 'https', 'x-forwarded-for': req.socket.remoteAddress || '' };
    const up = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers }, (r) => {
      res.writeHead(r.statusCode || 502, r.rawHeaders);
      r.pipe(res);
    });
    up.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`tls proxy: upstream ${target}: ${e.code || e.message}`);
    });
    req.pipe(up);
  });
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port,
    origin: `https://${host}:${port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(() => r()));
    },
  };
}

/** Whether a TCP port on 127.0.0.1 accepts connections. */
export function portBusy(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t = ensureCerts();
  console.log(JSON.stringify({ dir: TLS_DIR, names: TLS_NAMES, spki: t.spki, validTo: t.validTo }, null, 2));
}
