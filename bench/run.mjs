// `npm run bench`: the benchmark of issue #11. Builds, starts the service (local mode, info logs to
// /dev/null, pinned to CPU 0) next to a bare Fastify server (the ceiling, also on CPU 0), drives both
// with wrk from CPU 1 (autocannon when wrk is not installed), three rounds interleaved after a warm-up,
// and reports medians (min–max) as ratios to the bare ceiling of the same run, with the server's CPU
// share per round: a round where the server did not use ~90 % of its core is flagged, with who set the
// ceiling (the generator, or other processes). Writes bench/results/latest.json.
//
//   npm run bench                 full run (~10 minutes)
//   npm run bench -- --quick      everything, small and short (~1 minute), to check it works
//   npm run bench -- --no-build   use dist/ as it is
//   --dist=DIR (another build, e.g. of an older commit; implies --no-build), --script=server.mjs (run
//   the bundle in the throughput scenarios instead of main.js), --no-memory, --no-sse, --only-memory, --only-startup,
//   --mem-users=N and --mem-requests=N (the memory scenario's size), --sse-users=N;
//   BENCH_GENERATOR=autocannon forces autocannon.
import { execSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createJob, devToken, devTokens, driveAmount, JOB_BODY, pool, seedJobs } from './lib/api.mjs';
import { GENERATOR, measure, SATURATED } from './lib/load.mjs';
import { openStreams } from './lib/sse.mjs';
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
  ? { seconds: 2, warmupSeconds: 1, rounds: 1, connections: 50, rotateUsers: 100, bigJobs: 1_000, smallJobs: 10,
      startupRuns: 2, sseUsers: 100, ssePerUser: 5, memUsers: 300, memRequests: 10_000, memBaseline: 2_000 }
  : { seconds: 5, warmupSeconds: 2, rounds: 3, connections: 50, rotateUsers: 1_000, bigJobs: 100_000, smallJobs: 10,
      startupRuns: 5, sseUsers: 2_000, ssePerUser: 5, memUsers: 100_000, memRequests: 1_000_000, memBaseline: 10_000 };

if (option('mem-users')) CFG.memUsers = Number(option('mem-users'));
if (option('mem-requests')) CFG.memRequests = Number(option('mem-requests'));
if (option('sse-users')) CFG.sseUsers = Number(option('sse-users'));

// The issue's targets (ratios to bare Fastify in the same run, at saturation).
const TARGETS = {
  'get-one': { ratio: 0.5 },
  'get-rotate': { ratio: 0.45 },
  post: { ratio: 0.3 },
  'list-small': { ratio: 0.4 },
};

