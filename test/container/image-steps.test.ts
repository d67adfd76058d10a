// The image's own steps without a Docker engine: production-only install into a clean folder,
// the TypeScript build, the files the runtime stage copies — then boot `node dist/main.js` from
// there the way the container does, get /api/v1/health, and stop it with SIGTERM as ECS does.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { parseDockerfile } from './fixtures/dockerfile-rules.ts';
import { entryPoint } from '../helpers/server-process.ts';
import { startChildrenUnmeasured } from '../helpers/unmeasured.ts';

// The image's build steps (npm ci, tsc) are tooling, and its server runs a copy outside the project:
// no child here can count towards coverage, so none is measured (helpers/unmeasured.ts).
startChildrenUnmeasured();

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
// npm ci from a warm cache takes ~10 s, from the network up to a minute; tsc ~10 s.
t.setTimeout(300_000);

/** The prod-deps stage's own `npm ci …` arguments, so this replays exactly what the image runs. */
function prodDepsInstallArgs(): string[] {
  const stage = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8')).find((s) => s.name === 'prod-deps');
  const run = stage?.instructions.find((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.args))?.args ?? '';
  const command = /npm (ci\b[^&]*)/.exec(run)?.[1]?.trim();
  if (!command) throw new Error('the Dockerfile has no prod-deps stage running npm ci');
  return command.split(/\s+/);
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

t.test('the production image layout boots, answers /health and stops cleanly on SIGTERM', async (t) => {
  const app = await mkdtemp(join(tmpdir(), 'omnigen-image-'));
  t.teardown(() => rm(app, { recursive: true, force: true }));

  // Stage prod-deps: `npm ci --omit=dev` from the lockfile alone.
  await copyFile(join(root, 'package.json'), join(app, 'package.json'));
  await copyFile(join(root, 'package-lock.json'), join(app, 'package-lock.json'));
  // A clean environment, as in `docker build`: no npm_* settings or NODE_OPTIONS from `npm test`/tap.
  // Only --use-system-ca: npm runs on Node 24 here, which otherwise ignores a CA the machine adds for the registry.
  const cleanEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE_OPTIONS')), NODE_OPTIONS: '--use-system-ca' };
  const install = run('npm', [...prodDepsInstallArgs(), '--prefer-offline'], { cwd: app, env: cleanEnv, maxBuffer: 16 << 20 });
  // Stage build: `npm run build`, then the static files kept beside the sources. npm test's pretest (CI's
  // build step) has just run that same build in this checkout, so its dist/ is copied, as the runtime stage's
  // COPY --from=build does, rather than compiled a second time; only a dist/ older than src/ is rebuilt here.
  const fresh = entryPoint().note === 'dist/main.js';
  t.comment(fresh ? 'dist/ is fresh: copied' : 'dist/ is older than src/: compiled with tsc');
  const build = (fresh
    ? cp(join(root, 'dist'), join(app, 'dist'), { recursive: true })
    : run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')], { cwd: root, maxBuffer: 16 << 20 }))
    .then(() => cp(join(root, 'src'), join(app, 'dist'), { recursive: true, filter: (source) => !source.endsWith('.ts') }));
  await Promise.all([install, build]);
  await cp(join(root, 'assets'), join(app, 'assets'), { recursive: true });

  t.ok(existsSync(join(app, 'node_modules/fastify')), 'production dependencies are installed');
  for (const dev of ['typescript', 'tap', 'eslint', 'dynalite', 's3rver']) t.notOk(existsSync(join(app, 'node_modules', dev)), `${dev} (dev) is left out`);
  // Local mode's store: prebuilt Node-API binaries inside the package, nothing compiled.
  t.ok(existsSync(join(app, 'node_modules/better-sqlite3/prebuilds/linux-x64.node')), 'better-sqlite3 comes with its prebuilt binary');
  t.notOk(existsSync(join(app, 'node_modules/better-sqlite3/build')), 'and nothing was compiled');
  t.comment(`image payload: node_modules ${((await sizeOf(join(app, 'node_modules'))) / 1e6).toFixed(1)} MB, dist ${((await sizeOf(join(app, 'dist'))) / 1e6).toFixed(1)} MB`);
  if (!t.ok(existsSync(join(app, 'dist/main.js')), 'dist/main.js is built (from src/main.ts)')) return;

  // Stage runtime: only what the task definition would set, not this test runner's environment.
  // PORT=0: the server takes any free port and logs which one it got.
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: app,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', APP_MODE: 'local', LOCAL_STORE: 'sqlite', HOST: '127.0.0.1', PORT: '0', LOCAL_DATA_DIR: join(app, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  // Poll until it listens: boot time is the app's, not something a fake clock can stand in for.
  let health: Response | undefined;
  const deadline = Date.now() + 20_000;
  // PORT=0: the process listens where the OS lets it and logs the port ("listening on port N").
  while (!health && Date.now() < deadline && child.exitCode === null) {
    const port = /listening on port (\d+)/.exec(stdout)?.[1];
    health = port === undefined ? undefined : await fetch(`http://127.0.0.1:${port}/api/v1/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (!health) await delay(100);
  }
  if (!t.ok(health, 'the server listens on the port it logged', { stdout, stderr, exitCode: child.exitCode })) return;
  t.equal(health?.status, 200);
  t.same(await health?.json(), { status: 'ok' });
  t.ok(existsSync(join(app, 'data/omnigen.db')), 'the SQLite store opened its database in the image');

  const stopping = Date.now();
  child.kill('SIGTERM');
  // The 25 s guard is unref'd: once the process has exited, it must not keep this test file alive 25 s more.
  const { code, signal } = await Promise.race([exited(child), delay(25_000, undefined, { ref: false }).then(() => ({ code: null, signal: 'timeout' as const }))]);
  t.same({ code, signal }, { code: 0, signal: null }, 'SIGTERM ends the process with exit code 0', { stderr });
  t.ok(Date.now() - stopping < 10_000, 'well within the 30 s ECS gives before SIGKILL');

  // CloudWatch reads stdout line by line: every line must be one JSON document (pino, EMF).
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  t.ok(lines.length > 0, 'the server logs to stdout');
  const notJson = lines.filter((line) => { try { return typeof JSON.parse(line) !== 'object'; } catch { return true; } });
  t.same(notJson, [], 'stdout holds only JSON lines');
});
