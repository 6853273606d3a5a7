// Deliberate misuses: each line marked with MISUSE and a TypeScript error code (or codes joined
// by |, where the code depends on how the options type is spelled) must fail with that code. tests/types/check.sh fails if this file compiles or any marked line is accepted.
import { SessionMonitor, type SessionMonitorOptions } from 'oidc-session-monitor';
import type {} from 'oidc-session-monitor/oidc-session-monitor-auto.js';

const options: SessionMonitorOptions = {
  checkSessionIframe: 'https://op.example/check_session',
  clientId: 'client01',
  sessionState: { cookie: 'session_state' },
  intervalMs: '2000', // MISUSE TS2322 (a string where a number of milliseconds is expected)
};
const missing: SessionMonitorOptions = { checkSessionIframe: 'https://op', sessionState: 's' }; // MISUSE TS2322|TS2741 (clientId missing)
const typo: SessionMonitorOptions = { checkSessionIframe: 'https://op', clientId: 'c', sessionState: 's', intervalMS: 1 }; // MISUSE TS2561
const monitor = new SessionMonitor(options);
monitor.addEventListener('changed', (e) => console.log(e.detail.reason)); // MISUSE TS2339 (changed has no reason)
monitor.addEventListener('error', (e) => console.log(e.detail.attempt.toUpperCase())); // MISUSE TS2339 (attempt is a number)
monitor.addEventListener('chnaged', () => {}); // MISUSE TS2345 (no such event)
const state: 'running' = monitor.state; // MISUSE TS2322 (no such state)
monitor.state = 'stopped'; // MISUSE TS2540 (read-only)
window.addEventListener('oidc-session:unchanged', (e) => console.log(e.detail.code)); // MISUSE TS2339
monitor.logout({ state: 'x' }); // MISUSE TS2345 (postLogoutRedirectUri missing)
monitor.addEventListener('signedOut', (e) => { const r: 'signed_out' = e.detail.reason; console.log(r); }); // MISUSE TS2322 (reason is a SignOutReason)
console.log(missing, typo, state);
