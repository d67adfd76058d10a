// What a caller may ask of the video (POST /jobs options) and what the chosen model will use, checked
// against the model's catalogue entry. Costs are kept in micro-dollars (integers) so that sums — the
// month's spend, a spend limit — are exact.
import { ValidationError } from './errors.ts';
import type { JobCategory } from './job.ts';
import { durationsAt, findModel, type ModelCatalogue, type ModelEntry } from './model-catalogue.ts';

export const NEGATIVE_PROMPT_MAX = 500;
export const SEED_MAX = 2_147_483_647;

/** The options as the caller gave them (each optional). */
export interface JobOptions {
  model?: string;
  durationSeconds?: number;
  aspectRatio?: string;
  resolution?: string;
  negativePrompt?: string;
  seed?: number;
  /** An upload id (POST /uploads): the video's first frame. */
  startImage?: string;
}

export const JOB_OPTION_NAMES = ['model', 'durationSeconds', 'aspectRatio', 'resolution', 'negativePrompt', 'seed', 'startImage'] as const satisfies readonly (keyof JobOptions)[];

/** What the model will be asked for: every value settled (the request's, else the category's, else the model's). */
export interface GenerationSettings {
  durationSeconds: number;
  aspectRatio: string;
  resolution: string;
  negativePrompt?: string;
  seed?: number;
  startImage?: string;
}

export interface ResolvedOptions {
  model: ModelEntry;
  settings: GenerationSettings;
  estimatedCostMicroUsd: number;
}

/** Only the options that were given, in one order: what the job echoes and the idempotency fingerprint covers. */
export function givenOptions(options: JobOptions): JobOptions {
  const out: Record<string, unknown> = {};
  for (const name of JOB_OPTION_NAMES) if (options[name] !== undefined) out[name] = options[name];
  return out as JobOptions;
}

function notAllowed(field: string, message: string, allowed: readonly (string | number)[]): ValidationError {
  return new ValidationError(field, allowed.length === 0 ? 'unsupported' : 'enum', message, allowed);
}

/** Checks every option against the model it names (or the category's default) and settles the rest. */
export function resolveOptions(catalogue: ModelCatalogue, category: JobCategory, options: JobOptions): ResolvedOptions {
  const fallback = catalogue.defaults[category];
  const modelId = options.model ?? fallback.model;
  const model = findModel(catalogue, modelId);
  if (!model) throw notAllowed('model', `model must be one of ${catalogue.models.map((m) => m.id).join(', ')}`, catalogue.models.map((m) => m.id));
  const pick = <T extends string | number>(field: 'resolution' | 'aspectRatio' | 'durationSeconds', asked: T | undefined, allowed: readonly T[], categoryValue: T | undefined, modelValue: T): T => {
    if (asked !== undefined) {
      if (!allowed.includes(asked)) throw notAllowed(field, `${field} must be one of ${allowed.join(', ')} for ${model.id}`, allowed);
      return asked;
    }
    // The category's default only when this model takes it (another model may not): else the model's own.
    return categoryValue !== undefined && allowed.includes(categoryValue) ? categoryValue : allowed.includes(modelValue) ? modelValue : (allowed[0] as T);
  };
  const resolution = pick('resolution', options.resolution, model.resolutions, fallback.resolution, model.defaults.resolution);
  const aspectRatio = pick('aspectRatio', options.aspectRatio, model.aspectRatios, fallback.aspectRatio, model.defaults.aspectRatio);
  const durations = durationsAt(model, resolution);
  const durationSeconds = pick('durationSeconds', options.durationSeconds, durations, fallback.durationSeconds, model.defaults.durationSeconds);
  const settings: GenerationSettings = { durationSeconds, aspectRatio, resolution };
  if (options.negativePrompt !== undefined) {
    if (!model.negativePrompt) throw notAllowed('negativePrompt', `${model.id} takes no negative prompt`, []);
    if ([...options.negativePrompt].length > NEGATIVE_PROMPT_MAX) {
      throw new ValidationError('negativePrompt', 'maxLength', `negativePrompt must be at most ${NEGATIVE_PROMPT_MAX} characters`);
    }
    settings.negativePrompt = options.negativePrompt;
  }
  if (options.seed !== undefined) {
    if (!model.seed) throw notAllowed('seed', `${model.id} takes no seed`, []);
    settings.seed = options.seed;
  }
  if (options.startImage !== undefined) {
    if (!model.startImage) throw notAllowed('startImage', `${model.id} takes no start image`, []);
    settings.startImage = options.startImage;
  }
  return { model, settings, estimatedCostMicroUsd: estimateCostMicroUsd(model, settings) };
}

/**
 * The model and settings a job's generation runs with: what it was accepted with, or — a job made before
 * options existed — its category's defaults. Undefined when the job's model left the catalogue.
 */
export function generationOf(catalogue: ModelCatalogue, job: { category: JobCategory; model?: string; settings?: GenerationSettings }): { model: ModelEntry; settings: GenerationSettings } | undefined {
  if (job.model === undefined || job.settings === undefined) {
    const { model, settings } = resolveOptions(catalogue, job.category, {});
    return { model, settings };
  }
  const model = findModel(catalogue, job.model);
  return model ? { model, settings: job.settings } : undefined;
}

/** The catalogue's price of a video with these settings, in micro-dollars. */
export function estimateCostMicroUsd(model: ModelEntry, settings: Pick<GenerationSettings, 'durationSeconds' | 'resolution'>): number {
  const { price } = model;
  const perSecond = price.usdPerSecondByResolution?.[settings.resolution] ?? price.usdPerSecond;
  if (perSecond !== undefined) return Math.round(perSecond * 1_000_000 * settings.durationSeconds);
  return Math.round((price.usdPerVideo ?? 0) * 1_000_000);
}

/**
 * What a generation that ended cost: the provider's run time at the model's run-time price where both
 * are known, else the catalogue price of a delivered video; a generation that delivered no video on an
 * output-priced model costs nothing (hosted video models bill per output).
 */
export function finalCostMicroUsd(model: ModelEntry, settings: GenerationSettings, outcome: { delivered: boolean; runSeconds?: number }): number {
  if (model.price.usdPerRunSecond !== undefined && outcome.runSeconds !== undefined) {
    return Math.round(model.price.usdPerRunSecond * 1_000_000 * outcome.runSeconds);
  }
  return outcome.delivered ? estimateCostMicroUsd(model, settings) : 0;
}

export function microToUsd(micro: number): number {
  return micro / 1_000_000;
}

export function usdToMicro(usd: number): number {
  return Math.round(usd * 1_000_000);
}
