#!/usr/bin/env node
// `npm run soak`: builds, starts the built server (node dist/main.js, local mode) on 127.0.0.1, and drives
// a high rate for SOAK_SECONDS (60) across SOAK_USERS (10,000) users with creates, reads, lists, cancels
// and usage reads. Then every accepted job must be found by id and in its owner's listing. Prints a
// summary and exits non-zero on any 5xx, network error, lost job, or RSS (the last third of the samples
// against the first) growing past ×SOAK_MAX_RSS_GROWTH plus the jobs local mode keeps in memory.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { soak, violations } from './soak-lib.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const USERS = Number(process.env.SOAK_USERS ?? 10_000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 64);
const MAX_RSS_GROWTH = Number(process.env.SOAK_MAX_RSS_GROWTH ?? 1.5);
const PER_JOB_KIB = Number(process.env.SOAK_PER_JOB_KIB ?? 2);
const root = new URL('../../', import.meta.url);
const say = (line) => process.stdout.write(`soak: ${line}\n`);

/**
 * The TCP port process `pid` listens on, from /proc (this script already reads /proc for RSS): the server
 * starts with PORT=0 and logs only warnings here, so its socket is where the port is read back.
 */
function listeningPort(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = (() => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; } })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] local address:port (hex), cols[3] state (0A = LISTEN), cols[9] inode
      if (cols[3] === '0A' && inodes.has(cols[9])) return parseInt(cols[1].split(':')[1], 16);
    }
  }
  return undefined;
}

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

if (process.env.SOAK_SKIP_BUILD !== '1') {
  say('building (npm run build)');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}
const work = mkdtempSync(join(tmpdir(), 'omnigen-soak-'));
const logFile = join(work, 'server.log');
const server = spawn(process.execPath, ['dist/main.js'], {
  cwd: root,
  stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
  env: {
    PATH: process.env.PATH, APP_MODE: 'local', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MIN: '1000000', QUOTA_PER_MONTH: '1000000', LOCAL_WORKFLOW_DURATION_MS: '2000',
    LOCAL_DATA_DIR: join(work, 'videos'),
  },
});
let exitCode = 1;
const stop = () => {
  if (server.exitCode === null) server.kill('SIGTERM');
};
// Interrupted (Ctrl-C, or a runner's timeout): never leave the server behind.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => { stop(); process.exit(130); });
try {
  let base = '';
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}); see ${logFile}`);
    if (i > 300) throw new Error('the server did not answer /api/v1/health within 30 s');
    const port = listeningPort(server.pid);
    base = `http://127.0.0.1:${port}`;
    const up = port !== undefined && await fetch(`${base}/api/v1/health`).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  say(`server pid ${server.pid} on ${base}; ${USERS} users, ${SECONDS} s, ${CONCURRENCY} connections`);
  const result = await soak({ base, users: USERS, durationMs: SECONDS * 1000, concurrency: CONCURRENCY, rss: () => rssOf(server.pid), log: say });
  const problems = violations(result, { maxRssGrowth: MAX_RSS_GROWTH, perJobKiB: PER_JOB_KIB });
  const summary = {
    requests: result.requests, seconds: Number(result.seconds.toFixed(1)), reqPerSec: Math.round(result.rps),
    statuses: result.statuses, fivexx: result.fivexx, networkErrors: result.networkErrors.length,
    acceptedJobs: result.accepted, owners: result.owners, lostJobs: result.lost.length,
    rssFirstThirdMiB: Math.round(result.rssFirstMiB), rssLastThirdMiB: Math.round(result.rssLastMiB), rssPeakMiB: Math.round(result.rssPeakMiB), rssSamples: result.samples,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (problems.length > 0) {
    for (const p of problems) say(`VIOLATION: ${p}`);
    say(`server log: ${logFile}`);
  } else {
    say('OK: zero 5xx, zero lost jobs, RSS flat');
    exitCode = 0;
  }
} catch (err) {
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  stop();
  await new Promise((resolve) => (server.exitCode !== null ? resolve() : server.once('exit', resolve)));
  if (exitCode === 0) rmSync(work, { recursive: true, force: true });
  else rmSync(join(work, 'videos'), { recursive: true, force: true });
}
process.exit(exitCode);
