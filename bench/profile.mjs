// Where a check's time goes, in Chromium: the DevTools protocol's sampling CPU profiler (Profiler domain, via
// puppeteer) records the RP page while it runs N checks of one library (warmed up first), and the samples are
// summed by where they fall: our .wasm, our JS glue, the peer's bundle, the harness, browser built-ins called
// from JS (postMessage, dispatchEvent, …), the browser's own work outside JS ("(program)") and GC. Idle time
// (waiting for the OP iframe's process) is left out. Used by bench/run.mjs (its "Profile" section).
//
// For readable wasm names the profile loads a *named twin* of the package when it can build one: cargo's
// output for the same build run through wasm-bindgen, the release wasm-opt flags with -g (names kept) and
// no minify-names, the glue left unminified — scripts/build.sh's steps minus the renaming (scripts/size.sh
// builds the same for twiggy). Otherwise it profiles pkg/ as shipped (wasm functions then show as numbers).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/** Builds the named twin into target/bench/named-pkg/; returns { dir, note } or { dir: null, note }. */
export function buildNamedTwin(root) {
  const out = path.join(root, 'target', 'bench', 'named-pkg');
  const cargoWasm = path.join(root, 'target', 'wasm32-unknown-unknown', 'release', 'oidc_session_monitor.wasm');
  const wasmOpt = path.join(root, 'node_modules', '.bin', 'wasm-opt');
  const env = { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
  try {
    if (!fs.existsSync(cargoWasm)) throw new Error(`${path.relative(root, cargoWasm)} missing (bash scripts/build.sh)`);
    const [passes, features] = execFileSync('bash', ['-c', '. scripts/wasm-opt-flags.sh; printf "%s\\n%s" "$WASM_OPT_PASSES" "$WASM_FEATURES"'], { cwd: root, encoding: 'utf8' })
      .split('\n').map((l) => l.split(/\s+/).filter(Boolean));
    fs.rmSync(out, { recursive: true, force: true });
    execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', out, '--out-name', 'oidc_session_monitor', cargoWasm], { env, stdio: 'pipe' });
    const wasm = path.join(out, 'oidc_session_monitor_bg.wasm');
    execFileSync(wasmOpt, [...passes, '-g', ...features, '--strip-producers', '--strip-target-features', wasm, '-o', `${wasm}.opt`], { stdio: 'pipe' });
    fs.renameSync(`${wasm}.opt`, wasm);
    // scripts/minify-names.mjs optimizes once more after renaming; so does the twin (without the renaming).
    execFileSync(wasmOpt, [...passes, '-g', ...features, wasm, '-o', `${wasm}.opt`], { stdio: 'pipe' });
    fs.renameSync(`${wasm}.opt`, wasm);
    // scripts/minify-names.mjs is left out on purpose: the imports keep wasm-bindgen's names (`__wbg_postMessage_…`),
    // so the profile says which browser call a wasm→JS crossing is. Renaming changes no code.
    const size = fs.statSync(wasm).size;
    return { dir: out, note: `a named twin of pkg/ (cargo's output as of ${fs.statSync(cargoWasm).mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC through wasm-bindgen and the release wasm-opt passes with -g, ${size} B with names; import names not minified, glue not minified), so wasm functions and glue imports have names` };
  } catch (e) {
    return { dir: null, note: `no named twin (${String(e.message || e).split('\n')[0]}): pkg/ as shipped, wasm functions unnamed` };
  }
}

const CATEGORY = (cf, libUrl) => {
  const { url, functionName: fn } = cf;
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'browser, outside JS (program)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(root)') return 'root';
  if (url.startsWith('wasm://') || /\.wasm(\?|$)/.test(url)) return 'our .wasm';
  if (libUrl && url.includes(libUrl)) return url.includes('/peer/') ? 'the library (JS)' : 'our JS glue';
  if (url.includes('/harness.js')) return 'bench harness';
  if (!url) return 'built-ins called from JS';
  return 'other JS';
};

/**
 * Profiles `checks` checks of `lib` on a fresh page of `browser` (Chromium). Returns per-check microseconds by
 * category (self time), the library's inclusive time, and the top self-time functions.
 */
export async function profileLib(browser, { url, op, lib, pkg, checks, warm = 300, intervalUs = 25 }) {
  const page = await browser.newPage();
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
    await page.waitForFunction(() => window.benchReady === true, { timeout: 20_000 });
    await page.evaluate((o) => window.prepare(o), { op, lib, pkg, warm });
    const cdp = await page.createCDPSession();
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await cdp.send('Profiler.start');
    const run = await page.evaluate((n) => window.checks(n), checks);
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.detach();
    return { lib, checks, ms: run.ms, errors: run.errors, ...summarize(profile, lib === 'ours' ? `${pkg}oidc_session_monitor` : `/peer/${lib}.js`, checks) };
  } finally {
    await page.close().catch(() => {});
  }
}

