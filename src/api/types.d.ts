/** Where the page keeps the OP's `session_state`: read again at every check. */
export type SessionStateSource =
  | string
  | { cookie: string }
  | { localStorage: string }
  | { sessionStorage: string };

/** What the host's re-authentication hook returns. */
export type ReauthenticateResult =
  | { sessionState: string; sub: string; sid?: string }
  | { error: string };

/** Built-in `prompt=none` re-authentication in a hidden iframe (needs `issuer`). */
export interface SilentReauthOptions {
  /** A page of this origin that calls `handleSilentCallback()` (the package ships one), registered at the OP. */
  redirectUri: string;
  /** `code` (PKCE S256, token exchange; default) or `id_token` (implicit). */
  responseType?: "code" | "id_token";
  /** Scopes; `openid` is always included. */
  scope?: string;
  /** Where the page keeps the last ID token, sent as `id_token_hint` (its `sub` is the expected user). */
  idTokenHint?: SessionStateSource;
  /** How long one silent re-authentication may take. Default 10000. */
  timeoutMs?: number;
}

interface SessionMonitorCommonOptions {
  /** The RP's `client_id` at the OP. */
  clientId: string;
  /** Where `session_state` is kept. Cookie values are percent-decoded. Renewals are written back here. */
  sessionState: SessionStateSource;
  /** Delay between an answer and the next check. Default 2000, minimum 100. */
  intervalMs?: number;
  /** How long the OP iframe may take to fire `load` (`load_timeout`). Default 10000. */
  loadTimeoutMs?: number;
  /** How long the OP iframe may take to answer a check, the first one after `load` included (`no_response`). Default 3000. */
  responseTimeoutMs?: number;
  /** Unanswered checks in a row that are retried before polling stops. Default 2. */
  maxNoResponseRetries?: number;
  /** Keep polling after the OP answers `error`. Default false. */
  continueOnError?: boolean;
  /** No polling while the page is hidden; check at once when it is shown again. Default false. */
  pauseWhenHidden?: boolean;
  /** Share one poller with the other monitors of this origin that watch the same OP, client and
   *  session_state source, in any tab: one leader polls, every monitor gets the events. Default:
   *  true for a cookie or localStorage source, false for sessionStorage or a literal value.
   *  Where Web Locks or BroadcastChannel are missing, each monitor polls alone. */
  crossTab?: boolean;
  /** On `changed`, ask the host to re-authenticate with `prompt=none` (e.g. oidc-client-ts `signinSilent`). */
  reauthenticate?: (request: { clientId: string; reason: "changed" }) => ReauthenticateResult | Promise<ReauthenticateResult>;
  /** On `changed`, re-authenticate with the built-in hidden iframe. Needs `issuer`. */
  silentReauth?: SilentReauthOptions;
  /** How long the `reauthenticate` hook may take. Default 10000. */
  reauthTimeoutMs?: number;
  /** The signed-in user's `sub` (non-empty); otherwise read from `idTokenHint` at each re-authentication.
   *  Without either, a re-authentication ends in `error` code `unknown_user`, never `renewed`. */
  sub?: string;
  /** Once the OP iframe is found unable to see its cookies (`third_party_cookies_blocked`):
   *  `"stop"` polling (default), or drop the OP iframe and go on with the `rpSession` signal. */
  thirdPartyCookiesBlocked?: "stop" | "rpSession";
  /** Where the page keeps the last ID token: `logout()`'s `id_token_hint`, and the `sid` the
   *  front-channel logout page compares against. Default: `silentReauth.idTokenHint`. */
  idTokenHint?: SessionStateSource;
  /** The OP's `end_session_endpoint` for `logout()`; with `issuer`, discovery provides it. */
  endSessionEndpoint?: string;
  /** The first-party session signal: also ask the RP's own server whether the session lives. */
  rpSession?: RpSessionOptions;
  /** Extra answer strings of an OP, mapped to the three answers, e.g. `{ connected: "unchanged" }`.
   *  The three standard strings cannot be remapped. */
  answers?: Record<string, "unchanged" | "changed" | "error">;
  /** Accept `http:` URLs on hosts other than loopback. Default false: `https:` is required except on
   *  `localhost`, `127.0.0.0/8` and `[::1]`. */
  allowInsecureHttp?: boolean;
  /** With `sessionState: { cookie }`: the RP cookie's `path`, written back on renewal. Default "/". */
  cookiePath?: string;
  /** With `sessionState: { cookie }`: the RP cookie's `domain`. Default: none (host-only). */
  cookieDomain?: string;
  /** With `sessionState: { cookie }`: the RP cookie's `SameSite`. Default "lax"; "none" adds `Secure`. */
  cookieSameSite?: "strict" | "lax" | "none";
  /** With `sessionState: { cookie }`: the RP cookie's `max-age` in seconds. Default: a session cookie. */
  cookieMaxAge?: number;
}

