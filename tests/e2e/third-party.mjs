#!/usr/bin/env node
// Issue 13: never a false logout when third-party cookies are blocked — the https cross-site matrix.
//
//   node tests/e2e/third-party.mjs [--op node,django] [--policy chromium-default,chromium-3pc-blocked,firefox-default]
//                                  [--setup same-site,cross-site] [--verbose]
//
// The rig (made by this command, nothing fetched): a throw-away CA and a loopback certificate under target/tls/
// (tests/support/tls.mjs, openssl CLI), node oidc-provider 6.31.1 on https://127.0.0.1:9110 with its default cookie
// settings (long cookies `SameSite=None; Secure`), django-oidc-provider 0.9.0 behind a TLS-terminating proxy on
// https://127.0.0.1:9120 (sessionid, csrftoken and the readable op_browser_state `SameSite=None; Secure`), the RP pages
// and the built package on https://127.0.0.1:9130 (same-site with the OPs) and https://localhost:9130 (cross-site).
// The browsers trust the certificate only inside their throw-away test profiles.
//
// One row per OP × cookie policy × set-up × event, one check cycle each, with silent re-authentication on
// (`issuer` + `silentReauth`: code + PKCE for node, id_token for django), the configuration where a monitor can report
// `signedOut`:
//   signed in   log in through the OP's pages, open the monitor page: its first answer, and prompt=none if it ran
//   OP logout   log out at the OP in another tab; the running monitor's reaction, or (when it had stopped) a fresh
//               monitor page's first cycle
// Columns: iframeAnswer (what the OP iframe posted), reauth (what prompt=none returned), reported (the monitor's
// events), falseLogout (signedOut/userChanged reported to a signed-in user), missedLogout (no signedOut after the OP
// logout). Writes target/reports/e2e/third-party.json (one object per row) and THIRD-PARTY.md; prints
// `third-party: N passed, M failed`. Fails on any falseLogout, and on any missedLogout in a row where the monitor did
// not report the iframe blind (third_party_cookies_blocked). The committed copies tests/e2e/third-party.json,
// tests/e2e/THIRD-PARTY.md and the README table are refreshed by `npm run report`, not here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, available, closeAll } from '../support/browsers.mjs';
import { runtimeSha256 } from '../support/report.mjs';
import { startRpServer, pkgBuilt, ROOT } from './rp-server.mjs';
import { ensureCerts, portBusy } from '../support/tls.mjs';
import { parseArgs, oneOf } from '../support/args.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.join(ROOT, 'target', 'reports', 'e2e');
const RP_PORT = 9130;
const SAME_SITE_RP = `https://127.0.0.1:${RP_PORT}`;
const CROSS_SITE_RP = `https://localhost:${RP_PORT}`;
const OPS = {
  node: { port: 9110, flow: 'code', reauth: 'code', sessionStateSource: { cookie: 'rp_session_state' }, label: 'node oidc-provider 6.31.1' },
  django: { port: 9120, flow: 'implicit', reauth: 'id_token', sessionStateSource: { localStorage: 'rp_session_state' }, label: 'django-oidc-provider 0.9.0' },
};
const POLICIES = {
  'chromium-default': { engine: 'chromium', launch: {} },
  'chromium-3pc-blocked': { engine: 'chromium', launch: { blockThirdPartyCookies: true } },
  'firefox-default': { engine: 'firefox', launch: {} },
  'webkit-default': { engine: 'webkit', launch: {} },
  // The first-party fallback (issue 13 item 4): thirdPartyCookiesBlocked 'rpSession' with the test RP server's own
  // session endpoint, where the default Chromium makes the OP iframe blind (cross-site only: same-site never engages it).
  'chromium-default+rpSession': { engine: 'chromium', launch: {}, rpSession: true, setups: ['cross-site'] },
};
const SETUPS = { 'same-site': SAME_SITE_RP, 'cross-site': CROSS_SITE_RP };
const MONITOR = { intervalMs: 500, loadTimeoutMs: 4000, responseTimeoutMs: 2000 };
const REAUTH_TIMEOUT = 8000;

