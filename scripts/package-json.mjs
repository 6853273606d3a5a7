// Writes pkg/package.json for the publishable package from Cargo.toml's metadata and the files that
// are really in pkg/. (wasm-pack --no-pack leaves this to us so that the extras are listed.)
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';

const cargo = readFileSync('Cargo.toml', 'utf8');
const field = (k) => (cargo.match(new RegExp(`^${k} = "([^"]*)"`, 'm')) || [])[1];
const files = readdirSync('pkg').filter((f) => !['package.json', '.gitignore'].includes(f)).sort();
const pkg = {
  name: field('name'),
  version: field('version'),
  description: field('description'),
  license: field('license'),
  type: 'module',
  main: 'oidc_session_monitor.js',
  module: 'oidc_session_monitor.js',
  types: 'oidc_session_monitor.d.ts',
  exports: {
    '.': { types: './oidc_session_monitor.d.ts', default: './oidc_session_monitor.js' },
    './oidc_session_monitor_bg.wasm': './oidc_session_monitor_bg.wasm',
    // diagnose(): a separate entry point, not part of the runtime `import … from 'oidc-session-monitor'` loads (issue 13).
    './diagnose': { types: './diagnose.d.ts', default: './diagnose.js' },
    './*': './*',
  },
  files,
  sideEffects: files.filter((f) => f.endsWith('-auto.js') || f.endsWith('.classic.js') || f === 'frontchannel-logout.js').map((f) => `./${f}`),
  keywords: ['openid-connect', 'oidc', 'session-management', 'check_session_iframe', 'webassembly'],
};
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
