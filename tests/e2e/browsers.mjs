// Launches Debian's headless Chromium and Firefox ESR with puppeteer-core (Chromium over CDP, Firefox over
// WebDriver BiDi). Nothing is downloaded: the executables are the distribution's. Every session gets a fresh
// profile directory (cookies and storage isolated per test), removed on close, and records the console output,
// page errors and failed requests of every page it opened.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

export const BROWSERS = {
  chromium: { executable: process.env.E2E_CHROMIUM || '/usr/bin/chromium' },
  firefox: { executable: process.env.E2E_FIREFOX || '/usr/bin/firefox-esr' },
};

const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--no-default-browser-check',
  '--password-store=basic', '--use-mock-keychain',
];

// Keep Firefox off the network and quiet; everything the tests need is on loopback.
const FIREFOX_PREFS = {
  'app.update.enabled': false,
  'app.update.auto': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'extensions.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'services.settings.server': 'http://127.0.0.1:9/',
  'toolkit.telemetry.enabled': false,
  'browser.tabs.warnOnClose': false,
};

export function available(name) {
  const b = BROWSERS[name];
  return !!b && fs.existsSync(b.executable);
}

const live = new Set();
const profiles = new Set(); // every profile dir not yet removed, also those of launches still in progress
// Last resort on any exit (signals included): nothing async runs here, so kill and delete synchronously.
process.on('exit', () => {
  for (const s of live) {
    try { s.browser.process()?.kill('SIGKILL'); } catch { /* ignore */ }
  }
  // Browsers still being launched are not in `live` yet: find them by their (unique) profile directory.
  if (profiles.size) killByProfile([...profiles]);
  for (const p of profiles) { try { fs.rmSync(p, { recursive: true, force: true }); } catch { /* ignore */ } }
});

/** SIGKILLs every process (and its process group) whose command line names one of our temp profile dirs. */
function killByProfile(dirs) {
  let entries = [];
  try { entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return; }
  for (const pid of entries) {
    let cmd = '';
    try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (!dirs.some((d) => cmd.includes(d))) continue;
    try { process.kill(-Number(pid), 'SIGKILL'); } catch { /* not a group leader */ }
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
  }
}

/** Closes every session still open (signal handlers). */
export async function closeAll() {
  await Promise.allSettled([...live].map((s) => s.close()));
}

export async function launch(name, { label = name } = {}) {
  const conf = BROWSERS[name];
  if (!conf) throw new Error(`unknown browser ${name}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${name}-`));
  profiles.add(profile);
  const t0 = Date.now();
  const logs = [];
  const stamp = () => `+${((Date.now() - t0) / 1000).toFixed(2)}s`;
  let browser;
  if (name === 'chromium') {
    browser = await puppeteer.launch({
      browser: 'chrome', executablePath: conf.executable, headless: true, userDataDir: profile,
      args: CHROMIUM_ARGS, protocolTimeout: 60_000, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
  } else {
    browser = await puppeteer.launch({
      browser: 'firefox', executablePath: conf.executable, headless: true, userDataDir: profile,
      extraPrefsFirefox: FIREFOX_PREFS, protocolTimeout: 60_000, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' },
    });
  }
  const version = await browser.version().catch(() => '?');
  const pages = [];
  const session = {
    name, label, browser, version, logs, pages, profile,
    log(line) { logs.push(`${stamp()} ${line}`); },
    async newPage(tag = `tab${pages.length + 1}`) {
      const page = await browser.newPage();
      page.__tag = tag;
      pages.push(page);
      page.on('console', (m) => {
        let loc = '';
        try { const l = m.location(); if (l && l.url && !/\/(common|monitor|login|callback)\.js$/.test(l.url)) loc = ` (${l.url}${l.lineNumber != null ? ':' + l.lineNumber : ''})`; } catch { /* ignore */ }
        logs.push(`${stamp()} [${tag}] console.${m.type()}: ${m.text()}${loc}`);
      });
      page.on('pageerror', (e) => logs.push(`${stamp()} [${tag}] pageerror: ${e && (e.message || e)}`));
      page.on('requestfailed', (r) => {
        const why = r.failure() && r.failure().errorText;
        logs.push(`${stamp()} [${tag}] requestfailed: ${r.method()} ${r.url().slice(0, 160)} ${why || ''}`);
      });
      page.setDefaultTimeout(15_000);
      page.setDefaultNavigationTimeout(15_000);
      return page;
    },
    consoleText() { return logs.join('\n'); },
    async close() {
      try { await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10_000))]); } catch { /* ignore */ }
      try { browser.process()?.kill('SIGKILL'); } catch { /* ignore */ }
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
      profiles.delete(profile);
      live.delete(session);
    },
  };
  live.add(session);
  session.log(`launched ${name} ${version}`);
  return session;
}
