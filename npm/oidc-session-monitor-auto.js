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
// the tag is found by comparing each <script type=module src> with import.meta.url.
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

const attr = (key) => 'data-' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

class AttributeError extends Error {}

/** Options from the tag's data attributes, and option name -> the attribute that gave it. */
function optionsFrom(script) {
  const options = {};
  const from = {};
  for (const [key, value] of Object.entries(script.dataset)) {
    if (key in SOURCES) {
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
  if (window.oidcSessionMonitor) {
    console.error(`${TAG}: a monitor is already running (window.oidcSessionMonitor); this tag is ignored`);
    return null;
  }
  let monitor;
  let from = {};
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
  window.oidcSessionMonitor = monitor;
  monitor.start();
  return monitor;
}

/** The <script type="module"> element that loaded this module, if any. */
function ownScript() {
  const here = import.meta.url;
  const tags = [...document.querySelectorAll('script[type="module"][src]')];
  return tags.find((s) => s.src === here)
    // The same file under another URL spelling (redirect, query string): accept one that is unique.
    || ((m) => (m.length === 1 ? m[0] : undefined))(
      tags.filter((s) => new URL(s.src, document.baseURI).pathname === new URL(here).pathname));
}

// `#manual`: imported by the classic script (or by code that calls autoStart itself).
if (new URL(import.meta.url).hash !== '#manual') {
  const script = ownScript();
  if (script) {
    autoStart(script);
  } else {
    console.error(`${TAG}: cannot find its own <script type="module" src="…"> tag; load it with one, or import it with #manual and call autoStart(scriptElement)`);
  }
}
