import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import t from 'tap';
import { AWS_REQUIRED_ENV } from '../../src/config.ts';
import { entryPoint, projectRoot, startServerProcess } from '../helpers/server-process.ts';
import { until } from '../helpers/until.ts';
import { startChildrenUnmeasured } from '../helpers/unmeasured.ts';

// The server processes run unmeasured (helpers/unmeasured.ts).
startChildrenUnmeasured();

// The real process: what an operator sees when the config is wrong, and what Fargate's SIGTERM does to
// a request in flight.

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, entryPoint().args, { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

t.test('a bad config stops the process before it listens: exit 1, one line per problem, no stack', async (t) => {
  const proc = run({ APP_MODE: 'aws', PORT: 'http', AWS_REGION: 'eu-west-1' });
  t.equal(await proc.exited, 1);
  const lines = proc.err().trim().split('\n');
  const missing = AWS_REQUIRED_ENV.filter((name) => name !== 'AWS_REGION' && name !== 'APP_MODE');
  t.equal(lines.length, 1 + missing.length, 'PORT and every required aws variable but the two given');
  for (const line of lines) t.match(line, /^config error: [A-Z_]+: /);
  for (const name of ['PORT', ...missing]) t.ok(lines.some((line) => line.startsWith(`config error: ${name}: `)), `${name} is named`);
  t.notMatch(proc.err(), /\n\s+at /, 'no stack trace');
  t.equal(proc.out(), '', 'nothing was logged as started');
});

t.test('SIGTERM: the request in flight is answered, then the process exits 0', async (t) => {
  const proc = await startServerProcess({ APP_MODE: 'local', LOCAL_STORE: 'memory', LOCAL_DATA_DIR: t.testdir() });
  t.teardown(() => proc.kill());
  const { port } = proc;
  // A request whose body is still arriving when SIGTERM comes: it is in flight, not yet handled. Its
  // `Expect: 100-continue` makes the server say when it has the request (Node answers "100 Continue" once
  // it has parsed the headers); the rest of the body is sent once the process has begun shutting down.
  const body = JSON.stringify({ userId: 'late-user' });
  const socket = connect(port, '127.0.0.1');
  let response = '';
  socket.on('data', (c: Buffer) => (response += c.toString()));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`POST /api/v1/auth/dev-token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n${body.slice(0, 5)}`);
  await until('the server to have the request', () => response.startsWith('HTTP/1.1 100 Continue\r\n\r\n'));
  proc.child.kill('SIGTERM');
  await until('the process to begin shutting down', () => proc.out().includes('shutting down'));
  socket.end(body.slice(5));
  await closed;
  t.match(response.slice('HTTP/1.1 100 Continue\r\n\r\n'.length), /^HTTP\/1\.1 200 /, 'the request in flight got its answer');
  t.match(response, /"accessToken"/);
  t.equal(await proc.exited, 0);
  t.match(proc.out(), /shut down cleanly/);
  const refused = await fetch(`http://127.0.0.1:${port}/api/v1/health`).then(() => 'answered', () => 'refused');
  t.equal(refused, 'refused', 'nothing listens afterwards');
});
