// Reads the test runs' output and prints their totals as the one line CI reads:
// "N passed, N failed[, N skipped]", summed over every run given.
// Usage: node .ci/summarize.mjs [label=]log… (tap's "# { total: … }" or node:test's "# pass N" lines).
import { readFileSync } from 'node:fs';

/** One run's counts, or undefined when its output holds no summary (it crashed or never ran). */
export function countsOf(text) {
  const tap = [...text.matchAll(/^# \{ (total: \d+[^}]*)\}\s*$/gm)].at(-1);
  if (tap) {
    const c = Object.fromEntries(tap[1].split(',').map((pair) => pair.trim().split(': ')).map(([k, v]) => [k, Number(v)]));
    return { passed: c.pass ?? 0, failed: c.fail ?? 0, skipped: (c.skip ?? 0) + (c.todo ?? 0) };
  }
  const count = (name) => Number([...text.matchAll(new RegExp(`^# ${name} (\\d+)\\s*$`, 'gm'))].at(-1)?.[1] ?? Number.NaN);
  if (Number.isNaN(count('pass'))) return undefined;
  return { passed: count('pass'), failed: count('fail') + (count('cancelled') || 0), skipped: (count('skipped') || 0) + (count('todo') || 0) };
}

const total = { passed: 0, failed: 0, skipped: 0 };
for (const arg of process.argv.slice(2)) {
  const [label, file] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, arg];
  let counts;
  try {
    counts = countsOf(readFileSync(file, 'utf8'));
  } catch {
    counts = undefined;
  }
  if (!counts) {
    console.error(`ci: ${label}: no test summary found in its output; counted as 1 failed`);
    counts = { passed: 0, failed: 1, skipped: 0 };
  }
  console.error(`ci: ${label}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const key of Object.keys(total)) total[key] += counts[key];
}
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
