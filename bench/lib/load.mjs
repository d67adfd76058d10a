// One load run against one scenario, reduced to the figures the report needs. wrk (Debian's `wrk`) when
// it is installed — it saturates one Fastify core where autocannon, itself a Node process, tops out
// first — and autocannon otherwise. Both report the same fields.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuSeconds } from './servers.mjs';

const WRK_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../wrk/requests.lua');
const WRK = process.env.BENCH_GENERATOR === 'autocannon' ? null : findWrk();
export const GENERATOR = WRK ? `wrk (${WRK.version})` : 'autocannon';
/** Below this share of its core the server was not the bottleneck during the round (see `bound`). */
export const SATURATED = 0.9;

function findWrk() {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (probe.error) return null;
  const version = /wrk (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown';
  return { version };
}

const dir = mkdtempSync(join(tmpdir(), 'omnigen-bench-wrk-'));
let files = 0;

/**
 * A scenario: { server, method = 'GET', paths: string[], tokens?: string[], body? }. With several paths or
 * tokens, request i uses paths[i % paths.length] and tokens[i % tokens.length] (a user's token with its job).
 */
function requestLines({ method = 'GET', paths, tokens = [] }) {
  const count = Math.max(paths.length, tokens.length);
  const lines = [];
  for (let i = 0; i < count; i++) lines.push(`${method} ${paths[i % paths.length]} ${tokens.length ? tokens[i % tokens.length] : '-'}`);
  return lines;
}

/** @param opts { seconds, connections } */
export async function measure(scenario, { seconds, connections }) {
  const { server } = scenario;
  const cpuBefore = server.cpuSeconds();
  const t0 = performance.now();
  const r = WRK ? await runWrk(scenario, seconds, connections) : await runAutocannon(scenario, seconds, connections);
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = server.cpuSeconds() - cpuBefore;
  const serverCpuShare = cpu / Math.max(r.duration, wallSeconds);
  return {
    rps: r.requests / r.duration,
    requests: r.requests,
    // The server's CPU time per request: unlike req/s, it hardly moves when other processes share the core.
    cpuUs: (cpu * 1e6) / r.requests,
    serverCpuShare,
    generatorCpuShare: r.generatorCpuShare,
    // Who set the ceiling: the server when it used its core; otherwise the generator when it used its
    // own, or else other processes on the machine (contention).
    bound: serverCpuShare >= SATURATED ? 'server' : (r.generatorCpuShare ?? 0) >= SATURATED ? 'generator' : 'contention',
    p50: r.p50,
    p97_5: r.p97_5,
    p99: r.p99,
    rssMB: server.rssMB(),
    failed: r.failed,
  };
}

function runWrk(scenario, seconds, connections) {
  const file = join(dir, `requests-${files++}.txt`);
  writeFileSync(file, `${requestLines(scenario).join('\n')}\n`);
  const args = ['-t1', `-c${connections}`, `-d${Math.max(1, Math.round(seconds))}s`, '--timeout', '10s', '-s', WRK_SCRIPT, scenario.server.url];
  const child = spawn('wrk', args, { env: { ...process.env, WRK_REQUESTS: file, WRK_BODY: scenario.body ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  // wrk's own CPU, sampled while it runs (its /proc entry is gone once it exits).
  const start = cpuSeconds(child.pid);
  let last = start;
  const t0 = performance.now();
  let lastAt = t0;
  const sampler = setInterval(() => {
    const now = cpuSeconds(child.pid);
    if (Number.isFinite(now)) {
      last = now;
      lastAt = performance.now();
    }
  }, 200);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(sampler);
      const line = /WRK_RESULT (\{.*\})/.exec(out)?.[1];
      if (code !== 0 || !line) return reject(new Error(`wrk exited with ${code}:\n${out}`));
      const w = JSON.parse(line);
      const ms = (us) => us / 1000;
      resolve({
        requests: w.requests,
        duration: w.durationUs / 1e6,
        generatorCpuShare: lastAt > t0 ? (last - start) / ((lastAt - t0) / 1000) : undefined,
        p50: ms(w.p50),
        p97_5: ms(w.p97_5),
        p99: ms(w.p99),
        failed: w.non2xx + w.connect + w.read + w.write + w.timeout,
      });
    });
  });
}

async function runAutocannon(scenario, seconds, connections) {
  const { server, method = 'GET', paths, tokens = [], body } = scenario;
  const headersOf = (token) => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
  });
  const count = Math.max(paths.length, tokens.length);
  const cpu0 = process.cpuUsage();
  const result = await autocannon({
    url: `${server.url}${paths[0]}`,
    method,
    headers: headersOf(tokens[0]),
    body,
    connections,
    duration: seconds,
    ...(count > 1 ? { requests: Array.from({ length: count }, (_, i) => ({ method, path: paths[i % paths.length], headers: headersOf(tokens[i % tokens.length]), body })) } : {}),
  });
  const used = process.cpuUsage(cpu0);
  return {
    requests: result.requests.total,
    duration: result.duration,
    generatorCpuShare: (used.user + used.system) / 1e6 / result.duration,
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}
