// ES module usage: the package's module, `issuer` discovery and the built-in silent re-authentication.
import init, { SessionMonitor } from '/pkg/oidc_session_monitor.js';
import config from '/config.js';
import { SESSION_STATE_COOKIE, ID_TOKEN_KEY, silentRedirectUri, hasSessionState } from '/auth.js';
import { setupPage } from '/ui.js';

const EVENTS = ['unchanged', 'changed', 'error', 'stopped', 'renewed', 'signedOut', 'userChanged', 'interactionRequired'];

let monitor = null;
const ui = setupPage({
  state: () => (monitor ? monitor.state : 'no monitor'),
  checkNow: () => monitor?.checkNow(),
  stop: () => monitor?.stop(),
  start: () => monitor?.start(),
});

try {
  await init();
  monitor = new SessionMonitor({
    issuer: config.issuer,
    clientId: config.clientId,
    sessionState: { cookie: SESSION_STATE_COOKIE },
    silentReauth: {
      redirectUri: silentRedirectUri,
      responseType: 'code',
      idTokenHint: { localStorage: ID_TOKEN_KEY },
    },
  });
} catch (e) {
  ui.note(`could not create the monitor: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  throw e;
}
for (const name of EVENTS) monitor.addEventListener(name, (e) => ui.log(name, e.detail));
window.monitor = monitor; // for poking from the console

if (hasSessionState()) {
  ui.note('session_state found in the cookie: monitor.start()');
} else {
  ui.note('not signed in yet: the monitor will report no_session_state. Log in first.');
}
monitor.start();
