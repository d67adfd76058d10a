// The whole-suite run leaves no test file out and runs none twice: each test file is in exactly one group
// (test/helpers/group.ts, one process per group) or matched by one of .taprc's own include patterns.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { groupFiles, groups } from './helpers/group.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' || entry.name === 'node_modules' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** .taprc's include patterns, as written (a YAML list of quoted globs under `include:`). */
function includePatterns(): string[] {
  const taprc = readFileSync(join(root, '.taprc'), 'utf8');
  const block = /^include:\n((?: {2}- .*\n)+)/m.exec(taprc)?.[1] ?? '';
  return [...block.matchAll(/- "([^"]+)"/g)].map((m) => m[1] ?? '');
}

/** The two shapes the patterns use: `dir/*.ts` and `test/{a,b}/*.test.ts`. */
function matches(pattern: string, file: string): boolean {
  const braces = /\{([^}]+)\}/.exec(pattern);
  const alternatives = braces ? (braces[1] ?? '').split(',').map((alt) => pattern.replace(braces[0], alt)) : [pattern];
  return alternatives.some((alt) => {
    const [dir, name] = [alt.slice(0, alt.lastIndexOf('/')), alt.slice(alt.lastIndexOf('/') + 1)];
    const suffix = name.replace(/^\*/, '');
    return file.slice(0, file.lastIndexOf('/')) === dir && file.endsWith(suffix) && name.startsWith('*');
  });
}

t.test('every test file runs once in a whole-suite run: in one group, or as a file .taprc includes', async (t) => {
  const patterns = includePatterns();
  t.ok(patterns.includes('test/groups/*.ts'), '.taprc runs the groups');
  const grouped = Object.values(groups).flatMap((entries) => groupFiles(entries));
  const all = testFiles('test');
  t.ok(all.length > 100, `found the test files (${all.length})`);
  for (const file of all) {
    const inGroups = grouped.filter((g) => g === file).length;
    const included = patterns.filter((p) => matches(p, file)).length;
    t.equal(inGroups + included, 1, `${file}: ${inGroups} group(s), ${included} include pattern(s)`);
  }
  t.same(grouped.filter((file) => !all.includes(file)), [], 'every grouped file exists');
});

t.test('each group has its file in test/groups, and each file there names a group', async (t) => {
  const files = readdirSync(join(root, 'test/groups')).filter((name) => name.endsWith('.ts')).map((name) => name.replace(/\.ts$/, '')).sort();
  t.same(files, Object.keys(groups).sort());
});

t.test('the pattern check itself tells a match from a near miss', async (t) => {
  t.ok(matches('test/{stack,soak}/*.test.ts', 'test/soak/soak.test.ts'));
  t.notOk(matches('test/{stack,soak}/*.test.ts', 'test/soak/deeper/x.test.ts'));
  t.notOk(matches('test/{stack,soak}/*.test.ts', 'test/stacks/x.test.ts'));
  t.ok(matches('test/groups/*.ts', 'test/groups/http.ts'));
  t.equal(relative(root, join(root, 'test/x.test.ts')), 'test/x.test.ts');
});
