import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unmeasured } from './unmeasured.ts';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** dist/main.js when `npm run build` is newer than every source; otherwise src/main.ts, run by Node's own type stripping. */
export function entryPoint(): { args: string[]; note: string } {
  const root = projectRoot;
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const stale = sources(join(root, 'src')).find((file) => {
    try {
      return statSync(join(root, 'dist', relative(join(root, 'src'), file).replace(/\.ts$/, '.js'))).mtimeMs < statSync(file).mtimeMs;
    } catch {
      return true;
    }
  });
  if (!stale) return { args: [join(root, 'dist/main.js')], note: 'dist/main.js' };
  return { args: [join(root, 'src/main.ts')], note: `src/main.ts (dist is older than ${relative(root, stale)}; run npm run build)` };
}

/** A server process and what it wrote, stdout and stderr apart (refusals are judged by their stderr lines). */
export interface SpawnedServer {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  out(): string;
  err(): string;
}

export interface ServerProcess extends SpawnedServer {
  /** http://127.0.0.1:<the port the process got> */
  base: string;
  port: number;
  kill(): void;
}

/** `node <entry>` with exactly `env` (and PATH): what a container would be given, nothing from the test runner. */
export function spawnServer(env: Record<string, string>, nodeArgs: string[] = []): SpawnedServer {
  const child = spawn(process.execPath, [...nodeArgs, ...entryPoint().args], { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', ...unmeasured, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

/**
 * A server with PORT=0 (unless env names one) and the memory store (unless env names one): the process
 * listens on a port the OS picked and logs it ("listening on port N"), and that line is where the test
 * reads it back; no port is probed for.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const proc = spawnServer({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOCAL_STORE: 'memory', ...env });
  const output = () => `${proc.err()}\n${proc.out()}`.slice(-20_000);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on port" line within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const look = () => {
      const match = /listening on port (\d+)/.exec(proc.out());
      if (!match) return;
      clearTimeout(timer);
      proc.child.stdout?.off('data', look);
      resolve(Number(match[1]));
    };
    proc.child.stdout?.on('data', look);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output()}`));
    });
  });
  return { ...proc, port, base: `http://127.0.0.1:${port}`, kill: () => void (proc.child.exitCode === null && proc.child.kill('SIGKILL')) };
}
