// node oidc-provider 6.31.1 (the last major with OpenID Connect Session Management 1.0), set up to run
// offline on loopback over plain http. Started as a child process by ../index.mjs; can be run alone:
//
//   NODE_OP_PORT=9010 NODE_OP_RP_ORIGINS=http://127.0.0.1:9030 node tests/e2e/ops/node/server.mjs
//
// Environment:
//   NODE_OP_PORT          port to listen on (127.0.0.1)                      default 9010
//   NODE_OP_HOST          address to bind                                    default 127.0.0.1
//   NODE_OP_ISSUER        issuer                                             default http://127.0.0.1:<port>
//   NODE_OP_RP_ORIGINS    comma-separated RP origins; for each origin O the client `session-rp` gets
//                         O/callback.html, O/silent-callback.html (redirect_uris) and O/logged-out.html
//                         (post_logout_redirect_uris)                       default http://127.0.0.1:9030
//   NODE_OP_BACKCHANNEL_URI  when set: features.backchannelLogout on, client `session-rp` gets this
//                         backchannel_logout_uri (sid required), and a second client `other-rp` (same
//                         redirect URIs) gets it too, so a real token for another client can be tested
//   NODE_OP_FRONTCHANNEL_URI  turns on Front-Channel Logout 1.0 (draft 04) with this frontchannel_logout_uri
//                         for `session-rp` (session required: the OP appends iss and sid)   default off
//   NODE_OP_SKIP_CONSENT  "0" keeps the stock devInteractions consent page ("Continue") after login;
//                         anything else grants consent together with the login form (default)
//   NODE_OP_TLS_KEY, NODE_OP_TLS_CERT  PEM files: serve https (issue 13's rig, tests/support/tls.mjs) with the
//                         provider's DEFAULT cookie settings, as in production: long cookies `SameSite=None; Secure`
//
// What is changed from the stock provider, and why (see /work/shared/OPS.md):
//   - the check_session_iframe page loads jsSHA 2.3.1 from cdnjs and a polyfill from polyfill.io. Offline,
//     every check answers `error`. We serve npm jssha@2.3.1's identical src/sha256.js from this process
//     and rewrite the script tag; the polyfill tag is dropped (fetch is native everywhere we test).
//   - long cookies default to SameSite=None, which Chromium drops over plain http: then only the
//     `.legacy` twins survive, logout never clears them and the iframe keeps answering `unchanged`.
//     cookies.long.sameSite = 'lax' fixes it.
//   - the stock HTML pages @import a Google font; removed so nothing reaches for the network.
//   - oidc-provider refuses implicit-flow clients with http:// or localhost redirect URIs; the project
//     needs response_type=id_token on loopback http too, so those two checks are relaxed (documented
//     recipe: override Client.Schema.prototype.invalidate).
import { createRequire } from 'node:module';
import { createHash, randomBytes, generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import querystring from 'node:querystring';

const require = createRequire(import.meta.url);
const { Provider } = require('oidc-provider');
const { version: OP_VERSION } = require('oidc-provider/package.json');

const PORT = Number(process.env.NODE_OP_PORT || 9010);
const HOST = process.env.NODE_OP_HOST || '127.0.0.1';
const ISSUER = process.env.NODE_OP_ISSUER || `http://127.0.0.1:${PORT}`;
const RP_ORIGINS = (process.env.NODE_OP_RP_ORIGINS || 'http://127.0.0.1:9030')
  .split(',').map((s) => s.trim()).filter(Boolean).map((o) => new URL(o).origin);
const SKIP_CONSENT = process.env.NODE_OP_SKIP_CONSENT !== '0';
const TLS = process.env.NODE_OP_TLS_KEY && process.env.NODE_OP_TLS_CERT
  ? { key: readFileSync(process.env.NODE_OP_TLS_KEY), cert: readFileSync(process.env.NODE_OP_TLS_CERT) }
  : null;
export const CLIENT_ID = 'session-rp';

const JSSHA_PATH = '/_local/jssha-2.3.1/sha256.js';
const jsshaSource = readFileSync(require.resolve('jssha/src/sha256.js'));
const jsshaSri = `sha256-${createHash('sha256').update(jsshaSource).digest('base64')}`;
const CDN_SRI = 'sha256-NyuvLfsvfCfE+ceV6/W19H+qVp3M8c9FzAgj72CW39w=';
if (jsshaSri !== CDN_SRI) {
  console.warn(`[node-op] warning: local jssha sha256.js SRI ${jsshaSri} differs from the CDN's ${CDN_SRI}`);
}

const client = {
  client_id: CLIENT_ID,
  client_name: 'session-rp',
  application_type: 'web',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'implicit'],
  response_types: ['code', 'id_token'],
  redirect_uris: RP_ORIGINS.flatMap((o) => [`${o}/callback.html`, `${o}/silent-callback.html`]),
  post_logout_redirect_uris: RP_ORIGINS.map((o) => `${o}/logged-out.html`),
};
// Front-channel logout (issue 11), off unless asked for.
const FRONTCHANNEL_URI = process.env.NODE_OP_FRONTCHANNEL_URI || '';
if (FRONTCHANNEL_URI) Object.assign(client, { frontchannel_logout_uri: FRONTCHANNEL_URI, frontchannel_logout_session_required: true });

