// Every workflow function's step in one process, each built from its own settings exactly as its Lambda
// builds it: for the workflow tests and the aws-mode stand-ins, which run the whole state machine here.
import type { WorkflowSteps } from '../application/workflow-steps.js';
import type { Env } from '../config.js';
import { buildFailJob } from './lambda/fail-job.js';
import { buildPollGeneration } from './lambda/poll-generation.js';
import { buildStartGeneration } from './lambda/start-generation.js';
import { buildStoreVideo } from './lambda/store-video.js';
import type { LambdaOverrides } from './lambda-steps.js';

/** `env` holds every function's variables; each function reads only its own (LAMBDA_ENV). */
export function createLambdaSteps(env: Env, overrides: LambdaOverrides = {}): WorkflowSteps {
  return { ...buildStartGeneration(env, overrides), ...buildPollGeneration(env, overrides), ...buildStoreVideo(env, overrides), ...buildFailJob(env, overrides) };
}
