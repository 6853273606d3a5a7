// Classic script, loaded first on the monitor page: sets up the records the test driver reads.
//   __events          every monitor event detail, in order, plus `at` (ms since page start)
//   __messages        every message event the page window received: origin, data, and whether it came from the OP iframe
//   __cspViolations   securitypolicyviolation events (directive, blocked URI)
window.__events = [];
window.__messages = [];
window.__cspViolations = [];
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
  if (window.__messages.length < 20000) {
    window.__messages.push({ origin: e.origin, data: typeof e.data === 'string' ? e.data : '<' + typeof e.data + '>', fromOpFrame: fromOp, at: Math.round(performance.now() - window.__t0) });
  }
}, true);
