// Classic-script drop-in for pages without modules: the same data attributes as the module tag,
//
//   <script src="/vendor/oidc-session-monitor/oidc-session-monitor.classic.js"
//           data-check-session-iframe="…" data-client-id="…" data-session-state-cookie="session_state"></script>
//
// It loads the module drop-in next to it (dynamic import(), which classic scripts may use) and
// starts the monitor with this tag's attributes. Events and window.oidcSessionMonitor are the same.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) {
    console.error('oidc-session-monitor.classic: load it with <script src="…">, not inline or from another script');
    return;
  }
  var url = new URL('oidc-session-monitor-auto.js#manual', script.src).href;
  import(url).then(
    // dropIn waits for the page to be parsed and starts only if this is the page's one drop-in tag.
    function (m) { return m.dropIn(script); },
    function (e) { console.error('oidc-session-monitor.classic: cannot load ' + url + ': ' + ((e && e.message) || e)); }
  );
})();
