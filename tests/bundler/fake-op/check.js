// A trivial stand-in for an OP's check_session_iframe: answers every "client_id session_state"
// message with the answer named in the query (?answer=unchanged|changed|error|none; default
// unchanged), to the sender's window and origin. "none" never answers (a hung OP).
// Malformed messages (no space) get "error", as the spec's sample OP does.
const answer = new URLSearchParams(location.search).get('answer') || 'unchanged';
window.addEventListener('message', (e) => {
  if (answer === 'none' || !e.source) return;
  const ok = typeof e.data === 'string' && e.data.indexOf(' ') > 0;
  e.source.postMessage(ok ? answer : 'error', e.origin);
});
