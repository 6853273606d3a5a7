// On /silent-callback.html: completes oidc-client-ts's signinSilent() (posts the response URL to the
// parent page, on this origin only). Does nothing for the monitor's own silent re-authentication,
// whose state oidc-client-ts does not know.
import { ownsOidcClientTsState, userManager } from '/oidc-client-ts/lib.js';

// Read the URL before any await: the package's silent-callback.js (loaded after this one) strips the
// query from the page's URL with history.replaceState.
const responseUrl = window.location.href;
if (window.parent !== window && ownsOidcClientTsState(new URL(responseUrl).searchParams)) {
  const um = await userManager();
  await um.signinSilentCallback(responseUrl);
}
