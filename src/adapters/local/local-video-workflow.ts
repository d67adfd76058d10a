import { mutateJob } from '../../application/mutate-job.js';
import type { Clock } from '../../application/ports/clock.js';
import type { JobRepository } from '../../application/ports/job-repository.js';
import type { Logger } from '../../application/ports/logger.js';
import type { VideoWorkflow, WorkflowState } from '../../application/ports/video-workflow.js';
import { JobFinished } from '../../domain/errors.js';
import { advanceJob, completeJob, failJob, type Job } from '../../domain/job.js';
import type { LocalVideoStorage } from './local-video-storage.js';

export interface LocalVideoWorkflowOptions {
  jobs: JobRepository;
  storage: LocalVideoStorage;
  clock: Clock;
  logger: Logger;
  /** From start to a finished video. */
  durationMs: number;
  /** The clip every local job "generates" (assets/sample.mp4). */
  sampleVideoPath: string;
}

/** The steps a person would recognise, in order; the last tick after them completes the job. */
const STEPS: ReadonlyArray<{ stage: string; progress: number }> = [
  { stage: 'scripting', progress: 8 },
  { stage: 'scripting', progress: 18 },
  { stage: 'rendering', progress: 30 },
  { stage: 'rendering', progress: 45 },
  { stage: 'rendering', progress: 60 },
  { stage: 'encoding', progress: 72 },
  { stage: 'encoding', progress: 84 },
  { stage: 'uploading', progress: 92 },
  { stage: 'uploading', progress: 97 },
];

export const LOCAL_WORKFLOW_FAILED = 'LOCAL_WORKFLOW_FAILED';

/** One job's schedule: the timer of its next tick. Identity matters: a stopped run is a different object. */
interface Run {
  timer?: NodeJS.Timeout;
}

/**
 * The local mode's stand-in for Step Functions: walks a job through named stages on timers, writing
 * each step to the repository (so SSE watchers see it), then stores the sample clip as the video.
 * One tick at a time per job, each scheduled after the previous write, so ticks never race each other.
 */
export class LocalVideoWorkflow implements VideoWorkflow {
  private readonly runs = new Map<string, Run>();
  private closed = false;

  constructor(private readonly options: LocalVideoWorkflowOptions) {}

  async start(job: Job): Promise<{ executionArn?: string }> {
    if (this.closed) throw new Error('The local video workflow is shut down');
    // Idempotent per jobId: a second start of a running job changes nothing.
    if (!this.runs.has(job.jobId)) {
      const run: Run = {};
      this.runs.set(job.jobId, run);
      // A job resumed after a restart carries on from the first step past its stored progress.
      const step = STEPS.findIndex((next) => next.progress > job.progress);
      this.schedule(job.jobId, run, step === -1 ? STEPS.length : step);
    }
    return {};
  }

  async stop(job: Job): Promise<void> {
    this.forget(job.jobId);
  }

  async describe(): Promise<WorkflowState | undefined> {
    return undefined;
  }

  /** Jobs this workflow is running now (the ActiveJobs metric). */
  get activeJobs(): number {
    return this.runs.size;
  }

  /** Graceful shutdown: no tick runs after this, and no new job starts. */
  close(): void {
    this.closed = true;
    for (const jobId of [...this.runs.keys()]) this.forget(jobId);
  }

  private schedule(jobId: string, run: Run, step: number): void {
    const interval = this.options.durationMs / (STEPS.length + 1);
    run.timer = setTimeout(() => void this.tick(jobId, run, step), interval);
    // Pending demo jobs must not keep the process alive on their own.
    run.timer.unref();
  }

  private async tick(jobId: string, run: Run, step: number): Promise<void> {
    const { jobs, clock } = this.options;
    try {
      const next = STEPS[step];
      if (next) {
        await mutateJob(jobs, jobId, (job) => advanceJob(job, next, clock.now()));
        if (this.runs.get(jobId) === run) this.schedule(jobId, run, step + 1);
        return;
      }
      await this.finish(jobId, run);
    } catch (err) {
      const stopped = this.runs.get(jobId) !== run;
      this.forget(jobId, run);
      // Stopped, or canceled (JobFinished) meanwhile: the job is no longer ours to touch.
      if (stopped || err instanceof JobFinished) return;
      await this.fail(jobId, err);
    }
  }

  private async finish(jobId: string, run: Run): Promise<void> {
    const { jobs, storage, clock } = this.options;
    const videoKey = `videos/${jobId}.mp4`;
    await storage.save(videoKey, this.options.sampleVideoPath);
    // Stopped or canceled while the file was copied: leave no video behind for a job without one.
    const discard = () => storage.remove(videoKey).catch(() => undefined);
    if (this.runs.get(jobId) !== run) return discard();
    try {
      await mutateJob(jobs, jobId, (job) => completeJob(job, videoKey, clock.now()));
    } catch (err) {
      await discard();
      throw err;
    }
    this.forget(jobId, run);
  }

  private async fail(jobId: string, err: unknown): Promise<void> {
    const { jobs, clock, logger } = this.options;
    logger.error({ err, jobId }, 'local video workflow failed; marking the job failed');
    const failure = { code: LOCAL_WORKFLOW_FAILED, message: 'The video could not be generated' };
    await mutateJob(jobs, jobId, (job) => failJob(job, failure, clock.now())).catch((e: unknown) => {
      if (!(e instanceof JobFinished)) logger.error({ err: e, jobId }, 'could not mark the job failed');
    });
  }

  /** Ends a job's schedule; with `run`, only if that run is still the current one (not a later restart). */
  private forget(jobId: string, run = this.runs.get(jobId)): void {
    if (!run || this.runs.get(jobId) !== run) return;
    clearTimeout(run.timer);
    this.runs.delete(jobId);
  }
}
