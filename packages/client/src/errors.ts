/** The contract's error body (every non-2xx response of the API). */
export interface ErrorBody {
  error: string;
  code: string;
  details?: Record<string, unknown>;
  timestamp?: string;
}

/**
 * Every failed API call: `status` 0 when no HTTP answer came (network error, timeout). `code` is the
 * contract's code (`VALIDATION_ERROR`, `RATE_LIMITED`, …) or the client's own (`NETWORK_ERROR`, …).
 */
export class OmniGenError extends Error {
  override readonly name: string = 'OmniGenError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly requestId: string | undefined;
  /** From `Retry-After` on 429 and 503. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: { message: string; status: number; code: string; details?: Record<string, unknown>; requestId?: string; retryAfterSeconds?: number; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The error a non-2xx response stands for; `body` is its parsed JSON when the caller has read it. */
  static fromResponse(response: Response, body: unknown): OmniGenError {
    const parsed = isErrorBody(body) ? body : undefined;
    return new OmniGenError({
      message: parsed?.error ?? `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
      status: response.status,
      code: parsed?.code ?? `HTTP_${response.status}`,
      details: parsed?.details,
      requestId: response.headers.get('x-request-id') ?? undefined,
      retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')),
    });
  }
}

/** The job ended `failed`: `code` is its failure code (`PROVIDER_REJECTED`, `PROVIDER_TIMEOUT`, …). */
export class JobFailedError extends Error {
  override readonly name = 'JobFailedError';
  readonly code: string;
  readonly job: { jobId: string; failure?: { code: string; message: string } };
  constructor(job: { jobId: string; failure?: { code: string; message: string } }) {
    super(`Job ${job.jobId} failed: ${job.failure?.message ?? 'no reason given'} (${job.failure?.code ?? 'UNKNOWN'})`);
    this.job = job;
    this.code = job.failure?.code ?? 'UNKNOWN';
  }
}

/** The job ended `canceled` (by this caller or another). */
export class JobCanceledError extends Error {
  override readonly name = 'JobCanceledError';
  readonly job: { jobId: string };
  constructor(job: { jobId: string }) {
    super(`Job ${job.jobId} was canceled`);
    this.job = job;
  }
}

/** A wait (or a call) outlived its `timeoutMs`. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message);
    this.timeoutMs = timeoutMs;
  }
}

/** A webhook whose signature, timestamp or headers do not check out: do not act on it. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as ErrorBody).error === 'string' && typeof (body as ErrorBody).code === 'string';
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