export function summarize(profile, libUrl, checks) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const catOf = (id) => CATEGORY(byId.get(id).callFrame, libUrl);
  // A built-in (setTimeout, postMessage, dispatchEvent, TextDecoder.decode, …) counts for the JS that called it.
  const caller = (id) => {
    for (let p = parent.get(id); p != null; p = parent.get(p)) { const k = catOf(p); if (k !== 'built-ins called from JS') return k; }
    return 'other JS';
  };
  const SHORT = { 'our .wasm': 'wasm', 'our JS glue': 'glue', 'the library (JS)': 'lib', 'bench harness': 'harness', 'other JS': 'js' };
  const cat = {}; const fnSelf = new Map(); const incl = new Map(); let inLib = 0; let inWasm = 0; let busy = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? 0;
    const node = byId.get(samples[i]);
    let c = catOf(node.id);
    if (c === 'idle') continue;
    busy += dt;
    let key;
    if (c === 'built-ins called from JS') {
      const by = caller(node.id);
      c = `built-ins called by ${by === 'our .wasm' || by === 'our JS glue' ? 'ours (glue or .wasm)' : by === 'the library (JS)' ? 'the library' : by === 'bench harness' ? 'the harness' : 'other JS'}`;
      key = `${node.callFrame.functionName || '(anonymous)'} [from ${SHORT[by] || by}]`;
    } else {
      key = `${SHORT[c] ? `${SHORT[c]}: ` : ''}${(node.callFrame.functionName || '(anonymous)').replace(/::h[0-9a-f]{16}$/, '').replace(/^__rustc\[[0-9a-f]+\]::/, '')}`;
    }
    cat[c] = (cat[c] || 0) + dt;
    fnSelf.set(key, (fnSelf.get(key) || 0) + dt);
    // Inclusive: any frame of the library (its JS or .wasm) on the stack.
    let lib = false; let wasm = false;
    for (let id = node.id; id != null; id = parent.get(id)) {
      const k = catOf(id);
      if (k === 'our .wasm') wasm = true;
      if (k === 'our .wasm' || k === 'our JS glue' || k === 'the library (JS)') lib = true;
    }
    if (lib) inLib += dt;
    if (wasm) inWasm += dt;
    // Inclusive per named function of ours (wasm or glue), each counted once per sample.
    const seen = new Set();
    for (let id = node.id; id != null; id = parent.get(id)) {
      const k = catOf(id); const cf = byId.get(id).callFrame;
      if ((k === 'our .wasm' || k === 'our JS glue') && cf.functionName) {
        const name = `${k === 'our .wasm' ? 'wasm' : 'glue'}: ${cf.functionName.replace(/::h[0-9a-f]{16}$/, '').replace(/^__rustc\[[0-9a-f]+\]::/, '')}`;
        if (!seen.has(name)) { seen.add(name); incl.set(name, (incl.get(name) || 0) + dt); }
      }
    }
  }
  const per = (us) => us / checks;
  return {
    busyUs: per(busy), inLibUs: per(inLib), inWasmUs: per(inWasm),
    categories: Object.entries(cat).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, per(v)]),
    top: [...fnSelf.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => [k, per(v)]),
    inclusive: [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => [k, per(v)]),
  };
}

/** Markdown for RESULTS.md. */
export function profileMarkdown(results, { note, label, checks, intervalUs }) {
  const f = (v) => (v == null ? '–' : v.toFixed(1));
  const libs = results.map((r) => r.lib);
  const cats = [...new Set(results.flatMap((r) => r.categories.map(([k]) => k)))];
  const get = (r, k) => (r.categories.find(([c]) => c === k) || [, 0])[1];
  const head = ['µs of main-thread CPU per check (Chromium)', ...libs.map((l) => label[l])];
  const rows = [
    ['**busy, all (idle left out)**', ...results.map((r) => `**${f(r.busyUs)}**`)],
    ['in the library: its JS or .wasm on the stack (inclusive)', ...results.map((r) => f(r.inLibUs))],
    ['in our .wasm (inclusive: with the JS imports it calls)', ...results.map((r) => (r.lib === 'ours' ? f(r.inWasmUs) : 'n/a'))],
    ['busy outside the library (harness, browser, GC)', ...results.map((r) => f(r.busyUs - r.inLibUs))],
    ...cats.map((k) => [`self: ${k}`, ...results.map((r) => f(get(r, k)))]),
  ];
  const table = [`| ${head.join(' | ')} |`, `|---|${libs.map(() => '---:').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const tops = results.map((r) => `Top self time, ${label[r.lib]} (µs per check): ${r.top.filter(([k]) => k !== '(program)' && k !== '(garbage collector)').slice(0, 14).map(([k, v]) => `\`${k}\` ${f(v)}`).join(', ')}.`).join('\n\n');
  const ours = results.find((r) => r.lib === 'ours');
  const incl = ours && ours.inclusive && ours.inclusive.length
    ? `\n\nOurs, inclusive time per named function of the .wasm or the glue (µs per check; nested functions are counted in each of their callers): ${ours.inclusive.filter(([, v]) => v >= 1).map(([k, v]) => `\`${k}\` ${f(v)}`).join(', ')}.`
    : '';
  return `Each library on a fresh page, warmed up, then ${checks.toLocaleString('en')} checks (as in the round-trip table) recorded by the DevTools protocol's sampling profiler (every ${intervalUs} µs; the profiler itself slows the page: compare the columns, not the absolute figures with the tables above). Ours: ${note}.

${table}

${tops}${incl}`;
}
