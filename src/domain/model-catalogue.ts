// The video models a caller may choose, as data (src/catalogue/models.json, or the operator's own file):
// what each accepts and costs. Parsing checks the data once, at start; the job's options are checked
// against one entry per request (job-options.ts).
import { IMAGE_TYPES, isImageType, type ImageType } from './image-info.ts';
import { JOB_CATEGORIES, type JobCategory } from './job.ts';

/** The job options a catalogue entry maps to the provider's own input names. */
export const MAPPED_OPTIONS = ['prompt', 'durationSeconds', 'aspectRatio', 'resolution', 'negativePrompt', 'seed', 'startImage', 'endImage'] as const;
export type MappedOption = (typeof MAPPED_OPTIONS)[number];

export interface ModelPrice {
  /** USD per second of video made (most hosted video models). */
  usdPerSecond?: number;
  /** USD per second of video, by resolution (where the price depends on it); wins over usdPerSecond. */
  usdPerSecondByResolution?: Record<string, number>;
  /** USD per video, whatever its length. */
  usdPerVideo?: number;
  /** USD per second the provider reports the model ran (hardware-billed models): used for costUsd when the run time is known. */
  usdPerRunSecond?: number;
}

/**
 * What a model takes as a start image, where it takes less than any upload may be (JPEG, PNG or WebP up to
 * 10 MB; 64×64 to 8192×8192 pixels): checked when a job names the image (application/check-start-image.ts).
 */
export interface StartImageLimits {
  types?: ImageType[];
  maxBytes?: number;
  minWidth?: number;
  minHeight?: number;
  maxWidth?: number;
  maxHeight?: number;
  /** The long side over the short side at most (2.5: from 2:5 to 5:2). */
  maxAspectRatio?: number;
}

const LIMIT_NUMBERS = ['maxBytes', 'minWidth', 'minHeight', 'maxWidth', 'maxHeight', 'maxAspectRatio'] as const;

export interface ModelEntry {
  /** What a caller names in `model` (the provider's own name for it). */
  id: string;
  /** Which adapter runs it (`replicate`). */
  provider: string;
  /** The provider's reference when it differs from `id` (a pinned version). */
  providerModel: string;
  name: string;
  durations: number[];
  aspectRatios: string[];
  resolutions: string[];
  /** Durations a resolution is limited to, where the model limits them (Hailuo: 1080p only 6 s). */
  durationsByResolution?: Record<string, number[]>;
  startImage: boolean;
  /** Narrower start images than uploads allow, when the model says so. */
  startImageLimits?: StartImageLimits;
  endImage: boolean;
  negativePrompt: boolean;
  seed: boolean;
  price: ModelPrice;
  typicalGenerationSeconds: number;
  /** The model's own defaults: used when neither the request nor the category says otherwise. */
  defaults: { durationSeconds: number; aspectRatio: string; resolution: string };
  /** Option → the provider's input name; an option without one is not sent (the model has no such input). */
  input: Partial<Record<MappedOption, string>>;
  /** Fixed inputs sent with every generation (e.g. a switch the service always wants). */
  fixedInput?: Record<string, string | number | boolean>;
  /** Where each figure came from (URLs and dates): for the operator, not the API. */
  sources?: Record<string, string>;
}

export interface CategoryDefaults {
  model: string;
  durationSeconds?: number;
  aspectRatio?: string;
  resolution?: string;
}

export interface ModelCatalogue {
  models: ModelEntry[];
  defaults: Record<JobCategory, CategoryDefaults>;
}

export function findModel(catalogue: ModelCatalogue, id: string): ModelEntry | undefined {
  return catalogue.models.find((m) => m.id === id);
}

/** The durations `entry` takes at `resolution`. */
export function durationsAt(entry: ModelEntry, resolution: string): number[] {
  return entry.durationsByResolution?.[resolution] ?? entry.durations;
}

/** Reads and checks a catalogue document; throws an Error naming every problem. */
export function parseCatalogue(raw: unknown, source = 'the model catalogue'): ModelCatalogue {
  const problems: string[] = [];
  const doc = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) problems.push('must be a JSON object');
  const models = Array.isArray(doc.models) ? doc.models.map((m, i) => parseEntry(m, `models[${i}]`, problems)) : [];
  if (models.length === 0) problems.push('models: must list at least one model');
  const ids = new Set<string>();
  for (const m of models) {
    if (ids.has(m.id)) problems.push(`models: "${m.id}" is listed twice`);
    ids.add(m.id);
  }
  const rawDefaults = isRecord(doc.defaults) ? doc.defaults : {};
  const defaults = {} as Record<JobCategory, CategoryDefaults>;
  for (const category of JOB_CATEGORIES) {
    const d = rawDefaults[category];
    if (!isRecord(d) || typeof d.model !== 'string') {
      problems.push(`defaults.${category}.model: must name a model`);
      continue;
    }
    if (!ids.has(d.model)) problems.push(`defaults.${category}.model: "${d.model}" is not in models`);
    defaults[category] = {
      model: d.model,
      ...(typeof d.durationSeconds === 'number' ? { durationSeconds: d.durationSeconds } : {}),
      ...(typeof d.aspectRatio === 'string' ? { aspectRatio: d.aspectRatio } : {}),
      ...(typeof d.resolution === 'string' ? { resolution: d.resolution } : {}),
    };
  }
  if (problems.length > 0) throw new Error(`${source}: ${problems.join('; ')}`);
  return { models, defaults };
}

