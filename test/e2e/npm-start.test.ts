// `npm start` as a process manager, `kill $!` or a container running it sees it: the PID it gets is
// npm's, and SIGTERM or SIGINT to that PID must stop the service gracefully. The build runs in
// `prestart`, and `start` execs node, so npm's own signal forwarding reaches the server itself and no
// server is left behind, re-parented to PID 1, still listening.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import t from 'tap';
import { entryPoint, projectRoot } from '../helpers/server-process.ts';
import { startChildrenUnmeasured } from '../helpers/unmeasured.ts';

// npm and the server it starts run unmeasured (helpers/unmeasured.ts).
startChildrenUnmeasured();

/** True when nothing accepts a connection on the port any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} to the npm process stops the server and frees the port`, async (t) => {
    // A fresh dist/ makes the build in prestart redundant: --ignore-scripts skips it (npm still runs
    // `start` itself, through the same npm → sh → exec node chain).
    const fresh = entryPoint().note === 'dist/main.js';
    const npm = spawn('npm', ['start', '--silent', ...(fresh ? ['--ignore-scripts'] : [])], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', APP_MODE: 'local', LOCAL_STORE: 'memory', LOCAL_DATA_DIR: t.testdir(), HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.teardown(() => void (npm.exitCode === null && npm.signalCode === null && npm.kill('SIGKILL')));
    let stdout = '';
    let stderr = '';
    npm.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = once(npm, 'exit');
    const port = await new Promise<number>((resolve, reject) => {
      npm.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const match = /listening on port (\d+)/.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      void exited.then(() => reject(new Error(`npm start exited before listening:\n${stderr}\n${stdout}`)));
    });
    t.equal((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).status, 200, 'it serves');

    npm.kill(signal);
    const bound = AbortSignal.timeout(10_000);
    await Promise.race([exited, once(bound, 'abort')]);
    t.ok(!bound.aborted, `npm exited within 10 s of ${signal}`);
    t.match(stdout, /shut down cleanly/, 'the server shut down gracefully, not killed');
    t.ok(await refused(port), 'nothing listens on the port afterwards');
  });
}