/** `rpSession`: `GET url` (same origin, credentials, no-store) answers `200 {"active": true}` while the
 *  session lives; `401`/`403`/`{"active": false}` → `signedOut` (`rp_session`); anything else →
 *  `error` `rp_session_unavailable`, never a logout. Also checked at once on focus. */
export interface RpSessionOptions {
  /** A URL of the page's own origin (relative URLs are resolved against the page). */
  url: string;
  /** Delay between an answer and the next request. Default 5000, minimum 100. */
  intervalMs?: number;
}

/** Options of `new SessionMonitor(options)`. Unknown names are rejected (code `unknown_option`). */
export type SessionMonitorOptions = SessionMonitorCommonOptions & (
  | {
      /** The OP's `check_session_iframe` URL. Absolute http(s). */
      checkSessionIframe: string;
      issuer?: never;
    }
  | {
      /** The OP's issuer: `check_session_iframe` and the endpoints come from its discovery document. */
      issuer: string;
      checkSessionIframe?: never;
    }
  | {
      /** No OP iframe: only the first-party session signal (e.g. an RP with back-channel logout). */
      rpSession: RpSessionOptions;
      checkSessionIframe?: never;
      issuer?: never;
    }
);

/** Codes of `error` events (`e.detail.code`). */
export type SessionMonitorErrorCode =
  | "invalid_session_state"
  | "no_session_state"
  | "storage_unavailable"
  | "load_timeout"
  | "no_response"
  | "op_error"
  | "unexpected_answer"
  | "ambiguous_cookie"
  | "unknown_user"
  | "not_supported"
  | "issuer_mismatch"
  | "invalid_discovery"
  | "invalid_endpoint"
  | "discovery_failed"
  | "reauth_timeout"
  | "reauth_loop"
  | "reauth_failed"
  | "reauth_invalid_result"
  | "reauth_cancelled"
  | "state_mismatch"
  | "iss_mismatch"
  | "aud_mismatch"
  | "nonce_mismatch"
  | "invalid_id_token"
  | "id_token_expired"
  | "token_exchange_failed"
  | "no_token_endpoint"
  | "no_session_state_in_response"
  | "invalid_callback"
  | "invalid_redirect_uri"
  | "missing_parameter"
  | "invalid_code_verifier"
  | "crypto_unavailable"
  | "rp_session_unavailable"
  | "third_party_cookies_blocked";

/** Codes of the `SessionMonitorError` the constructor throws (`error.code`). */
export type SessionMonitorOptionsErrorCode =
  | "invalid_options"
  | "unknown_option"
  | "missing_client_id"
  | "invalid_client_id"
  | "missing_option"
  | "invalid_url"
  | "unsupported_scheme"
  | "insecure_url"
  | "invalid_session_state_source"
  | "invalid_cookie_name"
  | "invalid_option"
  | "invalid_session_state";

/** Monitor phases, as `monitor.state`. */
export type SessionMonitorState = "idle" | "loading" | "waiting" | "checking" | "paused" | "reauthenticating" | "hidden" | "stopped";