// ------------------------------------------------------------------------------------------------ options
const opt = parseArgs(import.meta.url, { lists: { op: 'ops', policy: 'policies', setup: 'setups' } });
oneOf(opt.ops, OPS, 'op');
oneOf(opt.policies, POLICIES, 'policy');
oneOf(opt.setups, SETUPS, 'setup');

// ------------------------------------------------------------------------------------------------ utilities
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
class Fail extends Error {}
const types = (evs) => evs.map((e) => (e.event === 'error' ? `error:${e.code}${e.evidence ? `(${e.evidence})` : ''}` : e.event === 'stopped' ? `stopped:${e.reason}` : e.event === 'signedOut' && e.reason === 'rp_session' ? 'signedOut(rp_session)' : e.event)).join(', ') || '(nothing)';
async function safeEval(page, fn, ...args) { try { return await page.evaluate(fn, ...args); } catch { return undefined; } }
async function gotoUrl(page, url) {
  try { await page.goto(url, { waitUntil: 'load' }); } catch (e) {
    if (!/interrupt|abort|destroyed|NS_BINDING_ABORTED/i.test(String(e.message))) throw e;
  }
}
async function clickAndWait(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 15_000 }).catch(() => {}), page.click(selector)]);
}

/** Logs in through the OP's own pages (top level, first party) and stays on the RP callback. */
async function login(page, op, rp) {
  await gotoUrl(page, `${rp}/login.html?op=${op.short}&next=stay`);
  const sel = op.login;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await page.$('body').catch(() => null); // WebDriver pages learn their URL on each command
    const url = page.url();
    if (url.startsWith(rp + '/')) {
      const cb = await safeEval(page, () => window.__callback || (window.__fatal ? { ok: false, error: window.__fatal } : null));
      if (cb && !cb.ok) throw new Fail(`RP callback failed: ${cb.error}`);
      if (cb && cb.ok) return;
    } else if (url.startsWith(op.origin + '/')) {
      try {
        if (await page.$(sel.loginPage.username)) {
          await page.type(sel.loginPage.username, op.user);
          await page.type(sel.loginPage.password, 'wonderland');
          await clickAndWait(page, sel.loginPage.submit);
          continue;
        }
        if (url.includes(sel.consentPage.urlMatch) && await page.$(sel.consentPage.submit)) { await clickAndWait(page, sel.consentPage.submit); continue; }
      } catch { /* navigation race: retry */ }
    }
    await sleep(150);
  }
  throw new Fail(`login did not complete; stuck at ${page.url()}`);
}

/** RP-initiated logout at the OP (top level, first party) in a new tab; closes it afterwards. */
async function logoutAtOp(session, op, rp) {
  const tab = await session.newPage('logout');
  await gotoUrl(tab, `${rp}/logout.html?op=${op.short}`);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    await tab.$('body').catch(() => null); // WebDriver pages learn their URL on each command
    const url = tab.url();
    if (url.startsWith(`${rp}/logged-out.html`)) { await tab.close().catch(() => {}); return; }
    if (url.startsWith(op.origin + '/')) {
      try { if (await tab.$(op.login.logout.confirm)) { await clickAndWait(tab, op.login.logout.confirm); continue; } } catch { /* race */ }
    }
    await sleep(100);
  }
  throw new Fail(`logout did not reach ${rp}/logged-out.html; stuck at ${tab.url()}`);
}

async function openMonitor(page, op, rp, rpSession = false) {
  const q = new URLSearchParams({ op: op.short, reauth: op.reauth, reauthTimeoutMs: String(REAUTH_TIMEOUT) });
  if (rpSession) q.set('rpSession', '1');
  await gotoUrl(page, `${rp}/monitor.html?${q}`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const st = await safeEval(page, () => ({ ready: !!window.__ready, fatal: window.__fatal || null, impl: window.__impl }));
    if (st && st.fatal) throw new Fail(`monitor page failed: ${st.fatal}`);
    if (st && st.ready) {
      if (st.impl !== 'pkg') throw new Fail(`the monitor page runs ${st.impl}, not the package`);
      return;
    }
    if (Date.now() > deadline) throw new Fail('monitor page never became ready');
    await sleep(100);
  }
}

