// `npm run bench` — the benchmark of issue #4. Builds, starts the service (local mode, info logs to
// /dev/null, pinned to CPU 0) next to a bare Fastify server (the ceiling, also on CPU 0), drives both
// with autocannon from CPU 1, three rounds interleaved after a warm-up, and reports medians (min–max)
// as ratios to the bare ceiling of the same run. Writes bench/results/latest.json.
//
//   npm run bench                 full run (a few minutes)
//   npm run bench -- --quick      everything, small and short (under a minute), to check it works
//   npm run bench -- --no-build   use dist/ as it is
//   --dist=DIR (another build, e.g. of an older commit; implies --no-build), --no-memory,
//   --mem-users=N and --mem-requests=N (the memory scenario's size), --only-memory
import { execSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createJob, devToken, devTokens, JOB_BODY, pool, seedJobs } from './lib/api.mjs';
import { measure } from './lib/load.mjs';
import { HAS_TASKSET, serviceEnv, startServer } from './lib/servers.mjs';
import { fmt, spread, summary, table } from './lib/stats.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const option = (name) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

// The load generator runs on CPU 1, the servers on CPU 0: re-run this script pinned (once).
if (HAS_TASKSET && cpus().length >= 2 && !process.env.BENCH_PINNED) {
  const run = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exit(run.status ?? 1);
}

const CFG = QUICK
  ? { seconds: 1.5, warmupSeconds: 0.5, rounds: 1, connections: 50, rotateUsers: 100, bigJobs: 1_000, smallJobs: 10,
      startupRuns: 2, memUsers: 300, memRequests: 10_000, memBaseline: 2_000 }
  : { seconds: 10, warmupSeconds: 3, rounds: 3, connections: 50, rotateUsers: 1_000, bigJobs: 100_000, smallJobs: 10,
      startupRuns: 5, memUsers: 100_000, memRequests: 1_000_000, memBaseline: 10_000 };

if (option('mem-users')) CFG.memUsers = Number(option('mem-users'));
if (option('mem-requests')) CFG.memRequests = Number(option('mem-requests'));

const TARGETS = {
  'get-one': { ratio: 0.65 },
  'get-rotate': { ratio: 0.55 },
  post: { ratio: 0.4 },
};

const log = (msg) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
const started = performance.now();
const DIST = option('dist') ?? join(ROOT, 'dist');
const SERVICE = join(DIST, 'main.js');
const BARE = join(ROOT, 'bench/bare-server.mjs');
const auth = (token) => ({ authorization: `Bearer ${token}` });

if (!args.has('--no-build') && !option('dist')) {
  log('building (npm run build)');
  execSync('npm run build --silent', { cwd: ROOT, stdio: 'inherit' });
}

const servers = [];
const start = async (opts) => {
  const server = await startServer(opts);
  servers.push(server);
  return server;
};
const stopAll = () => Promise.all(servers.splice(0).map((s) => s.stop()));
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  const result = await main();
  const file = join(ROOT, `bench/results/${args.has('--only-memory') ? 'memory' : 'latest'}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${report(result)}\n\nwritten to ${file.slice(ROOT.length + 1)} in ${result.meta.seconds} s\n`);
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
}

