// Shortens the names that the .wasm and its JS glue use to find each other (release build only).
//
// wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` under the module
// "./oidc_session_monitor_bg.js", and exports closures' shims as
// `wasm_bindgen__convert__closures_____invoke__h<hash>`. Each name is written twice, in the .wasm
// and in the glue, and the hashes do not compress: about 2.5 kB of the gzip runtime. binaryen's
// `--minify-imports-and-exports-and-modules` renames them in the .wasm and prints the mapping; this
// script applies the same mapping to the glue and to the `_bg.wasm.d.ts` export list, and refuses
// (exit 1) if any name is left unmatched.
//
// Usage: node scripts/minify-names.mjs <wasm-opt> <pkg dir> <out-name> [wasm-opt feature flags...]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

const [wasmOpt, dir, name, ...features] = process.argv.slice(2);
const wasmPath = `${dir}/${name}_bg.wasm`;
const jsPath = `${dir}/${name}.js`;
const dtsPath = `${dir}/${name}_bg.wasm.d.ts`;
const fail = (why) => { console.error(`minify-names: ${why}`); process.exit(1); };

const out = execFileSync(wasmOpt, [...features, '--minify-imports-and-exports-and-modules',
  wasmPath, '-o', `${wasmPath}.min`], { encoding: 'utf8' });
// binaryen prints JSON with trailing commas.
const map = JSON.parse(out.slice(out.indexOf('{')).replace(/,(\s*[\]}])/g, '$1'));

const module = new WebAssembly.Module(readFileSync(`${wasmPath}.min`));
const modules = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
if (modules.size !== 1) fail(`expected one import module, got ${[...modules].join(', ')}`);
const newModule = [...modules][0];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let js = readFileSync(jsPath, 'utf8');
let dts = readFileSync(dtsPath, 'utf8');
const replaceAll = (text, pattern, replacement, what) => {
  const re = new RegExp(pattern, 'g');
  if (!re.test(text)) fail(`${what} not found`);
  return text.replace(re, replacement);
};
const oldModules = new Set(map.imports.map(([m]) => m));
for (const m of oldModules) {
  js = replaceAll(js, `(["'])${escape(m)}\\1:`, `"${newModule}":`, `import module "${m}" in the glue`);
}
for (const [, oldName, newName] of map.imports) {
  // Import functions are keys of the imports object: `__wbg_…: function(…)`.
  js = replaceAll(js, `(?<![\\w$])${escape(oldName)}(?=\\s*:)`, newName, `import ${oldName} in the glue`);
}
for (const [oldName, newName] of map.exports) {
  // Exports are read as `wasm.<name>`; some (abort handler) are never read by the glue.
  const read = new RegExp(`\\bwasm\\.${escape(oldName)}(?![\\w$])`, 'g');
  js = js.replace(read, `wasm.${newName}`);
  dts = dts.replace(new RegExp(`(export const )${escape(oldName)}(?=:)`), `$1${newName}`);
}
for (const [, oldName] of map.imports) if (js.includes(oldName)) fail(`${oldName} is still in the glue`);
for (const [oldName] of map.exports) {
  if (new RegExp(`\\bwasm\\.${escape(oldName)}(?![\\w$])`).test(js)) fail(`wasm.${oldName} is still in the glue`);
}
writeFileSync(jsPath, js);
writeFileSync(dtsPath, dts);
renameSync(`${wasmPath}.min`, wasmPath);

// wasm-bindgen's runtime exports two globals for its abort and re-init machinery, which a
// panic = "abort" build without --force-enable-abort-handler never uses and the glue never reads
// (checked): they go, with what only they kept. Then one more optimizing run (the passes of
// scripts/wasm-opt-flags.sh) over the renamed module: binaryen finds more to fold once the names
// are short (-104 B gzip measured; the removal -20 B).
const flags = new URL('./wasm-opt-flags.sh', import.meta.url).pathname;
const passes = execFileSync('bash', ['-c', '. "$0"; printf %s "$WASM_OPT_PASSES"', flags], { encoding: 'utf8' })
  .split(/\s+/).filter(Boolean);
if (passes.length === 0) fail(`no WASM_OPT_PASSES in ${flags}`);
const minified = new Map(map.exports);
const drop = ['__abort_handler', '__instance_terminated'].map((n) => minified.get(n)).filter(Boolean);
for (const n of drop) {
  if (new RegExp(`\\bwasm\\.${escape(n)}(?![\\w$])`).test(js)) fail(`the glue reads wasm.${n}`);
}
const removals = drop.map((n) => ['--remove-exports', `--pass-arg=remove-exports@${n}`]);
// One wildcard per run: binaryen's remove-exports takes a single pattern.
for (const [i, args] of removals.entries()) {
  const last = i === removals.length - 1;
  execFileSync(wasmOpt, [...features, ...args, '--remove-unused-module-elements',
    ...(last ? passes : []), wasmPath, '-o', `${wasmPath}.opt`]);
  renameSync(`${wasmPath}.opt`, wasmPath);
}
if (removals.length === 0) {
  execFileSync(wasmOpt, [...features, ...passes, wasmPath, '-o', `${wasmPath}.opt`]);
  renameSync(`${wasmPath}.opt`, wasmPath);
}
const left = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(wasmPath))).map((e) => e.name);
for (const n of drop) if (left.includes(n)) fail(`export ${n} is still in the .wasm`);