/** What the page recorded after page-clock `t`: the monitor's events, the OP iframe's answers, prompt=none outcomes. */
async function observed(page, t = -1) {
  const r = await safeEval(page, (since) => ({
    events: window.__events.filter((e) => e.at > since),
    answers: window.__messages.filter((m) => m.fromOpFrame && m.at > since && ['changed', 'unchanged', 'error'].includes(m.data)).map((m) => m.data),
    silent: window.__silentOutcomes.slice(),
  }), t);
  return r || { events: [], answers: [], silent: [] };
}
/** The package's `oidc-session-monitor/diagnose` entry point on an RP page of this set-up: its report. */
async function runDiagnose(page, op, rp) {
  await gotoUrl(page, `${rp}/diagnose.html?${new URLSearchParams({ op: op.short, reauth: op.reauth })}`);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const st = await safeEval(page, () => ({ d: window.__diagnosis || null, fatal: window.__fatal || null }));
    if (st && st.fatal) throw new Fail(`diagnose page failed: ${st.fatal}`);
    if (st && st.d) return st.d;
    if (Date.now() > deadline) throw new Fail('diagnose() gave no report within 20 s');
    await sleep(150);
  }
}

/**
 * What an OP page framed by the RP page sees (a diagnostic, not the monitor): the names of the OP cookies its
 * `document.cookie` shows and `document.hasStorageAccess()`. The frame is removed afterwards.
 */
async function probeFrame(page, op) {
  const url = op.checkSessionIframe; // an OP page made to be framed (others send X-Frame-Options)
  await safeEval(page, (u) => new Promise((resolve) => {
    const f = document.createElement('iframe');
    f.id = 'tp-probe';
    f.onload = () => resolve();
    f.src = u;
    document.body.appendChild(f);
    setTimeout(resolve, 4000);
  }), url);
  let frame;
  let webdriver = false;
  try { frame = page.frames().find((f) => f.url() === url); } catch { webdriver = true; /* no frames() */ }
  if (!frame) {
    await safeEval(page, () => document.getElementById('tp-probe')?.remove());
    return webdriver ? 'not probed (WebDriver cannot enter a frame)' : 'not probed (frame not found)';
  }
  const seen = frame ? await Promise.race([frame.evaluate(async () => ({
    cookies: document.cookie.split('; ').filter(Boolean).map((c) => c.split('=')[0]),
    storageAccess: typeof document.hasStorageAccess === 'function' ? await document.hasStorageAccess() : null,
  })).catch((e) => ({ err: String(e.message).slice(0, 80) })), sleep(3000).then(() => ({ err: 'timeout' }))]) : { err: 'no frame' };
  await safeEval(page, () => document.getElementById('tp-probe')?.remove());
  const want = op.short === 'node' ? '_state.session-rp' : 'op_browser_state';
  return seen.err ? `probe failed: ${seen.err}` : `${seen.cookies.includes(want) ? 'yes' : 'no'} (hasStorageAccess ${seen.storageAccess})`;
}

const clock = (page) => safeEval(page, () => Math.round(performance.now() - window.__t0));

