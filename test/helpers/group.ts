// Runs several test files one after another in one process: the whole-suite run's groups (test/groups/).
//
// Each test file is its own process when named (`npx tap test/http/jobs.test.ts`, `npx tap test/http`), and
// stays written that way: top-level tests on tap's root `t`. A whole-suite run (`npm test`) starts one
// process per group instead: a test process costs about 1.5 to 2.5 s of CPU before its first test (tap
// itself, coverage, and loading Fastify, TypeBox, Ajv and the rest of src/ again), which was a third of the
// suite's CPU time. The files that run whole stacks, browsers or images stay processes of their own.
//
// The files run in turn, as they would in processes of their own. Each file is imported inside a test
// named after it, queued on tap's root behind the previous file's tests: so a file's top-level code runs
// once the file before it has ended, and the root is never idle in between (tap ends an idle root that has
// a teardown, which would close the servers a file is still starting). Before each file, the environment
// variables are put back as they were (a file that points the AWS SDK at its stand-ins, or starts its
// children unmeasured, does so for itself alone). A file's top-level `t.teardown` runs when the group ends.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Each group (a file test/groups/<name>.ts) and its test files or folders of test files. */
export const groups: Record<string, string[]> = {
  units: ['test', 'test/domain', 'test/application', 'test/helpers', 'test/docs'],
  http: ['test/http'],
  auth: ['test/auth'],
  contract: ['test/contract'],
  security: ['test/security'],
  media: ['test/uploads', 'test/media'],
  local: ['test/local'],
  webhooks: ['test/webhooks'],
  aws: ['test/aws'],
  adapters: ['test/lambda', 'test/replicate', 'test/observability', 'test/workflow', 'test/faults'],
  stores: ['test/sqlite', 'test/rate-limit'],
  concurrency: ['test/concurrency'],
  cli: ['test/client/cli.test.ts', 'test/client/cli-login.test.ts'],
  'client-package': ['test/client/cli-paths.test.ts', 'test/client/readme.test.ts', 'test/client/package-pack.test.ts', 'test/client/package-boundary.test.ts'],
  client: ['test/client/client-edges.test.ts', 'test/client/client-faults.test.ts', 'test/client/client-local.test.ts', 'test/client/client-scripted.test.ts',
    'test/client/client-webhooks.test.ts', 'test/client/event-stream.test.ts', 'test/client/retry.test.ts', 'test/client/verify-webhook.test.ts'],
  'e2e-processes': ['test/e2e/npm-start.test.ts', 'test/e2e/process.test.ts', 'test/e2e/restart.test.ts', 'test/e2e/local-data-failures.test.ts'],
  e2e: ['test/e2e/aws-mode.test.ts', 'test/e2e/local-mode.test.ts', 'test/e2e/local-store.test.ts', 'test/e2e/logs.test.ts', 'test/e2e/shared-rate-limit.test.ts'],
};

/** Test files, and the test files of folders (each relative to the project root, in name order). */
export function groupFiles(entries: string[]): string[] {
  return entries.flatMap((entry) => entry.endsWith('.test.ts') ? [entry]
    : readdirSync(join(root, entry)).filter((name) => name.endsWith('.test.ts')).sort().map((name) => join(entry, name)));
}

/** Runs the group named by the calling file (test/groups/<name>.ts); `timeoutMs` guards the whole group. */
export async function runGroup(groupUrl: string, timeoutMs = 300_000): Promise<void> {
  const name = basename(fileURLToPath(groupUrl), '.ts');
  const entries = groups[name];
  if (!entries) throw new Error(`no group named ${name} in test/helpers/group.ts`);
  t.setTimeout(timeoutMs);
  const env = { ...process.env };
  for (const file of groupFiles(entries)) {
    await t.test(file, async () => {
      for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
      Object.assign(process.env, env);
      // A file that skips itself with the root's plan (`t.plan(0, reason)`, fine in a process of its own)
      // would set the plan of the whole group and fail it: in a group, a file skips with a skipped test.
      // (Only while the file loads: tap sets the root's plan itself when it ends.)
      const plan = t.plan;
      t.plan = () => {
        throw new Error(`${file} sets the root's plan, which a grouped file cannot do; skip with t.test(name, { skip: reason }, ...) (test/helpers/group.ts)`);
      };
      try {
        await import(pathToFileURL(join(root, file)).href);
      } finally {
        t.plan = plan;
      }
    });
  }
}
