// DEV AID ONLY — NOT THE PRODUCT. A plain-JS stand-in for the SessionMonitor API of issue 2, used to prove the
// e2e harness before pkg/ is built. The suite serves it as /lib.js only with `run.mjs --standin` (the standalone
// rp-server.mjs also when pkg/ is not built); otherwise every page asserts it runs the package.
export default async function init() {}

function readSource(src) {
  if (typeof src === 'string') return src;
  if (src.cookie) {
    const hit = document.cookie.split('; ').find((c) => c.startsWith(src.cookie + '='));
    return hit ? decodeURIComponent(hit.slice(src.cookie.length + 1)) : null;
  }
  if (src.localStorage) return localStorage.getItem(src.localStorage);
  if (src.sessionStorage) return sessionStorage.getItem(src.sessionStorage);
  return null;
}

export class SessionMonitor extends EventTarget {
  constructor(o) {
    super();
    if (!o || typeof o.clientId !== 'string' || !o.clientId) throw Object.assign(new Error('clientId required'), { code: 'invalid_client_id' });
    this.o = { intervalMs: 2000, loadTimeoutMs: 10000, responseTimeoutMs: 3000, ...o };
    this.origin = new URL(o.checkSessionIframe).origin;
    this.onMessage = (e) => {
      if (!this.frame || e.origin !== this.origin || e.source !== this.frame.contentWindow) return;
      if (e.data !== 'unchanged' && e.data !== 'changed' && e.data !== 'error') return;
      if (!this.inFlight) return;
      this.inFlight = false;
      clearTimeout(this.timer);
      this.emit(e.data, e.data === 'error' ? { code: 'op_error', message: 'the OP answered error' } : {});
      if (e.data === 'unchanged') this.schedule();
    };
  }
  emit(type, extra) {
    this.dispatchEvent(new CustomEvent(type, { detail: { type, ...extra, timestamp: Date.now() } }));
  }
  start() {
    if (this.frame) return;
    window.addEventListener('message', this.onMessage);
    const f = document.createElement('iframe');
    f.style.display = 'none';
    this.frame = f;
    this.timer = setTimeout(() => { this.emit('error', { code: 'load_timeout', message: 'iframe did not load' }); }, this.o.loadTimeoutMs);
    f.addEventListener('load', () => { clearTimeout(this.timer); this.check(); }, { once: true });
    f.src = this.o.checkSessionIframe;
    document.body.appendChild(f);
  }
  schedule() { this.timer = setTimeout(() => this.check(), this.o.intervalMs); }
  check() {
    if (!this.frame || this.inFlight) return;
    const ss = readSource(this.o.sessionState);
    if (!ss) { this.emit('error', { code: 'no_session_state', message: 'no session_state' }); this.schedule(); return; }
    this.inFlight = true;
    this.frame.contentWindow.postMessage(this.o.clientId + ' ' + ss, this.origin);
    this.timer = setTimeout(() => {
      this.inFlight = false;
      this.emit('error', { code: 'no_response', message: 'no answer' });
      this.schedule();
    }, this.o.responseTimeoutMs);
  }
  checkNow() { clearTimeout(this.timer); this.check(); }
  stop() {
    clearTimeout(this.timer);
    window.removeEventListener('message', this.onMessage);
    if (this.frame) this.frame.remove();
    this.frame = null;
    this.inFlight = false;
  }
  free() { this.stop(); }
}
