// The repository's own workflow as the template deploys it: each function's Environment.Variables hold
// exactly what its code's configuration reads (src/lambda-config.ts's LAMBDA_ENV: every required variable,
// nothing it does not read), its MemorySize and Timeout are lambdas.json's, and a chosen video model
// reaches the function that picks models. Needs the bundles: `npm run build:lambda` in the repository root.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LAMBDA_ENV, LAMBDA_RUNTIME_ENV, type LambdaFunction } from '../../src/lambda-config.ts';
import { REPO_ROOT } from '../lib/omnigen-stack.ts';
import { readLambdaEntries } from '../lib/workflow.ts';
import { props, resources, synth } from './helpers.ts';

const workflowDir = join(REPO_ROOT, 'workflow');
const entries = readLambdaEntries(join(workflowDir, 'lambdas.json'));
const bundles = entries.every((e) => existsSync(join(REPO_ROOT, 'dist/lambda', `${e.entry}.mjs`)));
const skip = bundles ? false : 'dist/lambda/*.mjs missing: run `npm run build:lambda` in the repository root first';
// Set by the stack for every function, read by Node itself rather than by our configuration.
const PLATFORM = ['NODE_OPTIONS'];

function functionsOf(context: Record<string, unknown> = {}) {
  const { template } = synth({ workflowDir, context });
  return entries.map((entry) => {
    const found = resources(template, 'AWS::Lambda::Function').map(([, f]) => props(f)).find((f) => f.Handler === `${entry.entry}.handler`);
    assert.ok(found, `${entry.id} is in the template`);
    return { entry, fn: found, env: (found.Environment as { Variables: Record<string, unknown> }).Variables };
  });
}

describe("the repository's own functions, as synthesised", { skip }, () => {
  const deployed = bundles ? functionsOf() : [];

  test('each function is given every variable its configuration requires', () => {
    for (const { entry, env } of deployed) {
      const spec = LAMBDA_ENV[entry.entry as LambdaFunction];
      assert.ok(spec, `${entry.entry} has a configuration section in src/lambda-config.ts`);
      const runtime: readonly string[] = LAMBDA_RUNTIME_ENV;
      for (const name of spec.required.filter((n) => !runtime.includes(n))) assert.ok(name in env, `${entry.id} is deployed without ${name}, which its configuration requires`);
    }
  });

  test('each function is given nothing its configuration does not read', () => {
    for (const { entry, env } of deployed) {
      const spec = LAMBDA_ENV[entry.entry as LambdaFunction];
      const read = new Set([...spec.required, ...spec.optional, ...PLATFORM]);
      assert.deepEqual(Object.keys(env).filter((name) => !read.has(name)), [], `${entry.id}'s variables that its code never reads`);
    }
  });

  test('MemorySize and Timeout are what workflow/lambdas.json asks for', () => {
    for (const { entry, fn } of deployed) {
      assert.equal(fn.MemorySize, entry.memoryMb ?? 512, `${entry.id} MemorySize`);
      assert.equal(fn.Timeout, entry.timeoutSeconds ?? 60, `${entry.id} Timeout`);
    }
    assert.ok(entries.every((e) => e.memoryMb !== undefined), 'every entry names its memory (memoryMb)');
  });

  test('video models chosen by context reach the functions that read the catalogue (StartGeneration, StoreVideo) only', () => {
    const version = 'b'.repeat(64);
    assert.deepEqual(entries.filter((e) => LAMBDA_ENV[e.entry as LambdaFunction].optional.includes('VIDEO_MODEL_MUSIC_VIDEO')).map((e) => e.id), ['StartGeneration', 'StoreVideo']);
    // Catalogue models: the functions refuse an unlisted one when they start (a pinned version of a listed one is fine).
    const chosen = functionsOf({ videoModelMusicVideo: 'minimax/hailuo-02', videoModelAdCreative: `bytedance/seedance-1-lite:${version}` });
    for (const { entry, env } of chosen) {
      if (LAMBDA_ENV[entry.entry as LambdaFunction].optional.includes('VIDEO_MODEL_MUSIC_VIDEO')) {
        assert.equal(env.VIDEO_MODEL_MUSIC_VIDEO, 'minimax/hailuo-02');
        assert.equal(env.VIDEO_MODEL_AD_CREATIVE, `bytedance/seedance-1-lite:${version}`);
      } else {
        assert.ok(!('VIDEO_MODEL_MUSIC_VIDEO' in env) && !('VIDEO_MODEL_AD_CREATIVE' in env), `${entry.id} picks no model`);
      }
    }
    assert.throws(() => synth({ workflowDir, context: { videoModelAdCreative: 'https://replicate.com/x' } }), /context videoModelAdCreative: expected owner\/name/);
  });

  test('an operator catalogue (context videoModelsFile) reaches the functions that read it, checked and minified', () => {
    const file = join(REPO_ROOT, 'src/catalogue/models.json');
    for (const { entry, env } of functionsOf({ videoModelsFile: file })) {
      if (LAMBDA_ENV[entry.entry as LambdaFunction].optional.includes('VIDEO_MODELS_JSON')) {
        const catalogue = JSON.parse(String(env.VIDEO_MODELS_JSON ?? '{}')) as { models: { id: string; sources?: unknown }[] };
        assert.deepEqual(catalogue.models.map((m) => m.id), ['kwaivgi/kling-v2.5-turbo-pro', 'minimax/hailuo-02', 'bytedance/seedance-1-lite']);
        assert.ok(catalogue.models.every((m) => m.sources === undefined), 'sources stay in the repository');
      } else {
        assert.ok(!('VIDEO_MODELS_JSON' in env), `${entry.id} reads no catalogue`);
      }
    }
    assert.throws(() => synth({ workflowDir, context: { videoModelsFile: join(REPO_ROOT, 'package.json') } }), /context videoModelsFile/);
  });
});