const log = (msg) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
const started = performance.now();
const DIST = option('dist') ?? join(ROOT, 'dist');
const SERVICE = join(DIST, option('script') ?? 'main.js');
const SERVICE_MAIN = join(DIST, 'main.js');
const BUNDLE = join(DIST, 'server.mjs');
const BARE = join(ROOT, 'bench/bare-server.mjs');

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
  const file = join(ROOT, `bench/results/${args.has('--only-memory') ? 'memory' : args.has('--only-startup') ? 'startup' : 'latest'}.json`);
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
    generator: GENERATOR,
    pinned: HAS_TASKSET ? 'servers on CPU 0, load generator on CPU 1 (taskset)' : 'not pinned (no taskset)',
    script: SERVICE,
    loadavgBefore: loadavg().map((l) => +l.toFixed(2)),
    commit: gitCommit(),
    dist: DIST,
    config: CFG,
  };

  if (args.has('--only-startup')) {
    const startup = await startupAndIdle();
    meta.seconds = Math.round((performance.now() - started) / 1000);
    return { meta, startup };
  }
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
    { name: 'bare', label: 'bare Fastify GET /api/v1/health (ceiling)', server: bare, paths: ['/api/v1/health'] },
    { name: 'get-one', label: 'GET /api/v1/jobs/{id}, one user', server: read, paths: [`/api/v1/jobs/${oneJob}`], tokens: [oneToken] },
    {
      name: 'get-rotate', label: `GET /api/v1/jobs/{id}, ${CFG.rotateUsers.toLocaleString('en-US')} users' tokens in rotation`, server: read,
      paths: rotateJobs.map((j) => `/api/v1/jobs/${j}`), tokens: rotateTokens,
    },
    { name: 'post', label: 'POST /api/v1/jobs (quota raised)', server: write, method: 'POST', paths: ['/api/v1/jobs'], tokens: [postToken], body: JOB_BODY },
    { name: 'list-big', label: `GET /api/v1/jobs?limit=20, user with ${CFG.bigJobs.toLocaleString('en-US')} jobs`, server: write, paths: ['/api/v1/jobs?limit=20'], tokens: [bigToken] },
    { name: 'list-small', label: `GET /api/v1/jobs?limit=20, user with ${CFG.smallJobs} jobs`, server: write, paths: ['/api/v1/jobs?limit=20'], tokens: [smallToken] },
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
      serverCpuShare: summary(r.map((x) => x.serverCpuShare)),
      generatorCpuShare: summary(r.map((x) => x.generatorCpuShare)),
      // Rounds where the server used less than ~90 % of its core, and who set the ceiling then.
      unsaturated: r.map((x, i) => ({ round: i + 1, bound: x.bound, server: x.serverCpuShare })).filter((x) => x.bound !== 'server'),
      failed: r.reduce((n, x) => n + x.failed, 0),
      ratio: summary(ratios),
      ...(TARGETS[s.name] ? { target: `≥ ${TARGETS[s.name].ratio}`, met: summary(ratios).median >= TARGETS[s.name].ratio } : {}),
    };
  }
  // Page time is the server's time per page: at the same concurrency, the inverse of its throughput.
  const pageRatio = summary(runs['list-big'].map((x, i) => runs['list-small'][i].rps / x.rps));
  const pageCpuRatio = summary(runs['list-big'].map((x, i) => x.cpuUs / runs['list-small'][i].cpuUs));
  const list = { pageTimeRatio: pageRatio, pageCpuRatio, target: '≤ 1.2', met: pageRatio.median <= 1.2 };

  const sse = args.has('--no-sse') ? undefined : await guarded('event streams', sseScenario);
  const memory = args.has('--no-memory') ? undefined : await guarded('memory', memoryScenario);
  meta.loadavgAfter = loadavg().map((l) => +l.toFixed(2));
  meta.seconds = Math.round((performance.now() - started) / 1000);
  return { meta, throughput, list, startup, sse, memory };
}

