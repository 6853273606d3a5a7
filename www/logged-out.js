// The post-logout page: says whether the OP sent back the state this tab's logout() sent.
import init, { verifyPostLogout } from '/pkg/oidc_session_monitor.js';
await init();
const { result } = verifyPostLogout();
const text = {
  verified: 'The OP sent back the state this tab\'s monitor.logout() sent: verified (constant-time comparison).',
  no_request: 'This tab did not start the logout with monitor.logout(), so there is no state to verify.',
  logout_state_mismatch: 'The state in this URL is not the one monitor.logout() sent: this redirect was not ours.',
}[result];
document.getElementById('verify').textContent = text;
document.getElementById('verify').dataset.result = result;