async function main() {
  const meta = {
    date: new Date().toISOString(),
    mode: QUICK ? 'quick' : 'full',
    node: process.version,
    nproc: cpus().length,
    cpu: cpuModel(),
    pinned: HAS_TASKSET ? 'servers on CPU 0, load generator on CPU 1 (taskset)' : 'not pinned (no taskset)',
    loadavgBefore: loadavg().map((l) => +l.toFixed(2)),
    commit: gitCommit(),
    dist: DIST,
    config: CFG,
  };

  if (args.has('--only-memory')) {
    const memory = await memoryScenario();
    meta.seconds = Math.round((performance.now() - started) / 1000);
    return { meta, memory };
  }
  const startup = await startupAndIdle();

  log('starting servers: bare, service (reads), service (writes)');
  const [bare, read, write] = await Promise.all([
    start({ name: 'bare', script: BARE, env: { LOG_LEVEL: 'info' } }),
    start({ name: 'service-read', script: SERVICE, env: serviceEnv() }),
    start({ name: 'service-write', script: SERVICE, env: serviceEnv() }),
  ]);

  log(`setup: one user with a job; ${CFG.rotateUsers} users with a job each`);
  const oneToken = await devToken(read, 'bench-one');
  const oneJob = await createJob(read, oneToken);
  const rotateTokens = await devTokens(read, 'bench-rot-', 0, CFG.rotateUsers);
  const rotateJobs = await pool(rotateTokens.length, 16, (i) => createJob(read, rotateTokens[i]));

  log(`setup: ${CFG.bigJobs.toLocaleString('en-US')} jobs for one user, ${CFG.smallJobs} for another (POST /api/v1/jobs)`);
  const bigToken = await devToken(write, 'bench-big');
  const smallToken = await devToken(write, 'bench-small');
  const postToken = await devToken(write, 'bench-post');
  await seedJobs(write, bigToken, CFG.bigJobs);
  await seedJobs(write, smallToken, CFG.smallJobs);

  const scenarios = [
    { name: 'bare', label: 'bare Fastify GET /api/v1/health (ceiling)', server: bare, path: '/api/v1/health' },
    { name: 'get-one', label: 'GET /api/v1/jobs/{id}, one user', server: read, path: `/api/v1/jobs/${oneJob}`, headers: auth(oneToken) },
    {
      name: 'get-rotate', label: `GET /api/v1/jobs/{id}, ${CFG.rotateUsers.toLocaleString('en-US')} users' tokens in rotation`, server: read,
      requests: rotateTokens.map((t, i) => ({ method: 'GET', path: `/api/v1/jobs/${rotateJobs[i]}`, headers: auth(t) })),
    },
    {
      name: 'post', label: 'POST /api/v1/jobs (quota raised)', server: write, path: '/api/v1/jobs', method: 'POST',
      headers: { ...auth(postToken), 'content-type': 'application/json' }, body: JOB_BODY,
    },
    { name: 'list-big', label: `GET /api/v1/jobs?limit=20, user with ${CFG.bigJobs.toLocaleString('en-US')} jobs`, server: write, path: '/api/v1/jobs?limit=20', headers: auth(bigToken) },
    { name: 'list-small', label: `GET /api/v1/jobs?limit=20, user with ${CFG.smallJobs} jobs`, server: write, path: '/api/v1/jobs?limit=20', headers: auth(smallToken) },
  ];

  log(`warm-up: ${CFG.warmupSeconds} s per scenario`);
  for (const s of scenarios) await measure(s, { seconds: CFG.warmupSeconds, connections: CFG.connections });
  const runs = Object.fromEntries(scenarios.map((s) => [s.name, []]));
  for (let round = 1; round <= CFG.rounds; round++) {
    for (const s of scenarios) {
      log(`round ${round}/${CFG.rounds}: ${s.name}`);
      runs[s.name].push(await measure(s, { seconds: CFG.seconds, connections: CFG.connections }));
    }
  }
  await stopAll();

  const throughput = {};
  for (const s of scenarios) {
    const r = runs[s.name];
    const ratios = r.map((x, i) => x.rps / runs.bare[i].rps);
    throughput[s.name] = {
      label: s.label,
      rps: summary(r.map((x) => x.rps)),
      p50: summary(r.map((x) => x.p50)),
      p97_5: summary(r.map((x) => x.p97_5)),
      p99: summary(r.map((x) => x.p99)),
      rssMB: summary(r.map((x) => x.rssMB)),
      cpuUsPerRequest: summary(r.map((x) => x.cpuUs)),
      // bare's CPU time per request ÷ this one's: what the req/s ratio would be on a core of its own.
      cpuRatio: summary(r.map((x, i) => runs.bare[i].cpuUs / x.cpuUs)),
      failed: r.reduce((n, x) => n + x.failed, 0),
      ratio: summary(ratios),
      ...(TARGETS[s.name] ? { target: `≥ ${TARGETS[s.name].ratio}`, met: summary(ratios).median >= TARGETS[s.name].ratio } : {}),
    };
  }
  // Page time is the server's time per page: at the same concurrency, the inverse of its throughput.
  const pageRatio = summary(runs['list-big'].map((x, i) => runs['list-small'][i].rps / x.rps));
  const pageCpuRatio = summary(runs['list-big'].map((x, i) => x.cpuUs / runs['list-small'][i].cpuUs));
  const list = { pageTimeRatio: pageRatio, pageCpuRatio, target: '≤ 1.2', met: pageRatio.median <= 1.2 };

  let memory;
  if (!args.has('--no-memory')) {
    try {
      memory = await memoryScenario();
    } catch (err) {
      // Keep the throughput figures: report the memory scenario as failed instead of losing the run.
      log(`memory scenario failed: ${err instanceof Error ? err.message : String(err)}`);
      memory = { error: err instanceof Error ? err.message : String(err) };
      await stopAll();
    }
  }
  meta.loadavgAfter = loadavg().map((l) => +l.toFixed(2));
  meta.seconds = Math.round((performance.now() - started) / 1000);
  return { meta, throughput, list, startup, memory };
}

