// On /silent-callback.html: completes oidc-client-ts's signinSilent() (posts the response URL to the
// parent page, on this origin only). Does nothing for the monitor's own silent re-authentication,
// whose state oidc-client-ts does not know.
import { ownsOidcClientTsState, userManager } from '/oidc-client-ts/lib.js';

if (window.parent !== window && ownsOidcClientTsState()) {
  const um = await userManager();
  await um.signinSilentCallback();
}
