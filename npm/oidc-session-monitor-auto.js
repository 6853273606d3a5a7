// Script-tag drop-in for oidc-session-monitor.
//
//   <script type="module" src="/vendor/oidc-session-monitor/oidc-session-monitor-auto.js"
//           data-check-session-iframe="https://op.example/check_session"
//           data-client-id="my-client" data-session-state-cookie="session_state"></script>
//
// Every `data-*` attribute of the tag becomes the option of the same name (data-load-timeout-ms ->
// loadTimeoutMs); `data-session-state-cookie|-local-storage|-session-storage` give `sessionState`.
// The monitor starts itself, re-dispatches its events on `window` as `oidc-session:<name>`
// CustomEvents and is exposed as `window.oidcSessionMonitor`. A bad or missing attribute gives one
// console.error naming the attribute, and no monitor.
//
// No inline script is needed (CSP `script-src 'self'`): a module has no document.currentScript, so
// the tag is found by comparing each <script src> with import.meta.url, origin and path exactly.
//
// Injected markup must not steer it (issue 9): a page may hold one drop-in tag (module or classic).
// With two or more (say an injected one pointing the monitor at another OP or another cookie), none
// starts and one console.error says so; the decision is taken synchronously once the page is
// parsed, before anything is awaited. "Already running" is known from module-private state, never
// from a global name that an element with id="oidcSessionMonitor" could clobber.
import init, { SessionMonitor } from './oidc_session_monitor.js';

const TAG = 'oidc-session-monitor-auto';

/** Every event name the monitor emits (`SessionMonitorEventMap` in the TypeScript declarations). */
export const EVENTS = [
  'unchanged', 'changed', 'error', 'stopped',
  'renewed', 'signedOut', 'userChanged', 'interactionRequired',
];

/** The attributes that give `sessionState`, and the source kind each one means. */
const SOURCES = {
  sessionState: null,
  sessionStateCookie: 'cookie',
  sessionStateLocalStorage: 'localStorage',
  sessionStateSessionStorage: 'sessionStorage',
};

/**
 * Shared by every instance of this module on the page (the classic loader imports it as
 * `#manual`, another URL and so another instance). A symbol-keyed property: markup cannot create
 * or clobber it. Its value says why no other drop-in may start: 'started' or 'refused'.
 */
const CLAIM = Symbol.for('oidc-session-monitor:drop-in');
/** This instance's own monitor, once started. */
let claimedHere = false;

/** Claims the page's one drop-in monitor, synchronously; false if it is taken. */
function claim(why) {
  if (claimedHere || Object.prototype.hasOwnProperty.call(window, CLAIM)) return false;
  claimedHere = true;
  Object.defineProperty(window, CLAIM, { value: why });
  return true;
}

const attr = (key) => 'data-' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

class AttributeError extends Error {}

/** Options from the tag's data attributes, and option name -> the attribute that gave it. */
function optionsFrom(script) {
  const options = {};
  const from = Object.create(null);
  for (const [key, value] of Object.entries(script.dataset)) {
    if (Object.prototype.hasOwnProperty.call(SOURCES, key)) {
      if ('sessionState' in options) {
        throw new AttributeError(`${attr(from.sessionState)} and ${attr(key)}: give only one session_state source`);
      }
      options.sessionState = SOURCES[key] ? { [SOURCES[key]]: value } : value;
      from.sessionState = key;
    } else if (/Ms$|Retries$/.test(key)) {
      // Left as a string when not a number, so that the constructor names it.
      options[key] = value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
      from[key] = key;
    } else if (key === 'continueOnError' || key === 'pauseWhenHidden' || key === 'crossTab') {
      options[key] = value === '' || value === 'true' ? true : value === 'false' ? false : value;
      from[key] = key;
    } else {
      options[key] = value; // issuer, checkSessionIframe, clientId, and unknown names (rejected)
      from[key] = key;
    }
  }
  return { options, from };
}

/**
 * Rewrites a constructor error so that it names the data attribute instead of the option: the
 * error's `option` says which option (and `code` which problem), so the message is not searched.
 */
