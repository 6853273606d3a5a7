// Types of the script-tag drop-in: its window events and window.oidcSessionMonitor. To use them in
// a page that loads the tag, add `import type {} from 'oidc-session-monitor/oidc-session-monitor-auto.js';`.
import type { SessionMonitor, SessionMonitorEventMap } from './oidc_session_monitor.js';

/** `oidc-session:<name>` for every event of the monitor, with the same `CustomEvent` type. */
export type OidcSessionWindowEventMap = {
  [K in keyof SessionMonitorEventMap as `oidc-session:${K & string}`]: SessionMonitorEventMap[K];
};

/** Every event name the monitor emits; the drop-in re-dispatches each on `window` as `oidc-session:<name>`. */
export declare const EVENTS: readonly string[];

/** Creates and starts a monitor from a script tag's data attributes; null after a console.error. */
export declare function autoStart(script: HTMLScriptElement): Promise<SessionMonitor | null>;

/** Starts the monitor from `script` once the page is parsed, if it is the page's only drop-in tag
 *  (module or classic); with two or more, none starts and one console.error says so. */
export declare function dropIn(script: HTMLScriptElement | null): void;

declare global {
  interface WindowEventMap extends OidcSessionWindowEventMap {}
  interface Window {
    /** The monitor started by the drop-in, once it is running. */
    oidcSessionMonitor?: SessionMonitor;
  }
}
