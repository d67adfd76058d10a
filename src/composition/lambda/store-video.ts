// The StoreVideo function: its bundle entry (workflow/lambdas.json) and what it is built on. The only
// function with the bucket: it copies the finished video (and thumbnail) into it.
import { fileURLToPath } from 'node:url';
import { StoreVideo } from '../../application/store-video.ts';
import type { WorkflowSteps } from '../../application/workflow-steps.ts';
import { createS3Client } from '../../adapters/aws/aws-clients.ts';
import { S3VideoStorage } from '../../adapters/aws/s3-video-storage.ts';
import { FfmpegFrameGrabber } from '../../adapters/ffmpeg/ffmpeg-frame-grabber.ts';
import { ffmpegPath } from '../../adapters/ffmpeg/ffmpeg-path.ts';
import { createHandler } from '../../adapters/lambda/store-video.ts';
import { Mp4BoxVideoProbe } from '../../adapters/mp4/mp4box-video-probe.ts';
import type { Env } from '../../config.ts';
import { loadLambdaConfig, ownEnv } from '../../lambda-config.ts';
import { catalogueOf, clientOptions, coldStart, commonDeps, dynamoOf, lambdaHandler, usageLedgerOf, type LambdaOverrides } from '../lambda-steps.ts';

export function buildStoreVideo(env: Env, overrides: LambdaOverrides = {}): Pick<WorkflowSteps, 'storeVideo'> {
  const config = loadLambdaConfig('store-video', env);
  const s3 = overrides.clients?.s3 ?? createS3Client(clientOptions(config));
  // loadLambdaConfig requires ASSETS_BUCKET of this function (LAMBDA_ENV), so it is set here.
  const store = new S3VideoStorage(s3, config.assetsBucket as string);
  // scripts/build-lambda.mjs puts the ffmpeg binary beside this bundle; FFMPEG_PATH overrides.
  const frames = new FfmpegFrameGrabber({ ffmpegPath: ffmpegPath(ownEnv('store-video', env), fileURLToPath(new URL('./ffmpeg', import.meta.url))) ?? 'ffmpeg' });
  const dynamo = dynamoOf(config, overrides);
  const usage = usageLedgerOf(config, dynamo);
  return { storeVideo: new StoreVideo({ ...commonDeps(config, overrides, dynamo), catalogue: catalogueOf(config, env), usage, store, probe: new Mp4BoxVideoProbe(), frames }) };
}

export const handler = lambdaHandler('store-video', createHandler(coldStart(buildStoreVideo)));
