// The one browser launcher of the test suites: Debian's Chromium and Firefox ESR driven by puppeteer-core
// (Chromium over CDP, Firefox over WebDriver BiDi), and WebKitGTK (MiniBrowser) over W3C WebDriver under an
// Xvfb display the toolkit starts and stops (webkit.mjs: its flags and paths). Nothing is downloaded: the
// executables are the distribution's. Every flag and preference any suite uses is here, named by what it is for.
//
//   const s = await launch('chromium', { label, headful, unthrottled, measure });
//   const page = await s.newPage('tag');     // console, page errors, failed requests → s.logs
//   s.browser (puppeteer Browser), s.version, s.consoleText(), await s.close()
//
// Every session gets a fresh profile directory (cookies and storage isolated), removed on close; on any exit
// every browser still running is killed. `wasm-pack test` reads the same flags from webdriver.json, which is
// generated from this file:  node tests/support/browsers.mjs --webdriver-json > webdriver.json
// (the web layer of scripts/test.sh fails when the two differ).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { WEBKIT, webkitAvailable, launchWebKit } from './webkit.mjs';

export const BROWSERS = {
  chromium: { executable: process.env.E2E_CHROMIUM || process.env.CHROMIUM || '/usr/bin/chromium' },
  firefox: { executable: process.env.E2E_FIREFOX || process.env.FIREFOX || '/usr/bin/firefox-esr' },
  webkit: { executable: WEBKIT.driver, webdriver: true },
};

// Chromium, every launch: headless, no sandbox (root in a container), quiet and off the network.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--no-default-browser-check',
  '--password-store=basic', '--use-mock-keychain',
];
// { unthrottled: true }: background tabs keep their timers (a monitor tab behind the OP's logout tab).
const CHROMIUM_UNTHROTTLED = ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'];
// { tls }: trust the https rig's certificate (tests/support/tls.mjs) in this profile only: exactly its key.
const chromiumTrust = (tls) => [`--ignore-certificate-errors-spki-list=${tls.spki}`];
// { blockThirdPartyCookies: true }: the user setting "Block third-party cookies" (chrome://settings/cookies,
// CookieControlsMode::kBlockThirdParty), written into the fresh profile before the first start.
const CHROMIUM_BLOCK_3PC_PREFS = { profile: { cookie_controls_mode: 1, block_third_party_cookies: true } };
// { measure: true }: exact performance.memory figures (not bucketed) and window.gc() before reading them.
const CHROMIUM_MEASURE = ['--enable-precise-memory-info', '--js-flags=--expose-gc'];

// Firefox, every launch: off the network and quiet; everything the tests need is on loopback.
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
// { measure: true }: performance.now() at full resolution (default here: 1 ms). Both prefs: with only the first,
// Firefox still rounds every page's clock to 20 µs (`…unconditional`), which made the bench's Firefox p50 a
// step of 80/100/120 µs.
const FIREFOX_MEASURE = { 'privacy.reduceTimerPrecision': false, 'privacy.reduceTimerPrecision.unconditional': false };

/** The capabilities wasm-pack's test runner reads from webdriver.json (chromedriver, geckodriver). */
export function webdriverCapabilities() {
  return {
    'goog:chromeOptions': { binary: '/usr/bin/chromium', args: CHROMIUM_ARGS },
    'moz:firefoxOptions': { binary: '/usr/bin/firefox-esr', args: ['-headless'], prefs: FIREFOX_PREFS },
  };
}

export function available(name) {
  const b = BROWSERS[name];
  if (name === 'webkit') return webkitAvailable();
  return !!b && fs.existsSync(b.executable);
}

