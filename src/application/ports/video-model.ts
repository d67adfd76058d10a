import type { GenerationSettings } from '../../domain/job-options.ts';
import type { ModelEntry } from '../../domain/model-catalogue.ts';

/** One file the model produced, read whole (a few MB for a 5–10 s clip; see docs/workflow.md). */
export interface GeneratedFile {
  body: Uint8Array;
  contentType: string;
}

/** What the model says about a generation now. `progress` is 0..100 when known. */
/** One generation as the model is asked for it: the catalogue entry says how settings become the provider's inputs. */
export interface GenerationRequest {
  jobId: string;
  prompt: string;
  model: ModelEntry;
  settings: GenerationSettings;
  /** A URL the provider can fetch the start image from (settings.startImage resolved), when there is one. */
  startImageUrl?: string;
}

/**
 * The provider could not be reached, or throttled or failed (429, 5xx) even after retries. Transient: the
 * state machine retries a step that throws it, by this name (workflow/state-machine.asl.json), whichever
 * provider adapter threw it.
 */
export class ProviderUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailable';
  }
}

/** `<provider>:<id>`: a generation id names its provider; ids stored before that are the provider's bare id. */
export function providerGenerationId(provider: string, id: string): string {
  return `${provider}:${id}`;
}

/** The provider's own id from a stored generation id (prefixed or, for old jobs, bare). */
export function providerIdOf(provider: string, generationId: string): string {
  return generationId.startsWith(`${provider}:`) ? generationId.slice(provider.length + 1) : generationId;
}

export interface GenerationResult {
  video: GeneratedFile;
  thumbnail?: GeneratedFile;
  /** Seconds the provider ran the model (Replicate's metrics.predict_time): what hardware-priced models bill. */
  runSeconds?: number;
}

export type GenerationStatus =
  | { state: 'running'; progress?: number; stage?: string }
  | { state: 'succeeded'; runSeconds?: number }
  | { state: 'canceled' };

/**
 * A text-to-video model behind a provider's API. Adapters turn the provider's refusals and failures
 * into GenerationFailed (PROVIDER_REJECTED, PROVIDER_FAILED, PROVIDER_TIMEOUT); anything else they
 * throw (network, 5xx after retries) is transient and the caller may retry.
 */
export interface VideoModel {
  /** Starts generating; returns the generation's id (`<provider>:<the provider's id>`). */
  start(request: GenerationRequest): Promise<{ generationId: string }>;
  /** Throws GenerationFailed when the generation failed. */
  status(generationId: string): Promise<GenerationStatus>;
  /** Stops the generation (and its billing). Canceling one that already ended is not an error. */
  cancel(generationId: string): Promise<void>;
  /** The finished video, a thumbnail when the model made one, and the run time the provider reports (if any). */
  result(generationId: string): Promise<GenerationResult>;
}
