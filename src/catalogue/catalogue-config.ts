// The model catalogue the process runs with: the repository's models.json (bundled into every Lambda and
// the API build), or the operator's own — VIDEO_MODELS_JSON (the document itself; what the CDK stack
// sets from its `videoModels` context) or VIDEO_MODELS_FILE (a path). VIDEO_MODEL_MUSIC_VIDEO and
// VIDEO_MODEL_AD_CREATIVE still pick each category's default model (or pin a version of a listed one).
import { readFileSync } from 'node:fs';
import { JOB_CATEGORIES, type JobCategory } from '../domain/job.ts';
import { parseCatalogue, type ModelCatalogue } from '../domain/model-catalogue.ts';
import bundled from './models.json' with { type: 'json' };

type Env = Record<string, string | undefined>;

const CATEGORY_VARIABLES: Record<JobCategory, string> = {
  'music-video': 'VIDEO_MODEL_MUSIC_VIDEO',
  'ad-creative': 'VIDEO_MODEL_AD_CREATIVE',
};

/** `owner/name` or `owner/name:<64 hex version>`. */
const MODEL_REF = /^([a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*)(?::[0-9a-f]{64})?$/i;

/** The repository's own catalogue, checked. */
export function bundledCatalogue(): ModelCatalogue {
  return parseCatalogue(bundled, 'src/catalogue/models.json');
}

/** The catalogue `env` names; throws an Error (one line per problem) when it is unreadable or wrong. */
export function catalogueFrom(env: Env): ModelCatalogue {
  const inline = env.VIDEO_MODELS_JSON?.trim();
  const file = env.VIDEO_MODELS_FILE?.trim();
  let catalogue: ModelCatalogue;
  if (inline) catalogue = parseCatalogue(parseJson(inline, 'VIDEO_MODELS_JSON'), 'VIDEO_MODELS_JSON');
  else if (file) catalogue = parseCatalogue(parseJson(readText(file), `VIDEO_MODELS_FILE (${file})`), `VIDEO_MODELS_FILE (${file})`);
  else catalogue = bundledCatalogue();
  return withCategoryModels(catalogue, env);
}

function withCategoryModels(catalogue: ModelCatalogue, env: Env): ModelCatalogue {
  let { models } = catalogue;
  const defaults = { ...catalogue.defaults };
  for (const category of JOB_CATEGORIES) {
    const name = CATEGORY_VARIABLES[category];
    const value = env[name]?.trim();
    if (!value) continue;
    const match = MODEL_REF.exec(value);
    if (!match) throw new Error(`${name}: expected owner/name or owner/name:<64 hex version>, got "${value}"`);
    const id = match[1] as string;
    if (!models.some((m) => m.id === id)) throw new Error(`${name}: "${id}" is not in the model catalogue (${models.map((m) => m.id).join(', ')})`);
    // A pinned version runs the listed model at that version: same options, same price.
    if (value !== id) models = models.map((m) => (m.id === id ? { ...m, providerModel: value } : m));
    defaults[category] = { ...defaults[category], model: id };
  }
  return { models, defaults };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`VIDEO_MODELS_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${source}: not valid JSON`);
  }
}
