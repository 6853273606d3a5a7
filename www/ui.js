// Shared page furniture of the showcase: the event log, the monitor-state badge, the signed-in line
// and the buttons. Each page supplies the monitor-specific actions.
import { login, logoutUrl, idToken, currentSub, hasSessionState } from '/auth.js';

const $ = (id) => document.getElementById(id);

/** Keys never shown, whatever an event carries (the monitor never puts them in, but a page might). */
const SECRET = /session_?state|token|code_verifier/i;
function redact(value) {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET.test(k) ? '[not shown]' : redact(v)]));
  }
  return value;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/**
 * Wires the page. Returns { log(name, detail), note(text), setUser(text) }.
 * @param {{ checkNow(): void, stop(): void, start(): void, state(): string,
 *           login?(): void, idToken?(): string|null, user?(): string|null }} actions
 */
export function setupPage(actions) {
  const body = $('log');
  const events = []; // every logged entry, oldest first (read by www/check.mjs)
  window.showcaseEvents = events;
  let last = null; // the newest row, to fold repeated `unchanged`

  function row(kind, name, text, ts) {
    const tr = document.createElement('tr');
    tr.className = `ev ev-${kind}`;
    tr.dataset.event = name;
    const time = document.createElement('td');
    time.className = 'time';
    time.textContent = clock(ts);
    const ev = document.createElement('td');
    ev.className = 'name';
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = name;
    ev.append(tag);
    const detail = document.createElement('td');
    detail.className = 'detail';
    const code = document.createElement('code');
    code.textContent = text;
    detail.append(code);
    tr.append(time, ev, detail);
    body.prepend(tr);
    $('log-empty')?.remove();
    return tr;
  }

  let outcome = null; // what the monitor last learnt about the OP session: 'signedOut' | 'userChanged' | null
  function log(name, detail = {}) {
    if (name === 'signedOut' || name === 'userChanged') outcome = name;
    else if (name === 'renewed' || name === 'unchanged') outcome = null;
    const shown = redact(detail);
    const ts = typeof detail.timestamp === 'number' ? detail.timestamp : Date.now();
    events.push({ name, detail: shown, at: ts });
    const text = JSON.stringify(shown);
    if (name === 'unchanged' && last && last.dataset.event === 'unchanged' && body.firstChild === last) {
      // Fold a run of `unchanged` into one row: "×N", first and last time.
      const n = Number(last.dataset.count || 1) + 1;
      last.dataset.count = String(n);
      last.querySelector('.time').textContent = clock(ts);
      let badge = last.querySelector('.count');
      if (!badge) {
        badge = document.createElement('span');
        badge.className = 'count';
        last.querySelector('.name').append(badge);
      }
      badge.textContent = `×${n}`;
      badge.title = `${n} checks in a row since ${last.dataset.since}`;
      last.querySelector('code').textContent = text;
      return;
    }
    last = row(name, name, text, ts);
    last.dataset.since = clock(ts);
  }

  function note(text) {
    events.push({ name: 'note', detail: { text }, at: Date.now() });
    last = row('note', 'page', text, Date.now());
  }

  // --- status line -----------------------------------------------------------------------------
  const stateEl = $('state');
  const userEl = $('user');
  const logout = $('logout');
  let logoutFor = null; // the ID token the logout link was made for
  function refresh() {
    let state = 'no monitor';
    try { state = actions.state() || 'no monitor'; } catch { /* freed */ }
    if (stateEl.textContent !== state) {
      stateEl.textContent = state;
      stateEl.dataset.state = state;
    }
    const user = actions.user ? actions.user() : (hasSessionState() ? currentSub() : null);
    let userText = user ? `signed in as ${user}` : 'not signed in';
    if (user && outcome === 'signedOut') userText = `${user}: signed out at the OP`;
    if (user && outcome === 'userChanged') userText = `${user}: another user at the OP`;
    if (userEl.textContent !== userText) userEl.textContent = userText;
    userEl.classList.toggle('off', !user);
    userEl.classList.toggle('gone', !!user && !!outcome);
    const token = actions.idToken ? actions.idToken() : idToken();
    if (token) {
      if (logoutFor !== token) {
        logout.href = logoutUrl(token);
        logoutFor = token;
      }
      logout.classList.remove('disabled');
      logout.removeAttribute('aria-disabled');
    } else {
      logout.removeAttribute('href');
      logoutFor = null;
      logout.classList.add('disabled');
      logout.setAttribute('aria-disabled', 'true');
    }
  }
  refresh();
  setInterval(refresh, 250);

  // --- buttons -----------------------------------------------------------------------------------
  $('login').addEventListener('click', () => (actions.login ? actions.login() : login()));
  $('check').addEventListener('click', () => { actions.checkNow(); refresh(); });
  $('stop').addEventListener('click', () => { actions.stop(); refresh(); });
  $('start').addEventListener('click', () => { actions.start(); refresh(); });
  $('clear').addEventListener('click', () => {
    body.replaceChildren();
    last = null;
  });

  return { log, note, refresh };
}