const TERMINAL = ['stopped', 'signedOut', 'userChanged', 'interactionRequired'];
/** One check cycle: the first answer and what followed from it (re-authentication and its outcome). */
// `settledAfter`: an `unchanged` counts only when it answers a check surely posted after this page-clock time (an
// answer in flight during a logout says nothing about it).
function cycleDone(evs, settledAfter = -1) {
  if (evs.some((e) => TERMINAL.includes(e.event))) return true;
  const r = evs.findIndex((e) => e.event === 'renewed');
  if (r >= 0) return evs.slice(r + 1).some((e) => e.event !== 'renewed');
  const late = settledAfter + (settledAfter >= 0 ? MONITOR.intervalMs + MONITOR.responseTimeoutMs : 0);
  return evs.some((e) => e.event === 'unchanged' && e.at > late) && !evs.some((e) => e.event === 'changed');
}
async function waitCycle(page, t = -1, settledAfter = -1) {
  const deadline = Date.now() + MONITOR.loadTimeoutMs + REAUTH_TIMEOUT + 8000;
  for (;;) {
    const o = await observed(page, t);
    if (cycleDone(o.events, settledAfter)) return o;
    if (Date.now() > deadline) return { ...o, timedOut: true };
    await sleep(150);
  }
}

/**
 * The rpSession fallback: signed in, the blind error and then 3 s of the first-party signal with no logout and no stop;
 * after the logout, signedOut from the RP session (the cycle of an OP-iframe row ends at a terminal event instead).
 */
async function waitFallback(page, t, loggedOut) {
  const deadline = Date.now() + MONITOR.loadTimeoutMs + 10_000;
  let blindAt = null;
  for (;;) {
    const o = await observed(page, t);
    if (o.events.some((e) => TERMINAL.includes(e.event))) return o;
    if (!loggedOut && o.events.some((e) => e.code === 'third_party_cookies_blocked')) {
      blindAt = blindAt || Date.now();
      if (Date.now() - blindAt > 3000) return o;
    }
    if (!loggedOut && o.events.some((e) => e.event === 'unchanged') && !blindAt) return o; // the iframe sees: no fallback
    if (Date.now() > deadline) return { ...o, timedOut: true };
    await sleep(150);
  }
}
const brief = (d) => `${d.verdict}${d.evidence ? ` (${d.evidence})` : ''}, site ${d.site}, first ${d.firstAnswer}, storage access ${d.storageAccess}`;

function row({ op, policy, setup, event, o, silentBefore, signedIn }) {
  const reported = types(o.events.filter((e) => e.event !== 'renewed' || true));
  const newSilent = o.silent.slice(silentBefore);
  const falseLogout = signedIn && o.events.some((e) => e.event === 'signedOut' || e.event === 'userChanged');
  const missedLogout = !signedIn && !o.events.some((e) => e.event === 'signedOut');
  const blind = o.events.some((e) => e.code === 'third_party_cookies_blocked');
  return {
    op, engine: POLICIES[policy].engine, policy, setup, event,
    iframeAnswer: o.answers.join(', ') || '(none)',
    reauth: newSilent.join(', ') || 'not run',
    reported: reported + (o.timedOut ? ' (cycle timed out)' : ''),
    falseLogout, missedLogout, blind,
  };
}

