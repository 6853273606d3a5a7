/** The message type the monitor listens for. */
export declare const SILENT_CALLBACK_MESSAGE: "oidc-session-monitor:silent-callback";
/** Posts this page's URL to the parent window, on this page's own origin only. False when not framed. */
export declare function handleSilentCallback(): boolean;
