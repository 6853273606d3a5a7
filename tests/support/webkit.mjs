// WebKitGTK for the test suites, driven over W3C WebDriver (puppeteer cannot drive it): Debian's
// WebKitWebDriver starts MiniBrowser in automation mode on an Xvfb display of its own that this module starts and stops.
// launch() gives a session shaped like the puppeteer sessions of browsers.mjs (newPage(tag), pages, logs,
// version, close()), and its pages offer the part of puppeteer's Page API the end-to-end suite uses:
// goto, url, $, type, click, waitForNavigation, evaluate, bringToFront, close, isClosed.
// What WebDriver cannot give: console messages and page errors (W3C WebDriver has no log endpoint;
// WebKitWebDriver has no BiDi), and frames() (scenarios that reach into the OP iframe).
//
// Imported through browsers.mjs: launch('webkit').
import fs from 'node:fs';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { Builder, By } from 'selenium-webdriver';

export const WEBKIT = {
  driver: process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver',
  browser: process.env.WEBKIT_BROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  xvfb: process.env.XVFB || '/usr/bin/Xvfb',
  // MiniBrowser's flags: --automation lets WebKitWebDriver control it (an ephemeral profile per session).
  args: ['--automation'],
  screen: '1280x1024x24',
  // Extra environment of WebKitWebDriver and so of MiniBrowser and its processes (experiments: WEBKIT_ENV='{"K":"V"}').
  env: process.env.WEBKIT_ENV ? JSON.parse(process.env.WEBKIT_ENV) : {},
};

export function webkitAvailable() {
  return [WEBKIT.driver, WEBKIT.browser, WEBKIT.xvfb].every((f) => fs.existsSync(f));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on('exit', () => { for (const c of children) { try { process.kill(-c.pid, 'SIGKILL'); } catch { try { c.kill('SIGKILL'); } catch { /* gone */ } } } });

function start(cmd, args, env) {
  const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out = (out + d).slice(-4000); });
  child.stderr.on('data', (d) => { out = (out + d).slice(-4000); });
  child.output = () => out;
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode) return;
  const gone = new Promise((r) => child.once('exit', r));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
  await Promise.race([gone, sleep(3000)]);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
}
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// ---- Xvfb: one display per WebKit session, stopped with it. ----
// Not one display shared by the sessions of this process: with 3 MiniBrowsers on one Xvfb display, 9 of 18 sessions
// failed in a loop of launch + 2 windows + load (WebKitWebDriver "session deleted because of page crash or hang" at
// the first new window, or MiniBrowser not started within 30 s); with a display each, 24 of 24 passed (same loop,
// same concurrency). Sandbox (WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS) and compositing
// (WEBKIT_DISABLE_COMPOSITING_MODE) made no difference (4 of 9 failed with either).
const claimed = new Set(); // display numbers this process is starting or running
async function acquireDisplay() {
  let n = 99;
  while (claimed.has(n) || fs.existsSync(`/tmp/.X${n}-lock`) || fs.existsSync(`/tmp/.X11-unix/X${n}`)) n += 1;
  claimed.add(n);
  const child = start(WEBKIT.xvfb, [`:${n}`, '-screen', '0', WEBKIT.screen, '-nolisten', 'tcp'], process.env);
  child.once('exit', () => claimed.delete(n));
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(`/tmp/.X11-unix/X${n}`)) {
    if (child.exitCode !== null || Date.now() > deadline) { await stop(child); throw new Error(`Xvfb :${n} did not start: ${child.output().slice(-300)}`); }
    await sleep(50);
  }
  return { display: `:${n}`, release: () => stop(child) };
}

