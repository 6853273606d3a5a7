// Classic script, loaded first on the monitor page: sets up the records the test driver reads.
//   __events          every monitor event detail, in order, plus `at` (ms since page start)
//   __messages        every message event the page window received: origin, data, and whether it came from the OP iframe
//   __cspViolations   securitypolicyviolation events (directive, blocked URI)
//   __silentOutcomes  what each prompt=none returned, as the silent-callback page posted it up: the OP's `error`
//                     (login_required, …) or `authenticated` (a code or an ID token came back); never a value
//   __secrets         secret values that reached this page and must never show up in console output or event
//                     details: the code / id_token / access_token / session_state of every silent-callback URL
//                     the package's callback page posted up, and the tokens of every token-endpoint response
//                     (fetch is wrapped; the wrapper only reads a clone and records values, it logs nothing)
window.__events = [];
window.__messages = [];
window.__cspViolations = [];
window.__secrets = [];
window.__silentCallbacks = 0;
window.__silentOutcomes = [];
window.__tokenResponses = 0;
(function () {
  function keep(v) { if (typeof v === 'string' && v.length >= 8 && window.__secrets.indexOf(v) < 0) window.__secrets.push(v); }
  window.__keepSecrets = function (obj, keys) { for (var i = 0; i < keys.length; i++) keep(obj && obj[keys[i]]); };
  window.__keepSecretsFromUrl = function (href) {
    try {
      var u = new URL(href);
      var ps = [u.searchParams, new URLSearchParams(u.hash.slice(1))];
      var keys = ['code', 'id_token', 'access_token', 'refresh_token', 'session_state', 'id_token_hint'];
      for (var i = 0; i < ps.length; i++) for (var j = 0; j < keys.length; j++) keep(ps[i].get(keys[j]));
    } catch (err) { /* ignore */ }
  };
  var origFetch = window.fetch;
  if (typeof origFetch !== 'function') return;
  window.fetch = function () {
    return origFetch.apply(this, arguments).then(function (r) {
      try {
        if (/\/token\/?(\?|$)/.test(new URL(r.url).pathname + '?')) {
          window.__tokenResponses++;
          r.clone().json().then(function (j) { window.__keepSecrets(j, ['id_token', 'access_token', 'refresh_token']); }).catch(function () {});
        }
      } catch (err) { /* ignore */ }
      return r;
    });
  };
})();
window.__t0 = performance.now();
window.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push({ directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI, sample: e.sample || '' });
});
window.addEventListener('message', function (e) {
  var fromOp = false;
  try {
    var frames = document.querySelectorAll('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === e.source && frames[i].id !== 'hostile') fromOp = true;
    }
  } catch (err) { /* ignore */ }
  if (e.data && typeof e.data === 'object' && e.data.type === 'oidc-session-monitor:silent-callback' && typeof e.data.url === 'string') {
    window.__silentCallbacks++;
    window.__keepSecretsFromUrl(e.data.url);
    try {
      var cb = new URL(e.data.url);
      var ps = [cb.searchParams, new URLSearchParams(cb.hash.slice(1))];
      var outcome = 'unknown';
      for (var k = 0; k < ps.length; k++) {
        if (ps[k].get('error')) outcome = ps[k].get('error');
        else if (outcome === 'unknown' && (ps[k].get('code') || ps[k].get('id_token'))) outcome = 'authenticated';
      }
      window.__silentOutcomes.push(outcome);
    } catch (err) { window.__silentOutcomes.push('unreadable'); }
  }
  if (window.__messages.length < 20000) {
    window.__messages.push({ origin: e.origin, data: typeof e.data === 'string' ? e.data : '<' + typeof e.data + '>', fromOpFrame: fromOp, at: Math.round(performance.now() - window.__t0) });
  }
}, true);
