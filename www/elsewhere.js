// /elsewhere.html: signs in at the OP without storing anything (keep: false), then comes back here.
import { login } from '/auth.js';

const params = new URLSearchParams(window.location.search);
if (params.has('done')) {
  document.getElementById('title').textContent = 'Signed in at the OP';
  document.getElementById('status').textContent =
    'The OP has a new session for you. Go back to the showcase tab (press Start there if its monitor has stopped).';
} else {
  login({ returnTo: '/elsewhere.html?done', keep: false });
}
