// A/B of two builds under one authenticated GET: both servers on CPU 0, rounds alternating, the
// server's CPU time per request compared (steadier than req/s on a shared machine).
//
//   node bench/ab.mjs <distA> <distB> [rounds=5] [seconds=5]
import { join, resolve } from 'node:path';
import { createJob, devToken, devTokens, pool } from './lib/api.mjs';
import { measure } from './lib/load.mjs';
import { serviceEnv, startServer } from './lib/servers.mjs';
import { summary } from './lib/stats.mjs';

const [a, b] = process.argv.slice(2, 4).map((d) => resolve(d));
const rounds = Number(process.argv[4] ?? 5);
const seconds = Number(process.argv[5] ?? 5);
const auth = (t) => ({ authorization: `Bearer ${t}` });

const sides = [];
for (const [name, dist] of [['A', a], ['B', b]]) {
  const server = await startServer({ name, script: join(dist, 'main.js'), env: serviceEnv() });
  const token = await devToken(server, 'ab-one');
  const one = { server, path: `/api/v1/jobs/${await createJob(server, token)}`, headers: auth(token) };
  const tokens = await devTokens(server, 'ab-rot-', 0, 1000);
  const jobs = await pool(tokens.length, 16, (i) => createJob(server, tokens[i]));
  const rotate = { server, requests: tokens.map((t, i) => ({ method: 'GET', path: `/api/v1/jobs/${jobs[i]}`, headers: auth(t) })) };
  sides.push({ name, dist, server, scenarios: { 'get-one': one, 'get-rotate': rotate }, runs: { 'get-one': [], 'get-rotate': [] } });
}
try {
  for (const side of sides) for (const s of Object.values(side.scenarios)) await measure(s, { seconds: 2, connections: 50 });
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 ? [...sides].reverse() : sides) {
      for (const [name, s] of Object.entries(side.scenarios)) side.runs[name].push(await measure(s, { seconds, connections: 50 }));
    }
  }
} finally {
  await Promise.all(sides.map((s) => s.server.stop()));
}
for (const scenario of ['get-one', 'get-rotate']) {
  const [A, B] = sides.map((s) => summary(s.runs[scenario].map((x) => x.cpuUs)));
  const [ra, rb] = sides.map((s) => summary(s.runs[scenario].map((x) => x.rps)));
  console.log(`${scenario}: CPU µs/req A ${A.median.toFixed(0)} (${A.min.toFixed(0)}–${A.max.toFixed(0)}), B ${B.median.toFixed(0)} (${B.min.toFixed(0)}–${B.max.toFixed(0)}), B/A ${(B.median / A.median).toFixed(3)}; req/s A ${ra.median.toFixed(0)}, B ${rb.median.toFixed(0)}`);
}
console.log(`A = ${a}\nB = ${b}`);