// ------------------------------------------------------------------------------------------------ one session
async function runSession(op, policy, setup, tls) {
  const rp = SETUPS[setup];
  const p = POLICIES[policy];
  const session = await launch(p.engine, { label: `${p.engine} ${policy}`, tls, ...p.launch });
  const rows = [];
  try {
    const page = await session.newPage('rp');
    await login(page, op, rp);
    // The RP's own session (the rpSession signal's source), as the app's server would start it after the callback.
    if (p.rpSession) {
      const ok = await safeEval(page, async () => (await fetch('/rp-session/start', { method: 'POST', credentials: 'same-origin' })).ok);
      if (!ok) throw new Fail('could not start the RP session at /rp-session/start');
    }
    // diagnose() (its own entry point) on this set-up, signed in, before the monitor page
    const diagnosis = await runDiagnose(page, op, rp);
    // signed in
    await openMonitor(page, op, rp, p.rpSession);
    const o1 = p.rpSession ? await waitFallback(page, -1, false) : await waitCycle(page);
    const sees = await probeFrame(page, op);
    rows.push({ ...row({ op: op.short, policy, setup, event: 'signed in', o: o1, silentBefore: 0, signedIn: true }), iframeSeesCookie: sees, diagnose: brief(diagnosis), diagnoseVerdict: diagnosis.verdict, fallback: !!p.rpSession });
    // OP logout: the running monitor (it is past its first cycle), or a fresh page if it stopped.
    const stopped = o1.events.some((e) => e.event === 'stopped');
    const silentBefore = stopped ? 0 : o1.silent.length;
    const t = await clock(page);
    await logoutAtOp(session, op, rp);
    await page.bringToFront().catch(() => {});
    const tDone = await clock(page);
    let o2;
    if (p.rpSession) {
      o2 = await waitFallback(page, t, true);
    } else if (stopped) {
      await openMonitor(page, op, rp);
      o2 = await waitCycle(page);
    } else {
      o2 = await waitCycle(page, t, tDone);
    }
    rows.push({ ...row({ op: op.short, policy, setup, event: 'OP logout', o: o2, silentBefore, signedIn: false }), iframeSeesCookie: sees, diagnose: '″', fallback: !!p.rpSession });
    if (opt.verbose) console.log(session.consoleText());
  } catch (e) {
    console.log(session.consoleText().split('\n').slice(-30).join('\n'));
    throw e;
  } finally {
    await session.close();
  }
  return rows;
}

/**
 * The row's other claims: diagnose() tells blocked from not blocked as the monitor found it (signed in: a blind
 * monitor → `blocked`, a monitor that heard `unchanged` → `sees_session`); the rpSession fallback keeps running after
 * the blind error (no stop) and reports the logout from the RP session.
 */
function whatElse(r) {
  if (r.event === 'signed in') {
    const want = r.blind ? 'blocked' : r.reported.startsWith('unchanged') ? 'sees_session' : null;
    if (want && r.diagnoseVerdict !== want) return `diagnose() said ${r.diagnoseVerdict}, the monitor found ${want}`;
  }
  if (r.fallback && r.event === 'signed in' && (!r.blind || r.reported.includes('stopped'))) return 'the rpSession fallback did not take over (no blind error, or stopped)';
  if (r.fallback && r.event === 'OP logout' && !r.reported.includes('signedOut(rp_session)')) return 'the rpSession fallback did not report the logout';
  return null;
}

// ------------------------------------------------------------------------------------------------ main
function table(rows) {
  const head = '| OP | policy | set-up | event | a framed OP page sees its cookie | diagnose() said | OP iframe answered | prompt=none returned | monitor reported | false logout | missed logout |';
  const lines = rows.map((r) => `| ${r.op} | ${r.policy} | ${r.setup} | ${r.event} | ${r.event === 'signed in' ? r.iframeSeesCookie : '″'} | ${r.diagnose} | ${r.iframeAnswer} | ${r.reauth} | ${r.reported} | ${r.falseLogout ? '**YES**' : 'no'} | ${r.missedLogout ? (r.blind ? 'yes (iframe blind)' : '**YES**') : 'no'} |`);
  return [head, '|---|---|---|---|---|---|---|---|---|---|---|', ...lines].join('\n');
}

