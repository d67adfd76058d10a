// The PollGeneration function: its bundle entry (workflow/lambdas.json) and what it is built on.
import { PollGeneration } from '../../application/poll-generation.js';
import type { WorkflowSteps } from '../../application/workflow-steps.js';
import { createHandler } from '../../adapters/lambda/poll-generation.js';
import type { Env } from '../../config.js';
import { loadLambdaConfig } from '../../lambda-config.js';
import { coldStart, commonDeps, lambdaHandler, type LambdaOverrides } from '../lambda-steps.js';

export function buildPollGeneration(env: Env, overrides: LambdaOverrides = {}): Pick<WorkflowSteps, 'pollGeneration'> {
  return { pollGeneration: new PollGeneration(commonDeps(loadLambdaConfig('poll-generation', env), overrides)) };
}

export const handler = lambdaHandler('poll-generation', createHandler(coldStart(buildPollGeneration)));