function describe(error, from) {
  const message = String((error && error.message) || error).replace(/^SessionMonitor: /, '');
  const code = error && error.code ? ` (code ${error.code})` : '';
  const option = error && error.option;
  if (!option) return message + code;
  if (error.code === 'unknown_option') return `${attr(option)}: unknown attribute${code}`;
  let attribute = from[option] ? attr(from[option]) : attr(option);
  if (option === 'sessionState' && !from.sessionState) {
    attribute = 'data-session-state-cookie (or data-session-state-local-storage, data-session-state-session-storage, data-session-state)';
  } else if (option === 'checkSessionIframe' && !from.checkSessionIframe) {
    attribute = 'data-check-session-iframe (or data-issuer)';
  }
  // The message starts with the option's name ("clientId: …", "clientId is required").
  const rest = message.startsWith(option) ? message.slice(option.length) : `: ${message}`;
  return attribute + rest + code;
}

/**
 * Creates and starts a monitor from `script`'s data attributes. Used by the tag itself and by
 * the classic script. Resolves to the monitor, or to null after one console.error.
 * @param {HTMLScriptElement} script
 */
export async function autoStart(script) {
  // Decided before any await, so two calls cannot both pass.
  if (!claim('started')) {
    console.error(`${TAG}: a drop-in monitor was already started or refused on this page; this tag is ignored`);
    return null;
  }
  let monitor;
  let from = Object.create(null);
  try {
    const parsed = optionsFrom(script);
    from = parsed.from;
    await init();
    monitor = new SessionMonitor(parsed.options);
  } catch (e) {
    console.error(`${TAG}: ${e instanceof AttributeError ? e.message : describe(e, from)}`);
    return null;
  }
  for (const name of EVENTS) {
    monitor.addEventListener(name, (e) => {
      window.dispatchEvent(new CustomEvent(`oidc-session:${e.type}`, { detail: e.detail }));
    });
  }
  Object.defineProperty(window, 'oidcSessionMonitor', { value: monitor, configurable: true, writable: true });
  monitor.start();
  return monitor;
}

/** Origin + path of a URL: what identifies the drop-in files (query and fragment ignored). */
const place = (url) => {
  const u = new URL(url, document.baseURI);
  return u.origin + u.pathname;
};

/** Every drop-in tag on the page: module tags of this file and classic tags of its sibling. */
function dropInTags() {
  const module = place(import.meta.url);
  const classic = place(new URL('oidc-session-monitor.classic.js', import.meta.url).href);
  return [...document.querySelectorAll('script[src]')].filter((s) => {
    const at = place(s.getAttribute('src'));
    return (at === module && s.type === 'module') || at === classic;
  });
}

/** Runs `fn` once the page is parsed, so that every parser-inserted tag is known. */
function whenParsed(fn) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn, { once: true });
  else fn();
}

/**
 * Starts the monitor from `script` if it is the page's only drop-in tag; with two or more, none
 * starts and one console.error says so. Used by this module's own tag and by the classic loader.
 * @param {HTMLScriptElement | null} script the tag that loaded the caller
 */
export function dropIn(script) {
  whenParsed(() => {
    const tags = dropInTags();
    if (tags.length > 1) {
      if (claim('refused')) {
        console.error(`${TAG}: ${tags.length} drop-in <script> tags on this page; none is started (injected markup?). Keep exactly one.`);
      }
      return;
    }
    if (!script || tags[0] !== script) {
      if (!claimedHere && !Object.prototype.hasOwnProperty.call(window, CLAIM)) {
        console.error(`${TAG}: cannot find its own <script src="…"> tag; load it with one, or import it with #manual and call autoStart(scriptElement)`);
      }
      return;
    }
    autoStart(script);
  });
}

// `#manual`: imported by the classic script (or by code that calls autoStart itself).
if (new URL(import.meta.url).hash !== '#manual') {
  const here = place(import.meta.url);
  dropIn([...document.querySelectorAll('script[type="module"][src]')].find((s) => place(s.getAttribute('src')) === here) || null);
}
