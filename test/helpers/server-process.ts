import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** dist/main.js when `npm run build` is newer than every source; otherwise src/main.ts with tap's TypeScript loader. */
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
  const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  return { args: [...loader, join(root, 'src/main.ts')], note: `src/main.ts (dist is older than ${relative(root, stale)}; run npm run build)` };
}

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<the port the process got> */
  base: string;
  port: number;
  exited: Promise<number | null>;
  /** Everything the process wrote so far (stdout and stderr, the last 20 kB). */
  output(): string;
  kill(): void;
}

/**
 * `node <entry>` with PORT=0 (unless env names one): the process listens on a port the OS picked and logs
 * it ("listening on port N"), and that line is where the test reads it back; no port is probed for.
 * Only `env` (and PATH) reach the process: what a container would be given.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, entryPoint().args, {
    cwd: projectRoot, env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOCAL_STORE: 'memory', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on port" line within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const look = () => {
      const match = /listening on port (\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', look);
      resolve(Number(match[1]));
    };
    child.stdout?.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    child, port, base: `http://127.0.0.1:${port}`, exited, output: () => output,
    kill: () => void (child.exitCode === null && child.kill('SIGKILL')),
  };
}
