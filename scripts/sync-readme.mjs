// Copies the generated compatibility table (tests/e2e/COMPAT.md) and the size summary (SIZE.md)
// into README.md between their markers, so the README shows what the last test run measured.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const readme = readFileSync('README.md', 'utf8');
const between = (text, name, body) => {
  const re = new RegExp(`(<!-- ${name}:BEGIN -->\\n)[\\s\\S]*?(<!-- ${name}:END -->)`);
  return re.test(text) ? text.replace(re, `$1${body.trim()}\n$2`) : text;
};
// The header lines, the table and the scenario legend: everything before the observations.
const compat = existsSync('tests/e2e/COMPAT.md')
  ? readFileSync('tests/e2e/COMPAT.md', 'utf8').split('\n## ')[0].split('\n').slice(1).join('\n')
    + '\nThe per-cell observations are in [tests/e2e/COMPAT.md](tests/e2e/COMPAT.md).'
  : '(run `bash scripts/test.sh` to generate)';
// The file table, the totals and the peers: everything before the twiggy section.
const size = existsSync('SIZE.md')
  ? readFileSync('SIZE.md', 'utf8').split('\n## Largest items')[0].split('\n').slice(1).join('\n').replace(/^## /gm, '### ')
    + '\nThe largest items in the `.wasm` are listed in [SIZE.md](SIZE.md).'
  : '(run `bash scripts/size.sh` to generate)';
// The speed table and its header lines: everything before the column explanations.
const bench = existsSync('bench/RESULTS.md')
  ? readFileSync('bench/RESULTS.md', 'utf8').split('\nWhat the columns are')[0].split('\n').slice(1).join('\n')
  : '(run `node bench/run.mjs` to generate)';
// The https third-party-cookie matrix (issue 13): its header line and table.
const thirdParty = existsSync('tests/e2e/THIRD-PARTY.md')
  ? readFileSync('tests/e2e/THIRD-PARTY.md', 'utf8')
  : '(run `bash scripts/test.sh e2e`, then `npm run report`)';
const out = between(between(between(between(readme, 'COMPAT', compat), 'SIZE', size), 'BENCH', bench), 'THIRD-PARTY', thirdParty);
if (out !== readme) writeFileSync('README.md', out);
console.log(out !== readme ? 'sync-readme: README.md updated' : 'sync-readme: README.md already current');
