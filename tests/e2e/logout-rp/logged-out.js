// The post-logout page: verifies the state logout() sent.
import init, { verifyPostLogout } from '/pkg/oidc_session_monitor.js';
await init();
window.__postLogout = verifyPostLogout();
window.__kept = JSON.parse(sessionStorage.getItem('events') || '[]');
document.getElementById('log').textContent = JSON.stringify(window.__postLogout);