async function main() {
  if (!pkgBuilt()) { console.error('third-party: pkg/ is not built (bash scripts/build.sh)'); process.exit(2); }
  const engines = new Set(opt.policies.map((p) => POLICIES[p].engine));
  for (const e of engines) if (!available(e)) { console.error(`third-party: ${e} is not installed`); process.exit(2); }
  for (const port of [RP_PORT, ...opt.ops.map((o) => OPS[o].port)]) {
    if (await portBusy(port)) { console.error(`third-party: port ${port} is busy`); process.exit(2); }
  }
  const t0 = Date.now();
  const tls = ensureCerts();
  const ops = await import('./ops/index.mjs');
  const server = await startRpServer({ tls, port: RP_PORT, monitorDefaults: MONITOR, log: (l) => console.log(l) });
  const handles = {};
  let failed = 0; let passed = 0;
  const rows = [];
  const versions = {};
  try {
    for (const name of opt.ops) {
      const meta = OPS[name];
      const start = name === 'node' ? ops.startNodeOp : ops.startDjangoOp;
      const h = await start({ port: meta.port, rpOrigins: [SAME_SITE_RP, CROSS_SITE_RP], tls });
      Object.assign(h, { short: name, flow: meta.flow, reauth: meta.reauth });
      handles[name] = h;
      server.setOp(name, {
        name, issuer: h.issuer, origin: h.origin, checkSessionIframe: h.checkSessionIframe,
        authorizationEndpoint: h.authorizationEndpoint, tokenEndpoint: h.tokenEndpoint, endSessionEndpoint: h.endSessionEndpoint,
        clientId: h.clientId, flow: meta.flow, sessionStateSource: meta.sessionStateSource,
      });
    }
    console.log(`third-party: rig up in ${((Date.now() - t0) / 1000).toFixed(1)}s (CA + certificate in target/tls, OPs ${Object.values(handles).map((h) => h.origin).join(' ')}, RP ${SAME_SITE_RP} / ${CROSS_SITE_RP})`);
    for (const name of opt.ops) {
      for (const policy of opt.policies) {
        for (const setup of opt.setups.filter((x) => !POLICIES[policy].setups || POLICIES[policy].setups.includes(x))) {
          const what = `${name} × ${policy} × ${setup}`;
          const ts = Date.now();
          let got;
          try {
            got = await runSession(handles[name], policy, setup, tls);
          } catch (e) {
            failed += 1;
            console.log(`FAIL ${what}: ${e.message}`);
            continue;
          }
          for (const r of got) {
            rows.push(r);
            const bad = r.falseLogout ? 'FALSE LOGOUT' : (r.missedLogout && !r.blind ? 'missed logout without a blind iframe' : (r.reported.includes('timed out') ? 'the check cycle never ended' : whatElse(r)));
            if (bad) failed += 1; else passed += 1;
            console.log(`${bad ? 'FAIL' : 'PASS'} ${what} × ${r.event}: iframe ${r.iframeAnswer}; prompt=none ${r.reauth}; reported ${r.reported}${bad ? ` — ${bad}` : ''} (${((Date.now() - ts) / 1000).toFixed(1)}s)`);
          }
        }
      }
    }
  } finally {
    for (const s of await Promise.allSettled([closeAll()])) void s;
    await server.stop();
    await ops.stopAll();
  }
  for (const e of engines) {
    // version strings for the report
    versions[e] = e;
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const clean = rows.map(({ blind, diagnoseVerdict, fallback, ...r }) => r);
  const meta = { generated: new Date().toISOString(), runtimeSha256: runtimeSha256(path.join(ROOT, 'pkg')) };
  fs.writeFileSync(path.join(OUT_DIR, 'third-party.json'), JSON.stringify({ meta, rows: clean }, null, 2) + '\n');
  const md = [
    `Generated by \`node tests/e2e/third-party.mjs\` on ${new Date().toISOString()}: https on loopback, RP ${SAME_SITE_RP} (same-site) or ${CROSS_SITE_RP} (cross-site), ${opt.ops.map((o) => `${OPS[o].label} at ${handles[o]?.origin}`).join(', ')}; silent re-authentication on; monitor options intervalMs ${MONITOR.intervalMs}, loadTimeoutMs ${MONITOR.loadTimeoutMs}, responseTimeoutMs ${MONITOR.responseTimeoutMs}; wall time ${((Date.now() - t0) / 1000).toFixed(1)}s.`,
    '',
    table(rows),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(OUT_DIR, 'THIRD-PARTY.md'), md);
  console.log(`third-party: rows in target/reports/e2e/third-party.json and THIRD-PARTY.md (${rows.length} rows, wall ${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  console.log(`third-party: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, async () => { await closeAll().catch(() => {}); process.exit(130); });
main().catch(async (e) => { console.error(e); await closeAll().catch(() => {}); process.exit(2); });
