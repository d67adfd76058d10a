// Reads tap's output and prints its totals as the one line CI reads: "N passed, N failed[, N skipped]".
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
const summaries = [...text.matchAll(/^# \{ (total: \d+[^}]*)\}\s*$/gm)];
const last = summaries.at(-1);
if (!last) {
  console.log('0 passed, 1 failed');
  console.error('ci: no tap summary found in the test output');
  process.exit(1);
}
const counts = Object.fromEntries(last[1].split(',').map((pair) => pair.trim().split(': ')).map(([k, v]) => [k, Number(v)]));
const passed = counts.pass ?? 0;
const failed = counts.fail ?? 0;
const skipped = (counts.skip ?? 0) + (counts.todo ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
