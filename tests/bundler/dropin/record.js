// Records the drop-in's window events for the test driver (window.__events), as a page would
// listen to them. A classic script, so it runs before the deferred module drop-in starts.
window.__events = [];
for (const name of ['unchanged', 'changed', 'error', 'stopped']) {
  window.addEventListener(`oidc-session:${name}`, (e) => {
    window.__events.push({ type: e.type, detail: { ...e.detail }, isCustomEvent: e instanceof CustomEvent });
  });
}
