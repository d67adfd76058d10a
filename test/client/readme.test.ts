/* eslint-disable no-control-regex -- the terminal control codes are what these tests check */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { assertClientBuilt, probeMp4 } from '../helpers/client-package.ts';
import { startLocalServer } from '../helpers/local-server.ts';
import { projectRoot } from '../helpers/server-process.ts';
import { startChildrenUnmeasured } from '../helpers/unmeasured.ts';

// The README's commands (the CLI, tsc, node) run unmeasured (helpers/unmeasured.ts).
startChildrenUnmeasured();

// README.md's "Client and CLI" section, run exactly as written, as a user on a fresh clone would: in a
// folder inside the repository (so `@omnigen/client` and `npx omnigen` resolve through its node_modules,
// to the compiled package), against the real local server, from a shell through npx.
const readme = await readFile(join(projectRoot, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Client and CLI'), readme.indexOf('\n## ', readme.indexOf('## Client and CLI') + 1));
const program = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
const cliLine = /^npx omnigen create .*$/m.exec(section)?.[0];
const runLine = /`(npx node (\S+\.ts))`/.exec(section);

interface Run { code: number; stdout: string; stderr: string }
const run = (file: string, args: string[], options: { cwd: string; env: Record<string, string> }) => new Promise<Run>((resolve) => {
  execFile(file, args, { ...options, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
});

async function setup(t: Test) {
  assertClientBuilt();
  const server = await startLocalServer({ LOCAL_WORKFLOW_DURATION_MS: '1500' });
  t.teardown(() => server.close());
  // tmp/ is git-ignored; the folder is inside the repository so node_modules resolves as in a clone.
  await mkdir(join(projectRoot, 'tmp'), { recursive: true });
  const cwd = await mkdtemp(join(projectRoot, 'tmp', 'readme-'));
  const config = await mkdtemp(join(tmpdir(), 'omnigen-readme-config-'));
  t.teardown(() => Promise.all([rm(cwd, { recursive: true, force: true }), rm(config, { recursive: true, force: true })]));
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? config, USER: 'readme-user', TERM: 'xterm',
    XDG_CONFIG_HOME: config, OMNIGEN_URL: server.base,
  };
  return { server, cwd, env };
}

t.test('the README has the CLI line, the program and how to run it', async (t) => {
  t.equal(cliLine, 'npx omnigen create "A neon city at night, synthwave" --wait --out clip.mp4');
  t.match(program, /from '@omnigen\/client'/);
  t.ok((program ?? '').trim().split('\n').length <= 10, 'ten lines at most');
  t.same(runLine?.slice(1), ['npx node clip.ts', 'clip.ts']);
  t.ok(readme.split('\n').length <= 150, 'the README stays within 150 lines');
});

t.test("the README's TypeScript program creates a job, prints its progress and writes a playable clip.mp4", async (t) => {
  const { cwd, env } = await setup(t);
  await writeFile(join(cwd, runLine?.[2] ?? 'clip.ts'), program ?? '');
  // --ignoreConfig: the folder sits inside the repository, and TypeScript 6 refuses a file named on the
  // command line while a tsconfig.json above it would otherwise apply.
  const typecheck = await run(process.execPath, [join(projectRoot, 'node_modules/typescript/bin/tsc'), '--ignoreConfig', '--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', runLine?.[2] ?? ''], { cwd, env });
  t.equal(typecheck.code, 0, `it type-checks against the package's declarations ${typecheck.stdout}`);
  const [command = 'npx', ...args] = (runLine?.[1] ?? '').split(' ');
  const result = await run(command, args, { cwd, env });
  t.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  t.match(lines.at(-1), /^Wrote clip\.mp4 \(\d+ bytes\)$/);
  t.ok(lines.some((line) => /^\d+% rendering$/.test(line)), 'progress with the stage name');
  t.match(lines.at(-2), /^100% /, 'the last progress is 100%');
  const facts = await probeMp4(join(cwd, 'clip.mp4'));
  t.ok(facts.durationSeconds > 0 && facts.width > 0 && facts.height > 0, `an MP4 with a video track (${facts.width}x${facts.height}, ${facts.durationSeconds} s)`);
});

t.test("the README's CLI line in a pseudo-terminal: signs in, draws a live bar, writes a playable clip.mp4", async (t) => {
  const { cwd, env, server } = await setup(t);
  // util-linux script: the command runs on a pty (stdout, stderr both), the transcript comes out here.
  const result = await run('script', ['-qec', cliLine ?? '', '/dev/null'], { cwd, env });
  t.equal(result.code, 0, result.stdout);
  t.match(result.stdout, `Signed in to ${server.base} as readme-user`);
  t.match(result.stdout, /\r\x1b\[2K\x1b\[32m█*░+\x1b\[0m +\d+% +rendering +\d:\d\d/, 'a coloured bar with the stage and elapsed time, redrawn in place');
  t.match(result.stdout, /█{24}\x1b\[0m 100%/, 'full at the end');
  t.match(result.stdout, /Wrote clip\.mp4 \(\d+ bytes\)/);
  t.ok((await probeMp4(join(cwd, 'clip.mp4'))).durationSeconds > 0, 'a playable MP4');
});

t.test("the README's CLI line in a pipe: plain progress lines on stderr, the result on stdout", async (t) => {
  const { cwd, env } = await setup(t);
  const result = await run('sh', ['-c', cliLine ?? ''], { cwd, env });
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /^Wrote clip\.mp4 \(\d+ bytes\)\n$/);
  t.match(result.stderr, /^processing \d+% rendering \(\d:\d\d\)$/m, 'a line per change');
  t.notMatch(result.stderr, /\r|\x1b/, 'no terminal control codes');
  t.ok((await probeMp4(join(cwd, 'clip.mp4'))).durationSeconds > 0, 'a playable MP4');
});
