// Runs the repository's own state machine (workflow/state-machine.asl.json) in-process with
// aws-local-stepfunctions: each Lambda Task is bound to the project's handler for it (workflow/lambdas.json),
// waits and retry intervals are shortened. Used by the workflow tests and by the Step Functions fake.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { WorkflowSteps } from '../../src/application/workflow-steps.ts';
import { createHandler as failJob } from '../../src/adapters/lambda/fail-job.ts';
import { createHandler as pollGeneration } from '../../src/adapters/lambda/poll-generation.ts';
import { createHandler as startGeneration } from '../../src/adapters/lambda/start-generation.ts';
import { createHandler as storeVideo } from '../../src/adapters/lambda/store-video.ts';

export interface LambdaEntry {
  id: string;
  entry: string;
  substitution: string;
  timeoutSeconds: number;
  needs: string[];
}

/** The repository root: above this file, wherever it is run from. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'workflow/state-machine.asl.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no workflow/state-machine.asl.json above ${from}`);
  }
}

const root = findRoot(import.meta.dirname);
export const definitionText = readFileSync(path.join(root, 'workflow/state-machine.asl.json'), 'utf8');
export const lambdas = JSON.parse(readFileSync(path.join(root, 'workflow/lambdas.json'), 'utf8')) as LambdaEntry[];

/** The definition with each ${…FunctionArn} replaced, as CloudFormation's DefinitionSubstitutions would. */
export function definition(): Record<string, unknown> {
  const text = definitionText.replace(/\$\{(\w+)\}/g, (_, name: string) => `arn:aws:lambda:us-east-1:123456789012:function:omnigen-${name.replace(/FunctionArn$/, '')}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const factories: Record<string, (steps: () => WorkflowSteps) => (event: unknown) => Promise<unknown>> = {
  'start-generation': startGeneration,
  'poll-generation': pollGeneration,
  'store-video': storeVideo,
  'fail-job': failJob,
};

export interface RunOptions {
  /** Milliseconds each Wait state lasts (10 s in the definition). */
  waitMs?: number;
}

/** How an execution ended, in DescribeExecution's terms. */
export type Outcome = { status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED'; error: string } | { status: 'TIMED_OUT' } | { status: 'ABORTED' };

// One machine for every execution: validating the definition (asl-validator's JSON schemas, compiled by
// ajv) costs more than a run, and a StateMachine runs any number of executions, each with its own overrides.
let machine: StateMachine | undefined;

/** Starts an execution whose Lambda tasks run the project's handlers over `steps`. */
export function runWorkflow(input: Record<string, unknown>, steps: WorkflowSteps, options: RunOptions = {}): { abort(): void; outcome: Promise<Outcome> } {
  const handlers = Object.fromEntries(
    lambdas.map(({ id, entry }) => {
      const factory = factories[entry];
      if (!factory) throw new Error(`workflow/lambdas.json names an unknown entry "${entry}"`);
      const handler = factory(() => steps);
      // The lambda:invoke integration passes { FunctionName, Payload } and its result is { Payload, … }.
      return [id, async (task: unknown) => ({ Payload: await handler((task as { Payload: unknown }).Payload), StatusCode: 200 })];
    }),
  );
  const retries = Object.fromEntries(lambdas.map(({ id }) => [id, 0]));
  machine ??= new StateMachine(definition() as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: { WaitForGeneration: options.waitMs ?? 5 }, retryIntervalOverrides: retries },
  });
  const outcome = run.result.then(
    (output): Outcome => ({ status: 'SUCCEEDED', output }),
    (err: unknown): Outcome => {
      if (err instanceof ExecutionAbortedError) return { status: 'ABORTED' };
      if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT' };
      if (err instanceof ExecutionError) return { status: 'FAILED', error: (err.cause as Error).name };
      throw err;
    },
  );
  return { abort: run.abort, outcome };
}
