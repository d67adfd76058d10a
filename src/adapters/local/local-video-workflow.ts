import type { Clock } from '../../application/ports/clock.ts';
import type { JobRepository } from '../../application/ports/job-repository.ts';
import type { Logger } from '../../application/ports/logger.ts';
import type { StartImageUrls } from '../../application/ports/upload-storage.ts';
import type { UsageLedger } from '../../application/ports/usage-ledger.ts';
import type { VideoModel } from '../../application/ports/video-model.ts';
import type { FrameGrabber, VideoProbe } from '../../application/ports/video-probe.ts';
import type { VideoStore } from '../../application/ports/video-storage.ts';
import type { VideoWorkflow, WorkflowState } from '../../application/ports/video-workflow.ts';
import { createWorkflowSteps, type WorkflowSteps } from '../../application/workflow-steps.ts';
import { JobFinished } from '../../domain/errors.ts';
import type { Job } from '../../domain/job.ts';
import type { ModelCatalogue } from '../../domain/model-catalogue.ts';
import { TickScheduler, type Ticket } from './tick-scheduler.ts';

export interface LocalVideoWorkflowOptions {
  jobs: JobRepository;
  catalogue: ModelCatalogue;
  store: VideoStore;
  model: VideoModel;
  /** The month's spend: a job that ends is settled to its actual cost. */
  usage: UsageLedger;
  /** Signs the URL the model fetches a job's start image from. */
  startImages?: StartImageUrls;
  probe: VideoProbe;
  frames: FrameGrabber;
  clock: Clock;
  logger: Logger;
  /**
   * Time between two polls of the model for a 10-second clip (LOCAL_WORKFLOW_DURATION_MS / SAMPLE_POLLS
   * with the sample model); a job's own duration scales it, so a 5 s clip takes half as long.
   */
  pollIntervalMs: number;
  /** Polls before the job fails with PROVIDER_TIMEOUT, as the state machine's loop counter does. */
  maxPolls?: number;
}

export const LOCAL_WORKFLOW_FAILED = 'LOCAL_WORKFLOW_FAILED' as const;

/** One job's run. Identity matters: a stopped and restarted job is a different run. */
interface Run {
  ticket?: Ticket;
  /** Between two polls of this job's generation. */
  intervalMs: number;
}

/** The clip length LocalVideoWorkflowOptions.pollIntervalMs is for. */
const REFERENCE_SECONDS = 10;

/**
 * The local mode's stand-in for Step Functions: drives the workflow's own steps (start, poll until done,
 * store, or fail) for every running job off one TickScheduler timer. Each job has at most one step in
 * flight, and its next one is scheduled after the previous write, so steps never race each other.
 */
export class LocalVideoWorkflow implements VideoWorkflow {
  private readonly runs = new Map<string, Run>();
  private readonly scheduler = new TickScheduler();
  private readonly steps: WorkflowSteps;
  /** Steps running now: close() waits for them, so nothing writes to storage after shutdown. */
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  private readonly options: LocalVideoWorkflowOptions;
  constructor(options: LocalVideoWorkflowOptions) {
    this.options = options;
    this.steps = createWorkflowSteps({ ...options, fallbackCode: LOCAL_WORKFLOW_FAILED });
  }

  /**
   * Idempotent per jobId: a second start of a running job changes nothing. A job that is already
   * `processing` (a restarted server resuming it) continues with the generation stored on it.
   */
  async start(job: Job): Promise<{ executionArn?: string }> {
    if (this.closed) throw new Error('The local video workflow is shut down');
    if (!this.runs.has(job.jobId)) {
      // A longer clip takes longer, as with a hosted model; jobs made before options existed: the reference.
      const run: Run = { intervalMs: (this.options.pollIntervalMs * (job.settings?.durationSeconds ?? REFERENCE_SECONDS)) / REFERENCE_SECONDS };
      this.runs.set(job.jobId, run);
      this.next(job.jobId, run, 0, async () => {
        const { generationId } = await this.steps.startGeneration.execute({ jobId: job.jobId });
        this.poll(job.jobId, run, generationId, 0);
      });
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

  /** Graceful shutdown: no new job or step starts, and the steps already running are waited for. */
  async close(): Promise<void> {
    this.closed = true;
    this.runs.clear();
    this.scheduler.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private poll(jobId: string, run: Run, generationId: string, polls: number): void {
    const { maxPolls = Infinity } = this.options;
    this.next(jobId, run, run.intervalMs, async () => {
      if (polls >= maxPolls) {
        await this.steps.failJob.execute({ jobId, error: 'PROVIDER_TIMEOUT' });
        return this.forget(jobId, run);
      }
      const { done } = await this.steps.pollGeneration.execute({ jobId, generationId });
      if (!done) return this.poll(jobId, run, generationId, polls + 1);
      await this.steps.storeVideo.execute({ jobId, generationId });
      this.forget(jobId, run);
    });
  }

  /** Runs `step` for the job after `delayMs`, unless the run was stopped by then; a failing step fails the job. */
  private next(jobId: string, run: Run, delayMs: number, step: () => Promise<void>): void {
    if (this.runs.get(jobId) !== run) return;
    run.ticket = this.scheduler.schedule(delayMs, () => {
      const running = step().catch((err: unknown) => this.failed(jobId, run, err));
      this.inFlight.add(running);
      void running.finally(() => this.inFlight.delete(running));
    });
  }

  private async failed(jobId: string, run: Run, err: unknown): Promise<void> {
    const stopped = this.runs.get(jobId) !== run;
    this.forget(jobId, run);
    // Stopped, or canceled (JobFinished) meanwhile: the job is no longer ours to touch.
    if (stopped || err instanceof JobFinished) return;
    const { logger } = this.options;
    logger.error({ err, jobId }, 'local video workflow failed; marking the job failed');
    await this.steps.failJob.execute({ jobId, error: err instanceof Error ? err.name : '' }).catch((e: unknown) => {
      logger.error({ err: e, jobId }, 'could not mark the job failed');
    });
  }

  /** Ends a job's run; with `run`, only if that run is still the current one (not a later restart). */
  private forget(jobId: string, run = this.runs.get(jobId)): void {
    if (!run || this.runs.get(jobId) !== run) return;
    run.ticket?.cancel();
    this.runs.delete(jobId);
  }
}