/** Runs a scenario; a failure is reported in the results instead of losing the run's other figures. */
async function guarded(name, scenario) {
  try {
    return await scenario();
  } catch (err) {
    log(`${name} scenario failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll();
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Startup to the first 200 of /api/v1/health, and RSS one second later (idle): bare Fastify, the service
 * from dist/main.js and from the bundle (dist/server.mjs), in rotating order.
 */
async function startupAndIdle() {
  const kinds = {
    bare: { name: 'bare', script: BARE },
    service: { name: 'service', script: SERVICE_MAIN, env: serviceEnv() },
    ...(existsSync(BUNDLE) ? { bundle: { name: 'bundle', script: BUNDLE, env: serviceEnv() } } : {}),
  };
  const names = Object.keys(kinds);
  const times = Object.fromEntries(names.map((k) => [k, []]));
  // CPU time spent up to the first 200 (read right after it): steadier than wall time on a shared machine.
  const cpu = Object.fromEntries(names.map((k) => [k, []]));
  const idle = Object.fromEntries(names.map((k) => [k, []]));
  for (let i = 0; i < CFG.startupRuns; i++) {
    const order = names.map((_, j) => names[(i + j) % names.length]);
    for (const kind of order) {
      log(`startup ${i + 1}/${CFG.startupRuns}: ${kind}`);
      const server = await start(kinds[kind]);
      times[kind].push(server.startupMs);
      cpu[kind].push(server.cpuSeconds() * 1000);
      await sleep(1000);
      idle[kind].push(server.rssMB());
      await stopAll();
    }
  }
  const result = { startupMs: {}, startupCpuMs: {}, idleRssMB: {} };
  for (const kind of names) {
    result.startupMs[kind] = summary(times[kind]);
    result.startupCpuMs[kind] = summary(cpu[kind]);
    result.idleRssMB[kind] = summary(idle[kind]);
  }
  for (const kind of names.filter((k) => k !== 'bare')) {
    const ratio = result.startupMs[kind].median / result.startupMs.bare.median;
    const idleRatio = result.idleRssMB[kind].median / result.idleRssMB.bare.median;
    result.startupMs[`${kind}Ratio`] = { ratio, target: '≤ 1.5', met: ratio <= 1.5 };
    result.startupCpuMs[`${kind}Ratio`] = { ratio: result.startupCpuMs[kind].median / result.startupCpuMs.bare.median };
    result.idleRssMB[`${kind}Ratio`] = { ratio: idleRatio, target: '≤ 1.2', met: idleRatio <= 1.2 };
  }
  return result;
}

/**
 * `sseUsers` × `ssePerUser` open event streams on a fresh service (its stream cap raised through
 * MAX_EVENT_STREAMS): its RSS before and with them open, and the one-user GET's p99 without, with, and
 * again without them (after closing).
 */
async function sseScenario() {
  const count = CFG.sseUsers * CFG.ssePerUser;
  log(`event streams: fresh service; ${CFG.sseUsers.toLocaleString('en-US')} users with a job each`);
  const server = await start({ name: 'service-sse', script: SERVICE, env: serviceEnv({ MAX_EVENT_STREAMS: String(count + 100) }) });
  const tokens = await devTokens(server, 'bench-sse-', 0, CFG.sseUsers);
  const jobs = await pool(tokens.length, 16, (i) => createJob(server, tokens[i]));
  const get = { server, paths: [`/api/v1/jobs/${jobs[0]}`], tokens: [tokens[0]] };
  const round = async (what) => {
    log(`event streams: GET p99, ${what}`);
    return measure(get, { seconds: CFG.seconds, connections: CFG.connections });
  };
  await measure(get, { seconds: CFG.warmupSeconds, connections: CFG.connections });
  const settle = () => sleep(QUICK ? 500 : 2000);
  await settle();
  const rssBefore = server.rssMB();
  const without = [await round('no streams open')];
  log(`event streams: opening ${count.toLocaleString('en-US')}`);
  const t0 = performance.now();
  const streams = await openStreams(server, Array.from({ length: count }, (_, i) => ({
    path: `/api/v1/jobs/${jobs[i % CFG.sseUsers]}/events`, token: tokens[i % CFG.sseUsers],
  })));
  const openSeconds = (performance.now() - t0) / 1000;
  await settle();
  const rssWith = server.rssMB();
  const withStreams = [await round(`${count.toLocaleString('en-US')} streams open`)];
  if (!QUICK) withStreams.push(await round(`${count.toLocaleString('en-US')} streams open, again`));
  const rssAfterLoad = server.rssMB();
  streams.close();
  await settle();
  without.push(await round('streams closed'));
  await stopAll();
  const p99Without = summary(without.map((r) => r.p99));
  const p99With = summary(withStreams.map((r) => r.p99));
  const rssDelta = rssWith - rssBefore;
  const p99Ratio = p99With.median / p99Without.median;
  return {
    streams: count, users: CFG.sseUsers, perUser: CFG.ssePerUser, openSeconds,
    rssMB: { before: rssBefore, withStreams: rssWith, afterLoad: rssAfterLoad, delta: rssDelta, target: '≤ +200', met: rssDelta <= 200 },
    getP99Ms: { without: p99Without, with: p99With, ratio: p99Ratio, target: '≤ 2', met: p99Ratio <= 2 },
    getRps: { without: summary(without.map((r) => r.rps)), with: summary(withStreams.map((r) => r.rps)) },
    failed: [...without, ...withStreams].reduce((n, r) => n + r.failed, 0),
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
  const settleMs = QUICK ? 0 : 5_000;
  const point = async (requests) => {
    const busy = server.rssMB();
    await sleep(settleMs);
    const settled = server.rssMB();
    log(`memory: RSS after ${requests.toLocaleString('en-US')} requests: ${fmt(busy, 1)} MB${settleMs ? `, ${fmt(settled, 1)} MB after ${settleMs / 1000} s idle` : ''}`);
    return { requests, busy, settled };
  };
  const path = '/api/v1/jobs?limit=20';
  const early = Math.min(1000, users);
  const tokens = await devTokens(server, 'bench-mem-', 0, early);
  let sent = early;
  await driveAmount(server, baseline - sent, CFG.connections, (k) => ({ path, token: tokens[k % early] }));
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
  const pick = () => ({ path, token: tokens[Math.min(users - 1, Math.floor((j++ * users) / remaining))] });
  const half = Math.floor(remaining / 2);
  const runs = [];
  for (const amount of [half, remaining - half]) {
    runs.push(await driveAmount(server, amount, CFG.connections, pick));
    sent += amount;
    points.push(await point(sent));
  }
  await stopAll();
  const first = points[0];
  const last = points[points.length - 1];
  const growth = last.settled - first.settled;
  return {
    users, requests: total, baselineRequests: baseline, settleSeconds: settleMs / 1000, generator: 'autocannon (a fixed number of requests)',
    rpsLastPhase: runs.map((r) => r.rps), failed: runs.reduce((n, r) => n + r.failed, 0),
    points, rssMB: { baseline: first.settled, after: last.settled, growth, growthBusy: last.busy - first.busy },
    target: '≤ +64 MB', met: growth <= 64,
  };
}

function report({ meta, throughput, list, startup, sse, memory }) {
  if (!throughput) return JSON.stringify(memory ?? startup, null, 2);
  const ms = (s) => spread(s, 2);
  const pct = (v) => `${Math.round(v * 100)} %`;
  const flags = [];
  const rows = Object.entries(throughput).map(([name, t]) => {
    for (const u of t.unsaturated) flags.push(`${name} round ${u.round}: server at ${pct(u.server)} of its core — ${u.bound === 'generator' ? 'the generator set the ceiling' : 'other processes took the core (contention)'}`);
    return [
      name, spread(t.rps), ms(t.p50), ms(t.p99), fmt(t.rssMB.median, 0), fmt(t.cpuUsPerRequest.median, 0),
      `${pct(t.serverCpuShare.median)}${t.unsaturated.length ? ' ⚑' : ''}`,
      name === 'bare' ? '1' : spread(t.ratio, 2), name === 'bare' ? '1' : spread(t.cpuRatio, 2), t.target ?? '', t.target ? (t.met ? 'yes' : 'NO') : '',
    ];
  });
  const yes = (met) => (met ? 'yes' : 'NO');
  const s = startup.startupMs;
  const c = startup.startupCpuMs;
  const r = startup.idleRssMB;
  const measures = [
    [`list page time, ${CFG.bigJobs.toLocaleString('en-US')}-job user ÷ ${CFG.smallJobs}-job user (by CPU/req: ${spread(list.pageCpuRatio, 2)})`, spread(list.pageTimeRatio, 2), list.target, yes(list.met)],
    [`startup to first 200 (ms): dist/main.js ${spread(s.service)} vs bare ${spread(s.bare)}; CPU ms to it ${spread(c.service)} vs ${spread(c.bare)} = ${fmt(c.serviceRatio.ratio, 2)}×`, `${fmt(s.serviceRatio.ratio, 2)}×`, s.serviceRatio.target, yes(s.serviceRatio.met)],
    ...(s.bundle ? [[`startup, bundle dist/server.mjs ${spread(s.bundle)} ms; CPU ms ${spread(c.bundle)} = ${fmt(c.bundleRatio.ratio, 2)}×`, `${fmt(s.bundleRatio.ratio, 2)}×`, s.bundleRatio.target, yes(s.bundleRatio.met)]] : []),
    [`RSS idle (MB): dist/main.js ${spread(r.service, 1)} vs bare ${spread(r.bare, 1)}`, `${fmt(r.serviceRatio.ratio, 2)}×`, r.serviceRatio.target, yes(r.serviceRatio.met)],
    ...(r.bundle ? [[`RSS idle, bundle ${spread(r.bundle, 1)} MB`, `${fmt(r.bundleRatio.ratio, 2)}×`, r.bundleRatio.target, yes(r.bundleRatio.met)]] : []),
  ];
  if (sse?.rssMB) {
    measures.push(
      [`RSS with ${sse.streams.toLocaleString('en-US')} event streams open (${sse.users.toLocaleString('en-US')} users × ${sse.perUser}): ${fmt(sse.rssMB.before, 1)} → ${fmt(sse.rssMB.withStreams, 1)} MB`, `+${fmt(sse.rssMB.delta, 1)} MB`, sse.rssMB.target, yes(sse.rssMB.met)],
      [`GET p99 with them open ${spread(sse.getP99Ms.with, 2)} ms vs none ${spread(sse.getP99Ms.without, 2)} ms`, `${fmt(sse.getP99Ms.ratio, 2)}×`, sse.getP99Ms.target, yes(sse.getP99Ms.met)],
    );
  }
  if (memory?.rssMB) {
    measures.push([`RSS after ${memory.requests.toLocaleString('en-US')} req from ${memory.users.toLocaleString('en-US')} users vs after ${memory.baselineRequests.toLocaleString('en-US')}, ${memory.settleSeconds} s idle (MB): ${memory.points.map((p) => fmt(p.settled, 1)).join(' → ')}; right after the load ${fmt(memory.rssMB.growthBusy, 1)} MB more`, `${memory.rssMB.growth >= 0 ? '+' : ''}${fmt(memory.rssMB.growth, 1)} MB`, memory.target, yes(memory.met)]);
  }
  const lines = [
    `${meta.mode} run, ${meta.date}, commit ${meta.commit}, Node ${meta.node}, ${meta.nproc} × ${meta.cpu}; generator ${meta.generator}; ${meta.pinned}; load average ${meta.loadavgBefore.join(' ')} → ${meta.loadavgAfter.join(' ')}`,
    '',
    table(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'RSS MB', 'CPU µs/req', 'server CPU', 'ratio to bare', 'CPU ratio', 'target', 'met'], rows),
    '',
    table(['measure', 'value', 'target', 'met'], measures),
  ];
  if (flags.length) lines.push('', `⚑ rounds where the server used less than ${pct(SATURATED)} of its core:`, ...flags.map((f) => `  ${f}`));
  const failed = Object.entries(throughput).filter(([, t]) => t.failed > 0).map(([n, t]) => `${n}: ${t.failed}`);
  for (const [name, x] of [['event streams', sse], ['memory', memory]]) if (x?.error) lines.push('', `${name} scenario failed: ${x.error}`);
  if (sse?.failed) failed.push(`event streams: ${sse.failed}`);
  if (memory?.failed) failed.push(`memory: ${memory.failed}`);
  if (failed.length) lines.push('', `WARNING: non-2xx/errors/timeouts — ${failed.join(', ')}`);
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
    return execSync('git describe --always --dirty', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}
