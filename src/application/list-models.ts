import { JOB_CATEGORIES, type JobCategory } from '../domain/job.ts';
import type { CategoryDefaults, ModelCatalogue, ModelEntry } from '../domain/model-catalogue.ts';

/** A catalogue entry as callers see it: what it accepts and costs, not how the provider names its inputs. */
export type PublicModel = Omit<ModelEntry, 'input' | 'fixedInput' | 'sources' | 'providerModel'>;

export interface ModelList {
  models: PublicModel[];
  /** Each category's default model id. */
  defaults: Record<JobCategory, string>;
  /** Each category's default model and options (duration, aspect ratio, resolution). */
  categoryDefaults: Record<JobCategory, CategoryDefaults>;
}

/** GET /models: the catalogue the service runs with (the operator's, when they replaced it). */
export class ListModels {
  private readonly list: ModelList;

  constructor(catalogue: ModelCatalogue) {
    const models = catalogue.models.map(({ input: _input, fixedInput: _fixed, sources: _sources, providerModel: _ref, ...rest }) => rest);
    const defaults = Object.fromEntries(JOB_CATEGORIES.map((c) => [c, catalogue.defaults[c].model])) as Record<JobCategory, string>;
    this.list = { models, defaults, categoryDefaults: catalogue.defaults };
  }

  execute(): ModelList {
    return this.list;
  }
}
