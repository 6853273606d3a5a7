// Where the .wasm's bytes go (issue 14 item 3), as Markdown for SIZE.md: per module of ours, per
// dependency, and the shares that matter for size work (panic/formatting, allocator, serde's
// monomorphisations, closures and futures, wasm-bindgen's shims), from twiggy on the named twin
// (the shipped code with its function names; see scripts/size.sh). Plus the JS glue's parts.
//
//   node scripts/size-breakdown.mjs <named twin .wasm> <glue .js as shipped>
//
// Bytes are raw bytes after wasm-opt, each item counted once (twiggy's shallow size). Code that the
// compiler inlined is counted where it was inlined to: most of the state machine (core::machine)
// sits inside browser::driver's `feed`, serde's visitors inside the functions that deserialise.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const [twin, glue] = process.argv.slice(2);
const csv = execFileSync('twiggy', ['top', '-n', '1000000', '-f', 'csv', twin], { encoding: 'utf8', maxBuffer: 1 << 26 });
const items = [];
for (const line of csv.split('\n').slice(1)) {
  if (!line.trim()) continue;
  // Name is quoted when it contains commas; the numeric columns follow it.
  const m = line.match(/^("(?:[^"]|"")*"|[^,]*),(\d+),/);
  if (!m) continue;
  const name = m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1];
  items.push({ name, size: Number(m[2]) });
}
const isName = (n) => /subsection"?$|^custom section 'name'/.test(n);
const code = items.filter((i) => !isName(i.name));
const total = code.reduce((s, i) => s + i.size, 0);
const pct = (b) => `${((100 * b) / total).toFixed(1)} %`;

