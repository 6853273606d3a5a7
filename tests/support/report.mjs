// The one pass/fail reporter of the test suites. One line per check, and last `<suite>: N passed, M failed`,
// the line scripts/test.sh counts.
//
//   const r = reporter('showcase');
//   await r.check('page loads', async () => { ...; return 'optional detail' });   // throws → FAIL
//   r.ok(cond, 'what', detail);                                                   // a plain assertion
//   r.pass('what'); r.fail('what', 'why');
//   process.exit(r.summary());                                                    // prints the line, 0 or 1

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The sha256 (hex) of the runtime in `pkgDir` (the `.wasm` and its JS glue): the reports record it,
 * and `npm run report` (scripts/report.sh) copies a report only when it measured the build now in pkg/.
 * @param {string} pkgDir
 */
export function runtimeSha256(pkgDir) {
  const h = createHash('sha256');
  for (const f of ['oidc_session_monitor_bg.wasm', 'oidc_session_monitor.js']) h.update(readFileSync(join(pkgDir, f)));
  return h.digest('hex');
}

/** @param {string} suite the name printed before `: N passed, M failed` */
export function reporter(suite) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  const oneLine = (e) => String(e && e.message ? e.message : e).split('\n')[0];
  const r = {
    suite,
    get passed() { return passed; },
    get failed() { return failed; },
    get failures() { return [...failures]; },
    pass(name) { passed += 1; console.log(`  ok    ${name}`); return true; },
    fail(name, why) {
      failed += 1;
      failures.push(name);
      console.log(`  FAIL  ${name}${why === undefined ? '' : `: ${typeof why === 'string' ? why : JSON.stringify(why)}`}`);
      return false;
    },
    /** Passes when `cond` is truthy; otherwise fails and prints `detail`. */
    ok(cond, name, detail) { return cond ? r.pass(name) : r.fail(name, detail); },
    /** Runs `fn`; passes (with the string it returns, if any) unless it throws. */
    async check(name, fn) {
      try {
        const extra = await fn();
        return r.pass(typeof extra === 'string' && extra ? `${name} (${extra})` : name);
      } catch (e) { return r.fail(name, oneLine(e)); }
    },
    /** Prints the summary line (with an optional note) and returns the exit status. */
    summary(note = '') {
      console.log(`${suite}: ${passed} passed, ${failed} failed${note ? ` ${note}` : ''}`);
      return failed ? 1 : 0;
    },
  };
  return r;
}
