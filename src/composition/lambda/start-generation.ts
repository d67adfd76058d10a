// The StartGeneration function: its bundle entry (workflow/lambdas.json) and what it is built on.
import { StartGeneration } from '../../application/start-generation.js';
import type { WorkflowSteps } from '../../application/workflow-steps.js';
import { createHandler } from '../../adapters/lambda/start-generation.js';
import type { Env } from '../../config.js';
import { loadLambdaConfig } from '../../lambda-config.js';
import { catalogueOf, coldStart, commonDeps, lambdaHandler, type LambdaOverrides } from '../lambda-steps.js';

export function buildStartGeneration(env: Env, overrides: LambdaOverrides = {}): Pick<WorkflowSteps, 'startGeneration'> {
  const config = loadLambdaConfig('start-generation', env);
  return { startGeneration: new StartGeneration({ ...commonDeps(config, overrides), catalogue: catalogueOf(config, env) }) };
}

export const handler = lambdaHandler('start-generation', createHandler(coldStart(buildStartGeneration)));
