// One place that decides which AWS SDK failures mean "the dependency is unavailable, retry later"
// (ServiceUnavailable → 503 with Retry-After) and which are bugs or misconfiguration (rethrown as-is
// → 500). The lists mirror the SDK's own retry classification (@smithy/core retry constants), so an
// error the SDK gave up retrying on is reported to the client as a retryable 503.
import { DomainError, ServiceUnavailable } from '../../domain/errors.ts';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'BandwidthLimitExceeded',
]);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ServiceUnavailable', 'InternalServerError', 'InternalFailure']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export const THROTTLED_RETRY_AFTER_SECONDS = 2;
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

function isTransient(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (e.name === 'AbortError') return false;
  return (
    (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) ||
    (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) ||
    e.$fault === 'server' ||
    status >= 500 ||
    (depth < 5 && isTransient(e.cause, depth + 1))
  );
}

function isThrottling(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as SdkErrorShape;
  return (typeof e.name === 'string' && THROTTLING.has(e.name)) || e.$metadata?.httpStatusCode === 429;
}

/**
 * Turns an SDK error into a domain error where one applies: throttling, timeouts, network failures and
 * 5xx become ServiceUnavailable. Domain errors pass through; anything else is returned unchanged.
 */
export function translateAwsError(err: unknown, dependency: string): unknown {
  if (err instanceof DomainError) return err;
  if (isThrottling(err)) {
    return new ServiceUnavailable(`${dependency} is throttling requests; please retry`, THROTTLED_RETRY_AFTER_SECONDS, { cause: err });
  }
  if (isTransient(err)) {
    return new ServiceUnavailable(`${dependency} is unavailable; please retry`, UNAVAILABLE_RETRY_AFTER_SECONDS, { cause: err });
  }
  return err;
}

/** Runs one SDK call (or a few) and translates whatever it throws. */
export async function callAws<T>(dependency: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw translateAwsError(err, dependency);
  }
}
