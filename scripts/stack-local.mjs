#!/usr/bin/env node
// `npm run stack:local`: the synthesised CDK stack, whole, on this machine (scripts/stack-local/stack.ts):
// synthesises infra/ when its template is missing or stale, brings up every stand-in the template calls for
// with IAM enforced, runs the API task behind a load balancer on PORT (default: the container port, 8080),
// prints how to use it, and stops everything on Ctrl-C. See docs/aws-local.md.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cache = join(root, 'node_modules/.cache/omnigen-stack-local');
const say = (line) => console.log(`stack-local: ${line}`);

const compiled = await new Promise((resolve) => spawn(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'scripts/tsconfig.stack-local.json'], { cwd: root, stdio: 'inherit' }).once('exit', resolve));
if (compiled !== 0) {
  console.error('stack-local: compiling the stack runner failed (see above)');
  process.exit(1);
}
// The compiled runner sits under node_modules/, outside this package's "type": "module" scope.
writeFileSync(join(cache, 'package.json'), '{ "type": "module" }\n');
// The cache's stand-in is Debian's redis-server: the machine's, or its packages unpacked into node_modules/.cache.
const { ensureRedis } = await import('./debian-redis.ts');
ensureRedis(root, say);
const { startStack } = await import(pathToFileURL(join(cache, 'scripts/stack-local/stack.js')).href);

const port = Number(process.env.PORT || 8080);
let stack;
try {
  stack = await startStack({
    root, port, say, replicateToken: process.env.REPLICATE_API_TOKEN || undefined,
    onLog: (source, line) => console.log(`${source.padEnd(15)} ${line}`),
  });
} catch (err) {
  const inUse = err?.code === 'EADDRINUSE';
  console.error(`stack-local: ${inUse ? `port ${port} is in use; set PORT to another one` : err?.stack ?? err}`);
  process.exit(1);
}

const { apiUrl, apiEnv, idp } = stack;
console.log(`
# The stack is up: the API at ${apiUrl} (behind a load balancer stand-in), from ${stack.template.stackName}'s template.
# Provider: ${stack.replicate ? `the Replicate stand-in (${stack.replicate.baseUrl}); REPLICATE_API_TOKEN=… uses the real one` : 'the real Replicate API'}.
# Get an access token from the Cognito stand-in (the user pool's client ${apiEnv.COGNITO_CLIENT_ID}), for any user name:
TOKEN=$(curl -s ${idp.url}/oauth2/token -d grant_type=password -d client_id=${apiEnv.COGNITO_CLIENT_ID} -d username=alice \\
  | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
curl -s ${apiUrl}/api/v1/jobs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
  -d '{"prompt": "A neon city at night, synthwave", "category": "music-video"}'
# or sign in through the API: ${apiUrl}/api/v1/auth/login — API docs: ${apiUrl}/api/v1/docs — Ctrl-C stops everything.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    stack.stop().then(() => process.exit(0), (err) => (console.error(err), process.exit(1)));
  });
}