/** Startup to the first 200 of /api/v1/health, and RSS one second later (idle), alternating bare and service. */
async function startupAndIdle() {
  const times = { bare: [], service: [] };
  const idle = { bare: [], service: [] };
  for (let i = 0; i < CFG.startupRuns; i++) {
    const order = i % 2 ? ['service', 'bare'] : ['bare', 'service'];
    for (const kind of order) {
      log(`startup ${i + 1}/${CFG.startupRuns}: ${kind}`);
      const server = await start(kind === 'bare' ? { name: 'bare', script: BARE } : { name: 'service', script: SERVICE, env: serviceEnv() });
      times[kind].push(server.startupMs);
      await sleep(1000);
      idle[kind].push(server.rssMB());
      await stopAll();
    }
  }
  const bare = summary(times.bare);
  const service = summary(times.service);
  const ratio = service.median / bare.median;
  const idleBare = summary(idle.bare);
  const idleService = summary(idle.service);
  const idleRatio = idleService.median / idleBare.median;
  return {
    startupMs: { bare, service, ratio, target: '≤ 1.3', met: ratio <= 1.3 },
    idleRssMB: { bare: idleBare, service: idleService, ratio: idleRatio, target: '≤ 1.2', met: idleRatio <= 1.2 },
  };
}

/**
 * RSS after `memBaseline` requests vs after `memRequests` requests from `memUsers` distinct users
 * (their dev-token requests count among them). Each user's requests come close together (a session),
 * so the token cache sees hits and misses as with real users; the rate-limit windows see every user.
 */
async function memoryScenario() {
  const { memUsers: users, memRequests: total, memBaseline: baseline } = CFG;
  log(`memory: fresh service; ${users.toLocaleString('en-US')} users, ${total.toLocaleString('en-US')} requests`);
  const server = await start({ name: 'service-memory', script: SERVICE, env: serviceEnv() });
  // Each point is read twice: right after the load, and after the same idle pause at every point, when
  // V8 has given back the young generation's headroom — bounded state shows as a flat settled line.
  const settleMs = QUICK ? 0 : 10_000;
  const point = async (requests) => {
    const busy = server.rssMB();
    await sleep(settleMs);
    const settled = server.rssMB();
    log(`memory: RSS after ${requests.toLocaleString('en-US')} requests: ${fmt(busy, 1)} MB${settleMs ? `, ${fmt(settled, 1)} MB after ${settleMs / 1000} s idle` : ''}`);
    return { requests, busy, settled };
  };
  const early = Math.min(1000, users);
  const tokens = await devTokens(server, 'bench-mem-', 0, early);
  let sent = early;
  const path = '/api/v1/jobs?limit=20';
  let k = 0;
  await measure({ server, path, setupRequest: (req) => ({ ...req, headers: auth(tokens[k++ % early]) }) }, { amount: baseline - sent, connections: CFG.connections });
  sent = baseline;
  const points = [await point(sent)];
  log(`memory: issuing ${(users - early).toLocaleString('en-US')} more dev tokens`);
  const more = await devTokens(server, 'bench-mem-', early, users, (n) => log(`memory: ${n.toLocaleString('en-US')} tokens`));
  tokens.push(...more);
  sent += users - early;
  const remaining = total - sent;
  log(`memory: ${remaining.toLocaleString('en-US')} requests across all ${users.toLocaleString('en-US')} users, in two halves`);
  // Request j goes to user ⌊j·users/remaining⌋: every user, each one's requests close together (a session).
  let j = 0;
  const setupRequest = (req) => ({ ...req, headers: auth(tokens[Math.min(users - 1, Math.floor((j++ * users) / remaining))]) });
  const half = Math.floor(remaining / 2);
  const runs = [];
  for (const amount of [half, remaining - half]) {
    runs.push(await measure({ server, path, setupRequest }, { amount, connections: CFG.connections }));
    sent += amount;
    points.push(await point(sent));
  }
  await stopAll();
  const first = points[0];
  const last = points[points.length - 1];
  const growth = last.settled - first.settled;
  return {
    users, requests: total, baselineRequests: baseline, settleSeconds: settleMs / 1000,
    rpsLastPhase: runs.map((r) => r.rps), failed: runs.reduce((n, r) => n + r.failed, 0),
    points, rssMB: { baseline: first.settled, after: last.settled, growth, growthBusy: last.busy - first.busy },
    target: '≤ +64 MB', met: growth <= 64,
  };
}

