// Before synth/deploy: when the repository defines workflow steps (workflow/lambdas.json), their
// bundles dist/lambda/<entry>.mjs must exist. Builds them with the root's `npm run build:lambda` when
// missing, and fails with a clear message when that cannot be done. Without workflow/lambdas.json the
// stack uses its placeholder state machine and nothing is needed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const manifest = `${root}workflow/lambdas.json`;
if (!existsSync(manifest)) {
  console.log('infra: no workflow/lambdas.json: the stack gets the placeholder state machine');
  process.exit(0);
}
const missing = () => JSON.parse(readFileSync(manifest, 'utf8')).map((e) => `${root}dist/lambda/${e.entry}.mjs`).filter((f) => !existsSync(f));
if (missing().length === 0) process.exit(0);
if (!existsSync(`${root}node_modules`)) {
  console.error(`infra: ${missing().join(', ')} missing, and the repository root has no node_modules: run \`npm ci && npm run build:lambda\` there first`);
  process.exit(1);
}
console.log('infra: building the workflow Lambdas (npm run build:lambda in the repository root)');
const build = spawnSync('npm', ['run', 'build:lambda'], { cwd: root, stdio: 'inherit' });
const still = missing();
if (build.status !== 0 || still.length > 0) {
  console.error(`infra: could not build the Lambda bundles (${still.join(', ') || `exit ${build.status}`}): see \`npm run build:lambda\` in the repository root`);
  process.exit(1);
}
