import type Replicate from 'replicate';
import { parseProgressFromLogs, type Prediction } from 'replicate';
import {
  providerGenerationId, providerIdOf, ProviderUnavailable, type GeneratedFile, type GenerationRequest, type GenerationResult, type GenerationStatus, type VideoModel,
} from '../../application/ports/video-model.ts';
import { GenerationFailed } from '../../domain/errors.ts';
import { predictionFailure, providerError, statusOf } from './replicate-errors.ts';

const PROVIDER = 'replicate';

/**
 * The prediction's input: each setting under the name the model's catalogue entry gives it (a setting the
 * entry names no input for is not sent), plus the entry's fixed inputs.
 */
export function predictionInput(request: GenerationRequest): Record<string, unknown> {
  const { model, settings } = request;
  const names = model.input;
  const input: Record<string, unknown> = { ...model.fixedInput };
  const put = (name: string | undefined, value: unknown) => {
    if (name && value !== undefined) input[name] = value;
  };
  put(names.prompt, request.prompt);
  put(names.durationSeconds, settings.durationSeconds);
  put(names.aspectRatio, settings.aspectRatio);
  put(names.resolution, settings.resolution);
  put(names.negativePrompt, settings.negativePrompt);
  put(names.seed, settings.seed);
  put(names.startImage, request.startImageUrl);
  return input;
}

export interface ReplicateVideoModelOptions {
  /**
   * The client (built with `useFileOutput: false`, so outputs are plain URLs). A function, so the API
   * token can be fetched on first use (Secrets Manager) rather than at startup.
   */
  client: () => Promise<Replicate>;
  /** Fetches the output files (replicate.delivery URLs need no token). */
  fetch?: typeof fetch;
  /** A typical generation's length, for estimating progress when the logs show none. */
  expectedMs?: number;
  now?: () => number;
}

/** Progress estimated from elapsed time stops here: the last stretch is shown only when it is real. */
const ESTIMATE_CAP = 90;

/** Replicate predictions as a VideoModel (https://replicate.com/docs/reference/http#predictions). */
export class ReplicateVideoModel implements VideoModel {
  private readonly fetch: typeof fetch;
  private readonly expectedMs: number;
  private readonly now: () => number;

  private readonly options: ReplicateVideoModelOptions;
  constructor(options: ReplicateVideoModelOptions) {
    this.options = options;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.expectedMs = options.expectedMs ?? 120_000;
    this.now = options.now ?? Date.now;
  }

  async start(request: GenerationRequest): Promise<{ generationId: string }> {
    // `owner/name` runs the official model's latest version; `owner/name:version` a pinned one.
    const [model = '', version] = request.model.providerModel.split(':');
    const client = await this.options.client();
    try {
      const prediction = await client.predictions.create({ ...(version ? { version } : { model }), input: predictionInput(request) });
      return { generationId: providerGenerationId(PROVIDER, prediction.id) };
    } catch (err) {
      throw providerError(err, 'start a prediction');
    }
  }

  async status(generationId: string): Promise<GenerationStatus> {
    const prediction = await this.get(generationId);
    switch (prediction.status) {
      case 'succeeded': {
        // What Replicate bills hardware-priced models by; output-priced ones are priced from the catalogue.
        const runSeconds = prediction.metrics?.predict_time;
        return typeof runSeconds === 'number' ? { state: 'succeeded', runSeconds } : { state: 'succeeded' };
      }
      case 'failed':
        throw predictionFailure(prediction.error);
      case 'canceled':
      case 'aborted':
        return { state: 'canceled' };
      default:
        return { state: 'running', progress: this.progressOf(prediction), stage: prediction.status === 'starting' ? 'scripting' : 'rendering' };
    }
  }

  async cancel(generationId: string): Promise<void> {
    const client = await this.options.client();
    try {
      await client.predictions.cancel(providerIdOf(PROVIDER, generationId));
    } catch (err) {
      if (statusOf(err) !== 404) throw providerError(err, 'cancel a prediction');
    }
  }

  async result(generationId: string): Promise<GenerationResult> {
    const prediction = await this.get(generationId);
    const urls = outputUrls(prediction.output);
    if (!urls.video) throw new GenerationFailed('PROVIDER_FAILED', 'The model finished without a video');
    const [video, thumbnail] = await Promise.all([this.download(urls.video, 'video/mp4'), urls.thumbnail ? this.download(urls.thumbnail, 'image/jpeg') : undefined]);
    const runSeconds = prediction.metrics?.predict_time;
    return { video, ...(thumbnail ? { thumbnail } : {}), ...(typeof runSeconds === 'number' ? { runSeconds } : {}) };
  }

  private async get(generationId: string): Promise<Prediction> {
    const client = await this.options.client();
    try {
      return await client.predictions.get(providerIdOf(PROVIDER, generationId));
    } catch (err) {
      throw providerError(err, 'read a prediction');
    }
  }

  /** The percentage a model prints in its logs (a tqdm bar), else an estimate from the time it has run. */
  private progressOf(prediction: Prediction): number {
    const logged = parseProgressFromLogs(prediction);
    if (logged) return Math.round(logged.percentage * 100);
    const since = Date.parse(prediction.started_at ?? prediction.created_at);
    if (Number.isNaN(since)) return 0;
    return Math.min(ESTIMATE_CAP, Math.max(0, Math.round(((this.now() - since) / this.expectedMs) * ESTIMATE_CAP)));
  }

  private async download(url: string, fallbackType: string): Promise<GeneratedFile> {
    let response: Response;
    try {
      response = await this.fetch(url);
    } catch (err) {
      throw new ProviderUnavailable(`could not download ${url}`, { cause: err });
    }
    // Replicate deletes API outputs after an hour: a 404 will not get better.
    if (response.status >= 500 || response.status === 429) throw new ProviderUnavailable(`downloading the output answered ${response.status}`);
    if (!response.ok) throw new GenerationFailed('PROVIDER_FAILED', `The model's output could not be downloaded (${response.status})`);
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim();
    const body = new Uint8Array(await response.arrayBuffer());
    return { body, contentType: contentType && contentType !== 'application/octet-stream' ? contentType : fallbackType };
  }
}

const VIDEO = /\.(mp4|mov|webm)(\?|$)/i;
const IMAGE = /\.(jpe?g|png|webp)(\?|$)/i;

/**
 * A model's output as a video URL and, when it made one, a thumbnail: a single URL (most video models),
 * a list of URLs (video and poster), or an object naming them.
 */
export function outputUrls(output: unknown): { video?: string; thumbnail?: string } {
  if (typeof output === 'string') return { video: output };
  if (Array.isArray(output)) {
    const urls = output.filter((item): item is string => typeof item === 'string');
    return { video: urls.find((u) => VIDEO.test(u)) ?? urls.find((u) => !IMAGE.test(u)), thumbnail: urls.find((u) => IMAGE.test(u)) };
  }
  if (output && typeof output === 'object') {
    const record = output as Record<string, unknown>;
    const first = (...names: string[]) => names.map((n) => record[n]).find((v): v is string => typeof v === 'string');
    return { video: first('video', 'mp4', 'output'), thumbnail: first('thumbnail', 'poster', 'cover', 'image') };
  }
  return {};
}
