// The StartGeneration function: its bundle entry (workflow/lambdas.json) and what it is built on. It reads
// the bucket's inputs/ only: it signs the provider's URL of a job's start image.
import { StartGeneration } from '../../application/start-generation.ts';
import type { WorkflowSteps } from '../../application/workflow-steps.ts';
import { createS3Client } from '../../adapters/aws/aws-clients.ts';
import { S3UploadStorage } from '../../adapters/aws/s3-upload-storage.ts';
import { createHandler } from '../../adapters/lambda/start-generation.ts';
import type { Env } from '../../config.ts';
import { loadLambdaConfig } from '../../lambda-config.ts';
import { catalogueOf, clientOptions, coldStart, commonDeps, lambdaHandler, type LambdaOverrides } from '../lambda-steps.ts';

export function buildStartGeneration(env: Env, overrides: LambdaOverrides = {}): Pick<WorkflowSteps, 'startGeneration'> {
  const config = loadLambdaConfig('start-generation', env);
  const s3 = overrides.clients?.s3 ?? createS3Client(clientOptions(config));
  // Signs the provider's GET URL of a job's start image (inputs/<jobId>/start-image); ASSETS_BUCKET is required of it.
  const startImages = new S3UploadStorage(s3, config.assetsBucket as string);
  return { startGeneration: new StartGeneration({ ...commonDeps(config, overrides), catalogue: catalogueOf(config, env), startImages }) };
}

export const handler = lambdaHandler('start-generation', createHandler(coldStart(buildStartGeneration)));
