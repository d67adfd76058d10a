// Domain errors carry a stable string `code`. The HTTP edge maps each code to a status in one place
// (src/adapters/http/error-handler.ts); nothing below the edge knows about HTTP.

export type DomainErrorCode =
  | 'VALIDATION_ERROR'
  | 'NOT_FOUND'
  | 'JOB_NOT_READY'
  | 'JOB_FINISHED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'QUOTA_EXCEEDED'
  | 'RATE_LIMITED'
  | 'UNAUTHORIZED'
  | 'SERVICE_UNAVAILABLE'
  | 'CONCURRENT_UPDATE';

export type ErrorDetails = Record<string, string | number | boolean | readonly (string | number)[]>;

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details?: ErrorDetails;
  constructor(
    code: DomainErrorCode,
    message: string,
    details?: ErrorDetails,
  ) {
    super(message);
    this.code = code;
    this.details = details;
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  /** `allowed`: the values that would have been accepted (a model's durations, …); empty when none is. */
  constructor(field: string, constraint: string, message: string, allowed?: readonly (string | number)[]) {
    super('VALIDATION_ERROR', `Invalid request: ${message}`, allowed ? { field, constraint, allowed } : { field, constraint });
  }
}

export class JobNotFound extends DomainError {
  constructor(jobId: string) {
    super('NOT_FOUND', `Job ${jobId} not found`);
  }
}

export class JobNotReady extends DomainError {
  constructor(jobId: string, status: string) {
    super('JOB_NOT_READY', `Job ${jobId} is ${status}; its video is ready once it is completed`, { status });
  }
}

export class JobFinished extends DomainError {
  constructor(jobId: string, status: string) {
    super('JOB_FINISHED', `Job ${jobId} has already ended (${status})`, { status });
  }
}

export class IdempotencyKeyReused extends DomainError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body');
  }
}

export class QuotaExceeded extends DomainError {
  constructor(limit: number, period: string, resetsAt: string) {
    super('QUOTA_EXCEEDED', `Monthly quota of ${limit} jobs used up for ${period}; it resets at ${resetsAt}`, {
      limit,
      period,
      resetsAt,
    });
  }
}

/** The month's estimated costs would pass SPEND_LIMIT_USD_PER_MONTH: the same code as the job quota, `limit: "spend"`. */
export class SpendLimitExceeded extends DomainError {
  constructor(limitUsd: number, costUsd: number, period: string, resetsAt: string) {
    super('QUOTA_EXCEEDED', `Monthly spend limit of ${limitUsd} USD would be passed by this job (${costUsd} USD) in ${period}; it resets at ${resetsAt}`, {
      limit: 'spend',
      limitUsd,
      costUsd,
      period,
      resetsAt,
    });
  }
}

export class RateLimited extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(
    limit: number,
    retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded; retry in ${retryAfterSeconds} s`, {
      limit,
      retryAfter: retryAfterSeconds,
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class Unauthorized extends DomainError {
  constructor(message = 'Missing or invalid bearer token') {
    super('UNAUTHORIZED', message);
  }
}

/** A dependency throttles, times out or is down: the caller may retry after `retryAfterSeconds`. */
export class ServiceUnavailable extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(
    message: string,
    retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super('SERVICE_UNAVAILABLE', message);
    this.retryAfterSeconds = retryAfterSeconds;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Optimistic concurrency: the stored job changed since it was read. Use cases re-read and retry. */
export class ConcurrentUpdate extends DomainError {
  constructor(jobId: string) {
    super('CONCURRENT_UPDATE', `Job ${jobId} was changed concurrently`);
  }
}

/** Why the video model did not deliver a video; the code becomes the job's `failure.code`. */
export type GenerationFailureCode = 'PROVIDER_REJECTED' | 'PROVIDER_FAILED' | 'PROVIDER_TIMEOUT';

/**
 * The video model refused, failed or ran out of time. Not a DomainError: it never reaches HTTP, it ends
 * a job. Its `name` is the code, because a workflow engine matches errors by name (a Lambda's errorType
 * becomes the Step Functions error that Catch and the Fail state see).
 */
export class GenerationFailed extends Error {
  readonly code: GenerationFailureCode;
  constructor(
    code: GenerationFailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.name = code;
  }
}

/**
 * The file a model returned is not a playable video. The workflow ends the job PROVIDER_FAILED (its
 * `name` is that code, as GenerationFailed's is), so a broken file never sits behind a signed URL.
 */
export class NotPlayableVideo extends GenerationFailed {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('PROVIDER_FAILED', `The model returned a file that is not a playable MP4: ${reason}`, options);
  }
}
