// The FailJob function: its bundle entry (workflow/lambdas.json) and what it is built on.
import { FailJob } from '../../application/fail-job.js';
import type { WorkflowSteps } from '../../application/workflow-steps.js';
import { createHandler } from '../../adapters/lambda/fail-job.js';
import type { Env } from '../../config.js';
import { loadLambdaConfig } from '../../lambda-config.js';
import { coldStart, commonDeps, lambdaHandler, WORKFLOW_FAILED, type LambdaOverrides } from '../lambda-steps.js';

export function buildFailJob(env: Env, overrides: LambdaOverrides = {}): Pick<WorkflowSteps, 'failJob'> {
  return { failJob: new FailJob({ ...commonDeps(loadLambdaConfig('fail-job', env), overrides), fallbackCode: WORKFLOW_FAILED }) };
}

export const handler = lambdaHandler('fail-job', createHandler(coldStart(buildFailJob)));
