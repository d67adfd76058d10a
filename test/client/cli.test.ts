/* eslint-disable no-control-regex -- the terminal control codes are what these tests check */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { credentialsPath } from '../../packages/client/src/cli/credentials.ts';
import { startLocalServer } from '../helpers/local-server.ts';
import { cliHarness, type Run } from '../helpers/client-package.ts';

// The `omnigen` CLI as a user runs it: the package's bin (which loads the compiled dist/cli/bin.js) in its
// own process, against the real local server, output in a pipe; and in a real pseudo-terminal through
// util-linux `script`.
const prompt = 'A neon city at night, synthwave';
const setup = cliHarness;

t.test('in a pipe: signed in on first use, login, create --wait --out and jobs --json', async (t) => {
  const { server, config, omnigen, close } = await setup();
  t.teardown(close);
  const first = await omnigen(['usage']);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stderr, `Signed in to ${server.base} as cli-user (local mode's dev sign-in`, 'local mode: signed in as $USER without asking');
  t.match(first.stdout, /^0 of 10 jobs used/);

  const login = await omnigen(['login']);
  t.equal(login.code, 0, login.stderr);
  t.match(login.stdout, `Signed in to ${server.base} as cli-user`);
  const file = credentialsPath({ XDG_CONFIG_HOME: config });
  t.equal((await stat(file)).mode & 0o777, 0o600, 'the token file is readable by the user alone');
  t.match(JSON.parse(await readFile(file, 'utf8')), { [server.base]: { devUser: 'cli-user', accessToken: String } });

  const created = await omnigen(['create', prompt, '--wait', '--out', 'clip.mp4']);
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /^Wrote clip\.mp4 \(\d+ bytes\)/);
  t.match(created.stderr, /processing \d+% rendering \(\d+:\d\d\)\n/, 'plain progress lines, not a bar, in a pipe');
  t.notMatch(created.stderr, /\r|\x1b/, 'no terminal control codes in a pipe');
  t.equal((await readFile(join(config, 'clip.mp4'))).subarray(4, 8).toString('latin1'), 'ftyp', 'a playable MP4 was written');

  const jobs = await omnigen(['jobs', '--json']);
  t.equal(jobs.code, 0);
  const [job] = (JSON.parse(jobs.stdout) as { jobs: Array<{ jobId: string; status: string }> }).jobs;
  t.equal(job?.status, 'completed');
  t.match((await omnigen(['jobs', '--status', 'completed'])).stdout, new RegExp(`^${job?.jobId}  completed`));
  t.match((await omnigen(['job', job?.jobId ?? ''])).stdout, /completed +100%/);
  t.match((await omnigen(['usage'])).stdout, /^1 of 10 jobs used in \d{4}-\d\d/);
  const models = await omnigen(['models']);
  t.ok(models.code === 0 || /NOT_FOUND/.test(models.stderr), 'models: the catalogue, or 404 before the service serves it');
});

t.test('exit codes: canceled 4, timed out 5, API error 1, usage error 2; logout; OMNIGEN_TOKEN', async (t) => {
  // Jobs here never finish on their own.
  const { server, omnigen, close } = await setup({ LOCAL_WORKFLOW_DURATION_MS: '600000' });
  t.teardown(close);
  t.equal((await omnigen(['login', '--user', 'exit-codes'])).code, 0);
  const pending = await omnigen(['create', prompt, '--category', 'ad-creative']);
  t.match(pending.stdout, /^[0-9a-f-]{36}\n$/, 'without --wait: the job id, for scripts');
  const id = pending.stdout.trim();
  const timedOut = await omnigen(['wait', id, '--timeout', '1']);
  t.equal(timedOut.code, 5, 'a wait past --timeout exits 5');
  t.match(timedOut.stderr, /did not finish within 1000 ms/);
  const canceled = await omnigen(['cancel', id, '--json']);
  t.equal((JSON.parse(canceled.stdout) as { status: string }).status, 'canceled');
  const waited = await omnigen(['wait', id]);
  t.equal(waited.code, 4, 'waiting on a canceled job exits 4');
  t.match(waited.stderr, /was canceled/);
  const again = await omnigen(['cancel', id, '--json']);
  t.equal(again.code, 1, 'an API error exits 1');
  t.match(JSON.parse(again.stdout), { code: 'JOB_FINISHED', status: 409 });
  t.match((await omnigen(['job', 'not-a-uuid'])).stderr, /VALIDATION_ERROR, HTTP 400/);

  t.equal((await omnigen(['create', prompt, '--category', 'poem'])).code, 2, 'a bad option value is a usage error');
  t.equal((await omnigen(['jobs', '--limit', 'many'])).code, 2);
  t.equal((await omnigen(['frobnicate'])).code, 2);
  t.equal((await omnigen(['--help'])).code, 0);
  t.match((await omnigen(['jobs', '--status', 'canceled', '--limit', '1'])).stdout, new RegExp(`^${id}  canceled`));

  await omnigen(['logout']);
  t.match((await omnigen(['usage'])).stderr, /^Signed in to .* as cli-user/, 'signed out: local mode signs in again on the next command');
  // A service without the dev sign-in (here local mode on a network address; aws mode alike) needs omnigen login.
  const noDevSignIn = await startLocalServer({ HOST: '0.0.0.0' });
  t.teardown(() => noDevSignIn.close());
  const notSignedIn = await omnigen(['usage'], { OMNIGEN_URL: noDevSignIn.base });
  t.equal(notSignedIn.code, 2, 'not signed in is a usage error');
  t.match(notSignedIn.stderr, /Not signed in to .*: run omnigen login/);
  t.equal((await omnigen(['usage'], { OMNIGEN_TOKEN: await server.tokenFor('ci') })).code, 0, 'OMNIGEN_TOKEN instead of a stored sign-in');
});

t.test('in a pseudo-terminal: a live progress bar with the stage and elapsed time; NO_COLOR honoured', async (t) => {
  const { omnigen, config, baseEnv, bin, close } = await setup({ LOCAL_WORKFLOW_DURATION_MS: '1500' });
  t.teardown(close);
  t.equal((await omnigen(['login', '--user', 'tty-user'])).code, 0);
  const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;
  const inPty = (args: string[], extra: Record<string, string> = {}) => new Promise<Run>((resolve) => {
    const command = [process.execPath, bin, ...args].map(quote).join(' ');
    execFile('script', ['-qec', command, '/dev/null'], { cwd: config, env: { ...baseEnv, TERM: 'xterm', ...extra } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
  const colored = await inPty(['create', prompt, '--wait']);
  t.equal(colored.code, 0, 'exit 0');
  t.match(colored.stdout, /\r\x1b\[2K\x1b\[32m█*░+\x1b\[0m +\d+% +rendering +\d+:\d\d/, 'a bar redrawn in place, in color');
  t.match(colored.stdout, /█{24}\x1b\[0m 100%/, 'full at the end');
  const plain = await inPty(['create', prompt, '--wait'], { NO_COLOR: '1' });
  t.match(plain.stdout, /\r\x1b\[2K█*░+ +\d+% +\w+ +\d+:\d\d/);
  t.notMatch(plain.stdout, /\x1b\[3\dm/, 'NO_COLOR: no color codes');
});
