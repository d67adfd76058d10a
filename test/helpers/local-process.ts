import { spawn, type ChildProcess } from 'node:child_process';
import { entryPoint, projectRoot } from './server-process.js';

export interface LocalProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  out(): string;
  err(): string;
}

export interface RunningProcess extends LocalProcess {
  port: number;
  base: string;
}

/** `node dist/main.js` (or src/main.ts) with exactly `env` (and PATH): no settings leak in from the test runner. */
export function spawnServer(env: Record<string, string>, nodeArgs: string[] = []): LocalProcess {
  const child = spawn(process.execPath, [...nodeArgs, ...entryPoint().args], { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

/**
 * Starts a server and waits for its "listening on port N" log line; the port is read from that line
 * (start it with PORT=0 and the server picks one). Rejects with its output when it exits first.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<RunningProcess> {
  const proc = spawnServer({ HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /listening on port (\d+)/.exec(proc.out());
    if (match) {
      const port = Number(match[1]);
      return { ...proc, port, base: `http://127.0.0.1:${port}` };
    }
    if (exitCode !== undefined || Date.now() > deadline) {
      proc.child.kill('SIGKILL');
      throw new Error(`the server did not start (exit ${String(exitCode)}):\n${proc.err()}\n${proc.out()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
