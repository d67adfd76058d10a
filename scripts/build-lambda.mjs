// Bundles each workflow step's handler (workflow/lambdas.json) and the webhook delivery function
// (src/composition/lambda/deliver-webhooks.ts, infra/lib/webhooks.ts deploys it) into
// dist/lambda/<entry>.mjs: one ESM file per function with its dependencies inside, so the CDK app deploys
// it without node_modules.
import { copyFile, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
// `--outdir <dir>` (tests); dist/lambda by default, where the CDK app looks.
const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : 'dist/lambda';
const lambdas = JSON.parse(await readFile(new URL('workflow/lambdas.json', root), 'utf8'));
/** Functions that are not workflow steps (src/lambda-config.ts DELIVERY_FUNCTION). */
const OTHER_FUNCTIONS = ['deliver-webhooks'];
const entries = [...lambdas.map(({ entry }) => entry), ...OTHER_FUNCTIONS];
const started = Date.now();
await build({
  absWorkingDir: root.pathname,
  entryPoints: Object.fromEntries(entries.map((entry) => [entry, `src/composition/lambda/${entry}.ts`])),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Step Functions matches errors by name (JobFinished, ProviderUnavailable, …): class names must survive.
  keepNames: true,
  minifySyntax: true,
  sourcemap: 'linked',
  // CommonJS dependencies (replicate, pino) call require() for Node's built-ins; ESM has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
// Files a step needs beside its bundle (lambdas.json `files`). `ffmpeg` is the static x86-64 Linux build that
// npm installed with @ffmpeg-installer/linux-x64 (never a download here or at run time); the CDK app ships it
// in that step's zip only, and runs that step on x86_64.
const sources = {
  ffmpeg: () => path.join(path.dirname(createRequire(import.meta.url).resolve('@ffmpeg-installer/linux-x64/package.json')), 'ffmpeg'),
};
const extras = [...new Set(lambdas.flatMap((l) => l.files ?? []))];
for (const name of extras) {
  if (!sources[name]) throw new Error(`workflow/lambdas.json: no source for the file "${name}"`);
  await copyFile(sources[name](), path.join(outdir, name));
}
console.log(`${outdir}: ${[...entries.map((entry) => `${entry}.mjs`), ...extras].join(', ')} in ${Date.now() - started} ms`);
