// oidc-client-ts signs in; the monitor follows the session and uses signinSilent() to re-authenticate.
import init, { SessionMonitor } from '/pkg/oidc_session_monitor.js';
import config from '/config.js';
import { setupPage } from '/ui.js';
import { userManager, loadOidcClientTs } from '/oidc-client-ts/lib.js';

const EVENTS = ['unchanged', 'changed', 'error', 'stopped', 'renewed', 'signedOut', 'userChanged', 'interactionRequired'];

let monitor = null;
let user = null;
const [oidc, um] = await Promise.all([loadOidcClientTs(), userManager(), init()]);
user = await um.getUser();

const ui = setupPage({
  state: () => (monitor ? monitor.state : 'no monitor'),
  checkNow: () => monitor?.checkNow(),
  stop: () => monitor?.stop(),
  start: () => (monitor ? monitor.start() : ui.note('not signed in: log in first')),
  login: () => um.signinRedirect().catch((e) => ui.note(`signinRedirect: ${e.message}`)),
  user: () => (user ? user.profile.sub : null),
  idToken: () => (user ? user.id_token : null),
});

/** The monitor's reauthenticate hook: oidc-client-ts signinSilent() in a hidden iframe, prompt=none. */
async function reauthenticate() {
  try {
    const renewed = await um.signinSilent();
    user = renewed;
    return { sessionState: renewed.session_state, sub: renewed.profile.sub };
  } catch (e) {
    // The OP's answer (login_required, interaction_required, consent_required, ...) as an outcome.
    if (e instanceof oidc.ErrorResponse && e.error) return { error: e.error };
    throw e; // anything else: the monitor reports reauth_failed
  }
}

if (!user || !user.session_state) {
  ui.note('not signed in with oidc-client-ts yet: Log in (the monitor starts once there is a user).');
} else {
  try {
    monitor = new SessionMonitor({
      issuer: config.issuer,
      clientId: config.clientId,
      sessionState: user.session_state,
      sub: user.profile.sub,
      reauthenticate,
    });
  } catch (e) {
    ui.note(`could not create the monitor: ${e.code ? `${e.code}: ` : ''}${e.message}`);
    throw e;
  }
  for (const name of EVENTS) monitor.addEventListener(name, (e) => ui.log(name, e.detail));
  // After signedOut, oidc-client-ts still holds the old user: forget it, as an app would.
  monitor.addEventListener('signedOut', () => { user = null; um.removeUser(); });
  window.monitor = monitor;
  ui.note(`oidc-client-ts user ${user.profile.sub}: monitor.start()`);
  monitor.start();
}
