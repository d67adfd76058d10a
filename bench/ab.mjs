// A/B (/C/…) of builds under the authenticated GET (one user, and 1,000 users' tokens in rotation): all
// servers on CPU 0, rounds alternating their order, the server's CPU time per request compared
// (steadier than req/s on a shared machine). Each argument is a build directory (its main.js runs) or
// a script (e.g. dist/server.mjs).
//
//   node bench/ab.mjs <buildA> <buildB> [<buildC> …] [--rounds=4] [--seconds=4] [--post]
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createJob, devToken, devTokens, JOB_BODY, pool } from './lib/api.mjs';
import { GENERATOR, measure } from './lib/load.mjs';
import { serviceEnv, startServer } from './lib/servers.mjs';
import { summary } from './lib/stats.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const builds = argv.filter((a) => !a.startsWith('--')).map((d) => resolve(d));
const rounds = option('rounds', 4);
const seconds = option('seconds', 4);
const names = builds.map((_, i) => String.fromCharCode(65 + i));

const sides = [];
for (const [i, build] of builds.entries()) {
  const script = statSync(build).isDirectory() ? join(build, 'main.js') : build;
  const server = await startServer({ name: names[i], script, env: serviceEnv() });
  const token = await devToken(server, 'ab-one');
  const scenarios = { 'get-one': { server, paths: [`/api/v1/jobs/${await createJob(server, token)}`], tokens: [token] } };
  const tokens = await devTokens(server, 'ab-rot-', 0, 1000);
  const jobs = await pool(tokens.length, 16, (k) => createJob(server, tokens[k]));
  scenarios['get-rotate'] = { server, paths: jobs.map((j) => `/api/v1/jobs/${j}`), tokens };
  if (argv.includes('--post')) scenarios.post = { server, method: 'POST', paths: ['/api/v1/jobs'], tokens: [token], body: JOB_BODY };
  sides.push({ name: names[i], script, server, scenarios, runs: Object.fromEntries(Object.keys(scenarios).map((k) => [k, []])) });
}
try {
  for (const side of sides) for (const s of Object.values(side.scenarios)) await measure(s, { seconds: 1, connections: 50 });
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 ? [...sides].reverse() : sides) {
      for (const [name, s] of Object.entries(side.scenarios)) side.runs[name].push(await measure(s, { seconds, connections: 50 }));
    }
  }
} finally {
  await Promise.all(sides.map((s) => s.server.stop()));
}
console.log(`generator: ${GENERATOR}; ${rounds} rounds of ${seconds} s`);
for (const scenario of Object.keys(sides[0].runs)) {
  const cpu = sides.map((s) => summary(s.runs[scenario].map((x) => x.cpuUs)));
  const rps = sides.map((s) => summary(s.runs[scenario].map((x) => x.rps)));
  const cells = sides.map((s, i) => `${s.name} ${cpu[i].median.toFixed(1)} (${cpu[i].min.toFixed(0)}–${cpu[i].max.toFixed(0)}) µs${i ? ` [${((cpu[i].median / cpu[0].median - 1) * 100).toFixed(1)} %]` : ''}, ${rps[i].median.toFixed(0)} req/s`);
  console.log(`${scenario}: ${cells.join(' | ')}`);
}
for (const s of sides) console.log(`${s.name} = ${s.script}`);
