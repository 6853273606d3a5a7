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

declare global {
  interface WindowEventMap extends OidcSessionWindowEventMap {}
  interface Window {
    /** The monitor started by the drop-in, once it is running. */
    oidcSessionMonitor?: SessionMonitor;
  }
}
