// The size budget (issue 14 item 2), like size-limit in JS projects: fails when the runtime a page downloads
// for `import … from 'oidc-session-monitor'` (the .wasm + the JS glue, each file gzip -9 on its own, as
// scripts/size.sh reports) is over the budget in size-budget.json. A byte count is deterministic: this is
// not a timing test. Lower the budget when a change wins bytes.
//
//   node scripts/size-budget.mjs [size.json]     (default target/reports/size.json, written by scripts/size.sh)
// Prints the figures (brotli too) and `size-budget: 1 passed, 0 failed` or `… 0 passed, 1 failed`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reporter } from '../tests/support/report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const report = reporter('size-budget');
const measured = path.resolve(process.argv[2] || path.join(ROOT, 'target', 'reports', 'size.json'));
const budgetFile = path.join(ROOT, 'size-budget.json');
try {
  const { runtimeGzipBytes: budget } = JSON.parse(fs.readFileSync(budgetFile, 'utf8'));
  if (!Number.isInteger(budget) || budget <= 0) throw new Error(`${path.relative(ROOT, budgetFile)}: runtimeGzipBytes must be a positive integer`);
  if (!fs.existsSync(measured)) throw new Error(`${path.relative(ROOT, measured)} is missing: run bash scripts/size.sh first`);
  const m = JSON.parse(fs.readFileSync(measured, 'utf8'));
  const line = `runtime ${m.runtimeGzip} B gzip -9 (wasm ${m.wasmGzip} + glue ${m.glueGzip}), ${m.runtimeBrotli ?? '–'} B brotli; budget ${budget} B gzip`;
  report.ok(m.runtimeGzip <= budget, m.runtimeGzip <= budget ? `${line} (${budget - m.runtimeGzip} B to spare)` : 'runtime within the size budget',
    `${line}: ${m.runtimeGzip - budget} B over (size-budget.json)`);
} catch (e) {
  report.fail('size budget', e.message);
}
process.exit(report.summary());
