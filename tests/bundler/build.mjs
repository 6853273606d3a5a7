// Bundles tests/bundler/main.js with esbuild into tests/bundler/dist/ (main.js, the hashed .wasm,
// index.html). The package is resolved by name through tests/bundler/node_modules/oidc-session-monitor,
// a symlink to pkg/ (what `npm install file:../../pkg` would make), so esbuild reads pkg/package.json
// "exports" exactly as for a user. Usage: node tests/bundler/build.mjs   (PKG=dir for another copy)
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.join(HERE, 'dist');
const ROOT = path.resolve(HERE, '..', '..');

/** Builds dist/; returns { files: {name: bytes} }. */
export async function build({ pkg = process.env.PKG || path.join(ROOT, 'pkg'), quiet = false } = {}) {
  pkg = path.resolve(pkg);
  if (!existsSync(path.join(pkg, 'package.json'))) throw new Error(`${pkg} is not built (bash scripts/build.sh)`);
  const link = path.join(HERE, 'node_modules', 'oidc-session-monitor');
  mkdirSync(path.dirname(link), { recursive: true });
  try { lstatSync(link); rmSync(link, { force: true }); } catch { /* absent */ }
  symlinkSync(pkg, link, 'dir');

  rmSync(DIST, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [path.join(HERE, 'main.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    outdir: DIST,
    loader: { '.wasm': 'file' },
    assetNames: '[name]-[hash]',
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  copyFileSync(path.join(HERE, 'index.html'), path.join(DIST, 'index.html'));
  const files = Object.fromEntries(Object.entries(result.metafile.outputs).map(([f, o]) => [path.basename(f), o.bytes]));
  return { files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files } = await build();
  for (const [f, bytes] of Object.entries(files)) console.log(`bundler: dist/${f} ${bytes} bytes`);
}