function report({ meta, throughput, list, startup, memory }) {
  if (!throughput) return JSON.stringify(memory, null, 2);
  const ms = (s) => spread(s, 2);
  const rows = Object.entries(throughput).map(([name, t]) => [
    name, spread(t.rps), ms(t.p50), ms(t.p97_5), ms(t.p99), fmt(t.rssMB.median, 0), fmt(t.cpuUsPerRequest.median, 0),
    name === 'bare' ? '1' : spread(t.ratio, 2), name === 'bare' ? '1' : spread(t.cpuRatio, 2), t.target ?? '', t.target ? (t.met ? 'yes' : 'NO') : '',
  ]);
  const lines = [
    `${meta.mode} run, ${meta.date}, Node ${meta.node}, ${meta.nproc} × ${meta.cpu}; ${meta.pinned}; load average ${meta.loadavgBefore.join(' ')} → ${meta.loadavgAfter.join(' ')}`,
    '',
    table(['scenario', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'RSS MB', 'CPU µs/req', 'ratio to bare', 'CPU ratio', 'target', 'met'], rows),
    '',
    table(['measure', 'value', 'target', 'met'], [
      [`list page time, ${CFG.bigJobs.toLocaleString('en-US')}-job user ÷ ${CFG.smallJobs}-job user (by CPU/req: ${spread(list.pageCpuRatio, 2)})`, spread(list.pageTimeRatio, 2), list.target, list.met ? 'yes' : 'NO'],
      [`startup to first 200 (ms): service ${spread(startup.startupMs.service)} vs bare ${spread(startup.startupMs.bare)}`, `${fmt(startup.startupMs.ratio, 2)}×`, startup.startupMs.target, startup.startupMs.met ? 'yes' : 'NO'],
      [`RSS idle (MB): service ${spread(startup.idleRssMB.service, 1)} vs bare ${spread(startup.idleRssMB.bare, 1)}`, `${fmt(startup.idleRssMB.ratio, 2)}×`, startup.idleRssMB.target, startup.idleRssMB.met ? 'yes' : 'NO'],
      ...(memory?.rssMB ? [[`RSS after ${memory.requests.toLocaleString('en-US')} req from ${memory.users.toLocaleString('en-US')} users vs after ${memory.baselineRequests.toLocaleString('en-US')}, ${memory.settleSeconds} s idle (MB): ${memory.points.map((p) => fmt(p.settled, 1)).join(' → ')}; right after the load ${fmt(memory.rssMB.growthBusy, 1)} MB more`, `${memory.rssMB.growth >= 0 ? '+' : ''}${fmt(memory.rssMB.growth, 1)} MB`, memory.target, memory.met ? 'yes' : 'NO']] : []),
    ]),
  ];
  const failed = Object.entries(throughput).filter(([, t]) => t.failed > 0).map(([n, t]) => `${n}: ${t.failed}`);
  if (memory?.error) lines.push('', `memory scenario failed: ${memory.error}`);
  if (failed.length || memory?.failed) lines.push('', `WARNING: non-2xx/errors/timeouts — ${[...failed, memory?.failed ? `memory: ${memory.failed}` : ''].filter(Boolean).join(', ')}`);
  return lines.join('\n');
}

function cpuModel() {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

function gitCommit() {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}
