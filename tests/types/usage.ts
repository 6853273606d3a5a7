// Typed usage of the published package: must compile under `tsc --strict` (tests/types/check.sh).
import init, {
  SessionMonitor,
  type SessionMonitorOptions,
  type SessionMonitorEventMap,
  type SessionMonitorState,
  type SessionMonitorErrorCode,
  type SessionMonitorOptionsErrorCode,
  type SessionMonitorError,
  type SessionStateSource,
  verifyPostLogout,
  type SessionMonitorDiagnosis,
} from 'oidc-session-monitor';
// The drop-in's window events and window.oidcSessionMonitor.
import { autoStart, EVENTS } from 'oidc-session-monitor/oidc-session-monitor-auto.js';
// diagnose(), its own entry point (issue 13 item 6).
import { diagnose, type Diagnosis, type DiagnosisVerdict } from 'oidc-session-monitor/diagnose';

await init();

// Logout (issue 11): rpSession without an OP iframe, logout(), the post-logout helper.
const firstParty = new SessionMonitor({
  clientId: 'client01',
  sessionState: { cookie: 'session_state' },
  idTokenHint: { localStorage: 'id_token' },
  endSessionEndpoint: 'https://op.example/end',
  rpSession: { url: '/session', intervalMs: 5000 },
});
const endUrl: string | undefined = firstParty.logout({ postLogoutRedirectUri: 'https://rp.example/out', navigate: false, uiLocales: 'fr' });
const post: { verified: boolean; result: 'verified' | 'no_request' | 'logout_state_mismatch' } = verifyPostLogout();
console.log(endUrl, post);

const sources: SessionStateSource[] = [
  'literal-session-state',
  { cookie: 'session_state' },
  { localStorage: 'oidc.session_state' },
  { sessionStorage: 'oidc.session_state' },
];

const options: SessionMonitorOptions = {
  checkSessionIframe: 'https://op.example/check_session',
  clientId: 'client01',
  sessionState: sources[1]!,
  intervalMs: 2000,
  loadTimeoutMs: 10000,
  responseTimeoutMs: 3000,
  maxNoResponseRetries: 2,
  continueOnError: false,
};

let monitor: SessionMonitor;
try {
  monitor = new SessionMonitor(options);
} catch (e) {
  const err = e as SessionMonitorError;
  const name: 'SessionMonitorError' = err.name;
  const code: SessionMonitorOptionsErrorCode = err.code;
  const option: string | undefined = err.option;
  console.log(name, code, option, err.message);
  throw e;
}

monitor.addEventListener('unchanged', (e) => {
  const type: 'unchanged' = e.detail.type;
  const at: number = e.detail.timestamp;
  console.log(type, at);
});
monitor.addEventListener('changed', (e) => {
  const type: 'changed' = e.detail.type;
  const at: number = e.detail.timestamp;
  console.log(type, at);
});
monitor.addEventListener('error', (e) => {
  const type: 'error' = e.detail.type;
  const code: SessionMonitorErrorCode = e.detail.code;
  const message: string = e.detail.message;
  const attempt: number = e.detail.attempt;
  const at: number = e.detail.timestamp;
  if (code === 'load_timeout' || code === 'no_response' || code === 'op_error') console.log(message);
  if (code === 'third_party_cookies_blocked') {
    const evidence: 'error_from_start' | 'first_answer_changed' | 'login_required_after_first_changed' | 'changed_after_renewal' | undefined = e.detail.evidence;
    console.log(evidence);
  }
  console.log(type, attempt, at);
});
monitor.addEventListener('stopped', (e) => {
  const type: 'stopped' = e.detail.type;
  const reason: 'stopped' | 'op_iframe' | 'rp_initiated' | 'frontchannel' | 'rp_session' | 'user_changed' | 'interaction_required' | SessionMonitorErrorCode = e.detail.reason;
  console.log(type, reason, e.detail.timestamp);
}, { once: true });

monitor.addEventListener('renewed', (e) => console.log(e.detail.sub, e.detail.sid ?? 'no sid'));
monitor.addEventListener('userChanged', (e) => console.log(e.detail.sub));
monitor.addEventListener('interactionRequired', (e) => {
  const code: 'interaction_required' | 'consent_required' | 'account_selection_required' = e.detail.code;
  console.log(code);
});
monitor.addEventListener('signedOut', (e) => {
  const reason: 'op_iframe' | 'rp_initiated' | 'frontchannel' | 'rp_session' = e.detail.reason;
  console.log(e.detail.type, reason);
});

// A listener typed through the event map, added and removed.
const onChanged = (e: SessionMonitorEventMap['changed']) => console.log(e.detail.type);
monitor.addEventListener('changed', onChanged, false);
monitor.removeEventListener('changed', onChanged);

const state: SessionMonitorState = monitor.state;
switch (state) {
  case 'idle': case 'loading': case 'waiting': case 'checking':
  case 'paused': case 'reauthenticating': case 'hidden': case 'stopped':
    break;
  default: {
    const never: never = state;
    console.log(never);
  }
}
// diagnose(): whether the OP iframe sees its session in this browser.
const diagnosis: SessionMonitorDiagnosis = monitor.diagnose();
const sees: 'yes' | 'no' | 'unknown' = diagnosis.seesSession;
const first: 'unchanged' | 'changed' | 'error' | 'none' = diagnosis.firstAnswer;
console.log(sees, first, diagnosis.advice, diagnosis.site ?? 'site unknown');
const blocked: SessionMonitorOptions = { ...options, thirdPartyCookiesBlocked: 'stop' };
console.log(blocked);

monitor.start();
monitor.checkNow();
monitor.stop();
monitor.free();

// The script-tag drop-in: events on window are typed from SessionMonitorEventMap.
window.addEventListener('oidc-session:changed', (e) => {
  const type: 'changed' = e.detail.type;
  console.log(type);
});
window.addEventListener('oidc-session:error', (e) => {
  const code: SessionMonitorErrorCode = e.detail.code;
  console.log(code, e.detail.attempt);
});
window.addEventListener('oidc-session:stopped', (e) => console.log(e.detail.reason));
const running: SessionMonitor | undefined = window.oidcSessionMonitor;
running?.stop();
const names: readonly string[] = EVENTS;
const started: Promise<SessionMonitor | null> = autoStart(document.createElement('script'));
console.log(names, started);

// diagnose(): the report is typed.
const report: Diagnosis = await diagnose({ issuer: 'https://op.example', clientId: 'c', sessionState: { cookie: 'session_state' } }, { timeoutMs: 5000 });
const verdict: DiagnosisVerdict = report.verdict;
const probeBlocked: boolean = report.thirdPartyCookiesBlocked && report.seesSession === 'no';
console.log(verdict, probeBlocked, report.site, report.storageAccess, report.advice);
