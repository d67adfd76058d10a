import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { lambdas } from '../helpers/state-machine.ts';
import { startChildrenUnmeasured } from '../helpers/unmeasured.ts';

// The build script (esbuild) is tooling: its processes run unmeasured (helpers/unmeasured.ts).
startChildrenUnmeasured();

// `npm run build:lambda` as the CDK app uses it: one self-contained ESM file per manifest entry, whose
// errors keep their names (Step Functions' Retry and Catch match on them; a minifier could rename classes).
t.test('every manifest entry bundles to <entry>.mjs exporting handler; error names survive', async (t) => {
  const outdir = t.testdir();
  await promisify(execFile)(process.execPath, ['scripts/build-lambda.mjs', '--outdir', outdir]);
  const saved = { ...process.env };
  t.teardown(() => void (process.env = saved));
  Object.assign(process.env, { AWS_REGION: 'us-east-1', JOB_TABLE: 't', USAGE_TABLE: 'u', ASSETS_BUCKET: 'b', PROVIDER_SECRET_ARN: 'arn:s', LOG_LEVEL: 'silent' });
  for (const { entry } of lambdas) {
    const mod = (await import(pathToFileURL(path.join(outdir, `${entry}.mjs`)).href)) as { handler?: (event: unknown) => Promise<unknown> };
    t.type(mod.handler, 'function', entry);
    await t.rejects(mod.handler?.({}) ?? Promise.resolve(), { name: 'InvalidEvent', message: 'event has no "jobId"' }, `${entry}: a bad event is InvalidEvent`);
  }
  // The webhook delivery function, read by the SQS event source mapping (not a workflow step).
  const delivery = (await import(pathToFileURL(path.join(outdir, 'deliver-webhooks.mjs')).href)) as { handler?: (event: unknown) => Promise<unknown> };
  await t.rejects(delivery.handler?.({ jobId: 'x' }) ?? Promise.resolve(), { name: 'InvalidEvent', message: 'not an SQS event (Records with messageId and body)' });
});

t.test('the StoreVideo step gets the npm package ffmpeg beside its bundle, executable, and runs on x86_64', async (t) => {
  const outdir = t.testdir();
  await promisify(execFile)(process.execPath, ['scripts/build-lambda.mjs', '--outdir', outdir]);
  const store = lambdas.find((l) => l.entry === 'store-video') as (typeof lambdas)[number] & { files?: string[]; architecture?: string };
  t.same(store.files, ['ffmpeg']);
  t.equal(store.architecture, 'x86_64', '@ffmpeg-installer/linux-x64 is an x86-64 binary');
  const binary = path.join(outdir, 'ffmpeg');
  await access(binary, constants.X_OK);
  t.ok((await stat(binary)).size > 1_000_000, 'the whole static build, not a stub');
});
