import type { FailureCode } from '../domain/failure-codes.ts';
import type { ModelCatalogue } from '../domain/model-catalogue.ts';
import { FailJob } from './fail-job.ts';
import type { Clock } from './ports/clock.ts';
import type { JobRepository } from './ports/job-repository.ts';
import type { Logger } from './ports/logger.ts';
import type { StartImageUrls } from './ports/upload-storage.ts';
import type { UsageLedger } from './ports/usage-ledger.ts';
import type { VideoModel } from './ports/video-model.ts';
import type { FrameGrabber, VideoProbe } from './ports/video-probe.ts';
import type { VideoStore } from './ports/video-storage.ts';
import { PollGeneration } from './poll-generation.ts';
import { StartGeneration } from './start-generation.ts';
import { StoreVideo } from './store-video.ts';

/** What every step needs. Each step's Lambda is given only what its step takes (so only StoreVideo gets the bucket). */
export interface WorkflowStepDeps {
  jobs: JobRepository;
  model: VideoModel;
  clock: Clock;
  logger: Logger;
}

export interface StartGenerationDeps extends WorkflowStepDeps {
  /** Each job's model entry: how its settings become the provider's inputs, what it costs. */
  catalogue: ModelCatalogue;
  /** Signs the URL the provider fetches a job's start image from; where absent, a job with one fails. */
  startImages?: StartImageUrls;
}

export interface StoreVideoDeps extends StartGenerationDeps {
  /** The month's spend: an ended job's actual cost replaces its estimate (StoreVideo and FailJob settle it). */
  usage: UsageLedger;
  store: VideoStore;
  /** Reads the finished video's facts and refuses a file that is not a playable MP4. */
  probe: VideoProbe;
  /** Takes the thumbnail when the model made none. */
  frames: FrameGrabber;
}

/** The video workflow's steps (docs/workflow.md). Step Functions (aws) and the local scheduler drive the same ones. */
export interface WorkflowSteps {
  startGeneration: StartGeneration;
  pollGeneration: PollGeneration;
  storeVideo: StoreVideo;
  failJob: FailJob;
}

export function createWorkflowSteps(deps: StoreVideoDeps & { fallbackCode: FailureCode }): WorkflowSteps {
  return {
    startGeneration: new StartGeneration(deps),
    pollGeneration: new PollGeneration(deps),
    storeVideo: new StoreVideo(deps),
    failJob: new FailJob(deps),
  };
}