const BACKCHANNEL_URI = process.env.NODE_OP_BACKCHANNEL_URI || '';
const clients = [client];
if (BACKCHANNEL_URI) {
  Object.assign(client, { backchannel_logout_uri: BACKCHANNEL_URI, backchannel_logout_session_required: true });
  clients.push({ ...client, client_id: 'other-rp', client_name: 'other-rp' });
}

// Fresh signing key per start (no key material is stored anywhere).
const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: `node-op-${randomBytes(4).toString('hex')}`,
  use: 'sig',
  alg: 'RS256',
};

const configuration = {
  clients,
  jwks: { keys: [signingKey] },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub }; } };
  },
  features: {
    devInteractions: { enabled: true },
    sessionManagement: { enabled: true, ack: 'draft-30' },
    rpInitiatedLogout: { enabled: true },
    frontchannelLogout: { enabled: Boolean(FRONTCHANNEL_URI), ack: 'draft-04' },
    backchannelLogout: { enabled: !!BACKCHANNEL_URI, ack: 'draft-06' },
  },
  pkce: { methods: ['S256'], required: () => true },
  // Over https the provider's defaults stay (long cookies SameSite=None; Secure), as in production.
  cookies: TLS ? { keys: [randomBytes(32).toString('hex')] } : {
    keys: [randomBytes(32).toString('hex')],
    long: { sameSite: 'lax' },
    short: { sameSite: 'lax' },
  },
  // the token endpoint answers CORS for any origin by default (clientBasedCORS); kept.
};

const provider = new Provider(ISSUER, configuration);

// Allow response_type=id_token with http://127.0.0.1 / http://localhost redirect URIs.
const { invalidate: origInvalidate } = provider.Client.Schema.prototype;
provider.Client.Schema.prototype.invalidate = function invalidate(message, code) {
  if (code === 'implicit-force-https' || code === 'implicit-forbid-localhost') return;
  origInvalidate.call(this, message, code);
};

const FONT_IMPORT = /@import url\(https:\/\/fonts\.googleapis\.com\/[^)]*\);?/g;
const CDN_TAG = /<script ([^>]*)src="https:\/\/cdnjs\.cloudflare\.com\/ajax\/libs\/jsSHA\/2\.3\.1\/sha256\.js"[^>]*><\/script>/;
const POLYFILL_TAG = /<script [^>]*src="https:\/\/polyfill\.io\/[^"]*"[^>]*><\/script>\n?/;

