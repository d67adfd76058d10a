// TypeBox schemas of the HTTP contract: one source for validation, serialization and the OpenAPI document.
import { Type } from '@sinclair/typebox';
import { JOB_CATEGORIES, JOB_STATUSES, PROMPT_MAX, PROMPT_MIN } from '../../domain/job.js';
import { ErrorBody } from './http-error.js';

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

const jobFields = {
  jobId: Uuid,
  status: JobStatus,
  prompt: Type.String(),
  category: JobCategory,
  progress: Type.Integer({ minimum: 0, maximum: 100, description: '100 exactly when completed' }),
  stage: Type.Optional(Type.String({ description: 'queued, scripting, rendering, encoding, uploading, done, …' })),
  failure: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  video: Type.Optional(VideoFacts),
  createdAt: Time,
  updatedAt: Time,
};

export const Job = Type.Object(jobFields, { title: 'Job' });
export const JobAccepted = Type.Object({ ...jobFields, message: Type.String() }, { title: 'JobAccepted' });

export const CreateJobBody = Type.Object(
  {
    prompt: Type.String({ minLength: PROMPT_MIN, description: `${PROMPT_MIN}..${PROMPT_MAX} characters after trimming` }),
    category: JobCategory,
  },
  { additionalProperties: false },
);

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
});

/** Error responses every authenticated route can give. */
export const authErrors = { 401: ErrorBody, 429: ErrorBody, 500: ErrorBody, 503: ErrorBody };

export const bearer = [{ bearerAuth: [] }];
