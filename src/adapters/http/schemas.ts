// TypeBox schemas of the HTTP contract: one source for validation, serialization and the OpenAPI document.
import { Type } from '@sinclair/typebox';
import { JOB_CATEGORIES, JOB_STATUSES, PROMPT_MAX, PROMPT_MIN } from '../../domain/job.ts';
import { NEGATIVE_PROMPT_MAX, SEED_MAX } from '../../domain/job-options.ts';
import { ErrorBody } from './http-error.ts';
import { JobWebhookOption } from './webhook-schemas.ts';

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'lower-case UUID' });
const Time = Type.String({ format: 'date-time', description: 'ISO 8601 UTC' });

/** A plain JSON Schema `enum` (TypeBox's Union of Literals becomes anyOf/const: worse errors and docs). */
function StringEnum<T extends string>(values: readonly T[], options: { description?: string } = {}) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

export const JobStatus = StringEnum(JOB_STATUSES);
export const JobCategory = StringEnum(JOB_CATEGORIES);

export const JobIdParams = Type.Object({ id: Uuid });

export const VideoFacts = Type.Object({
  durationSeconds: Type.Number({ minimum: 0, description: 'read from the file (its MP4 header), not from what the model was asked' }),
  width: Type.Integer({ minimum: 1 }),
  height: Type.Integer({ minimum: 1 }),
  sizeBytes: Type.Integer({ minimum: 0 }),
  contentType: Type.String({ description: 'video/mp4' }),
}, { title: 'VideoFacts', description: 'The finished video file; present once the job is completed' });

/**
 * The video options of POST /jobs, all optional. The schema checks their shape; which values a model
 * takes is checked against its catalogue entry (GET /models) by the use case, with `details.allowed`.
 */
export const jobOptionFields = {
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A model id from GET /models; the category\'s default model when absent' })),
  durationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600, description: "One of the model's durations" })),
  aspectRatio: Type.Optional(Type.String({ minLength: 1, maxLength: 10, pattern: '^\\d+:\\d+$', description: "One of the model's aspect ratios: 16:9, 9:16, 1:1, …" })),
  resolution: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: "One of the model's resolutions: 720p, 1080p, …" })),
  negativePrompt: Type.Optional(Type.String({ maxLength: NEGATIVE_PROMPT_MAX, description: `What the video should not show (≤ ${NEGATIVE_PROMPT_MAX} characters), for models that take one` })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: SEED_MAX, description: 'Repeatable results, for models that take a seed' })),
  startImage: Type.Optional(Type.String({ pattern: Uuid.pattern, description: "An uploadId (POST /uploads): the video's first frame, for models that take a start image" })),
};

const JobOptions = Type.Object(jobOptionFields, { additionalProperties: false, description: 'The options as given' });

const GenerationSettings = Type.Object({
  durationSeconds: Type.Integer(),
  aspectRatio: Type.String(),
  resolution: Type.String(),
  negativePrompt: Type.Optional(Type.String()),
  seed: Type.Optional(Type.Integer()),
  startImage: Type.Optional(Type.String()),
}, { description: 'The values the model will use: the options given, the rest from the category and the model' });

const jobFields = {
  jobId: Uuid,
  status: JobStatus,
  prompt: Type.String(),
  category: JobCategory,
  progress: Type.Integer({ minimum: 0, maximum: 100, description: '100 exactly when completed' }),
  stage: Type.Optional(Type.String({ description: 'queued, scripting, rendering, encoding, uploading, done, …' })),
  failure: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  video: Type.Optional(VideoFacts),
  options: Type.Optional(JobOptions),
  model: Type.Optional(Type.String({ description: 'The catalogue id of the model making the video' })),
  provider: Type.Optional(Type.String()),
  settings: Type.Optional(GenerationSettings),
  estimatedCostUsd: Type.Optional(Type.Number({ minimum: 0, description: "The catalogue price of the video asked for (USD), when accepted" })),
  costUsd: Type.Optional(Type.Number({ minimum: 0, description: 'What the generation cost (USD), once the job ended' })),
  createdAt: Time,
  updatedAt: Time,
};

