// No stale sentence: every relative link and every `npm run X` in the README and docs/ names something
// that exists (a file or folder in the repository, a script of the root or infra package).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../../', import.meta.url));
const documents = ['README.md', 'infra/README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const scriptsOf = (file: string) => Object.keys((JSON.parse(readFileSync(join(root, file), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {});
const scripts = new Set([...scriptsOf('package.json'), ...scriptsOf('infra/package.json')]);

/** Markdown link targets that are paths in this repository (not URLs, not in-page anchors). */
export function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] as string);
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#')).map((target) => target.split('#')[0] as string);
}

/** The X of every `npm run X` (and `npm run --if-present X`). */
export function npmRuns(markdown: string): string[] {
  return [...markdown.matchAll(/npm run (?:--[\w-]+ )*([\w:.-]+)/g)].map((m) => m[1] as string);
}

t.test('the checkers find what they look for (so the checks below can fail)', async (t) => {
  t.same(relativeLinks('[a](docs/a.md) [b](https://x.io) [c](#top) [d](../x.md#part "title") <http://y>'), ['docs/a.md', '../x.md']);
  t.same(npmRuns('`npm run build` then npm run --if-present build:lambda, npm runs'), ['build', 'build:lambda']);
});

for (const document of documents) {
  t.test(document, async (t) => {
    const text = readFileSync(join(root, document), 'utf8');
    for (const link of relativeLinks(text)) {
      const target = join(root, dirname(document), decodeURIComponent(link));
      t.ok(existsSync(target), `link ${link} exists (${relative(root, target)})`);
    }
    for (const script of npmRuns(text)) t.ok(scripts.has(script), `npm run ${script} is a script of the root or infra package`);
  });
}

t.test('the README is a quick start', async (t) => {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n').length;
  t.ok(lines <= 150, `${lines} lines, at most 150`);
});
