import type { JobCategory } from '../../domain/job.js';

/** One file the model produced, read whole (a few MB for a 5–10 s clip; see docs/workflow.md). */
export interface GeneratedFile {
  body: Uint8Array;
  contentType: string;
}

/** What the model says about a generation now. `progress` is 0..100 when known. */
export type GenerationStatus =
  | { state: 'running'; progress?: number; stage?: string }
  | { state: 'succeeded' }
  | { state: 'canceled' };

/**
 * A text-to-video model behind a provider's API. Adapters turn the provider's refusals and failures
 * into GenerationFailed (PROVIDER_REJECTED, PROVIDER_FAILED, PROVIDER_TIMEOUT); anything else they
 * throw (network, 5xx after retries) is transient and the caller may retry.
 */
export interface VideoModel {
  /** Starts generating; returns the provider's id for the generation. */
  start(input: { jobId: string; prompt: string; category: JobCategory }): Promise<{ generationId: string }>;
  /** Throws GenerationFailed when the generation failed. */
  status(generationId: string): Promise<GenerationStatus>;
  /** Stops the generation (and its billing). Canceling one that already ended is not an error. */
  cancel(generationId: string): Promise<void>;
  /** The finished video, and a thumbnail when the model made one. */
  result(generationId: string): Promise<{ video: GeneratedFile; thumbnail?: GeneratedFile }>;
}
