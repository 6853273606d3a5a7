// Scenario f: a page on another origin (127.0.0.1:9031), framed inside the RP page, floods its parent and top
// with the three answers a check_session iframe can give. The monitor must ignore all of them.
(function () {
  var words = ['changed', 'unchanged', 'error', 'changed'];
  var n = 0;
  function burst() {
    for (var i = 0; i < 8; i++) {
      var w = words[n++ % words.length];
      try { window.parent.postMessage(w, '*'); } catch (e) { /* ignore */ }
      if (window.top !== window.parent) { try { window.top.postMessage(w, '*'); } catch (e) { /* ignore */ } }
    }
  }
  burst();
  setInterval(burst, 10);
})();
