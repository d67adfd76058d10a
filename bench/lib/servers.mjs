// Starting, probing and stopping the servers under test: each pinned to CPU 0 (where taskset exists),
// stdout (pino's log lines) to /dev/null, stderr kept in case a server dies.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const SERVER_CPU = '0';

/** The service's environment for every scenario: local mode, info logs, limits that never trigger. */
export function serviceEnv(extra = {}) {
  return {
    APP_MODE: 'local',
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MIN: '1000000',
    QUOTA_PER_MONTH: '1000000000',
    // The first workflow tick comes after a tenth of this (6 min): jobs created by the bench stay
    // `pending` and cost no timer work while it measures.
    LOCAL_WORKFLOW_DURATION_MS: '3600000',
    LOCAL_DATA_DIR: join(tmpdir(), 'omnigen-bench'),
    // The figures in docs/performance.md are the in-memory store's; a shared SQLite file would also carry
    // one run's jobs into the next.
    LOCAL_STORE: 'memory',
    ...extra,
  };
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** One GET; resolves with the status code (0 when the connection failed). */
export function statusOf(port, path) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/**
 * Spawns `node <script>` on the server CPU and polls /api/v1/health every 2 ms until it answers 200.
 * `startupMs` runs from just before spawn to that first 200.
 */
export async function startServer({ name, script, env = {}, nodeArgs = [], timeoutMs = 30_000 }) {
  const port = await freePort();
  const devNull = openSync('/dev/null', 'w');
  const args = HAS_TASKSET ? ['-c', SERVER_CPU, process.execPath, ...nodeArgs, script] : [...nodeArgs, script];
  const t0 = performance.now();
  const child = spawn(HAS_TASKSET ? 'taskset' : process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', devNull, 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${name} exited before it was ready:\n${stderr}`);
    if ((await statusOf(port, '/api/v1/health')) === 200) break;
    if (performance.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer /api/v1/health within ${timeoutMs} ms:\n${stderr}`);
    }
    await sleep(2);
  }
  const startupMs = performance.now() - t0;
  return {
    name,
    port,
    pid: child.pid,
    startupMs,
    url: `http://127.0.0.1:${port}`,
    rssMB: () => rssMB(child.pid),
    cpuSeconds: () => cpuSeconds(child.pid),
    stop: async () => {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process, in MB, from /proc/<pid>/status (VmRSS is in kB). */
export function rssMB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/** User + system CPU time a process has used, in seconds, from /proc/<pid>/stat (fields 14 and 15). */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
