// The FailJob function: its bundle entry (workflow/lambdas.json) and what it is built on.
import { FailJob } from '../../application/fail-job.ts';
import type { WorkflowSteps } from '../../application/workflow-steps.ts';
import { createHandler } from '../../adapters/lambda/fail-job.ts';
import type { Env } from '../../config.ts';
import { loadLambdaConfig } from '../../lambda-config.ts';
import { coldStart, commonDeps, dynamoOf, lambdaHandler, usageLedgerOf, WORKFLOW_FAILED, type LambdaOverrides } from '../lambda-steps.ts';

export function buildFailJob(env: Env, overrides: LambdaOverrides = {}): Pick<WorkflowSteps, 'failJob'> {
  const config = loadLambdaConfig('fail-job', env);
  const dynamo = dynamoOf(config, overrides);
  return { failJob: new FailJob({ ...commonDeps(config, overrides, dynamo), fallbackCode: WORKFLOW_FAILED, usage: usageLedgerOf(config, dynamo) }) };
}

export const handler = lambdaHandler('fail-job', createHandler(coldStart(buildFailJob)));
