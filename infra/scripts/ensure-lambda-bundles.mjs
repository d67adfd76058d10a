// Before synth/deploy: the webhook delivery function's bundle and, when the repository defines workflow
// steps (workflow/lambdas.json), theirs: dist/lambda/<entry>.mjs must exist. Builds them with the root's
// `npm run build:lambda` when missing, and fails with a clear message when that cannot be done. Without
// workflow/lambdas.json the stack uses its placeholder state machine.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const manifest = `${root}workflow/lambdas.json`;
if (!existsSync(manifest)) console.log('infra: no workflow/lambdas.json: the stack gets the placeholder state machine');
// The delivery function is not a workflow step (src/lambda-config.ts DELIVERY_FUNCTION).
const entries = () => [...(existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).map((e) => e.entry) : []), 'deliver-webhooks'];
const missing = () => entries().map((entry) => `${root}dist/lambda/${entry}.mjs`).filter((f) => !existsSync(f));
if (missing().length === 0) process.exit(0);
if (!existsSync(`${root}node_modules`)) {
  console.error(`infra: ${missing().join(', ')} missing, and the repository root has no node_modules: run \`npm ci && npm run build:lambda\` there first`);
  process.exit(1);
}
console.log('infra: building the Lambdas (npm run build:lambda in the repository root)');
const build = spawnSync('npm', ['run', 'build:lambda'], { cwd: root, stdio: 'inherit' });
const still = missing();
if (build.status !== 0 || still.length > 0) {
  console.error(`infra: could not build the Lambda bundles (${still.join(', ') || `exit ${build.status}`}): see \`npm run build:lambda\` in the repository root`);
  process.exit(1);
}
