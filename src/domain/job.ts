import { JobFinished, ValidationError } from './errors.ts';
import type { GenerationSettings, JobOptions } from './job-options.ts';

export const JOB_CATEGORIES = ['music-video', 'ad-creative'] as const;
export type JobCategory = (typeof JOB_CATEGORIES)[number];

export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const PROMPT_MIN = 10;
export const PROMPT_MAX = 500;

export interface JobFailure {
  code: string;
  message: string;
}

/** What the finished video file is, read from the file itself (not from what the model claimed). */
export interface VideoFacts {
  readonly durationSeconds: number;
  readonly width: number;
  readonly height: number;
  readonly sizeBytes: number;
  readonly contentType: string;
}

export interface Job {
  readonly jobId: string;
  readonly userId: string;
  readonly prompt: string;
  readonly category: JobCategory;
  readonly status: JobStatus;
  /** 0..100; 100 exactly when completed. Never goes down. */
  readonly progress: number;
  /** The workflow step a person would recognise: queued, scripting, rendering, … */
  readonly stage?: string;
  readonly failure?: JobFailure;
  /** The options as the caller gave them (POST /jobs); absent on jobs made before options existed. */
  readonly options?: JobOptions;
  /** The catalogue id of the model that makes the video, and its provider. */
  readonly model?: string;
  readonly provider?: string;
  /** What the model is asked for: the options given, the rest settled from the category and the model. */
  readonly settings?: GenerationSettings;
  /** The catalogue price of the video asked for, when the job was accepted (what the spend limit counts). */
  readonly estimatedCostUsd?: number;
  /** What the generation cost, once the job ended. */
  readonly costUsd?: number;
  /** Storage key of the finished video; set when completed. */
  readonly videoKey?: string;
  /** Storage key of the video's thumbnail (beside the video): the model's poster, or a frame taken from the video. */
  readonly thumbnailKey?: string;
  /** The finished video's facts; set when completed. */
  readonly video?: VideoFacts;
  /** The video model's id for this job's generation (a Replicate prediction id): what cancel stops. */
  readonly generationId?: string;
  /** The workflow's handle for this job (a Step Functions execution ARN in aws mode). */
  readonly executionArn?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the record was last reconciled with the workflow engine (aws mode). */
  readonly syncedAt?: string;
  /** Bumped on every change; repositories write with "version = previous" (optimistic concurrency). */
  readonly version: number;
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'canceled']);

const NEXT: Record<JobStatus, ReadonlySet<JobStatus>> = {
  pending: new Set(['pending', 'processing', 'completed', 'failed', 'canceled']),
  processing: new Set(['processing', 'completed', 'failed', 'canceled']),
  completed: new Set(),
  failed: new Set(),
  canceled: new Set(),
};

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

export function isJobCategory(value: unknown): value is JobCategory {
  return typeof value === 'string' && (JOB_CATEGORIES as readonly string[]).includes(value);
}

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

/** The prompt as stored: trimmed, 10..500 characters (counted as Unicode code points). */
export function parsePrompt(raw: unknown): string {
  if (typeof raw !== 'string') throw new ValidationError('prompt', 'type', 'prompt must be a string');
  const prompt = raw.trim();
  const length = [...prompt].length;
  if (length < PROMPT_MIN) {
    throw new ValidationError('prompt', 'minLength', `prompt must be at least ${PROMPT_MIN} characters`);
  }
  if (length > PROMPT_MAX) {
    throw new ValidationError('prompt', 'maxLength', `prompt must be at most ${PROMPT_MAX} characters`);
  }
  return prompt;
}

export function parseCategory(raw: unknown): JobCategory {
  if (!isJobCategory(raw)) {
    throw new ValidationError('category', 'enum', `category must be one of ${JOB_CATEGORIES.join(', ')}`);
  }
  return raw;
}

/** The model's side of a new job: what was asked, what will be made, by whom, at what estimated price. */
export interface JobGeneration {
  options: JobOptions;
  model: string;
  provider: string;
  settings: GenerationSettings;
  estimatedCostUsd: number;
}

export function newJob(input: {
  jobId: string;
  userId: string;
  prompt: string;
  category: JobCategory;
  now: Date;
  generation?: JobGeneration;
}): Job {
  const at = input.now.toISOString();
  return {
    jobId: input.jobId,
    userId: input.userId,
    prompt: input.prompt,
    category: input.category,
    ...input.generation,
    status: 'pending',
    progress: 0,
    stage: 'queued',
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

function change(job: Job, status: JobStatus, now: Date, patch: Partial<Job>): Job {
  if (!NEXT[job.status].has(status)) throw new JobFinished(job.jobId, job.status);
  return { ...job, status, updatedAt: now.toISOString(), ...patch, version: job.version + 1 };
}

/** A workflow step: the job is (still) running at `progress` (clamped to 0..99, never lower than before). */
export function advanceJob(job: Job, update: { progress: number; stage?: string }, now: Date): Job {
  // NaN would slip through Math.min/max and end up in the stored job (and the API's integer field).
  const reported = Number.isNaN(update.progress) ? job.progress : Math.trunc(update.progress);
  const progress = Math.min(99, Math.max(job.progress, reported));
  return change(job, 'processing', now, { progress, stage: update.stage ?? job.stage });
}

/** `costUsd`: what the generation cost, when known (see job-options.ts finalCostMicroUsd). */
export function completeJob(job: Job, videoKey: string, now: Date, thumbnailKey?: string, video?: VideoFacts, costUsd?: number): Job {
  return change(job, 'completed', now, {
    progress: 100, stage: 'done', videoKey, ...(thumbnailKey ? { thumbnailKey } : {}), ...(video ? { video } : {}), ...costOf(job, costUsd, true),
  });
}

export function failJob(job: Job, failure: JobFailure, now: Date, costUsd?: number): Job {
  return change(job, 'failed', now, { failure, stage: 'failed', ...costOf(job, costUsd, false) });
}

export function cancelJob(job: Job, now: Date, costUsd?: number): Job {
  return change(job, 'canceled', now, { stage: 'canceled', ...costOf(job, costUsd, false) });
}

/**
 * An ended job of a priced model always says what it cost: when the step that ended it knew no better, a
 * delivered video costs its estimate and an undelivered one nothing (hosted video models bill per output).
 * Jobs made before models were priced stay without a cost.
 */
function costOf(job: Job, costUsd: number | undefined, delivered: boolean): { costUsd?: number } {
  if (costUsd !== undefined) return { costUsd };
  if (job.estimatedCostUsd === undefined) return {};
  return { costUsd: delivered ? job.estimatedCostUsd : 0 };
}

/** The generation started: the job runs, and remembers the model's id for it so a cancel can stop it. */
export function startGeneration(job: Job, generationId: string, now: Date): Job {
  return change(job, 'processing', now, { generationId, stage: job.status === 'pending' ? 'scripting' : job.stage });
}

export function attachExecution(job: Job, executionArn: string, now: Date): Job {
  return change(job, job.status, now, { executionArn });
}

/** Records that the job was compared with the workflow engine and found current. */
export function markSynced(job: Job, now: Date): Job {
  return change(job, job.status, now, { syncedAt: now.toISOString(), updatedAt: job.updatedAt });
}
