/** What the front-channel logout page did. */
export interface FrontchannelResult {
  /** True when the request named this origin's session: it was forgotten and every tab told. */
  signedOut: boolean;
  /** Why it was ignored. */
  ignored?: "missing_parameter" | "unknown_issuer" | "sid_mismatch";
  /** With `ignored`: the console line (no secrets). */
  message?: string;
}
/** Handles this page's `?iss=…&sid=…`; with `notifyUrl`, also sends `{iss, sid}` there (sendBeacon). */
export declare function handleFrontchannelLogout(notifyUrl?: string): FrontchannelResult;
/** What this page did when it loaded. */
export declare const result: FrontchannelResult;