function parseEntry(raw: unknown, at: string, problems: string[]): ModelEntry {
  const m = isRecord(raw) ? raw : {};
  const text = (name: string): string => {
    const v = m[name];
    if (typeof v === 'string' && v.trim()) return v;
    problems.push(`${at}.${name}: must be a non-empty string`);
    return '';
  };
  const list = <T>(name: string, ok: (v: unknown) => v is T): T[] => {
    const v = m[name];
    if (Array.isArray(v) && v.length > 0 && v.every(ok)) return v;
    problems.push(`${at}.${name}: must be a non-empty list`);
    return [];
  };
  const flag = (name: string): boolean => {
    if (typeof m[name] === 'boolean') return m[name];
    problems.push(`${at}.${name}: must be true or false`);
    return false;
  };
  const id = text('id');
  const entry: ModelEntry = {
    id,
    provider: text('provider'),
    providerModel: typeof m.providerModel === 'string' ? m.providerModel : id,
    name: text('name'),
    durations: list('durations', isPositiveInt),
    aspectRatios: list('aspectRatios', isString),
    resolutions: list('resolutions', isString),
    startImage: flag('startImage'),
    endImage: flag('endImage'),
    negativePrompt: flag('negativePrompt'),
    seed: flag('seed'),
    price: parsePrice(m.price, `${at}.price`, problems),
    typicalGenerationSeconds: isPositiveInt(m.typicalGenerationSeconds) ? m.typicalGenerationSeconds : (problems.push(`${at}.typicalGenerationSeconds: must be a positive integer`), 0),
    defaults: { durationSeconds: 0, aspectRatio: '', resolution: '' },
    input: {},
  };
  if (m.startImageLimits !== undefined) entry.startImageLimits = parseImageLimits(m.startImageLimits, `${at}.startImageLimits`, problems);
  if (isRecord(m.durationsByResolution)) entry.durationsByResolution = m.durationsByResolution as Record<string, number[]>;
  if (isRecord(m.fixedInput)) entry.fixedInput = m.fixedInput as ModelEntry['fixedInput'];
  if (isRecord(m.sources)) entry.sources = m.sources as Record<string, string>;
  const input = isRecord(m.input) ? m.input : {};
  for (const [option, name] of Object.entries(input)) {
    if (!(MAPPED_OPTIONS as readonly string[]).includes(option) || typeof name !== 'string') problems.push(`${at}.input.${option}: unknown option or not a string`);
    else entry.input[option as MappedOption] = name;
  }
  if (!entry.input.prompt) problems.push(`${at}.input.prompt: must name the provider's prompt input`);
  const d = isRecord(m.defaults) ? m.defaults : {};
  entry.defaults = {
    durationSeconds: entry.durations.includes(d.durationSeconds as number) ? (d.durationSeconds as number) : (entry.durations[0] ?? 0),
    aspectRatio: entry.aspectRatios.includes(d.aspectRatio as string) ? (d.aspectRatio as string) : (entry.aspectRatios[0] ?? ''),
    resolution: entry.resolutions.includes(d.resolution as string) ? (d.resolution as string) : (entry.resolutions[0] ?? ''),
  };
  return entry;
}

function parseImageLimits(raw: unknown, at: string, problems: string[]): StartImageLimits {
  const l = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) problems.push(`${at}: must be an object`);
  const limits: StartImageLimits = {};
  for (const [name, v] of Object.entries(l)) {
    if (name === 'types' && Array.isArray(v) && v.length > 0 && v.every(isImageType)) limits.types = v;
    else if ((LIMIT_NUMBERS as readonly string[]).includes(name) && typeof v === 'number' && v > 0 && Number.isFinite(v)) limits[name as (typeof LIMIT_NUMBERS)[number]] = v;
    else problems.push(`${at}.${name}: ${name === 'types' ? `must list some of ${IMAGE_TYPES.join(', ')}` : (LIMIT_NUMBERS as readonly string[]).includes(name) ? 'must be a number > 0' : 'is not a limit'}`);
  }
  return limits;
}

function parsePrice(raw: unknown, at: string, problems: string[]): ModelPrice {
  const p = isRecord(raw) ? raw : {};
  const price: ModelPrice = {};
  for (const name of ['usdPerSecond', 'usdPerVideo', 'usdPerRunSecond'] as const) {
    const v = p[name];
    if (v === undefined) continue;
    if (typeof v === 'number' && v >= 0 && Number.isFinite(v)) price[name] = v;
    else problems.push(`${at}.${name}: must be a number ≥ 0`);
  }
  if (isRecord(p.usdPerSecondByResolution)) price.usdPerSecondByResolution = p.usdPerSecondByResolution as Record<string, number>;
  if (price.usdPerSecond === undefined && price.usdPerVideo === undefined && !price.usdPerSecondByResolution) {
    problems.push(`${at}: must give usdPerSecond, usdPerSecondByResolution or usdPerVideo`);
  }
  return price;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}
function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}
