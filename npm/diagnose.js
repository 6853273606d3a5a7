// `oidc-session-monitor/diagnose`: does the OP iframe see its session in this browser, and what to do if not.
// A separate entry point (issue 13 item 6): a page that imports only `oidc-session-monitor` never downloads this.
// It runs its own probe through the monitor itself: a temporary SessionMonitor with the page's options, crossTab,
// silent re-authentication and the rpSession signal off, one check cycle, then it is freed. The report combines the
// probe's first answer and the monitor's third_party_cookies_blocked evidence with what only the page can tell:
// same-site or cross-site (the monitor's own rule), and the Storage Access API.
import init, { SessionMonitor } from './oidc_session_monitor.js';

// Options that would make the probe do more than one check cycle, or act for the user.
const DROPPED = ['silentReauth', 'reauthenticate', 'rpSession', 'continueOnError', 'pauseWhenHidden'];

const ADVICE = {
  sees_session: 'The OP iframe sees its session here: session monitoring works in this browser.',
  blocked: 'This browser keeps the OP\'s cookies from its iframe (third-party cookies blocked or partitioned): serve the OP on the same site as the app (e.g. login.example.com beside app.example.com), or use rpSession (thirdPartyCookiesBlocked: "rpSession") so logout is still seen.',
  maybe_blocked: 'The first answer was changed while the OP is cross-site: either the stored session_state is stale, or the iframe cannot see its cookies. Sign in again and rerun; if it stays changed, treat it as blocked (same-site OP, or rpSession).',
  stale: 'The OP says the stored session_state is not the current one (a stale value, or the user signed out or in again at the OP): sign in again.',
  op_error: 'The OP iframe answered error although it is same-site: check clientId and that this page\'s origin is registered at the OP (a redirect URI on this origin).',
  no_session_state: 'No session_state is stored where the options say: sign in first (the callback must store session_state).',
  unreachable: 'The OP iframe did not load or did not answer: check the check_session_iframe URL, the OP\'s X-Frame-Options/CSP frame-ancestors, and this page\'s frame-src.',
  config: 'The options were rejected or discovery failed: see error.',
  timeout: 'No answer within the time allowed: the OP may be slow or down; rerun with a longer timeoutMs.',
};

/**
 * Runs the probe and resolves with the report (never rejects for a page or OP problem: that is what it reports).
 * @param {object} options the SessionMonitor options of the app
 * @param {{timeoutMs?: number}} [o]
 */
export async function diagnose(options, { timeoutMs = 15000 } = {}) {
  const t0 = Date.now();
  const report = {
    verdict: 'timeout', seesSession: 'unknown', site: 'unknown', firstAnswer: 'none',
    thirdPartyCookiesBlocked: false, storageAccess: await storageAccess(),
    storageAccessApi: typeof document !== 'undefined' && typeof document.requestStorageAccess === 'function',
    advice: '', elapsedMs: 0,
  };
  const done = (verdict, extra = {}) => {
    Object.assign(report, extra, { verdict, advice: ADVICE[verdict], elapsedMs: Date.now() - t0 });
    report.seesSession = verdict === 'sees_session' || verdict === 'stale' ? 'yes' : verdict === 'blocked' ? 'no' : 'unknown';
    return report;
  };
  const probeOptions = { ...(options || {}) };
  for (const k of DROPPED) delete probeOptions[k];
  probeOptions.crossTab = false;
  probeOptions.thirdPartyCookiesBlocked = 'stop';
  if (!probeOptions.issuer && !probeOptions.checkSessionIframe) {
    return done('config', { error: { code: 'no_op_iframe', message: 'neither issuer nor checkSessionIframe: nothing to probe' } });
  }
  let monitor;
  try {
    await init();
    monitor = new SessionMonitor(probeOptions);
  } catch (e) {
    return done('config', { error: { code: (e && e.code) || 'invalid_options', message: String((e && e.message) || e) } });
  }
  try {
    const outcome = await new Promise((resolve) => {
      let changedFirst = false;
      let settle = null;
      const timer = setTimeout(() => resolve({ verdict: changedFirst ? 'maybe_blocked' : 'timeout' }), timeoutMs);
      const finish = (r) => { clearTimeout(timer); clearTimeout(settle); resolve(r); };
      monitor.addEventListener('unchanged', () => finish({ verdict: 'sees_session', firstAnswer: report.firstAnswer === 'none' ? 'unchanged' : report.firstAnswer }));
      monitor.addEventListener('changed', (e) => {
        if (report.firstAnswer === 'none') report.firstAnswer = 'changed';
        changedFirst = !!(e.detail && e.detail.firstCheck);
        // The monitor turns a first `changed` of a cross-site iframe into third_party_cookies_blocked when it has the
        // evidence; give it a moment, else the OP's word stands (same-site: stale; cross-site: cannot tell).
        settle = setTimeout(() => finish({ verdict: monitorSite(monitor) === 'same-site' ? 'stale' : 'maybe_blocked' }), 1500);
      });
      monitor.addEventListener('error', (e) => {
        const d = e.detail || {};
        if (d.code === 'third_party_cookies_blocked') {
          if (report.firstAnswer === 'none') report.firstAnswer = d.evidence === 'error_from_start' ? 'error' : 'changed';
          finish({ verdict: 'blocked', thirdPartyCookiesBlocked: true, evidence: d.evidence });
        } else if (d.code === 'op_error') {
          if (report.firstAnswer === 'none') report.firstAnswer = 'error';
          finish({ verdict: monitorSite(monitor) === 'cross-site' ? 'blocked' : 'op_error', error: { code: d.code, message: d.message } });
        } else if (['no_session_state', 'invalid_session_state', 'storage_unavailable'].includes(d.code)) {
          finish({ verdict: 'no_session_state', error: { code: d.code, message: d.message } });
        } else if (['load_timeout', 'no_response'].includes(d.code)) {
          finish({ verdict: 'unreachable', error: { code: d.code, message: d.message } });
        } else {
          finish({ verdict: 'config', error: { code: d.code, message: d.message } });
        }
      });
      monitor.start();
    });
    report.site = monitorSite(monitor);
    const { verdict, ...extra } = outcome;
    return done(verdict, extra);
  } finally {
    try { monitor.free(); } catch { /* already freed */ }
  }
}

/** The monitor's own same-site rule (`monitor.diagnose().site`), or `unknown` before discovery. */
function monitorSite(monitor) {
  try { return monitor.diagnose().site || 'unknown'; } catch { return 'unknown'; }
}

/**
 * `document.hasStorageAccess()` where it means something: only in a page that is itself framed (a top-level page has
 * its own cookies). The OP iframe's own storage access cannot be read from here (another origin).
 */
async function storageAccess() {
  if (typeof document === 'undefined' || typeof document.hasStorageAccess !== 'function') return 'unsupported';
  let framed = true;
  try { framed = window.top !== window; } catch { /* cross-origin parent: framed */ }
  if (!framed) return 'top-level';
  try { return (await document.hasStorageAccess()) ? 'granted' : 'not-granted'; } catch { return 'not-granted'; }
}

export default diagnose;