/** `p`, or a rejection after `ms` (a WebDriver command to a crashed MiniBrowser never answers). */
function within(p, ms, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`WebDriver: ${what} took more than ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
}

/** A serial queue: WebDriver commands act on the current window, so page operations must not interleave. */
function serial() {
  let tail = Promise.resolve();
  return (fn) => {
    const run = tail.then(() => within(fn(), 30_000, 'a page command'));
    tail = run.catch(() => {});
    return run;
  };
}

class WebDriverPage {
  constructor(session, handle, tag) {
    this.session = session;
    this.handle = handle;
    this.__tag = tag;
    this._url = 'about:blank';
    this._closed = false;
  }

  async _do(fn) {
    return this.session.run(async () => {
      if (this._closed) throw new Error(`page ${this.__tag} is closed`);
      const d = this.session.driver;
      if (this.session.current !== this.handle) { await d.switchTo().window(this.handle); this.session.current = this.handle; }
      try { return await fn(d); } finally { this._url = await d.getCurrentUrl().catch(() => this._url); }
    });
  }

  /** The URL as of the last command on this page; each call also queues a refresh, so polling loops see navigations. */
  url() {
    if (!this._refreshing && !this._closed) {
      this._refreshing = this._do(async () => {}).catch(() => {}).finally(() => { this._refreshing = null; });
    }
    return this._url;
  }
  isClosed() { return this._closed; }
  on() { return this; }
  setDefaultTimeout() {}
  setDefaultNavigationTimeout() {}
  frames() { throw new Error('frames() is not available through WebDriver'); }
  async bringToFront() { await this._do(async () => {}); }
  async goto(url) { await this._do((d) => d.get(url)); return null; }
  async $(selector) { return this._do(async (d) => ((await d.findElements(By.css(selector)))[0] ? true : null)); }
  async type(selector, text) { await this._do(async (d) => (await d.findElement(By.css(selector))).sendKeys(text)); }
  async click(selector) { await this._do(async (d) => (await d.findElement(By.css(selector))).click()); }

  /** Resolves when a new document has loaded in this window (a marker set on the old one is gone). */
  async waitForNavigation({ timeout = 15_000 } = {}) {
    const mark = `m${Math.random().toString(36).slice(2)}`;
    await this._do((d) => d.executeScript('window.__wdNavMark = arguments[0];', mark)).catch(() => {});
    const deadline = Date.now() + timeout;
    for (;;) {
      await sleep(100);
      const st = await this._do((d) => d.executeScript('return [window.__wdNavMark || null, document.readyState];')).catch(() => null);
      if (st && st[0] !== mark && st[1] === 'complete') return null;
      if (Date.now() > deadline) throw new Error(`navigation timeout of ${timeout} ms exceeded`);
    }
  }

  /**
   * Runs `fn` in the page with JSON-serialisable `args`, like puppeteer's evaluate. Plain functions run as a
   * synchronous script (an asynchronous one can hang until the script timeout when the page navigates meanwhile);
   * async functions run as an asynchronous script and are awaited.
   */
  async evaluate(fn, ...args) {
    if (fn.constructor.name !== 'AsyncFunction') {
      const sync = `const v = (${fn.toString()}).apply(null, arguments); return v === undefined ? null : v;`;
      return this._do((d) => d.executeScript(sync, ...args));
    }
    const script = `const done = arguments[arguments.length - 1];
const args = Array.prototype.slice.call(arguments, 0, -1);
Promise.resolve().then(() => (${fn.toString()}).apply(null, args))
  .then((v) => done({ ok: true, v: v === undefined ? null : v }), (e) => done({ ok: false, e: String((e && e.message) || e) }));`;
    const r = await this._do((d) => d.executeAsyncScript(script, ...args));
    if (!r || !r.ok) throw new Error(`evaluate: ${r ? r.e : 'no result'}`);
    return r.v;
  }

  async close() {
    if (this._closed) return;
    await this._do((d) => d.close()).catch(() => {});
    this._closed = true;
    this.session.current = null;
  }
}

/**
 * Starts WebKitWebDriver (its own port) with MiniBrowser on an Xvfb display of its own.
 * @param {{label?: string, acceptInsecureCerts?: boolean}} [o] acceptInsecureCerts: this session accepts the https
 *        rig's certificate (tests/support/tls.mjs)
 */
export async function launchWebKit({ label = 'webkit', acceptInsecureCerts = false } = {}) {
  if (!webkitAvailable()) throw new Error(`WebKitGTK is not installed (${WEBKIT.driver}, ${WEBKIT.browser}, ${WEBKIT.xvfb}): bash scripts/bootstrap.sh`);
  const { display, release } = await acquireDisplay();
  const t0 = Date.now();
  const logs = [];
  const stamp = () => `+${((Date.now() - t0) / 1000).toFixed(2)}s`;
  let wd = null;
  let driver = null;
  try {
    const port = await freePort();
    wd = start(WEBKIT.driver, [`--port=${port}`, '--host=127.0.0.1'], { ...process.env, ...WEBKIT.env, DISPLAY: display });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`${url}/status`).then((r) => r.ok).catch(() => false);
      if (ok) break;
      if (wd.exitCode !== null || Date.now() > deadline) throw new Error(`WebKitWebDriver did not start: ${wd.output().slice(-300)}`);
      await sleep(100);
    }
    driver = await within(new Builder().usingServer(url).withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: WEBKIT.browser, args: WEBKIT.args },
      ...(acceptInsecureCerts ? { acceptInsecureCerts: true } : {}),
    }).build(), 30_000, 'starting MiniBrowser');
    await driver.manage().setTimeouts({ script: 10_000, pageLoad: 15_000, implicit: 0 });
  } catch (e) {
    if (driver) await within(driver.quit(), 10_000, 'quit').catch(() => {});
    await stop(wd);
    await release();
    throw e;
  }
  const caps = await within(driver.getCapabilities(), 10_000, 'capabilities').catch(() => new Map());
  const version = `WebKitGTK ${caps.get('browserVersion') || '?'}`;
  const home = await within(driver.getWindowHandle(), 10_000, 'window handle'); // kept open: closing the last window would end the session
  const pages = [];
  let closed = false;
  const session = {
    name: 'webkit', label, version, logs, pages, driver, browser: null, current: home,
    run: serial(),
    log(line) { logs.push(`${stamp()} ${line}`); },
    async newPage(tag = `tab${pages.length + 1}`) {
      const handle = await session.run(async () => {
        // WebKitWebDriver sometimes refuses a new window right after the session started: one more try.
        await driver.switchTo().newWindow('window').catch(async () => { await sleep(500); await driver.switchTo().window(home); return driver.switchTo().newWindow('window'); });
        session.current = await driver.getWindowHandle();
        return session.current;
      });
      const page = new WebDriverPage(session, handle, tag);
      pages.push(page);
      return page;
    },
    consoleText() { return logs.join('\n'); },
    /** The last lines WebKitWebDriver and MiniBrowser (its child) wrote to stdout/stderr. */
    driverOutput() { return wd.output(); },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.race([driver.quit().catch(() => {}), sleep(10_000)]);
      await stop(wd);
      await release();
    },
  };
  session.log(`launched ${version} (MiniBrowser via WebKitWebDriver, DISPLAY ${display})`);
  return session;
}
