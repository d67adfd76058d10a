// A real Redis for tests: its own redis-server on a unix socket (Redis cannot pick a free TCP port
// itself), behind a small TCP forwarder that listens on port 0, so tests get redis://127.0.0.1:<port>.
// The forwarder is also the test's hand on the wire: it can stall the traffic (a slow Redis) or cut
// every connection and refuse new ones (Redis gone), then let it through again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedis } from '../../scripts/debian-redis.ts';

export interface TestRedis {
  url: string;
  /** Stop forwarding: commands get no answer until resume() (a slow or hung Redis). */
  stall(): void;
  /** Drop every connection and refuse new ones until resume() (Redis unreachable). */
  cut(): void;
  resume(): void;
  /** Runs one command through redis-cli on the socket (bypassing the forwarder). */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

// The machine's redis-server, or Debian's unpacked into node_modules/.cache by pretest (scripts/debian-redis.ts).
const REDIS = findRedis();

/** Why Redis tests cannot run here, or undefined when they can. */
export const redisMissing: string | undefined = REDIS ? undefined : 'redis-server is not installed (apt-get install redis-server; npm test\'s pretest fetches it where apt-get exists)';

export async function startRedis(): Promise<TestRedis> {
  if (!REDIS) throw new Error(redisMissing);
  const dir = await mkdtemp(join(tmpdir(), 'omnigen-redis-'));
  const socketPath = join(dir, 'redis.sock');
  const child: ChildProcess = spawn(REDIS.server, ['--port', '0', '--unixsocket', socketPath, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'], env: REDIS.env,
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready to accept connections/i.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
  });

  let mode: 'open' | 'stalled' | 'cut' = 'open';
  const sockets = new Set<Socket>();
  const forwarder: Server = createServer((client) => {
    if (mode === 'cut') return void client.destroy();
    const upstream = createConnection(socketPath);
    sockets.add(client).add(upstream);
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.on('data', (chunk) => void (mode === 'open' && upstream.write(chunk)));
    upstream.on('data', (chunk) => void (mode === 'open' && client.write(chunk)));
  });
  await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
  const { port } = forwarder.address() as AddressInfo;

  return {
    url: `redis://127.0.0.1:${port}`,
    stall: () => void (mode = 'stalled'),
    cut() {
      mode = 'cut';
      for (const socket of sockets) socket.destroy();
    },
    resume() {
      // Bytes dropped while stalled leave those connections out of step: start them afresh.
      if (mode === 'stalled') for (const socket of sockets) socket.destroy();
      mode = 'open';
    },
    cli: (...args) => spawnSync(REDIS.cli, ['-s', socketPath, ...args], { encoding: 'utf8', env: REDIS.env }).stdout.trim(),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => forwarder.close(() => resolve()));
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