/** `detail` of every event. Never contains session_state or tokens. */
export interface SessionMonitorEventDetailBase {
  /** The event name. */
  type: string;
  /** `Date.now()` when the event was dispatched. */
  timestamp: number;
  /** Whether this monitor did the work: true alone or in the leader, false in a follower that
   *  relays what the leader's monitor saw. */
  leader: boolean;
}
export interface UnchangedDetail extends SessionMonitorEventDetailBase { type: "unchanged" }
export interface ChangedDetail extends SessionMonitorEventDetailBase {
  type: "changed";
  /** True when `changed` was the OP iframe's very first answer since `start()`: often the iframe
   *  cannot see its cookie (third-party cookies blocked or partitioned), not a real change. */
  firstCheck: boolean;
}
export interface ErrorDetail extends SessionMonitorEventDetailBase {
  type: "error";
  code: SessionMonitorErrorCode;
  message: string;
  /** 1 for the first occurrence in a row. */
  attempt: number;
  /** With `third_party_cookies_blocked`: which signal showed that the OP iframe cannot see its cookies. */
  evidence?: "error_from_start" | "first_answer_changed" | "login_required_after_first_changed" | "changed_after_renewal";
  /** `no_response` only: true when the iframe loaded but never answered its first check. */
  firstCheck?: boolean;
  /** `unexpected_answer` only: at most 32 printable characters of what the OP iframe sent. */
  value?: string;
}
export interface StoppedDetail extends SessionMonitorEventDetailBase {
  type: "stopped";
  /** `"stopped"` after `stop()`, a re-authentication outcome, or the error code that stopped polling. */
  reason: "stopped" | SignOutReason | "user_changed" | "interaction_required" | SessionMonitorErrorCode;
}
export interface RenewedDetail extends SessionMonitorEventDetailBase { type: "renewed"; sub: string; sid?: string }
/** Why the session ended: `op_iframe` (the OP iframe said `changed` and re-authentication said
 *  `login_required`), `rp_initiated` (`logout()` in this or another tab), `frontchannel` (the OP
 *  loaded the front-channel logout page), `rp_session` (the RP's server said the session is over). */
export type SignOutReason = "op_iframe" | "rp_initiated" | "frontchannel" | "rp_session";
export interface SignedOutDetail extends SessionMonitorEventDetailBase { type: "signedOut"; reason: SignOutReason }
export interface UserChangedDetail extends SessionMonitorEventDetailBase { type: "userChanged"; sub: string; sid?: string }
export interface InteractionRequiredDetail extends SessionMonitorEventDetailBase {
  type: "interactionRequired";
  code: "interaction_required" | "consent_required" | "account_selection_required";
}

/** Event names and their `CustomEvent` types. */
export interface SessionMonitorEventMap {
  unchanged: CustomEvent<UnchangedDetail>;
  changed: CustomEvent<ChangedDetail>;
  error: CustomEvent<ErrorDetail>;
  stopped: CustomEvent<StoppedDetail>;
  renewed: CustomEvent<RenewedDetail>;
  signedOut: CustomEvent<SignedOutDetail>;
  userChanged: CustomEvent<UserChangedDetail>;
  interactionRequired: CustomEvent<InteractionRequiredDetail>;
}

/** What `monitor.diagnose()` returns. */
export interface SessionMonitorDiagnosis {
  /** Whether the OP iframe is `same-site` with this page (third-party cookie rules do not apply) or `cross-site`; absent before discovery. */
  site?: "same-site" | "cross-site";
  /** The OP iframe's first answer since `start()`; `none` before it. */
  firstAnswer: "unchanged" | "changed" | "error" | "none";
  /** Whether the OP iframe sees the OP's session here. */
  seesSession: "yes" | "no" | "unknown";
  /** What to do, in a sentence. */
  advice: string;
}

/** Thrown by the constructor for bad options. */
export interface SessionMonitorError extends Error {
  name: "SessionMonitorError";
  code: SessionMonitorOptionsErrorCode;
  /** The option the error is about (`"clientId"`, `"silentReauth.redirectUri"`, an unknown name), when there is one. */
  option?: string;
}

export interface SessionMonitor {
  addEventListener<K extends keyof SessionMonitorEventMap>(type: K, listener: (event: SessionMonitorEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SessionMonitorEventMap>(type: K, listener: (event: SessionMonitorEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
}
