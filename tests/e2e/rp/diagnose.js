// Runs the package's separate entry point `diagnose` (pkg/diagnose.js) with the options the monitor page would use
// (?op=<name>; reauth=<flow> -> issuer discovery, else checkSessionIframe) and leaves the report in window.__diagnosis.
import { diagnose } from '/pkg/diagnose.js';
import { params, loadConfig, log } from './common.js';

try {
  const cfg = await loadConfig();
  const options = { clientId: cfg.clientId, sessionState: cfg.sessionStateSource, intervalMs: cfg.monitor.intervalMs, loadTimeoutMs: cfg.monitor.loadTimeoutMs, responseTimeoutMs: cfg.monitor.responseTimeoutMs };
  if (params.get('reauth')) options.issuer = cfg.issuer; else options.checkSessionIframe = cfg.checkSessionIframe;
  const report = await diagnose(options, { timeoutMs: 12000 });
  window.__diagnosis = report;
  log(`diagnose: ${JSON.stringify(report)}`);
} catch (e) {
  window.__fatal = String(e && e.stack || e);
  log('FATAL ' + window.__fatal);
}