// The crate an item belongs to: ours by module (two levels), a dependency by crate name.
const OURS = 'oidc_session_monitor::';
const crateOf = (name) => {
  const n = name.replace(/\[[0-9a-f]{16}\]/g, ''); // core[c5930c85a12de822] → core
  const ours = n.indexOf(OURS);
  if (ours >= 0) {
    const path = n.slice(ours + OURS.length).split('::');
    const mod = path[0] === 'api' ? 'api' : `${path[0]}::${(path[1] || '').replace(/[^\w].*$/, '')}`;
    return { ours: true, key: mod };
  }
  if (/^sessionmonitor_|^__wbg_sessionmonitor|externref shim|multivalue shim/.test(n)) return { ours: true, key: 'api (exported methods: wasm-bindgen shims)' };
  if (n.startsWith('data segment')) return { ours: false, key: 'data segments (strings, tables)' };
  const m = n.match(/(?:^|[<&\s(])((?:[a-z_][a-z0-9_]*))::/);
  const crate = m ? m[1] : null;
  const deps = { serde_core: 'serde', serde: 'serde', sha2: 'sha2 (+ digest, block-buffer)', digest: 'sha2 (+ digest, block-buffer)',
    block_buffer: 'sha2 (+ digest, block-buffer)', lol_alloc: 'lol_alloc', wasm_bindgen: 'wasm-bindgen', js_sys: 'js-sys',
    web_sys: 'web-sys', gloo_timers: 'gloo-timers', wasm_bindgen_futures: 'wasm-bindgen-futures', core: 'core (Rust)',
    alloc: 'alloc (Rust)', std: 'std (Rust)', __rustc: 'std (Rust)' };
  if (crate && deps[crate]) return { ours: false, key: deps[crate] };
  if (/^__rust|^__rdl|^__rg|^__externref|^__wbindgen|^memcpy|^memset|^memcmp|^memmove|^__multi3|^__ashl|^__lshr/.test(n)) {
    return { ours: false, key: /^__externref|^__wbindgen/.test(n) ? 'wasm-bindgen' : 'compiler builtins, std runtime' };
  }
  return { ours: false, key: 'module structure (types, imports, exports, table, headers)' };
};
const ours = new Map();
const deps = new Map();
for (const i of code) {
  const { ours: o, key } = crateOf(i.name);
  const map = o ? ours : deps;
  map.set(key, (map.get(key) || 0) + i.size);
}
const table = (title, map) => {
  const rows = [...map].sort((a, b) => b[1] - a[1]);
  const sum = rows.reduce((s, [, b]) => s + b, 0);
  return [`| ${title} | bytes | share |`, '|---|---:|---:|',
    ...rows.map(([k, b]) => `| ${k.includes('(') || k.includes(' ') ? k : `\`${k}\``} | ${b} | ${pct(b)} |`),
    `| **all** | **${sum}** | ${pct(sum)} |`].join('\n');
};

// Cross-cutting shares (an item can be in several).
const SHARES = [
  ['panic and formatting', /core::fmt|fmt::(Debug|Display|Write|write)|Formatter|panicking|panic_|unwrap_failed|expect_failed|index_fail|bounds_check|slice_error|BorrowError|BorrowMutError|PanicPayload|begin_panic|abort_handler/,
    'std\'s panic handler formats the message even with panic = "abort"; on stable Rust it cannot be replaced while std is linked'],
  ['allocator', /lol_alloc|__rust_alloc|__rust_dealloc|__rust_realloc|__rdl_|__rg_|handle_alloc_error|alloc_error|__wbindgen_malloc|__wbindgen_realloc|__wbindgen_free/,
    'lol_alloc\'s free list (coalescing) and the alloc entry points'],
  ['growing Vec/String', /raw_vec|RawVec|reserve|grow_amortized|finish_grow/, 'alloc\'s RawVec growth, one copy per element size'],
  ['serde (derive visitors, Deserializer impls)', /serde/, 'items whose name mentions serde; the visitors inlined into callers are not counted here'],
  ['closures (wasm-bindgen Closure, Rust closures)', /\{\{closure\}\}|closures::|Closure|invoke__/, 'Rust closures and the shims wasm-bindgen makes per closure type'],
  ['futures (async fn, JsFuture, spawn_local)', /futures|JsFuture|spawn_local|Future>|\{\{async/, 'the executor of wasm-bindgen-futures/js-sys and the async fns\' state machines'],
  ['wasm-bindgen shims and runtime', /externref shim|multivalue shim|__wbindgen|__externref|__wbg_|wasm_bindgen::/, 'conversion shims of exported methods and imports, the externref table'],
  ['data segments', /^data segment/, 'strings (error messages, option and event names), lookup tables'],
];
const shareRows = SHARES.map(([label, re, note]) => {
  const hit = code.filter((i) => re.test(i.name));
  const bytes = hit.reduce((s, i) => s + i.size, 0);
  return `| ${label} | ${bytes} | ${pct(bytes)} | ${hit.length} | ${note} |`;
});
const serdeItems = code.filter((i) => /serde/.test(i.name));
const deserializers = new Set(serdeItems.map((i) => (i.name.match(/Deserialize for ([\w:]+)/) || [])[1]).filter(Boolean));

// The glue: how much of it is per import (one small function each) and per export.
const js = readFileSync(glue, 'utf8');
const imports = new WebAssembly.Module(readFileSync(twin));
const nImports = WebAssembly.Module.imports(imports).length;
const nExports = WebAssembly.Module.exports(imports).length;
// The imports object: `{__proto__:null,<module>:{__proto__:null,<import>:function(…){…},…}}` (brace
// matching; braces inside string literals would skew it, and the glue's strings have none).
let importsText = '';
const start = js.search(/__proto__:null,"?[\w$]+"?:\{__proto__:null,/);
if (start >= 0) {
  const open = js.indexOf('{', js.indexOf(':{', start + 15));
  for (let depth = 0, j = open; j < js.length; j++) {
    if (js[j] === '{') depth++;
    else if (js[j] === '}' && --depth === 0) { importsText = js.slice(open, j + 1); break; }
  }
}
const importsBytes = importsText.length;

const out = [];
out.push(`The .wasm's ${total} bytes of code and data (raw, after wasm-opt, names excluded), from \`twiggy top\` on the named twin.`);
out.push('Inlined code counts where it was inlined to: most of `core::machine` sits inside `browser::driver`\'s `feed`.');
out.push('');
out.push('### Per module of ours');
out.push('');
out.push(table('module', ours));
out.push('');
out.push('### Per dependency');
out.push('');
out.push(table('crate', deps));
out.push('');
out.push('### Shares (an item may be in more than one)');
out.push('');
out.push('| share | bytes | of the .wasm | items | what |');
out.push('|---|---:|---:|---:|---|');
out.push(...shareRows);
out.push('');
out.push(`serde: ${serdeItems.length} items name serde, from the Deserialize impls of ${[...deserializers].map((d) => `\`${d.replace(/^oidc_session_monitor::/, '')}\``).join(', ') || '(no item names a type: the visitors are inlined into their callers)'}; the derive's visitors are instantiated once per type, and the generic \`Value\` deserializer once per visitor.`);
out.push('');
out.push('### The JS glue');
out.push('');
out.push(`${js.length} bytes minified, ${gzipSync(js, { level: 9 }).length} gzip -9. The .wasm has ${nImports} imports (one small JS function each in the glue: ${importsBytes} bytes of the minified glue, ${importsBytes ? gzipSync(importsText, { level: 9 }).length : '–'} gzip on their own) and ${nExports} exports; import and export names are shortened by scripts/minify-names.mjs.`);
console.log(out.join('\n'));
