// Every workflow function's step in one process, each built from its own settings exactly as its Lambda
// builds it: for the workflow tests and the aws-mode stand-ins, which run the whole state machine here.
import type { WorkflowSteps } from '../application/workflow-steps.ts';
import type { Env } from '../config.ts';
import { buildFailJob } from './lambda/fail-job.ts';
import { buildPollGeneration } from './lambda/poll-generation.ts';
import { buildStartGeneration } from './lambda/start-generation.ts';
import { buildStoreVideo } from './lambda/store-video.ts';
import type { LambdaOverrides } from './lambda-steps.ts';

/** `env` holds every function's variables; each function reads only its own (LAMBDA_ENV). */
export function createLambdaSteps(env: Env, overrides: LambdaOverrides = {}): WorkflowSteps {
  return { ...buildStartGeneration(env, overrides), ...buildPollGeneration(env, overrides), ...buildStoreVideo(env, overrides), ...buildFailJob(env, overrides) };
}
