// Tells the test server what the package's front-channel page did (pins browser behaviour).
import { result } from '/pkg/frontchannel-logout.js';
let storage = 'ok';
try { localStorage.setItem('probe', '1'); localStorage.removeItem('probe'); } catch { storage = 'blocked'; }
const keys = (() => { try { return Object.keys(localStorage).filter((k) => k.startsWith('oidc-session-monitor:sid ')).length; } catch { return -1; } })();
navigator.sendBeacon('/fcl-result', new Blob([JSON.stringify({ ...result, storage, sidKeysSeen: keys, framed: window.parent !== window })], { type: 'application/json' }));
