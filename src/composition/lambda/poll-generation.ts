// The PollGeneration function: its bundle entry (workflow/lambdas.json) and what it is built on.
import { PollGeneration } from '../../application/poll-generation.ts';
import type { WorkflowSteps } from '../../application/workflow-steps.ts';
import { createHandler } from '../../adapters/lambda/poll-generation.ts';
import type { Env } from '../../config.ts';
import { loadLambdaConfig } from '../../lambda-config.ts';
import { coldStart, commonDeps, lambdaHandler, type LambdaOverrides } from '../lambda-steps.ts';

export function buildPollGeneration(env: Env, overrides: LambdaOverrides = {}): Pick<WorkflowSteps, 'pollGeneration'> {
  return { pollGeneration: new PollGeneration(commonDeps(loadLambdaConfig('poll-generation', env), overrides)) };
}

export const handler = lambdaHandler('poll-generation', createHandler(coldStart(buildPollGeneration)));
