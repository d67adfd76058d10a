// CPU profile of the service under one scenario's load: node --cpu-prof on CPU 0, wrk (or autocannon) on CPU 1.
// Prints the functions with the most self time and writes the .cpuprofile (open it in Chrome DevTools).
//
//   node bench/profile.mjs [get-one|get-rotate|post|list-big|startup] [seconds]
// BENCH_SCRIPT=dist/server.mjs profiles the bundle instead of dist/main.js.
// (run `npm run build` first)
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJob, devToken, devTokens, JOB_BODY, pool, seedJobs } from './lib/api.mjs';
import { measure } from './lib/load.mjs';
import { serviceEnv, startServer } from './lib/servers.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const scenario = process.argv[2] ?? 'get-one';
const seconds = Number(process.argv[3] ?? 8);
const dir = join(tmpdir(), 'omnigen-bench-profiles', `${scenario}-${Date.now()}`);
mkdirSync(dir, { recursive: true });

const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
const script = process.env.BENCH_SCRIPT ?? join(ROOT, 'dist/main.js');
const server = await startServer({ name: 'service', script, env: serviceEnv(), nodeArgs });
let requests = 0;
try {
  if (scenario !== 'startup') {
    const token = await devToken(server, 'profile-one');
    let load;
    if (scenario === 'get-one') load = { server, paths: [`/api/v1/jobs/${await createJob(server, token)}`], tokens: [token] };
    if (scenario === 'get-rotate') {
      const tokens = await devTokens(server, 'profile-rot-', 0, 1000);
      const jobs = await pool(tokens.length, 16, (i) => createJob(server, tokens[i]));
      load = { server, paths: jobs.map((j) => `/api/v1/jobs/${j}`), tokens };
    }
    if (scenario === 'post') load = { server, paths: ['/api/v1/jobs'], method: 'POST', tokens: [token], body: JOB_BODY };
    if (scenario === 'list-big') {
      await seedJobs(server, token, 100_000);
      load = { server, paths: ['/api/v1/jobs?limit=20'], tokens: [token] };
    }
    if (!load) throw new Error(`unknown scenario ${scenario}`);
    const r = await measure(load, { seconds, connections: 50 });
    requests = r.requests;
    console.log(`${scenario}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, failed ${r.failed}`);
  }
} finally {
  await server.stop();
}

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(join(dir, file), 'utf8'));
const byId = new Map(nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const where = (f) => f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
const nameOf = (f) => `${f.functionName || '(anonymous)'} ${where(f)}:${f.lineNumber + 1}`;
const packageOf = (f) => {
  const url = where(f);
  if (url.startsWith('dist/')) return url;
  if (url.startsWith('node:') || url === '') return f.functionName.startsWith('(') ? f.functionName : 'node internals / native';
  return url.startsWith('@') ? url.split('/').slice(0, 2).join('/') : url.split('/')[0];
};
const self = new Map();
const pkg = new Map();
const inclusive = new Map();
let total = 0;
const add = (map, key, v) => map.set(key, (map.get(key) ?? 0) + v);
samples.forEach((id, i) => {
  const dt = timeDeltas[i];
  const { callFrame: f } = byId.get(id);
  add(self, nameOf(f), dt);
  add(pkg, packageOf(f), dt);
  total += dt;
  const seen = new Set();
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const key = nameOf(byId.get(n).callFrame);
    if (!seen.has(key)) {
      add(inclusive, key, dt);
      seen.add(key);
    }
  }
});
// With a load, each line also gives µs of CPU per request (the profile's samples include the load's
// setup, a small share at 8 s of load).
const perRequest = (us) => (requests ? `${(us / requests).toFixed(2).padStart(7)} µs/req  ` : '');
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${perRequest(us)}${k}`).join('\n');
const idle = pkg.get('(idle)') ?? 0;
console.log(`profile: ${join(dir, file)}`);
if (requests) console.log(`busy CPU (all samples but idle): ${((total - idle) / requests).toFixed(1)} µs per request over ${requests} requests`);
console.log(`\nself time by package or file:\n${top(pkg, 25)}`);
console.log(`\nself time, top 30 functions:\n${top(self, 30)}`);
console.log(`\ninclusive time, top 40 functions:\n${top(inclusive, 40)}`);
