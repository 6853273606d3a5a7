// The script-tag page's log: listens for the drop-in's `oidc-session:<event>` window events.
import { setupPage } from '/ui.js';
import { hasSessionState } from '/auth.js';

const EVENTS = ['unchanged', 'changed', 'error', 'stopped', 'renewed', 'signedOut', 'userChanged', 'interactionRequired'];
const monitor = () => window.oidcSessionMonitor;

const ui = setupPage({
  state: () => (monitor() ? monitor().state : 'no monitor'),
  checkNow: () => monitor()?.checkNow(),
  stop: () => monitor()?.stop(),
  start: () => monitor()?.start(),
});
for (const name of EVENTS) {
  window.addEventListener(`oidc-session:${name}`, (e) => ui.log(name, e.detail));
}
ui.note(hasSessionState()
  ? 'session_state found in the cookie; the tag starts the monitor by itself'
  : 'not signed in yet: the monitor will report no_session_state. Log in first.');
