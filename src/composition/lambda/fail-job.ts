// The fail-job function's bundle entry (workflow/lambdas.json): its handler over this cold start's steps.
import { createHandler } from '../../adapters/lambda/fail-job.js';
import { lambdaSteps } from '../lambda-steps.js';

export const handler = createHandler(lambdaSteps);
