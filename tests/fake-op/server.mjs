// A fake OP for the browser tests (wasm-pack test): serves check.html (a check_session_iframe whose
// answers the test controls), rogue.html (a page that floods its parent with answers) and /hang
// (never answers, so the iframe never loads). Loopback only. Usage: node server.mjs [port]
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const port = Number(process.argv[2] || process.env.FAKE_OP_PORT || 9040);
const dir = new URL('.', import.meta.url);
const hanging = new Set();
const server = createServer((req, res) => {
  if (process.env.FAKE_OP_LOG) console.log(req.method, req.url, req.headers.referer || "");
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/hang') { hanging.add(res); return; }
  const file = { '/check.html': 'check.html', '/rogue.html': 'rogue.html' }[path];
  if (!file) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
  // The wasm-bindgen test page is served with COEP require-corp: a cross-origin frame must opt in.
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-resource-policy': 'cross-origin',
  });
  res.end(readFileSync(new URL(file, dir)));
});
server.listen(port, '127.0.0.1', () => console.log(`fake OP on http://127.0.0.1:${port} and http://localhost:${port}`));
const stop = () => { for (const r of hanging) r.destroy(); server.close(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
