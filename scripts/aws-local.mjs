#!/usr/bin/env node
// `npm run aws:local`: the API in aws mode against local stand-ins, in one command. Builds dist/ (as
// `npm start` does) and the stand-ins (into node_modules/.cache), starts dynalite, s3rver, the fake Step
// Functions and the Cognito stand-in on free loopback ports, creates the tables and bucket with the code
// `npm run aws:create-resources` runs, prints the environment, then runs `node dist/main.js` with it.
// Ctrl-C stops the API (gracefully) and every stand-in. See docs/aws-local.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, 'node_modules/.cache/omnigen-aws-local');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const say = (line) => console.log(`aws-local: ${line}`);

function run(args) {
  return new Promise((resolve) => spawn(process.execPath, args, { cwd: root, stdio: 'inherit' }).once('exit', (code) => resolve(code)));
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const port = Number(process.env.PORT || 8080);
if (!(await portIsFree(port))) {
  console.error(`aws-local: port ${port} is in use; set PORT to another one`);
  process.exit(1);
}

say('building dist/ and the stand-ins …');
const built = await Promise.all([run([tsc, '-p', 'tsconfig.build.json']), run([tsc, '-p', 'scripts/tsconfig.aws-local.json'])]);
if (built.some((code) => code !== 0)) {
  console.error('aws-local: the build failed (see above)');
  process.exit(1);
}
// The compiled stand-ins sit under node_modules/, outside this package's "type": "module" scope.
writeFileSync(join(cache, 'package.json'), '{ "type": "module" }\n');
const { startAwsStandIns } = await import(pathToFileURL(join(cache, 'test/helpers/aws-stand-ins.js')).href);

// Executions finish on their own after this long, with the sample video, as the local workflow does.
const workflowMs = Number(process.env.LOCAL_WORKFLOW_DURATION_MS || 8000);
const stands = await startAwsStandIns({
  apiPort: port, autoComplete: { afterMs: workflowMs, videoFile: join(root, 'assets/sample.mp4') }, say: (line) => say(line),
});

const { env, apiUrl, idp } = stands;
console.log('\n# The environment the API runs with (copy it to run `node dist/main.js` yourself):');
for (const [name, value] of Object.entries(env)) console.log(`export ${name}=${value}`);
console.log(`
# Executions succeed ${workflowMs} ms after they start (LOCAL_WORKFLOW_DURATION_MS), with assets/sample.mp4.
# There is no dev token in aws mode. Get an access token from the Cognito stand-in, for any user name:
TOKEN=$(curl -s ${idp.url}/oauth2/token -d grant_type=password -d client_id=${env.COGNITO_CLIENT_ID} -d username=alice \\
  | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
# or walk the real login flow (login → the stand-in's /oauth2/authorize → callback → JSON tokens for user "demo"):
curl -s -L -c /tmp/omnigen-cookies -b /tmp/omnigen-cookies ${apiUrl}/api/v1/auth/login
# then:
curl -s ${apiUrl}/api/v1/jobs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
  -d '{"prompt": "A neon city at night, synthwave", "category": "music-video"}'
# API docs: ${apiUrl}/api/v1/docs — Ctrl-C stops everything.
`);

// Whatever else is set (LOG_LEVEL, QUOTA_PER_MONTH, …) passes through; AWS settings come only from the stand-ins.
const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !(name in env)));
// One secret for the run, so nothing warns that login cookies and cursors only work on this task.
const secret = process.env.APP_SECRET || randomBytes(32).toString('base64url');
const api = spawn(process.execPath, [join(root, 'dist/main.js')], { cwd: root, env: { ...inherited, ...env, APP_SECRET: secret }, stdio: 'inherit' });

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await stands.stop();
  say('stand-ins stopped');
  process.exit(code);
}
api.once('exit', (code, signal) => void stop(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) {
  // Ctrl-C reaches the API too (same process group); SIGTERM is sent for the case where only this process got it.
  process.on(signal, () => {
    if (api.exitCode === null) api.kill('SIGTERM');
  });
}