provider.use(async (ctx, next) => {
  // 1. local copy of jsSHA 2.3.1
  if (ctx.method === 'GET' && ctx.path === JSSHA_PATH) {
    ctx.type = 'application/javascript';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = jsshaSource;
    return;
  }

  // 2. optionally grant consent together with the devInteractions login form
  const m = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (m && ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
    const raw = await new Promise((resolve, reject) => {
      let data = '';
      ctx.req.setEncoding('utf8');
      ctx.req.on('data', (chunk) => { data += chunk; if (data.length > 56 * 1024) reject(new Error('body too large')); });
      ctx.req.on('end', () => resolve(data));
      ctx.req.on('error', reject);
    });
    ctx.req.body = raw; // oidc-provider's body parser falls back to req.body when the stream is consumed
    const body = querystring.parse(raw);
    if (SKIP_CONSENT && body.prompt === 'login' && typeof body.login === 'string' && body.login) {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(ctx.req, ctx.res, {
          login: { account: body.login },
          consent: {},
        }, { mergeWithLastSubmission: false });
        ctx.respond = false;
        return;
      }
    }
  }

  await next();

  // 3. offline check_session_iframe page, and no web fonts anywhere
  if (typeof ctx.body === 'string' && /html/.test(ctx.type || '')) {
    let html = ctx.body;
    if (ctx.method === 'GET' && ctx.path === '/session/check') {
      html = html
        .replace(CDN_TAG, (_, attrs) => `<script ${attrs}src="${JSSHA_PATH}" integrity="${jsshaSri}"></script>`)
        .replace(POLYFILL_TAG, '');
    }
    ctx.body = html.replace(FONT_IMPORT, '');
  }
});

// Validate the static client now (clients are validated lazily otherwise), so a bad RP list fails fast.
try {
  await provider.Client.find(CLIENT_ID);
  if (!(await provider.Client.find(CLIENT_ID))) throw new Error('client not found after registration');
} catch (err) {
  console.error(`[node-op] client ${CLIENT_ID} is invalid: ${err.message}`);
  process.exit(2);
}

const server = (TLS ? https.createServer(TLS, provider.callback) : provider).listen(PORT, HOST, () => {
  console.log(`[node-op] oidc-provider ${OP_VERSION} issuer=${ISSUER} listening on ${HOST}:${PORT}`);
  console.log(`[node-op] client ${CLIENT_ID} redirect_uris=${client.redirect_uris.join(' ')}`);
  console.log(`[node-op] post_logout_redirect_uris=${client.post_logout_redirect_uris.join(' ')} skipConsent=${SKIP_CONSENT}`);
  console.log(`[node-op] frontchannel_logout_uri=${FRONTCHANNEL_URI || '-'} backchannel_logout_uri=${BACKCHANNEL_URI || '-'}`);
});
server.on('error', (err) => { console.error(`[node-op] ${err.message}`); process.exit(3); });

provider.on('server_error', (ctx, err) => console.error('[node-op] server_error', err));
provider.on('authorization.error', (ctx, err) => console.log(`[node-op] authorization.error ${err.message} ${err.error_description || ''}`));
provider.on('end_session.error', (ctx, err) => console.log(`[node-op] end_session.error ${err.message} ${err.error_description || ''}`));
provider.on('check_session_origin.error', (ctx, err) => console.log(`[node-op] check_session_origin.error ${err.message} ${err.error_description || ''}`));
provider.on('end_session.success', () => console.log('[node-op] end_session.success'));
provider.on('backchannel.success', (ctx, c) => console.log(`[node-op] backchannel.success ${c.clientId}`));
provider.on('backchannel.error', (ctx, err, c) => console.log(`[node-op] backchannel.error ${c.clientId} ${err.message}`));
provider.on('authorization.success', (ctx) => console.log(`[node-op] authorization.success ${ctx.oidc.params.response_type}`));

// Parent watchdog: when started by ../index.mjs, exit if that process is gone (e.g. SIGKILLed).
const PARENT_PID = Number(process.env.OP_PARENT_PID || 0);
if (PARENT_PID) {
  setInterval(() => {
    try { process.kill(PARENT_PID, 0); } catch {
      console.log('[node-op] parent gone, exiting');
      if (process.env.NODE_OP_DATA_DIR) rmSync(process.env.NODE_OP_DATA_DIR, { recursive: true, force: true });
      process.exit(0);
    }
  }, 1000).unref();
}

function shutdown(sig) {
  console.log(`[node-op] ${sig}, closing`);
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
