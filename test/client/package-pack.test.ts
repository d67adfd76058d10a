import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { assertClientBuilt, clientDir, probeMp4 } from '../helpers/client-package.ts';
import { startLocalServer } from '../helpers/local-server.ts';
import { projectRoot } from '../helpers/server-process.ts';
import { startChildrenUnmeasured } from '../helpers/unmeasured.ts';

// npm pack and npm install are tooling, and the CLI runs from a temporary install outside the project:
// no child here can count towards coverage, so none is measured (helpers/unmeasured.ts).
startChildrenUnmeasured();

// `npm pack` of @omnigen/client, installed into an empty folder outside the repository and used there:
// the library imported by a program, the omnigen bin's --help and a create --wait --out against a real
// local server. One test: packing and installing take most of its time.
interface Run { code: number; stdout: string; stderr: string }
const run = (file: string, args: string[], options: { cwd: string; env: Record<string, string> }) => new Promise<Run>((resolve) => {
  execFile(file, args, { ...options, timeout: 90_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
});

t.test('the packed tarball installs into an empty folder and works there with no other file from the repository', async (t) => {
  assertClientBuilt();
  const work = await mkdtemp(join(tmpdir(), 'omnigen-pack-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  // A clean environment: npm variables of an enclosing `npm test` (its prefix among them) must not leak in.
  // npm runs on the PATH's node (Node 24 under `npm test`), whose bundled CA list lacks a CA the machine
  // adds for the registry: it reads the system store too, or a cold cache's registry fetch fails.
  const npmEnv: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work, NODE_OPTIONS: '--use-system-ca' };
  for (const name of ['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']) if (process.env[name]) npmEnv[name] = process.env[name] as string;

  // --ignore-scripts: dist/ is already built (assertClientBuilt); prepack's rebuild would rewrite it under
  // the other test files that read it at the same time.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: clientDir, env: npmEnv });
  t.equal(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = (info?.files ?? []).map((f) => f.path);
  for (const needed of ['package.json', 'README.md', 'bin/omnigen.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/bin.js', 'dist/generated/openapi.d.ts']) t.ok(files.includes(needed), `packs ${needed}`);
  t.same(files.filter((f) => !/^(package\.json|README\.md|bin\/omnigen\.js|dist\/.*\.(js|d\.ts))$/.test(f)), [], 'nothing else: no sources, maps or tests');
  const manifest = JSON.parse(await readFile(join(clientDir, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string>; engines: { node: string } };
  t.equal(manifest.engines.node, '>=24');

  const app = join(work, 'app');
  await mkdir(app);
  const installed = await run('npm', ['install', join(work, info?.filename ?? ''), '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev'], { cwd: app, env: npmEnv });
  t.equal(installed.code, 0, installed.stderr);
  const pkg = join(app, 'node_modules/@omnigen/client');
  t.notOk((await lstat(pkg)).isSymbolicLink(), 'a copy, not a link into the repository');
  for (const dep of ['@omnigen/client', 'commander', 'openapi-fetch']) {
    t.notOk((await realpath(join(app, 'node_modules', dep))).startsWith(projectRoot), `${dep} is installed in the folder`);
  }
  for (const dev of Object.keys(manifest.devDependencies ?? {})) await t.rejects(lstat(join(app, 'node_modules', dev)), `${dev} (a dev dependency) is not needed`);

  const server = await startLocalServer();
  t.teardown(() => server.close());
  // Node ≥ 24 first on the PATH (the one running this test), then the installed bin.
  const env = { ...npmEnv, PATH: `${join(app, 'node_modules/.bin')}:${dirname(process.execPath)}:${npmEnv.PATH}`, XDG_CONFIG_HOME: join(work, 'config'), OMNIGEN_URL: server.base, USER: 'packed' };

  await writeFile(join(app, 'use.mjs'), `import { OmniGen, OmniGenError, JobFailedError, verifyWebhook } from '@omnigen/client';
const baseUrl = process.env.OMNIGEN_URL;
const { accessToken } = await new OmniGen({ baseUrl }).devToken('packed');
const client = new OmniGen({ baseUrl, token: accessToken });
const { job, url } = await client.run({ prompt: 'A neon city at night, synthwave', category: 'music-video' });
const missing = await client.getJob('00000000-0000-4000-8000-000000000000').catch((e) => e);
console.log(JSON.stringify({ status: job.status, url, missing: missing instanceof OmniGenError && missing.code, exports: [typeof JobFailedError, typeof verifyWebhook] }));
`);
  const used = await run(process.execPath, ['use.mjs'], { cwd: app, env });
  t.equal(used.code, 0, used.stderr);
  t.match(JSON.parse(used.stdout), { status: 'completed', url: /^http:\/\/127\.0\.0\.1:\d+\//, missing: 'NOT_FOUND', exports: ['function', 'function'] });

  const help = await run('omnigen', ['--help'], { cwd: app, env });
  t.equal(help.code, 0, help.stderr);
  t.match(help.stdout, /Usage: omnigen \[options\] \[command\][\s\S]*create \[options\] <prompt>/);
  const created = await run('omnigen', ['create', 'A neon city at night, synthwave', '--wait', '--out', 'clip.mp4'], { cwd: app, env });
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /^Wrote clip\.mp4 \(\d+ bytes\)\n$/);
  t.ok((await probeMp4(join(app, 'clip.mp4'))).durationSeconds > 0, 'a playable MP4');
});
