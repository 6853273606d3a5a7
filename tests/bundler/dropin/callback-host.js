// Frames the package's silent-callback page with a callback URL full of secrets, as the OP's
// redirect would, and records what the page hands over (window.__callback) and what remains in the
// frame's own URL afterwards (window.__frameUrl).
window.__callback = null;
window.__frameUrl = null;
window.addEventListener('message', (e) => {
  if (e.origin !== location.origin || !e.data || e.data.type !== 'oidc-session-monitor:silent-callback') return;
  window.__callback = e.data.url;
  const frame = document.querySelector('iframe');
  window.__frameUrl = frame.contentWindow.location.href;
});
window.addEventListener('DOMContentLoaded', () => {
  const frame = document.createElement('iframe');
  frame.src = '/pkg/silent-callback.html?code=SECRETCODE&state=st4te&session_state=SECRETSS#frag';
  document.body.appendChild(frame);
});