const live = new Set();
const profiles = new Set(); // every profile dir not yet removed, also those of launches still in progress
// Last resort on any exit (signals included): nothing async runs here, so kill and delete synchronously.
process.on('exit', () => {
  for (const s of live) {
    try { s.browser?.process()?.kill('SIGKILL'); } catch { /* ignore */ }
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

/**
 * Launches `name` ('chromium' | 'firefox' | 'webkit') with a fresh profile. WebKit sessions have pages with the
 * subset of puppeteer's Page API that webkit.mjs lists, no `browser`, and no console output in `logs`.
 * @param {string} name
 * `tls` ({spki}, tests/support/tls.mjs): this profile accepts the https rig's certificate (Chromium: exactly its
 * key; Firefox and WebKit: WebDriver `acceptInsecureCerts`). `blockThirdPartyCookies` (Chromium): the user setting.
 * @param {{label?: string, headful?: boolean, unthrottled?: boolean, measure?: boolean,
 *          viewport?: {width: number, height: number}, protocolTimeout?: number,
 *          tls?: {spki: string}, blockThirdPartyCookies?: boolean, v8Flags?: string[], dumpio?: boolean}} [o]
 */
export async function launch(name, { label = name, headful = false, unthrottled = false, measure = false, viewport, protocolTimeout = 60_000, tls = null, blockThirdPartyCookies = false, v8Flags = [], dumpio = false } = {}) {
  const conf = BROWSERS[name];
  if (!conf) throw new Error(`unknown browser ${name}`);
  if (blockThirdPartyCookies && name !== 'chromium') throw new Error('blockThirdPartyCookies is a Chromium profile setting here');
  if (name === 'webkit') {
    const s = await launchWebKit({ label, acceptInsecureCerts: !!tls });
    const close = s.close;
    s.close = async () => { await close(); live.delete(s); };
    live.add(s);
    return s;
  }
  if (!fs.existsSync(conf.executable)) throw new Error(`${conf.executable} is not installed (bash scripts/bootstrap.sh)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), `test-${name}-`));
  profiles.add(profile);
  if (blockThirdPartyCookies) {
    fs.mkdirSync(path.join(profile, 'Default'), { recursive: true });
    fs.writeFileSync(path.join(profile, 'Default', 'Preferences'), JSON.stringify(CHROMIUM_BLOCK_3PC_PREFS));
  }
  const t0 = Date.now();
  const logs = [];
  const stamp = () => `+${((Date.now() - t0) / 1000).toFixed(2)}s`;
  const common = {
    executablePath: conf.executable, headless: !headful, userDataDir: profile, protocolTimeout,
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    ...(viewport ? { defaultViewport: { deviceScaleFactor: 1, ...viewport } } : {}),
  };
  let browser;
  if (name === 'chromium') {
    // { v8Flags }: V8 flags for a measurement (bench/startup.mjs: V8's wasm compile traces), merged into the one
    // --js-flags Chromium reads; { dumpio }: the browser's stdout/stderr (where V8 prints them) to this process.
    const jsFlags = [...(measure ? ['--expose-gc'] : []), ...v8Flags];
    const args = [...CHROMIUM_ARGS, ...(unthrottled ? CHROMIUM_UNTHROTTLED : []), ...(measure ? CHROMIUM_MEASURE : []), ...(tls ? chromiumTrust(tls) : [])]
      .filter((a) => !(headful && a.startsWith('--headless')))
      .filter((a) => !(jsFlags.length && a.startsWith('--js-flags=')))
      .concat(jsFlags.length ? [`--js-flags=${jsFlags.join(' ')}`] : []);
    browser = await puppeteer.launch({ ...common, browser: 'chrome', args, dumpio });
  } else {
    browser = await puppeteer.launch({
      ...common, browser: 'firefox', acceptInsecureCerts: !!tls,
      extraPrefsFirefox: { ...FIREFOX_PREFS, ...(measure ? FIREFOX_MEASURE : {}) },
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' },
    });
  }
  const version = await browser.version().catch(() => '?');
  const pages = [];
  const session = {
    name, label, browser, version, logs, pages, profile,
    log(line) { logs.push(`${stamp()} ${line}`); },
    /** A new tab whose console output, page errors and failed requests go to `logs`, tagged. */
    async newPage(tag = `tab${pages.length + 1}`, { context } = {}) {
      const page = await (context || browser).newPage();
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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const json = JSON.stringify(webdriverCapabilities(), null, 2) + '\n';
  if (process.argv.includes('--webdriver-json')) process.stdout.write(json);
  else if (process.argv.includes('--check-webdriver-json')) {
    const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'webdriver.json');
    const same = fs.existsSync(file) && fs.readFileSync(file, 'utf8') === json;
    console.log(same ? 'webdriver.json matches tests/support/browsers.mjs'
      : 'webdriver.json differs from tests/support/browsers.mjs: node tests/support/browsers.mjs --webdriver-json > webdriver.json');
    process.exit(same ? 0 : 1);
  } else console.log('usage: node tests/support/browsers.mjs --webdriver-json | --check-webdriver-json');
}
