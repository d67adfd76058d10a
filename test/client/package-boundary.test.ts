import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import t from 'tap';
import { projectRoot } from '../helpers/server-process.ts';

// @omnigen/client is published on its own: it must import nothing from the repository outside its own
// src/, only the dependencies its package.json declares, and (outside the CLI) nothing Node-only at load
// time, so the library runs in browsers. The packed tarball itself is installed and used in package-pack.test.ts.
const packageDir = join(projectRoot, 'packages/client');
const src = join(packageDir, 'src');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: Record<string, string>; exports: Record<string, unknown> };
const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

t.test('every import stays inside the package or names a declared dependency', async (t) => {
  for (const file of files(src)) {
    const text = readFileSync(file, 'utf8');
    const name = relative(packageDir, file);
    const cli = name.startsWith('src/cli/');
    for (const [, kind, specifier = ''] of text.matchAll(/(?:^|\n)\s*(import|export)\b[^'"]*?from\s+'([^']+)'/g)) {
      if (specifier.startsWith('.')) {
        t.ok(resolve(dirname(file), specifier).startsWith(src), `${name}: ${specifier} stays in src/`);
      } else if (specifier.startsWith('node:')) {
        t.ok(cli, `${name}: ${kind}s ${specifier} at load time only in the CLI`);
      } else {
        t.ok(specifier in manifest.dependencies, `${name}: ${specifier} is a declared dependency`);
        if (specifier === 'commander') t.ok(cli, `${name}: commander only in the CLI`);
      }
    }
  }
});

t.test('the manifest publishes ESM with declarations and the omnigen bin', async (t) => {
  t.same(manifest.exports['.'], { types: './dist/index.d.ts', import: './dist/index.js' });
  t.equal(manifest.bin.omnigen, './bin/omnigen.js');
  t.match(readFileSync(join(packageDir, 'bin/omnigen.js'), 'utf8'), "import('../dist/cli/bin.js')", 'the checked-in entry loads the compiled CLI');
  t.match(readFileSync(join(src, 'cli/bin.ts'), 'utf8'), /^#!\/usr\/bin\/env node\n/, 'the bin starts with a shebang');
});
