import { OmniGenError, TimeoutError, retryAfterSeconds } from './errors.ts';

export interface RetryOptions {
  /** Further attempts after the first (default 3). 0 turns retrying off. */
  retries?: number;
  /** The backoff's first ceiling; it doubles per attempt (default 250 ms). */
  baseDelayMs?: number;
  /** The backoff's largest ceiling (default 8 s). */
  maxDelayMs?: number;
  /** A 429/503 asking to wait longer than this is not retried: the error reaches the caller (default 60 s). */
  maxRetryAfterSeconds?: number;
  /** The jitter's source, 0 ≤ x < 1 (default Math.random): a test passes a constant. */
  random?: () => number;
  /** How to wait (default: an abortable timer): a test may pass one that records the delays. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface TransportOptions {
  fetch?: typeof fetch;
  /** Per attempt, until the response headers arrive (default 30 s). */
  timeoutMs?: number;
  retry?: RetryOptions;
  token?: string;
  getToken?: () => string | undefined | Promise<string | undefined>;
}

export interface SendOptions {
  /** Add the bearer token (default true). Presigned URLs (videos, uploads) must not get it. */
  auth?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// Errors that mean the connection was never made, so the request was never sent: safe to retry anything.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * fetch with the bearer token, a per-attempt timeout and retries. Retried: network errors, 5xx, and 429/503
 * after their Retry-After — but only for safe methods and requests carrying an `Idempotency-Key`, since
 * repeating anything else could do it twice. A request that never left (connection refused) is always retried.
 */
export class Transport {
  private readonly fetchFn: typeof fetch;
  readonly timeoutMs: number;
  private readonly retry: Required<RetryOptions>;

  private readonly options: TransportOptions;
  constructor(options: TransportOptions) {
    this.options = options;
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = {
      retries: 3, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterSeconds: 60, random: Math.random, sleep: abortableSleep,
      ...options.retry,
    };
  }

  async token(): Promise<string | undefined> {
    return this.options.getToken ? await this.options.getToken() : this.options.token;
  }

  /** The full-jitter backoff before retry number `attempt + 1`. */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    return Math.floor(this.retry.random() * ceiling);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.retry.sleep(ms, signal);
  }

  async send(request: Request, options: SendOptions = {}): Promise<Response> {
    const retriable = SAFE_METHODS.has(request.method) || request.headers.has('idempotency-key');
    if (options.auth !== false && !request.headers.has('authorization')) {
      const token = await this.token();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
    }
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < this.retry.retries;
      let response: Response;
      try {
        response = await this.once(request);
      } catch (err) {
        if (request.signal.aborted) throw request.signal.reason;
        if (canRetry && (retriable || NOT_SENT.has(causeCode(err)))) {
          await this.sleep(this.backoffMs(attempt), request.signal);
          continue;
        }
        throw err instanceof TimeoutError ? err : networkError(request, err);
      }
      const delay = canRetry && retriable ? this.retryDelayMs(response, attempt) : undefined;
      if (delay === undefined) return response;
      await response.body?.cancel().catch(() => {});
      await this.sleep(delay, request.signal);
    }
  }

  /** How long to wait before repeating after this response; undefined when it must not be repeated. */
  private retryDelayMs(response: Response, attempt: number): number | undefined {
    const { status } = response;
    if (status === 429 || status === 503) {
      const seconds = retryAfterSeconds(response.headers.get('retry-after'));
      if (seconds === undefined) return status === 503 ? this.backoffMs(attempt) : undefined;
      return seconds <= this.retry.maxRetryAfterSeconds ? seconds * 1000 : undefined;
    }
    if (status >= 500 && status !== 501) return this.backoffMs(attempt);
    return undefined;
  }

  /** One attempt; the timeout covers the wait for the response headers, not the reading of a body or a stream. */
  private async once(request: Request): Promise<Response> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new TimeoutError(`${request.method} ${new URL(request.url).pathname} got no response within ${this.timeoutMs} ms`, this.timeoutMs)), this.timeoutMs);
    try {
      const attempt = new Request(request.clone(), { signal: AbortSignal.any([request.signal, timeout.signal]) });
      return await this.fetchFn(attempt);
    } catch (err) {
      if (timeout.signal.aborted && !request.signal.aborted) throw timeout.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

function causeCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : '';
}

function networkError(request: Request, err: unknown): OmniGenError {
  const reason = causeCode(err) || (err instanceof Error ? err.message : String(err));
  return new OmniGenError({
    message: `${request.method} ${new URL(request.url).pathname}: no response from the server (${reason})`,
    status: 0, code: 'NETWORK_ERROR', cause: err,
  });
}
