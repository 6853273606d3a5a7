// The one command-line parser of the test suites: lists (`--op node,django`, `--op=node --op django`), numbers,
// flags, `--verbose`/`-v` and `--help`/`-h` (prints the script's head comment). An unknown argument exits 2.
//
//   const opt = parseArgs(import.meta.url, { lists: { op: 'ops', browser: 'browsers' }, numbers: ['concurrency'], flags: ['standin'] });
//   // → { ops: [...], browsers: [...], concurrency: 0, standin: false, verbose: false }
//   oneOf(opt.ops, ['node', 'django'], 'op');   // empty → all of them; an unknown one exits 2

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * @param {string} scriptUrl the script's `import.meta.url` (for `--help`)
 * @param {{lists?: Record<string, string>, numbers?: string[], flags?: string[]}} spec
 *   lists: option name → the key of its array (`--op a,b` and `--ops a` both add to it, as a prefix matches);
 *   numbers: `--name N`; flags: `--name`
 * @param {string[]} [argv]
 */
export function parseArgs(scriptUrl, { lists = {}, numbers = [], flags = [] }, argv = process.argv.slice(2)) {
  const opt = { verbose: false };
  for (const key of Object.values(lists)) opt[key] = [];
  for (const name of numbers) opt[name] = 0;
  for (const name of flags) opt[name] = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    const list = Object.keys(lists).find((name) => a.startsWith(`--${name}`));
    const number = numbers.find((name) => a.startsWith(`--${name}`));
    if (list) opt[lists[list]].push(...val().split(','));
    else if (number) opt[number] = Number(val());
    else if (flags.includes(a.slice(2)) && a.startsWith('--')) opt[a.slice(2)] = true;
    else if (a === '--verbose' || a === '-v') opt.verbose = true;
    else if (a === '--help' || a === '-h') {
      const head = fs.readFileSync(fileURLToPath(scriptUrl), 'utf8').split('\n');
      console.log(head.slice(1, head.findIndex((l) => l.startsWith('import '))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else { console.error(`unknown argument ${a} (see --help)`); process.exit(2); }
  }
  return opt;
}

/**
 * Fills an empty `list` with every name of `all` (an array, or an object's keys); exits 2 on a name not in `all`.
 * @param {string[]} list
 * @param {string[] | Record<string, unknown>} all
 * @param {string} what the option, for the message
 */
export function oneOf(list, all, what) {
  const names = Array.isArray(all) ? all : Object.keys(all);
  if (!list.length) list.push(...names);
  for (const x of list) if (!names.includes(x)) { console.error(`unknown ${what} ${x}; one of ${names.join(', ')}`); process.exit(2); }
  return list;
}
