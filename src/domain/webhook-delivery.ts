import type { Job } from './job.ts';
import type { WebhookEventType } from './webhook.ts';

// One message to one endpoint, and its attempts. At least once: a delivery stays pending until a 2xx,
// a 410 Gone, or the last attempt of the Standard Webhooks retry schedule
// (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#deliverability-and-reliability).

/** Delay before each attempt, counted from the failure of the one before: now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  0, 5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 14 * 3_600_000, 20 * 3_600_000, 24 * 3_600_000,
];
export const MAX_DELIVERY_ATTEMPTS = RETRY_SCHEDULE_MS.length;
/** Each delay is spread by ±10 %, so endpoints that failed together are not all retried in the same second. */
const JITTER = 0.1;

export type DeliveryOutcome = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  /** `msg_…`: the `webhook-id` header, the same on every attempt so a receiver can de-duplicate. */
  readonly id: string;
  readonly userId: string;
  /** A registered endpoint's id, or `job:<jobId>` for a job's one-off webhook. */
  readonly target: string;
  readonly url: string;
  readonly eventId: string;
  readonly type: WebhookEventType;
  readonly jobId?: string;
  /** Orders a job's deliveries to one target: the job's version when the event was recorded. */
  readonly sequence: number;
  /** The job as the event recorded it (sent as its public view, `data.job`); absent for webhook.test. */
  readonly job?: Job;
  readonly occurredAt: string;
  readonly attempts: number;
  readonly outcome: DeliveryOutcome;
  /** When the next attempt is due (pending only). */
  readonly nextAttemptAt?: string;
  readonly lastStatusCode?: number;
  readonly lastLatencyMs?: number;
  readonly lastError?: string;
  readonly lastAttemptAt?: string;
  readonly createdAt: string;
}

/** What one attempt got back. `statusCode` is absent when no response came (refused, timeout, reset). */
export interface AttemptResult {
  statusCode?: number;
  latencyMs: number;
  error?: string;
}

export const isSuccess = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;

/**
 * The delivery after an attempt: delivered on 2xx; failed for good on 410 Gone (the endpoint goes too)
 * or after the last attempt; otherwise pending, due after the schedule's next delay. `random` is in [0, 1).
 */
export function afterAttempt(delivery: WebhookDelivery, result: AttemptResult, now: Date, random: () => number): WebhookDelivery {
  const attempts = delivery.attempts + 1;
  const base = {
    ...delivery, attempts, lastAttemptAt: now.toISOString(), lastLatencyMs: Math.round(result.latencyMs),
    lastStatusCode: result.statusCode, lastError: result.error, nextAttemptAt: undefined,
  };
  if (isSuccess(result.statusCode)) return { ...base, outcome: 'delivered', lastError: undefined };
  if (result.statusCode === 410 || attempts >= MAX_DELIVERY_ATTEMPTS) return { ...base, outcome: 'failed' };
  const delay = (RETRY_SCHEDULE_MS[attempts] as number) * (1 - JITTER + 2 * JITTER * random());
  return { ...base, outcome: 'pending', nextAttemptAt: new Date(now.getTime() + Math.round(delay)).toISOString() };
}

/** Sent again by hand (POST …/retry): due now, one more attempt allowed even after the schedule ran out. */
export function retryNow(delivery: WebhookDelivery, now: Date): WebhookDelivery {
  const attempts = Math.min(delivery.attempts, MAX_DELIVERY_ATTEMPTS - 1);
  return { ...delivery, attempts, outcome: 'pending', nextAttemptAt: now.toISOString() };
}

/** Failed without an attempt (the endpoint was deleted or disabled meanwhile). */
export function abandon(delivery: WebhookDelivery, reason: string, now: Date): WebhookDelivery {
  return { ...delivery, outcome: 'failed', nextAttemptAt: undefined, lastError: reason, lastAttemptAt: now.toISOString() };
}

const INTERNAL: ReadonlySet<string> = new Set(['userId', 'version', 'videoKey', 'thumbnailKey', 'generationId', 'executionArn', 'syncedAt']);

/** The job as its owner sees it through the API: the service's own bookkeeping fields left out. */
export function publicJob(job: Job): Record<string, unknown> {
  return Object.fromEntries(Object.entries(job).filter(([key, value]) => !INTERNAL.has(key) && value !== undefined));
}
