import type { SessionMonitorOptions } from "./oidc_session_monitor.js";

/** What `diagnose()` concluded. */
export type DiagnosisVerdict =
  /** The OP iframe answered `unchanged`: monitoring works in this browser. */
  | "sees_session"
  /** The OP iframe cannot see the OP's cookies here (`third_party_cookies_blocked`, or `error` from a cross-site OP). */
  | "blocked"
  /** First answer `changed` from a cross-site OP without further evidence: stale session_state or blocked. */
  | "maybe_blocked"
  /** First answer `changed` from a same-site OP: the stored session_state is not the current one. */
  | "stale"
  /** `error` from a same-site OP: client or origin not registered. */
  | "op_error"
  /** No usable session_state where the options say. */
  | "no_session_state"
  /** The OP iframe did not load or did not answer. */
  | "unreachable"
  /** The options were rejected, or discovery failed. */
  | "config"
  /** No answer within `timeoutMs`. */
  | "timeout";

/** The report of `diagnose()`. */
export interface Diagnosis {
  verdict: DiagnosisVerdict;
  /** `yes` for sees_session and stale, `no` for blocked, else `unknown`. */
  seesSession: "yes" | "no" | "unknown";
  /** The OP iframe relative to this page, by the monitor's rule (`unknown` when discovery did not finish). */
  site: "same-site" | "cross-site" | "unknown";
  /** The probe's first answer from the OP iframe. */
  firstAnswer: "unchanged" | "changed" | "error" | "none";
  /** The monitor reported `third_party_cookies_blocked`. */
  thirdPartyCookiesBlocked: boolean;
  /** With `thirdPartyCookiesBlocked`: the signal that showed it. */
  evidence?: "error_from_start" | "first_answer_changed" | "login_required_after_first_changed" | "changed_after_renewal";
  /** `document.hasStorageAccess()` of this page where it means something (this page is framed); `top-level` otherwise. */
  storageAccess: "granted" | "not-granted" | "top-level" | "unsupported";
  /** This browser has the Storage Access API (`document.requestStorageAccess`), which an OP's own iframe could use. */
  storageAccessApi: boolean;
  /** The error that decided the verdict, when one did. */
  error?: { code: string; message: string };
  /** What to do, in a sentence or two. */
  advice: string;
  /** How long the probe took. */
  elapsedMs: number;
}

/**
 * Runs one check cycle through a temporary SessionMonitor made from `options` (crossTab, silent
 * re-authentication and rpSession off; freed afterwards) and tells whether the OP iframe sees its
 * session in this browser. Resolves with a report; never rejects for a page or OP problem.
 */
export declare function diagnose(options: SessionMonitorOptions, o?: { timeoutMs?: number }): Promise<Diagnosis>;
export default diagnose;