export const Job = Type.Object(jobFields, { title: 'Job' });
export const JobAccepted = Type.Object({ ...jobFields, message: Type.String() }, { title: 'JobAccepted' });

export const createJobFields = {
  prompt: Type.String({ minLength: PROMPT_MIN, description: `${PROMPT_MIN}..${PROMPT_MAX} characters after trimming` }),
  category: JobCategory,
  ...jobOptionFields,
  webhook: Type.Optional(JobWebhookOption),
};

export const CreateJobBody = Type.Object(createJobFields, { additionalProperties: false });

export const CreateJobHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$', description: 'Replays within 24 h return the same job' }),
  ),
});

export const ListJobsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'opaque, from nextCursor' })),
  status: Type.Optional(JobStatus),
});

export const JobList = Type.Object({
  jobs: Type.Array(Job),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const VideoUrl = Type.Object({
  url: Type.String({ format: 'uri' }),
  expiresAt: Time,
  thumbnailUrl: Type.Optional(Type.String({ format: 'uri', description: "A still of the video (the model's poster, else a frame taken from the video), signed like `url` and valid as long" })),
});

export const Usage = Type.Object({
  used: Type.Integer(),
  limit: Type.Integer(),
  remaining: Type.Integer(),
  period: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'UTC month, YYYY-MM' }),
  resetsAt: Time,
  spentUsd: Type.Number({ minimum: 0, description: "The month's estimated costs of the jobs counted (USD)" }),
  spendLimitUsd: Type.Optional(Type.Number({ minimum: 0, description: 'SPEND_LIMIT_USD_PER_MONTH, when set' })),
});

const Model = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  name: Type.String(),
  durations: Type.Array(Type.Integer(), { description: 'Seconds' }),
  aspectRatios: Type.Array(Type.String()),
  resolutions: Type.Array(Type.String()),
  durationsByResolution: Type.Optional(Type.Record(Type.String(), Type.Array(Type.Integer()), { description: 'Where a resolution allows fewer durations' })),
  startImage: Type.Boolean(),
  startImageLimits: Type.Optional(Type.Object({
    types: Type.Optional(Type.Array(Type.String())),
    maxBytes: Type.Optional(Type.Integer()),
    minWidth: Type.Optional(Type.Integer()),
    minHeight: Type.Optional(Type.Integer()),
    maxWidth: Type.Optional(Type.Integer()),
    maxHeight: Type.Optional(Type.Integer()),
    maxAspectRatio: Type.Optional(Type.Number({ description: 'The long side over the short side, at most' })),
  }, { description: 'Where the model takes less than any upload may be (JPEG, PNG or WebP ≤ 10 MB, 64–8192 px a side)' })),
  endImage: Type.Boolean(),
  negativePrompt: Type.Boolean(),
  seed: Type.Boolean(),
  price: Type.Object({
    usdPerSecond: Type.Optional(Type.Number({ description: 'USD per second of video' })),
    usdPerSecondByResolution: Type.Optional(Type.Record(Type.String(), Type.Number())),
    usdPerVideo: Type.Optional(Type.Number()),
    usdPerRunSecond: Type.Optional(Type.Number({ description: 'USD per second of provider run time' })),
  }),
  typicalGenerationSeconds: Type.Integer(),
  defaults: Type.Object({ durationSeconds: Type.Integer(), aspectRatio: Type.String(), resolution: Type.String() }),
}, { title: 'Model' });

const CategoryDefaults = Type.Object({
  model: Type.String(),
  durationSeconds: Type.Optional(Type.Integer()),
  aspectRatio: Type.Optional(Type.String()),
  resolution: Type.Optional(Type.String()),
});

export const ModelList = Type.Object({
  models: Type.Array(Model),
  defaults: Type.Record(Type.String(), Type.String(), { description: "Each category's default model id" }),
  categoryDefaults: Type.Record(Type.String(), CategoryDefaults, { description: "Each category's default model and options" }),
}, { title: 'ModelList' });

/** Error responses every authenticated route can give. */
export const authErrors = { 401: ErrorBody, 429: ErrorBody, 500: ErrorBody, 503: ErrorBody };

export const bearer = [{ bearerAuth: [] }];
