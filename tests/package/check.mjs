// Package proof (issue 5 item 1): what `npm pack` would publish from pkg/ is exactly the expected
// list, and pkg/package.json's main/module/types/exports/files/sideEffects agree with it and with
// each other. Also resolves the package's entry points the way Node and bundlers do (exports).
//
// Usage: node tests/package/check.mjs            (after bash scripts/build.sh; PKG=dir for another copy)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PKG = path.resolve(process.env.PKG || path.join(ROOT, 'pkg'));

/** Everything the package must ship, and nothing else. */
const EXPECTED = [
  'LICENSE',
  'README.md',
  // How to report a vulnerability (the README links it; issue 9 point 11).
  'SECURITY.md',
  'oidc-session-monitor-auto.d.ts',
  'oidc-session-monitor-auto.js',
  'oidc-session-monitor.classic.js',
  'oidc_session_monitor.d.ts',
  'oidc_session_monitor.js',
  'oidc_session_monitor_bg.wasm',
  'oidc_session_monitor_bg.wasm.d.ts',
  'package.json',
  // The silent re-authentication callback (the lead's, issue 5 re-auth work).
  'silent-callback.d.ts',
  'silent-callback.html',
  'silent-callback.js',
  // The front-channel logout page (issue 11).
  'frontchannel-logout.d.ts',
  'frontchannel-logout.html',
  'frontchannel-logout.js',
  // diagnose(), its own entry point `oidc-session-monitor/diagnose` (issue 13 item 6).
  'diagnose.d.ts',
  'diagnose.js',
];

let passed = 0;
let failed = 0;
function check(ok, what, detail) {
  if (ok) { passed++; console.log(`ok - ${what}`); } else { failed++; console.log(`not ok - ${what}${detail ? `\n    ${detail}` : ''}`); }
}
const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
const rel = (p) => p.replace(/^\.\//, '');
const exists = (p) => existsSync(path.join(PKG, rel(p)));

if (!existsSync(path.join(PKG, 'package.json'))) {
  console.log(`not ok - ${PKG}/package.json exists (build first: bash scripts/build.sh)`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const pkg = JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8'));

// 1. What npm would publish.
const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
  cwd: PKG, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
}));
const shipped = pack.files.map((f) => f.path);
const missing = EXPECTED.filter((f) => !shipped.includes(f));
const extra = shipped.filter((f) => !EXPECTED.includes(f));
check(missing.length === 0 && extra.length === 0, `npm pack ships exactly the ${EXPECTED.length} expected files`,
  `missing: ${missing.join(', ') || '-'}; unexpected: ${extra.join(', ') || '-'}`);
console.log(`# npm pack: ${pack.filename}, ${pack.size} bytes packed (tar.gz), ${pack.unpackedSize} unpacked, ${shipped.length} files`);

// 2. package.json fields.
check(pkg.name === 'oidc-session-monitor', 'name is oidc-session-monitor', pkg.name);
check(pkg.type === 'module', 'type is module', pkg.type);
check(typeof pkg.license === 'string' && pkg.license.length > 0 && shipped.includes('LICENSE'), 'license set and LICENSE shipped');
check(Array.isArray(pkg.files) && same(pkg.files.filter((f) => f !== 'package.json'),
  EXPECTED.filter((f) => f !== 'package.json')), '"files" lists exactly the shipped files', JSON.stringify(pkg.files));
for (const key of ['main', 'module', 'types']) {
  check(typeof pkg[key] === 'string' && exists(pkg[key]) && shipped.includes(rel(pkg[key])), `"${key}" (${pkg[key]}) is shipped`);
}
const dot = pkg.exports && pkg.exports['.'];
check(dot && rel(dot.types) === rel(pkg.types), '"exports"["."].types equals "types"', JSON.stringify(dot));
check(dot && rel(dot.default ?? dot.import) === rel(pkg.module), '"exports"["."].default equals "module"', JSON.stringify(dot));
check(dot && Object.keys(dot)[0] === 'types', '"types" is the first condition of "exports"["."] (TypeScript needs it first)');
const targets = [];
(function walk(v) { if (typeof v === 'string') targets.push(v); else if (v && typeof v === 'object') Object.values(v).forEach(walk); })(pkg.exports);
for (const t of targets.filter((t) => !t.includes('*'))) check(exists(t) && shipped.includes(rel(t)), `exports target ${t} is shipped`);
for (const s of pkg.sideEffects || []) check(exists(s), `sideEffects entry ${s} is shipped`);
check(same((pkg.sideEffects || []).map(rel), ['oidc-session-monitor-auto.js', 'oidc-session-monitor.classic.js', 'frontchannel-logout.js']),
  '"sideEffects" names exactly the three self-starting scripts (bundlers may drop anything else)', JSON.stringify(pkg.sideEffects));

// 3. Files reference each other correctly.
const read = (f) => readFileSync(path.join(PKG, f), 'utf8');
check(read('oidc-session-monitor-auto.js').includes(`from './oidc_session_monitor.js'`), 'the drop-in imports ./oidc_session_monitor.js');
check(!read('frontchannel-logout.js').includes('import '), 'the front-channel page needs no WebAssembly (it must finish before load)');
check(read('oidc-session-monitor.classic.js').includes(`'oidc-session-monitor-auto.js#manual'`), 'the classic script loads the shipped drop-in');
check(read('oidc-session-monitor-auto.d.ts').includes(`from './oidc_session_monitor.js'`), 'the drop-in types import the package types');
check(/new URL\(["']oidc_session_monitor_bg\.wasm["'],\s*import\.meta\.url\)/.test(read('oidc_session_monitor.js')), 'the glue finds the .wasm next to itself');
const wasm = readFileSync(path.join(PKG, 'oidc_session_monitor_bg.wasm'));
check(wasm.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d])), 'the .wasm is a WebAssembly binary');
check(!/\bany\b/.test(read('oidc_session_monitor.d.ts').split('export type InitInput')[0].replace(/\/\*[\s\S]*?\*\//g, '')),
  'the public .d.ts (before the init types) has no `any`');

// 4. Resolution through "exports", as Node and bundlers do it, from a project that depends on the package.
const tmp = mkdtempSync(path.join(tmpdir(), 'oidc-pkg-'));
try {
  mkdirSync(path.join(tmp, 'node_modules'));
  symlinkSync(PKG, path.join(tmp, 'node_modules', 'oidc-session-monitor'));
  writeFileSync(path.join(tmp, 'package.json'), '{"type":"module"}');
  writeFileSync(path.join(tmp, 'r.mjs'), `console.log(JSON.stringify(['oidc-session-monitor',
    'oidc-session-monitor/oidc-session-monitor-auto.js', 'oidc-session-monitor/oidc_session_monitor_bg.wasm',
    'oidc-session-monitor/package.json'].map((s) => import.meta.resolve(s))));`);
  const resolved = JSON.parse(execFileSync(process.execPath, ['r.mjs'], { cwd: tmp, encoding: 'utf8' }));
  const want = ['oidc_session_monitor.js', 'oidc-session-monitor-auto.js', 'oidc_session_monitor_bg.wasm', 'package.json'];
  // Node follows the node_modules symlink, so compare real paths.
  resolved.forEach((u, i) => check(exists(want[i]) && fileURLToPath(u) === realpathSync(path.join(PKG, want[i])),
    `import.meta.resolve → ${want[i]}`, u));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log(`package: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
